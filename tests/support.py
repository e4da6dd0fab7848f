"""The one way tests read their fixtures (tests/fixtures/, written for this project) and the sample."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_WARC = ROOT / "sample" / "archive" / "sample.warc.gz"
SHARED = ROOT.parent / "shared"


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        raise FileNotFoundError(f"no fixture {name!r} in {FIXTURES}")
    return path


def fixture_text(name: str) -> str:
    return fixture_path(name).read_text(encoding="utf-8")


SAMPLE_LABELS = ROOT / "tests" / "evaluation" / "dev" / "sample" / "labels.csv"


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def sample_csv(name: str) -> list[dict]:
    """Rows of a CSV under sample/ or tests/fixtures/ (e.g. expected_counts.csv, expected_counts.csv)."""
    for folder in (ROOT / "sample", FIXTURES):
        if (folder / name).exists():
            with open(folder / name, encoding="utf-8-sig", newline="") as fh:
                return list(csv.DictReader(fh))
    raise FileNotFoundError(name)


# The published tables that do not depend on when or where a run ran (run times live only in runs,
# change_log, source_health and warehouse_info), each with the columns that order its rows.
CONTRACT_TABLES = {
    "reviews": "review_id",
    "recommendations": "review_id, number",
    "status_evidence": "review_id, number, axis, source_url, quote",
    "publications": "url",
    "recommendation_status": "review_id, number",
    "review_progress": "review_id",
}


def table_snapshot(path: Path, tables: dict[str, str]) -> dict[str, list[tuple]]:
    """Every row of each table or view (name -> ORDER BY) in a DuckDB file, read-only."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall() for t, order in tables.items()}
    finally:
        con.close()


# `tracker run` ends each stage in a line on stderr (tracker/progress.py); tests comparing stderr skip them.
STAGE_LINES = ("fetch: ", "index: ", "parse: ", "extract: ", "health: ", "publish: ", "briefing and exports: ")


def warehouse_rows(home: Path, sql: str, params=()) -> list[tuple]:
    """Rows of a query on the published warehouse of a TRACKER_HOME, read-only."""
    import duckdb

    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
