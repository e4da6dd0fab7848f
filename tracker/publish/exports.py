"""Exports of the progress tables: CSV, one Excel workbook and Parquet, read from a published warehouse.

CSV files are UTF-8 with a byte-order mark (so Excel reads ’ and £ correctly), CRLF line ends, ISO
dates, the view's column order and a fixed row order; a text cell that a spreadsheet would run as a
formula (starting =, +, -, @, tab or CR) gets a leading ' (OWASP's advice on CSV injection).
tracker.xlsx has one sheet per table (header frozen and bold, dates as real dates, filters on, text
stored as text, so values stay exact). Parquet copies are written by DuckDB itself, values exact.

A run writes everything into a hidden staging folder and only then renames it into place as
exports/YYYY-MM-DD/, and refreshes exports/latest/ the same way: nobody ever sees half a set.
"""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb

from tracker.publish import digest as digest_mod
from tracker.warehouse.db import sql_literal, warehouse_info

# table -> ORDER BY, so every export lists rows in the same order run after run.
EXPORTS = {
    "review_progress": "review_id",
    "recommendation_status": "review_id, number",
    "status_evidence": "review_id, number, axis, published_on, source_url, quote",
    "recommendations": "review_id, number",
    "progress_by_theme": "review_id, first_number",
    "stale_recommendations": "review_id, number",
    "status_changes": "review_id, number, axis, changed_on NULLS FIRST, source_url",
    "evidence_by_publisher": "source",
    "unresolved_statements": "review_id, source_url, quote",
    "status_disagreements": "review_id, number, axis, other_published_on, other_source_url, other_quote",
}
CHANGES = "changes"
WORKBOOK = "tracker.xlsx"


# A spreadsheet reads a CSV cell starting with one of these as a formula (CSV injection): scraped text
# could run =HYPERLINK(...) or worse on an analyst's machine. OWASP's advice: prefix a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "%.15g" % value
    if isinstance(value, (list, tuple)):
        return neutralise("; ".join(str(v) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    return value


def _table(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"SELECT * FROM {table} ORDER BY {EXPORTS[table]}")
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def _write_csv(path: Path, columns, rows) -> Path:
    tmp = path.with_name("." + path.name + ".part")
    # utf-8-sig writes the BOM that makes Excel read ’ and £ correctly.
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    os.replace(tmp, path)
    return path


def write_csvs(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """Write one CSV per progress table into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in EXPORTS:
        columns, rows = _table(con, table)
        written.append(_write_csv(out_dir / f"{table}.csv", columns, rows))
    return written


def recent_name(days: int) -> str:
    return f"{CHANGES}_last_{days}_days"


def write_changes_csv(digest: digest_mod.Digest, out_dir: Path) -> list[Path]:
    """changes.csv (the digest's window) and one file per recent period the digest has."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [_write_csv(out_dir / f"{CHANGES}.csv", digest_mod.CSV_COLUMNS, digest.rows)]
    for days, rows in digest.recent.items():
        written.append(_write_csv(out_dir / f"{recent_name(days)}.csv", digest_mod.CSV_COLUMNS, rows))
    return written


def write_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """One Parquet file per progress table, written by DuckDB (works on a read-only connection)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table, order in EXPORTS.items():
        path = out_dir / f"{table}.parquet"
        tmp = path.with_name("." + path.name + ".part")
        tmp.unlink(missing_ok=True)
        con.execute(f"COPY (SELECT * FROM {table} ORDER BY {order}) TO {sql_literal(str(tmp))} (FORMAT parquet)")
        os.replace(tmp, path)
        written.append(path)
    return written


def _sheet(wb, title: str, columns: list[str], rows: list[tuple]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:31])
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in columns]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, (list, tuple)):
                value = "; ".join(str(v) for v in value)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # scraped text starting with "=" stays text, never a formula
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            shown = 10 if isinstance(value, date) else len(str(value)) if value is not None else 0
            widths[c - 1] = max(widths[c - 1], shown)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"


def write_workbook(
    con: duckdb.DuckDBPyConnection, path: Path, digest: digest_mod.Digest | None = None,
    stamp: datetime | None = None,
) -> Path:
    """tracker.xlsx: one sheet per progress table (and the changes, when given)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for table in EXPORTS:
        columns, rows = _table(con, table)
        _sheet(wb, table, columns, rows)
    if digest is not None:
        _sheet(wb, CHANGES, list(digest_mod.CSV_COLUMNS), digest.rows)
        for days, rows in digest.recent.items():
            _sheet(wb, recent_name(days), list(digest_mod.CSV_COLUMNS), rows)
    if stamp is not None:  # the workbook's own dates follow the data, not the clock
        wb.properties.created = stamp
        wb.properties.modified = stamp
    wb.properties.title = "NHS leadership reviews: progress tables"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".part")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def write_exports(
    con: duckdb.DuckDBPyConnection, out_dir: Path, digest: digest_mod.Digest | None = None
) -> list[Path]:
    """The full set into out_dir: a CSV and a Parquet file per table, tracker.xlsx, the changes CSVs (given a digest)."""
    written = write_csvs(con, out_dir)
    if digest is not None:
        written.extend(write_changes_csv(digest, out_dir))
    written.append(write_workbook(con, out_dir / WORKBOOK, digest, (info.published_at if (info := warehouse_info(con)) else None)))
    written.extend(write_parquet(con, out_dir))
    return written


def _swap_dir(staging: Path, target: Path) -> None:
    """Put a complete folder in place of target: the old one is moved aside, then removed."""
    old = target.with_name("." + target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def export_run(
    con: duckdb.DuckDBPyConnection, exports_dir: Path, day: date, digest: digest_mod.Digest | None = None
) -> Path:
    """Write exports/YYYY-MM-DD/ and refresh exports/latest/ to match it; returns the dated folder."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    dated = exports_dir / day.isoformat()
    staging = exports_dir / f".{day.isoformat()}.part"
    shutil.rmtree(staging, ignore_errors=True)
    write_exports(con, staging, digest)
    latest_staging = exports_dir / ".latest.part"
    shutil.rmtree(latest_staging, ignore_errors=True)
    shutil.copytree(staging, latest_staging)
    _swap_dir(staging, dated)
    _swap_dir(latest_staging, exports_dir / "latest")
    return dated


def export_to(con: duckdb.DuckDBPyConnection, out_dir: Path, published_dir: Path, since: date | None = None) -> list[Path]:
    """`tracker export`: the same set a run writes; `since` puts the changes detected since that day in changes.csv."""
    return write_exports(con, out_dir, digest_mod.compute_digest(con, published_dir, since))
