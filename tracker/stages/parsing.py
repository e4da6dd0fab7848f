"""The parse stage: the newest capture of each URL, parsed in worker processes, stored in batches.

Unchanged content (same SHA-256 and parser version) is not parsed again. Parsing is CPU-bound and
independent per document, so it runs in a process pool; storing stays in this process (DuckDB has
one writer) and goes in batches through Arrow, one transaction per batch.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import current_process, get_context
from pathlib import Path

import duckdb

from tracker.faults import checkpoint
from tracker.fetch.archive import read_capture
from tracker.health import ParseTally
from tracker.items import Publication
from tracker.sources import is_document, parse_capture
from tracker.warehouse import load

log = logging.getLogger(__name__)

# Bump when parsing changes, so unchanged captures are parsed again with the new code.
PARSER_VERSION = 3
BATCH = 64  # documents per transaction: bounded memory, few round trips
POOL_MIN = 24  # below this many documents a process pool costs more than it saves


@dataclass
class Job:
    url: str
    warc_path: str
    offset: int
    published_hint: date | None = None  # recorded with the capture (`tracker ingest --published`)


@dataclass
class Parsed:
    job: Job
    publication: Publication | None = None
    error: str | None = None
    fetched_at: object = None


def parse_one(job: Job) -> Parsed:
    """Read one capture and parse it; any failure is returned, never raised (it runs in a worker)."""
    capture = None
    try:
        capture = read_capture(Path(job.warc_path), job.offset)
        return Parsed(job, publication=parse_capture(capture))
    except Exception as exc:  # one bad document never stops the run
        return Parsed(job, error=f"{type(exc).__name__}: {exc}", fetched_at=capture.fetched_at if capture else None)


def pending_jobs(con: duckdb.DuckDBPyConnection, archive_dir: Path) -> tuple[list[Job], dict[str | None, int]]:
    """Captures to parse (new or changed content or publication date, or a newer parser), and per source how
    many are unchanged."""
    done = {
        row[0]: (tuple(row[1:4]), row[4])
        for row in con.execute(
            """SELECT c.capture_url, c.sha256, c.parser_version, c.published_hint, p.source
               FROM parsed_captures c LEFT JOIN publications p ON p.url = c.publication_url"""
        ).fetchall()
    }
    jobs, unchanged = [], {}
    for url, warc_file, offset, sha256, content_type, published_hint in load.latest_captures(con):
        if not is_document(url, content_type):
            continue  # robots.txt, sitemaps, search and CDX answers are archived but are not publications
        version, source = done.get(url, (None, None))
        if version == (sha256, PARSER_VERSION, published_hint):
            unchanged[source] = unchanged.get(source, 0) + 1
            continue
        jobs.append(Job(url, str(archive_dir / warc_file), offset, published_hint))
    return jobs, unchanged


def _workers() -> int:
    if current_process().daemon:
        return 1  # a Celery prefork worker is daemonic, and daemonic processes may not have children
    env = os.environ.get("TRACKER_WORKERS")
    return max(1, int(env)) if env else max(1, min(os.cpu_count() or 1, 4))


def parse_all(jobs: list[Job]):
    """Parsed results in job order, from a process pool when there are enough jobs to pay for it."""
    workers = _workers()
    if workers == 1 or len(jobs) < POOL_MIN:
        for job in jobs:
            yield parse_one(job)
        return
    # spawn, not fork: the parent holds a DuckDB connection and its threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for start in range(0, len(jobs), BATCH * workers):
            yield from pool.map(parse_one, jobs[start : start + BATCH * workers], chunksize=4)


def run_parse_stage(con: duckdb.DuckDBPyConnection, archive_dir: Path, summary, tally: ParseTally, progress=None) -> None:
    """Parse every new or changed capture; `progress` (a tracker.progress.Stage) counts documents done."""
    jobs, unchanged = pending_jobs(con, archive_dir)
    summary.skipped_unchanged = sum(unchanged.values())
    tally.unchanged.update((source, n) for source, n in unchanged.items() if source)
    if progress is not None:
        progress.expect(len(jobs))
        progress.detail(f"{len(jobs)} to parse, {summary.skipped_unchanged} unchanged, {_workers()} worker(s)")
    batch: list[tuple[Publication, str, int, date | None]] = []
    for result in parse_all(jobs):
        if progress is not None:
            progress.advance()
        if result.error is not None:
            summary.errors += 1
            log.warning("parse failed for %s: %s", result.job.url, result.error)
            load.record_error(con, result.job.url, "parse", result.error, result.fetched_at)
            continue
        pub = result.publication
        batch.append((pub, Path(result.job.warc_path).name, result.job.offset, result.job.published_hint))
        tally.add(pub.source, pub.title, pub.published_on, is_page=pub.document_type != "pdf")
        if len(batch) >= BATCH:
            load.store_publications(con, batch, PARSER_VERSION)
            summary.parsed += len(batch)
            batch = []
            checkpoint("parse")
    if batch:
        load.store_publications(con, batch, PARSER_VERSION)
        summary.parsed += len(batch)
        checkpoint("parse")
