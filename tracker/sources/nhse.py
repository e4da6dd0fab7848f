"""NHS England (NHS Improvement's successor): publications, news, long reads and progress pages.

Discovered through the sitemaps its robots.txt names (a WordPress sitemap index), stopping at
`--since` by each entry's lastmod. england.nhs.uk lists tens of thousands of pages, so only pages
whose address speaks of leadership, management, boards, talent or a tracked review are fetched;
their PDF attachments (wp-content/uploads) follow at depth 1. Relevance proper (with its reason)
is decided later from the page's own words.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Iterator

from tracker.items import Candidate, Capture, Publication
from tracker.sources.discovery import SourceDegraded, robots_sitemaps, sitemap_candidates
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

HOSTS = {"www.england.nhs.uk", "england.nhs.uk"}  # the Long Term Plan site stays generic (a registry review)

# Publication-like pages: /publication/<slug>/, /long-read/<slug>/, /news/<slug>/, dated news
# /YYYY/MM/<slug>/, and topic pages (progress pages such as /leadership/<slug>/).
PAGE = re.compile(
    r"^https?://[^/]+/(?:publication|long-read|news)/[^/?#]+/?$|"
    r"^https?://[^/]+/\d{4}/\d{2}/[^/?#]+/?$|"
    r"^https?://[^/]+/(?:[a-z0-9-]+/){0,3}[a-z0-9-]+/?$",
    re.I,
)
# ...whose address names leadership or a tracked review (each review's surname joins these at run time).
LEADERSHIP_SLUG = (
    "leader", "leadership", "manag", "board", "talent", "fit-and-proper", "chief-executive", "non-executive",
    "well-led", "long-term-plan", "people-plan",
)
NOT_CONTENT = re.compile(r"/(?:wp-admin|wp-json|feed|tag|category|author|page/\d+|search)(?:/|$)", re.I)
_TYPES = (
    (re.compile(r"/publication/"), "publication"),
    (re.compile(r"/long-read/"), "long_read"),
    (re.compile(r"/news/|/\d{4}/\d{2}/"), "news"),
    (re.compile(r"progress|implementation|update", re.I), "progress_page"),
)


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


def document_type(url: str, meta=None) -> str:
    for pattern, kind in _TYPES:
        if pattern.search(url):
            return kind
    return "web_page"


def keep_pattern(settings=None) -> re.Pattern:
    """Pages worth fetching: publication-like addresses naming leadership or a tracked review."""
    from tracker.registry import load_reviews, reviews_for

    reviews = reviews_for(settings) if settings is not None else load_reviews()
    words = {*LEADERSHIP_SLUG, *(r.surname.lower() for r in reviews if r.surname)}
    slug = "|".join(sorted(re.escape(w) for w in words))
    return re.compile(rf"(?=.*[/-](?:{slug}))(?:{PAGE.pattern})", re.I)


class _Keep:
    """The sitemap walk's filter: publication-like, about leadership or a review, not WordPress plumbing."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern

    def search(self, url: str):
        return None if NOT_CONTENT.search(url) else self.pattern.search(url)


def discover(fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
    """Leadership and review pages from the sitemaps robots.txt names, newer than `since` by lastmod."""
    sitemaps = robots_sitemaps(fetcher, base_url)
    if not sitemaps:
        raise SourceDegraded("robots.txt names no sitemap: NHS England's pages cannot be discovered")
    keep = _Keep(keep_pattern(getattr(fetcher, "settings", None)))
    for candidate in sitemap_candidates(fetcher, sitemaps, keep, since, max_sitemaps=200):
        yield dataclasses.replace(candidate, document_type=document_type(candidate.url))


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "nhse")
    return parse_html_capture(capture, "nhse", document_type)
