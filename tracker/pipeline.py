"""The weekly pipeline's stages wired together: fetch, index, parse, extract, load, publish."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from tracker.corrections import apply_corrections, read_corrections
from tracker.extract.recommendations import extract_recommendations
from tracker.extract.relevance import relevance
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.faults import checkpoint
from tracker.fetch.archive import read_capture
from tracker.fetch.state import load_all_states
from tracker.health import ParseTally, check_sources
from tracker.items import Block, Publication, Recommendation
from tracker.registry import load_reviews, owning_review
from tracker.settings import Settings
from tracker.sources import is_document, parse_capture
from tracker.warehouse import load
from tracker.warehouse.db import open_work_db

log = logging.getLogger(__name__)

# Bump when parsing changes, so unchanged captures are parsed again with the new code.
PARSER_VERSION = 1


@dataclass
class RunSummary:
    run_id: str
    indexed: int = 0
    parsed: int = 0
    skipped_unchanged: int = 0
    errors: int = 0
    recommendations: int = 0
    evidence: int = 0
    corrections_unmatched: int = 0
    unhealthy: list[str] = field(default_factory=list)
    published: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def parse_stage(
    con: duckdb.DuckDBPyConnection, settings: Settings, summary: RunSummary, tally: ParseTally | None = None
) -> None:
    """Parse the newest capture of every URL whose content or parser changed since last time."""
    done = {
        row[0]: (row[1], row[2])
        for row in con.execute("SELECT capture_url, sha256, parser_version FROM parsed_captures").fetchall()
    }
    for url, warc_file, offset, sha256, content_type in load.latest_captures(con):
        if not is_document(url, content_type):
            continue  # robots.txt, sitemaps, search and CDX answers are archived but are not publications
        if done.get(url) == (sha256, PARSER_VERSION):
            summary.skipped_unchanged += 1
            continue
        capture = None
        try:
            capture = read_capture(settings.archive_dir / warc_file, offset)
            pub = parse_capture(capture)
            load.store_publication(con, pub, warc_file, offset, PARSER_VERSION)
            checkpoint("parse")
            summary.parsed += 1
            if tally is not None:
                tally.add(pub.source, pub.title, pub.published_on, is_page=pub.document_type != "pdf")
        except Exception as exc:  # one bad document never stops the run
            summary.errors += 1
            log.warning("parse failed for %s: %s", url, exc)
            load.record_error(con, url, "parse", f"{type(exc).__name__}: {exc}", capture.fetched_at if capture else None)


def _blocks(con: duckdb.DuckDBPyConnection, url: str) -> list[Block]:
    rows = con.execute(
        "SELECT kind, text, level, label, page, role FROM document_blocks WHERE url = ? ORDER BY seq", [url]
    ).fetchall()
    return [Block(kind, text, level or 0, label or "", page, role) for kind, text, level, label, page, role in rows]


def _publications(con: duckdb.DuckDBPyConnection) -> list[Publication]:
    rows = con.execute(
        """SELECT url, source, title, published_on, document_type, parent_url, topics, content_sha256
           FROM publications ORDER BY url"""
    ).fetchall()
    return [
        Publication(url=u, source=s, title=t or "", published_on=p, document_type=d or "", blocks=[],
                    parent_url=parent, topics=tuple(topics or ()), content_sha256=sha)
        for u, s, t, p, d, parent, topics, sha in rows
    ]


def extract_stage(con: duckdb.DuckDBPyConnection, settings: Settings, summary: RunSummary) -> None:
    """Find each review's recommendations in its own documents, then status evidence everywhere relevant."""
    reviews = load_reviews()
    namer = ReviewNamer(reviews)
    pubs = _publications(con)
    by_url = {p.url: p for p in pubs}
    parents: dict[str, Publication] = {}
    for pub_url, link_url in con.execute("SELECT publication_url, url FROM attachments").fetchall():
        if pub_url in by_url:
            parents.setdefault(link_url.rstrip("/"), by_url[pub_url])
    owners: dict[str, str | None] = {}
    for pub in pubs:
        review = owning_review(pub, reviews, parents)
        owners[pub.url] = review.review_id if review else None

    extract_errors: list[tuple[str, str]] = []
    recs: list[Recommendation] = []
    for review in reviews:
        best: list[Recommendation] = []
        for pub in pubs:
            if owners[pub.url] != review.review_id:
                continue
            pub.blocks = _blocks(con, pub.url)
            try:
                found = extract_recommendations(pub, review)
            except Exception as exc:  # one bad document never stops the run
                summary.errors += 1
                extract_errors.append((pub.url, f"{type(exc).__name__}: {exc}"))
                continue
            if len(found) > len(best):
                best = found
        recs.extend(best)
    known: dict[str, set[int]] = {}
    for r in recs:
        known.setdefault(r.review_id, set()).add(r.number)

    texts: dict[str, dict[int, str]] = {}
    for r in recs:
        texts.setdefault(r.review_id, {})[r.number] = r.text
    extractor = StatusExtractor(namer, known, texts)
    evidence = []
    relevance_rows = []
    for pub in pubs:
        blocks = pub.blocks or _blocks(con, pub.url)
        pub.blocks = blocks
        relevant, reason = relevance(pub.title, pub.topics, blocks, owners[pub.url], namer)
        relevance_rows.append((owners[pub.url], relevant, reason, pub.url))
        if relevant:
            doc_review = owners[pub.url] or namer.only(pub.title) or namer.only(
                " ".join(b.text for b in blocks if b.role == "body")
            )
            try:
                evidence.extend(extractor.extract(pub, doc_review))
            except Exception as exc:  # one bad document never stops the run
                summary.errors += 1
                extract_errors.append((pub.url, f"{type(exc).__name__}: {exc}"))
        pub.blocks = []  # keep memory flat: blocks are read again when needed

    corrections = read_corrections(settings.corrections_dir)
    recs, evidence = apply_corrections(corrections, {r.review_id for r in reviews}, recs, evidence)
    known = {}
    for r in recs:
        known.setdefault(r.review_id, set()).add(r.number)
    con.execute("BEGIN TRANSACTION")
    try:
        load.sync_reviews(con, reviews)
        load.replace_corrections(con, [c.row() for c in corrections])
        if relevance_rows:
            con.executemany(
                "UPDATE publications SET review_id = ?, relevant = ?, relevance_reason = ? WHERE url = ?",
                relevance_rows,
            )
        load.replace_recommendations(con, recs)
        load.replace_evidence(con, evidence)
        con.execute("DELETE FROM processing_errors WHERE stage = 'extract'")
        for url, error in extract_errors:
            load.record_error(con, url, "extract", error, None)
        _quality_checks(con, reviews, known)
        checkpoint("extract")  # mid-transaction: a crash here must roll back to the previous state
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    summary.recommendations = len(recs)
    summary.evidence = len(evidence)
    summary.corrections_unmatched = sum(1 for c in corrections if not c.applied)


def _quality_checks(con, reviews, known: dict[str, set[int]]) -> None:
    con.execute("DELETE FROM data_quality")
    rows = []
    for review in reviews:
        found = len(known.get(review.review_id, ()))
        if review.expected_recommendations is None:
            rows.append((review.review_id, "recommendation_count", True, f"found {found}; the review states no number"))
        else:
            ok = found == review.expected_recommendations
            rows.append(
                (review.review_id, "recommendation_count", ok,
                 f"found {found} of {review.expected_recommendations} stated")
            )
    con.executemany("INSERT INTO data_quality VALUES (?, ?, ?, ?)", rows)


def process(settings: Settings, summary: RunSummary | None = None) -> RunSummary:
    """Index the archive, parse what changed and extract: everything up to (not including) publishing."""
    summary = summary or RunSummary(run_id=new_run_id())
    con = open_work_db(settings.work_db, settings.sql_dir)
    try:
        summary.indexed = load.index_archive(con, settings.archive_dir)
        load.replace_crawl_state(con, load_all_states(settings))
        tally = ParseTally()
        parse_stage(con, settings, summary, tally)
        extract_stage(con, settings, summary)
        summary.unhealthy = check_sources(con, settings, summary.run_id, tally)
    finally:
        con.close()
    return summary


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def publish_stage(settings: Settings, run_id: str) -> str:
    """Publish the working database as a new warehouse version; returns the version's path."""
    from tracker.warehouse.publish import publish

    return str(publish(settings, run_id))


def outputs_stage(settings: Settings, warehouse: str | None = None) -> dict:
    """Write the dated CSV exports and the HTML briefing from a published warehouse."""
    from pathlib import Path

    from tracker.publish.briefing import write_briefing
    from tracker.publish.exports import export_run
    from tracker.warehouse.publish import open_published

    source = Path(warehouse) if warehouse else settings.warehouse
    con = open_published(source)
    try:
        info = con.execute("SELECT run_id, published_at FROM warehouse_info").fetchone()
        published_at = info[1]
        exports = export_run(con, settings.exports_dir, published_at.date())
        site = write_briefing(con, settings.site_dir, published_at.strftime("%Y-%m-%d %H:%M UTC"))
    finally:
        con.close()
    return {"exports": str(exports), "latest": str(settings.exports_dir / "latest"), "site": str(site)}


def record_run(settings: Settings, summary: RunSummary, started: datetime, mode: str, sources: str, outcome: str) -> None:
    import json

    con = open_work_db(settings.work_db, settings.sql_dir)
    try:
        con.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                summary.run_id,
                started.replace(tzinfo=None),
                datetime.now(timezone.utc).replace(tzinfo=None),
                mode,
                sources,
                outcome,
                json.dumps(summary.as_dict(), default=str),
            ],
        )
    finally:
        con.close()


def run(settings: Settings, offline: bool = True, sources: tuple[str, ...] = (), since=None) -> RunSummary:
    """The whole weekly run under the run lock: fetch (unless offline), process, publish, outputs."""
    from tracker.lock import run_lock

    with run_lock(settings.lock_file):
        started = datetime.now(timezone.utc)
        summary = RunSummary(run_id=new_run_id())
        if not offline:
            from tracker.fetch.crawl import crawl_sources

            summary.notes.extend(crawl_sources(settings, sources, since))
        process(settings, summary)
        record_run(settings, summary, started, "offline" if offline else "live", ",".join(sources), "processed")
        summary.published = publish_stage(settings, summary.run_id)
        outputs_stage(settings)
        return summary
