"""The HTML briefing and the weekly change digest: a self-contained page, escaped scraped text, archived
captures linked relatively, charts drawn as HTML bars, and "what changed" against the previous version."""

from __future__ import annotations

import csv
import json
import hashlib
import io
import re
import shutil
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from bs4 import BeautifulSoup

from tracker.ingest import ingest_file
from tracker.pipeline import run as run_pipeline
from tracker.publish.briefing import write_briefing
from tracker.publish.digest import compute_digest
from tracker.settings import Settings

pytestmark = pytest.mark.e2e

XSS = "<script>alert(1)</script>"
NEW_URL = "https://nhsproviders.org/news-blogs/blogs/boards-update"
NEW_PAGE = """<!doctype html><html><head><meta charset="utf-8">\
<title>Boards update &lt;script&gt;alert(1)&lt;/script&gt;</title>
<script src="https://tracker.example/track.js"></script><meta http-equiv="refresh" content="5;url=https://nhsproviders.org/"></head>
<body onload="document.title='x'"><main><h1>Boards update &lt;script&gt;alert(1)&lt;/script&gt;</h1>
<p>Published 4 March 2024.</p>
<p>Recommendation 3 of the Kark review &lt;script&gt;alert(1)&lt;/script&gt; \
has now been implemented, according to NHS England.</p>
</main></body></html>"""
NEW_QUOTE = f"Recommendation 3 of the Kark review {XSS} has now been implemented, according to NHS England."


def _changes(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _next_second() -> None:
    # published versions are named to the second; two runs in one second would share a name
    time.sleep(1.05 - (time.time() % 1))


def _changes_html(html: str) -> str:
    return str(BeautifulSoup(html, "html.parser").find(id="changes"))


@pytest.fixture(scope="module")
def weeks(sample_home, tmp_path_factory):
    """The sample home copied, then a re-run that finds nothing new, then a run with one new page."""
    home = tmp_path_factory.mktemp("weeks") / "home"
    shutil.copytree(sample_home, home, ignore=shutil.ignore_patterns("run.lock"))
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    _next_second()
    run_pipeline(settings, offline=True)
    quiet = {
        "changes": (home / "exports" / "latest" / "changes.csv").read_bytes(),
        "html": (home / "site" / "index.html").read_text(encoding="utf-8"),
        "versions": sorted(p.name for p in settings.published_dir.glob("tracker-*.duckdb")),
        "feed": (home / "site" / "feeds" / "changes.atom").read_text(encoding="utf-8"),
    }
    page = home.parent / "boards-update.html"
    page.write_text(NEW_PAGE, encoding="utf-8")
    ingest_file(settings, page, NEW_URL, "nhsproviders", date(2024, 3, 4))
    _next_second()
    summary = run_pipeline(settings, offline=True)
    return settings, quiet, page, summary


def test_the_first_version_says_everything_is_new(sample_home):
    soup = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="changes-headline").get_text() == "First published version: everything is new."
    counts = {d["data-change"]: d.summary.get_text() for d in soup.select("#changes details[data-change]")}
    assert counts["new_publication"] == "New publications (25)"
    assert counts["new_evidence"] == "New evidence (102)"
    assert counts["new_recommendation"] == "New recommendations (62)"
    assert soup.select_one("#changes-last-7-days summary").get_text() == (
        "Detected in the last 7 days: 82 status changes, 102 new statements, 62 new recommendations, "
        "25 new publications"
    )


def test_a_rerun_that_finds_nothing_new_leaves_what_changed_as_it_was(sample_home, weeks):
    settings, quiet, _, _ = weeks
    assert len(quiet["versions"]) == 2  # the re-run did publish a new version...
    first = (sample_home / "exports" / "latest" / "changes.csv").read_bytes()
    assert quiet["changes"] == first  # ...and the week's changes are still the first run's
    assert len(_changes(sample_home / "exports" / "latest" / "changes.csv")) == 271
    # the same changes listed; only the first version calls itself the first
    first = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    quiet_soup = BeautifulSoup(quiet["html"], "html.parser")
    assert first.find(id="changes-headline").get_text() == "First published version: everything is new."
    assert quiet_soup.find(id="changes-headline").get_text().startswith(
        "No changes since the first published version, which recorded 82 status changes, ")
    for soup in (first, quiet_soup):
        soup.find(id="changes-headline").clear()
    assert str(quiet_soup.find(id="changes")) == str(first.find(id="changes"))


def test_a_week_with_a_new_page_lists_each_change_with_its_source(weeks):
    settings, quiet, _, summary = weeks
    latest = settings.exports_dir / "latest" / "changes.csv"
    con = duckdb.connect(summary.published, read_only=True)
    try:
        detected = con.execute("SELECT published_at FROM warehouse_info").fetchone()[0].isoformat()
        quiet_at = con.execute("SELECT published_at FROM runs WHERE version_file = ?",
                               [quiet["versions"][-1]]).fetchone()[0]
    finally:
        con.close()
    found_by = {"detected_at": detected, "run_id": summary.run_id, "version_file": Path(summary.published).name}
    assert _changes(latest) == [
        {"change_type": "status_change", "review_id": "kark-2019", "number": "3", "axis": "implementation",
         "before": "unknown", "after": "implemented", "published_on": "2024-03-04", "source_url": NEW_URL,
         "title_or_quote": NEW_QUOTE, **found_by},
        {"change_type": "new_evidence", "review_id": "kark-2019", "number": "3", "axis": "implementation",
         "before": "", "after": "implemented", "published_on": "2024-03-04", "source_url": NEW_URL,
         "title_or_quote": NEW_QUOTE, **found_by},
        {"change_type": "new_publication", "review_id": "", "number": "", "axis": "", "before": "", "after": "",
         "published_on": "2024-03-04", "source_url": NEW_URL, "title_or_quote": f"Boards update {XSS}", **found_by},
    ]
    dated = [p for p in settings.exports_dir.iterdir() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)]
    newest = max(dated, key=lambda p: p.name)
    assert (newest / "changes.csv").read_bytes() == latest.read_bytes()
    soup = BeautifulSoup((settings.site_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    headline = soup.find(id="changes-headline").get_text()
    assert headline == (
        f"Since the version of {quiet_at.strftime('%Y-%m-%d %H:%M')} UTC: 1 status change, 1 new statement, "
        "1 new publication."
    )
    status = soup.select_one("#changes details[data-change='status_change']")
    assert status.has_attr("open") and NEW_QUOTE in status.get_text()
    assert status.find("a", href=NEW_URL) is not None
    # the first run's changes are still among the last 7 days'
    assert len(_changes(settings.exports_dir / "latest" / "changes_last_7_days.csv")) == 271 + 3


def test_scraped_markup_is_shown_as_text_never_run(weeks):
    settings, _, _, _ = weeks
    raw = (settings.site_dir / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert XSS not in raw
    soup = BeautifulSoup(raw, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and "alert(1)" not in scripts[0].get_text()  # only the page's own filter script
    assert not soup.find_all(attrs=lambda a: a and any(k.lower().startswith("on") for k in a))  # no handlers
    row = soup.find("tr", id="kark-2019-3")
    assert row["data-implementation"] == "implemented"
    assert NEW_QUOTE in row.get_text()
    assert f"Boards update {XSS}" in soup.select_one("#changes details[data-change='new_publication']").get_text()


def test_archived_captures_are_linked_relatively_and_safe_to_open(weeks):
    """Named by the archived bytes' SHA-256; PDF and JSON as captured; HTML with the page's scripts removed
    and a policy that blocks every script and every load from the live web."""
    settings, _, page, _ = weeks
    soup = BeautifulSoup((settings.site_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in soup.select("a.archived")}
    assert links and all(re.fullmatch(r"captures/[0-9a-f]{64}\.(html|pdf)", h) for h in links)
    assert {a.get_text().rsplit("(", 1)[1] for a in soup.select("a.archived")} == {
        "archived PDF)", "archived page)", "archived GOV.UK page)"}
    files = {p.name for p in (settings.site_dir / "captures").iterdir()}
    assert {h.split("/", 1)[1] for h in links} <= files
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    archived = {sha for (sha,) in con.execute("SELECT content_sha256 FROM publications").fetchall()}
    con.close()
    assert {name.split(".")[0] for name in files} <= archived
    for name in files:
        body = (settings.site_dir / "captures" / name).read_bytes()
        if not name.endswith(".html"):
            assert hashlib.sha256(body).hexdigest() == name.split(".")[0]  # the captured bytes
            continue
        copy = BeautifulSoup(body.decode("utf-8"), "html.parser")
        assert not copy.find_all(["script", "iframe", "object", "embed", "base", "link"])
        assert not copy.find_all(attrs=lambda a: a and any(k.lower().startswith("on") for k in a))
        first = copy.head.find("meta", attrs={"http-equiv": True})
        assert first["http-equiv"] == "Content-Security-Policy" and "default-src 'none'" in first["content"]
        assert len(copy.find_all("meta", attrs={"http-equiv": True})) == 1  # no refresh, no policy of the page's own
    wanted = hashlib.sha256(page.read_bytes()).hexdigest() + ".html"
    row = soup.find("tr", id="kark-2019-3")
    assert row.find("a", href=f"captures/{wanted}") is not None
    copy = BeautifulSoup((settings.site_dir / "captures" / wanted).read_text(encoding="utf-8"), "html.parser")
    assert NEW_QUOTE in copy.get_text(" ", strip=True) and "track.js" not in str(copy)
    captures = settings.site_dir / "captures"
    assert any(n.endswith(".pdf") and (captures / n).read_bytes().startswith(b"%PDF") for n in files)


def test_the_page_is_self_contained(sample_home):
    raw = (sample_home / "site" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    # the only <link>s announce the site's own feeds to feed readers (nothing is loaded)
    assert all(li["rel"] == ["alternate"] and li["type"] == "application/atom+xml" and li["href"].startswith("feeds/")
               and (sample_home / "site" / li["href"]).is_file() for li in soup.find_all("link"))
    assert not soup.find_all("iframe") and not soup.find_all("img")
    assert not soup.find_all(src=True)  # no script, image or frame loaded from anywhere
    assert not re.search(r"url\(|@import", "".join(s.get_text() for s in soup.find_all("style")))
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp
    for a in soup.find_all("a"):
        assert a["href"].startswith(("https://", "http://", "captures/", "recommendations/", "downloads/", "index.html",
                                     "summary.html", "methodology.html", "progress.html", "feeds/", "#")), a["href"]


def test_charts_are_html_bars_one_per_review_with_the_review_s_counts(sample_home):
    soup = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert not soup.find("svg")  # drawn in HTML and CSS: the page's own text, not a picture of it
    cards = soup.select("figure.card[data-review]")
    assert [c["data-review"] for c in cards] == [
        "smith-2015", "rose-2015", "kerr-2018", "ltp-2019-leadership", "kark-2019", "messenger-2022",
    ]
    for card in cards:
        chart = card.select_one(".chart.stacked[role=img]")
        assert chart["id"] == f"chart-{card['data-review']}" and chart["aria-label"]
        for row in chart.select(".chart-row"):  # each bar's segments fill it: every recommendation once
            widths = [float(seg["style"].removeprefix("width:").removesuffix("%")) for seg in row.select(".seg")]
            assert abs(sum(widths) - 100) < 0.05, card["data-review"]
    rose = soup.select_one("#chart-rose-2015")
    assert [[(seg["class"][1], seg.select_one(".seg-n").get_text()) for seg in row.select(".seg")]
            for row in rose.select(".chart-row")] == [
        [("s-accepted", "19")],
        [("s-implemented", "7"), ("s-in_progress", "5"), ("s-paused", "1"), ("s-superseded", "4"), ("s-unknown", "2")]]
    # the comparison: one bar per review, each at the % implemented the progress table prints
    share = soup.select_one("#implemented-share")
    printed = {tr["data-review"]: tr.select(".figure[data-measure=pct]")[0].get_text()
               for tr in soup.select("#progress tbody tr")}
    assert [row.select_one(".fill")["style"] for row in share.select(".chart-row")] == [
        f"width:{printed[c['data-review']]}" for c in cards]
    rose = soup.select_one("figure.card[data-review='rose-2015'] figcaption").get_text()
    assert rose == ("Response: 19 accepted. Implementation: 7 implemented, 5 in progress, 1 paused, "
                    "4 superseded, 2 unknown.")


def test_recommendation_table_rows_badges_and_quotes(sample_home):
    soup = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("#recommendations tbody tr")
    assert len(rows) == 62
    assert soup.find(id="count").get_text() == "Showing 62 of 62 recommendations"
    rose10 = soup.find("tr", id="rose-2015-10")
    assert (rose10["data-response"], rose10["data-implementation"]) == ("accepted", "superseded")
    response, implementation = rose10.find_all("td")[3:5]
    assert [b.get_text() for b in (response.select_one(".badge"), implementation.select_one(".badge"))] == [
        "accepted", "superseded"]
    # the headline rests on the King's Fund's later assessment; the official position it contradicts is shown beside it
    said = implementation.select(".q")
    assert [q["data-position"] for q in said] == ["independent", "official"]
    assert "superseded by the standard appraisal approach" in said[0].get_text()
    assert said[0].cite.get_text() == "The King's Fund \u2014 Leadership reviews: what happened next?, 10 May 2023"
    assert said[0].find("a", href=re.compile(r"^https://www\.kingsfund\.org\.uk/")) is not None
    assert said[1].select_one(".badge").get_text() == "not started"
    assert said[1].cite.get_text().startswith("DHSC \u2014 NHS leadership review: progress update, 1 Mar 2017")
    assert implementation.select_one(".disputed") is not None and response.select_one(".disputed") is None
    assert [q["data-position"] for q in response.select(".q")] == ["official"]
    # every quote names its publisher
    assert all(q.cite and q.cite.get_text() for q in soup.select("#recommendations .q"))
    assert soup.find("tr", id="ltp-2019-leadership-1").select(".badge")[0].get_text() == "no response"
    assert [(o["value"], o.get_text()) for o in soup.select("#filter-review option")][1:] == [
        ("smith-2015", "Smith review (2015) (16)"), ("rose-2015", "Rose review (2015) (19)"),
        ("kerr-2018", "Kerr review (2018) (6)"), ("ltp-2019-leadership", "NHS Long Term Plan (2019) (7)"),
        ("kark-2019", "Kark review (2019) (7)"), ("messenger-2022", "Messenger review (2022) (7)"),
    ]
    assert rose10.select_one("a.permalink")["href"] == "recommendations/rose-2015-10.html"


def test_the_dates_of_the_data_and_of_the_run(sample_home):
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        published_at = con.execute("SELECT published_at FROM warehouse_info").fetchone()[0]
        data_date = con.execute("SELECT max(published_on) FROM publications").fetchone()[0]
    finally:
        con.close()
    soup = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="data-date").get_text() == data_date.isoformat()
    assert soup.find(id="run-date").get_text() == published_at.strftime("%Y-%m-%d %H:%M UTC")


def test_the_same_warehouse_gives_the_same_page(sample_home, tmp_path):
    settings = Settings.from_env({"TRACKER_HOME": str(sample_home)})
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        digest = compute_digest(con, settings.sql_dir, settings.published_dir)
        page = write_briefing(con, tmp_path / "site", digest=digest, archive_dir=settings.archive_dir,
                              exports_dir=settings.exports_dir / "latest", published_dir=settings.published_dir)
    finally:
        con.close()
    assert page.read_bytes() == (sample_home / "site" / "index.html").read_bytes()

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert files(tmp_path / "site") == files(sample_home / "site")  # every page, capture and download


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(site: Path) -> list[Path]:
    return [site / "index.html", site / "summary.html", site / "methodology.html",
            *sorted((site / "recommendations").glob("*.html"))]


def test_a_page_per_recommendation_with_its_positions_history_and_every_quote(sample_home):
    site = sample_home / "site"
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        keys = {f"{r}-{n}" for r, n in con.execute("SELECT review_id, number FROM recommendations").fetchall()}
        said = con.execute(
            "SELECT count(*) FROM status_evidence WHERE review_id = 'rose-2015' AND number = 10").fetchone()[0]
        changes = con.execute("SELECT axis, changed_on FROM status_changes WHERE review_id = 'rose-2015' AND number = "
                              "10 "
                              "ORDER BY changed_on").fetchall()
    finally:
        con.close()
    assert {p.stem for p in (site / "recommendations").glob("*.html")} == keys
    soup = _soup(site / "recommendations" / "rose-2015-10.html")
    assert soup.h1.get_text() == "Rose review (2015), recommendation 10"
    assert soup.find(id="text").get_text() == (
        "A single appraisal system, linked to the core values, should be introduced for all NHS managers.")
    assert "page 5 of the review" in soup.header.get_text()
    stamps = [(li["data-axis"], li.time["datetime"]) for li in soup.select("ol.timeline li")]
    assert stamps == [(axis, when.isoformat()) for axis, when in changes]
    positions = {(d.find_parent("div", class_="positions").find_previous("h3")["id"], d["data-position"]):
                 d.get_text(" ", strip=True) for d in soup.select(".position")}
    assert "superseded" in positions[("now-implementation", "independent")]
    assert "not started" in positions[("now-implementation", "official")]
    assert "No statement." in positions[("now-response", "independent")]
    assert soup.select_one("#now-implementation .disputed") and not soup.select_one("#now-response .disputed")
    assert len(soup.select("#disagreement-list li")) == 1
    quotes = soup.select("ul.statements li")
    assert len(quotes) == said
    for li in quotes:  # every quote names its publisher and opens its archived copy
        assert li.select_one(".who").get_text().split(" \u00b7 ")[0] in {"DHSC", "The King's Fund", "NHS Providers",
                                                                         "NHS Improvement"}
        archived = li.select_one("a.archived")
        assert archived and (site / "recommendations" / archived["href"]).resolve().is_file()
    back = soup.find("a", string="Back to the briefing")
    assert back["href"] == "../index.html#rose-2015-10"


def test_every_page_is_self_contained_with_unique_ids_and_links_named_for_what_they_open(sample_home):
    site = sample_home / "site"
    for path in _pages(site):
        soup = _soup(path)
        csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
        assert "default-src 'none'" in csp, path
        assert not soup.find_all(src=True), path
        assert not [li for li in soup.find_all("link") if li["type"] != "application/atom+xml"], path
        ids = [t["id"] for t in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1][:3])
        for chart in soup.select(".chart"):
            assert chart.get("role") == "img" and chart.get("aria-label"), path  # every chart has an accessible name
        for a in soup.find_all("a"):
            text = a.get_text(" ", strip=True).lower()
            assert text not in {"source", "review", "link", "here", "archived copy"}, (path, a)
            href = a["href"]
            if href.startswith(("http://", "https://")):
                assert a.get("rel") == ["noopener", "noreferrer"]
                assert text.startswith("original at ") or text.endswith("(live web)"), (path, a)
            elif href.startswith("data:"):  # "report an error": a CSV download, which loads nothing
                assert href.startswith("data:text/csv;charset=utf-8,") and a.has_attr("download"), (path, a)
            elif not href.startswith("#"):
                assert (path.parent / href.split("#")[0]).resolve().is_file(), (path, href)  # no dead relative link
    index = _soup(site / "index.html")
    kinds = {a.get_text().rsplit("(", 1)[1].rstrip(")") for a in index.select("a.archived")}
    assert kinds == {"archived PDF", "archived page", "archived GOV.UK page"}
    kark = [a.get_text() for a in index.select("#kark-2019-1 a.archived")]
    assert "DHSC \u2014 Kark review of the fit and proper persons test: government response, 16 Aug 2019 " \
           "(archived GOV.UK page)" in kark


def test_govuk_captures_are_readable_pages_that_load_nothing(sample_home):
    captures = sample_home / "site" / "captures"
    readable = [p for p in sorted(captures.glob("*.html")) if (captures / f"{p.stem}.json").is_file()]
    assert len(readable) == len(list(captures.glob("*.json"))) > 0
    for path in readable:
        soup = _soup(path)
        first = soup.head.find("meta", attrs={"http-equiv": True})
        assert first["http-equiv"] == "Content-Security-Policy" and "default-src 'none'" in first["content"]
        assert not soup.find_all(["script", "iframe", "object", "embed", "link"])
        assert soup.find("a", href=f"{path.stem}.json") is not None  # the captured JSON, beside it
        assert soup.h1.get_text() and "{" not in soup.h1.get_text()
    kark = next(p for p in readable if "government response" in _soup(p).h1.get_text())
    text = _soup(kark).get_text(" ", strip=True)
    assert "Kark review of the fit and proper persons test: government response" in text
    assert "Department of Health and Social Care" in text and "accept" in text.lower()


def test_downloads_are_the_exported_tables(sample_home):
    site, latest = sample_home / "site", sample_home / "exports" / "latest"
    exported = sorted(p.name for p in latest.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert "tracker.xlsx" in exported and "recommendation_status.csv" in exported
    assert sorted(p.name for p in (site / "downloads").iterdir()) == exported
    for name in exported:
        assert (site / "downloads" / name).read_bytes() == (latest / name).read_bytes()
    links = [a["href"] for a in _soup(site / "index.html").select("#downloads a")]
    assert links[0] == "downloads/tracker.xlsx" and sorted(links) == sorted(f"downloads/{n}" for n in exported)


def _printed(soup: BeautifulSoup) -> list[tuple[tuple, str]]:
    """Every figure a page prints: ((figure, review_id or None, side, measure), its text)."""
    return [((s["data-figure"], s["data-review"] or None, s["data-side"], s.get("data-measure", "n")), s.get_text())
            for s in soup.select(".figure")]


def _expected(row: dict, side: str, measure: str) -> str:
    if measure == "pct":
        return f"{row['official_pct' if side == 'official' else 'pct']}%"
    if side == "official":
        return str(row["official_n"])
    disputed = row["disputed"] if row["figure"] != "disputed" else 0
    return f"{row['n']} ({disputed} disputed)" if disputed else str(row["n"])


def test_every_figure_on_every_page_is_the_briefing_figures_view_s(sample_home):
    """One definition per figure: whatever a page prints under a figure's words is that figure's row of
    briefing_figures, as on the version's publication day (so the stale count never follows the clock)."""
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        cursor = con.execute(
            "SELECT * FROM briefing_figures_on((SELECT CAST(published_at AS DATE) FROM warehouse_info))")
        names = [d[0] for d in cursor.description]
        view = {(r["figure"], r["review_id"]): r for r in (dict(zip(names, row)) for row in cursor.fetchall())}
        stale = con.execute(
            """SELECT count(*) FROM recommendation_status, warehouse_info
               WHERE last_evidence_on IS NULL OR last_evidence_on < CAST(published_at AS DATE) - INTERVAL 12 MONTH"""
        ).fetchone()[0]
    finally:
        con.close()
    assert view[("stale", None)]["n"] == stale
    index = _soup(sample_home / "site" / "index.html")
    summary = _soup(sample_home / "site" / "summary.html")
    for soup in (index, summary):
        printed = _printed(soup)
        assert {key[0] for key, _ in printed} >= {"tracked", "accepted", "implemented", "accepted_not_implemented",
                                                  "in_progress", "unknown", "disputed", "stale", "awaiting_analyst"}
        for (figure, review, side, measure), text in printed:
            assert text == _expected(view[(figure, review)], side, measure), (figure, review, side, measure)
        # the key figures are all of the view's, each with its own words and the official positions beside it
        labels = [tr.th.get_text() for tr in soup.select("#key-figures tbody tr")]
        assert labels == [r["label"] for (f, rid), r in view.items() if rid is None]
    # the presets are the figures: their links list exactly the rows counted
    rows = index.select("#recommendations tbody tr")
    groups = json.loads(index.find(id="recommendations")["data-groups"])
    for link in index.select(".presets a"):
        row = next(r for r in view.values()
                   if r["review_id"] is None and link["href"] == f"index.html#{r['view_filter']}")
        want = dict(part.split("=") for part in row["view_filter"].split("&"))
        shown = [tr for tr in rows if all(tr[f"data-{axis}"] in groups.get(v, [v]) for axis, v in want.items())]
        assert link.get_text() == row["label"] and len(shown) == row["n"]
    assert index.select_one("#stale p").get_text().startswith(f"{stale} of 62 recommendations have no statement")
    assert len(index.select("#stale-list a[href^='recommendations/']")) == stale
    waiting = view[("accepted_not_implemented", None)]["n"]
    assert len(summary.select("#waiting a")) == waiting
    assert summary.select_one(".page-break") is not None  # page two starts on a new sheet
    assert [td.get_text() for td in index.select("#progress td.since")] == ["first version"] * 6


def test_the_summary_counts_the_status_changes_the_briefing_counts(sample_home):
    """A first version's summary once said "Status changes this week: None" while the briefing said 82."""
    index = _soup(sample_home / "site" / "index.html")
    summary = _soup(sample_home / "site" / "summary.html")
    on_index = index.select_one("#changes details[data-change='status_change'] summary").get_text()
    n = int(re.fullmatch(r"Status changes \((\d+)\)", on_index).group(1))
    assert n > 0
    assert summary.find(id="summary-changes").get_text() == f"Status changes recorded in this first version ({n})"


def test_every_page_says_as_at_the_version_with_the_data_s_date(sample_home):
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        published, data_to = con.execute(
            "SELECT CAST(published_at AS DATE), (SELECT max(published_on) FROM publications) FROM warehouse_info"
        ).fetchone()
    finally:
        con.close()
    wanted = f"As at {published.day} {published:%b %Y} (data to {data_to.day} {data_to:%b %Y})"
    for path in _pages(sample_home / "site"):
        assert _soup(path).find(id="as-at").get_text() == wanted, path


def test_a_week_shows_since_last_week_per_review_and_keeps_scraped_text_inert_on_every_page(weeks):
    settings, _, _, _ = weeks
    site = settings.site_dir
    index = _soup(site / "index.html")
    since = {tr["data-review"]: tr.select_one("td.since").get_text() for tr in index.select("#progress tbody tr")}
    assert since == {"smith-2015": "no change", "rose-2015": "no change", "kerr-2018": "no change",
                     "ltp-2019-leadership": "no change", "messenger-2022": "no change",
                     "kark-2019": "+1 implemented; 1 status change; 1 new statement"}
    for path in _pages(site):
        raw = path.read_text(encoding="utf-8")
        assert XSS not in raw, path
        soup = BeautifulSoup(raw, "html.parser")
        assert len(soup.find_all("script")) == (1 if path.name == "index.html" else 0), path
        assert not soup.find_all(attrs=lambda a: a and any(k.lower().startswith("on") for k in a)), path
    page = _soup(site / "recommendations" / "kark-2019-3.html")
    assert NEW_QUOTE in page.select_one("ol.timeline").get_text()
    assert page.select("ol.timeline li")[-1].time["datetime"] == "2024-03-04"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (site / "recommendations" / "kark-2019-3.html").read_text(
        encoding="utf-8")
    summary = _soup(site / "summary.html")
    assert "Kark review (2019) #3" in summary.get_text()


def test_progress_over_time_has_a_row_per_kept_version_and_dates_the_week_s_change(weeks):
    settings, _, _, summary = weeks
    versions = sorted(p.name for p in settings.published_dir.glob("tracker-*.duckdb"))
    con = duckdb.connect(summary.published, read_only=True)
    try:
        detected = con.execute("SELECT published_at FROM warehouse_info").fetchone()[0]
        figures = {(f, r): pct for f, r, pct in con.execute(
            "SELECT figure, review_id, pct FROM briefing_figures_on((SELECT CAST(published_at AS DATE) "
            "FROM warehouse_info)) WHERE figure IN ('accepted', 'implemented')").fetchall()}
    finally:
        con.close()
    soup = _soup(settings.site_dir / "progress.html")
    kark = soup.select("#trend-kark-2019 tbody tr")
    assert [tr["data-version"] for tr in kark] == versions
    last = kark[-1].select(".figure")
    assert [s.get_text() for s in last] == [f"{figures[('accepted', 'kark-2019')]}%",
                                            f"{figures[('implemented', 'kark-2019')]}%"]
    seen = [td.get_text() for td in kark[-1].select("td.seen")]
    assert seen == ["\u2014", f"{detected.day} {detected:%b %Y}"]  # implemented moved this week, accepted did not
    assert [td.get_text() for td in kark[-2].select("td.seen")] == ["\u2014", "\u2014"]  # the quiet re-run


def test_the_feeds_keep_their_entries_across_runs_and_add_the_week_s_changes(sample_home, weeks):
    from test_feeds import check_atom

    settings, quiet, _, _ = weeks

    def ids(xml: str) -> list[str]:
        return [en.findtext("{http://www.w3.org/2005/Atom}id") for en in check_atom(xml).iter(
            "{http://www.w3.org/2005/Atom}entry")]

    first = ids((sample_home / "site" / "feeds" / "changes.atom").read_text(encoding="utf-8"))
    assert len(first) == 271  # every change the first version recorded
    assert ids(quiet["feed"]) == first  # a run that finds nothing new adds no entry
    now = ids((settings.site_dir / "feeds" / "changes.atom").read_text(encoding="utf-8"))
    assert now[3:] == first and not set(now[:3]) & set(first)  # the week's three changes, newest first
    kark = ids((settings.site_dir / "feeds" / "kark-2019.atom").read_text(encoding="utf-8"))
    assert len(kark) == len([i for i in now if i in kark]) and set(now[:2]) <= set(kark)
    for path in (settings.site_dir / "feeds").iterdir():
        check_atom(path.read_text(encoding="utf-8"))
