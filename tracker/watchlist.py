"""The analyst's watchlist: pages fetched every live run (`tracker watch add/list/remove`).

The list lives in `$TRACKER_HOME/watchlist.toml` ([[page]] tables: url, note, added_at). Every live
`tracker run` fetches each watched page as the source `watchlist`: the same Fetcher and politeness
(robots.txt, per-host delay, retries, the address guard), its own WARC file and crawl state, and the
generic adapter to read it (its source adapter: tracker.sources.watched). A watched URL's host is
allowed for that URL only (`Fetcher.allowed_urls`): no other page of an unlisted host is fetched
through it, and a redirect off the URL is refused.

After each run the `watched_pages` table says, per page, its last fetch, whether its content changed,
what it gave and whether it is healthy (tracker/health.py judges the watchlist as a source too).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import TrackerError
from tracker.fetch import urls
from tracker.parse.text import printable
from tracker.settings import Settings

if TYPE_CHECKING:  # a connection is passed in; the adapters read the list without loading DuckDB
    import duckdb

_FIELDS = {"url", "note", "added_at"}


class WatchlistError(TrackerError, ValueError):
    """A URL that cannot be watched, one that is not on the list, or a watchlist file that cannot be read."""


@dataclass(frozen=True)
class WatchedPage:
    url: str  # canonical (tracker.fetch.urls.normalise): what is requested and archived
    note: str = ""
    added_at: datetime | None = None  # UTC


def canonical(url: str) -> str:
    """The URL as the fetcher will request it; WatchlistError when it is not one http(s) URL."""
    try:
        parsed = urls.parse(url)
    except urls.BadUrl as exc:
        raise WatchlistError(f"cannot watch {url!r}: {exc}") from None
    if parsed.scheme not in urls.DEFAULT_PORTS:
        raise WatchlistError(f"cannot watch {url!r}: only http and https pages can be fetched")
    return str(parsed)


def read_watchlist(settings: Settings) -> list[WatchedPage]:
    """The watched pages, in the order they were added (empty when there is no watchlist file)."""
    path = settings.watchlist_file
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot be read ({exc})") from None
    except RecursionError:  # tomllib recurses per level: a file nested 100,000 deep
        raise WatchlistError(f"{path}: cannot be read (nested too deeply)") from None
    rows = data.get("page", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise WatchlistError(f"{path}: 'page' must be [[page]] tables, one per watched page")
    pages = []
    for i, row in enumerate(rows):
        unknown = set(row) - _FIELDS
        if unknown or not isinstance(row.get("url"), str) or not isinstance(row.get("note", ""), str):
            what = (f"unknown field {sorted(unknown)[0]!r}" if unknown
                    else "field 'url' (a string) and 'note' (a string)")
            raise WatchlistError(f"{path}: page #{i + 1}: {what}")
        added = row.get("added_at")
        pages.append(WatchedPage(canonical(row["url"]), row.get("note", ""),
                                 added.astimezone(timezone.utc)
                                 if isinstance(added, datetime) and added.tzinfo else None))
    return pages


def watched_urls(settings: Settings) -> frozenset[str]:
    return frozenset(p.url for p in read_watchlist(settings))


def _write(settings: Settings, pages: list[WatchedPage]) -> None:
    """The whole file, atomically (a run reading it sees the old list or the new one)."""
    lines = [
        "# Pages `tracker run` fetches every week: edit with `tracker watch add URL` / `tracker watch remove URL`.", ""]
    for page in pages:
        lines.append("[[page]]")
        lines.append(f"url = {json.dumps(page.url)}")  # a JSON string is a valid TOML basic string
        if page.note:
            lines.append(f"note = {json.dumps(page.note)}")
        if page.added_at:
            lines.append(f"added_at = {page.added_at.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}")
        lines.append("")
    path = settings.watchlist_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".watchlist.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_page(settings: Settings, url: str, note: str | None = None) -> tuple[WatchedPage, bool]:
    """Watch a page (or change the note of one already watched); returns (the page, whether it is new)."""
    url = canonical(url)
    if note is not None and re.search(r"[\x00-\x08\x0b-\x1f\x7f]", note):
        raise WatchlistError("--note holds control characters")
    pages = read_watchlist(settings)
    for i, page in enumerate(pages):
        if page.url == url:
            if note is not None:
                pages[i] = WatchedPage(url, note, page.added_at)
                _write(settings, pages)
            return pages[i], False
    page = WatchedPage(url, note or "", datetime.now(timezone.utc).replace(microsecond=0))
    _write(settings, [*pages, page])
    return page, True


def remove_page(settings: Settings, url: str) -> WatchedPage:
    """Stop watching a page (what was archived stays in the archive and the warehouse)."""
    key = canonical(url)
    pages = read_watchlist(settings)
    kept = [p for p in pages if p.url != key]
    if len(kept) == len(pages):
        raise WatchlistError(f"not on the watchlist: {url} (see `tracker watch list`)")
    _write(settings, kept)
    return next(p for p in pages if p.url == key)


# --- after a run: one row per watched page ------------------------------------------------------


def _utc(iso: str | None) -> datetime | None:
    if not iso:
        return None
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def page_problem(state: dict | None, parse_error: str | None) -> str | None:
    """Why a watched page is unhealthy, in plain words, or None (also None before its first fetch)."""
    from tracker.fetch.reasons import plain_reason

    def why(text: str) -> str:  # a refused redirect keeps where it went and why: the analyst must fix the URL
        reason = plain_reason(text)
        return printable(text) if reason == "redirect refused" else reason

    if state is None:
        return None
    if state.get("skipped"):
        return f"not fetched: {why(state['skipped'])}"
    if state.get("consecutive_failures"):
        return f"fetch failed: {why(state.get('last_error') or 'error')}"
    if parse_error:
        return f"could not be read: {printable(parse_error)}"
    return None


@dataclass(frozen=True)
class WatchedPageRow:
    """One watched_pages row: a watched page after a run (see the table's comment)."""

    url: str
    note: str | None
    added_at: datetime | None
    last_fetched: datetime | None
    last_status: int | None
    change: str | None
    last_changed: datetime | None
    title: str | None
    published_on: date | None
    evidence: int
    healthy: bool | None
    problem: str | None


def refresh_watched_pages(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Rewrite `watched_pages` from the watchlist, the watchlist's crawl state and what was parsed from each page."""
    from tracker.warehouse.rows import insert  # loads DuckDB, which reading the list does not need

    pages = read_watchlist(settings)
    states = {row[0]: dict(zip(("url", "last_status", "last_fetched", "last_changed", "unchanged",
                                    "consecutive_failures", "last_error", "skipped", "capture_url"), row))
              for row in con.execute(
                  """SELECT url, last_status, last_fetched, last_changed, unchanged, consecutive_failures, last_error,
                            skipped, capture_url FROM crawl_state WHERE source = 'watchlist'""").fetchall()}
    rows = []
    for page in pages:
        state = states.get(page.url)
        final = (state or {}).get("capture_url") or page.url  # where a followed redirect ended
        pub = con.execute(
            """SELECT url, title, published_on FROM publications WHERE capture_url IN (?, ?) OR url IN (?, ?)
               ORDER BY url = ? DESC LIMIT 1""",
            [page.url, final, page.url, final, page.url],
        ).fetchone()
        evidence = con.execute("SELECT count(*) FROM status_evidence WHERE source_url = ?",
                               [pub[0] if pub else page.url]).fetchone()[0]
        error = con.execute("SELECT error FROM processing_errors WHERE url IN (?, ?) LIMIT 1",
                            [page.url, final]).fetchone()
        versions = con.execute(
            "SELECT count(DISTINCT sha256) FROM archive_index WHERE url = ? AND status = 200", [page.url]).fetchone()[0]
        problem = page_problem(state, error[0] if error else None)
        change = None
        if state and state.get("last_status") == 304:
            change = "not_modified"
        elif state and state.get("unchanged") is not None:
            change = "unchanged" if state["unchanged"] else ("new" if versions <= 1 else "changed")
        rows.append(WatchedPageRow(
            url=page.url, note=page.note or None,
            added_at=page.added_at.replace(tzinfo=None) if page.added_at else None,
            last_fetched=_utc(state.get("last_fetched")) if state else None,
            last_status=state.get("last_status") if state else None, change=change,
            last_changed=_utc(state.get("last_changed")) if state else None,
            title=pub[1] if pub else None, published_on=pub[2] if pub else None, evidence=evidence,
            healthy=None if state is None else problem is None, problem=problem,
        ))
    con.execute("DELETE FROM watched_pages")
    insert(con, "watched_pages", rows)
