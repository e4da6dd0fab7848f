"""Exports of the progress tables: CSV, one Excel workbook and Parquet, read from a published warehouse.

CSV files are UTF-8 with a byte-order mark (so Excel reads ’ and £ correctly), CRLF line ends, ISO
dates, the view's column order and a fixed row order; a text cell that a spreadsheet would run as a
formula (starting =, +, -, @, tab or CR) gets a leading ' (OWASP's advice on CSV injection).
tracker.xlsx opens on a cover sheet (the data date, the run, a guide to the sheets and a glossary of
statuses), then one sheet per table under a readable name (header frozen and bold, filters on, dates as
real dates, long text wrapped, web addresses and archived copies clickable, percentages as
percentages; text stored as text, so scraped values are never run as formulas). Parquet copies are
written by DuckDB itself, values exact.

Evidence exports (status_evidence, unresolved_statements) add the cited document's title and type,
`archived_copy` (a link, relative to the export's folder, to the exact captured bytes the briefing
serves from site/captures/<sha256>.<ext>; empty when the briefing holds no copy) and `warc_file`,
`warc_offset` (where the capture sits in the home's archive/, which always holds it).

A run writes everything into a hidden staging folder and only then renames it into place as
exports/YYYY-MM-DD/, and refreshes exports/latest/ the same way: nobody ever sees half a set.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from tracker.errors import TrackerError
from tracker.publish import digest as digest_mod
from tracker.publish import xlsx
from tracker.staging import new_folder, staged, staged_path
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

# The workbook's sheet names (at most 31 characters); the CSV and Parquet files keep the table names.
SHEETS = {
    "review_progress": "Review progress",
    "recommendation_status": "Recommendation status",
    "status_evidence": "Evidence",
    "recommendations": "Recommendations",
    "progress_by_theme": "Progress by theme",
    "stale_recommendations": "Stale recommendations",
    "status_changes": "Status changes",
    "evidence_by_publisher": "Evidence by publisher",
    "unresolved_statements": "Unresolved statements",
    "status_disagreements": "Disagreements",
    CHANGES: "Changes this week",
}
COVER = "About"
SHEET_ABOUT = {
    "review_progress": "Per review: recommendations found vs stated, counts by latest status, % implemented",
    "recommendation_status": "Every recommendation's latest response and implementation status, "
                             "with the quotes behind them",
    "status_evidence": "Every statement about a recommendation's status: verbatim quote, source, publisher, "
                       "archived copy",
    "recommendations": "Every recommendation's text, theme and where it was read",
    "progress_by_theme": "Per review and theme: counts by implementation status",
    "stale_recommendations": "Recommendations with nothing said about them in the 12 months before the export",
    "status_changes": "Every change of a recommendation's status, in publication order, with the quote that changed it",
    "evidence_by_publisher": "Per publisher: documents, statements and reviews covered",
    "unresolved_statements": "Statements naming a review and a status but not which recommendations (not counted)",
    "status_disagreements": "Later statements contradicting the official position",
    CHANGES: "The week's changes (docs/analysts/changes.md: the change log and the weekly digest)",
}
# Evidence tables get the cited document's details; see the module's docstring.
_DOCUMENT_COLUMNS = ("document_title", "document_type", "archived_copy", "warc_file", "warc_offset")
_WITH_DOCUMENT = {"status_evidence", "unresolved_statements"}
_CAPTURE_LINKS = "export_capture_links"
_LINKS_TABLE = f"TEMP TABLE {_CAPTURE_LINKS} (content_sha256 VARCHAR, archived_copy VARCHAR)"


# A spreadsheet reads a CSV cell starting with one of these as a formula (CSV injection): scraped text
# could run =HYPERLINK(...) or worse on an analyst's machine. OWASP's advice: prefix a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportWriteError(TrackerError):
    """An export file could not be written (its staging file is removed)."""



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


def export_query(table: str) -> str:
    """The rows an export of `table` holds, in its fixed order (evidence with its document's details)."""
    if table not in _WITH_DOCUMENT:
        return f"SELECT * FROM {table} ORDER BY {EXPORTS[table]}"
    return f"""SELECT * FROM (
                   SELECT e.*, p.title AS document_title, p.document_type, c.archived_copy, p.warc_file, p.warc_offset
                   FROM {table} AS e
                   LEFT JOIN publications AS p ON p.url = e.source_url
                   LEFT JOIN {_CAPTURE_LINKS} AS c ON c.content_sha256 = p.content_sha256) AS t
               ORDER BY {EXPORTS[table]}"""


def link_captures(con: duckdb.DuckDBPyConnection, out_dir: Path, site_dir: Path | None, site_url: str = "") -> int:
    """Stage (as a temporary table, so a read-only connection can) each capture's link relative to out_dir,
    or on site_url (TRACKER_SITE_URL, ending in '/') when the site is served there: a file shared by mail
    then links to copies anyone can open.

    The briefing writes captures as site/captures/<sha256>.<ext>, <sha256> being the publication's
    content_sha256 (PDFs byte for byte, HTML pages made inert, GOV.UK JSON also as a readable page);
    only the copies it holds get a link. Returns how many.
    """
    con.execute(f"CREATE OR REPLACE {_LINKS_TABLE}")
    captures = site_dir / "captures" if site_dir is not None else None
    if captures is None or not captures.is_dir():
        return 0
    # every copy sits directly in captures/: one relative path for the folder serves them all
    folder = (f"{site_url}captures" if site_url
              else Path(os.path.relpath(os.path.abspath(captures), os.path.abspath(out_dir))).as_posix())
    with os.scandir(captures) as entries:
        names = [entry.name for entry in entries if entry.is_file()]
    links = {}
    # A GOV.UK API capture has a readable <sha256>.html beside the captured <sha256>.json: link the page.
    for name in sorted(names, key=lambda n: (Path(n).suffix == ".html", n)):
        sha, dot, ext = name.partition(".")
        if dot and len(sha) == 64:
            links[sha] = f"{folder}/{name}"
    if links:
        shas, paths = zip(*sorted(links.items()))
        # two lists unnested in one statement: executemany costs a statement per row
        con.execute(f"INSERT INTO {_CAPTURE_LINKS} (content_sha256, archived_copy) SELECT unnest(?), unnest(?)",
                    [list(shas), list(paths)])
    return len(links)


def _no_links_yet(con: duckdb.DuckDBPyConnection) -> None:
    """Without link_captures first, evidence is exported with no archived-copy links."""
    con.execute(f"CREATE {_LINKS_TABLE.replace('TEMP TABLE', 'TEMP TABLE IF NOT EXISTS')}")


def _table(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple]]:
    _no_links_yet(con)
    cursor = con.execute(export_query(table))
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def _write_csv(path: Path, columns, rows) -> Path:
    # utf-8-sig writes the BOM that makes Excel read ’ and £ correctly.
    with staged(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    return path


Tables = dict[str, tuple[list[str], list[tuple]]]  # table -> (columns, rows), as export_query gives them


def read_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """Every progress table's export rows, read once for both the CSV files and the workbook."""
    return {table: _table(con, table) for table in EXPORTS}


def write_csvs(con: duckdb.DuckDBPyConnection, out_dir: Path, tables: Tables | None = None) -> list[Path]:
    """Write one CSV per progress table into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = tables or read_tables(con)
    written = []
    for table in EXPORTS:
        columns, rows = tables[table]
        written.append(_write_csv(out_dir / f"{table}.csv", columns, rows))
    return written


def recent_name(days: int) -> str:
    return f"{CHANGES}_last_{days}_days"


def write_changes_csv(digest: digest_mod.Digest, out_dir: Path) -> list[Path]:
    """changes.csv (the digest's window) and one file per recent period the digest has."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [_write_csv(out_dir / f"{CHANGES}.csv", digest_mod.CSV_COLUMNS, _values(digest.rows))]
    for days, rows in digest.recent.items():
        written.append(_write_csv(out_dir / f"{recent_name(days)}.csv", digest_mod.CSV_COLUMNS, _values(rows)))
    return written


def _values(changes: list[digest_mod.Change]) -> list[tuple]:
    """Changes as rows of CSV_COLUMNS."""
    return [tuple(getattr(c, name) for name in digest_mod.CSV_COLUMNS) for c in changes]


def write_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """One Parquet file per progress table, written by DuckDB (works on a read-only connection)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    _no_links_yet(con)
    for table in EXPORTS:
        path = out_dir / f"{table}.parquet"
        with staged_path(path) as tmp:
            try:
                con.execute(f"COPY ({export_query(table)}) TO {sql_literal(str(tmp))} (FORMAT parquet)")
            except duckdb.IOException as exc:  # e.g. a full disk: DuckDB's own words, on one line
                raise ExportWriteError(f"cannot write {path}: {' '.join(str(exc).split())}") from None
        written.append(path)
    return written


_WRAP_AT = 60  # characters: a longer text column is wrapped at this width


def _is_link(column: str, value) -> bool:
    if not isinstance(value, str):
        return False
    if column == "archived_copy":
        return bool(value)
    return (column == "url" or column.endswith("_url")) and value.startswith(("https://", "http://"))


def _sheet(title: str, columns: list[str], rows: list[tuple]) -> xlsx.Sheet:
    """A table as a sheet: bold frozen header with filters, long text wrapped, links clickable, percentages."""
    percent = [c.startswith("pct_") for c in columns]
    widths = [len(c) for c in columns]
    links: dict[tuple[int, int], str] = {}
    linked = [False] * len(columns)
    cells = [list(columns)]
    for r, row in enumerate(rows, start=1):
        values = [_cell_value(value, percent[c]) for c, value in enumerate(row)]
        for c, value in enumerate(values):
            widths[c] = max(widths[c], _shown_width(value))
            if _is_link(columns[c], value):
                links[(r, c)] = value
                linked[c] = True
        cells.append(values)
    styles = ["percent" if pct else "wrap" if width > _WRAP_AT and not link else None  # a link stays on one line
              for pct, width, link in zip(percent, widths, linked)]
    return xlsx.Sheet(title[:31], cells, widths=[min(max(w + 2, 8), _WRAP_AT) for w in widths],
                      column_styles=styles, links=links, header=True)


def _cell_value(value, percent: bool):
    """A value as the sheet stores it: lists joined, percentages as fractions (the writer drops what Excel refuses)."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if percent and isinstance(value, (int, float)):
        value = round(value / 100, 10)  # stored as a fraction, shown as 36.8%
    return value


def _shown_width(value) -> int:
    return 10 if isinstance(value, date) else len(str(value)) if value is not None else 0


class _Cover:
    """The first sheet, built row by row: what the workbook is, the data date, the run, a guide, the glossary."""

    def __init__(self) -> None:
        self.rows: list[list] = []
        self.styles: dict[tuple[int, int], str] = {}
        self.links: dict[tuple[int, int], str] = {}

    def add(self, values: list, *styles: str | None) -> int:
        self.rows.append(list(values))
        r = len(self.rows) - 1
        for c, style in enumerate(styles):
            if style:
                self.styles[(r, c)] = style
        return r

    def sheet(self) -> xlsx.Sheet:
        for r, row in enumerate(self.rows):  # the third column is prose: wrapped, bold where it is a header
            if len(row) > 2 and r:
                self.styles[(r, 2)] = "bold wrap" if self.styles.get((r, 2)) == "bold" else "wrap"
        return xlsx.Sheet(COVER, self.rows, widths=[34, 34, 90], cell_styles=self.styles, links=self.links)


def _cover(con: duckdb.DuckDBPyConnection, sheets: list[tuple[str, str, str]]) -> xlsx.Sheet:
    info = warehouse_info(con)
    data_date, last_capture = con.execute("SELECT max(published_on), max(fetched_at) FROM publications").fetchone()
    cover = _Cover()
    cover.add(["NHS leadership reviews: progress tables"], "title")
    cover.add([])
    for label, value, note in [
        ("Data as of", data_date, "the newest publication read"),
        ("Last capture (UTC)", last_capture, "when a source was last fetched"),
        ("Published (UTC)", info.published_at if info else None, "when this version of the warehouse was published"),
        ("Run", info.run_id if info else None, "the run that published it"),
        ("Version", info.version_file if info else None, "the published file (tracker versions lists them)"),
    ]:
        cover.add([label, value, note], "bold", "minute" if isinstance(value, datetime) else None)
    cover.add([])
    cover.add(["Every status rests on a verbatim quote from a captured source; the Evidence sheet gives each quote "
               "with its publisher, document and a link to the archived copy."])
    cover.add([])
    cover.add(["Sheet", "File", "What it holds"], "bold", "bold", "bold")
    for sheet, file, about in sheets:
        r = cover.add([sheet, file, about])
        cover.links[(r, 0)] = f"#{xlsx.quoted(sheet)}!A1"
    cover.add([])
    _cover_glossary(cover)
    return cover.sheet()


def _cover_glossary(cover: _Cover) -> None:
    """Every status on each axis with its meaning, then who each speaker is."""
    from tracker.vocabulary import SPEAKER_LABELS, STATUSES

    cover.add(["Status glossary"], "heading")
    cover.add(["Axis", "Status", "Meaning"], "bold", "bold", "bold")
    axis_about = {"response": "response (what was decided)", "implementation": "implementation (what has happened)"}
    for status in STATUSES:
        cover.add([axis_about[status.axis], status.name, status.meaning])
    cover.add([])
    cover.add(["Speaker", "Who speaks"], "bold", "bold")
    for speaker, label in SPEAKER_LABELS.items():
        cover.add([speaker, label])


def write_workbook(
    con: duckdb.DuckDBPyConnection, path: Path, digest: digest_mod.Digest | None = None,
    stamp: datetime | None = None, tables: Tables | None = None,
) -> Path:
    """tracker.xlsx: a cover sheet, then one sheet per progress table (and the changes, when given)."""
    tables = tables or read_tables(con)
    sheets, guide = [], []
    for table in EXPORTS:
        columns, rows = tables[table]
        sheets.append(_sheet(SHEETS[table], columns, rows))
        guide.append((SHEETS[table], f"{table}.csv", SHEET_ABOUT[table]))
    if digest is not None:
        sheets.append(_sheet(SHEETS[CHANGES], list(digest_mod.CSV_COLUMNS), _values(digest.rows)))
        guide.append((SHEETS[CHANGES], f"{CHANGES}.csv", SHEET_ABOUT[CHANGES]))
        for days, rows in digest.recent.items():
            title = f"Changes, last {days} days"
            sheets.append(_sheet(title, list(digest_mod.CSV_COLUMNS), _values(rows)))
            guide.append((title, f"{recent_name(days)}.csv", f"Changes detected in the {days} days before publishing"))
    body = io.BytesIO()  # built in memory first, so a failed write leaves no half-open zip behind
    # the workbook's own dates follow the data, not the clock
    xlsx.write(body, [_cover(con, guide), *sheets], "NHS leadership reviews: progress tables",
               stamp or datetime.now(timezone.utc))
    with staged(path) as fh:
        fh.write(body.getbuffer())
    return path


def write_exports(
    con: duckdb.DuckDBPyConnection, out_dir: Path, digest: digest_mod.Digest | None = None,
    site_dir: Path | None = None, links_from: Path | None = None, site_url: str = "",
) -> list[Path]:
    """The full set into out_dir: a CSV and a Parquet file per table, tracker.xlsx, the changes CSVs (given a digest).

    Archived-copy links point into site_dir/captures/, relative to `links_from` (default out_dir): the
    folder the files will finally sit in; on site_url (TRACKER_SITE_URL) instead when it is set.
    """
    link_captures(con, links_from or out_dir, site_dir, site_url)
    tables = read_tables(con)
    written = write_csvs(con, out_dir, tables)
    if digest is not None:
        written.extend(write_changes_csv(digest, out_dir))
    info = warehouse_info(con)
    written.append(write_workbook(con, out_dir / WORKBOOK, digest, info.published_at if info else None, tables))
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
    con: duckdb.DuckDBPyConnection, exports_dir: Path, day: date, digest: digest_mod.Digest | None = None,
    site_dir: Path | None = None, site_url: str = "",
) -> Path:
    """Write exports/YYYY-MM-DD/ and refresh exports/latest/ to match it; returns the dated folder.

    Both sit side by side, so one set of relative archived-copy links serves both.
    """
    exports_dir.mkdir(parents=True, exist_ok=True)
    for stale in exports_dir.glob(".*.part"):  # a killed run's (outputs run under one lock); links are left alone
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    dated = exports_dir / day.isoformat()
    staging, latest_staging = new_folder(dated), new_folder(exports_dir / "latest")
    try:
        write_exports(con, staging, digest, site_dir, links_from=dated, site_url=site_url)
        shutil.copytree(staging, latest_staging, dirs_exist_ok=True)
        _swap_dir(staging, dated)
        _swap_dir(latest_staging, exports_dir / "latest")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(latest_staging, ignore_errors=True)
    return dated


def export_to(
    con: duckdb.DuckDBPyConnection, out_dir: Path, sql_dir: Path, published_dir: Path, since: date | None = None,
    site_dir: Path | None = None, site_url: str = "",
) -> list[Path]:
    """`tracker export`: the same set a run writes; `since` puts the changes detected since that day in changes.csv."""
    return write_exports(con, out_dir, digest_mod.compute_digest(con, sql_dir, published_dir, since), site_dir,
                         site_url=site_url)
