"""CSV exports of the progress tables: UTF-8 with a byte-order mark, ISO dates, stable column order."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb

# table -> ORDER BY, so every export lists rows in the same order run after run.
EXPORTS = {
    "review_progress": "review_id",
    "recommendation_status": "review_id, number",
    "status_evidence": "review_id, number, axis, published_on, source_url, quote",
    "recommendations": "review_id, number",
}


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return value


def write_csvs(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """Write one CSV per progress table into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table, order in EXPORTS.items():
        cursor = con.execute(f"SELECT * FROM {table} ORDER BY {order}")
        columns = [d[0] for d in cursor.description]
        path = out_dir / f"{table}.csv"
        tmp = path.with_name("." + path.name + ".part")
        # utf-8-sig writes the BOM that makes Excel read ’ and £ correctly.
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(columns)
            for row in cursor.fetchall():
                writer.writerow([_cell(v) for v in row])
        os.replace(tmp, path)
        written.append(path)
    return written


def export_run(con: duckdb.DuckDBPyConnection, exports_dir: Path, day: date) -> Path:
    """Write exports/YYYY-MM-DD/ and refresh exports/latest/ to match it."""
    dated = exports_dir / day.isoformat()
    write_csvs(con, dated)
    latest = exports_dir / "latest"
    staging = exports_dir / ".latest.part"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(dated, staging)
    shutil.rmtree(latest, ignore_errors=True)
    os.replace(staging, latest)
    return dated
