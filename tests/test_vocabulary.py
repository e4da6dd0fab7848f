"""One vocabulary: tracker/vocabulary.py defines the statuses once; the tables, views, charts and
`tracker status` read it."""

from __future__ import annotations

from tracker.publish.charts import text_on
from tracker.vocabulary import (
    ACCEPTED, AXES, COLOURS, DEFAULT_STATUS, MEANINGS, RESPONSE_STATUSES, SHORT_LABELS, STATUSES, status_rows,
)


def test_every_status_has_one_label_colour_and_meaning_and_each_axis_one_default():
    every = [s for axis in AXES for s in STATUSES[axis]]
    assert set(SHORT_LABELS) == set(COLOURS) == set(MEANINGS) == set(every)
    assert all(text_on(COLOURS[s]) for s in every)
    assert {r.axis: r.status for r in status_rows() if r.is_default} == DEFAULT_STATUS
    assert set(ACCEPTED) <= set(RESPONSE_STATUSES)


def test_the_tables_and_views_follow_the_vocabulary(mem_con):
    assert mem_con.execute("SELECT axis, status FROM status_vocabulary ORDER BY axis DESC, position").fetchall() == [
        (axis, s) for axis in AXES for s in STATUSES[axis]]
    counted = [c for (c,) in mem_con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'review_progress' ORDER BY column_index"
    ).fetchall()]
    assert [c for c in counted if c in COLOURS] == [s for axis in AXES for s in STATUSES[axis]]
    mem_con.execute("INSERT INTO reviews (review_id, title, publisher) VALUES ('r', 'R', 'DHSC')")
    mem_con.execute("INSERT INTO recommendations (review_id, number, text, theme, source_url) "
                    "VALUES ('r', 1, 'Do it', NULL, 'https://x.test/r')")
    # nothing said: the vocabulary's defaults, read from status_vocabulary
    assert mem_con.execute("SELECT response_status, implementation_status FROM recommendation_status").fetchone() == (
        DEFAULT_STATUS["response"], DEFAULT_STATUS["implementation"])
    mem_con.execute(
        "UPDATE status_vocabulary SET is_default = (status = 'under_consideration') WHERE axis = 'response'")
    assert mem_con.execute("SELECT response_status FROM recommendation_status").fetchone() == ("under_consideration",)
