"""NHS Providers: briefings, multi-chapter reports and blogs, dated in text ("8 June 2022")."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from tracker.items import Candidate, Capture, Publication
from tracker.sources.discovery import listing_candidates, robots_sitemaps, sitemap_candidates
from tracker.sources.generic import parse_html_capture, parse_pdf_capture

# /resources/<slug>, its chapters /resources/<slug>/<chapter>, /resources/briefings/<slug>, blogs.
PUBLICATION_PATH = re.compile(r"/resources/[^/?#]+(?:/[^/?#]+)?/?$|/news-blogs/(?:blogs|news)/[^/?#]+/?$")

HOSTS = {"nhsproviders.org", "www.nhsproviders.org"}


def owns(url: str) -> bool:
    from tracker.sources import host_of

    return host_of(url) in HOSTS


_CHAPTER = re.compile(r"^(https?://[^/]+/resources/(?!briefings/)[^/?#]+)/[^/?#]+/?$")


def report_of_chapter(url: str) -> str | None:
    """A multi-chapter report's own URL for one of its chapter pages (/resources/<report>/<chapter>)."""
    m = _CHAPTER.match(url)
    return m.group(1) if m else None


def document_type(url: str, meta=None) -> str:
    if report_of_chapter(url):
        return "report_chapter"
    if "/resources/briefings/" in url:
        return "briefing"
    if "/news-blogs/blogs/" in url:
        return "blog"
    if "/news-blogs/news/" in url:
        return "news"
    if "/resources/" in url:
        return "report"
    return "web_page"


def discover(fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
    """Pages from the sitemap when robots.txt names one, else the /resources and blog listings."""
    sitemaps = robots_sitemaps(fetcher, base_url)
    if sitemaps:
        yield from sitemap_candidates(fetcher, sitemaps, PUBLICATION_PATH, since)
        return
    for listing in ("/resources", "/news-blogs/blogs"):
        yield from listing_candidates(fetcher, base_url + listing, PUBLICATION_PATH, since)


def parse(capture: Capture) -> Publication:
    from tracker.sources import kind_of

    if kind_of(capture.content_type, capture.body) == "pdf":
        return parse_pdf_capture(capture, "nhsproviders")
    publication = parse_html_capture(capture, "nhsproviders", document_type)
    publication.parent_url = report_of_chapter(capture.url)
    return publication
