"""Bulk loads into the working database: the archive index, publications, recommendations, evidence.

Every scraped value goes in as a parameter; no SQL string is built from data.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from tracker.fetch.archive import iter_records, sha256_file, warc_files
from tracker.items import Evidence, Publication, Recommendation, Review


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
    """The newest successful capture of each URL: (url, warc_file, offset, sha256, content_type)."""
    return con.execute(
        """
        WITH ranked AS (
            SELECT url, warc_file, warc_offset, sha256, content_type,
                   row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, warc_file DESC, warc_offset DESC) AS rn
            FROM archive_index
            WHERE status = 200
        )
        SELECT url, warc_file, warc_offset, sha256, content_type FROM ranked WHERE rn = 1 ORDER BY url
        """
    ).fetchall()


def store_publication(
    con: duckdb.DuckDBPyConnection, pub: Publication, warc_file: str, offset: int, parser_version: int
) -> None:
    """Replace one publication, its blocks and links, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM document_blocks WHERE url = ?", [pub.url])
        con.execute("DELETE FROM attachments WHERE publication_url = ?", [pub.url])
        con.execute("DELETE FROM publications WHERE url = ?", [pub.url])
        con.execute(
            """INSERT INTO publications (url, source, title, published_on, document_type, fetched_at,
                   content_sha256, capture_url, warc_file, warc_offset, updated_on, authors, topics,
                   summary, parent_url, has_text, parser_version)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            [
                pub.url, pub.source, pub.title, pub.published_on, pub.document_type,
                _naive_utc(pub.fetched_at), pub.content_sha256, pub.capture_url, warc_file, offset,
                pub.updated_on, list(pub.authors), list(pub.topics), pub.summary, pub.parent_url,
                pub.has_text, parser_version,
            ],
        )
        if pub.blocks:
            con.executemany(
                "INSERT INTO document_blocks VALUES (?,?,?,?,?,?,?,?)",
                [(pub.url, i, b.kind, b.level, b.label, b.page, b.role, b.text) for i, b in enumerate(pub.blocks)],
            )
        links = {a.url: (pub.url, a.url, "attachment", a.title, a.content_type) for a in pub.attachments}
        for child in pub.children:
            links.setdefault(child, (pub.url, child, "child", None, None))
        if links:
            con.executemany("INSERT INTO attachments VALUES (?,?,?,?,?)", list(links.values()))
        con.execute(
            "INSERT OR REPLACE INTO parsed_captures VALUES (?, ?, ?, ?)",
            [pub.capture_url, pub.content_sha256, parser_version, pub.url],
        )
        con.execute("DELETE FROM processing_errors WHERE url = ? AND stage = 'parse'", [pub.capture_url])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def record_error(con: duckdb.DuckDBPyConnection, url: str, stage: str, error: str, captured_at) -> None:
    con.execute(
        "INSERT OR REPLACE INTO processing_errors VALUES (?, ?, ?, ?)",
        [url, stage, error[:2000], _naive_utc(captured_at)],
    )


def sync_reviews(con: duckdb.DuckDBPyConnection, reviews: tuple[Review, ...]) -> None:
    con.execute("DELETE FROM reviews")
    con.executemany(
        "INSERT INTO reviews VALUES (?,?,?,?,?,?,?)",
        [
            (r.review_id, r.title, r.publisher, r.published_on, r.url, r.expected_recommendations, r.kind)
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
    con.execute("DELETE FROM status_evidence")
    if evidence:
        con.executemany(
            "INSERT INTO status_evidence VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (e.review_id, e.number, e.axis, e.status, e.quote, e.source_url, e.published_on, e.method, e.confidence)
                for e in sorted(evidence, key=lambda e: (e.review_id, e.number, e.axis, e.source_url, e.quote))
            ],
        )


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
