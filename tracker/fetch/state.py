"""Per-source crawl state: what the fetcher knows about every URL between runs.

One JSON file per source (`$TRACKER_HOME/state/<source>.json`), loaded at the start of a crawl and
written atomically (temp file + os.replace). A file rather than DuckDB because fetch tasks of different
sources run in parallel on different workers and DuckDB allows one writer; the processing stage can
copy every file into a table with `load_all_states()`.

The validators (ETag, Last-Modified) of a URL are only offered for a conditional request while the WARC
file holding its last 200 capture exists in the archive: a 304 is only safe when the processing stage
still has that capture to fall back on.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from tracker.settings import Settings

STATE_VERSION = 1


@dataclass
class UrlState:
    url: str
    last_status: int | None = None  # last HTTP status seen (0: no response)
    etag: str | None = None  # from the last 200 that was archived
    last_modified: str | None = None
    sha256: str | None = None  # of the last 200 body as stored
    capture_warc: str | None = None  # archive file holding the last 200 capture
    capture_url: str | None = None  # the URL that capture was fetched from (after redirects)
    last_fetched: str | None = None  # ISO time of the last request (any outcome)
    last_changed: str | None = None  # ISO time the body last differed from the one before
    unchanged: bool | None = None  # the last 200 body had the same SHA-256 as the previous one
    consecutive_failures: int = 0
    last_error: str | None = None
    skipped: str | None = None  # why the last attempt was not made (robots.txt, host not allowed)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class CrawlState:
    """Thread-safe map url -> UrlState backed by one JSON file."""

    def __init__(self, path: Path, archive_dir: Path | None = None):
        self.path = Path(path)
        self.archive_dir = archive_dir
        self._lock = threading.RLock()
        self._urls: dict[str, UrlState] = {}
        self._dirty = 0
        self.load()

    @classmethod
    def for_source(cls, settings: Settings, source: str) -> "CrawlState":
        if not source.replace("-", "").isalnum():
            raise ValueError(f"source name must be alphanumeric: {source!r}")
        return cls(state_dir(settings) / f"{source}.json", settings.archive_dir)

    # --- persistence -------------------------------------------------------------------------

    def load(self) -> None:
        with self._lock:
            self._urls = {}
            if not self.path.exists():
                return
            data = json.loads(self.path.read_text(encoding="utf-8"))
            names = {f.name for f in fields(UrlState)}
            for url, entry in (data.get("urls") or {}).items():
                clean = {k: v for k, v in entry.items() if k in names}
                clean["url"] = url
                self._urls[url] = UrlState(**clean)

    def save(self) -> None:
        """Write the whole file atomically: a reader sees the old or the new state, never half."""
        with self._lock:
            payload = {
                "version": STATE_VERSION,
                "saved_at": _now(),
                "urls": {url: {k: v for k, v in asdict(s).items() if k != "url"}
                         for url, s in sorted(self._urls.items())},
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="." + self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(payload, fh, indent=1, sort_keys=True)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._dirty = 0

    def maybe_save(self, every: int = 50) -> None:
        """Checkpoint after `every` updates, so a killed task keeps most of what it learned."""
        with self._lock:
            if self._dirty >= every:
                self.save()

    # --- reading -----------------------------------------------------------------------------

    def get(self, url: str) -> UrlState | None:
        with self._lock:
            entry = self._urls.get(url)
            return UrlState(**asdict(entry)) if entry else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) to send, or (None, None) when a 304 would leave nothing to process."""
        with self._lock:
            entry = self._urls.get(url)
            if not entry or not (entry.etag or entry.last_modified) or not entry.capture_warc:
                return None, None
            if self.archive_dir is not None and not (self.archive_dir / entry.capture_warc).exists():
                return None, None
            return entry.etag, entry.last_modified

    def rows(self) -> list[dict]:
        with self._lock:
            return [asdict(s) for _, s in sorted(self._urls.items())]

    def __len__(self) -> int:
        with self._lock:
            return len(self._urls)

    # --- updates -----------------------------------------------------------------------------

    def _entry(self, url: str) -> UrlState:
        entry = self._urls.get(url)
        if entry is None:
            entry = self._urls[url] = UrlState(url=url)
        self._dirty += 1
        return entry

    def record_ok(
        self, url: str, status: int, *, etag: str | None, last_modified: str | None, sha256: str,
        capture_warc: str | None,
        capture_url: str | None = None, fetched_at: datetime | None = None,
    ) -> bool:
        """A complete 200 was archived; returns True when the body is unchanged since last time."""
        with self._lock:
            e = self._entry(url)
            when = (fetched_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
            unchanged = e.sha256 == sha256
            if not unchanged:
                e.last_changed = when
            e.unchanged = unchanged
            e.last_status, e.etag, e.last_modified, e.sha256 = status, etag, last_modified, sha256
            e.capture_warc = capture_warc
            e.capture_url = capture_url or url
            e.last_fetched = when
            e.consecutive_failures, e.last_error, e.skipped = 0, None, None
            return unchanged

    def record_not_modified(self, url: str, *, etag: str | None, last_modified: str | None, fetched_at=None) -> None:
        with self._lock:
            e = self._entry(url)
            e.last_status = 304
            e.etag = etag or e.etag
            e.last_modified = last_modified or e.last_modified
            e.unchanged = True
            e.last_fetched = (fetched_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
            e.consecutive_failures, e.last_error, e.skipped = 0, None, None

    def record_response(self, url: str, status: int, fetched_at=None) -> None:
        """A final response that is neither a failure nor a document (e.g. 204)."""
        with self._lock:
            e = self._entry(url)
            e.last_status = status
            e.last_fetched = (fetched_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
            e.consecutive_failures, e.last_error, e.skipped = 0, None, None

    def record_failure(self, url: str, status: int, error: str, fetched_at=None) -> None:
        """Failed after retries (or refused): tried again next run; validators are kept."""
        with self._lock:
            e = self._entry(url)
            e.last_status = status
            e.last_error = error
            e.consecutive_failures += 1
            e.skipped = None
            e.last_fetched = (fetched_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")

    def record_skipped(self, url: str, reason: str) -> None:
        with self._lock:
            e = self._entry(url)
            e.skipped = reason


def state_dir(settings: Settings) -> Path:
    return settings.home / "state"


def load_all_states(settings: Settings) -> list[dict]:
    """Every source's state as rows (one per source and URL), for a `crawl_state` table."""
    rows: list[dict] = []
    folder = state_dir(settings)
    if not folder.exists():
        return rows
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith(".") or path.name.endswith(".crawl.json"):
            continue  # <source>.crawl.json holds a run summary, not URL state
        state = CrawlState(path)
        for row in state.rows():
            rows.append({"source": path.stem, **row})
    return rows
