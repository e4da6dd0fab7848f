"""The King's Fund: reports, long reads, blogs and articles (reader comments are kept apart)."""

from __future__ import annotations

import re

from tracker.items import Capture, Publication
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

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


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "kingsfund")
    return parse_html_capture(capture, "kingsfund", document_type)
