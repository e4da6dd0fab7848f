"""The change digest: the week's changes, read from a published version's change_log.

Which changes are "the week's" (the window), for a version V:

* `--since DATE`: every change detected on or after DATE.
* When V or an earlier version was published by a scheduled weekly run: every change detected
  after the weekly run before the latest one up to V. Scheduled runs whose slots fall in one ISO week
  are one weekly run (an Airflow retry is not a new week). So a retry or a manual run after Monday's
  run shows Monday's changes plus its own, never an empty list; the next Monday shows everything
  since this Monday's run, manual runs in between included.
* With no scheduled run yet (the command line only): the changes of the latest version that found
  any, so a re-run that finds nothing leaves the list as it was.

Alongside the window, the digest lists the changes detected in the 7 and 30 days before V was
published (V's own time, never the clock's, so the same version gives the same digest).

A version published before the change log existed has none: its digest compares it with the
version before it in published/, as digests used to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from tracker.warehouse.changelog import CHANGE_TYPES, ROW_ORDER, VERSION_NAME, Change, diff
from tracker.warehouse.db import connect, warehouse_info
from tracker.warehouse.rows import column_names, select

__all__ = ["CHANGE_TYPES", "CSV_COLUMNS", "Change", "Digest", "compute_digest"]

# changes.csv: what changed, then which run and version first saw each change.
CSV_COLUMNS = column_names(Change)

_NOUNS = {
    "status_change": ("status change", "status changes"),
    "new_evidence": ("new statement", "new statements"),
    "withdrawn_evidence": ("statement no longer found", "statements no longer found"),
    "new_recommendation": ("new recommendation", "new recommendations"),
    "removed_recommendation": ("recommendation no longer found", "recommendations no longer found"),
    "new_publication": ("new publication", "new publications"),
    "updated_publication": ("updated publication", "updated publications"),
    "withdrawn_publication": ("withdrawn publication", "withdrawn publications"),
}
RECENT_DAYS = (7, 30)


def describe(rows: list[Change]) -> str:
    """'1 status change, 2 new statements' (empty for no rows)."""
    found = {kind: 0 for kind in CHANGE_TYPES}
    for row in rows:
        found[row.change_type] += 1
    return ", ".join(f"{n} {_NOUNS[k][0] if n == 1 else _NOUNS[k][1]}" for k, n in found.items() if n)


@dataclass
class Digest:
    """The changes of one window, and of the last 7 and 30 days."""

    rows: list[Change] = field(default_factory=list)
    # How the window's start reads in the headline ("the weekly run of 2026-11-16 06:00 UTC");
    # None when the window starts at the first published version.
    since: str | None = None
    previous_file: str | None = None  # the version the window starts after, when it is one
    recent: dict[int, list[Change]] = field(default_factory=dict)  # days -> changes detected in them
    # Whether the digest is the first published version's own; a later version whose window still starts at the
    # first (nothing found since, no weekly run yet) is not.
    first_version: bool = True

    @property
    def from_first(self) -> bool:
        """The window starts at the first published version."""
        return self.since is None

    @property
    def first_run(self) -> bool:
        return self.from_first and self.first_version

    def headline(self) -> str:
        """One sentence for the top of the briefing."""
        if self.since is None:
            if not self.rows:  # an empty archive, or a log begun after the versions it would compare
                return "No changes recorded yet."
            if len({row.version_file for row in self.rows}) == 1:
                if self.first_version:
                    return "First published version: everything is new."
                return f"No changes since the first published version, which recorded {describe(self.rows)}."
            return f"Since the first published version: {describe(self.rows)}."
        if not self.rows:
            return f"No changes since {self.since}."
        return f"Since {self.since}: {describe(self.rows)}."


def _utc(moment: datetime) -> str:
    return f"{moment.strftime('%Y-%m-%d %H:%M')} UTC"


def _has_change_log(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'change_log'"
    ).fetchone()[0])


def _log_rows(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[Change]:
    return select(con, Change, "change_log", f"WHERE {where} ORDER BY {ROW_ORDER}, change_id", params)


def _window(con: duckdb.DuckDBPyConnection, version: str) -> tuple[str | None, datetime | None, str]:
    """(the version the window starts after, its publication time, 'weekly' or 'version'); (None, None, …)
    when the window starts at the first version."""
    weeks = con.execute(
        """SELECT max(version_file), arg_max(published_at, version_file)
           FROM runs
           WHERE run_type = 'scheduled' AND scheduled_for IS NOT NULL AND version_file IS NOT NULL
             AND version_file <= ?
           GROUP BY strftime(scheduled_for, '%G-W%V')
           ORDER BY min(version_file)""",
        [version],
    ).fetchall()
    if weeks:
        start, at = weeks[-2] if len(weeks) > 1 else (None, None)
        return start, at, "weekly"
    last_changed = con.execute(
        "SELECT max(version_file) FROM change_log WHERE version_file <= ?", [version]
    ).fetchone()[0]
    if last_changed is None:
        return None, None, "version"
    start, at = con.execute(
        "SELECT max(version_file), arg_max(published_at, version_file) FROM runs WHERE version_file < ?",
        [last_changed],
    ).fetchone()
    return start, at, "version"


def compute_digest(con: duckdb.DuckDBPyConnection, sql_dir: Path, published_dir: Path | None = None,
                   since: date | None = None) -> Digest:
    """The digest of the version `con` reads (sql_dir and published_dir are only needed for versions without a
    change log)."""
    info = warehouse_info(con)
    if info is None or not _has_change_log(con):
        return _pairwise_digest(con, sql_dir, published_dir)
    recent = {
        days: _log_rows(con, "detected_at > ?", [info.published_at - timedelta(days=days)]) for days in RECENT_DAYS
    }
    if since is not None:
        rows = _log_rows(con, "detected_at >= ?", [datetime.combine(since, datetime.min.time())])
        return Digest(rows=rows, since=since.isoformat(), recent=recent)
    start, at, kind = _window(con, info.version_file)
    if start is None:
        earlier = con.execute("SELECT count(*) FROM runs WHERE version_file < ?", [info.version_file]).fetchone()[0]
        return Digest(rows=_log_rows(con, "version_file <= ?", [info.version_file]), recent=recent,
                      first_version=not earlier)
    rows = _log_rows(con, "version_file > ? AND version_file <= ?", [start, info.version_file])
    label = "the weekly run of " if kind == "weekly" else "the version of "
    return Digest(rows=rows, since=label + (_utc(at) if at else start), previous_file=start, recent=recent)


def previous_version(con: duckdb.DuckDBPyConnection, published_dir: Path) -> Path | None:
    """The newest published version older than the one `con` reads, or None."""
    info = warehouse_info(con)
    current = info.version_file if info else None
    if not current or not published_dir or not published_dir.is_dir():
        return None
    older = sorted(
        p for p in published_dir.glob("tracker-*.duckdb") if VERSION_NAME.match(p.name) and p.name < current
    )
    return older[-1] if older else None


def _pairwise_digest(con: duckdb.DuckDBPyConnection, sql_dir: Path, published_dir: Path | None) -> Digest:
    """A version without a change log: compared with the version before it, as digests used to be."""
    info = warehouse_info(con)
    previous = previous_version(con, published_dir) if published_dir else None
    found_by = dict(detected_at=info.published_at, run_id=info.run_id, version_file=info.version_file) if info else {}
    rows = [replace(row, **found_by) for row in diff(con, previous, sql_dir)]
    if previous is None:
        return Digest(rows=rows)
    prev = connect(previous, read_only=True)
    try:
        prev_info = warehouse_info(prev)
    finally:
        prev.close()
    when = (f"the previous version of {_utc(prev_info.published_at)}" if prev_info
            else f"the previous version ({previous.name})")
    return Digest(rows=rows, since=when, previous_file=previous.name)
