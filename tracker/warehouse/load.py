"""Bulk loads into the working database: the archive index, publications, recommendations, evidence.

Every scraped value goes in as a parameter; no SQL string is built from data.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from tracker.fetch.archive import iter_records, sha256_file, warc_files
from tracker.items import Evidence, Publication, Recommendation, Review, Unresolved


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def index_archive(con: duckdb.DuckDBPyConnection, archive_dir: Path) -> int:
    """Index WARC files not indexed yet (closed files never change); returns records added."""
    done = {row[0] for row in con.execute("SELECT warc_file FROM archive_files").fetchall()}
    added = 0
    for path in warc_files(archive_dir):
        if path.name in done:
            continue
        rows = []
        problem = None
        try:
            for info, _ in iter_records(path, with_body=False):
                rows.append(
                    (
                        info.warc_file, info.offset, info.url, _naive_utc(info.fetched_at), info.status,
                        info.content_type, info.sha256, info.source, info.published_hint, info.etag,
                        info.last_modified,
                    )
                )
        except Exception as exc:  # a record cut short: keep what was readable, report the rest
            problem = f"{type(exc).__name__}: {exc}; {len(rows)} records before it were indexed"
        con.execute("BEGIN TRANSACTION")
        if problem:
            record_error(con, f"warc:{path.name}", "index", problem, None)
        if rows:
            con.executemany("INSERT OR REPLACE INTO archive_index VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        con.execute(
            "INSERT INTO archive_files VALUES (?, ?, ?, ?)",
            [path.name, sha256_file(path), len(rows), _naive_utc(datetime.now(timezone.utc))],
        )
        con.execute("COMMIT")
        added += len(rows)
    return added


def latest_captures(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The newest successful capture of each URL: (url, warc_file, offset, sha256, content_type, published_hint)."""
    return con.execute(
        """
        WITH ranked AS (
            SELECT url, warc_file, warc_offset, sha256, content_type, published_hint,
                   row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, warc_file DESC, warc_offset DESC) AS rn
            FROM archive_index
            WHERE status = 200
        )
        SELECT url, warc_file, warc_offset, sha256, content_type, published_hint FROM ranked WHERE rn = 1 ORDER BY url
        """
    ).fetchall()


def store_publications(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[Publication, str, int, date | None]], parser_version: int
) -> None:
    """Replace a batch of publications, their blocks and links in one transaction, in bulk (Arrow).

    Each item is (publication, WARC file, offset, the publication date recorded with the capture).
    """
    latest: dict[str, tuple[Publication, str, int, date | None]] = {}
    for item in batch:  # two captures of one canonical URL in a batch: the later one wins
        latest[item[0].url] = item
    pubs = [item[0] for item in latest.values()]
    publications = pa.table({
        "url": [p.url for p in pubs],
        "source": [p.source for p in pubs],
        "title": [p.title for p in pubs],
        "published_on": pa.array([p.published_on for p in pubs], pa.date32()),
        "document_type": [p.document_type for p in pubs],
        "fetched_at": pa.array([_naive_utc(p.fetched_at) for p in pubs], pa.timestamp("us")),
        "content_sha256": [p.content_sha256 for p in pubs],
        "capture_url": [p.capture_url for p in pubs],
        "warc_file": [latest[p.url][1] for p in pubs],
        "warc_offset": pa.array([latest[p.url][2] for p in pubs], pa.int64()),
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
    link_rows = {}
    for p in pubs:
        for a in p.attachments:
            link_rows.setdefault((p.url, a.url), (p.url, a.url, "attachment", a.title, a.content_type))
        for child in p.children:
            link_rows.setdefault((p.url, child), (p.url, child, "child", None, None))
    links = pa.table({name: pa.array([r[i] for r in link_rows.values()], pa.string())
                      for i, name in enumerate(("publication_url", "url", "relation", "title", "content_type"))})
    parsed = pa.table({
        "capture_url": [p.capture_url for p in pubs],
        "sha256": [p.content_sha256 for p in pubs],
        "parser_version": pa.array([parser_version] * len(pubs), pa.int32()),
        "publication_url": [p.url for p in pubs],
        "published_hint": pa.array([latest[p.url][3] for p in pubs], pa.date32()),
    })
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in (("batch_publications", publications), ("batch_blocks", blocks),
                            ("batch_links", links), ("batch_parsed", parsed)):
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
        con.execute(f"INSERT INTO publications ({', '.join(publications.column_names)}) SELECT * FROM batch_publications")
        con.execute("INSERT INTO document_blocks SELECT * FROM batch_blocks")
        con.execute("INSERT INTO attachments SELECT * FROM batch_links")
        con.execute("DELETE FROM parsed_captures WHERE capture_url IN (SELECT capture_url FROM batch_parsed)")
        con.execute(f"INSERT INTO parsed_captures ({', '.join(parsed.column_names)}) SELECT * FROM batch_parsed")
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
    con.execute(
        "INSERT OR REPLACE INTO processing_errors (url, stage, error, captured_at, content_sha256, breach) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [url, stage, error[:2000], _naive_utc(captured_at), content_sha256 or None, breach],
    )


def held_breaches(con: duckdb.DuckDBPyConnection, stage: str) -> dict[str, str]:
    """url -> the content hash a limit breach was recorded for, at one stage."""
    return dict(con.execute(
        "SELECT url, content_sha256 FROM processing_errors WHERE stage = ? AND breach IS NOT NULL "
        "AND content_sha256 IS NOT NULL", [stage]
    ).fetchall())


def sync_reviews(con: duckdb.DuckDBPyConnection, reviews: tuple[Review, ...]) -> None:
    con.execute("DELETE FROM reviews")
    con.executemany(
        """INSERT INTO reviews (review_id, title, publisher, published_on, url, expected_recommendations, kind,
                                short_name, documents, origin) VALUES (?,?,?,?,?,?,?,?,?,?)""",
        [
            (r.review_id, r.title, r.publisher, r.published_on, r.url, r.expected_recommendations, r.kind,
             r.short_name or r.title, list(r.documents), r.origin)
            for r in reviews
        ],
    )


def replace_recommendations(con: duckdb.DuckDBPyConnection, recs: list[Recommendation]) -> None:
    con.execute("DELETE FROM recommendations")
    if recs:
        con.executemany(
            "INSERT INTO recommendations VALUES (?,?,?,?,?,?,?,?)",
            [(r.review_id, r.number, r.text, r.theme, r.source_url, r.page, r.ref, r.method) for r in recs],
        )


def replace_evidence(con: duckdb.DuckDBPyConnection, evidence: list[Evidence]) -> None:
    """Replace status_evidence; every row is attributed (publisher, cited_as) and an analyst's row takes the
    speaker of the source it cites."""
    con.execute("DELETE FROM status_evidence")
    if evidence:
        cited = _Attribution(con)
        rows = []
        for e in sorted(evidence, key=lambda e: (e.review_id, e.number, e.axis, e.source_url, e.quote, e.method)):
            speaker, publisher, cited_as = cited(e.source_url, e.published_on)
            rows.append((*_evidence_row(e)[:-1], e.speaker or speaker, publisher, cited_as))
        con.executemany(
            f"INSERT INTO status_evidence ({EVIDENCE_COLUMNS}, publisher, cited_as) VALUES ({', '.join('?' * 12)})", rows,
        )


class _Attribution:
    """source_url -> (speaker kind, publisher name, citation), from the publications table when it holds
    the document, else from the URL's host."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.pubs = {url: (speaker, publisher, title) for url, speaker, publisher, title in con.execute(
            "SELECT url, speaker, publisher, title FROM publications").fetchall()}

    def __call__(self, url: str, published_on) -> tuple[str, str, str]:
        from tracker.publishers import cite, publisher_of

        speaker, publisher, title = self.pubs.get(url) or (None, None, None)
        if not publisher:
            found = publisher_of(url)
            speaker, publisher = speaker or found.kind, found.name
        return speaker, publisher, cite(publisher, title, published_on)


def refresh_publishers(con: duckdb.DuckDBPyConnection, publishers: dict) -> None:
    """Write each publication's speaker kind and publisher name (url -> tracker.publishers.Publisher)."""
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
                 AND (publications.speaker IS DISTINCT FROM b.speaker OR publications.publisher IS DISTINCT FROM b.publisher)"""
        )
    finally:
        con.unregister("batch_publishers")


def replace_corrections(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute("DELETE FROM corrections")
    if rows:
        con.executemany("INSERT INTO corrections VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)


CRAWL_COLUMNS = (
    "source", "url", "last_status", "etag", "last_modified", "sha256", "capture_warc", "capture_url",
    "last_fetched", "last_changed", "unchanged", "consecutive_failures", "last_error", "skipped",
)


def replace_crawl_state(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Copy the fetcher's per-source JSON state files into the crawl_state table."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM crawl_state")
    if rows:
        con.executemany(
            f"INSERT INTO crawl_state ({', '.join(CRAWL_COLUMNS)}) VALUES ({', '.join('?' * len(CRAWL_COLUMNS))})",
            [tuple(row.get(c) for c in CRAWL_COLUMNS) for row in rows],
        )
    con.execute("COMMIT")


EVIDENCE_COLUMNS = "review_id, number, axis, status, quote, source_url, published_on, method, confidence, speaker"
UNRESOLVED_COLUMNS = "review_id, quote, source_url, published_on, predicate, axis, status, why, speaker"


def insert_rule_evidence(con: duckdb.DuckDBPyConnection, evidence: list[Evidence]) -> None:
    if evidence:
        con.executemany(f"INSERT INTO rule_evidence ({EVIDENCE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        [_evidence_row(e) for e in evidence])


def read_rule_evidence(con: duckdb.DuckDBPyConnection) -> list[Evidence]:
    return [Evidence(*row) for row in con.execute(f"SELECT {EVIDENCE_COLUMNS} FROM rule_evidence").fetchall()]


def insert_rule_unresolved(con: duckdb.DuckDBPyConnection, rows: list[Unresolved]) -> None:
    if rows:
        con.executemany(f"INSERT INTO rule_unresolved ({UNRESOLVED_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                        [(u.review_id, u.quote, u.source_url, u.published_on, u.predicate, u.axis, u.status, u.why,
                          u.speaker) for u in rows])


def replace_unresolved(con: duckdb.DuckDBPyConnection) -> None:
    """Publish the cached unresolved statements, minus those an analyst's correction now covers."""
    con.execute("DELETE FROM unresolved_statements")
    rows = con.execute(
        f"""SELECT {UNRESOLVED_COLUMNS} FROM rule_unresolved u
            WHERE NOT EXISTS (SELECT 1 FROM status_evidence e
                              WHERE e.method = 'analyst' AND e.source_url = u.source_url AND e.review_id = u.review_id
                                AND e.quote = u.quote)
            ORDER BY review_id, source_url, quote"""
    ).fetchall()
    if rows:
        cited = _Attribution(con)
        con.executemany(
            f"INSERT INTO unresolved_statements ({UNRESOLVED_COLUMNS}, publisher, cited_as) VALUES ({', '.join('?' * 11)})",
            [(*row, *cited(row[2], row[3])[1:]) for row in rows],
        )


def sync_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """Write the status and speaker vocabularies from tracker/vocabulary.py, their one home."""
    from tracker.vocabulary import SPEAKER_LABELS, SPEAKER_STANCE, STATUSES, label

    con.execute("DELETE FROM status_vocabulary")
    con.executemany("INSERT INTO status_vocabulary (axis, status, position, label) VALUES (?, ?, ?, ?)",
                    [(axis, s, i, label(s)) for axis, statuses in STATUSES.items() for i, s in enumerate(statuses)])
    con.execute("DELETE FROM speaker_vocabulary")
    con.executemany("INSERT INTO speaker_vocabulary (speaker, stance, position, label) VALUES (?, ?, ?, ?)",
                    [(s, stance, i, SPEAKER_LABELS[s]) for i, (s, stance) in enumerate(SPEAKER_STANCE.items())])


def _evidence_row(e: Evidence) -> tuple:
    return (e.review_id, e.number, e.axis, e.status, e.quote, e.source_url, e.published_on, e.method, e.confidence,
            e.speaker or None)
