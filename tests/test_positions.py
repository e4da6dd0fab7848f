"""Official positions and commentary: who speaks, whose word settles a status, and where they disagree."""

from __future__ import annotations

import random
from datetime import date

import pytest

from tracker.speakers import cite, publisher_of, speaker_of
from tracker.warehouse import load

GOV = "https://www.gov.uk/government/publications/a-review-government-response"
NHSE = "https://www.england.nhs.uk/long-read/board-update/"
MINISTER = "https://questions-statements.parliament.uk/written-questions/detail/2020-01-01/1"
THINK_TANK = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/a-view"
MEMBERS = "https://nhsproviders.org/news-blogs/blogs/one-year-on"
REGULATOR = "https://www.cqc.org.uk/news/stories/boards"


# --- who publishes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, organisations, kind, name", [
    (GOV, ("Department of Health and Social Care",), "government", "DHSC"),
    # GOV.UK hosts other bodies' papers: its organisations name the publisher
    ("https://www.gov.uk/government/publications/developing-people", ("NHS Improvement",), "implementing_body",
     "NHS Improvement"),
    ("https://assets.publishing.service.gov.uk/media/x/board-guide.pdf", ("NHS  England",), "implementing_body",
     "NHS England"),
    # elsewhere a page's authors are people, never a body
    (THINK_TANK, ("NHS England",), "independent", "The King's Fund"),
    ("https://webarchive.nationalarchives.gov.uk/ukgwa/20190503120000/https://improvement.nhs.uk/resources/x/", (),
     "implementing_body", "NHS Improvement"),
    (MINISTER, (), "parliament", "UK Parliament written questions and statements"),
    ("https://hansard.parliament.uk/commons/2019-02-06/debates/x", (), "parliament", "Hansard"),
    (REGULATOR, (), "regulator", "Care Quality Commission"),
    ("https://www.example-health-blog.org/post", (), "independent", "example-health-blog.org"),
])
def test_publisher_from_host_and_govuk_organisations(url, organisations, kind, name):
    found = publisher_of(url, organisations)
    assert (found.kind, found.name) == (kind, name)
    assert speaker_of(url, organisations) == kind


def test_citation_names_publisher_title_and_date():
    assert cite("DHSC", "Kark review: government response", date(2019, 8, 16)) == (
        "DHSC \u2014 Kark review: government response, 16 Aug 2019")
    long = cite("NHS Providers", "word " * 40, None)
    assert long.startswith("NHS Providers \u2014 word word") and long.endswith("\u2026, undated") and len(long) < 120
    assert cite(None, None, date(2020, 1, 2)) == "unknown source, 2 Jan 2020"


# --- whose word settles a status -------------------------------------------------------------------------

def _seed(con, rows):
    """rows: (number, axis, status, quote, url, published_on, speaker)."""
    load.sync_vocabulary(con)
    for n in sorted({r[0] for r in rows} | {9}):
        con.execute("INSERT INTO recommendations (review_id, number, text, theme) VALUES ('r', ?, ?, 'overarching')",
                    [n, f"Do thing {n}"])
    con.executemany(
        "INSERT INTO status_evidence (review_id, number, axis, status, quote, source_url, published_on, method, "
        "confidence, speaker, cited_as) VALUES ('r', ?, ?, ?, ?, ?, ?, 'rule', 0.9, ?, ?)",
        [(*r, f"{r[6]} {r[5]}") for r in rows],
    )


def _status(con, number, as_at=None):
    return con.execute(
        "SELECT response_status, response_basis, official_response_status, independent_response_status, "
        "response_disputed, implementation_status, implementation_basis, implementation_disputed "
        "FROM recommendation_status_as_at(?) WHERE number = ?", [as_at, number]).fetchone()


def test_a_think_tank_saying_accepted_never_outweighs_the_governments_rejection(mem_con):
    _seed(mem_con, [
        (1, "response", "rejected", "We do not accept recommendation 1.", GOV, date(2019, 8, 16), "government"),
        (1, "response", "accepted", "Ministers have since accepted it.", THINK_TANK, date(2020, 3, 1), "independent"),
    ])
    assert _status(mem_con, 1) == ("rejected", "official", "rejected", "accepted", True, "unknown", None, False)
    rows = mem_con.execute(
        "SELECT axis, official_status, official_cited_as, other_status, other_published_on, other_speaker "
        "FROM status_disagreements").fetchall()
    assert rows == [("response", "rejected", "government 2019-08-16", "accepted", date(2020, 3, 1), "independent")]
    # the history agrees: the later commentary is not a change of the response
    assert mem_con.execute("SELECT status_after FROM status_changes WHERE number = 1").fetchall() == [("rejected",)]


def test_a_ministers_answer_updates_the_official_position(mem_con):
    _seed(mem_con, [
        (2, "response", "under_consideration", "We will consider it.", GOV, date(2019, 8, 16), "government"),
        (2, "response", "accepted", "The minister confirmed it is accepted.", MINISTER, date(2020, 2, 1), "parliament"),
    ])
    assert _status(mem_con, 2)[:5] == ("accepted", "official", "accepted", None, False)
    assert mem_con.execute("SELECT status_before, status_after FROM status_changes WHERE number = 2").fetchall() == [
        (None, "under_consideration"), ("under_consideration", "accepted")]


def test_commentary_stands_only_where_no_official_statement_exists(mem_con):
    _seed(mem_con, [
        (3, "response", "accepted", "The review's proposals were welcomed and accepted.", MEMBERS, date(2021, 1, 1),
         "independent"),
        # a report of the owner's decision outranks commentary, whatever the dates
        (4, "response", "rejected", "Commentators say it was rejected.", THINK_TANK, date(2021, 6, 1), "independent"),
        (4, "response", "accepted", "The department has accepted it.", MEMBERS, date(2020, 1, 1), "reported_official"),
    ])
    assert _status(mem_con, 3)[:5] == ("accepted", "independent", None, "accepted", False)
    assert _status(mem_con, 4)[:5] == ("accepted", "official", "accepted", "rejected", True)
    assert _status(mem_con, 9)[:2] == ("no_response", None)


def test_the_owners_own_words_outrank_a_later_report_of_them(mem_con):
    _seed(mem_con, [
        (5, "response", "accepted_in_principle", "Accepted in principle.", GOV, date(2019, 1, 1), "government"),
        (5, "response", "accepted", "The government accepted it.", THINK_TANK, date(2020, 1, 1), "reported_official"),
    ])
    assert _status(mem_con, 5)[:5] == ("accepted_in_principle", "official", "accepted_in_principle", None, True)
    assert mem_con.execute("SELECT other_speaker FROM status_disagreements").fetchall() == [("reported_official",)]


def test_implementation_takes_the_later_position_and_marks_a_contradiction(mem_con):
    _seed(mem_con, [
        (6, "implementation", "implemented", "The framework is in place.", NHSE, date(2021, 1, 1), "implementing_body"),
        (6, "implementation", "not_started", "Boards have seen nothing of it.", REGULATOR, date(2022, 1, 1),
         "regulator"),
        (7, "implementation", "in_progress", "Work is under way.", THINK_TANK, date(2020, 1, 1), "independent"),
        (7, "implementation", "implemented", "Now in place.", NHSE, date(2021, 1, 1), "implementing_body"),
    ])
    assert _status(mem_con, 6)[5:] == ("not_started", "independent", True)
    assert _status(mem_con, 7)[5:] == ("implemented", "official", False)  # earlier commentary is no contradiction
    # as it stood before the regulator spoke
    assert _status(mem_con, 6, date(2021, 6, 1))[5:] == ("implemented", "official", False)


def test_status_changes_end_in_the_headline_status_whoever_speaks(mem_con):
    """Random statements from every kind of speaker: the history's last status is always the headline."""
    rng = random.Random(7)
    speakers = ["government", "implementing_body", "parliament", "reported_official", "independent", "regulator"]
    statuses = {"response": ["accepted", "rejected", "under_consideration"],
                "implementation": ["implemented", "in_progress", "not_started"]}
    rows = []
    for n in range(1, 401):
        for i in range(rng.randint(1, 5)):
            axis = rng.choice(list(statuses))
            day = None if rng.random() < 0.1 else date(2019, rng.randint(1, 12), rng.choice([1, 15]))
            rows.append((n, axis, rng.choice(statuses[axis]), f"q{n}-{i}", f"https://x.test/{n}/{i}", day,
                         rng.choice(speakers)))
    _seed(mem_con, rows)
    mismatched = mem_con.execute(
        """WITH last AS (
               SELECT review_id, number, axis, arg_max(status_after, coalesce(changed_on, DATE '1900-01-01')) AS status
               FROM status_changes GROUP BY ALL)
           SELECT l.number, l.axis, l.status, s.response_status, s.implementation_status
           FROM last AS l JOIN recommendation_status AS s USING (review_id, number)
           WHERE l.status <> CASE l.axis WHEN 'response' THEN s.response_status ELSE s.implementation_status END"""
    ).fetchall()
    assert mismatched == []


# --- through the whole pipeline ----------------------------------------------------------------------------

COMMENTARY = """<!doctype html><html><head><title>Fit and proper, one year on | The King's Fund</title>
<meta property="article:published_time" content="2020-09-14"></head><body><main>
<h1>Fit and proper, one year on</h1>
<p>A year after the government's response, we looked again at the Kark review.</p>
<p>In our reading, recommendation 7 of the Kark review has in effect been accepted, since the regulator now
asks boards for the evidence a separate process would have gathered.</p>
</main></body></html>"""


@pytest.mark.e2e
def test_commentary_contradicting_the_government_is_shown_not_counted(tmp_path):
    import csv as csv_mod

    import duckdb
    from bs4 import BeautifulSoup

    from conftest import run_cli
    from support import SAMPLE_WARC

    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    page = tmp_path / "commentary.html"
    page.write_text(COMMENTARY, encoding="utf-8")
    url = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/fit-and-proper-one-year-on"
    run_cli(home, "ingest", str(page), "--url", url, "--published", "2020-09-14")
    run_cli(home, "run", "--offline")

    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    try:
        speaker, publisher = con.execute("SELECT speaker, publisher FROM publications WHERE url = ?", [url]).fetchone()
        status = con.execute(
            "SELECT response_status, response_basis, independent_response_status, independent_response_cited_as, "
            "response_disputed FROM recommendation_status WHERE review_id = 'kark-2019' AND number = 7").fetchone()
        disagreement = con.execute(
            "SELECT official_status, official_cited_as, other_status, other_source_url FROM status_disagreements "
            "WHERE review_id = 'kark-2019' AND number = 7").fetchall()
    finally:
        con.close()
    assert (speaker, publisher) == ("independent", "The King's Fund")
    assert status == ("rejected", "official", "accepted",
                      "The King's Fund \u2014 Fit and proper, one year on, 14 Sep 2020", True)
    assert disagreement == [("rejected", "DHSC \u2014 Kark review of the fit and proper persons test: government "
                             "response, 16 Aug 2019", "accepted", url)]

    with open(home / "exports" / "latest" / "status_disagreements.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv_mod.DictReader(fh))
    assert [(r["review_id"], r["number"], r["other_source_url"]) for r in rows if r["number"] == "7"] == [
        ("kark-2019", "7", url)]
    soup = BeautifulSoup((home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    cell = soup.find("tr", id="kark-2019-7").find_all("td")[3]
    assert cell.select_one(".badge").get_text() == "rejected" and cell.select_one(".disputed") is not None
    assert [q["data-position"] for q in cell.select(".q")] == ["official", "independent"]
    assert cell.select(".q cite")[1].get_text().startswith("The King's Fund \u2014 Fit and proper, one year on")
    status_text = run_cli(home, "status").stdout
    assert "contradict the official position" in status_text and "kark-2019" in status_text.split("contradict")[1]
