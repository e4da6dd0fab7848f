"""The change digest: what is new or different in a published version compared with the one before it.

published/ keeps the last versions (tracker-YYYYMMDDTHHMMSS.duckdb). The version a connection reads
names itself in warehouse_info.version_file; the previous version is the newest file in published/
whose name sorts before it. It is attached read-only, compared in SQL and detached again.
With no previous version (a first run, or everything older pruned) everything counts as new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from tracker.warehouse.db import sql_literal, warehouse_info

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

# The order change types are listed in (most important first) and how the briefing names them.
CHANGE_TYPES = {
    "status_change": "Status changes",
    "new_evidence": "New evidence",
    "withdrawn_evidence": "Evidence no longer found",
    "new_recommendation": "New recommendations",
    "removed_recommendation": "Recommendations no longer found",
    "new_publication": "New publications",
    "updated_publication": "Updated publications",
}

_NOUNS = {
    "status_change": ("status change", "status changes"),
    "new_evidence": ("new statement", "new statements"),
    "withdrawn_evidence": ("statement no longer found", "statements no longer found"),
    "new_recommendation": ("new recommendation", "new recommendations"),
    "removed_recommendation": ("recommendation no longer found", "recommendations no longer found"),
    "new_publication": ("new publication", "new publications"),
    "updated_publication": ("updated publication", "updated publications"),
}
_VERSION_NAME = re.compile(r"^tracker-\d{8}T\d{6}\.duckdb$")


@dataclass
class Digest:
    """Changes of one published version against the previous one."""

    rows: list[tuple] = field(default_factory=list)
    previous_file: str | None = None  # file name in published/; None on a first run
    previous_published_at: datetime | None = None

    @property
    def first_run(self) -> bool:
        return self.previous_file is None

    def counts(self) -> dict[str, int]:
        found = {kind: 0 for kind in CHANGE_TYPES}
        for row in self.rows:
            found[row[0]] += 1
        return found

    def headline(self) -> str:
        """One sentence for the top of the briefing."""
        if self.first_run:
            return "First published version: everything is new."
        when = _when(self.previous_published_at, self.previous_file)
        if not self.rows:
            return f"No changes since {when}."
        parts = [f"{n} {_NOUNS[k][0] if n == 1 else _NOUNS[k][1]}" for k, n in self.counts().items() if n]
        return f"Since {when}: " + ", ".join(parts) + "."


def _when(moment: datetime | None, name: str | None) -> str:
    if moment is not None:
        return f"the previous version of {moment.strftime('%Y-%m-%d %H:%M')} UTC"
    return f"the previous version ({name})"


def previous_version(con: duckdb.DuckDBPyConnection, published_dir: Path) -> Path | None:
    """The newest published version older than the one `con` reads, or None."""
    info = warehouse_info(con)
    current = info.version_file if info else None
    if not current or not published_dir.is_dir():
        return None
    older = sorted(
        p for p in published_dir.glob("tracker-*.duckdb") if _VERSION_NAME.match(p.name) and p.name < current
    )
    return older[-1] if older else None


# The latest statement per recommendation and axis, ranked exactly as recommendation_status ranks them
# (sql/views/005_status_as_at.sql). {db} is empty for the version read, prev.main. for the previous one.
_LATEST = """
SELECT review_id, number, axis, status, published_on, source_url, quote
FROM (
    SELECT e.*, row_number() OVER (
        PARTITION BY e.review_id, e.number, e.axis
        ORDER BY e.published_on DESC NULLS LAST, e.confidence DESC, (e.method = 'analyst') DESC, e.source_url, e.quote
    ) AS rank_in_axis
    FROM {db}status_evidence AS e
) WHERE rank_in_axis = 1
"""

_EVIDENCE_KEY = "review_id, number, axis, status, quote, source_url, published_on"


def _changes_sql(has_previous: bool) -> str:
    prev_latest = _LATEST.format(db="prev.main.") if has_previous else (
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
        "SELECT url, content_sha256 FROM prev.main.publications" if has_previous
        else "SELECT url, content_sha256 FROM publications WHERE false"
    )
    return f"""
WITH cur_latest AS ({_LATEST.format(db="")}),
prev_latest AS ({prev_latest}),
axes AS (SELECT unnest(['response', 'implementation']) AS axis),
cur_recs AS (SELECT review_id, number, text, source_url FROM recommendations),
prev_recs AS ({prev_recs}),
statuses AS (
    SELECT
        r.review_id, r.number, a.axis,
        coalesce(p.status, CASE a.axis WHEN 'response' THEN 'no_response' ELSE 'unknown' END) AS before,
        coalesce(c.status, CASE a.axis WHEN 'response' THEN 'no_response' ELSE 'unknown' END) AS after,
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
    WHERE NOT EXISTS (SELECT 1 FROM ({prev_pubs}) AS p WHERE p.url = c.url)
),
updated_publication AS (
    SELECT 'updated_publication', c.review_id, NULL, NULL, left(p.content_sha256, 12), left(c.content_sha256, 12), c.published_on, c.url, c.title
    FROM publications AS c
    JOIN ({prev_pubs}) AS p ON p.url = c.url
    WHERE p.content_sha256 IS DISTINCT FROM c.content_sha256
),
everything AS (
    SELECT * FROM status_change
    UNION ALL SELECT * FROM new_evidence
    UNION ALL SELECT * FROM withdrawn_evidence
    UNION ALL SELECT * FROM new_recommendation
    UNION ALL SELECT * FROM removed_recommendation
    UNION ALL SELECT * FROM new_publication
    UNION ALL SELECT * FROM updated_publication
)
SELECT * FROM everything
ORDER BY
    CASE change_type {" ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(CHANGE_TYPES))} END,
    review_id NULLS LAST, number NULLS FIRST, axis NULLS FIRST, published_on NULLS FIRST, source_url, title_or_quote
"""


def compute_digest(con: duckdb.DuckDBPyConnection, published_dir: Path) -> Digest:
    """Compare the version `con` reads with the previous one in published_dir (attached read-only)."""
    previous = previous_version(con, published_dir)
    if previous is None:
        return Digest(rows=[tuple(r) for r in con.execute(_changes_sql(False)).fetchall()])
    con.execute(f"ATTACH {sql_literal(previous)} AS prev (READ_ONLY)")
    try:
        rows = [tuple(r) for r in con.execute(_changes_sql(True)).fetchall()]
        info = warehouse_info(con, "prev")
    finally:
        con.execute("DETACH prev")
    return Digest(rows=rows, previous_file=previous.name, previous_published_at=info.published_at if info else None)
