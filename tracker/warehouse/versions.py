"""Atomic publishing: build a complete new warehouse file, then rename it over tracker.duckdb.

An analyst's read-only connection to the old file keeps seeing the old file (the rename only
changes which file the name points to), and the next connection sees the new one.

Published files are written in DuckDB's storage format v1.2.0 (STORAGE_VERSION), which DuckDB 1.2 and
later read: the DuckDB 1.x command line, DBeaver, R and BI tools on a 1.x driver open the warehouse,
its views and its table macros, not only DuckDB 2.x. The working database keeps 2.x's own format.

Before building, the changes since the newest published version are appended to the working
database's change_log (tracker/warehouse/changelog.py), which is then copied like every table.

Retention: published/ keeps the newest `keep_versions` versions, plus one version per ISO week for
the `keep_weeks` ISO weeks up to the newest version's: the week's scheduled (weekly) run's version
when it published one, else the week's last version. So the version "as published" by any weekly
run in that span can still be exported.

Published files are read-only (0444): a plain `duckdb tracker.duckdb` opens them for writing, and its lock then
keeps every reader out. Renaming over them and pruning them need only the folder to be writable.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from tracker.errors import TrackerError
from tracker.faults import checkpoint
from tracker.settings import Settings
from tracker.warehouse import changelog
from tracker.warehouse.db import (
    apply_views,
    attach_read_only,
    connect,
    migrate,
    open_work_db,
    sql_literal,
    warehouse_info,
)

# Tables analysts get; working tables (blocks, archive index, crawl state) stay in the working database.
PUBLISHED_TABLES = (
    "reviews",
    "publications",
    "attachments",
    "recommendations",
    "status_evidence",
    "unresolved_statements",
    "status_vocabulary",
    "speaker_vocabulary",
    "data_quality",
    "processing_errors",
    "corrections",
    "source_health",
    "crawl_state",
    "runs",
    "withdrawals",
    "change_log",
    "watched_pages",
)

# The oldest storage format with everything the warehouse uses; DuckDB 1.2+ clients read it.
STORAGE_VERSION = "v1.2.0"
READ_ONLY = 0o444


def make_read_only(path: Path) -> Path:
    """Give a published file its mode (see the module's docstring); before it is renamed into place."""
    os.chmod(path, READ_ONLY)
    return path


def publish(settings: Settings, run_id: str, now: datetime | None = None, elsewhere: frozenset[str] = frozenset()
            ) -> Path:
    """Copy the working database's published tables into a new file and swap it in; returns its path.
    `elsewhere`: the versions the object store holds (published by any host: never unswapped_versions)."""
    now = now or datetime.now(timezone.utc)
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    for orphan in unswapped_versions(settings, elsewhere):
        # Never the warehouse: the change log below then diffs against the version that was, and drops the
        # orphan's rows and its run's claim to it (changelog.record_changes) before logging them again.
        orphan.unlink()
    # Two publishes in one second must not overwrite each other: take the next free second.
    while (settings.published_dir / f"tracker-{now.strftime('%Y%m%dT%H%M%S')}.duckdb").exists():
        now += timedelta(seconds=1)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    version = settings.published_dir / f"tracker-{stamp}.duckdb"
    building = settings.published_dir / f".tracker-{stamp}.duckdb.part"
    building.unlink(missing_ok=True)
    work = open_work_db(settings.work_db, settings.sql_dir, settings.duckdb_memory_limit)
    try:
        changelog.record_changes(work, settings, run_id, version.name,
                                 now.astimezone(timezone.utc).replace(tzinfo=None))
        scheduled = changelog.scheduled_versions(work)
    finally:
        work.close()
    checkpoint("publish-log")
    con = connect(":memory:", memory_limit=settings.duckdb_memory_limit)
    try:
        con.execute(f"ATTACH {sql_literal(building)} AS pub (STORAGE_VERSION {sql_literal(STORAGE_VERSION)})")
        con.execute("USE pub")
        migrate(con, settings.sql_dir)
        apply_views(con, settings.sql_dir)
        con.execute(f"ATTACH {sql_literal(settings.work_db)} AS work (READ_ONLY)")
        con.execute("BEGIN TRANSACTION")
        for table in PUBLISHED_TABLES:
            con.execute(f"INSERT INTO main.{table} BY NAME SELECT * FROM work.main.{table}")
        con.execute(
            "CREATE TABLE warehouse_info AS SELECT ? AS run_id, ? AS published_at, ? AS version_file",
            [run_id, now.astimezone(timezone.utc).replace(tzinfo=None), version.name],
        )
        con.execute("COMMENT ON TABLE warehouse_info IS 'Which run published this file, and when (UTC).'")
        con.execute("COMMIT")
        con.execute("DETACH work")
        con.execute("CHECKPOINT pub")
        con.execute("USE memory")
        con.execute("DETACH pub")
    finally:
        con.close()
    checkpoint("publish-build")
    os.replace(make_read_only(building), version)
    checkpoint("publish-swap")
    _swap_in(version, settings.warehouse)
    _prune(settings.published_dir, settings.keep_versions, settings.keep_weeks, scheduled)
    return version


def unswapped_versions(settings: Settings, elsewhere: frozenset[str] = frozenset()) -> list[Path]:
    """Versions a publish renamed into published/ but was stopped before swapping in: newer than the version the
    current warehouse holds and not in the object store (`elsewhere`: another host's, pulled, are published).
    None while there is no current warehouse to tell (a new host with an object store starts without one)."""
    if not settings.warehouse.exists():
        return []
    with open_published(settings.warehouse) as con:
        info = warehouse_info(con)
    if info is None or not info.version_file:
        return []
    return [p for p in published_versions(settings) if p.name > info.version_file and p.name not in elsewhere]


def _swap_in(version: Path, target: Path) -> None:
    staging = target.with_name("." + target.name + ".part")
    staging.unlink(missing_ok=True)  # a read-only leftover of a stopped swap cannot be copied over
    shutil.copyfile(version, staging)
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(make_read_only(staging), target)


def retained(names: list[str], keep_versions: int, keep_weeks: int, scheduled: set[str]) -> set[str]:
    """Which version files to keep (see the module's docstring); the newest is always kept."""
    stamped = sorted((datetime.strptime(n[len("tracker-"):-len(".duckdb")], "%Y%m%dT%H%M%S"), n)
                     for n in names if changelog.VERSION_NAME.match(n))
    if not stamped:
        return set()
    keep = {n for _, n in stamped[-max(keep_versions, 1):]}
    newest = stamped[-1][0]
    first_week = (newest - timedelta(days=newest.weekday())).date() - timedelta(weeks=keep_weeks - 1)
    weeks: dict[tuple[int, int], list[str]] = {}
    for moment, name in stamped:
        if keep_weeks > 0 and moment.date() >= first_week:
            weeks.setdefault(moment.isocalendar()[:2], []).append(name)
    for names_in_week in weeks.values():
        weekly = [n for n in names_in_week if n in scheduled]
        keep.add((weekly or names_in_week)[-1])
    return keep


def _prune(published_dir: Path, keep_versions: int, keep_weeks: int, scheduled: set[str]) -> None:
    versions = sorted(p for p in published_dir.glob("tracker-*.duckdb") if changelog.VERSION_NAME.match(p.name))
    keep = retained([p.name for p in versions], keep_versions, keep_weeks, scheduled)
    for old in versions:
        if old.name not in keep:
            old.unlink(missing_ok=True)
    for stale in published_dir.glob(".tracker-*.part"):
        stale.unlink(missing_ok=True)


def published_versions(settings: Settings) -> list[Path]:
    """The versions kept in published/, oldest first (their names sort by time)."""
    return sorted(p for p in settings.published_dir.glob("tracker-*.duckdb") if changelog.VERSION_NAME.match(p.name))


def version_time(path: Path) -> datetime:
    """When a version was published (UTC, naive), from its name."""
    return datetime.strptime(path.name[len("tracker-"):-len(".duckdb")], "%Y%m%dT%H%M%S")


def as_of_names_a_file(as_of: str) -> bool:
    """Whether an `--as-of` value names a file (a path, or a version as `tracker versions` lists it), not a date."""
    return (Path(as_of).expanduser().is_file() or changelog.VERSION_NAME.match(as_of) is not None
            or os.sep in as_of or as_of.endswith(".duckdb"))


def version_as_of(settings: Settings, as_of: str | None) -> Path:
    """The warehouse file for `--as-of`: None is the current warehouse; YYYY-MM-DD the last version
    published on or before that day (UTC); a version's name (as `tracker versions` lists it) that version
    in published/; anything else a published file's path."""
    if as_of is None:
        if not settings.warehouse.exists():
            raise TrackerError(f"no published warehouse at {settings.warehouse}: run `tracker run` first")
        return settings.warehouse
    path = Path(as_of).expanduser()
    if path.is_file():
        return path
    if changelog.VERSION_NAME.match(as_of):
        kept = settings.published_dir / as_of
        if not kept.is_file():
            raise TrackerError(f"--as-of {as_of}: no such version in {settings.published_dir} "
                               "(`tracker versions` lists those kept)")
        return kept
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        day = None
    if day is None:
        raise TrackerError(f"--as-of {as_of}: no such file, and not a date (YYYY-MM-DD)")
    versions = published_versions(settings)
    earlier = [v for v in versions if version_time(v).date() <= day]
    if not earlier:
        oldest = f"; the oldest kept is {versions[0].name}" if versions else f"; {settings.published_dir} holds none"
        raise TrackerError(f"no version was published on or before {day.isoformat()}{oldest}")
    return earlier[-1]


def open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published file as it is now (see db.attach_read_only); open it in a
    `with` block, which closes it."""
    return attach_read_only(path)
