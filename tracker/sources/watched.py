"""The analyst's watchlist as a source: every watched page, every live run, read by the generic adapter.

Not a publisher: it owns no host (a watched page's publication is parsed as `watchlist` only because
its capture says so), it has no base URL, and each watched URL is allowed for itself only. What
tracker.watchlist keeps (the list itself, `watched_pages` after a run) stays there.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from tracker.fetch.urls import host_of
from tracker.items import Candidate
from tracker.settings import WATCHLIST, Settings
from tracker.sources.generic import Generic
from tracker.watchlist import read_watchlist, watched_urls


class Watchlist(Generic):
    name = WATCHLIST
    title = "the watchlist"

    def owns(self, url: str) -> bool:
        return False

    def discover(self, fetcher, base_url: str, since: date | None) -> Iterator[Candidate]:
        """Every watched page, every run (`since` does not apply)."""
        for page in read_watchlist(fetcher.settings):
            yield Candidate(url=page.url, document_type="watched_page")

    def base_url(self, settings: Settings) -> str:
        return ""

    def watched_urls(self, settings: Settings) -> frozenset[str]:
        return watched_urls(settings)

    def source_hint(self, url: str, base_host: str | None) -> str | None:
        return self.name  # whatever the host: what the watchlist fetches is its own

    def still_wanted(self, url: str, watched: frozenset[str], allowed_hosts: frozenset[str]) -> bool:
        return url in watched or host_of(url) in allowed_hosts  # else a page no longer watched
