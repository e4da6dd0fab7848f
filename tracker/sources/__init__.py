"""Source adapters: which publisher a URL belongs to, and parsing a capture into a Publication."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from tracker.dates import implausible, plausible_or_none
from tracker.errors import TrackerError
from tracker.items import Capture, Publication
from tracker.settings import WATCHLIST
from tracker.sources import dhsc, generic, kingsfund, nhse, nhsi, nhsproviders, parliament

ADAPTERS = {
    "dhsc": dhsc,
    "kingsfund": kingsfund,
    "nhsproviders": nhsproviders,
    "nhsi": nhsi,
    "nhse": nhse,
    "parliament": parliament,
}
SOURCE_NAMES = (*ADAPTERS, "other")


class UnsupportedDocument(TrackerError, ValueError):
    """A capture whose content type the tracker cannot read."""


def source_of(url: str) -> str:
    """The publisher a URL belongs to, by host (and archived original for the web archive)."""
    for name, adapter in ADAPTERS.items():
        if adapter.owns(url):
            return name
    return "other"


def kind_of(content_type: str, body: bytes) -> str:
    """'pdf', 'json' or 'html' from the content type, checked against the first bytes."""
    ct = (content_type or "").split(";")[0].strip().lower()
    head = body[:1024].lstrip()
    if ct == "application/pdf" or head.startswith(b"%PDF"):
        return "pdf"
    if ct in {"application/json", "application/ld+json"} or ct.endswith("+json"):
        return "json"
    if ct in {"text/html", "application/xhtml+xml"} or head[:1] == b"<":
        return "html"
    raise UnsupportedDocument(f"unsupported content type {content_type or 'unknown'!r}")


# Parliament's search pages end at /questions or /statements; one answer or statement is /questions/<id>.
_NOT_DOCUMENTS = re.compile(
    r"/robots\.txt$|/api/search\.json|/ukgwa/cdx\b|sitemap[^/]*\.xml|"
    r"/api/written(?:questions/questions|statements/statements)/?(?:\?|$)",
    re.I,
)
_DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "application/json", "")


def is_document(url: str, content_type: str) -> bool:
    """Publications, as opposed to what discovery reads (robots.txt, sitemaps, search and CDX pages)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    return not _NOT_DOCUMENTS.search(url) and (ctype in _DOCUMENT_TYPES or ctype.endswith("+json"))


def parse_capture(capture: Capture) -> Publication:
    """Parse one archived response with its publisher's adapter (generic for other hosts)."""
    if not capture.body.strip():
        raise UnsupportedDocument("empty body")
    source = capture.source if capture.source in ADAPTERS or capture.source == "other" else source_of(capture.url)
    adapter = ADAPTERS.get(source, generic)
    if capture.source == WATCHLIST:  # a page the analyst watches: read by the generic adapter, counted as the watchlist's
        source, adapter = WATCHLIST, generic
    if implausible(capture.published_hint):  # then the page's own date is used, if it has a plausible one
        capture = dataclasses.replace(capture, published_hint=None)
    publication = adapter.parse(capture)
    # A date in the future or before 1990 is treated as missing (source health counts pages without one).
    publication.published_on = plausible_or_none(publication.published_on)
    publication.updated_on = plausible_or_none(publication.updated_on)
    publication.source = source
    publication.capture_url = capture.url
    publication.fetched_at = capture.fetched_at
    return publication


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
