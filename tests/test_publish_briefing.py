"""The HTML briefing and the weekly change digest: a self-contained page, escaped scraped text, archived
captures linked relatively, charts drawn by matplotlib, and "what changed" against the previous version."""

from __future__ import annotations

import csv
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
NEW_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Boards update &lt;script&gt;alert(1)&lt;/script&gt;</title>
<script src="https://tracker.example/track.js"></script><meta http-equiv="refresh" content="5;url=https://nhsproviders.org/"></head>
<body onload="document.title='x'"><main><h1>Boards update &lt;script&gt;alert(1)&lt;/script&gt;</h1>
<p>Published 4 March 2024.</p>
<p>Recommendation 3 of the Kark review &lt;script&gt;alert(1)&lt;/script&gt; has now been implemented, according to NHS England.</p>
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
    assert _changes_html(quiet["html"]) == _changes_html((sample_home / "site" / "index.html").read_text(encoding="utf-8"))


def test_a_week_with_a_new_page_lists_each_change_with_its_source(weeks):
    settings, quiet, _, summary = weeks
    latest = settings.exports_dir / "latest" / "changes.csv"
    con = duckdb.connect(summary.published, read_only=True)
    try:
        detected = con.execute("SELECT published_at FROM warehouse_info").fetchone()[0].isoformat()
        quiet_at = con.execute("SELECT published_at FROM runs WHERE version_file = ?", [quiet["versions"][-1]]).fetchone()[0]
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
    links = {a["href"] for a in soup.find_all("a") if a.get_text() == "archived copy"}
    assert links and all(re.fullmatch(r"captures/[0-9a-f]{64}\.(html|json|pdf)", h) for h in links)
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
    assert any(n.endswith(".pdf") and (settings.site_dir / "captures" / n).read_bytes().startswith(b"%PDF") for n in files)


def test_the_page_is_self_contained(sample_home):
    raw = (sample_home / "site" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    assert not soup.find_all("link") and not soup.find_all("iframe") and not soup.find_all("img")
    assert not soup.find_all(src=True)  # no script, image or frame loaded from anywhere
    assert not re.search(r"url\(|@import", "".join(s.get_text() for s in soup.find_all("style")))
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp
    for a in soup.find_all("a"):
        assert a["href"].startswith(("https://", "http://", "captures/")), a["href"]


def test_charts_are_inline_matplotlib_svg_one_per_review(sample_home):
    soup = BeautifulSoup((sample_home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    cards = soup.select("figure.card")
    assert [c["data-review"] for c in cards] == [
        "smith-2015", "rose-2015", "kerr-2018", "ltp-2019-leadership", "kark-2019", "messenger-2022",
    ]
    for card in cards:
        svg = card.find("svg")
        assert svg is not None and "Matplotlib" in svg.get_text(" ")
        assert not svg.find_all(attrs={"xlink:href": re.compile("^(?!#)")})  # nothing external
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
    assert all(q.cite and q.cite.get_text() for q in soup.select("#recommendations .q"))  # every quote names its publisher
    assert soup.find("tr", id="ltp-2019-leadership-1").select(".badge")[0].get_text() == "no response"
    assert [o["value"] for o in soup.select("#filter-review option")][1:] == [
        "smith-2015", "rose-2015", "kerr-2018", "ltp-2019-leadership", "kark-2019", "messenger-2022",
    ]


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
        digest = compute_digest(con, settings.published_dir)
        page = write_briefing(con, tmp_path / "site", digest=digest, archive_dir=settings.archive_dir)
    finally:
        con.close()
    assert page.read_bytes() == (sample_home / "site" / "index.html").read_bytes()
    assert sorted(p.name for p in (tmp_path / "site" / "captures").iterdir()) == sorted(
        p.name for p in (sample_home / "site" / "captures").iterdir()
    )
