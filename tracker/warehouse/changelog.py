"""The change log: every change ever detected, recorded once, by the publish that first saw it.

Each publish compares the working database with the newest version already published (the state
the last publish recorded) and appends what differs to `change_log`, with its run and the version
it is published in; the log is then copied into the new version like every published table. A run
that finds nothing new appends nothing, so retries and manual runs never wipe earlier changes.

A publish that dies before its version file exists leaves rows for a version newer than anything
published: the next publish drops them and detects the same changes again, so no change is logged
twice and none is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from tracker.warehouse.db import connect, sql_literal, warehouse_info
from tracker.warehouse.rows import insert

COLUMNS = (
    "change_type",
    "review_id",
    "number",
    "axis",
    "before",
    "after",
    "published_on",
    "source_url",
    "title_or_quote",
)
# Which run and version first saw a change, and when that version was published (UTC).
FOUND_BY = ("detected_at", "run_id", "version_file")

# The order change types are listed in (most important first) and how the briefing names them.
CHANGE_TYPES = {
    "status_change": "Status changes",
    "new_evidence": "New evidence",
    "withdrawn_evidence": "Evidence no longer found",
    "new_recommendation": "New recommendations",
    "removed_recommendation": "Recommendations no longer found",
    "new_publication": "New publications",
    "updated_publication": "Updated publications",
    "withdrawn_publication": "Publications withdrawn",
}
TYPE_ORDER = "CASE change_type " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(CHANGE_TYPES)) + " END"
ROW_ORDER = (
    f"{TYPE_ORDER}, review_id NULLS LAST, number NULLS FIRST, axis NULLS FIRST, published_on NULLS FIRST, "
    "source_url, title_or_quote"
)
DIFF_MEMORY = "1GB"  # the change-log diff's cap: its working set is the small published tables, not the archive
VERSION_NAME = re.compile(r"^tracker-\d{8}T\d{6}\.duckdb$")


@dataclass(frozen=True)
class PublishedRun:
    """The `runs` columns publishing writes: what was published and when."""

    run_id: str
    started_at: datetime
    run_type: str
    version_file: str
    published_at: datetime

# Each recommendation's headline status per axis, read from recommendation_status itself so a change is
# exactly a change of what the tables show (its ranking lives in sql/views/003 and 005 only). The current
# state also gives the statement the status rests on; a previous version only its statuses (every
# published version has the view, whatever its columns).
_CURRENT_HEADLINE = " UNION ALL ".join(
    f"""SELECT review_id, number, '{axis}' AS axis, {axis}_status AS status,
           CASE {axis}_basis WHEN 'official' THEN official_{axis}_published_on
                ELSE independent_{axis}_published_on END AS published_on,
           CASE {axis}_basis WHEN 'official' THEN official_{axis}_source_url
                ELSE independent_{axis}_source_url END AS source_url,
           CASE {axis}_basis WHEN 'official' THEN official_{axis}_quote ELSE independent_{axis}_quote END AS quote
       FROM recommendation_status WHERE {axis}_basis IS NOT NULL"""
    for axis in ("response", "implementation")
)
_PREVIOUS_HEADLINE = (
    "SELECT review_id, number, 'response' AS axis, response_status AS status FROM prev.main.recommendation_status "
    "UNION ALL SELECT review_id, number, 'implementation', implementation_status FROM prev.main.recommendation_status"
)

_EVIDENCE_KEY = "review_id, number, axis, status, quote, source_url, published_on"
_PUBLICATION_KEY = "url, content_sha256, review_id, published_on, title"


def stage_headlines(con: duckdb.DuckDBPyConnection, has_previous: bool) -> None:
    """Materialise both headline states as temp tables first: evaluated inside the one diff query, the
    status views' many operators would each claim their share of the pipeline's small memory cap."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE cur_headline AS {_CURRENT_HEADLINE}")
    if has_previous:
        con.execute(f"CREATE OR REPLACE TEMP TABLE prev_headline AS {_PREVIOUS_HEADLINE}")


def changes_sql(has_previous: bool) -> str:
    """What differs between the current tables (unqualified) and `prev` (attached), one row per change,
    in digest order, with `ordinal` numbering them. Without a previous state everything is new.
    stage_headlines(con, has_previous) must have run on the connection."""
    prev_latest = "SELECT * FROM prev_headline" if has_previous else (
        "SELECT NULL::VARCHAR AS review_id, NULL::INTEGER AS number, NULL::VARCHAR AS axis, NULL::VARCHAR AS status "
        "WHERE false"
    )
    prev_evidence = (
        f"SELECT {_EVIDENCE_KEY} FROM prev.main.status_evidence" if has_previous
        else f"SELECT {_EVIDENCE_KEY} FROM status_evidence WHERE false"
    )
    prev_recs = (
        "SELECT review_id, number, text, source_url FROM prev.main.recommendations" if has_previous
        else "SELECT review_id, number, text, source_url FROM recommendations WHERE false"
    )
    prev_pubs = (
        f"SELECT {_PUBLICATION_KEY} FROM prev.main.publications" if has_previous
        else f"SELECT {_PUBLICATION_KEY} FROM publications WHERE false"
    )
    return f"""
WITH cur_latest AS (SELECT * FROM cur_headline),
prev_latest AS ({prev_latest}),
axes AS (SELECT axis, status AS default_status FROM status_vocabulary WHERE is_default),
cur_recs AS (SELECT review_id, number, text, source_url FROM recommendations),
prev_recs AS ({prev_recs}),
prev_pubs AS ({prev_pubs}),
statuses AS (
    SELECT
        r.review_id, r.number, a.axis,
        coalesce(p.status, a.default_status) AS before,
        coalesce(c.status, a.default_status) AS after,
        c.published_on, c.source_url, c.quote
    FROM cur_recs AS r
    CROSS JOIN axes AS a
    LEFT JOIN cur_latest AS c ON c.review_id = r.review_id AND c.number = r.number AND c.axis = a.axis
    LEFT JOIN prev_latest AS p ON p.review_id = r.review_id AND p.number = r.number AND p.axis = a.axis
),
status_change AS (
    SELECT 'status_change' AS change_type, review_id, number, axis, before, after, published_on, source_url,
           quote AS title_or_quote
    FROM statuses WHERE before <> after
),
new_evidence AS (
    SELECT 'new_evidence', review_id, number, axis, NULL, status, published_on, source_url, quote
    FROM (SELECT {_EVIDENCE_KEY} FROM status_evidence EXCEPT {prev_evidence})
),
withdrawn_evidence AS (
    SELECT 'withdrawn_evidence', review_id, number, axis, status, NULL, published_on, source_url, quote
    FROM ({prev_evidence} EXCEPT SELECT {_EVIDENCE_KEY} FROM status_evidence)
),
new_recommendation AS (
    SELECT 'new_recommendation', c.review_id, c.number, NULL, NULL, NULL, pub.published_on, c.source_url, c.text
    FROM cur_recs AS c
    LEFT JOIN publications AS pub ON pub.url = c.source_url
    WHERE NOT EXISTS (SELECT 1 FROM prev_recs AS p WHERE p.review_id = c.review_id AND p.number = c.number)
),
removed_recommendation AS (
    SELECT 'removed_recommendation', p.review_id, p.number, NULL, NULL, NULL, NULL::DATE, p.source_url, p.text
    FROM prev_recs AS p
    WHERE NOT EXISTS (SELECT 1 FROM cur_recs AS c WHERE c.review_id = p.review_id AND c.number = p.number)
),
new_publication AS (
    SELECT 'new_publication', c.review_id, NULL, NULL, NULL, NULL, c.published_on, c.url, c.title
    FROM publications AS c
    WHERE NOT EXISTS (SELECT 1 FROM prev_pubs AS p WHERE p.url = c.url)
),
updated_publication AS (
    SELECT 'updated_publication', c.review_id, NULL, NULL, left(p.content_sha256, 12), left(c.content_sha256, 12),
           c.published_on, c.url, c.title
    FROM publications AS c
    JOIN prev_pubs AS p ON p.url = c.url
    WHERE p.content_sha256 IS DISTINCT FROM c.content_sha256
),
withdrawn_publication AS (
    SELECT 'withdrawn_publication', p.review_id, NULL, NULL, NULL, NULL, p.published_on, p.url, p.title
    FROM prev_pubs AS p
    WHERE NOT EXISTS (SELECT 1 FROM publications AS c WHERE c.url = p.url)
),
everything AS (
    SELECT * FROM status_change
    UNION ALL SELECT * FROM new_evidence
    UNION ALL SELECT * FROM withdrawn_evidence
    UNION ALL SELECT * FROM new_recommendation
    UNION ALL SELECT * FROM removed_recommendation
    UNION ALL SELECT * FROM new_publication
    UNION ALL SELECT * FROM updated_publication
    UNION ALL SELECT * FROM withdrawn_publication
)
SELECT *, row_number() OVER (ORDER BY {ROW_ORDER}) AS ordinal FROM everything
ORDER BY ordinal
"""


def diff(con: duckdb.DuckDBPyConnection, previous: Path | None) -> list[tuple]:
    """Changes of the tables `con` reads against the database file `previous` (attached read-only)."""
    columns = ", ".join(COLUMNS)
    if previous is None:
        stage_headlines(con, False)
        return [tuple(r) for r in con.execute(f"SELECT {columns} FROM ({changes_sql(False)})").fetchall()]
    con.execute(f"ATTACH {sql_literal(previous)} AS prev (READ_ONLY)")
    try:
        stage_headlines(con, True)
        return [tuple(r) for r in con.execute(f"SELECT {columns} FROM ({changes_sql(True)})").fetchall()]
    finally:
        con.execute("DETACH prev")


def newest_published(published_dir: Path, warehouse: Path) -> tuple[Path, str] | tuple[None, None]:
    """The newest version published so far and its name: the newest file in published/, else the
    current warehouse (published/ emptied by hand); (None, None) before the first publish."""
    if published_dir.is_dir():
        names = sorted(p.name for p in published_dir.glob("tracker-*.duckdb") if VERSION_NAME.match(p.name))
        if names:
            return published_dir / names[-1], names[-1]
    if warehouse.exists():
        con = connect(warehouse, read_only=True)
        try:
            info = warehouse_info(con)
        finally:
            con.close()
        if info is not None:
            return warehouse, info.version_file
    return None, None


def record_changes(
    con: duckdb.DuckDBPyConnection, published_dir: Path, warehouse: Path, run_id: str, version_file: str,
    published_at: datetime,
) -> int:
    """Append to the working database's change_log what changed since the newest published version,
    as first seen by `run_id` in `version_file`, and record that the run published it; returns rows added."""
    baseline, baseline_name = newest_published(published_dir, warehouse)
    columns = ", ".join(COLUMNS)
    con.execute("BEGIN TRANSACTION")
    try:
        # Rows and runs of a version that was never published (its publish died before the file existed).
        con.execute("DELETE FROM change_log WHERE ? IS NULL OR version_file > ?", [baseline_name, baseline_name])
        con.execute(
            "UPDATE runs SET version_file = NULL, published_at = NULL WHERE ? IS NULL OR version_file > ?",
            [baseline_name, baseline_name],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    if baseline is not None:
        con.execute(f"ATTACH {sql_literal(baseline)} AS prev (READ_ONLY)")
    # The working database's buffer cap keeps bulk loads flat in the archive's size; the diff's working set
    # grows only with recommendations, statements and publications, but its many joins each claim memory.
    cap = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{DIFF_MEMORY}'")
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            start = con.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchone()[0]
            stage_headlines(con, baseline is not None)
            added = con.execute(
                f"""INSERT INTO change_log (change_id, {columns}, run_id, version_file, detected_at)
                    SELECT ? + ordinal, {columns}, ?, ?, ? FROM ({changes_sql(baseline is not None)})""",
                [start, run_id, version_file, published_at],
            ).fetchone()[0]
            # a run not recorded by the pipeline (a manual publish) gets a row; a recorded one keeps its own
            insert(con, "runs", [PublishedRun(run_id=run_id, started_at=published_at, run_type="manual",
                                              version_file=version_file, published_at=published_at)],
                   on_conflict="run_id", updating=("version_file", "published_at"))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute(f"SET memory_limit = {sql_literal(cap)}")
        if baseline is not None:
            con.execute("DETACH prev")
    return added


def scheduled_versions(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the versions published by scheduled (weekly) runs."""
    return {
        name for (name,) in con.execute(
            "SELECT version_file FROM runs WHERE run_type = 'scheduled' AND version_file IS NOT NULL"
        ).fetchall()
    }
