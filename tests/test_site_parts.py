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
