"""`SourceAdapter`: what every publisher's adapter does unless it says otherwise.

An adapter holds its source's declaration (tracker/sourcelist.py: name, title, base URL, hosts, speaker,
listing pages) and the pattern of its publication addresses, plus only what its publisher does
differently. The defaults:

- `discover`: the sitemaps the host's robots.txt names, filtered by `keep` (by default the publication
  path pattern) and stopped at `since` by lastmod; with no sitemap, the paginated listing pages; with
  neither, the source is degraded (reported by source health, never a quiet week).
- `parse`: PDFs and HTML through the shared paths (tracker.sources.documents), typed by
  `document_type`; JSON only where an adapter knows its shape (`parse_json`).
- `follow`: what the crawl fetches next from a fetched page, at depth 1. PDF attachments are a default
  of every adapter, because every publisher links its reports as PDFs and the crawl fetched them for
  all sources before adapters had hooks; an adapter adds its own (DHSC: GOV.UK child pages). The crawl,
  not the adapter, keeps what is followed to the allowed hosts.
- The crawl hooks (`base_url`, `watched_urls`, `source_hint`, `still_wanted`) are what lets the
  analyst's watchlist be a source like the others instead of a special case in the crawler.

Adapters are stateless; one instance of each is registered by name in tracker.sources.ADAPTERS.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import ClassVar, Iterator
from urllib.parse import urlsplit

from tracker.fetch.urls import host_of
from tracker.items import Candidate, Capture, Publication, Review
from tracker.registry import load_reviews, reviews_for
from tracker.settings import Settings
from tracker.sourcelist import Source
from tracker.sources.discovery import SourceDegraded, listing_candidates, robots_sitemaps, sitemap_candidates
from tracker.parse.html import scan_attachment_links
from tracker.sources.documents import UnsupportedDocument, kind_of, parse_html_capture, parse_pdf_capture


def is_pdf_link(url: str, content_type: str = "") -> bool:
    return "pdf" in (content_type or "").lower() or urlsplit(url).path.lower().endswith(".pdf")


def tracked_reviews(settings: Settings | None) -> tuple[Review, ...]:
    """The run's reviews (the analyst's registry merged in) when discovery has settings, else the built-in ones."""
    return reviews_for(settings) if settings is not None else load_reviews()


def links_only(capture: Capture, source: str, attachments=(), children=()) -> Publication:
    """A Publication holding a page's links and nothing else (SourceAdapter.read_links)."""
    return Publication(url=capture.url, source=source, title="", published_on=None, document_type="", blocks=[],
                       attachments=tuple(attachments), children=tuple(children))


class SourceAdapter:
    """One publisher: how its pages are found, read, and what is followed from them. See the module docstring."""

    source: ClassVar[Source | None] = None  # the declaration; the watchlist and other sites have none
    # From the declaration (tracker.sourcelist.Source), else set by the adapter itself.
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    hosts: ClassVar[frozenset[str]] = frozenset()  # the hosts whose pages this adapter reads
    listings: ClassVar[tuple[str, ...]] = ()
    publication_path: ClassVar[re.Pattern | None] = None  # the addresses worth fetching from sitemaps and listings
    max_sitemaps: ClassVar[int] = 50
    # Regular expressions for addresses this source fetches that are not publications (search pages, indexes).
    not_documents: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if source := cls.__dict__.get("source"):
            cls.name, cls.title, cls.listings = source.name, source.title, source.listings
            cls.hosts = source.hosts | {host_of(source.base_url)}

    # --- which pages are this publisher's -------------------------------------------------------

    def owns(self, url: str) -> bool:
        return host_of(url) in self.hosts

    def document_type(self, url: str, meta=None) -> str:
        """The kind of page at `url` (meta: the page's head, when it has been read)."""
        return "web_page"

    # --- discovery ------------------------------------------------------------------------------

    def keep(self, settings: Settings | None):
        """The filter for sitemap and listing addresses: anything with `search(url)`."""
        return self.publication_path

    def discover(self, fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
        """Pages from the sitemaps robots.txt names, else from the listing pages; neither: degraded."""
        keep = self.keep(getattr(fetcher, "settings", None))
        sitemaps = robots_sitemaps(fetcher, base_url)
        if sitemaps:
            found = sitemap_candidates(fetcher, sitemaps, keep, since, max_sitemaps=self.max_sitemaps)
        elif self.listings:
            found = (c for path in self.listings for c in listing_candidates(fetcher, base_url + path, keep, since))
        else:
            raise SourceDegraded(f"robots.txt names no sitemap: {self.title}'s pages cannot be discovered")
        for candidate in found:
            yield dataclasses.replace(candidate, document_type=self.document_type(candidate.url))

    # --- parsing --------------------------------------------------------------------------------

    def parse(self, capture: Capture) -> Publication:
        kind = kind_of(capture.content_type, capture.body)
        if kind == "pdf":
            return parse_pdf_capture(capture, self.name)
        if kind == "json":
            return self.parse_json(capture)
        return self.parse_html(capture)

    def parse_html(self, capture: Capture) -> Publication:
        return parse_html_capture(capture, self.name, self.document_type)

    def parse_json(self, capture: Capture) -> Publication:
        raise UnsupportedDocument(f"expected HTML, got {capture.content_type!r}")

    # --- the crawl ------------------------------------------------------------------------------

    def read_links(self, capture: Capture) -> Publication:
        """What `follow` reads of a fetched page, and only that: an HTML page's file links, scanned from its
        bytes (never a full parse in the crawl's process, whatever the page's size or shape)."""
        html = kind_of(capture.content_type, capture.body) == "html"
        return links_only(capture, self.name, scan_attachment_links(capture.body, capture.url) if html else ())

    def follow(self, publication: Publication, base_url: str) -> Iterator[str]:
        """What a fetched page leads to: its PDF attachments (the crawl fetches them at depth 1)."""
        for attachment in publication.attachments:
            if is_pdf_link(attachment.url, attachment.content_type):
                yield attachment.url

    def base_url(self, settings: Settings) -> str:
        """Where discovery starts (TRACKER_BASE_URL_<SOURCE> for a mirror)."""
        return settings.base_urls[self.name]

    def watched_urls(self, settings: Settings) -> frozenset[str]:
        """Addresses this source fetches whatever their host (each allowed for itself only)."""
        return frozenset()

    def source_hint(self, url: str, base_host: str | None) -> str | None:
        """The source written on a fetched URL's WARC record: this one for the crawl's own host (the
        publisher, or a mirror of it); elsewhere None, and the adapters decide by host when it is parsed."""
        return self.name if host_of(url) == base_host else None

    def still_wanted(self, url: str, watched: frozenset[str], allowed_hosts: frozenset[str]) -> bool:
        """Whether a URL that failed last run is tried again (even when discovery no longer lists it)."""
        return True
