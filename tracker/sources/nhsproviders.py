"""NHS Providers: briefings, multi-chapter reports and blogs, dated in text ("8 June 2022").

Discovered through the sitemap robots.txt names, else the /resources and blog listings. A report
chapter (/resources/<report>/<chapter>) is its own publication whose parent is the report.
"""

from __future__ import annotations

import re

from tracker.sourcelist import Source
from tracker.items import Capture, Publication
from tracker.sources.base import SourceAdapter

SOURCE = Source(
    name="nhsproviders", title="NHS Providers", base_url="https://nhsproviders.org",
    hosts=frozenset({"nhsproviders.org", "www.nhsproviders.org"}),
    speaker="independent", publisher="NHS Providers", order=3, listings=("/resources", "/news-blogs/blogs"),
)

_CHAPTER = re.compile(r"^(https?://[^/]+/resources/(?!briefings/)[^/?#]+)/[^/?#]+/?$")


def report_of_chapter(url: str) -> str | None:
    """A multi-chapter report's own URL for one of its chapter pages (/resources/<report>/<chapter>)."""
    m = _CHAPTER.match(url)
    return m.group(1) if m else None


class NHSProviders(SourceAdapter):
    source = SOURCE
    # /resources/<slug>, its chapters /resources/<slug>/<chapter>, /resources/briefings/<slug>, blogs.
    publication_path = re.compile(r"/resources/[^/?#]+(?:/[^/?#]+)?/?$|/news-blogs/(?:blogs|news)/[^/?#]+/?$")

    def document_type(self, url: str, meta=None) -> str:
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

    def parse_html(self, capture: Capture) -> Publication:
        publication = super().parse_html(capture)
        publication.parent_url = report_of_chapter(capture.url)
        return publication
