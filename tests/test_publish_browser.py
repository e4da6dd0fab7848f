"""The briefing in a real browser: Debian's headless chromium opens the site from disk (file://).

Filters on both axes hide and show rows and the counts on every option follow; the filter state lives
in the URL and a copied link opens the same view; columns sort; every row links to its own page, and
those pages open; nothing scrolls sideways at 390 px; axe-core finds no serious or critical
accessibility violation; "download this view" writes the filtered rows as CSV; printed, rows and cards
stay whole, web links show their address and the summary is two A4 pages. Screenshots at 1366 and
390 px go to the test's tmp dir, and to $TRACKER_SCREENSHOT_DIR when set (docs/analysts/ holds the committed ones).

Driven by selenium with Debian's chromedriver passed explicitly, so Selenium Manager never downloads
anything. axe-core comes from the npm registry into .cache/axe-core/ (gitignored) the first time.
Under CI=true the tests must run; elsewhere they skip when chromium (or npm, for axe) is missing.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from support import ROOT

pytestmark = pytest.mark.e2e

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_PATHS = ("/usr/bin/chromedriver",)
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
AXE_VERSION = "4.10.3"
AXE_DIR = ROOT / ".cache" / "axe-core"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def _find_browser() -> tuple[str, str] | None:
    browser = next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)
    driver = next((p for p in DRIVER_PATHS if Path(p).is_file()), None) or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _missing(why: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {why}")
    pytest.skip(why)


@pytest.fixture
def browser(tmp_path):
    found = _find_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        _missing("chromium, chromium-driver or selenium is missing "
                 "(apt-get install chromium chromium-driver; pip install selenium)")
    binary, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1366,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry into .cache/ when it is not there yet."""
    if not AXE_FILE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is missing, so axe-core cannot be installed (apt-get install npm)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
             f"axe-core@{AXE_VERSION}"],
            capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0 or not AXE_FILE.is_file():
            _missing(f"npm could not install axe-core@{AXE_VERSION}: {proc.stderr[-500:]}")
    return AXE_FILE.read_text(encoding="utf-8")


def _viewport(driver, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _visible_ids(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#recommendations tbody tr'))"
        ".filter(r => !r.hidden && r.offsetParent !== null).map(r => r.id);"
    )


def _save_screenshot(driver, tmp_path: Path, name: str, width: int, height: int) -> Path:
    """The top of the page at this width (a whole briefing is many screens long)."""
    path = tmp_path / name
    _viewport(driver, width, height)
    assert driver.save_screenshot(str(path))
    extra = os.environ.get("TRACKER_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(extra) / name)
    return path


def _warehouse(sample_home) -> list[tuple]:
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT review_id, number, response_status, implementation_status FROM recommendation_status"
        ).fetchall()
    finally:
        con.close()


def _option_text(driver, select_id: str, value: str) -> str:
    return driver.execute_script(
        "return Array.from(document.getElementById(arguments[0]).options).find(o => o.value === arguments[1]).text;",
        select_id, value)


def test_briefing_filters_and_search_work_from_disk(browser, sample_home, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = (sample_home / "site" / "index.html").resolve()
    browser.get(page.as_uri())
    assert browser.title == "NHS leadership reviews: progress briefing"

    count = browser.find_element(By.ID, "count")
    rows = browser.find_elements(By.CSS_SELECTOR, "#recommendations tbody tr")
    assert len(rows) == 62 and len(_visible_ids(browser)) == 62
    assert count.text == "Showing 62 of 62 recommendations"
    rose10 = browser.find_element(By.ID, "rose-2015-10")
    assert [b.text for b in rose10.find_elements(By.CSS_SELECTOR, ".badge")][:2] == ["accepted", "superseded"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.card .chart[role=img]")) == 7  # six and the comparison
    _save_screenshot(browser, tmp_path, "briefing-1366.png", 1366, 1400)
    _viewport(browser, 1366, 1000)

    review = Select(browser.find_element(By.ID, "filter-review"))
    review.select_by_value("kark-2019")
    assert _visible_ids(browser) == [f"kark-2019-{n}" for n in range(1, 8)]
    assert count.text == "Showing 7 of 62 recommendations"

    search = browser.find_element(By.ID, "search")
    search.send_keys("settlement")  # recommendation 6 is about settlement agreements
    assert _visible_ids(browser) == ["kark-2019-6"]
    assert count.text == "Showing 1 of 62 recommendations"

    review.select_by_value("")  # search across every review
    search.clear()
    search.send_keys("SUPERSEDED BY")  # case-insensitive, in the quotes too
    assert "rose-2015-10" in _visible_ids(browser)

    browser.find_element(By.ID, "reset").click()
    Select(browser.find_element(By.ID, "filter-implementation")).select_by_value("paused")
    assert _visible_ids(browser) == ["rose-2015-14", "messenger-2022-7"]
    assert count.text == "Showing 2 of 62 recommendations"

    search.send_keys("no such words anywhere")
    assert _visible_ids(browser) == []
    assert count.text == "Showing 0 of 62 recommendations"
    assert browser.find_element(By.ID, "no-match").is_displayed()


def test_accepted_but_not_implemented_is_two_choices_with_counts_and_a_shareable_url(browser, sample_home):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    recs = _warehouse(sample_home)
    accepted = [r for r in recs if r[2] == "accepted"]
    wanted = sorted(f"{r[0]}-{r[1]}" for r in accepted if r[3] != "implemented")
    assert 0 < len(wanted) < len(accepted)
    browser.get((sample_home / "site" / "index.html").resolve().as_uri())

    # every option says how many rows it would show, given the other filters
    assert _option_text(browser, "filter-response", "accepted") == f"accepted ({len(accepted)})"
    implemented = sum(1 for r in recs if r[3] == "implemented")
    assert _option_text(browser, "filter-implementation", "implemented") == f"implemented ({implemented})"
    Select(browser.find_element(By.ID, "filter-response")).select_by_value("accepted")
    assert _option_text(browser, "filter-implementation", "not_implemented") == (
        f"Not implemented (any other status) ({len(wanted)})")
    assert _option_text(browser, "filter-implementation", "implemented") == (
        f"implemented ({len(accepted) - len(wanted)})")
    Select(browser.find_element(By.ID, "filter-implementation")).select_by_value("not_implemented")
    assert sorted(_visible_ids(browser)) == wanted
    assert browser.find_element(By.ID, "count").text == f"Showing {len(wanted)} of 62 recommendations"

    # the state is in the address: a copied link opens the same view in a fresh page
    link = browser.find_element(By.ID, "view-link").get_attribute("value")
    assert link == browser.current_url and "response=accepted" in link and "implementation=not_implemented" in link
    browser.get("about:blank")
    browser.get(link)
    assert sorted(_visible_ids(browser)) == wanted
    assert Select(browser.find_element(By.ID,
                                       "filter-response")).first_selected_option.get_attribute("value") == "accepted"

    # the preset link is the briefing_figures figure of the same words: it shows the rows the figure counts
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        n, label = con.execute("SELECT n, label FROM briefing_figures WHERE review_id IS NULL "
                               "AND figure = 'accepted_not_implemented'").fetchone()
    finally:
        con.close()
    browser.get((sample_home / "site" / "index.html").resolve().as_uri())
    preset = browser.find_element(By.ID, "preset-accepted-not-implemented")
    assert preset.text == label
    preset.click()
    assert browser.find_element(By.ID, "count").text == f"Showing {n} of 62 recommendations"
    shown = set(_visible_ids(browser))
    assert sorted(shown) == sorted(f"{r[0]}-{r[1]}" for r in recs
                                   if r[2] in ("accepted", "accepted_in_principle", "partially_accepted")
                                   and r[3] not in ("implemented", "superseded"))


def test_official_positions_only_lists_what_the_figure_counts(browser, sample_home):
    """A blog post once moved a review from 36.8% to 47.4% implemented unseen: the table can be read on the
    official positions alone, and then shows the briefing_figures official count."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        n, official_n = con.execute("SELECT n, official_n FROM briefing_figures WHERE review_id IS NULL "
                                    "AND figure = 'implemented'").fetchone()
    finally:
        con.close()
    assert n != official_n  # the sample has statuses that rest on independent assessments
    index = (sample_home / "site" / "index.html").resolve().as_uri()
    browser.get(index + "#implementation=implemented")
    assert browser.find_element(By.ID, "count").text == f"Showing {n} of 62 recommendations"
    Select(browser.find_element(By.ID, "filter-basis")).select_by_value("official")
    assert browser.find_element(By.ID, "count").text == f"Showing {official_n} of 62 recommendations"
    assert _option_text(browser, "filter-implementation", "implemented") == f"implemented ({official_n})"
    link = browser.find_element(By.ID, "view-link").get_attribute("value")
    assert link.endswith("#implementation=implemented&basis=official")
    # the key figures link to the same view
    browser.get(index)
    browser.find_element(By.CSS_SELECTOR, "#key-figures a[href='index.html#implementation=implemented&basis=official']"
                         ).click()
    assert browser.find_element(By.ID, "count").text == f"Showing {official_n} of 62 recommendations"


def test_columns_sort_and_the_sort_is_in_the_url(browser, sample_home):
    from selenium.webdriver.common.by import By

    from tracker.vocabulary import IMPLEMENTATION_STATUSES

    browser.get((sample_home / "site" / "index.html").resolve().as_uri())
    header = browser.find_element(By.CSS_SELECTOR, "th button[data-sort='implementation']")
    header.click()
    order = [browser.find_element(By.ID, i).get_attribute("data-implementation") for i in _visible_ids(browser)]
    assert order == sorted(order, key=IMPLEMENTATION_STATUSES.index) and order[0] == "implemented"
    th = header.find_element(By.XPATH, "..")
    assert th.get_attribute("aria-sort") == "ascending"
    header.click()
    order = [browser.find_element(By.ID, i).get_attribute("data-implementation") for i in _visible_ids(browser)]
    assert order[0] == "unknown" and th.get_attribute("aria-sort") == "descending"
    assert "sort=implementation" in browser.current_url and "dir=desc" in browser.current_url

    browser.find_element(By.CSS_SELECTOR, "th button[data-sort='last']").click()
    dates = [browser.find_element(By.ID, i).get_attribute("data-sort-last") for i in _visible_ids(browser)]
    assert dates == sorted(dates)
    browser.get(browser.current_url)  # reload: same order
    assert [browser.find_element(By.ID, i).get_attribute("data-sort-last") for i in _visible_ids(browser)] == dates
    browser.find_element(By.ID, "reset").click()
    assert _visible_ids(browser)[:2] == ["smith-2015-1", "smith-2015-2"]


def test_every_row_links_to_its_own_page(browser, sample_home):
    from selenium.webdriver.common.by import By

    browser.get((sample_home / "site" / "index.html").resolve().as_uri())
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('#recommendations tbody tr')).map("
        "r => [r.id, r.querySelector('a.permalink').href, r.querySelector('a.permalink').offsetParent !== null]);")
    assert len(links) == 62
    for key, href, visible in links:
        assert visible and href.endswith(f"/recommendations/{key}.html")
        assert (sample_home / "site" / "recommendations" / f"{key}.html").is_file()
    browser.find_element(By.CSS_SELECTOR, "#rose-2015-10 a.permalink").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Rose review (2015), recommendation 10"
    timeline = browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    assert [li.get_attribute("data-axis") for li in timeline] == ["response", "implementation", "implementation"]
    assert browser.find_element(By.CSS_SELECTOR, "#now-implementation .disputed").is_displayed()
    browser.find_element(By.LINK_TEXT, "Back to the briefing").click()
    assert browser.current_url.endswith("index.html#rose-2015-10")
    assert len(_visible_ids(browser)) == 62  # an anchor is not a filter


def _overflow(driver) -> int:
    return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")


def test_nothing_scrolls_sideways_on_a_phone(browser, sample_home, tmp_path):
    site = sample_home / "site"
    readable = next(p for p in sorted((site / "captures").glob("*.html"))
                    if (site / "captures" / (p.stem + ".json")).is_file())
    pages = [site / "index.html", site / "summary.html", site / "recommendations" / "rose-2015-10.html", readable,
             site / "methodology.html", site / "progress.html"]
    _viewport(browser, 390)
    for path in pages:
        browser.get(path.resolve().as_uri())
        assert _overflow(browser) <= 0, path.name
    browser.get((site / "index.html").resolve().as_uri())
    _viewport(browser, 390)
    _save_screenshot(browser, tmp_path, "briefing-390.png", 390, 1600)


def test_on_a_phone_each_recommendation_is_a_card_with_its_statuses_first(browser, sample_home):
    """At 390 px the table was 955 px wide in a 350 px box, the statuses off screen with no cue."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _viewport(browser, 390)
    browser.get((sample_home / "site" / "index.html").resolve().as_uri())
    assert _overflow(browser) <= 0
    table = browser.execute_script(
        "var t = document.querySelector('#recommendations'), b = t.parentElement;"
        "return [b.scrollWidth - b.clientWidth, t.getBoundingClientRect().width <= innerWidth];")
    assert table == [0, True]
    first = browser.find_element(By.CSS_SELECTOR, "#recommendations tbody tr")
    browser.execute_script("arguments[0].scrollIntoView()", first)
    # the statuses come first, then the recommendation's text, each cell named
    placed = browser.execute_script(
        "var r = arguments[0], top = c => r.querySelector(c).getBoundingClientRect().top;"
        "return [top('td.response') < top('td.implementation'), top('td.implementation') < top('td.text'),"
        " getComputedStyle(r.querySelector('td.response'), '::before').content];", first)
    assert placed == [True, True, '"Response"']
    for badge in first.find_elements(By.CSS_SELECTOR, "td.response .badge, td.implementation .badge")[:2]:
        box = browser.execute_script("var b = arguments[0].getBoundingClientRect();"
                                     "return [b.left, b.right, b.top, b.bottom, innerWidth, innerHeight];", badge)
        assert 0 <= box[0] and box[1] <= box[4] and 0 <= box[2] and box[3] <= box[5], box
    # every chart's text reads at 12 px or more at this width
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('.chart .chart-axis, .chart .seg, .chart .chart-value,"
        " .chart-legend li')).map(e => parseFloat(getComputedStyle(e).fontSize));")
    assert sizes and min(sizes) >= 12
    # the filters, sorting and the state in the address work on the cards as on the table
    Select(browser.find_element(By.ID, "filter-implementation")).select_by_value("paused")
    assert _visible_ids(browser) == ["rose-2015-14", "messenger-2022-7"]
    browser.find_element(By.CSS_SELECTOR, "th button[data-sort='number']").click()
    assert _visible_ids(browser) == ["messenger-2022-7", "rose-2015-14"]
    assert "implementation=paused" in browser.current_url and "sort=number" in browser.current_url
    assert _overflow(browser) <= 0


def _axe(driver, source: str) -> list[dict]:
    driver.execute_script(source)
    driver.set_script_timeout(120)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))),"
        " e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violations(browser, sample_home, axe_source, tmp_path):
    control = tmp_path / "control.html"  # the check itself works: pale text and a nameless button are caught
    control.write_text("<!doctype html><html lang='en'><title>c</title><main><p style='color:#eee'>pale</p>"
                       "<button></button></main></html>", encoding="utf-8")
    browser.get(control.as_uri())
    assert {v["id"] for v in _axe(browser, axe_source)} >= {"color-contrast", "button-name"}
    site = sample_home / "site"
    for path in (site / "index.html", site / "summary.html", site / "recommendations" / "rose-2015-10.html",
                 site / "recommendations" / "ltp-2019-leadership-1.html", site / "methodology.html",
                 site / "progress.html"):
        for width in (1366, 390):
            _viewport(browser, width)
            browser.get(path.resolve().as_uri())
            assert _axe(browser, axe_source) == [], (path.name, width)


def test_download_this_view_writes_the_filtered_rows(browser, sample_home, tmp_path):
    from selenium.webdriver.common.by import By

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get((sample_home / "site" / "index.html").resolve().as_uri() + "#review=kark-2019&implementation=unknown")
    shown = _visible_ids(browser)
    assert shown and all(i.startswith("kark-2019-") for i in shown)
    browser.find_element(By.ID, "download-view").click()
    target = downloads / "recommendations-this-view.csv"
    deadline = time.monotonic() + 20
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert [f"{r['review_id']}-{r['number']}" for r in rows] == shown
    assert {r["implementation_status"] for r in rows} == {"unknown"}
    # a link that opens from wherever the file is shared (relative to the site), never this machine's file:// path
    assert all(r["review"] == "Kark review (2019)"
               and r["page"] == f"recommendations/{r['review_id']}-{r['number']}.html" for r in rows)
    # each status with the statement it rests on, and the version it is as at
    said = [r for r in rows if r["response_quote"]]
    assert said and all(r["response_cited_as"] and r["response_said_on"] for r in said)
    assert {r["as_at"] for r in rows} == {browser.find_element(By.ID, "as-at").text}


def test_copy_link_and_the_view_s_links_use_the_site_url(browser, sample_home, tmp_path):
    """Opened from a USB stick, "Copy link" once gave a file:/// address nobody else can open."""
    from selenium.webdriver.common.by import By

    from tracker.publish.site import load_briefing, render_briefing

    site = tmp_path / "site"
    shutil.copytree(sample_home / "site", site)
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        pages = render_briefing(load_briefing(con, site_url="https://example.org/briefing/"))
    finally:
        con.close()
    (site / "index.html").write_text(pages["index.html"], encoding="utf-8")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get((site / "index.html").resolve().as_uri() + "#review=kark-2019")
    assert browser.find_element(By.ID, "view-link").get_attribute("value") == (
        "https://example.org/briefing/index.html#review=kark-2019")
    browser.find_element(By.ID, "download-view").click()
    target = downloads / "recommendations-this-view.csv"
    deadline = time.monotonic() + 20
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows and all(r["page"] == f"https://example.org/briefing/recommendations/{r['review_id']}-{r['number']}.html"
                        for r in rows)


A4_PRINTABLE_PX = 688  # 210 mm less the 14 mm margins each side, at 96 px to the inch


def _print_pdf(driver, path: Path):
    import base64

    import pypdfium2
    from selenium.webdriver.common.print_page_options import PrintOptions

    driver.get(path.resolve().as_uri())
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in cm
    return pypdfium2.PdfDocument(base64.b64decode(driver.print_page(options)))


def _stranded_headings(driver, pdf) -> list[str]:
    """Headings printed as the last line of a page (the page's text, as PDFium reads it)."""
    headings = [h.strip() for h in driver.execute_script(
        "return Array.from(document.querySelectorAll('h2, h3')).filter(h => h.offsetParent !== null)"
        ".map(h => h.textContent);")]
    stranded = []
    for i in range(len(pdf) - 1):
        lines = [line.strip() for line in pdf[i].get_textpage().get_text_range().splitlines() if line.strip()]
        if lines and len(lines[-1]) > 3 and any(h.startswith(lines[-1]) for h in headings):
            stranded.append(lines[-1])
    return stranded


def test_printed_on_a4_rows_and_cards_stay_whole_and_web_links_show_their_address(browser, sample_home):
    site = sample_home / "site"
    browser.get((site / "recommendations" / "rose-2015-10.html").resolve().as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    styles = browser.execute_script(
        "var s = e => getComputedStyle(document.querySelector(e));"
        "return [s('.q').breakInside, s('nav').display, s('h2').breakAfter,"
        " getComputedStyle(document.querySelector('a.live'), '::after').content];")
    assert styles[:3] == ["avoid", "none", "avoid"]
    assert styles[3].startswith('" <http')  # the address a web link opens


def test_the_index_prints_as_a_short_briefing_and_the_summary_on_two_pages(browser, sample_home):
    """Printed to A4 the index was 24 pages, its repeated table headers showed only "Recommendation", a
    heading was stranded at a page foot and the summary's column headers overlapped."""
    site = sample_home / "site"
    _viewport(browser, A4_PRINTABLE_PX)
    index = site / "index.html"
    browser.get(index.resolve().as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = browser.execute_script(
        "var d = id => getComputedStyle(document.getElementById(id)).display;"
        "return ['figures', 'reviews', 'implemented-share-figure', 'changes', 'all', 'unresolved', 'stale',"
        " 'downloads', 'print-note'].map(d);")
    assert shown == ["block"] * 4 + ["none"] * 4 + ["block"]
    # the printout says where the full table is: the address of the page it was printed from
    assert browser.find_element("id", "print-url").text == index.resolve().as_uri()
    assert len(browser.find_elements("css selector", "figure.card .chart[role=img]")) == 7
    pdf = _print_pdf(browser, index)
    assert len(pdf) <= 4
    assert _stranded_headings(browser, pdf) == []
    pdf.close()

    summary = site / "summary.html"
    browser.get(summary.resolve().as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    header = browser.execute_script(
        "var t = document.getElementById('summary-progress');"
        "var cells = Array.from(t.tHead.rows[0].cells);"
        "return [getComputedStyle(t.tHead).display, cells.map(c => c.scrollWidth - c.clientWidth),"
        " cells.map(c => { var r = c.getBoundingClientRect(); return [r.left, r.right]; })];")
    assert header[0] == "table-header-group"  # repeated on each printed page
    assert max(header[1]) <= 0  # no header's words spill out of its cell
    edges = header[2]
    assert all(edges[i][1] <= edges[i + 1][0] + 1 for i in range(len(edges) - 1))  # side by side, none overlapping
    pdf = _print_pdf(browser, summary)
    assert len(pdf) <= 2  # the summary is two pages
    assert _stranded_headings(browser, pdf) == []
    pdf.close()


def test_report_an_error_downloads_the_corrections_row_under_the_page_s_policy(browser, sample_home, tmp_path):
    """The data: link is a download the Content-Security-Policy leaves alone; the file is the row the link holds."""
    from urllib.parse import unquote

    from selenium.webdriver.common.by import By

    from tracker.corrections import read_corrections

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get((sample_home / "site" / "recommendations" / "kark-2019-1.html").resolve().as_uri())
    link = browser.find_element(By.CSS_SELECTOR, "#standing .report-error a[download]")
    name, href = link.get_attribute("download"), link.get_attribute("href")
    link.click()
    target = downloads / name
    deadline = time.monotonic() + 20
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.read_bytes() == unquote(href.partition(",")[2]).encode("utf-8")
    assert browser.current_url.endswith("kark-2019-1.html")  # nothing navigated away
    rows = read_corrections(downloads)
    assert [(c.review_id, c.number, c.axis) for c in rows] == [("kark-2019", 1, "response")] and rows[0].quote
