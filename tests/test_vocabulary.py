"""One vocabulary: tracker/vocabulary.py declares each status once, as a row; the tables, views, charts and
`tracker status` read it."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from support import ROOT

from tracker import vocabulary
from tracker.extract.frames import Predicate, qualify_for
from tracker.extract.targets import Reference
from tracker.items import Review
from tracker.stages.extraction import _vocabulary_checks
from tracker.vocabulary import (
    AXES, IMPLEMENTATION, IMPLEMENTATION_STATUSES, RESPONSE, RESPONSE_STATUSES, STATUSES, Status, default_status,
    family, is_valid, status_rows,
)
from tracker.warehouse.db import open_work_db, write_vocabularies


def test_each_status_is_one_row_listed_by_axis_with_one_default_per_axis():
    names = [s.name for s in STATUSES]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", n) for n in names)  # they name the views' columns
    assert names == [*RESPONSE_STATUSES, *IMPLEMENTATION_STATUSES]  # grouped by axis, in AXES' order
    assert [r.axis for r in status_rows() if r.is_default] == list(AXES)
    assert (default_status(RESPONSE), default_status(IMPLEMENTATION), default_status(None)) == (
        "no_response", "unknown", "unknown")
    by_name = {s.name: s for s in STATUSES}
    assert all(by_name[s.qualifies].axis == s.axis for s in STATUSES if s.qualifies)
    assert family("accepted") == ("accepted", "accepted_in_principle", "partially_accepted")
    assert family("implemented") == ("implemented", "partially_implemented")
    assert is_valid(RESPONSE, "accepted") and not is_valid(IMPLEMENTATION, "accepted")


def test_the_tables_and_views_follow_the_vocabulary(mem_con):
    assert mem_con.execute("SELECT axis, status, label FROM status_vocabulary ORDER BY axis DESC, position"
                           ).fetchall() == [(s.axis, s.name, s.label) for s in STATUSES]
    assert STATUSES[1].label == "Accepted in principle"
    counted = [c for (c,) in mem_con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'review_progress' ORDER BY column_index"
    ).fetchall()]
    names = [s.name for s in STATUSES]
    assert [c for c in counted if c in names] == names
    mem_con.execute("INSERT INTO reviews (review_id, title, publisher) VALUES ('r', 'R', 'DHSC')")
    mem_con.execute("INSERT INTO recommendations (review_id, number, text, theme, source_url) "
                    "VALUES ('r', 1, 'Do it', NULL, 'https://x.test/r')")
    # nothing said: the vocabulary's defaults, read from status_vocabulary
    assert mem_con.execute("SELECT response_status, implementation_status FROM recommendation_status").fetchone() == (
        default_status(RESPONSE), default_status(IMPLEMENTATION))
    mem_con.execute(
        "UPDATE status_vocabulary SET is_default = (status = 'under_consideration') WHERE axis = 'response'")
    assert mem_con.execute("SELECT response_status FROM recommendation_status").fetchone() == ("under_consideration",)


def _evidence(con, status: str, axis: str = RESPONSE, quote: str = "We accept it.") -> None:
    con.execute("INSERT INTO status_evidence (review_id, number, axis, status, quote, source_url, method, confidence) "
                "VALUES ('r', 1, ?, ?, ?, 'https://x.test/a', 'rule', 0.9)", [axis, status, quote])


def test_a_warehouse_from_before_the_check_went_keeps_its_rows_and_the_data_quality_check_is_the_guard(tmp_path):
    before = tmp_path / "sql"
    shutil.copytree(ROOT / "sql", before)
    (before / "migrations" / "016_status_values.sql").unlink()
    db = tmp_path / "work.duckdb"
    con = open_work_db(db, before)
    _evidence(con, "accepted")
    _evidence(con, "in_progress", IMPLEMENTATION, "Work is under way.")
    with pytest.raises(duckdb.ConstraintException):
        _evidence(con, "accepted_with_conditions")
    rows = con.execute("SELECT * FROM status_evidence ORDER BY ALL").fetchall()
    con.close()

    con = open_work_db(db, ROOT / "sql")
    try:
        assert con.execute("SELECT * FROM status_evidence ORDER BY ALL").fetchall() == rows
        for axis, quote in (("neither", "x"), (RESPONSE, " ")):  # the other checks stay
            with pytest.raises(duckdb.ConstraintException):
                _evidence(con, "accepted", axis, quote)
        write_vocabularies(con)
        review = Review("r", "R", "DHSC", None, None, None)
        assert [c.passed for c in _vocabulary_checks(con, [review])] == [True]
        _evidence(con, "accepted_with_conditions")
        [check] = _vocabulary_checks(con, [review])
        assert (check.passed, check.detail) == (False, "1 statuses outside the vocabulary")
    finally:
        con.close()


def _row(con, view: str) -> dict:
    cursor = con.execute(f"SELECT * FROM {view}")
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def test_a_new_status_is_one_row_of_the_vocabulary(tmp_path, monkeypatch):
    db = tmp_path / "work.duckdb"
    open_work_db(db, ROOT / "sql").close()  # its views as created before the new statuses
    rows = list(STATUSES)
    rows.insert(1, Status("accepted_with_conditions", RESPONSE, "on conditions", "#00507F",
                          "Agreed, on conditions the body sets.", qualifies="accepted"))
    rows.insert(rows.index(STATUSES[-1]), Status("deferred", IMPLEMENTATION, "deferred", "#5A4A00", "Put off."))
    monkeypatch.setattr(vocabulary, "STATUSES", tuple(rows))

    con = open_work_db(db, ROOT / "sql")
    try:
        write_vocabularies(con)
        con.execute("INSERT INTO reviews (review_id, title, publisher) VALUES ('r', 'R', 'DHSC')")
        con.execute("INSERT INTO recommendations (review_id, number, text, theme, source_url) "
                    "VALUES ('r', 1, 'Do it', 'Standards', 'https://x.test/r')")
        _evidence(con, "accepted_with_conditions")
        _evidence(con, "deferred", IMPLEMENTATION, "It has been put off.")
        progress, by_theme = _row(con, "review_progress"), _row(con, "progress_by_theme")
        names = [s.name for s in rows]
        assert [c for c in progress if c in names] == names
        assert [c for c in by_theme if c in names] == [s.name for s in rows if s.axis == IMPLEMENTATION]
        assert (progress["accepted_with_conditions"], progress["accepted"], progress["deferred"]) == (1, 0, 1)
        assert (by_theme["theme"], by_theme["deferred"], by_theme["unknown"]) == ("Standards", 1, 0)
        assert [c.passed for c in _vocabulary_checks(con, [Review("r", "R", "DHSC", None, None, None)])] == [True]
        # the briefing's figures: a new form of acceptance is accepted; a new implementation status is outstanding
        figures = {f: n for f, n in con.execute(
            "SELECT figure, n FROM briefing_figures WHERE review_id = 'r'").fetchall()}
        assert figures["accepted"] == 1 and figures["accepted_not_implemented"] == 1, figures
    finally:
        con.close()
    # a form of acceptance: a qualifier after its reference chooses among the family, as for "accepted"
    text = "We accepted recommendation 4 in part."
    said = Predicate(3, 11, "accepted", RESPONSE, "accepted_with_conditions", "after")
    ref = Reference(12, 28, numbers=(4,))
    assert qualify_for(text, said, ref, [ref]).status == "partially_accepted"
