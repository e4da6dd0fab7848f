"""The analyst's registry of reviews ($TRACKER_HOME/reviews.toml or TRACKER_REGISTRY), merged over the built-in one."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import run_cli
from support import SAMPLE_WARC, fixture_path
from tracker.registry import load_reviews

HARTLEY_URL = "https://reviews.example.org/hartley-2021/steadier-boards"
RESPONSE_URL = "https://www.gov.uk/government/publications/hartley-review-government-response"


def test_every_built_in_review_has_the_short_name_analysts_use():
    names = {r.review_id: r.short_name for r in load_reviews()}
    assert names == {
        "smith-2015": "Smith review (2015)", "rose-2015": "Rose review (2015)", "kerr-2018": "Kerr review (2018)",
        "kark-2019": "Kark review (2019)", "messenger-2022": "Messenger review (2022)",
        "ltp-2019-leadership": "NHS Long Term Plan (2019)",
    }
    assert {r.origin for r in load_reviews()} == {"built_in"}


def test_tracker_reviews_lists_the_merged_registry_and_where_each_review_comes_from(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(fixture_path("registry/reviews.toml"), home / "reviews.toml")
    out = run_cli(home, "reviews").stdout
    assert f"Your registry {home / 'reviews.toml'}" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].isalpha() and "-20" in line.split()[0]}
    assert "Hartley review (2021)" in rows["hartley-2021"] and "analyst " in rows["hartley-2021"]
    assert "analyst override" in rows["kerr-2018"] and " 6 " in rows["kerr-2018"]
    assert "built in" in rows["kark-2019"] and "Kark review (2019)" in rows["kark-2019"]
    assert f"  hartley-2021: {HARTLEY_URL}" in out


BAD_FILES = [
    # (file, the one error line's distinctive parts)
    ('[[review]]\nreview_id = "hartley-2021"\ntitle = "Steadier boards"\nshort_nmae = "Hartley (2021)"\n',
     ["line 4", "unknown field 'short_nmae'", "hartley-2021"]),
    ('[[review]]\nreview_id = "hartley-2021"\ntitle = "Steadier boards"\n\nexpected_recommendations = "five"\n',
     ["line 5", "field 'expected_recommendations' must be a whole number", "'five'"]),
    ('[[review]]\nreview_id = "hartley-2021"\npublished_on = "2021-03-09"\ntitle = "Steadier boards"\n',
     ["line 3", "field 'published_on' must be a date written without quotes"]),
    ('[[review]]\nreview_id = "hartley-2021"\ntitle = "Steadier boards"\ndocuments = ["https://reviews.example.org/a", '
     '"report.pdf"]\n',
     ["line 4", "field 'documents' must be a list of http(s) URLs", "'report.pdf'"]),
    ('[[review]]\nreview_id = "hartley-2021"\ntitle = "Steadier boards"\n\n[[review]]\ntitle = "Another"\nreview_id = '
     '"hartley-2021"\n',
     ["line 7", "field 'review_id'", "duplicate review_id 'hartley-2021'", "first at line 2"]),
    ('[[review]]\nreview_id = "hartley-2021"\ntitle = "Steadier boards\npublisher = "DHSC"\n',
     ["line 3", "TOML syntax error"]),
    ('[[review]]\nreview_id = "hartley-2021"\npublisher = "DHSC"\n',
     ["line 2", "field 'title' is missing from new review 'hartley-2021'"]),
    ('[[reviews]]\nreview_id = "hartley-2021"\n', ["line 1", "unknown field 'reviews'"]),
]


@pytest.mark.parametrize("text, parts", BAD_FILES,
                         ids=["unknown field", "wrong type", "date as text", "bad url in list",
                                                        "duplicate id", "toml syntax", "missing title",
                                                        "unknown table"])
def test_a_bad_registry_fails_with_one_line_naming_the_field_and_the_line(tmp_path, text, parts):
    home = tmp_path / "home"
    home.mkdir()
    (home / "reviews.toml").write_text(text, encoding="utf-8")
    proc = run_cli(home, "reviews", check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {home / 'reviews.toml'} line "), proc.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def test_a_bad_registry_stops_a_run_before_anything_is_fetched_or_published(tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "registry.toml"
    elsewhere.write_text('[[review]]\nreview_id = "kerr-2018"\nexpected_recommendations = 0\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_REGISTRY", str(elsewhere))  # TRACKER_REGISTRY wins over $TRACKER_HOME/reviews.toml
    proc = run_cli(home, "run", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"error: {elsewhere} line 3: field 'expected_recommendations' must be a whole "
                                   "number of at least 1, got 0 (a number)")
    assert not (home / "archive").exists() and not (home / "tracker.duckdb").exists()
    monkeypatch.setenv("TRACKER_REGISTRY", str(tmp_path / "missing.toml"))
    proc = run_cli(home, "reviews", check=False)
    assert proc.returncode == 1 and proc.stderr.strip() == f"error: {tmp_path / 'missing.toml'}: no such registry file"


@pytest.mark.e2e
def test_a_review_added_by_an_analyst_brings_in_its_recommendations_and_their_statuses(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "ingest", str(fixture_path("registry/hartley-review.html")), "--url", HARTLEY_URL)
    run_cli(home, "ingest", str(fixture_path("registry/hartley-response.html")), "--url", RESPONSE_URL, "--source",
            "dhsc")
    run_cli(home, "run", "--offline")

    def rows(sql):
        con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    # unknown to the tracker: the documents are read, but nothing is tied to a review
    assert rows("SELECT count(*) FROM recommendations WHERE review_id = 'hartley-2021'") == [(0,)]
    assert rows("SELECT count(*) FROM status_evidence WHERE source_url = '" + RESPONSE_URL + "'") == [(0,)]

    # the analyst registers it (and states the Kerr review's count); the next run reads the same captures again
    shutil.copy(fixture_path("registry/reviews.toml"), home / "reviews.toml")
    out = run_cli(home, "run", "--offline").stdout
    assert "0 parsed" in out  # nothing new in the archive: the registry alone re-extracted
    assert [n for (n,) in rows(
        "SELECT number FROM recommendations WHERE review_id = 'hartley-2021' ORDER BY number")] == [1, 2, 3, 4, 5]
    assert rows("SELECT text, source_url FROM recommendations WHERE review_id = 'hartley-2021' AND number = 3") == [
        ("Executive director posts should not stay vacant or filled on an interim basis for longer than six months.",
         HARTLEY_URL)]
    assert rows("""SELECT number, axis, status, speaker FROM status_evidence WHERE review_id = 'hartley-2021'
                   ORDER BY number, axis""") == [
        (1, "response", "accepted", "government"), (2, "response", "accepted", "government"),
        (3, "response", "rejected", "government"), (5, "implementation", "implemented", "government")]
    assert rows("""SELECT number, response_status, implementation_status FROM recommendation_status
                   WHERE review_id = 'hartley-2021' AND number IN (3, 4, 5) ORDER BY number""") == [
        (3, "rejected", "unknown"), (4, "no_response", "unknown"), (5, "no_response", "implemented")]
    assert rows("""SELECT review_id, short_name, origin, documents, expected_recommendations FROM reviews
                   WHERE review_id IN ('hartley-2021', 'kerr-2018', 'kark-2019') ORDER BY review_id""") == [
        ("hartley-2021", "Hartley review (2021)", "analyst", [HARTLEY_URL], 5),
        ("kark-2019", "Kark review (2019)", "built_in", [], 7),
        ("kerr-2018", "Kerr review (2018)", "analyst_override", [], 6)]
    assert rows("""SELECT review_id, passed, detail FROM data_quality WHERE check_name = 'recommendation_count'
                   AND review_id IN ('hartley-2021', 'kerr-2018') ORDER BY review_id""") == [
        ("hartley-2021", True, "found 5 of 5 stated"), ("kerr-2018", True, "found 6 of 6 stated")]
    # the built-in reviews are as they were
    assert rows("SELECT count(*) FROM recommendations WHERE review_id <> 'hartley-2021'") == [(62,)]
    assert "hartley-2021" in run_cli(home, "status").stdout


def test_a_registry_nested_100000_deep_is_one_line_not_a_traceback(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "reviews.toml").write_text("x = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n", encoding="utf-8")
    proc = run_cli(home, "reviews", check=False)
    assert proc.returncode == 1 and proc.stderr == f"error: {home / 'reviews.toml'}: TOML nested too deeply\n"
