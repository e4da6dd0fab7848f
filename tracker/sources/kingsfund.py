"""The King's Fund: reports, long reads, blogs and articles (reader comments are kept apart)."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from tracker.items import Candidate, Capture, Publication
from tracker.sources.discovery import listing_candidates, robots_sitemaps, sitemap_candidates
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

# Publication pages: /insight-and-analysis/<type>/<slug>, older /publications/<slug> and /blog/YYYY/MM/<slug>.
PUBLICATION_PATH = re.compile(
    r"/insight-and-analysis/(?:reports|long-reads|blogs|articles|data-and-charts)/[^/?#]+/?$|"
    r"/publications/[^/?#]+/?$|/blog/\d{4}/\d{2}/[^/?#]+/?$"
)
LISTINGS = ("reports", "long-reads", "blogs", "articles")

HOSTS = {"www.kingsfund.org.uk", "kingsfund.org.uk", "assets.kingsfund.org.uk"}
_TYPES = {
    "reports": "report",
    "long-reads": "long_read",
    "blogs": "blog",
    "articles": "article",
    "data-and-charts": "data",
    "publications": "report",
    "blog": "blog",
}


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


def document_type(url: str, meta=None) -> str:
    m = re.search(r"/insight-and-analysis/([a-z-]+)/", url) or re.search(r"kingsfund\.org\.uk/([a-z-]+)/", url)
    return _TYPES.get(m.group(1), "web_page") if m else "web_page"


def discover(fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
    """Pages from the sitemap named in robots.txt; without one, the /insight-and-analysis listings."""
    sitemaps = robots_sitemaps(fetcher, base_url)
    if sitemaps:
        yield from sitemap_candidates(fetcher, sitemaps, PUBLICATION_PATH, since)
        return
    for kind in LISTINGS:
        yield from listing_candidates(fetcher, f"{base_url}/insight-and-analysis/{kind}", PUBLICATION_PATH, since)


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "kingsfund")
    return parse_html_capture(capture, "kingsfund", document_type)
