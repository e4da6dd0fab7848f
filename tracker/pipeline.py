"""The weekly pipeline's stages wired together: fetch, index, parse, extract, load, publish."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tracker import progress, storage
from tracker.errors import TrackerError
from tracker.fetch.archive import sha256_file
from tracker.fetch.state import load_all_states
from tracker.health import ParseTally, check_sources
from tracker.settings import Settings
from tracker.stages.extraction import run_extract_stage
from tracker.stages.parsing import run_parse_stage
from tracker.stages.sandbox import Limits
from tracker.warehouse import load
from tracker.warehouse.db import open_work_db
from tracker.warehouse.rows import insert
from tracker.watchlist import refresh_watched_pages
from tracker.withdrawals import drop_withdrawn

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: str
    indexed: int = 0
    parsed: int = 0
    skipped_unchanged: int = 0
    extracted: int = 0
    errors: int = 0
    recommendations: int = 0
    evidence: int = 0
    corrections_unmatched: int = 0
    unhealthy: list[str] = field(default_factory=list)
    published: str | None = None
    notes: list[str] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)  # what outputs_stage wrote (briefing, exports) and the week's changes

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def counts(self) -> dict:
        """What an orchestrator keeps of a run (an Airflow XCom): the run id, the counts and the unhealthy
        sources (one line each, at most one per source); not the notes or the outputs."""
        small = {k: v for k, v in self.__dict__.items() if isinstance(v, int | str) or v is None}
        return {**small, "unhealthy": list(self.unhealthy)}


def process(settings: Settings, summary: RunSummary | None = None) -> RunSummary:
    """Index the archive, parse what changed and extract: everything up to (not including) publishing."""
    summary = summary or RunSummary(run_id=new_run_id())
    con = open_work_db(settings.work_db, settings.sql_dir, settings.duckdb_memory_limit)
    try:
        with progress.stage("index") as st:
            summary.indexed = load.index_archive(con, settings.archive_dir, settings.max_record_bytes)
            load.replace_crawl_state(con, load_all_states(settings))
            con.execute("CHECKPOINT")  # each stage's writes reach the file: a crash's WAL holds one stage at most
            st.done(f"{summary.indexed} new archive records indexed")
        tally = ParseTally()
        with progress.stage("parse") as st:
            run_parse_stage(con, settings.archive_dir, summary, tally, Limits.from_settings(settings),
                            settings.workers, st)
            drop_withdrawn(con)
            st.done(f"{summary.parsed} parsed, {summary.skipped_unchanged} unchanged, {summary.errors} errors")
        with progress.stage("extract") as st:
            run_extract_stage(con, settings, summary)
            st.detail(f"{summary.extracted} documents read for evidence, "
                      f"{summary.corrections_unmatched} corrections matching nothing")
            st.done(f"{summary.recommendations} recommendations, {summary.evidence} evidence rows")
        with progress.stage("health") as st:
            summary.unhealthy = check_sources(con, settings, summary.run_id, tally)
            for message in summary.unhealthy:
                st.detail(message)
            st.done(f"{len(summary.unhealthy)} unhealthy source{'' if len(summary.unhealthy) == 1 else 's'}")
        refresh_watched_pages(con, settings)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return summary


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def publish_stage(settings: Settings, run_id: str) -> str:
    """Publish the working database as a new warehouse version; returns the version's path. With an object
    store, the versions this host lacks are pulled first (the change log compares with the newest) and the
    new one is pushed."""
    from tracker.warehouse.versions import publish

    store = storage.open_store(settings)
    storage.pull_published(settings, store)
    version = publish(settings, run_id, elsewhere=frozenset(storage.listing(store, storage.PUBLISHED) if store else ()))
    storage.push_published(settings, store, version)
    return str(version)


@dataclass(frozen=True)
class RunRecord:
    """A row of `runs` as a run records it; what it published (version_file, published_at) is publishing's."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    mode: str
    sources: str
    outcome: str
    summary: str
    run_type: str
    scheduled_for: datetime | None


class StalePublish(TrackerError):
    """Publishing as a run that did not produce the working database's contents."""


def require_processed_by(settings: Settings, run_id: str) -> None:
    """Raise StalePublish unless `run_id` is the run that last processed the working database."""
    con = open_work_db(settings.work_db, settings.sql_dir, settings.duckdb_memory_limit)
    try:
        row = con.execute(
            "SELECT run_id FROM runs WHERE outcome = 'processed' ORDER BY finished_at DESC NULLS LAST LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    last = row[0] if row else None
    if last != run_id:
        by = f"run {last}" if last else "no run"
        raise StalePublish(
            f"not publishing as run {run_id}: the working database was last processed by {by}; "
            "publish that run, or run this one again from `process`"
        )


class VersionUnavailable(TrackerError):
    """The published version asked for is gone (pruned) or is not the file that was published."""


def published_version_path(settings: Settings, version_file: str, sha256: str | None = None) -> Path:
    """$TRACKER_HOME/published/<version_file>, checked to be the version published with hash `sha256`."""
    from tracker.warehouse.changelog import VERSION_NAME

    if not VERSION_NAME.match(version_file):
        raise VersionUnavailable(f"{version_file!r} is not a published version's name")
    path = settings.published_dir / version_file
    if not path.is_file():
        raise VersionUnavailable(f"version {version_file} is no longer in {settings.published_dir} (pruned?)")
    if sha256 and sha256_file(path) != sha256:
        raise VersionUnavailable(f"version {version_file} does not match the hash it was published with")
    return path


def outputs_stage(settings: Settings, warehouse: str | None = None) -> dict:
    """Write the dated exports (CSV, Excel, Parquet, changes.csv) and the HTML briefing (which carries a copy of
    the CSV files and workbook) from a published warehouse.

    The change digest is read from the version's change log (tracker/publish/digest.py); returns the paths written.
    """
    from tracker.lock import outputs_lock
    from tracker.publish.briefing import write_briefing, write_captures
    from tracker.publish.digest import compute_digest, describe
    from tracker.publish.exports import CHANGES, WORKBOOK, export_run
    from tracker.warehouse.db import warehouse_info
    from tracker.warehouse.versions import open_published

    source = Path(warehouse) if warehouse else settings.warehouse
    # an Airflow outputs task and a CLI run never interleave
    with outputs_lock(settings.outputs_lock_file), open_published(source) as con:
        info = warehouse_info(con)
        published_at = info.published_at
        digest = compute_digest(con, settings.sql_dir, settings.published_dir)
        # captures, then the exports that link to them, then the pages that offer those exports
        archived = write_captures(con, settings.site_dir, digest=digest, archive_dir=settings.archive_dir)
        exports = export_run(con, settings.exports_dir, published_at.date(), digest, settings.site_dir,
                             settings.site_url)
        site = write_briefing(con, settings.site_dir, digest=digest, exports_dir=exports, archived=archived,
                             site_url=settings.site_url, min_confidence=settings.min_confidence,
                             published_dir=settings.published_dir, corrections_email=settings.corrections_email)
    latest = settings.exports_dir / "latest"
    return {
        "version_file": info.version_file,
        "exports": str(exports),
        "latest": str(latest),
        "changes": str(latest / f"{CHANGES}.csv"),
        "workbook": str(latest / WORKBOOK),
        "site": str(site),
        "previous_version": digest.previous_file,
        "changes_count": len(digest.rows),
        "status_changes": sum(1 for row in digest.rows if row.change_type == "status_change"),
        "changes_described": describe(digest.rows),
    }


def record_run(
    settings: Settings, summary: RunSummary, started: datetime, mode: str, sources: str, outcome: str,
    run_type: str = "manual", scheduled_for: datetime | None = None,
) -> None:
    """Record a run in `runs` (what it published is added by publishing, and kept)."""
    import json

    con = open_work_db(settings.work_db, settings.sql_dir, settings.duckdb_memory_limit)
    try:
        insert(con, "runs", [RunRecord(
            run_id=summary.run_id, started_at=_naive(started), finished_at=_naive(datetime.now(timezone.utc)),
            mode=mode, sources=sources, outcome=outcome, summary=json.dumps(summary.as_dict(), default=str),
            run_type=run_type, scheduled_for=_naive(scheduled_for),
        )], on_conflict="run_id")  # a rerun of the run id (an Airflow retry) records its latest attempt
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _naive(moment: datetime | None) -> datetime | None:
    """UTC without a zone, as every timestamp in the warehouse."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def run(
    settings: Settings, offline: bool = True, sources: tuple[str, ...] = (), since=None, scheduled: bool = False
) -> RunSummary:
    """The whole weekly run under the run lock: fetch (unless offline), process, publish, outputs.

    With an object store (TRACKER_STORAGE_URL) the crawl state, archive and published versions are pulled
    before the stages that read them and pushed after the ones that write them (tracker/storage.py).

    `scheduled` marks it as the weekly run (its ISO week is its slot), which starts a new week in the digest.
    """
    from tracker.lock import run_lock
    from tracker.registry import reviews_for
    from tracker.watchlist import read_watchlist

    reviews_for(settings)  # a bad registry or watchlist file fails now, before anything is fetched
    read_watchlist(settings)
    with run_lock(settings.lock_file):
        started = datetime.now(timezone.utc)
        summary = RunSummary(run_id=new_run_id())
        store = storage.open_store(settings)  # None on one host: nothing to pull or push
        storage.pull_state(settings, store)
        if not offline:
            from tracker.stages.crawl import crawl_sources

            with progress.stage("fetch") as st:
                notes = crawl_sources(settings, sources, since)
                summary.notes.extend(notes)
                for note in notes:
                    st.detail(note)
                failed = sum(1 for note in notes if "FETCH FAILED" in note)
                st.done(f"{len(notes)} sources, {failed} failed")
            storage.push_state(settings, store)
        storage.sync_archive(settings, store)
        process(settings, summary)
        record_run(settings, summary, started, "offline" if offline else "live", ",".join(sources), "processed",
                   "scheduled" if scheduled else "manual", started if scheduled else None)
        with progress.stage("publish") as st:
            summary.published = publish_stage(settings, summary.run_id)
            st.done(Path(summary.published).name)
        with progress.stage("briefing and exports") as st:
            summary.outputs = outputs_stage(settings)
            st.detail(f"briefing {summary.outputs['site']}")
            st.detail(f"exports {summary.outputs['exports']} and {summary.outputs['latest']}")
            st.done(summary.outputs["changes_described"] or "no changes this week")
        return summary
