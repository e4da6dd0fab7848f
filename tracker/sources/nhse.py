"""NHS England (NHS Improvement's successor): publications, news, long reads and progress pages about
leadership or a tracked review.

Discovered through the sitemaps its robots.txt names (a WordPress sitemap index), stopping at
`--since` by each entry's lastmod; no sitemap named and the source is degraded (it has no listing
pages to fall back on). england.nhs.uk lists tens of thousands of pages, so only pages whose address
speaks of leadership, management, boards, talent or a tracked review are fetched; their PDF
attachments (wp-content/uploads) follow at depth 1. Relevance proper (with its reason) is decided
later from the page's own words.
"""

from __future__ import annotations

import re

from tracker.sourcelist import Source
from tracker.settings import Settings
from tracker.sources.base import SourceAdapter, tracked_reviews

# The Long Term Plan site is NHS England's too, but not this source's: a review's, read by the generic adapter.
SOURCE = Source(
    name="nhse", title="NHS England", base_url="https://www.england.nhs.uk",
    hosts=frozenset({"www.england.nhs.uk", "england.nhs.uk"}), speaker="implementing_body",
    publisher="NHS England", order=5,
)

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


class _Keep:
    """The sitemap walk's filter: publication-like, about leadership or a review, not WordPress plumbing."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern

    def search(self, url: str):
        return None if NOT_CONTENT.search(url) else self.pattern.search(url)


class NHSE(SourceAdapter):
    source = SOURCE
    publication_path = PAGE
    max_sitemaps = 200

    def keep(self, settings: Settings | None) -> _Keep:
        """Publication-like addresses naming leadership or a tracked review's surname."""
        words = {*LEADERSHIP_SLUG, *(r.surname.lower() for r in tracked_reviews(settings) if r.surname)}
        slug = "|".join(sorted(re.escape(w) for w in words))
        return _Keep(re.compile(rf"(?=.*[/-](?:{slug}))(?:{PAGE.pattern})", re.I))

    def document_type(self, url: str, meta=None) -> str:
        for pattern, kind in _TYPES:
            if pattern.search(url):
                return kind
        return "web_page"
