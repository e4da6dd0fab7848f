"""The King's Fund: reports, long reads, blogs and articles (reader comments are kept apart).

Discovered through the sitemap its robots.txt names; without one, the /insight-and-analysis listings.
"""

from __future__ import annotations

import re

from tracker.sourcelist import Source
from tracker.sources.base import SourceAdapter

SOURCE = Source(
    name="kingsfund", title="The King's Fund", base_url="https://www.kingsfund.org.uk",
    hosts=frozenset({"www.kingsfund.org.uk", "kingsfund.org.uk", "assets.kingsfund.org.uk"}),
    speaker="independent", publisher="The King's Fund", order=2,
    listings=("/insight-and-analysis/reports", "/insight-and-analysis/long-reads", "/insight-and-analysis/blogs",
              "/insight-and-analysis/articles"),
)

_TYPES = {
    "reports": "report",
    "long-reads": "long_read",
    "blogs": "blog",
    "articles": "article",
    "data-and-charts": "data",
    "publications": "report",
    "blog": "blog",
}


class KingsFund(SourceAdapter):
    source = SOURCE
    # Publication pages: /insight-and-analysis/<type>/<slug>, older /publications/<slug> and /blog/YYYY/MM/<slug>.
    publication_path = re.compile(
        r"/insight-and-analysis/(?:reports|long-reads|blogs|articles|data-and-charts)/[^/?#]+/?$|"
        r"/publications/[^/?#]+/?$|/blog/\d{4}/\d{2}/[^/?#]+/?$"
    )

    def document_type(self, url: str, meta=None) -> str:
        m = re.search(r"/insight-and-analysis/([a-z-]+)/", url) or re.search(r"kingsfund\.org\.uk/([a-z-]+)/", url)
        return _TYPES.get(m.group(1), "web_page") if m else "web_page"
