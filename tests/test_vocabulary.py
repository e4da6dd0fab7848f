"""One vocabulary: tracker/vocabulary.py declares each status once, as a row; the tables, views, charts and
`tracker status` read it."""

from __future__ import annotations

import re

from tracker.vocabulary import (
    AXES, IMPLEMENTATION, IMPLEMENTATION_STATUSES, RESPONSE, RESPONSE_STATUSES, STATUSES, default_status, family,
    is_valid, status_rows,
)


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
