"""The registry of tracked reviews, and which documents belong to which review."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from tracker.items import Publication, Review

REGISTRY_FILE = Path(__file__).with_name("reviews.toml")


@lru_cache(maxsize=4)
def load_reviews(path: Path = REGISTRY_FILE) -> tuple[Review, ...]:
    """Read the registry file into Review items, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    reviews = []
    for row in data.get("review", []):
        published = row.get("published_on")
        reviews.append(
            Review(
                review_id=row["review_id"],
                title=row["title"],
                publisher=row.get("publisher", ""),
                published_on=published if isinstance(published, date) else None,
                url=row.get("url"),
                expected_recommendations=row.get("expected_recommendations"),
                aliases=tuple(row.get("aliases", ())),
                kind=row.get("kind", "recommendations"),
                paragraphs=tuple(row.get("paragraphs", ())),
                surname=row.get("surname", ""),
            )
        )
    ids = [r.review_id for r in reviews]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate review_id in {path}")
    return tuple(reviews)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("\u2019", "'")).strip()


def _strip_url(url: str) -> str:
    return url.split("#")[0].split("?")[0].rstrip("/")


def title_matches(review: Review, title: str) -> bool:
    """A document title names the review: it contains the review's title or one of its long aliases."""
    t = _norm(title)
    if not t:
        return False
    names = [review.title] + [a for a in review.aliases if len(a) >= 20]
    return any(_norm(n) and _norm(n) in t for n in names)


def linked_to_review(pub: Publication, review: Review, parents: dict[str, Publication]) -> bool:
    """Is the document the review's own page, or an attachment or child of it (not merely titled like it)?"""
    if not review.url:
        return False
    target = _strip_url(review.url)
    url = _strip_url(pub.url)
    parent = parents.get(url) or (parents.get(_strip_url(pub.parent_url)) if pub.parent_url else None)
    parent_url = _strip_url(parent.url) if parent else (_strip_url(pub.parent_url) if pub.parent_url else None)
    return target in (url, parent_url)


def owning_review(pub: Publication, reviews: tuple[Review, ...], parents: dict[str, Publication]) -> Review | None:
    """The review a document belongs to: its page, an attachment or child of its page, or by title.

    `parents` maps a URL to the publication that links it as an attachment or child.
    """
    url = _strip_url(pub.url)
    for review in reviews:
        if review.url and url == _strip_url(review.url):
            return review
    parent = parents.get(url) or (parents.get(_strip_url(pub.parent_url)) if pub.parent_url else None)
    parent_url = _strip_url(parent.url) if parent else (_strip_url(pub.parent_url) if pub.parent_url else None)
    for review in reviews:
        if review.url and parent_url == _strip_url(review.url):
            return review
    if _RESPONSE_TITLE.search(pub.title) or pub.document_type in _RESPONSE_TYPES:
        return None  # a response or update that repeats the review's title is not the review
    for review in reviews:
        if title_matches(review, pub.title):
            return review
    return None


_RESPONSE_TITLE = re.compile(r"\b(response|progress|update|one year on|implementation|accepts?)\b", re.I)
_RESPONSE_TYPES = {"government_response", "press_release", "news_story", "written_statement", "speech"}
