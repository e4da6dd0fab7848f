"""The briefing in a real browser: Debian's headless chromium opens site/index.html from disk (file://),
the table has its rows, the review filter, status filter and search box hide and show rows and the count
follows, and a screenshot is saved (to the test's tmp dir, and to $TRACKER_SCREENSHOT_DIR when set).

Driven by selenium with Debian's chromedriver passed explicitly, so Selenium Manager never downloads
anything. Under CI=true the test must run; elsewhere it skips when chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_PATHS = ("/usr/bin/chromedriver",)
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _find_browser() -> tuple[str, str] | None:
    browser = next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)
    driver = next((p for p in DRIVER_PATHS if Path(p).is_file()), None) or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture
def browser(tmp_path):
    found = _find_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if IN_CI:
            pytest.fail("CI=true but chromium, chromium-driver or selenium is missing "
                        "(apt-get install chromium chromium-driver; pip install selenium)")
        pytest.skip("no chromium + chromedriver installed (apt-get install chromium chromium-driver)")
    binary, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,1600", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _visible_ids(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#recommendations tbody tr'))"
        ".filter(r => !r.hidden && r.offsetParent !== null).map(r => r.id);"
    )


def _save_screenshot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000);")
    driver.set_window_size(1280, max(int(height), 800))
    assert driver.save_screenshot(str(path))
    extra = os.environ.get("TRACKER_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(extra) / name)
    return path


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
    # each cell leads with its headline badge; the official position it contradicts follows, with its own badge
    cells = rose10.find_elements(By.TAG_NAME, "td")[3:5]
    assert [c.find_element(By.CSS_SELECTOR, ".badge").text for c in cells] == ["accepted", "superseded"]
    assert cells[1].find_element(By.CSS_SELECTOR, ".disputed").is_displayed()
    assert browser.find_element(By.ID, "kark-2019-6").is_displayed()
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.card svg")) == 6  # the charts render inline
    first = _save_screenshot(browser, tmp_path, "briefing.png")
    assert first.stat().st_size > 10_000

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
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("paused")
    assert _visible_ids(browser) == ["rose-2015-14", "messenger-2022-7"]
    assert count.text == "Showing 2 of 62 recommendations"

    search.send_keys("no such words anywhere")
    assert _visible_ids(browser) == []
    assert count.text == "Showing 0 of 62 recommendations"
    assert browser.find_element(By.ID, "no-match").is_displayed()

    browser.find_element(By.ID, "reset").click()
    Select(browser.find_element(By.ID, "filter-review")).select_by_value("rose-2015")
    browser.execute_script("document.getElementById('all').scrollIntoView();")
    filtered = _save_screenshot(browser, tmp_path, "briefing-filtered.png")
    assert filtered.is_file() and count.text == "Showing 19 of 62 recommendations"
