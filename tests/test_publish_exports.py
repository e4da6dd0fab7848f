"""Exports for analysts: the progress views, CSV (UTF-8 BOM, ISO dates, fixed order), the Excel workbook,
Parquet copies, and `tracker export` writing the same set."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import duckdb
import pytest

from conftest import run_cli
from tracker.publish.exports import EXPORTS, SHEETS, export_query, link_captures, write_workbook

BOM = b"\xef\xbb\xbf"
REVIEW_PROGRESS_HEADER = (
    "review_id,title,recommendations,expected_recommendations,accepted,accepted_in_principle,partially_accepted,"
    "rejected,under_consideration,no_response,implemented,partially_implemented,in_progress,paused,not_started,"
    "superseded,unknown,pct_implemented"
)
ROSE_ROW = "rose-2015,Better leadership for tomorrow: NHS leadership review,19,19,19,0,0,0,0,0,7,0,5,1,0,4,2,36.8"
HEADERS = {
    "review_progress": REVIEW_PROGRESS_HEADER,
    "recommendation_status": "review_id,number,text,response_status,implementation_status,evidence_count,"
    "last_evidence_on,last_evidence_url,response_basis,implementation_basis,"
    + ",".join(f"{side}_{axis}_{field}" for axis in ("response", "implementation")
               for side in ("official", "independent")
               for field in ("status", "quote", "published_on", "source_url", "cited_as"))
    + ",response_disputed,implementation_disputed",
    "progress_by_theme": "review_id,theme,first_number,recommendations,implemented,partially_implemented,in_progress,"
    "paused,not_started,superseded,unknown,pct_implemented",
    "stale_recommendations": "review_id,number,theme,text,response_status,implementation_status,evidence_count,"
    "last_evidence_on,last_evidence_url,cutoff_on",
    "status_changes": "review_id,number,axis,status_before,status_after,changed_on,source_url,quote,cited_as",
    "status_disagreements": "review_id,number,axis,official_status,official_published_on,official_cited_as,"
    "official_quote,official_source_url,other_status,other_published_on,other_cited_as,other_quote,other_source_url,"
    "other_speaker",
    "evidence_by_publisher": "source,documents,relevant_documents,documents_with_evidence,evidence_rows,"
    "reviews_covered,review_ids,recommendations_covered,first_evidence_on,last_evidence_on",
    "changes": "change_type,review_id,number,axis,before,after,published_on,source_url,title_or_quote,"
    "detected_at,run_id,version_file",
}
CHANGES = ["changes", "changes_last_7_days", "changes_last_30_days"]
TABLES = list(EXPORTS)
EXPECTED_FILES = sorted(
    [f"{t}.csv" for t in TABLES] + [f"{t}.parquet" for t in TABLES] + [f"{c}.csv" for c in CHANGES] + ["tracker.xlsx"]
)


def _lines(path) -> list[str]:
    data = path.read_bytes()
    assert data.startswith(BOM), path.name
    text = data[len(BOM):].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF throughout
    return text.split("\r\n")[:-1]


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes()[len(BOM):].decode("utf-8"))))


@pytest.fixture(scope="module")
def wh(sample_home):
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    # what an export holds, with archived-copy links relative to exports/latest/ (export_query reads them)
    link_captures(con, sample_home / "exports" / "latest", sample_home / "site")
    yield con
    con.close()


@pytest.fixture(scope="module")
def latest(sample_home):
    return sample_home / "exports" / "latest"


# --- the progress views, on the sample ------------------------------------------------------------


@pytest.mark.e2e
def test_progress_by_theme_for_rose(wh):
    rows = wh.execute(
        "SELECT theme, first_number, recommendations, implemented, in_progress, paused, superseded, unknown, "
        "pct_implemented FROM progress_by_theme WHERE review_id = 'rose-2015' ORDER BY first_number"
    ).fetchall()
    assert rows == [
        ("overarching", 1, 2, 2, 0, 0, 0, 0, 100.0),
        ("Culture and values", 3, 3, 1, 1, 0, 0, 1, 33.3),
        ("Training and development", 6, 4, 2, 2, 0, 0, 0, 50.0),
        ("Performance management", 10, 3, 1, 0, 0, 2, 0, 33.3),
        ("Communication", 13, 3, 1, 1, 1, 0, 0, 33.3),
        ("Talent management", 16, 3, 0, 1, 0, 2, 0, 0.0),
        ("Making it happen", 19, 1, 0, 0, 0, 0, 1, 0.0),
    ]
    # every recommendation is counted under exactly one theme
    assert wh.execute("SELECT sum(recommendations) FROM progress_by_theme").fetchone()[0] == 62


@pytest.mark.e2e
def test_status_changes_end_in_the_current_status_and_name_their_source(wh):
    assert wh.execute(
        "SELECT status_before, status_after, changed_on, source_url FROM status_changes "
        "WHERE review_id = 'smith-2015' AND number = 12 ORDER BY changed_on"
    ).fetchall() == [
        (None, "paused", date(2016, 12, 12),
         "https://webarchive.nationalarchives.gov.uk/ukgwa/20190503120000/https://improvement.nhs.uk/resources/developing-people-improving-care/"),
        ("paused", "in_progress", date(2018, 9, 27),
         "https://webarchive.nationalarchives.gov.uk/ukgwa/20210101000000/https://improvement.nhs.uk/resources/board-paper-leadership-development-update/"),
    ]
    mismatched = wh.execute(
        """WITH last AS (
               SELECT review_id, number, axis, arg_max(status_after, coalesce(changed_on, DATE '0001-01-01')) AS status
               FROM status_changes GROUP BY ALL)
           SELECT l.* FROM last AS l JOIN recommendation_status AS s USING (review_id, number)
           WHERE l.status <> CASE l.axis WHEN 'response' THEN s.response_status ELSE s.implementation_status END"""
    ).fetchall()
    assert mismatched == []
    assert wh.execute("SELECT count(*) FROM status_changes").fetchone()[0] == 91


@pytest.mark.e2e
def test_evidence_by_publisher(wh):
    assert wh.execute("SELECT * FROM evidence_by_publisher").fetchall() == [
        ("dhsc", 14, 13, 6, 59, 4, "kark-2019, kerr-2018, messenger-2022, rose-2015", 39, date(2015, 7, 16),
         date(2023, 8, 2)),
        ("kingsfund", 3, 2, 2, 13, 3, "kark-2019, messenger-2022, rose-2015", 11, date(2019, 2, 20), date(2023, 5, 10)),
        ("nhsi", 2, 2, 2, 14, 1, "smith-2015", 12, date(2016, 12, 12), date(2018, 9, 27)),
        ("nhsproviders", 4, 3, 3, 16, 2, "ltp-2019-leadership, messenger-2022", 11, date(2021, 3, 15),
         date(2023, 6, 20)),
        ("other", 2, 2, 0, 0, 0, None, 0, None, None),
    ]
    assert wh.execute("SELECT sum(evidence_rows) FROM evidence_by_publisher").fetchone()[0] == 102


@pytest.mark.e2e
def test_every_sample_recommendation_is_stale_today(wh):
    # the sample's newest statement is from 2023-08-02: more than 12 months before any day this runs
    assert wh.execute("SELECT count(*), max(last_evidence_on) FROM stale_recommendations").fetchone() == (62,
                                                                                                          date(2023, 8,
                                                                                                               2))
    assert wh.execute("SELECT DISTINCT cutoff_on FROM stale_recommendations").fetchall() == [
        wh.execute("SELECT CAST(current_date - INTERVAL 12 MONTH AS DATE)").fetchone()
    ]


def _seed(con, evidence):
    con.execute("INSERT INTO reviews (review_id, title, publisher, published_on, url, expected_recommendations, kind) "
                "VALUES ('r', 'A review', NULL, DATE '2020-01-01', NULL, 4, 'recommendations')")
    for n in range(1, 5):
        con.execute("INSERT INTO recommendations (review_id, number, text, theme) VALUES ('r', ?, ?, ?)",
                    [n, f"Do thing {n}", "overarching" if n < 3 else "Boards"])
    con.executemany("INSERT INTO status_evidence (review_id, number, axis, status, quote, source_url, published_on, "
                    "method, confidence) VALUES ('r', ?, ?, ?, ?, ?, ?, ?, ?)", evidence)


def test_stale_recommendations_counts_twelve_months_back_from_today(mem_con):
    today = mem_con.execute("SELECT current_date").fetchone()[0]
    _seed(mem_con, [
        (1, "implementation", "in_progress", "fresh", "https://x.test/1", today - timedelta(days=300), "rule", 0.9),
        (2, "implementation", "in_progress", "old", "https://x.test/2", today - timedelta(days=400), "rule", 0.9),
        (3, "response", "accepted", "undated", "https://x.test/3", None, "rule", 0.9),
        # 4: no evidence at all
    ])
    rows = mem_con.execute("SELECT number, evidence_count, last_evidence_on FROM stale_recommendations").fetchall()
    assert rows == [(2, 1, today - timedelta(days=400)), (3, 1, None), (4, 0, None)]


def test_status_changes_ranks_same_day_statements_like_recommendation_status(mem_con):
    _seed(mem_con, [
        (1, "implementation", "in_progress", "a", "https://x.test/a", date(2020, 1, 1), "rule", 0.9),
        (1, "implementation", "in_progress", "b", "https://x.test/b", date(2020, 6, 1), "rule", 0.9),  # repeat
        (1, "implementation", "paused", "c", "https://x.test/c", date(2021, 1, 1), "rule", 0.6),
        (1, "implementation", "implemented", "d", "https://x.test/d", date(2021, 1, 1), "rule", 0.9),  # wins the day
        (2, "response", "accepted", "e", "https://x.test/e", None, "rule", 0.9),  # undated first
        (2, "response", "rejected", "f", "https://x.test/f", date(2019, 1, 1), "analyst", 1.0),
    ])
    assert mem_con.execute(
        "SELECT number, axis, status_before, status_after, changed_on, quote FROM status_changes"
    ).fetchall() == [
        (1, "implementation", None, "in_progress", date(2020, 1, 1), "a"),
        (1, "implementation", "in_progress", "implemented", date(2021, 1, 1), "d"),
        (2, "response", None, "accepted", None, "e"),
        (2, "response", "accepted", "rejected", date(2019, 1, 1), "f"),
    ]
    assert mem_con.execute(
        "SELECT number, response_status, implementation_status FROM recommendation_status WHERE number <= 2"
    ).fetchall() == [(1, "no_response", "implemented"), (2, "rejected", "unknown")]
    assert mem_con.execute(
        "SELECT theme, recommendations, implemented, unknown, pct_implemented FROM progress_by_theme"
    ).fetchall() == [("overarching", 2, 1, 1, 50.0), ("Boards", 2, 0, 2, 0.0)]


# --- the files a run writes -------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_run_writes_the_full_set_dated_and_latest(sample_home, latest, wh):
    assert sorted(p.name for p in latest.iterdir()) == EXPECTED_FILES
    day = wh.execute("SELECT published_at FROM warehouse_info").fetchone()[0].date().isoformat()
    dated = sample_home / "exports" / day
    assert sorted(p.name for p in dated.iterdir()) == EXPECTED_FILES
    for name in EXPECTED_FILES:
        if name.endswith(".csv"):
            assert (dated / name).read_bytes() == (latest / name).read_bytes(), name
    assert not [p for p in (sample_home / "exports").iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.e2e
def test_review_progress_csv_exactly(latest):
    lines = _lines(latest / "review_progress.csv")
    assert lines[0] == REVIEW_PROGRESS_HEADER
    assert ROSE_ROW in lines
    assert [line.split(",")[0] for line in lines[1:]] == [
        "kark-2019", "kerr-2018", "ltp-2019-leadership", "messenger-2022", "rose-2015", "smith-2015",
    ]
    assert "kerr-2018,Empowering NHS leaders to lead,6,,3,0,2,0,1,0,0,0,0,0,0,0,6,0" in lines  # NULL is empty


@pytest.mark.e2e
@pytest.mark.parametrize("table", TABLES + CHANGES)
def test_each_csv_has_the_views_columns_and_rows_in_order(latest, wh, table):
    lines = _lines(latest / f"{table}.csv")
    if table in HEADERS or table in CHANGES:
        assert lines[0] == HEADERS[table if table in HEADERS else "changes"]
    rows = _rows(latest / f"{table}.csv")
    if table in CHANGES:
        assert len(rows) == 62 + 102 + 25 + wh.execute(
            "SELECT count(*) FILTER (WHERE response_status <> 'no_response') + "
            "count(*) FILTER (WHERE implementation_status <> 'unknown') FROM recommendation_status"
        ).fetchone()[0]  # the first version: everything is new
        return
    view_columns = [d[0] for d in wh.execute(f"SELECT * FROM {table} LIMIT 0").description]
    cursor = wh.execute(export_query(table))
    columns = [d[0] for d in cursor.description]
    assert lines[0] == ",".join(columns)
    assert columns[:len(view_columns)] == view_columns  # the view's columns first, in its order
    expected = cursor.fetchall()
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):  # same order, ISO dates, empty for NULL
        for column, value in zip(columns, want):
            if value is None:
                assert got[column] == ""
            elif isinstance(value, (date, datetime)):
                assert got[column] == value.isoformat()
            elif isinstance(value, float):
                assert float(got[column]) == value
            elif isinstance(value, bool):
                assert got[column] == ("true" if value else "false")
            else:
                assert got[column] == str(value)


@pytest.mark.e2e
def test_csv_keeps_typographic_characters(latest):
    text = (latest / "recommendation_status.csv").read_bytes().decode("utf-8-sig")
    assert "director’s" in text  # a curly apostrophe from the Kark review survives as UTF-8


@pytest.mark.e2e
def test_workbook_has_a_sheet_per_table_frozen_bold_and_real_dates(latest, wh):
    from openpyxl import load_workbook

    wb = load_workbook(latest / "tracker.xlsx")
    assert wb.sheetnames == ["About"] + [SHEETS[t] for t in TABLES] + [
        "Changes this week", "Changes, last 7 days", "Changes, last 30 days"]
    assert wb.active.title == "About"  # it opens on the cover
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in wb.sheetnames)
    for table in TABLES:
        ws = wb[SHEETS[table]]
        assert ws.freeze_panes == "A2", table
        header = [c.value for c in ws[1]]
        cursor = wh.execute(export_query(table))
        assert header == [d[0] for d in cursor.description]  # the CSV's column names, so the two match
        assert all(c.font.b for c in ws[1])
        assert ws.max_row == len(cursor.fetchall()) + 1
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    ws = wb["Review progress"]
    rose = next(row for row in ws.iter_rows(min_row=2) if row[0].value == "rose-2015")
    assert (rose[2].value, rose[3].value) == (19, 19)  # numbers stay numbers
    assert rose[-1].value == 0.368 and rose[-1].number_format == "0.0%"  # shown as 36.8%
    ws = wb["Evidence"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("published_on") + 1)
    assert isinstance(cell.value, datetime) and cell.is_date and cell.number_format == "yyyy-mm-dd"


@pytest.mark.e2e
def test_workbook_wraps_long_text_and_links_sources_and_archived_copies(latest):
    from openpyxl import load_workbook

    ws = load_workbook(latest / "tracker.xlsx")["Evidence"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("quote", "source_url", "archived_copy", "publisher", "status")}
    rows = range(2, ws.max_row + 1)
    assert all(ws.cell(row=r, column=col["quote"]).alignment.wrap_text for r in rows)
    assert ws.column_dimensions[ws.cell(row=1, column=col["quote"]).column_letter].width == 60
    assert not ws.cell(row=2, column=col["status"]).alignment.wrap_text  # short text stays on one line
    for r in rows:
        url = ws.cell(row=r, column=col["source_url"])
        assert url.hyperlink is not None and url.hyperlink.target == url.value and url.style == "Hyperlink"
        copy = ws.cell(row=r, column=col["archived_copy"])
        assert copy.hyperlink.target == copy.value
        assert (latest / copy.value).resolve().is_file()  # the link opens from where the workbook is
    assert ws.cell(row=2, column=col["publisher"]).hyperlink is None


@pytest.mark.e2e
def test_workbook_cover_gives_the_data_date_the_run_and_a_glossary(latest, wh):
    from openpyxl import load_workbook

    from tracker.vocabulary import STATUSES

    ws = load_workbook(latest / "tracker.xlsx")["About"]
    facts = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    run_id, published_at, version_file = wh.execute(
        "SELECT run_id, published_at, version_file FROM warehouse_info").fetchone()
    assert facts["Run"] == run_id and facts["Version"] == version_file
    assert abs((facts["Published (UTC)"] - published_at).total_seconds()) < 0.001
    assert facts["Data as of"].date() == wh.execute("SELECT max(published_on) FROM publications").fetchone()[0]
    glossary = [(row[1], row[2]) for row in ws.iter_rows(values_only=True)
                if row[0] and str(row[0]).startswith(("response (", "implementation ("))]
    assert glossary == [(s.name, s.meaning) for s in STATUSES]
    sheets = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[1] and str(row[1]).endswith(".csv")}
    assert sheets["Evidence"] == "status_evidence.csv" and len(sheets) == len(TABLES) + len(CHANGES)


def test_workbook_never_turns_scraped_text_into_a_formula(mem_con, tmp_path):
    from openpyxl import load_workbook

    _seed(mem_con, [(1, "response", "accepted", '=HYPERLINK("http://evil.test","click")\x07', "https://x.test/1",
                     date(2020, 1, 1), "rule", 0.9)])
    path = write_workbook(mem_con, tmp_path / "t.xlsx")
    ws = load_workbook(path)["Evidence"]
    col = [c.value for c in ws[1]].index("quote") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil.test","click")'


@pytest.mark.e2e
def test_parquet_copies_have_the_tables_rows_and_columns(latest, wh):
    for table in TABLES:
        path = str(latest / f"{table}.parquet").replace("'", "''")
        got = wh.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
        cursor = wh.execute(export_query(table))
        columns = [d[0] for d in cursor.description]
        want = cursor.fetchall()
        assert len(got) == len(want), table
        assert got == want, table  # same values, same order
        described = [r[0] for r in wh.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
        assert described == columns


def _resolved(path, folder) -> list[dict]:
    """An evidence CSV's rows with archived_copy resolved from the folder the file sits in."""
    rows = _rows(path)
    for row in rows:
        row["archived_copy"] = str((folder / row["archived_copy"]).resolve()) if row["archived_copy"] else ""
    return rows


@pytest.mark.e2e
def test_with_a_site_url_archived_copies_link_to_the_served_site(sample_home, tmp_path):
    """A CSV mailed out once linked to ../../site/captures/…, which opens nowhere but on the machine that wrote it."""
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        assert link_captures(con, tmp_path, sample_home / "site", "https://example.org/briefing/") > 0
        query = f"SELECT archived_copy FROM ({export_query('status_evidence')})"
        links = [row[0] for row in con.execute(query).fetchall()]
    finally:
        con.close()
    shas = {p.name for p in (sample_home / "site" / "captures").iterdir()}
    assert links and all(link.startswith("https://example.org/briefing/captures/")
                         and link.rsplit("/", 1)[1] in shas for link in links if link)


@pytest.mark.e2e
def test_tracker_export_writes_the_same_set(sample_home, latest, tmp_path):
    out = tmp_path / "it's out"  # a quote in the path must not break the Parquet COPY
    proc = run_cli(sample_home, "export", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == EXPECTED_FILES
    assert len(proc.stdout.splitlines()) == len(EXPECTED_FILES)
    for name in EXPECTED_FILES:
        if name in ("status_evidence.csv", "unresolved_statements.csv"):  # links relative to their own folder
            assert _resolved(out / name, out) == _resolved(latest / name, latest), name
        elif name.endswith(".csv") and name != "stale_recommendations.csv":
            assert (out / name).read_bytes() == (latest / name).read_bytes(), name
    assert all(row["archived_copy"] for row in _rows(out / "status_evidence.csv"))


@pytest.mark.e2e
def test_export_as_of_a_file_or_a_date_and_the_deprecated_version_option(sample_home, latest, tmp_path):
    version = sorted((sample_home / "published").glob("tracker-*.duckdb"))[-1]
    by_file = tmp_path / "by-file"
    proc = run_cli(sample_home, "export", "--out", str(by_file), "--as-of", str(version))
    assert proc.stderr == ""
    assert (by_file / "review_progress.csv").read_bytes() == (latest / "review_progress.csv").read_bytes()
    day = f"{version.name[8:12]}-{version.name[12:14]}-{version.name[14:16]}"
    by_date = tmp_path / "by-date"
    run_cli(sample_home, "export", "--out", str(by_date), "--as-of", day)
    assert (by_date / "changes.csv").read_bytes() == (by_file / "changes.csv").read_bytes()
    old = run_cli(sample_home, "export", "--out", str(tmp_path / "old"), "--as-of", "2001-01-01", check=False)
    assert old.returncode == 1 and old.stderr.startswith("error: no version was published on or before 2001-01-01")
    assert len(old.stderr.splitlines()) == 1
    # the old spelling still works, with a one-line warning
    legacy = tmp_path / "legacy"
    proc = run_cli(sample_home, "export", "--out", str(legacy), "--version", str(version))
    assert proc.stderr.splitlines() == ["warning: --version FILE is deprecated (it clashes with tracker --version): "
                                        "use --as-of FILE"]
    assert (legacy / "review_progress.csv").read_bytes() == (latest / "review_progress.csv").read_bytes()
    assert "--version" not in run_cli(sample_home, "export", "--help").stdout  # hidden
    both = run_cli(sample_home, "export", "--out", str(legacy), "--version", str(version), "--as-of", day, check=False)
    assert both.returncode == 2


@pytest.mark.e2e
def test_the_documented_analyst_queries_give_the_documented_output(sample_home):
    """Each query of docs/analysts/queries.md, run as documented (`tracker sql "..."`), prints exactly the output
    shown under it."""
    from support import ROOT

    text = (ROOT / "docs" / "analysts" / "queries.md").read_text(encoding="utf-8")
    found = re.findall(r"```sql\n(.*?)\n```\n\n```\n(.*?)\n```\n\n(\(\d+ rows?\))\n", text, flags=re.S)
    assert len(found) == 6
    for i, (sql, output, count) in enumerate(found, start=1):
        got = run_cli(sample_home, "sql", sql).stdout
        assert got.endswith("\n\n" + (count if "stale_recommendations" not in sql else got.splitlines()[-1]) + "\n")
        got = got.rsplit("\n\n", 1)[0]
        if "stale_recommendations" in sql:  # relative to today: same columns, rows may only grow
            assert got.splitlines()[0] == output.splitlines()[0]
            assert set(output.splitlines()[2:]) <= set(got.splitlines()[2:])
        else:
            assert got == output, f"query {i}"


@pytest.mark.e2e
def test_the_readme_s_first_query_prints_what_the_readme_shows(sample_home):
    from support import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    query, output, count = re.search(r'^tracker sql "(.+)"\n```\n\n```\n(.*?)\n```\n\n(\(\d+ rows?\))\n', text,
                                     flags=re.M | re.S).groups()
    assert run_cli(sample_home, "sql", query).stdout == f"{output}\n\n{count}\n"


def test_csv_cells_a_spreadsheet_would_run_get_a_leading_quote():
    from tracker.publish.exports import _cell

    for text in ("=1+1", "+44 20", "-2", "@SUM(A1)", "\tTAB", "\rCR", "=", "- a dash bullet"):
        assert _cell(text) == "'" + text
    for text in ("Accepted", "'quoted already", " =1+1", "£5m", "2024-03-05", ""):
        assert _cell(text) == text
    assert _cell(-2.5) == "-2.5" and _cell(-3) == -3  # numbers are values, not text: never prefixed
    assert _cell(["=A1", "b"]) == "'=A1; b"


def test_a_symlink_planted_at_a_staging_name_is_never_followed(mem_con, tmp_path):
    from tracker.publish.exports import write_exports

    out, victim = tmp_path / "shared-out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("keep me")
    for name in EXPECTED_FILES:  # the names staging files had: .<name>.part beside each output
        (out / f".{name}.part").symlink_to(victim)
    written = write_exports(mem_con, out)
    assert victim.read_bytes() == b"keep me"
    assert all(not path.is_symlink() and path.is_file() for path in written)
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".part")) == sorted(
        f".{name}.part" for name in EXPECTED_FILES)  # left as they were, and nothing of ours beside them


def test_a_staging_file_is_removed_when_writing_fails_and_created_new(tmp_path):
    from tracker.staging import staged

    target = tmp_path / "t.csv"
    with pytest.raises(OSError, match="No space left"):
        with staged(target, "w") as fh:
            fh.write("half")
            raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []
    with staged(target, "w") as fh:
        fh.write("whole")
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"] and target.read_text() == "whole"
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    import os

    old = os.umask(0o022)
    os.umask(old)
    return old


FULL_DISK = """
import resource, sys
from pathlib import Path
import duckdb
from tracker.publish.exports import write_parquet
con = duckdb.connect(sys.argv[1], read_only=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # as a full disk: a write past 4 KB fails (EFBIG)
write_parquet(con, Path(sys.argv[2]))
"""


@pytest.mark.e2e
def test_a_full_disk_is_one_line_and_leaves_no_staging_file(sample_home, tmp_path):
    import os
    import resource
    import subprocess
    import sys

    from conftest import ROOT

    def limited():  # each file the export writes is capped, as a disk that fills up mid-way
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "export", "--out", str(out)], cwd=ROOT,
                          env={**os.environ, "TRACKER_HOME": str(sample_home)}, capture_output=True, text=True,
                          preexec_fn=limited, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr == f"error: cannot write the exports into {out}: File too large\n"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]

    # DuckDB's own write (the Parquet copies) failing: one line too, and its staging file removed
    parquet = tmp_path / "parquet"
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(sample_home / "tracker.duckdb"), str(parquet)],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1 and "ExportWriteError: cannot write " in proc.stderr.splitlines()[-1], proc.stderr
    assert not [p.name for p in parquet.iterdir() if p.name.startswith(".")]


def test_export_run_stages_in_new_folders_and_clears_a_killed_runs(mem_con, tmp_path):
    from tracker.publish.exports import export_run

    exports, elsewhere = tmp_path / "exports", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (exports / ".2026-12-06.1a2b3c4d5e6f.part").mkdir(parents=True)  # left by a run killed mid-way
    (exports / ".2026-12-07.part").symlink_to(elsewhere)  # the staging folder's old fixed name, planted
    dated = export_run(mem_con, exports, date(2026, 12, 7))
    assert dated == exports / "2026-12-07" and (dated / "review_progress.csv").is_file()
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in exports.iterdir()) == [".2026-12-07.part", "2026-12-07", "latest"]
