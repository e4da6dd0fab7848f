"""Bulk loads into the working database: the archive index, publications, recommendations, evidence.

Every scraped value goes in as a parameter; no SQL string is built from data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from tracker.dates import implausible
from tracker.fetch.archive import iter_records, sha256_file, warc_files
from tracker.items import Evidence, Publication, Recommendation, Review, Unresolved
from tracker.speakers import cite, publisher_of
from tracker.warehouse.db import write_vocabularies
from tracker.warehouse.rows import column_names, insert, select


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


@dataclass(frozen=True)
class IndexedRecord:
    """One archive_index row: where a response record is in the archive, what it holds."""

    warc_file: str
    warc_offset: int
    url: str
    fetched_at: datetime | None
    status: int | None
    content_type: str | None
    sha256: str | None
    source: str | None
    published_hint: date | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class ArchiveFile:
    """One archive_files row: a WARC file indexed, so it is never read for the index again."""

    warc_file: str
    sha256: str
    records: int
    indexed_at: datetime | None


@dataclass(frozen=True)
class ProcessingError:
    """One processing_errors row; with `breach` (memory, time, crash) not retried until its bytes change."""

    url: str
    stage: str
    error: str
    captured_at: datetime | None = None
    content_sha256: str | None = None
    breach: str | None = None


@dataclass(frozen=True)
class AttributedEvidence(Evidence):
    """A status_evidence row: a statement with the publisher it is attributed to and its citation."""

    publisher: str | None = None
    cited_as: str | None = None


@dataclass(frozen=True)
class AttributedUnresolved(Unresolved):
    """An unresolved_statements row: an unresolved statement with its publisher and citation."""

    publisher: str | None = None
    cited_as: str | None = None


@dataclass(frozen=True)
class CrawlStateRow:
    """One crawl_state row: the fetcher's state of one URL, copied from its per-source JSON file."""

    source: str
    url: str
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    capture_warc: str | None = None
    capture_url: str | None = None
    last_fetched: str | None = None
    last_changed: str | None = None
    unchanged: bool | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    skipped: str | None = None


def index_archive(con: duckdb.DuckDBPyConnection, archive_dir: Path, max_record_bytes: int | None = None) -> int:
    """Index WARC files not indexed yet (closed files never change); returns records added.

    Bodies are hashed a chunk at a time; a record over `max_record_bytes` ends the file's index like a
    corrupt one (`tracker import-warc` refuses such files, so only a file put in the folder by hand has one)."""
    done = {row[0] for row in con.execute("SELECT warc_file FROM archive_files").fetchall()}
    added = 0
    for path in warc_files(archive_dir):
        if path.name in done:
            continue
        rows = []
        problem = None
        future = []
        try:
            for info, _ in iter_records(path, with_body=False, max_record_bytes=max_record_bytes):
                if implausible(info.fetched_at):  # dated 2999, it would be the newest capture of its URL for ever
                    future.append(info)
                    continue
                rows.append(IndexedRecord(
                    warc_file=info.warc_file, warc_offset=info.offset, url=info.url,
                    fetched_at=_naive_utc(info.fetched_at), status=info.status, content_type=info.content_type,
                    sha256=info.sha256, source=info.source, published_hint=info.published_hint, etag=info.etag,
                    last_modified=info.last_modified,
                ))
        except Exception as exc:  # a record cut short: keep what was readable, report the rest
            problem = f"{type(exc).__name__}: {exc}; {len(rows)} records before it were indexed"
        con.execute("BEGIN TRANSACTION")
        if problem:
            record_error(con, f"warc:{path.name}", "index", problem, None)
        for info in future:
            record_error(con, info.url, "index", f"{path.name}: not indexed: its record is dated "
                         f"{info.fetched_at.isoformat()}, which {implausible(info.fetched_at)}", None)
        insert(con, "archive_index", rows, replace=True)
        insert(con, "archive_files", [ArchiveFile(path.name, sha256_file(path), len(rows),
                                                  _naive_utc(datetime.now(timezone.utc)))])
        con.execute("COMMIT")
        added += len(rows)
    return added


@dataclass(frozen=True)
class LatestCapture:
    """The newest successful capture of one URL: where it is in the archive and what it holds."""

    url: str
    warc_file: str
    warc_offset: int
    sha256: str | None
    content_type: str | None
    published_hint: date | None


def latest_captures(con: duckdb.DuckDBPyConnection) -> list[LatestCapture]:
    """The newest successful capture of each URL, by URL."""
    return select(con, LatestCapture, """(
        SELECT *, row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, warc_file DESC, warc_offset DESC) AS rn
        FROM archive_index
        WHERE status = 200)""", "WHERE rn = 1 ORDER BY url")


@dataclass(frozen=True)
class ParsedPublication:
    """A publication parsed from one capture, with where that capture is and the publication date recorded
    with it (`tracker ingest --published`)."""

    publication: Publication
    warc_file: str
    warc_offset: int
    published_hint: date | None


def store_publications(con: duckdb.DuckDBPyConnection, batch: list[ParsedPublication], parser_version: int) -> None:
    """Replace a batch of publications, their blocks and links in one transaction, in bulk (Arrow)."""
    latest: dict[str, ParsedPublication] = {}
    for item in batch:  # two captures of one canonical URL in a batch: the later one wins
        latest[item.publication.url] = item
    pubs = [item.publication for item in latest.values()]
    publications = pa.table({
        "url": [p.url for p in pubs],
        "source": [p.source for p in pubs],
        "title": [p.title for p in pubs],
        "published_on": pa.array([p.published_on for p in pubs], pa.date32()),
        "document_type": [p.document_type for p in pubs],
        "fetched_at": pa.array([_naive_utc(p.fetched_at) for p in pubs], pa.timestamp("us")),
        "content_sha256": [p.content_sha256 for p in pubs],
        "capture_url": [p.capture_url for p in pubs],
        "warc_file": [latest[p.url].warc_file for p in pubs],
        "warc_offset": pa.array([latest[p.url].warc_offset for p in pubs], pa.int64()),
        "updated_on": pa.array([p.updated_on for p in pubs], pa.date32()),
        "authors": pa.array([list(p.authors) for p in pubs], pa.list_(pa.string())),
        "topics": pa.array([list(p.topics) for p in pubs], pa.list_(pa.string())),
        "summary": [p.summary for p in pubs],
        "parent_url": pa.array([p.parent_url for p in pubs], pa.string()),
        "has_text": [p.has_text for p in pubs],
        "parser_version": pa.array([parser_version] * len(pubs), pa.int32()),
    })
    blocks = pa.table({
        "url": [p.url for p in pubs for _ in p.blocks],
        "seq": pa.array([i for p in pubs for i in range(len(p.blocks))], pa.int32()),
        "kind": [b.kind for p in pubs for b in p.blocks],
        "level": pa.array([b.level for p in pubs for b in p.blocks], pa.int32()),
        "label": [b.label for p in pubs for b in p.blocks],
        "page": pa.array([b.page for p in pubs for b in p.blocks], pa.int32()),
        "role": [b.role for p in pubs for b in p.blocks],
        "text": [b.text for p in pubs for b in p.blocks],
    })
    links: dict[tuple[str, str], dict] = {}
    for p in pubs:
        for a in p.attachments:
            links.setdefault((p.url, a.url), {"publication_url": p.url, "url": a.url, "relation": "attachment",
                                              "title": a.title, "content_type": a.content_type})
        for child in p.children:
            links.setdefault((p.url, child), {"publication_url": p.url, "url": child, "relation": "child",
                                              "title": None, "content_type": None})
    link_table = pa.Table.from_pylist(list(links.values()), schema=pa.schema(
        (name, pa.string()) for name in ("publication_url", "url", "relation", "title", "content_type")))
    parsed = pa.table({
        "capture_url": [p.capture_url for p in pubs],
        "sha256": [p.content_sha256 for p in pubs],
        "parser_version": pa.array([parser_version] * len(pubs), pa.int32()),
        "publication_url": [p.url for p in pubs],
        "published_hint": pa.array([latest[p.url].published_hint for p in pubs], pa.date32()),
    })
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in (("batch_publications", publications), ("batch_blocks", blocks),
                            ("batch_links", link_table), ("batch_parsed", parsed)):
            con.register(name, table)
        # A new publication date changes what the document's evidence says: read it again.
        con.execute(
            """DELETE FROM extraction_state WHERE url IN (
                   SELECT b.url FROM batch_publications b JOIN publications p ON p.url = b.url
                   WHERE p.published_on IS DISTINCT FROM b.published_on)"""
        )
        con.execute("DELETE FROM document_blocks WHERE url IN (SELECT url FROM batch_publications)")
        con.execute("DELETE FROM attachments WHERE publication_url IN (SELECT url FROM batch_publications)")
        con.execute("DELETE FROM publications WHERE url IN (SELECT url FROM batch_publications)")
        con.execute("INSERT INTO publications BY NAME SELECT * FROM batch_publications")
        con.execute("INSERT INTO document_blocks BY NAME SELECT * FROM batch_blocks")
        con.execute("INSERT INTO attachments BY NAME SELECT * FROM batch_links")
        con.execute("DELETE FROM parsed_captures WHERE capture_url IN (SELECT capture_url FROM batch_parsed)")
        con.execute("INSERT INTO parsed_captures BY NAME SELECT * FROM batch_parsed")
        con.execute(
            "DELETE FROM processing_errors WHERE stage = 'parse' AND url IN (SELECT capture_url FROM batch_parsed)"
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("batch_publications", "batch_blocks", "batch_links", "batch_parsed"):
            con.unregister(name)


def record_error(con: duckdb.DuckDBPyConnection, url: str, stage: str, error: str, captured_at,
                 content_sha256: str | None = None, breach: str | None = None) -> None:
    """One failed document; with `breach` (memory, time, crash) it is not retried until its bytes change."""
    record_errors(con, [ProcessingError(url, stage, error, captured_at, content_sha256, breach)])


def record_errors(con: duckdb.DuckDBPyConnection, errors: list[ProcessingError]) -> None:
    insert(con, "processing_errors", [
        replace(e, error=e.error[:2000], captured_at=_naive_utc(e.captured_at), content_sha256=e.content_sha256 or None)
        for e in errors
    ], replace=True)


def held_breaches(con: duckdb.DuckDBPyConnection, stage: str) -> dict[str, str]:
    """url -> the content hash a limit breach was recorded for, at one stage."""
    return dict(con.execute(
        "SELECT url, content_sha256 FROM processing_errors WHERE stage = ? AND breach IS NOT NULL "
        "AND content_sha256 IS NOT NULL", [stage]
    ).fetchall())


# The registry's fields the reviews table keeps (aliases, paragraphs and surname only serve the rules).
REVIEW_COLUMNS = ("review_id", "title", "publisher", "published_on", "url", "expected_recommendations", "kind",
                  "short_name", "documents", "origin")


def sync_reviews(con: duckdb.DuckDBPyConnection, reviews: tuple[Review, ...]) -> None:
    con.execute("DELETE FROM reviews")
    insert(con, "reviews", [replace(r, short_name=r.short_name or r.title) for r in reviews], columns=REVIEW_COLUMNS)


def replace_recommendations(con: duckdb.DuckDBPyConnection, recs: list[Recommendation]) -> None:
    con.execute("DELETE FROM recommendations")
    insert(con, "recommendations", recs)


def replace_evidence(con: duckdb.DuckDBPyConnection, evidence: list[Evidence]) -> None:
    """Replace status_evidence; every row is attributed (publisher, cited_as) and an analyst's row takes the
    speaker of the source it cites."""
    con.execute("DELETE FROM status_evidence")
    if evidence:
        insert(con, "status_evidence", _Attribution(con).evidence(
            sorted(evidence, key=lambda e: (e.review_id, e.number, e.axis, e.source_url, e.quote, e.method))))


class _Attribution:
    """source_url -> (speaker kind, publisher name, citation), from the publications table when it holds
    the document, else from the URL's host."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.pubs = {url: (speaker, publisher, title) for url, speaker, publisher, title in con.execute(
            "SELECT url, speaker, publisher, title FROM publications").fetchall()}

    def __call__(self, url: str, published_on) -> tuple[str, str, str]:
        speaker, publisher, title = self.pubs.get(url) or (None, None, None)
        if not publisher:
            found = publisher_of(url)
            speaker, publisher = speaker or found.kind, found.name
        return speaker, publisher, cite(publisher, title, published_on)

    def evidence(self, rows: list[Evidence]) -> list[AttributedEvidence]:
        out = []
        for e in rows:
            speaker, publisher, cited_as = self(e.source_url, e.published_on)
            out.append(AttributedEvidence(**{**_fields(e), "speaker": e.speaker or speaker}, publisher=publisher,
                                          cited_as=cited_as))
        return out

    def unresolved(self, rows: list[Unresolved]) -> list[AttributedUnresolved]:
        return [AttributedUnresolved(**_fields(u), publisher=publisher, cited_as=cited_as)
                for u in rows for _, publisher, cited_as in [self(u.source_url, u.published_on)]]


def refresh_publishers(con: duckdb.DuckDBPyConnection, publishers: dict) -> None:
    """Write each publication's speaker kind and publisher name (url -> tracker.speakers.Publisher)."""
    if not publishers:
        return
    table = pa.table({
        "url": list(publishers),
        "speaker": [p.kind for p in publishers.values()],
        "publisher": [p.name for p in publishers.values()],
    })
    con.register("batch_publishers", table)
    try:
        con.execute(
            """UPDATE publications SET speaker = b.speaker, publisher = b.publisher FROM batch_publishers AS b
               WHERE publications.url = b.url
                 AND (publications.speaker IS DISTINCT FROM b.speaker
                      OR publications.publisher IS DISTINCT FROM b.publisher)"""
        )
    finally:
        con.unregister("batch_publishers")


def replace_corrections(con: duckdb.DuckDBPyConnection, corrections: list) -> None:
    """Every analyst correction read this run (tracker.corrections.Correction: its fields are the columns)."""
    con.execute("DELETE FROM corrections")
    insert(con, "corrections", corrections)


CRAWL_COLUMNS = column_names(CrawlStateRow)


def replace_crawl_state(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Copy the fetcher's per-source JSON state files into the crawl_state table."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM crawl_state")
    insert(con, "crawl_state", [CrawlStateRow(**{c: row.get(c) for c in CRAWL_COLUMNS}) for row in rows])
    con.execute("COMMIT")


def insert_rule_evidence(con: duckdb.DuckDBPyConnection, evidence: list[Evidence]) -> None:
    insert(con, "rule_evidence", [replace(e, speaker=e.speaker or None, basis=e.basis or None) for e in evidence])


def read_rule_evidence(con: duckdb.DuckDBPyConnection) -> list[Evidence]:
    return select(con, Evidence, "rule_evidence")


def insert_rule_unresolved(con: duckdb.DuckDBPyConnection, rows: list[Unresolved]) -> None:
    insert(con, "rule_unresolved", rows)


def replace_unresolved(con: duckdb.DuckDBPyConnection) -> None:
    """Publish the cached unresolved statements, minus those an analyst's correction now covers."""
    con.execute("DELETE FROM unresolved_statements")
    rows = select(con, Unresolved, "rule_unresolved AS u", """
        WHERE NOT EXISTS (SELECT 1 FROM status_evidence e
                          WHERE e.method = 'analyst' AND e.source_url = u.source_url AND e.review_id = u.review_id
                            AND e.quote = u.quote)
        ORDER BY review_id, source_url, quote""")
    if rows:
        insert(con, "unresolved_statements", _Attribution(con).unresolved(rows))


def sync_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """Write the status and speaker vocabularies from tracker/vocabulary.py, their one home."""
    write_vocabularies(con)


def _fields(row) -> dict:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}
