"""GOV.UK: DHSC's (and NHS Improvement's, NHS England's) publications, their HTML child pages and PDFs; a
page speaks as the organisation GOV.UK lists for it.

Discovery starts from the registry's GOV.UK review pages and documents, then pages through the
Search API (DHSC's and NHS Improvement's documents, newest first) until `since`, keeping only
leadership-related items. Each item is read through the Content API; its HTML publications are child
content items, followed by the crawl (`follow`) and read the same way.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Iterator
from urllib.parse import urlencode, urlsplit

from tracker.sourcelist import Source
from tracker.items import Candidate, Capture, Publication
from tracker.parse.govuk import content_links, parse_content_item
from tracker.parse.text import parse_date
from tracker.sources.base import SourceAdapter, links_only, tracked_reviews
from tracker.sources.discovery import bad_link, check_refusal
from tracker.sources.documents import kind_of

SOURCE = Source(
    name="dhsc", title="GOV.UK", base_url="https://www.gov.uk",
    hosts=frozenset({"www.gov.uk", "gov.uk", "assets.publishing.service.gov.uk"}),
    speaker="government", publisher="DHSC", order=1,
)

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
ASSETS_HOST = "assets.publishing.service.gov.uk"  # its files, fetched as they are
GOVUK_HOSTS = SOURCE.hosts - {ASSETS_HOST}  # its pages, read through the Content API


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


def _registry_candidates(settings, base_url: str) -> Iterator[Candidate]:
    """The tracked reviews' GOV.UK pages (through the Content API) and their PDFs (fetched as they are)."""
    for review in tracked_reviews(settings):
        for url in (u for u in (review.url, *review.documents) if u):
            host = urlsplit(url).hostname
            if host in GOVUK_HOSTS:
                yield Candidate(url=content_api_url(base_url, url), document_type="review")
            elif host == ASSETS_HOST:
                yield Candidate(url=url, document_type="review")


def _search_candidate(fetcher, base_url: str, item: dict, published: date | None) -> Candidate | None:
    """A Search API result worth fetching (about leadership), or None."""
    text = f"{item.get('title', '')} {item.get('description', '')}"
    if not (item.get("link") and RELEVANT.search(text)):
        return None
    try:
        url = content_api_url(base_url, str(item["link"]))
    except ValueError as exc:  # one unreadable link is skipped and counted, not the source
        bad_link(fetcher, str(item["link"]), exc)
        return None
    return Candidate(url=url, title=item.get("title", ""), published=published,
                     document_type=item.get("content_store_document_type", ""))


class DHSC(SourceAdapter):
    source = SOURCE
    not_documents = (r"/api/search\.json",)

    def discover(self, fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
        """The registry's GOV.UK review pages and documents, then Search API pages, newest first, until `since`."""
        yield from _registry_candidates(getattr(fetcher, "settings", None), base_url)
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
                candidate = _search_candidate(fetcher, base_url, item, published)
                if candidate is not None:
                    yield candidate
            start += len(results)
            if older or not results or start >= int(data.get("total") or 0):
                break  # an incremental run stops paging at `since`

    def parse_json(self, capture: Capture) -> Publication:
        publication = parse_content_item(capture.body)
        publication.published_on = publication.published_on or capture.published_hint
        publication.content_sha256 = hashlib.sha256(capture.body).hexdigest()
        return publication

    def read_links(self, capture: Capture) -> Publication:
        """A Content API item's attachments and child pages, its body left unread."""
        if kind_of(capture.content_type, capture.body) != "json":
            return super().read_links(capture)
        return links_only(capture, self.name, *content_links(capture.body))

    def follow(self, publication: Publication, base_url: str) -> Iterator[str]:
        """PDF attachments, then GOV.UK HTML publications: child content items, read through the Content API too."""
        yield from super().follow(publication, base_url)
        for child in publication.children:
            yield content_api_url(base_url, child)
