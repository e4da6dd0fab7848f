"""The parse stage: the newest capture of each URL, parsed in worker processes, stored in batches.

Unchanged content (same SHA-256 and parser version) is not parsed again. Every document is parsed
in a worker process held to memory and time limits (tracker/stages/sandbox.py), so a hostile
document costs at most its limits and becomes a processing error; one that breached a limit is not
tried again until its bytes change. Storing stays in this process (DuckDB has one writer) and goes
in batches through Arrow, one transaction per batch; errors are recorded as they happen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from tracker.faults import checkpoint
from tracker.health import ParseTally
from tracker.sources import is_document
from tracker.stages.sandbox import SandboxJob, Limits, parse_in_workers
from tracker.warehouse import load
from tracker.warehouse.rows import select

log = logging.getLogger(__name__)

# Bump when parsing changes, so unchanged captures are parsed again with the new code.
PARSER_VERSION = 5  # 4: nested tables and lists in cells give their text once; 5: no control characters
BATCH = 64  # documents per transaction: bounded memory, few round trips
CHECKPOINT_EVERY = "256MB"


@dataclass(frozen=True)
class LastParse:
    """What a capture URL was last parsed from (a parsed_captures row) and its publication's source."""

    capture_url: str
    sha256: str
    parser_version: int
    published_hint: date | None
    source: str | None


def pending_jobs(con: duckdb.DuckDBPyConnection,
                 archive_dir: Path) -> tuple[list[SandboxJob], dict[str | None, int], int]:
    """Captures to parse (new or changed content or publication date, or a newer parser), per source how many
    are unchanged, and how many are held back because these very bytes breached a limit before."""
    done = {last.capture_url: last for last in select(con, LastParse, """(
        SELECT c.capture_url, c.sha256, c.parser_version, c.published_hint, p.source
        FROM parsed_captures c LEFT JOIN publications p ON p.url = c.publication_url)""")}
    breached = load.held_breaches(con, "parse")
    jobs, unchanged, held = [], {}, 0
    for capture in load.latest_captures(con):
        if not is_document(capture.url, capture.content_type):
            continue  # robots.txt, sitemaps, search and CDX answers are archived but are not publications
        last = done.get(capture.url)
        if last and (last.sha256, last.parser_version, last.published_hint) == (
                capture.sha256, PARSER_VERSION, capture.published_hint):
            unchanged[last.source] = unchanged.get(last.source, 0) + 1
            continue
        if breached.get(capture.url) == capture.sha256:
            held += 1
            continue
        jobs.append(SandboxJob(capture.url, str(archive_dir / capture.warc_file), capture.warc_offset, capture.sha256,
                        capture.published_hint))
    return jobs, unchanged, held


def _captured_at(con: duckdb.DuckDBPyConnection, job: SandboxJob):
    row = con.execute("SELECT fetched_at FROM archive_index WHERE warc_file = ? AND warc_offset = ?",
                      [Path(job.warc_path).name, job.offset]).fetchone()
    return row[0] if row else None


def run_parse_stage(con: duckdb.DuckDBPyConnection, archive_dir: Path, summary, tally: ParseTally,
                    limits: Limits | None = None, workers: int = 1, progress=None) -> None:
    """Parse every new or changed capture; `progress` (a tracker.progress.Stage) counts documents done."""
    jobs, unchanged, held = pending_jobs(con, archive_dir)
    summary.skipped_unchanged = sum(unchanged.values())
    tally.unchanged.update((source, n) for source, n in unchanged.items() if source)
    if held:
        summary.notes.append(f"{held} document(s) not parsed again: they breached a parse limit and their bytes "
                             "have not changed (see processing_errors)")
    if progress is not None:
        progress.expect(len(jobs))
        progress.detail(f"{len(jobs)} to parse, {summary.skipped_unchanged} unchanged, {workers} worker(s)")
    batch: list[load.ParsedPublication] = []
    # committed batches reach the file at one checkpoint per ~256 MB of log, not one per 16 MB (DuckDB's default):
    # each checkpoint rewrites the blocks table's newest row groups, and the default cost the parent 1.7 s in 2,000
    # documents (peak memory unchanged: the buffer pool stays capped)
    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_EVERY}'")
    for result in parse_in_workers(jobs, limits or Limits(), workers):
        if progress is not None:
            progress.advance()
        if result.error is not None:
            summary.errors += 1
            log.warning("parse failed for %s: %s", result.job.url, result.error)
            captured_at = result.fetched_at or (_captured_at(con, result.job) if result.breach else None)
            load.record_error(con, result.job.url, "parse", result.error, captured_at, result.job.sha256, result.breach)
            continue
        pub = result.publication
        batch.append(load.ParsedPublication(pub, Path(result.job.warc_path).name, result.job.offset,
                                            result.job.published_hint))
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
    con.execute("RESET checkpoint_threshold")
    if summary.parsed:
        # write what was stored to the database file now: held in memory until a checkpoint, a large
        # page's blocks would leave the next stage no room under TRACKER_DUCKDB_MEMORY_LIMIT
        con.execute("CHECKPOINT")
