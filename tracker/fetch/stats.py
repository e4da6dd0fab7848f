"""One statistics object per run: counters under namespaced keys, as Scrapy's stats collector keeps them.

Keys name what they count, from the general to the particular:
- `fetch/host/<origin>/<outcome>`: per host (scheme://host:port), `requests` sent and one of `fetched`,
  `not_modified`, `failed`, `skipped`, `other` per `Fetcher.get`;
- `fetch/responses/<status>`, `fetch/failures/<kind>` (a FailureKind name), `fetch/reasons/<phrase>`
  (the plain words source health shows), `fetch/bad_links`;
- `crawl/...`: what the crawl engine counts (listed, attachments, its jobs' outcomes);
- `progress/<origin>/<done|queued|failed>`: the progress line's counts (tracker.stages.crawl.Progress).
Readers take a namespace with `under(prefix)`; nobody keeps a second tally.
"""

from __future__ import annotations

import threading

HOST_OUTCOMES = ("requests", "fetched", "not_modified", "failed", "skipped", "other")


class Stats:
    """Thread-safe counters by key."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values: dict[str, int] = {}

    def inc(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._values[key] = self._values.get(key, 0) + n

    def get(self, key: str, default: int = 0) -> int:
        with self._lock:
            return self._values.get(key, default)

    def under(self, prefix: str) -> dict[str, int]:
        """Every counter whose key starts with `prefix/`, keyed by the rest of its key."""
        start = prefix.rstrip("/") + "/"
        with self._lock:
            return {k[len(start):]: v for k, v in sorted(self._values.items()) if k.startswith(start)}

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._values.items()))

    def table(self, prefix: str, columns: tuple[str, ...] = ()) -> dict[str, dict[str, int]]:
        """Counters `prefix/<row>/<column>` as {row: {column: n}}; `columns` are present in every row (zero when
        none)."""
        out: dict[str, dict[str, int]] = {}
        for key, value in self.under(prefix).items():
            row, _, column = key.rpartition("/")  # a row may hold slashes itself (an origin's "://")
            out.setdefault(row, dict.fromkeys(columns, 0))[column] = value
        return out

    def hosts(self) -> dict[str, dict[str, int]]:
        """Per-host counters, {origin: {requests, fetched, ...}}: every outcome present, zero when none."""
        return self.table("fetch/host", HOST_OUTCOMES)
