"""Source adapters: the registry by source name, which publisher a URL belongs to, and parsing a capture.

Each adapter is a `SourceAdapter` (tracker.sources.base): its source's declaration (tracker.sourcelist)
plus what its publisher does differently. `ADAPTERS` holds one of each by source name: the declared
sources, the analyst's watchlist, and the generic fallback `other`, last, because it owns every host.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import sys

from tracker.dates import implausible, plausible_or_none
from tracker.items import Capture, Publication
from tracker.parse.text import printable
from tracker.sourcelist import DECLARED
from tracker.sources.base import SourceAdapter
from tracker.sources.documents import UnsupportedDocument, kind_of
from tracker.sources.generic import Generic
from tracker.sources.watched import Watchlist

__all__ = ["ADAPTERS", "SourceAdapter", "UnsupportedDocument", "adapter_of", "is_document", "kind_of",
           "parse_capture", "source_of", "sources_table"]

def _adapter(source) -> SourceAdapter:
    """The adapter its module defines for a declared source (tracker/sources/<name>.py)."""
    module = importlib.import_module(f"{__name__}.{source.name}")
    return next(c for c in vars(module).values()
                if isinstance(c, type) and issubclass(c, SourceAdapter) and c.__dict__.get("source") == source)()


ADAPTERS: dict[str, SourceAdapter] = {
    a.name: a for a in (*(_adapter(s) for s in DECLARED), Watchlist(), Generic())
}


def source_of(url: str) -> str:
    """The publisher a URL belongs to, by host (and archived original for the web archive); else 'other'."""
    return next(name for name, adapter in ADAPTERS.items() if adapter.owns(url))


# What discovery reads besides publications: robots.txt, sitemaps, and each adapter's search pages and indexes.
_NOT_DOCUMENTS = re.compile(
    "|".join((r"/robots\.txt$", r"sitemap[^/]*\.xml", *(p for a in ADAPTERS.values() for p in a.not_documents))),
    re.I,
)
_DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "application/json", "")


def is_document(url: str, content_type: str) -> bool:
    """Publications, as opposed to what discovery reads (robots.txt, sitemaps, search and CDX pages)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    return not _NOT_DOCUMENTS.search(url) and (ctype in _DOCUMENT_TYPES or ctype.endswith("+json"))


def adapter_of(capture: Capture) -> SourceAdapter:
    """The adapter that reads a capture: the source the capture names, else the one its host belongs to."""
    return ADAPTERS[capture.source if capture.source in ADAPTERS else source_of(capture.url)]


def parse_capture(capture: Capture) -> Publication:
    """Parse one archived response with its source's adapter: the one the capture names, else by host."""
    if not capture.body.strip():
        raise UnsupportedDocument("empty body")
    source = adapter_of(capture).name
    if implausible(capture.published_hint):  # then the page's own date is used, if it has a plausible one
        capture = dataclasses.replace(capture, published_hint=None)
    publication = ADAPTERS[source].parse(capture)
    # A date in the future or before 1990 is treated as missing (source health counts pages without one).
    publication.published_on = plausible_or_none(publication.published_on)
    publication.updated_on = plausible_or_none(publication.updated_on)
    publication.title = printable(publication.title)  # shown by status, the briefing and the exports
    publication.source = source
    publication.capture_url = capture.url
    publication.fetched_at = capture.fetched_at
    return publication


def sources_table() -> str:
    """The table of the sources in docs/developers/sources.md (between its `sources` markers): each declaration,
    with the first paragraph of its adapter's module docstring for what it reads."""
    rows = ["| source | what it reads | base URL | speaker |", "| --- | --- | --- | --- |"]
    for source in DECLARED:
        reads = " ".join(sys.modules[type(ADAPTERS[source.name]).__module__].__doc__.split("\n\n")[0].split())
        rows.append(f"| `{source.name}` | {reads} | `{source.base_url}` | `{source.speaker}` ({source.publisher}) |")
    return "\n".join(rows) + "\n"
