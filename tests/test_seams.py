"""The seams between reading, deciding and writing: rows by column name, the extract stage's result,
source health judged from facts alone, the briefing rendered from its data alone, one ranking of statements."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tracker.fetch.crawl_summary import CrawlSummary
from tracker.health import MAX_MISSING_SHARE, HealthRow, SourceFacts, judge
from tracker.items import Evidence
from tracker.publish.site import Briefing, render_briefing
from tracker.publish.site.data import SiteData
from tracker.settings import Settings
from tracker.stages.extraction import extract, write_extraction
from tracker.warehouse.db import open_work_db
from tracker.warehouse.load import replace_evidence
from tracker.warehouse.rows import insert, select, update

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class _Row:
    name: str
    size: int
    tags: tuple[str, ...] = ()


def test_insert_puts_each_field_in_the_column_of_its_name_whatever_the_table_order():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (tags VARCHAR[], size INTEGER, extra VARCHAR DEFAULT 'x', name VARCHAR)")
    assert insert(con, "t", [_Row("a", 1, ("p", "q")), _Row("b", 2)]) == 2
    assert con.execute("SELECT name, size, tags, extra FROM t ORDER BY name").fetchall() == [
        ("a", 1, ["p", "q"], "x"), ("b", 2, [], "x")]
    assert insert(con, "t", []) == 0


def test_insert_with_columns_writes_only_those_and_replace_overwrites_by_key():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (name VARCHAR PRIMARY KEY, size INTEGER)")
    insert(con, "t", [_Row("a", 1, ("ignored",))], columns=("name", "size"))
    insert(con, "t", [_Row("a", 5)], columns=("name", "size"), replace=True)
    assert con.execute("SELECT * FROM t").fetchall() == [("a", 5)]


def test_on_conflict_updates_the_stored_row_and_only_the_columns_named_in_updating():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (name VARCHAR PRIMARY KEY, size INTEGER, tags VARCHAR[])")
    insert(con, "t", [_Row("a", 1, ("first",)), _Row("b", 2, ("first",))])
    insert(con, "t", [_Row("a", 5, ("second",)), _Row("c", 3)], on_conflict="name")
    insert(con, "t", [_Row("b", 9, ("second",))], on_conflict="name", updating=("size",))
    assert con.execute("SELECT * FROM t ORDER BY name").fetchall() == [
        ("a", 5, ["second"]), ("b", 9, ["first"]), ("c", 3, [])]
    with pytest.raises(duckdb.ConstraintException):
        insert(con, "t", [_Row("a", 0)])


@dataclass(frozen=True)
class _Wide:
    name: str
    size: int | None
    ratio: float
    day: date | None
    moment: datetime | None
    tags: tuple[str, ...]


def _wide_rows(count: int) -> list[_Wide]:
    from datetime import timezone
    rows = [_Wide(f"n{i % (count - 3)}", i if i % 4 else None, i / 3, date(2020, 1, 1 + i % 28) if i % 5 else None,
                  datetime(2021, 3, 4, 5, 6, i % 60) if i % 2 else None, tuple(f"t{j}" for j in range(i % 3)))
            for i in range(count)]  # the last three names repeat earlier ones
    rows[1] = _Wide("zoned", 1, 0.5, None, datetime(2021, 3, 4, 12, 0, tzinfo=timezone.utc), ())
    return rows


@pytest.mark.parametrize("how", [{}, {"replace": True}, {"on_conflict": "name"},
                                 {"on_conflict": "name", "updating": ("size",)}])
def test_many_rows_go_in_as_one_by_one_would(how, monkeypatch):
    """From BULK rows an insert is one statement over an Arrow table; what it stores is what row-by-row stores:
    a repeated key (the last wins), no value, an empty list, a date, a time with and without a zone."""
    def stored(rows, one_by_one):
        con = duckdb.connect(":memory:")
        con.execute("SET TimeZone = 'Europe/London'")
        key = "PRIMARY KEY" if how else ""
        con.execute(f"CREATE TABLE t (name VARCHAR {key}, size INTEGER, ratio DOUBLE, day DATE, moment TIMESTAMP, "
                    "tags VARCHAR[])")
        if how:
            insert(con, "t", [_Wide("n0", 99, 9.0, None, None, ("old",))])
        for part in ([[row] for row in rows] if one_by_one else [rows]):
            insert(con, "t", part, **how)
        return con.execute("SELECT * FROM t ORDER BY ALL").fetchall()

    from tracker.warehouse import rows as rows_module
    tables = []
    arrow_table = rows_module._arrow_table
    monkeypatch.setattr(rows_module, "_arrow_table", lambda *a: tables.append(arrow_table(*a)) or tables[-1])
    plain = [row for row in _wide_rows(40) if row.name != "zoned"]
    plain = [row for i, row in enumerate(plain) if row.name not in {r.name for r in plain[:i]}]
    assert stored(plain, one_by_one=False) == stored(plain, one_by_one=True)
    assert tables and tables[0] is not None  # the batch went in as one Arrow table
    assert stored(_wide_rows(40), one_by_one=False) == stored(_wide_rows(40), one_by_one=True)


def test_select_and_update_go_by_column_name():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (size INTEGER, tags VARCHAR[], name VARCHAR)")
    insert(con, "t", [_Row("a", 1), _Row("b", 2)])
    update(con, "t", [_Row("b", 7, ("z",))], key="name")
    got = select(con, _Row, "t", "WHERE size > ? ORDER BY name", [1])
    assert got == [_Row("b", 7, ["z"])]


# An INSERT whose table is followed by neither a column list nor BY NAME fills the columns in table order.
_INSERT_BY_POSITION = re.compile(r"INSERT\s+(?:OR\s+REPLACE\s+)?INTO\s+[\w.{}]+\s+(?!\(|BY\s+NAME\b)", re.I)


@pytest.mark.parametrize("text, by_position", [
    ("INSERT INTO document_blocks SELECT * FROM batch_blocks", True),
    ('f"INSERT INTO main.{table} SELECT * FROM work.main.{table}"', True),
    ("INSERT OR REPLACE INTO t VALUES (1, 2)", True),
    ("INSERT INTO document_blocks BY NAME SELECT * FROM batch_blocks", False),
    ("insert into t (a, b) select a, b from u", False),
])
def test_the_by_position_pattern_tells_an_insert_that_names_its_columns(text, by_position):
    assert bool(_INSERT_BY_POSITION.search(text)) is by_position


def test_no_insert_relies_on_column_order():
    """Every insert names its columns (rows.insert from a dataclass, a column list, or BY NAME): none fills a
    table in column order, lists its placeholders by hand or unpacks a row."""
    owned = [*sorted((ROOT / "tracker").rglob("*.py")), *sorted((ROOT / "sql").rglob("*.sql"))]
    for path in owned:
        text = path.read_text(encoding="utf-8")
        assert not _INSERT_BY_POSITION.search(text), path
        assert not re.search(r"VALUES \(\?", text), path
        assert "(*row" not in text, path
        if path.name != "rows.py":  # the one place that builds placeholders from a dataclass's fields
            assert not re.search(r"'\?' for ", text), path


# --- the extract stage: extract() reads and decides, write_extraction() writes -------------------------


@pytest.mark.e2e
def test_extract_decides_without_writing_and_its_result_written_is_the_run(sample_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_home / "work.duckdb", home / "work.duckdb")
    settings = Settings(home=home)
    con = open_work_db(settings.work_db, settings.sql_dir)
    try:
        published = con.execute("SELECT * FROM status_evidence ORDER BY ALL").fetchall()
        con.execute("DELETE FROM extraction_state")  # every document is read again
        before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                  for t in ("rule_evidence", "status_evidence", "recommendations", "data_quality", "extraction_state")}
        result = extract(con, settings)
        assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in before} == before
        assert len(result.stale) == con.execute("SELECT count(*) FROM publications").fetchone()[0]
        assert result.failures == [] and len(result.recommendations) == 62
        write_extraction(con, result)
        assert con.execute("SELECT * FROM status_evidence ORDER BY ALL").fetchall() == published
        assert con.execute("SELECT count(*) FROM extraction_state").fetchone()[0] == len(result.stale)
    finally:
        con.close()


def test_evidence_is_attributed_by_column_name(mem_con):
    mem_con.execute("INSERT INTO publications (url, source, title, published_on, speaker, publisher) "
                    "VALUES ('https://www.gov.uk/x', 'dhsc', 'Response', DATE '2019-08-16', 'government', 'DHSC')")
    replace_evidence(mem_con, [
        Evidence("kark-2019", 1, "response", "accepted", "We accept it.", "https://www.gov.uk/x", date(2019, 8, 16)),
        Evidence("kark-2019", 2, "response", "rejected", "Not this.", "https://www.gov.uk/x", date(2019, 8, 16),
                 method="analyst", confidence=1.0),
    ])
    assert mem_con.execute(
        "SELECT number, status, speaker, publisher, cited_as, method FROM status_evidence ORDER BY number"
    ).fetchall() == [
        (1, "accepted", "government", "DHSC", "DHSC — Response, 16 Aug 2019", "rule"),
        (2, "rejected", "government", "DHSC", "DHSC — Response, 16 Aug 2019", "analyst"),
    ]


# --- source health: judged from its facts alone -------------------------------------------------------


def _crawl(listed: int = 0, fetched: int = 0) -> CrawlSummary:
    return CrawlSummary("kingsfund", finished=True, listed=listed, fetched=fetched)


def _facts(**changes) -> SourceFacts:
    base = dict(source="kingsfund", crawl=_crawl(40, 40), parsed=40, unchanged=0,
                missing_title=0, missing_date=0, documents=40, relevant=10, no_title=0, no_date=0, prev_listed=40,
                prev_read=40, ever_listed=(3, 3))
    return SourceFacts(**{**base, **changes})


def test_a_source_like_last_week_is_healthy_and_its_row_carries_the_crawl():
    row = judge(_facts(), "run-1", datetime(2026, 12, 7, 6))
    assert isinstance(row, HealthRow)
    assert (row.healthy, row.message, row.listed, row.fetched, row.documents) == (True, None, 40, 40, 40)


def test_a_listing_that_halves_and_pages_without_dates_are_judged_without_a_database():
    row = judge(_facts(crawl=_crawl(10, 10), parsed=10, missing_date=5), "run-1",
                datetime(2026, 12, 7, 6))
    assert not row.healthy
    assert row.message == (
        "kingsfund: listed 10, down from 40 last run (less than half): has the site changed?; "
        "10 pages read (parsed or unchanged), down from 40 last run (less than half): are its pages failing to parse?; "
        f"5 of 10 pages have no date (50% > {MAX_MISSING_SHARE:.0%}): has the site changed its layout?")


def test_a_source_that_listed_nothing_says_whether_it_ever_did():
    never = judge(_facts(crawl=_crawl(), parsed=0, prev_read=None, ever_listed=(2, 1)), "r", datetime(2026, 1, 1))
    always = judge(_facts(crawl=_crawl(), parsed=0, prev_read=None, ever_listed=(2, 2)), "r", datetime(2026, 1, 1))
    assert never.message == "kingsfund: listed nothing: has the site changed?"
    assert always.message == "kingsfund: listed nothing, though every earlier crawl listed items: has the site changed?"


# --- the briefing: rendered from its data alone -------------------------------------------------------


def test_the_briefing_renders_from_a_briefing_without_any_database():
    data = SiteData(run_id="run-1", published_at=datetime(2026, 12, 7, 6), data_date=None, last_capture=None,
                    last_evidence=None, reviews=[], recommendations=[], stale_cutoff=None, citations={},
                    unresolved=[])
    unhealthy = [judge(_facts(source="nhse", crawl=_crawl(), parsed=0, prev_read=None, ever_listed=(0, 0)),
                       "run-1", datetime(2026, 12, 7, 6))]
    pages = render_briefing(Briefing(data=data, digest=None, archived={}, unhealthy=unhealthy, checked=6,
                                     downloads=("tracker.xlsx",)))
    assert list(pages) == ["summary.html", "feeds/changes.atom", "progress.html", "methodology.html", "index.html"]
    index = pages["index.html"]
    assert "1 of 6 sources could not be read properly" in index and "listed nothing" in index
    # the version is named by its date, never by a raw run id
    assert "downloads/tracker.xlsx" in index and "2026-12-07 06:00 UTC" in index and "run-1" not in index


# --- one ranking of statements ------------------------------------------------------------------------


def _seed(con, rows):
    con.execute("INSERT INTO reviews (review_id, title, publisher) VALUES ('r', 'R', 'DHSC')")
    con.execute("INSERT INTO recommendations (review_id, number, text, theme, source_url) "
                "VALUES ('r', 1, 'Do it', NULL, 'https://x.test/r')")
    insert(con, "status_evidence", [Evidence("r", 1, axis, status, quote, f"https://x.test/{quote}", day,
                                             confidence=conf, speaker=speaker)
                                    for axis, status, quote, day, conf, speaker in rows])


def test_ranked_evidence_is_the_one_order_of_statements_the_views_use(mem_con):
    _seed(mem_con, [
        ("response", "accepted", "a", date(2019, 1, 1), 0.9, "government"),
        ("response", "rejected", "b", date(2020, 1, 1), 0.6, "independent"),
        ("response", "under_consideration", "c", date(2020, 1, 1), 0.9, "independent"),
        ("response", "accepted_in_principle", "d", None, 1.0, "government"),
    ])
    ranked = mem_con.execute(
        "SELECT quote, recency, stance, tier FROM ranked_evidence ORDER BY recency").fetchall()
    assert ranked == [("c", 1, "independent", 2), ("b", 2, "independent", 2), ("a", 3, "official", 0),
                      ("d", 4, "official", 0)]
    # the official position is the official statement ranked first; the independent one likewise
    assert mem_con.execute(
        "SELECT position, quote FROM status_positions_as_at(NULL) ORDER BY position").fetchall() == [
        ("independent", "c"), ("official", "a")]
    # as it stood before 2020: the same order over fewer statements
    assert mem_con.execute(
        "SELECT position, quote FROM status_positions_as_at(DATE '2019-12-31') ORDER BY position").fetchall() == [
        ("official", "a")]


# --- the working database's views: created again only when their text changes ---------------------------------


def test_views_are_created_again_only_when_their_text_or_the_schema_changes(tmp_path):
    sql = tmp_path / "sql"
    shutil.copytree(ROOT / "sql", sql)
    probe = sql / "views" / "999_probe.sql"
    probe.write_text("CREATE OR REPLACE VIEW probe AS SELECT 1 AS x;\n")
    db = tmp_path / "work.duckdb"

    def reopen() -> int:
        con = open_work_db(db, sql)
        try:
            return con.execute("SELECT x FROM probe").fetchone()[0]
        finally:
            con.close()

    assert reopen() == 1
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE VIEW probe AS SELECT 2 AS x")  # a stand-in for a view left as it was
    con.close()
    assert reopen() == 2  # same text as last applied: nothing recreated
    probe.write_text("CREATE OR REPLACE VIEW probe AS SELECT 3 AS x;\n")
    assert reopen() == 3  # the text changed: every view created again
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE VIEW probe AS SELECT 4 AS x")
    con.close()
    (sql / "migrations" / "999_probe.sql").write_text("CREATE TABLE probe_table (x INTEGER);\n")
    assert reopen() == 3  # a migration ran: the views are created again over the new schema
