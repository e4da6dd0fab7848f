"""DHSC on GOV.UK: Content API JSON pages and their PDF attachments."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Iterator
from urllib.parse import urlencode, urlsplit

from tracker.items import Candidate, Capture, Publication
from tracker.parse.govuk import parse_content_item
from tracker.parse.text import parse_date
from tracker.sources.discovery import bad_link, check_refusal
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

HOSTS = {"www.gov.uk", "gov.uk", "assets.publishing.service.gov.uk"}

# NHS Improvement's GOV.UK pages are searched too (its own site now lives in the web archive).
ORGANISATIONS = ("department-of-health-and-social-care", "nhs-improvement")
DOCUMENT_TYPES = (
    "independent_report", "policy_paper", "corporate_report", "government_response", "press_release",
    "news_story", "written_statement", "guidance", "consultation_outcome", "speech",
)
FIELDS = ("title", "link", "description", "public_timestamp", "content_store_document_type")
PAGE_SIZE = 1000  # the Search API allows up to 1500 per page
MAX_PAGES = 20
# Only leadership-related items are fetched; GOV.UK lists thousands of DHSC documents a year.
RELEVANT = re.compile(
    r"\bleader|\bmanagers\b|\bboards?\b|\btalent|fit and proper|\bKark\b|Lord Rose|\bMessenger\b|\bKerr\b|"
    r"chief executives?|executive directors?|NHS management",
    re.I,
)


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


def search_url(base_url: str, start: int, count: int = PAGE_SIZE) -> str:
    """A Search API page of DHSC (and NHS Improvement) documents, newest first."""
    params = [("filter_organisations[]", org) for org in ORGANISATIONS]
    params += [("filter_content_store_document_type[]", t) for t in DOCUMENT_TYPES]
    params += [("order", "-public_timestamp"), ("count", str(count)), ("start", str(start))]
    params += [("fields[]", f) for f in FIELDS]
    return f"{base_url}/api/search.json?{urlencode(params)}"


def content_api_url(base_url: str, link: str) -> str:
    """The Content API address for a GOV.UK path or web URL."""
    path = urlsplit(link).path if link.startswith("http") else link
    return f"{base_url}/api/content{path}"


def discover(fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
    """The registry's GOV.UK review pages and documents, then Search API pages, newest first, until `since`."""
    from tracker.registry import load_reviews, reviews_for

    settings = getattr(fetcher, "settings", None)
    for review in reviews_for(settings) if settings is not None else load_reviews():
        for url in (u for u in (review.url, *review.documents) if u):
            host = urlsplit(url).hostname
            if host in {"www.gov.uk", "gov.uk"}:
                yield Candidate(url=content_api_url(base_url, url), document_type="review")
            elif host == "assets.publishing.service.gov.uk":  # a review's PDF, fetched as it is
                yield Candidate(url=url, document_type="review")
    start = 0
    for _ in range(MAX_PAGES):
        result = fetcher.get(search_url(base_url, start), conditional=False)
        check_refusal(result, "GOV.UK Search API")
        if not result.ok:
            break
        data = result.json()
        results = data.get("results") or []
        older = False
        for item in results:
            published = parse_date(item.get("public_timestamp"))
            if since and published and published < since:
                older = True
                continue
            text = f"{item.get('title', '')} {item.get('description', '')}"
            if item.get("link") and RELEVANT.search(text):
                try:
                    url = content_api_url(base_url, str(item["link"]))
                except ValueError as exc:  # one unreadable link is skipped and counted, not the source
                    bad_link(fetcher, str(item["link"]), exc)
                    continue
                yield Candidate(
                    url=url,
                    title=item.get("title", ""),
                    published=published,
                    document_type=item.get("content_store_document_type", ""),
                )
        start += len(results)
        if older or not results or start >= int(data.get("total") or 0):
            break  # an incremental run stops paging at `since`


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    kind = kind_of(capture.content_type, capture.body)
    if kind == "pdf":
        return parse_pdf_capture(capture, "dhsc")
    if kind == "json":
        publication = parse_content_item(capture.body)
        publication.published_on = publication.published_on or capture.published_hint
        publication.content_sha256 = hashlib.sha256(capture.body).hexdigest()
        return publication
    return parse_html_capture(capture, "dhsc", lambda url, meta: "web_page")
