"""`tracker forget`: withdraw a document from the warehouse, and `--undo` to restore it.

A withdrawal is recorded in the working database (who, when, why) and takes effect on the next run:
the document's publication, evidence, unresolved statements and any recommendations read from it are
left out of the warehouse. The archived bytes stay in the WARC file: evidence is never destroyed.
Capturing the URL again (a live run, `tracker ingest`) does not lift a withdrawal; only `--undo` does.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import duckdb

from tracker.errors import TrackerError
from tracker.settings import Settings
from tracker.warehouse.rows import insert, select


class WithdrawalError(TrackerError, ValueError):
    """A withdrawal that cannot be made or undone (unknown URL, already withdrawn, not withdrawn)."""


@dataclass(frozen=True)
class Withdrawal:
    url: str
    reason: str
    withdrawn_by: str
    withdrawn_at: datetime


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown"


def _active(con: duckdb.DuckDBPyConnection, url: str) -> Withdrawal | None:
    found = select(con, Withdrawal, "withdrawals", "WHERE url = ? AND restored_at IS NULL", [url])
    return found[0] if found else None


def _known(con: duckdb.DuckDBPyConnection, url: str) -> bool:
    return con.execute(
        """SELECT EXISTS (SELECT 1 FROM archive_index WHERE url = ?)
                  OR EXISTS (SELECT 1 FROM publications WHERE url = ? OR capture_url = ?)""",
        [url, url, url],
    ).fetchone()[0]


def _open(settings: Settings):
    from tracker.warehouse.db import open_work_db

    return open_work_db(settings.work_db, settings.sql_dir, settings.duckdb_memory_limit)


def forget(settings: Settings, url: str, reason: str, by: str | None = None, now: datetime | None = None) -> Withdrawal:
    """Record that `url` is withdrawn; raises WithdrawalError for an unknown or already withdrawn URL."""
    from tracker.lock import run_lock
    from tracker.warehouse.load import index_archive

    reason = " ".join(reason.split())
    if not reason:
        raise WithdrawalError("give the reason for the withdrawal with --reason")
    withdrawal = Withdrawal(url=url, reason=reason, withdrawn_by=by or current_user(),
                            withdrawn_at=(now or datetime.now(timezone.utc)).astimezone(timezone.utc))
    with run_lock(settings.lock_file):
        con = _open(settings)
        try:
            # a document ingested since the last run is known too
            index_archive(con, settings.archive_dir, settings.max_record_bytes)
            if not _known(con, url):
                raise WithdrawalError(f"no document with URL {url} in the archive (see the url and capture_url "
                                      "columns of publications)")
            if old := _active(con, url):
                raise WithdrawalError(f"{url} is already withdrawn (by {old.withdrawn_by} on "
                                      f"{old.withdrawn_at:%Y-%m-%d}: {old.reason})")
            # the warehouse's timestamps are UTC without a zone
            insert(con, "withdrawals", [replace(withdrawal, withdrawn_at=withdrawal.withdrawn_at.replace(tzinfo=None))])
        finally:
            con.close()
    return withdrawal


def restore(settings: Settings, url: str, by: str | None = None, now: datetime | None = None) -> Withdrawal:
    """Lift the withdrawal of `url`: the next run parses and reads the document again."""
    from tracker.lock import run_lock

    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    with run_lock(settings.lock_file):
        con = _open(settings)
        try:
            old = _active(con, url)
            if old is None:
                raise WithdrawalError(f"{url} is not withdrawn")
            con.execute("BEGIN TRANSACTION")
            con.execute("UPDATE withdrawals SET restored_by = ?, restored_at = ? WHERE url = ? AND restored_at IS NULL",
                        [by or current_user(), when, url])
            # Its captures were parsed and then left out: forget that, so the next run parses them again.
            con.execute("DELETE FROM parsed_captures WHERE capture_url = ? OR publication_url = ?", [url, url])
            con.execute("COMMIT")
        finally:
            con.close()
    return old


def withdrawn_urls(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The URLs withdrawn now, with the other URL of each document (capture URL or canonical URL)."""
    rows = con.execute(
        """WITH w AS (SELECT url FROM withdrawals WHERE restored_at IS NULL)
           SELECT url FROM w
           UNION SELECT publication_url FROM parsed_captures WHERE capture_url IN (SELECT url FROM w)
           UNION SELECT capture_url FROM parsed_captures WHERE publication_url IN (SELECT url FROM w)"""
    ).fetchall()
    return {url for (url,) in rows if url}


def drop_withdrawn(con: duckdb.DuckDBPyConnection) -> int:
    """Leave withdrawn documents out of the working database's publications and what was read from them.

    Their parsed_captures rows stay, so an unchanged withdrawn capture is not parsed again every run.
    Returns how many publications were dropped.
    """
    import pyarrow as pa

    urls = sorted(withdrawn_urls(con))
    if not urls:
        return 0
    con.register("withdrawn_urls", pa.table({"url": pa.array(urls, pa.string())}))
    con.execute("BEGIN TRANSACTION")
    try:
        dropped = con.execute(
            "SELECT count(*) FROM publications WHERE url IN (SELECT url FROM withdrawn_urls)").fetchone()[0]
        for table, column in (("document_blocks", "url"), ("attachments", "publication_url"),
                              ("extraction_state", "url"), ("rule_evidence", "source_url"),
                              ("rule_unresolved", "source_url"), ("publications", "url")):
            con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT url FROM withdrawn_urls)")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("withdrawn_urls")
    return dropped
