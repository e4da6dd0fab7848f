"""The briefing's parts on their own: the palette's contrast, review names, charts' ids and names, the
readable GOV.UK page for hostile JSON, "since last week", and the 12-month rule on the version's date."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from pathlib import Path

from bs4 import BeautifulSoup

from tracker.publish import charts
from tracker.publish.digest import Change, Digest
from tracker.publish.site.copies import archived_copy
from tracker.publish.site.assets import STYLE
from tracker.publish.site.changes import since_last_week, since_last_week_cell
from tracker.publish.site.data import RecommendationView, SiteData
from tracker.publish.site.names import short_name
from tracker.vocabulary import AXES, STATUSES


def test_every_status_has_its_own_colour_3_to_1_on_the_page_with_readable_text_on_it():
    assert len({s.colour.lower() for s in STATUSES}) == len(STATUSES)
    for s in STATUSES:
        assert charts.contrast(s.colour, charts.PAGE) >= 3, s.name
        assert charts.contrast(s.colour, charts.text_on(s.colour)) >= 4.5, s.name


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
    for html, chart_id in ((a, "a"), (b, "b")):  # one id each, the chart's own
        assert re.findall(r"\bid='([^']+)'", html) == [chart_id]
    chart = BeautifulSoup(a, "html.parser").select_one(".chart")
    assert chart["role"] == "img"
    assert chart["aria-label"] == ("Kark: recommendations by status. response: 3 accepted; "
                                   "implementation: 1 implemented, 2 unknown.")
    assert charts.stacked_status_chart({"accepted": 3}, {"unknown": 3}, chart_id="a") == \
        charts.stacked_status_chart({"accepted": 3}, {"unknown": 3}, chart_id="a")  # deterministic


def test_a_stacked_bar_is_segments_sized_by_share_labelled_with_count_and_status_and_a_legend():
    chart = BeautifulSoup(charts.stacked_status_chart({"accepted": 2, "accepted_in_principle": 1},
                                                      {"implemented": 1, "unknown": 2}, name="<b>Kark</b>"),
                          "html.parser")
    rows = chart.select(".chart-row")
    assert [r.select_one(".chart-axis").get_text() for r in rows] == ["Response", "Implementation"]
    segments = [[(seg["class"][1], seg["style"], seg.select_one(".seg-n").get_text(),
                  seg.select_one(".seg-word").get_text()) for seg in row.select(".seg")] for row in rows]
    assert segments == [
        [("s-accepted", "width:66.67%", "2", " accepted"),
         ("s-accepted_in_principle", "width:33.33%", "1", " accepted in principle")],
        [("s-implemented", "width:33.33%", "1", " implemented"), ("s-unknown", "width:66.67%", "2", " unknown")],
    ]
    # the words show from the width they need (a container query per width class); a sliver shows no count
    for seg in chart.select(".seg"):
        fit = int(next(c for c in seg["class"] if c.startswith("fit-")).removeprefix("fit-"))
        assert fit > len(seg.get_text())
    assert [li.get_text() for li in chart.select(".chart-legend li")] == [  # a sliver's count is in its key
        "accepted (2)", "accepted in principle (1)", "implemented (1)", "unknown (2)"]
    assert chart.select_one(".chart")["aria-label"].startswith("<b>Kark</b>: ")  # a name is text, never markup
    assert not chart.find("b")
    for s in STATUSES:  # the segments' colours are the badges' (the stylesheet's)
        assert f".s-{s.name}{{background:{s.colour};color:{charts.text_on(s.colour)}" in STYLE


def test_the_share_chart_is_one_bar_per_review_on_one_scale_with_the_figure_beside_it():
    html = charts.implemented_share_chart([("Kark review (2019)", 14.3, 1, 7), ("Kerr review (2018)", 0.0, 0, 6),
                                           ("Empty", None, 0, 0)])
    chart = BeautifulSoup(html, "html.parser").select_one(".chart")
    assert chart["aria-label"] == ("Share of recommendations implemented, by review, on one scale: Kark review (2019) "
                                   "14.3% (1 of 7); Kerr review (2018) 0.0% (0 of 6); Empty no recommendations found.")
    rows = [(r.select_one(".chart-axis").get_text(), r.select_one(".fill")["style"],
             r.select_one(".chart-value").get_text()) for r in chart.select(".chart-row")]
    assert rows == [("Kark review (2019)", "width:14.3%", "14.3% (1 of 7)"),
                    ("Kerr review (2018)", "width:0.0%", "0.0% (0 of 6)"),
                    ("Empty", "width:0%", "no recommendations found")]
    assert [li.get_text() for li in chart.select(".chart-legend li")] == ["implemented", "the whole review (100%)"]


def test_chart_text_is_at_least_12_px_and_the_colours_print():
    rule = re.search(r"\.chart\{font-size:([\d.]+)rem", STYLE)
    assert rule and float(rule.group(1)) * 16 >= 12
    assert re.search(r"\.seg,[^{]*\.badge\{-webkit-print-color-adjust:exact;print-color-adjust:exact\}", STYLE)


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
    return Change(change_type=change_type, review_id=review_id, number=1, axis=axis, before=before, after=after,
                  published_on=None, source_url="https://x", title_or_quote="q", run_id="run", version_file="v")


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


def _rec(number: int, last: date | None) -> RecommendationView:
    return RecommendationView("r", number, None, "t", None, None, {"response": "accepted", "implementation": "unknown"},
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
        if not name.endswith(".html"):
            continue  # the feeds
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


# --- the methodology page: one source for every meaning ----------------------------------------------------


def _documented_scores() -> tuple[str, str, list[tuple]]:
    """docs/developers/accuracy.md "## Scores": its date, commit and the default threshold's column, row by row."""
    from support import ROOT

    doc = (ROOT / "docs" / "developers" / "accuracy.md").read_text(encoding="utf-8")
    section = doc.split("\n## Scores\n", 1)[1].split("\n#", 1)[0]
    when, commit = re.search(r"^On (\d{4}-\d{2}-\d{2}), at commit `([0-9a-f]+)`", section, re.M).groups()
    rows = []
    for line in section.splitlines():
        m = re.fullmatch(r"\| ([^|]+?) \| (\d+) \| ([0-9.]+) \\\| ([0-9.]+) \\\| (\d+) \((\d+)\) \\\| "
                         r"(\d+) of (\d+) \|.*", line)
        if m:
            name, labelled, recall, precision, queued, settle, yielded, empty = m.groups()
            rows.append((name, int(labelled), float(recall), float(precision), int(queued), int(settle),
                         int(yielded), int(empty)))
    assert re.search(r"\| set \| labelled \| default ([0-9.]+) \|", section).group(1) == "0.85"
    return when, commit, rows


def test_the_accuracy_file_is_the_documented_scores_at_the_default_threshold():
    from tracker.publish.accuracy import load_accuracy
    from tracker.settings import DEFAULT_MIN_CONFIDENCE

    accuracy = load_accuracy()
    when, commit, rows = _documented_scores()
    evaluation = Path(__file__).parent / "evaluation"
    written = [d for d in evaluation.iterdir() if d.is_dir() and d.name != "real"]
    halves = [d for d in (evaluation / "real").iterdir() if d.is_dir()]
    assert len(rows) == len(written) + len(halves)  # every labelled set, the real pages half by half
    assert (accuracy.measured_on.isoformat(), accuracy.commit, accuracy.threshold) == (
        when, commit, DEFAULT_MIN_CONFIDENCE)
    assert [(s.name, s.labelled, s.recall, s.precision, s.queued, s.queued_should_settle,
             s.empty_pages_with_evidence, s.empty_pages) for s in accuracy.sets] == rows


def test_the_methodology_page_derives_every_meaning_from_the_code(mem_con):
    from tracker.extract.basis import BASES
    from tracker.publish.accuracy import load_accuracy
    from tracker.publish.site import load_briefing, render_briefing
    from tracker.speakers import HOSTS
    from tracker.vocabulary import SPEAKER_LABELS

    pages = render_briefing(load_briefing(mem_con, min_confidence=0.92))
    soup = BeautifulSoup(pages["methodology.html"], "html.parser")
    for axis in AXES:
        table = soup.select_one(f"table.glossary[data-axis='{axis}']")
        statuses = [s for s in STATUSES if s.axis == axis]
        assert [tr["id"] for tr in table.select("tbody tr")] == [f"status-{s.name}" for s in statuses]
        for s in statuses:
            assert s.meaning in table.find(id=f"status-{s.name}").get_text(), s.name
    assert "0.92" in soup.find(id="threshold").get_text()  # the threshold in force, not the default
    decided = {tr["id"].removeprefix("basis-"): tr.find_all("td")[-1].get_text() for tr in soup.select("#bases tr[id]")}
    assert decided == {b.name: "published" if b.confidence >= 0.92 else "left to an analyst" for b in BASES.values()}
    assert decided["label"] == "left to an analyst" and decided["explicit"] == "published"
    speakers = soup.select("#speakers tbody tr")
    assert [tr.th.get_text() for tr in speakers] == list(SPEAKER_LABELS.values())
    official = soup.find(id="speaker-government").get_text()
    assert "official" in official and "DHSC" in official and "gov.uk" in official
    assert "independent" in soup.find(id="speaker-independent").find_all("td")[0].get_text()
    text = soup.find(id="speakers").get_text()
    assert all(publisher.name in text and suffix in text for suffix, publisher in HOSTS)
    scores = [[td.get_text() for td in tr.find_all(["th", "td"])] for tr in soup.select("#accuracy-scores tbody tr")]
    assert [row[:4] for row in scores] == [[s.name, str(s.labelled), f"{s.recall:.3f}", f"{s.precision:.3f}"]
                                           for s in load_accuracy().sets]
    assert f"at commit {load_accuracy().commit}" in soup.find(id="measured").get_text()
    assert "made at a threshold of 0.92" in soup.find(id="measured").get_text()  # not the scores' threshold


def test_every_status_links_to_its_meaning_and_the_footer_speaks_in_words(mem_con):
    from tracker.publish.site import load_briefing, render_briefing

    _seed_review(mem_con, [(1, "implementation", "in_progress", GOV, date(2019, 1, 1), "government"),
                           (1, "implementation", "implemented", BLOG, date(2020, 1, 1), "independent"),
                           (2, "response", "accepted", GOV, date(2019, 1, 1), "government")], numbers=(1, 2))
    mem_con.execute("CREATE TABLE warehouse_info AS SELECT 'manual-20240301T060000-abc' AS run_id, "
                    "TIMESTAMP '2024-03-01 06:00' AS published_at, 'tracker-x.duckdb' AS version_file")
    pages = render_briefing(load_briefing(mem_con))
    anchors = {t["id"] for t in BeautifulSoup(pages["methodology.html"], "html.parser").find_all(id=True)}
    seen = set()
    for name, html in pages.items():
        if not name.endswith(".html"):
            continue
        soup = BeautifulSoup(html, "html.parser")
        root = "../" if "/" in name else ""
        for b in soup.select(".badge"):
            status = next(c for c in b["class"] if c.startswith("s-")).removeprefix("s-")
            assert b.name == "a" and b["href"] == f"{root}methodology.html#status-{status}", (name, b)
            assert f"status-{status}" in anchors
            seen.add(status)
        for mark in soup.select(".disputed"):
            assert mark["href"] == f"{root}methodology.html#disputed" and "disputed" in anchors
        footer = soup.find("footer")
        if footer is not None:
            assert footer.find("a", href=f"{root}methodology.html")
        text = soup.get_text(" ")
        for word in ("status_disagreements", "stale_recommendations", "manual-20240301T060000-abc"):
            assert word not in text and word not in str(soup.find("footer")), (name, word)
    assert {"implemented", "in_progress", "accepted", "no_response"} <= seen
    assert BeautifulSoup(pages["index.html"], "html.parser").find("footer") is not None
    assert BeautifulSoup(pages["recommendations/r-1.html"], "html.parser").select_one("#now-implementation .disputed")


# --- progress over time: each kept version's own figures -------------------------------------------------


def _version(path, published_at: datetime, rows, numbers, log=()):
    """A published version at `path`: review 'r' with `rows` (see _seed_review), its warehouse_info and change log
    rows (version_file, axis, detected_at)."""
    from support import ROOT
    from tracker.warehouse.db import apply_views, connect, migrate, write_vocabularies

    con = connect(path)
    migrate(con, ROOT / "sql")
    apply_views(con, ROOT / "sql")
    write_vocabularies(con)
    _seed_review(con, rows, numbers)
    con.execute("CREATE TABLE warehouse_info AS SELECT 'run' AS run_id, ? AS published_at, ? AS version_file",
                [published_at, path.name])
    for i, (version_file, axis, at) in enumerate(log):
        con.execute("INSERT INTO change_log (change_id, change_type, review_id, number, axis, before, after, run_id, "
                    "version_file, detected_at) VALUES (?, 'status_change', 'r', 1, ?, NULL, 'x', 'run', ?, ?)",
                    [i, axis, version_file, at])
    return con


def test_progress_over_time_reads_each_kept_version_s_own_figures_with_when_a_change_was_first_seen(tmp_path):
    from tracker.publish.site import load_briefing, render_briefing

    published = tmp_path / "published"
    published.mkdir()
    v1, v2 = "tracker-20240101T060000.duckdb", "tracker-20240108T060000.duckdb"
    accepted = [(n, "response", "accepted", GOV, date(2019, 1, 1), "government") for n in (1, 2)]
    _version(published / v1, datetime(2024, 1, 1, 6), accepted[:1], (1, 2)).close()
    (published / "tracker-20231225T060000.duckdb").write_bytes(b"not a database")  # unreadable: left out
    log = [(v1, "response", datetime(2024, 1, 1, 6)), (v2, "response", datetime(2024, 1, 8, 6)),
           (v2, "implementation", datetime(2024, 1, 8, 6))]
    con = _version(published / v2, datetime(2024, 1, 8, 6),
                   accepted + [(1, "implementation", "implemented", GOV, date(2023, 12, 1), "government")], (1, 2), log)
    try:
        pages = [render_briefing(load_briefing(con, published_dir=published)) for _ in range(2)]
        alone = render_briefing(load_briefing(con))
    finally:
        con.close()
    assert pages[0] == pages[1]
    soup = BeautifulSoup(pages[0]["progress.html"], "html.parser")
    rows = soup.select("#trend-all tbody tr")
    assert [tr["data-version"] for tr in rows] == [v1, v2]
    cells = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in rows]
    assert cells == [["50.0% (1)", "1 Jan 2024", "0.0% (0)", "\u2014"],
                     ["100.0% (2)", "8 Jan 2024", "50.0% (1)", "8 Jan 2024"]]
    assert [tr.th.get_text() for tr in soup.select("#trend-r tbody tr")] == ["1 Jan 2024 06:00 UTC",
                                                                              "8 Jan 2024 06:00 UTC"]
    bars = [s["style"] for s in rows[1].select(".bar .fill")]
    assert bars == ["width:100.0%", "width:50.0%"]
    # without the kept versions, the one version the warehouse is
    assert [tr["data-version"] for tr in BeautifulSoup(alone["progress.html"], "html.parser").select(
        "#trend-all tbody tr")] == [v2]
    assert BeautifulSoup(pages[0]["index.html"], "html.parser").select_one("#progress-link a")["href"] == \
        "progress.html"


def test_progress_over_time_reads_each_older_version_once_and_again_only_when_its_file_changes(tmp_path,
                                                                                                  monkeypatch):
    from tracker.publish.site import history, load_briefing, render_briefing

    published = tmp_path / "published"
    published.mkdir()
    old = published / "tracker-20240101T060000.duckdb"
    accepted = [(n, "response", "accepted", GOV, date(2019, 1, 1), "government") for n in (1, 2)]
    _version(old, datetime(2024, 1, 1, 6), accepted[:1], (1, 2)).close()
    con = _version(published / "tracker-20240108T060000.duckdb", datetime(2024, 1, 8, 6), accepted, (1, 2))
    cache = tmp_path / "site" / history.CACHE
    opened = []
    real_older = history._older
    monkeypatch.setattr(history, "_older", lambda path: opened.append(path.name) or real_older(path))
    try:
        first = render_briefing(load_briefing(con, published_dir=published, history_cache=cache))
        again = render_briefing(load_briefing(con, published_dir=published, history_cache=cache))
        assert opened == [old.name] and cache.is_file()  # the second load read the figures from the cache
        assert first == again
        os.utime(old, ns=(old.stat().st_atime_ns, old.stat().st_mtime_ns + 10**9))  # the file is not the one cached
        render_briefing(load_briefing(con, published_dir=published, history_cache=cache))
        assert opened == [old.name, old.name]
        cache.write_text("{not json")  # a damaged cache is read around, and written again
        assert render_briefing(load_briefing(con, published_dir=published, history_cache=cache)) == first
        assert len(opened) == 3 and '"fields"' in cache.read_text()
    finally:
        con.close()


# --- "report an error": a corrections row the loader takes as it is ----------------------------------------


def _data_csv(href: str) -> bytes:
    from urllib.parse import unquote

    head, _, body = href.partition(",")
    assert head == "data:text/csv;charset=utf-8"
    return unquote(body).encode("utf-8")


def test_report_an_error_gives_a_corrections_row_the_loader_applies_once_filled_in(mem_con, tmp_path):
    import csv
    import io

    from tracker.corrections import apply_corrections, read_corrections
    from tracker.items import Evidence, Recommendation as Rec
    from tracker.publish.site import load_briefing, render_briefing

    quote = 'We accept it, "in full"; \u00a3 and\nmore'
    _seed_review(mem_con, [(1, "response", "accepted", GOV, date(2019, 8, 16), "government"),
                           (1, "implementation", "in_progress", BLOG, date(2020, 1, 1), "independent")], numbers=(1,))
    mem_con.execute("UPDATE status_evidence SET quote = ? WHERE axis = 'response'", [quote])
    page = render_briefing(load_briefing(mem_con))["recommendations/r-1.html"]
    soup = BeautifulSoup(page, "html.parser")
    links = soup.select(".report-error a[download]")
    # the status on each axis, each position and each statement
    assert len(soup.select("#standing .report-error")) == 2 + 2 and len(soup.select("#statements .report-error")) == 2
    assert not soup.select(".report-error a[href^='mailto:']")  # no address set: the file only
    folder = tmp_path / "corrections"
    folder.mkdir()
    for i, link in enumerate(links):
        raw = _data_csv(link["href"])
        assert link["download"] == f"correction-r-1-{link.find_parent(class_='report-error')['data-axis']}.csv"
        (folder / f"as-is-{i}.csv").write_bytes(raw)
    as_is = read_corrections(folder)
    assert len(as_is) == len(links) and all(c.problem for c in as_is)  # not applied until filled in, never dropped
    evidence = [Evidence("r", 1, "response", "accepted", quote, GOV, date(2019, 8, 16)),
                Evidence("r", 1, "implementation", "in_progress", "x", BLOG, date(2020, 1, 1))]
    for path in sorted(folder.iterdir()):  # each file as an analyst would send it: status and analyst filled in
        rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        assert len(rows) == 1
        rejects = rows[0]["axis"] == "implementation"
        rows[0].update(status="reject" if rejects else "rejected", analyst="A. Analyst")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        one = tmp_path / path.stem
        one.mkdir()
        (one / "filled.csv").write_bytes(out.getvalue().encode("utf-8"))
        filled = read_corrections(one)
        assert [(c.review_id, c.number, c.source_url) for c in filled] == [
            ("r", 1, BLOG if rejects else GOV)]
        if not rejects:
            assert (filled[0].quote, filled[0].date) == (quote, date(2019, 8, 16))
        _, kept = apply_corrections(filled, {"r"}, [Rec("r", 1, "Do thing 1", "overarching", None, None, "")],
                                    evidence)
        assert filled[0].applied and not filled[0].problem, filled[0].problem
        assert ("implementation", "in_progress") not in {(e.axis, e.status) for e in kept} if rejects else \
            ("response", "rejected", "analyst") in {(e.axis, e.status, e.method) for e in kept}


def test_with_a_corrections_address_report_an_error_also_offers_the_row_by_email(mem_con):
    from urllib.parse import parse_qs, urlsplit

    from tracker.publish.site import load_briefing, render_briefing

    _seed_review(mem_con, [(1, "response", "accepted", GOV, date(2019, 8, 16), "government")], numbers=(1,))
    page = render_briefing(load_briefing(mem_con, corrections_email="corrections@example.org"))
    soup = BeautifulSoup(page["recommendations/r-1.html"], "html.parser")
    mail = soup.select_one("#now-response + .report-error a[href^='mailto:']")
    parts = urlsplit(mail["href"])
    assert parts.path == "corrections@example.org"
    body = parse_qs(parts.query)["body"][0]
    assert "review_id,number,axis,status,quote,source_url,analyst,date\r\n" in body
    assert f"r,1,response,,government says accepted (1),{GOV},,2019-08-16" in body
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp  # unchanged: a download or an email loads nothing


# --- colour-blind readers: a pair on one axis that colour alone does not separate has one hatched member ------

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB
_CVD = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _lab(colour: str, vision: str | None):
    srgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    if vision:
        rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in _CVD[vision]]
    r, g, b = rgb
    x, y, z = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
               (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _ciede2000(one, two) -> float:
    import math

    (l1, a1, b1), (l2, a2, b2) = one, two
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c ** 7 / (mean_c ** 7 + 25 ** 7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    mean_h = h1 + h2 if c1 * c2 == 0 else ((h1 + h2) / 2 if abs(h1 - h2) <= 180 else (h1 + h2 + 360) / 2 % 360)
    t = (1 - 0.17 * math.cos(math.radians(mean_h - 30)) + 0.24 * math.cos(math.radians(2 * mean_h))
         + 0.32 * math.cos(math.radians(3 * mean_h + 6)) - 0.20 * math.cos(math.radians(4 * mean_h - 63)))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_c, 1 + 0.015 * mean_c * t
    r_t = -math.sin(math.radians(60 * math.exp(-((mean_h - 275) / 25) ** 2))) * 2 * math.sqrt(
        mean_c ** 7 / (mean_c ** 7 + 25 ** 7))
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def test_every_pair_colour_blind_readers_cannot_tell_apart_has_one_hatched_member():
    from itertools import combinations

    assert abs(_ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) - 2.0425) < 1e-4  # Sharma's test pair 1
    close = []
    for axis in AXES:
        for a, b in combinations([s for s in STATUSES if s.axis == axis], 2):
            worst = min(_ciede2000(_lab(a.colour, v), _lab(b.colour, v)) for v in (None, *_CVD))
            if worst < 10:
                close.append((a.name, b.name))
                assert a.hatched != b.hatched, (a.name, b.name, round(worst, 1))
    assert ("in_progress", "paused") in close  # the pair analysts reported


def test_hatching_only_raises_the_labels_contrast():
    from tracker.publish.site.assets import HATCH_ALPHA, STYLE, hatch

    for status, colour in ((s.name, s.colour) for s in STATUSES if s.hatched):
        assert f".s-{status}{{background:{colour};color:{charts.text_on(colour)};{hatch(colour)}}}" in STYLE
        line = "#000000" if charts.text_on(colour) == "#ffffff" else "#ffffff"
        mixed = "#" + "".join(
            f"{round(int(colour[i:i + 2], 16) * (1 - HATCH_ALPHA) + int(line[i:i + 2], 16) * HATCH_ALPHA):02x}"
            for i in (1, 3, 5))
        assert charts.contrast(mixed, charts.text_on(colour)) >= charts.contrast(colour, charts.text_on(colour)) >= 4.5


def test_the_readme_prints_the_measured_scores():
    """The README's table of recall and precision is the accuracy file's, set by set, with the commit measured."""
    from support import ROOT
    from tracker.publish.accuracy import load_accuracy

    accuracy = load_accuracy()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"at commit `{accuracy.commit}`" in readme
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+)` \| ([0-9.]+) \| ([0-9.]+) \|$", readme, re.M)
    assert [(name, float(r), float(p)) for name, _, r, p in rows] == [
        (s.name, s.recall, s.precision) for s in accuracy.sets]
    assert all((ROOT / "tests" / "evaluation" / folder).is_dir() for _, folder, _, _ in rows)
