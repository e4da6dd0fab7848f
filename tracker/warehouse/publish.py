"""Atomic publishing: build a complete new warehouse file, then rename it over tracker.duckdb.

An analyst's read-only connection to the old file keeps seeing the old file (the rename only
changes which file the name points to), and the next connection sees the new one.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from tracker.faults import checkpoint
from tracker.settings import Settings
from tracker.warehouse.db import apply_views, connect, migrate, sql_literal

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
)
KEEP_VERSIONS = 8


def publish(settings: Settings, run_id: str, now: datetime | None = None) -> Path:
    """Copy the working database's published tables into a new file and swap it in; returns its path."""
    now = now or datetime.now(timezone.utc)
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    # Two publishes in one second must not overwrite each other: take the next free second.
    while (settings.published_dir / f"tracker-{now.strftime('%Y%m%dT%H%M%S')}.duckdb").exists():
        now += timedelta(seconds=1)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    version = settings.published_dir / f"tracker-{stamp}.duckdb"
    building = settings.published_dir / f".tracker-{stamp}.duckdb.part"
    building.unlink(missing_ok=True)
    con = connect(building, memory_limit=settings.duckdb_memory_limit)
    try:
        migrate(con, settings.sql_dir)
        apply_views(con, settings.sql_dir)
        con.execute(f"ATTACH {sql_literal(settings.work_db)} AS work (READ_ONLY)")
        con.execute("BEGIN TRANSACTION")
        for table in PUBLISHED_TABLES:
            con.execute(f"INSERT INTO main.{table} SELECT * FROM work.main.{table}")
        con.execute(
            "CREATE TABLE warehouse_info AS SELECT ? AS run_id, ? AS published_at, ? AS version_file",
            [run_id, now.astimezone(timezone.utc).replace(tzinfo=None), version.name],
        )
        con.execute("COMMENT ON TABLE warehouse_info IS 'Which run published this file, and when (UTC).'")
        con.execute("COMMIT")
        con.execute("DETACH work")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    checkpoint("publish-build")
    os.replace(building, version)
    checkpoint("publish-swap")
    _swap_in(version, settings.warehouse)
    _prune(settings.published_dir)
    return version


def _swap_in(version: Path, target: Path) -> None:
    staging = target.with_name("." + target.name + ".part")
    shutil.copyfile(version, staging)
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staging, target)


def _prune(published_dir: Path) -> None:
    versions = sorted(published_dir.glob("tracker-*.duckdb"))
    for old in versions[:-KEEP_VERSIONS]:
        old.unlink(missing_ok=True)
    for stale in published_dir.glob(".tracker-*.part"):
        stale.unlink(missing_ok=True)


def published_versions(settings: Settings) -> list[Path]:
    return sorted(settings.published_dir.glob("tracker-*.duckdb"))


def open_published(path: Path) -> duckdb.DuckDBPyConnection:
    return connect(path, read_only=True)
