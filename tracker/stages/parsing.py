"""The parse stage: the newest capture of each URL, parsed in worker processes, stored in batches.

Unchanged content (same SHA-256 and parser version) is not parsed again. Every document is parsed
in a worker process held to memory and time limits (tracker/stages/sandbox.py), so a hostile
document costs at most its limits and becomes a processing error; one that breached a limit is not
tried again until its bytes change. Storing stays in this process (DuckDB has one writer) and goes
in batches through Arrow, one transaction per batch; errors are recorded as they happen.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from tracker.faults import checkpoint
from tracker.health import ParseTally
from tracker.items import Publication
from tracker.sources import is_document
from tracker.stages.sandbox import Job, Limits, parse_in_workers
from tracker.warehouse import load

log = logging.getLogger(__name__)

# Bump when parsing changes, so unchanged captures are parsed again with the new code.
PARSER_VERSION = 4  # 4: nested tables and lists in cells give their text once
BATCH = 64  # documents per transaction: bounded memory, few round trips


def pending_jobs(con: duckdb.DuckDBPyConnection, archive_dir: Path) -> tuple[list[Job], int, int]:
    """Captures to parse (new or changed content, or a newer parser), how many are unchanged, and how
    many are held back because these very bytes breached a limit before."""
    done = {
        row[0]: (row[1], row[2])
        for row in con.execute("SELECT capture_url, sha256, parser_version FROM parsed_captures").fetchall()
    }
    breached = load.held_breaches(con, "parse")
    jobs, unchanged, held = [], 0, 0
    for url, warc_file, offset, sha256, content_type in load.latest_captures(con):
        if not is_document(url, content_type):
            continue  # robots.txt, sitemaps, search and CDX answers are archived but are not publications
        if done.get(url) == (sha256, PARSER_VERSION):
            unchanged += 1
            continue
        if breached.get(url) == sha256:
            held += 1
            continue
        jobs.append(Job(url, str(archive_dir / warc_file), offset, sha256))
    return jobs, unchanged, held


def _captured_at(con: duckdb.DuckDBPyConnection, job: Job):
    row = con.execute("SELECT fetched_at FROM archive_index WHERE warc_file = ? AND warc_offset = ?",
                      [Path(job.warc_path).name, job.offset]).fetchone()
    return row[0] if row else None


def run_parse_stage(con: duckdb.DuckDBPyConnection, archive_dir: Path, summary, tally: ParseTally,
                    limits: Limits | None = None, workers: int = 1) -> None:
    jobs, summary.skipped_unchanged, held = pending_jobs(con, archive_dir)
    if held:
        summary.notes.append(f"{held} document(s) not parsed again: they breached a parse limit and their bytes "
                             "have not changed (see processing_errors)")
    batch: list[tuple[Publication, str, int]] = []
    for result in parse_in_workers(jobs, limits or Limits(), workers):
        if result.error is not None:
            summary.errors += 1
            log.warning("parse failed for %s: %s", result.job.url, result.error)
            captured_at = result.fetched_at or (_captured_at(con, result.job) if result.breach else None)
            load.record_error(con, result.job.url, "parse", result.error, captured_at, result.job.sha256, result.breach)
            continue
        pub = result.publication
        batch.append((pub, Path(result.job.warc_path).name, result.job.offset))
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
    if summary.parsed:
        # write what was stored to the database file now: held in memory until a checkpoint, a large
        # page's blocks would leave the next stage no room under TRACKER_DUCKDB_MEMORY_LIMIT
        con.execute("CHECKPOINT")
