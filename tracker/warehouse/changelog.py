"""The change log: every change ever detected, recorded once, by the publish that first saw it.

Each publish compares the working database with the newest version already published (the state
the last publish recorded) and appends what differs to `change_log`, with its run and the version
it is published in; the log is then copied into the new version like every published table. A run
that finds nothing new appends nothing, so retries and manual runs never wipe earlier changes.

A publish that dies before its version file exists leaves rows for a version newer than anything
published: the next publish drops them and detects the same changes again, so no change is logged
twice and none is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from tracker.settings import Settings
from tracker.warehouse.db import apply_views, connect, migrate, sql_literal, warehouse_info
from tracker.warehouse.rows import column_names, insert


@dataclass(frozen=True)
class Change:
    """One change: what differs, and once logged (a change_log row, its id aside) which run and version first
    saw it and when that version was published (UTC)."""

    change_type: str
    review_id: str | None
    number: int | None
    axis: str | None
    before: str | None
    after: str | None
    published_on: date | None
    source_url: str | None
    title_or_quote: str | None
    detected_at: datetime | None = None
    run_id: str | None = None
    version_file: str | None = None


FOUND_BY = ("detected_at", "run_id", "version_file")  # which run and version first saw it
COLUMNS = tuple(name for name in column_names(Change) if name not in FOUND_BY)  # what differs

# The order change types are listed in (most important first) and how the briefing names them.
CHANGE_TYPES = {
    "status_change": "Status changes",
    "new_evidence": "New evidence",
    "withdrawn_evidence": "Evidence no longer found",
    "new_recommendation": "New recommendations",
    "removed_recommendation": "Recommendations no longer found",
    "new_publication": "New publications",
    "updated_publication": "Updated publications",
    "withdrawn_publication": "Publications withdrawn",
}
TYPE_ORDER = "CASE change_type " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(CHANGE_TYPES)) + " END"
ROW_ORDER = (
    f"{TYPE_ORDER}, review_id NULLS LAST, number NULLS FIRST, axis NULLS FIRST, published_on NULLS FIRST, "
    "source_url, title_or_quote"
)
DIFF_MEMORY = "1GB"  # the change-log diff's cap: its working set is the small published tables, not the archive
VERSION_NAME = re.compile(r"^tracker-\d{8}T\d{6}\.duckdb$")


@dataclass(frozen=True)
class PublishedRun:
    """The `runs` columns publishing writes: what was published and when."""

    run_id: str
    started_at: datetime
    run_type: str
    version_file: str
    published_at: datetime


def _query(sql_dir: Path, name: str) -> str:
    return (sql_dir / "queries" / f"{name}.sql").read_text(encoding="utf-8")


@contextmanager
def _changes_since(con: duckdb.DuckDBPyConnection, previous: Path | None, sql_dir: Path) -> Iterator[str]:
    """The query of what changed since `previous` (sql/queries/changes.sql), one row per change in COLUMNS,
    unordered, ready on `con`: `previous` attached read-only as prev, or with none an empty database migrated
    to the current schema (nothing to compare with: everything is new), and the headline statuses staged."""
    if previous is None:
        con.execute("ATTACH ':memory:' AS prev")
    else:
        con.execute(f"ATTACH {sql_literal(previous)} AS prev (READ_ONLY)")
    try:
        if previous is None:
            _migrate_attached(con, "prev", sql_dir)
        con.execute(_query(sql_dir, "headlines"))
        yield _query(sql_dir, "changes")
    finally:
        con.execute("DETACH prev")


def _migrate_attached(con: duckdb.DuckDBPyConnection, alias: str, sql_dir: Path) -> None:
    """Migrate an attached database and create its views: the migrations and views name no database, so they
    are run with it in use."""
    current = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"USE {alias}")
    try:
        migrate(con, sql_dir)
        apply_views(con, sql_dir)
    finally:
        con.execute('USE "{}"'.format(current.replace('"', '""')))


def diff(con: duckdb.DuckDBPyConnection, previous: Path | None, sql_dir: Path) -> list[Change]:
    """Changes of the tables `con` reads against the database file `previous` (None: everything is new)."""
    with _changes_since(con, previous, sql_dir) as changes:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM (\n{changes}\n) ORDER BY {ROW_ORDER}").fetchall()
    return [Change(**dict(zip(COLUMNS, row))) for row in rows]


def newest_published(published_dir: Path, warehouse: Path) -> tuple[Path, str] | tuple[None, None]:
    """The newest version published so far and its name: the newest file in published/, else the
    current warehouse (published/ emptied by hand); (None, None) before the first publish."""
    if published_dir.is_dir():
        names = sorted(p.name for p in published_dir.glob("tracker-*.duckdb") if VERSION_NAME.match(p.name))
        if names:
            return published_dir / names[-1], names[-1]
    if warehouse.exists():
        con = connect(warehouse, read_only=True)
        try:
            info = warehouse_info(con)
        finally:
            con.close()
        if info is not None:
            return warehouse, info.version_file
    return None, None


def record_changes(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, version_file: str,
                   published_at: datetime) -> int:
    """Append to the working database's change_log what changed since the newest published version,
    as first seen by `run_id` in `version_file`, and record that the run published it; returns rows added."""
    baseline, baseline_name = newest_published(settings.published_dir, settings.warehouse)
    columns = ", ".join(COLUMNS)
    con.execute("BEGIN TRANSACTION")
    try:
        # Rows and runs of a version that was never published (its publish died before the file existed).
        con.execute("DELETE FROM change_log WHERE ? IS NULL OR version_file > ?", [baseline_name, baseline_name])
        con.execute(
            "UPDATE runs SET version_file = NULL, published_at = NULL WHERE ? IS NULL OR version_file > ?",
            [baseline_name, baseline_name],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    # The working database's buffer cap keeps bulk loads flat in the archive's size; the diff's working set
    # grows only with recommendations, statements and publications, but its many joins each claim memory.
    cap = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{DIFF_MEMORY}'")
    try:
        with _changes_since(con, baseline, settings.sql_dir) as changes:
            con.execute("BEGIN TRANSACTION")
            try:
                start = con.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchone()[0]
                added = con.execute(
                    f"""INSERT INTO change_log (change_id, {columns}, run_id, version_file, detected_at)
                        SELECT ? + row_number() OVER (ORDER BY {ROW_ORDER}), {columns}, ?, ?, ? FROM (\n{changes}\n)""",
                    [start, run_id, version_file, published_at],
                ).fetchone()[0]
                # a run not recorded by the pipeline (a manual publish) gets a row; a recorded one keeps its own
                insert(con, "runs", [PublishedRun(run_id=run_id, started_at=published_at, run_type="manual",
                                                  version_file=version_file, published_at=published_at)],
                       on_conflict="run_id", updating=("version_file", "published_at"))
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
    finally:
        con.execute(f"SET memory_limit = {sql_literal(cap)}")
    return added


def scheduled_versions(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the versions published by scheduled (weekly) runs."""
    return {
        name for (name,) in con.execute(
            "SELECT version_file FROM runs WHERE run_type = 'scheduled' AND version_file IS NOT NULL"
        ).fetchall()
    }
