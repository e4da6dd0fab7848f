"""NHS Providers: briefings, multi-chapter reports and blogs, dated in text ("8 June 2022")."""

from __future__ import annotations

from tracker.items import Capture, Publication
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

HOSTS = {"nhsproviders.org", "www.nhsproviders.org"}


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


def document_type(url: str, meta=None) -> str:
    if "/resources/briefings/" in url:
        return "briefing"
    if "/news-blogs/blogs/" in url:
        return "blog"
    if "/news-blogs/news/" in url:
        return "news"
    if "/resources/" in url:
        return "report"
    return "web_page"


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "nhsproviders")
    return parse_html_capture(capture, "nhsproviders", document_type)
