"""The briefing's parts on their own: the palette's contrast, review names, charts' ids and names, the
readable GOV.UK page for hostile JSON, "since last week", and the 12-month rule on the version's date."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from bs4 import BeautifulSoup

from tracker.publish import charts
from tracker.publish.digest import Digest
from tracker.publish.site.archive import archived_copy
from tracker.publish.site.changes import since_last_week, since_last_week_cell
from tracker.publish.site.data import Recommendation, SiteData
from tracker.publish.site.names import short_name
from tracker.vocabulary import IMPLEMENTATION_STATUSES, RESPONSE_STATUSES


def test_every_status_has_its_own_colour_3_to_1_on_the_page_with_readable_text_on_it():
    assert set(charts.COLOURS) == set(RESPONSE_STATUSES) | set(IMPLEMENTATION_STATUSES)
    assert len(set(c.lower() for c in charts.COLOURS.values())) == len(charts.COLOURS)
    for status, colour in charts.COLOURS.items():
        assert charts.contrast(colour, charts.PAGE) >= 3, status
        assert charts.contrast(colour, charts.text_on(colour)) >= 4.5, status


def test_review_names_analysts_use():
    assert short_name("smith-2015", "Review of centrally funded ...", date(2015, 3, 13)) == "Smith review (2015)"
    assert short_name("kark-2019", "Kark review of the fit and proper persons test", date(2019, 2, 6)) == \
        "Kark review (2019)"
    assert short_name("ltp-2019-leadership", "NHS Long Term Plan: leadership and talent management",
                      date(2019, 1, 7)) == "NHS Long Term Plan (2019)"
    assert short_name("kark-2019", "whatever", date(2019, 2, 6), given="Kark (FPPT) review") == "Kark (FPPT) review"
    assert short_name("unknown-1", "A review nobody registered", None) == "A review nobody registered"


def test_two_charts_on_one_page_share_no_id_and_each_says_what_it_shows():
    a = charts.stacked_status_chart({"accepted": 3}, {"implemented": 1, "unknown": 2}, chart_id="a", name="Kark")
    b = charts.stacked_status_chart({"accepted": 3}, {"implemented": 1, "unknown": 2}, chart_id="b", name="Rose")
    ids_a, ids_b = (set(re.findall(r'\bid="([^"]+)"', s)) for s in (a, b))
    assert ids_a and not ids_a & ids_b
    for svg, ids in ((a, ids_a), (b, ids_b)):  # every internal reference still points inside its own chart
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= ids
        assert set(re.findall(r'href="#([^"]+)"', svg)) <= ids
    label = BeautifulSoup(a, "html.parser").svg["aria-label"]
    assert label == "Kark: recommendations by status. response: 3 accepted; implementation: 1 implemented, 2 unknown."
    share = charts.implemented_share_chart([("Kark review (2019)", 1, 7), ("Kerr review (2018)", 0, 6)])
    assert "Kark review (2019) 14% (1 of 7); Kerr review (2018) 0% (0 of 6)" in share
    assert charts.stacked_status_chart({"accepted": 3}, {"unknown": 3}, chart_id="a") == \
        charts.stacked_status_chart({"accepted": 3}, {"unknown": 3}, chart_id="a")  # deterministic


def test_a_govuk_capture_becomes_a_readable_inert_page():
    item = {
        "title": "Response <script>alert(1)</script>",
        "description": "<img src=x onerror=alert(2)>",
        "document_type": "policy_paper",
        "first_published_at": "2019-08-16T10:00:00.000+01:00",
        "details": {"body": "<p onclick='alert(3)'>We accept <a href='javascript:alert(4)'>all</a>.</p>"
                            "<script>alert(5)</script><iframe src='https://tracker.example/'></iframe>",
                    "attachments": [{"title": "Full response <b>PDF</b>", "content_type": "application/pdf"}]},
        "links": {"organisations": [{"title": "Department of Health and Social Care"}]},
    }
    body = json.dumps(item).encode()
    copy = archived_copy(body, "application/json", "https://www.gov.uk/government/publications/x")
    sha = copy.opens.split(".")[0]
    assert copy.opens == f"{sha}.html" and copy.kind == "archived GOV.UK page"
    assert copy.files[f"{sha}.json"] == body  # the captured bytes, beside the readable page
    page = copy.files[f"{sha}.html"].decode()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.h1.get_text() == "Response <script>alert(1)</script>"  # shown as text
    assert not soup.find_all(["script", "iframe", "img"])
    assert not soup.find_all(attrs=lambda a: a and any(k.lower().startswith("on") for k in a))
    assert "javascript:" not in page
    assert soup.head.find("meta", attrs={"http-equiv": True})["content"].startswith("default-src 'none'")
    assert "We accept all." in soup.get_text() and "Department of Health and Social Care" in soup.get_text()
    assert "Full response <b>PDF</b>" in soup.get_text()
    assert archived_copy(b"[1, 2]", "application/json", "u").opens.endswith(".json")  # not a content item


def _row(change_type, review_id, axis="", before="", after=""):
    return (change_type, review_id, 1, axis, before, after, None, "https://x", "q", None, "run", "v")


def test_since_last_week_counts_a_review_s_changes():
    digest = Digest(rows=[
        _row("status_change", "kark-2019", "implementation", "unknown", "implemented"),
        _row("status_change", "kark-2019", "implementation", "in_progress", "implemented"),
        _row("status_change", "kark-2019", "response", "no_response", "accepted"),
        _row("new_evidence", "kark-2019", "implementation", "", "implemented"),
        _row("status_change", "rose-2015", "implementation", "implemented", "superseded"),
        _row("new_publication", None),
    ], since="the weekly run of 2026-11-16 06:00 UTC")
    got = since_last_week(digest)
    assert got == {"kark-2019": "+2 implemented; 3 status changes; 1 new statement",
                   "rose-2015": "-1 implemented; 1 status change"}
    assert since_last_week_cell(digest, got.get("kerr-2018")) == "no change"
    assert since_last_week_cell(Digest(rows=[]), None) == "first version"
    assert since_last_week_cell(None, None) == "not known"


def _rec(number: int, last: date | None) -> Recommendation:
    return Recommendation("r", number, None, "t", None, None, {"response": "accepted", "implementation": "unknown"},
                          {"response": None, "implementation": None}, {"response": False, "implementation": False},
                          {}, last)


def test_not_heard_of_for_12_months_is_counted_from_the_version_date():
    data = SiteData(run_id="x", published_at=datetime(2024, 3, 1, 6), data_date=None, last_capture=None,
                    last_evidence=None, reviews=[], stale_cutoff=date(2023, 3, 1), citations={}, unresolved=[],
                    recommendations=[_rec(1, date(2023, 2, 28)), _rec(2, date(2023, 3, 1)), _rec(3, None)])
    assert [r.number for r in data.stale()] == [1, 3]


# --- one number per question, dated and shareable ----------------------------------------------------------

GOV = "https://www.gov.uk/government/publications/a-review-government-response"
BLOG = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/a-view"


def _seed_review(con, rows, numbers=range(1, 6)):
    """Review 'r' with recommendations `numbers`; rows: (number, axis, status, url, published_on, speaker)."""
    con.execute("INSERT INTO reviews (review_id, title, published_on) VALUES ('r', 'A review', DATE '2016-01-01')")
    for n in numbers:
        con.execute("INSERT INTO recommendations (review_id, number, text, theme) VALUES ('r', ?, ?, 'overarching')",
                    [n, f"Do thing {n}"])
    con.executemany(
        "INSERT INTO status_evidence (review_id, number, axis, status, quote, source_url, published_on, method, "
        "confidence, speaker, cited_as) VALUES ('r', ?, ?, ?, ?, ?, ?, 'rule', 0.9, ?, ?)",
        [(n, axis, status, f"{speaker} says {status} ({n})", url, on, speaker, f"{speaker}, {on}")
         for n, axis, status, url, on, speaker in rows],
    )


def _figures(html: str) -> dict[tuple[str, str, str], str]:
    soup = BeautifulSoup(html, "html.parser")
    return {(s["data-figure"], s["data-review"], s["data-side"] + s.get("data-measure", "")): s.get_text()
            for s in soup.select(".figure")}


def test_a_figure_says_how_many_rest_on_disputed_statuses_and_what_official_positions_alone_give(mem_con):
    from tracker.publish.site.data import load_site_data
    from tracker.publish.site.figures import key_figures, matches
    from tracker.publish.site.index import progress_table

    # 3 implemented in the owner's words; 2 more only because a later blog contradicts the owner's "in progress"
    _seed_review(mem_con, [(n, "implementation", "implemented", GOV, date(2019, 1, 1), "government") for n in (1, 2, 3)]
                 + [(n, "implementation", "in_progress", GOV, date(2019, 1, 1), "government") for n in (4, 5)]
                 + [(n, "implementation", "implemented", BLOG, date(2020, 1, 1), "independent") for n in (4, 5)])
    row = mem_con.execute("SELECT n, disputed, official_n, pct, official_pct FROM briefing_figures "
                          "WHERE review_id = 'r' AND figure = 'implemented'").fetchone()
    assert row == (5, 2, 3, 100.0, 60.0)
    data = load_site_data(mem_con)
    printed = _figures(progress_table(data, None)) | _figures(key_figures(data))
    assert printed[("implemented", "r", "headline")] == "5 (2 disputed)"
    assert printed[("implemented", "r", "headlinepct")] == "100.0%"
    assert printed[("implemented", "r", "officialpct")] == "60.0%"
    assert printed[("implemented", "", "headline")] == "5 (2 disputed)"
    assert printed[("implemented", "", "official")] == "3"
    assert printed[("in_progress", "", "official")] == "2"
    # the official figure links to the table on official positions only, which lists those rows
    implemented = data.figure("implemented")
    assert [r.number for r in data.recommendations if matches(r, implemented.view_filter, official=True)] == [1, 2, 3]
    table = BeautifulSoup(key_figures(data), "html.parser")
    link = table.find("a", href="index.html#implementation=implemented&basis=official")
    assert link.get_text() == "3"


def test_accepted_but_not_implemented_is_one_definition_that_leaves_superseded_out(mem_con):
    from tracker.publish.site.data import load_site_data
    from tracker.publish.site.figures import matches

    _seed_review(mem_con, [(1, "response", "accepted", GOV, date(2019, 1, 1), "government"),
                           (2, "response", "accepted_in_principle", GOV, date(2019, 1, 1), "government"),
                           (3, "response", "partially_accepted", GOV, date(2019, 1, 1), "government"),
                           (3, "implementation", "superseded", GOV, date(2020, 1, 1), "government"),
                           (4, "response", "accepted", GOV, date(2019, 1, 1), "government"),
                           (4, "implementation", "implemented", GOV, date(2020, 1, 1), "government"),
                           (5, "response", "rejected", GOV, date(2019, 1, 1), "government")])
    data = load_site_data(mem_con)
    waiting = data.figure("accepted_not_implemented")
    assert (waiting.n, waiting.view_filter) == (2, "response=any_accepted&implementation=outstanding")
    # the table's filter behind the preset lists exactly the rows the figure counts
    assert [r.number for r in data.recommendations if matches(r, waiting.view_filter)] == [1, 2]
    for f in data.figures:
        if f.view_filter:
            assert sum(matches(r, f.view_filter) for r in data.recommendations) == f.n, f
            assert sum(matches(r, f.view_filter, official=True) for r in data.recommendations) == f.official_n, f


def test_a_status_with_nothing_heard_for_12_months_says_since_when_and_pages_are_dated(mem_con):
    from tracker.publish.site import load_briefing, render_briefing

    _seed_review(mem_con, [(1, "implementation", "in_progress", GOV, date(2017, 3, 1), "government"),
                           (2, "implementation", "in_progress", GOV, date(2017, 3, 1), "government"),
                           (2, "implementation", "in_progress", BLOG, date(2023, 6, 1), "independent")],
                 numbers=(1, 2))
    mem_con.execute("CREATE TABLE warehouse_info AS SELECT 'run-1' AS run_id, TIMESTAMP '2024-03-01 06:00' "
                    "AS published_at, 'tracker-x.duckdb' AS version_file")
    mem_con.execute("INSERT INTO publications (url, source, title, published_on) VALUES (?, 'gov', 'Response', ?)",
                    [BLOG, date(2023, 6, 1)])
    pages = render_briefing(load_briefing(mem_con))
    for name, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find(id="as-at").get_text() == "As at 1 Mar 2024 (data to 1 Jun 2023)", name
    one = BeautifulSoup(pages["recommendations/r-1.html"], "html.parser")
    assert one.find(id="now-implementation").select_one(".quiet").get_text() == "no statement since 1 Mar 2017"
    two = BeautifulSoup(pages["recommendations/r-2.html"], "html.parser")
    assert two.select(".quiet") == []
    index = BeautifulSoup(pages["index.html"], "html.parser")
    assert [q.get_text() for q in index.select("#r-1 .quiet")] == ["no statement since 1 Mar 2017"]
    assert index.select("#r-2 .quiet") == []


def test_permalinks_and_the_view_s_links_use_the_site_url_never_a_file_path(mem_con):
    from tracker.publish.site import load_briefing, render_briefing

    _seed_review(mem_con, [(1, "response", "accepted", GOV, date(2019, 8, 16), "government")], numbers=(1,))
    local = render_briefing(load_briefing(mem_con))
    served = render_briefing(load_briefing(mem_con, site_url="https://example.org/briefing/"))
    page = BeautifulSoup(served["recommendations/r-1.html"], "html.parser").find(id="permalink")
    assert page["href"] == page.get_text() == "https://example.org/briefing/recommendations/r-1.html"
    row = BeautifulSoup(served["index.html"], "html.parser").find(id="r-1")
    assert row["data-page"] == "https://example.org/briefing/recommendations/r-1.html"
    assert BeautifulSoup(served["index.html"], "html.parser").find(id="recommendations")["data-site-url"] == (
        "https://example.org/briefing/")
    # what "download this view" writes beside the status: the quote it rests on, cited and dated
    assert (row["data-response-cited-as"], row["data-response-quote"], row["data-response-said-on"]) == (
        "government, 2019-08-16", "government says accepted (1)", "2019-08-16")
    assert BeautifulSoup(local["index.html"], "html.parser").find(id="r-1")["data-page"] == "recommendations/r-1.html"
