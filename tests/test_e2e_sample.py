"""End to end on the bundled sample archive: exact rows in the contract tables, honest quotes, idempotence."""

from __future__ import annotations

import duckdb
import pytest

from conftest import run_cli
from support import CONTRACT_TABLES as CONTRACT
from support import SAMPLE_LABELS, SAMPLE_WARC, sample_csv, table_snapshot
from tracker.evaluate import evaluate, read_labels

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wh(sample_home):
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    yield con
    con.close()


def test_recommendation_counts_equal_what_the_sample_states(wh):
    expected = {row["review_id"]: int(row["recommendations"]) for row in sample_csv("expected_counts.csv")}
    found = dict(wh.execute("SELECT review_id, recommendations FROM review_progress").fetchall())
    assert found == expected
    checks = dict(wh.execute(
        "SELECT review_id, passed FROM data_quality WHERE check_name = 'recommendation_count'").fetchall())
    assert all(checks.values()), checks


def test_the_warehouse_vocabulary_is_the_one_in_tracker_vocabulary(wh):
    from tracker.vocabulary import AXES, statuses_on

    rows = wh.execute("SELECT axis, status FROM status_vocabulary ORDER BY axis, position").fetchall()
    assert rows == [(axis, status) for axis in sorted(AXES) for status in statuses_on(axis)]
    checks = wh.execute("SELECT review_id, passed FROM data_quality WHERE check_name = 'status_vocabulary'").fetchall()
    assert len(checks) == 6 and all(passed for _, passed in checks)


def test_contract_columns(wh):
    def columns(name):
        return [r[0] for r in wh.execute(f"DESCRIBE {name}").fetchall()]

    assert columns("reviews") == ["review_id", "title", "publisher", "published_on", "url", "expected_recommendations",
                                  "kind",
                                  "short_name", "documents", "origin"]
    assert columns("recommendations")[:6] == ["review_id", "number", "text", "theme", "source_url", "page"]
    assert columns("status_evidence") == [
        "review_id", "number", "axis", "status", "quote", "source_url", "published_on", "method", "confidence",
        "speaker", "publisher", "cited_as", "basis",
    ]
    assert columns("unresolved_statements") == [
        "review_id", "quote", "source_url", "published_on", "predicate", "axis", "status", "why", "speaker",
        "publisher", "cited_as",
    ]
    assert columns("publications")[:7] == ["url", "source", "title", "published_on", "document_type", "fetched_at",
                                           "content_sha256"]
    assert columns("recommendation_status") == [
        "review_id", "number", "text", "response_status", "implementation_status", "evidence_count",
        "last_evidence_on", "last_evidence_url", "response_basis", "implementation_basis",
        *(f"{side}_{axis}_{field}" for axis in ("response", "implementation") for side in ("official", "independent")
          for field in ("status", "quote", "published_on", "source_url", "cited_as")),
        "response_disputed", "implementation_disputed",
    ]
    assert columns("status_disagreements")[:4] == ["review_id", "number", "axis", "official_status"]
    assert columns("review_progress") == [
        "review_id", "title", "recommendations", "expected_recommendations", "accepted", "accepted_in_principle",
        "partially_accepted", "rejected", "under_consideration", "no_response", "implemented",
        "partially_implemented", "in_progress", "paused", "not_started", "superseded", "unknown", "pct_implemented",
    ]


@pytest.mark.parametrize(
    "review_id, number, response, implementation",
    [
        ("rose-2015", 1, "accepted", "implemented"),
        ("rose-2015", 10, "accepted", "superseded"),  # superseded in 2017 and again in the 2023 long read
        ("rose-2015", 14, "accepted", "paused"),
        ("rose-2015", 5, "accepted", "unknown"),
        ("smith-2015", 7, "no_response", "implemented"),  # under way in 2016, completed by 2018
        ("smith-2015", 12, "no_response", "in_progress"),  # paused in 2016, taken forward again in 2018
        ("smith-2015", 16, "no_response", "not_started"),
        ("kark-2019", 1, "accepted", "implemented"),
        ("kark-2019", 4, "under_consideration", "superseded"),
        ("kark-2019", 6, "accepted_in_principle", "unknown"),
        ("kark-2019", 7, "rejected", "unknown"),
        ("messenger-2022", 2, "accepted", "implemented"),
        ("messenger-2022", 6, "accepted", "not_started"),
        ("messenger-2022", 7, "accepted", "paused"),
        ("kerr-2018", 3, "partially_accepted", "unknown"),
        ("ltp-2019-leadership", 1, "no_response", "unknown"),
    ],
)
def test_statuses_of_named_recommendations(wh, review_id, number, response, implementation):
    row = wh.execute(
        "SELECT response_status, implementation_status FROM recommendation_status WHERE review_id = ? AND number = ?",
        [review_id, number],
    ).fetchone()
    assert row == (response, implementation)


def test_progress_row_for_rose(wh):
    row = wh.execute(
        "SELECT recommendations, expected_recommendations, accepted, implemented, in_progress, paused, superseded, "
        "unknown, pct_implemented "
        "FROM review_progress WHERE review_id = 'rose-2015'"
    ).fetchone()
    assert row == (19, 19, 19, 7, 5, 1, 4, 2, 36.8)


def test_themes_and_pages_of_the_rose_pdf(wh):
    rows = wh.execute(
        "SELECT number, theme, page FROM recommendations WHERE review_id = 'rose-2015' AND number IN (1, 2, 3, 19) "
        "ORDER BY number"
    ).fetchall()
    assert [(n, t) for n, t, _ in rows] == [
        (1, "overarching"), (2, "overarching"), (3, "Culture and values"), (19, "Making it happen"),
    ]
    assert all(isinstance(p, int) and p > 2 for _, _, p in rows)  # after the cover and the contents page


def test_every_quote_is_verbatim_in_the_publishers_own_words(sample_home):
    work = duckdb.connect(str(sample_home / "work.duckdb"), read_only=True)
    try:
        rows = work.execute("SELECT source_url, quote FROM status_evidence").fetchall()
        assert rows
        for url, quote in rows:
            texts = [t for (t,) in work.execute(
                "SELECT b.text FROM document_blocks b WHERE b.url = ? AND b.role = 'body'", [url]
            ).fetchall()]
            assert any(quote in t for t in texts), (url, quote)
        # comments, quotes and banners exist in the sample but yield nothing
        roles = dict(work.execute("SELECT role, count(*) FROM document_blocks GROUP BY role").fetchall())
        assert roles.get("comment", 0) > 0 and roles.get("quote", 0) > 0
    finally:
        work.close()


def test_no_evidence_from_comments_quotes_or_untracked_inquiries(wh):
    blog = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/fit-and-proper-test-kark"
    rows = wh.execute("SELECT DISTINCT status FROM status_evidence WHERE source_url = ?", [blog]).fetchall()
    assert rows == [("under_consideration",)]  # the commenters' claims of implementation are ignored
    article = "https://www.kingsfund.org.uk/insight-and-analysis/articles/social-care-funding-explained"
    assert wh.execute("SELECT count(*) FROM status_evidence WHERE source_url = ?", [article]).fetchone() == (0,)
    press = "https://www.gov.uk/government/news/government-accepts-lord-roses-recommendations-on-nhs-leadership"
    assert wh.execute(
        "SELECT count(*) FROM status_evidence WHERE source_url = ? AND axis = 'implementation'", [press]
    ).fetchone() == (0,)


def test_rule_extraction_scores_on_the_labelled_sample(wh):
    score = evaluate(wh, read_labels(SAMPLE_LABELS))
    assert score.labelled >= 60
    assert score.recall >= 0.9, score.misses
    assert score.precision >= 0.9, score.extras


def _snapshot(path):
    return table_snapshot(path, CONTRACT)


def test_running_twice_gives_identical_tables(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "run", "--offline")
    first = _snapshot(home / "tracker.duckdb")
    run_cli(home, "import-warc", str(SAMPLE_WARC))  # importing again adds nothing
    second_run = run_cli(home, "run", "--offline")
    assert "0 parsed, 25 unchanged" in second_run.stdout
    assert _snapshot(home / "tracker.duckdb") == first
    # and a rebuild from scratch on a new home gives the same tables too
    other = tmp_path / "other"
    run_cli(other, "import-warc", str(SAMPLE_WARC))
    run_cli(other, "run", "--offline")
    assert _snapshot(other / "tracker.duckdb") == first
