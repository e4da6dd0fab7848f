"""Dates that cannot poison the picture: refused at ingest, treated as missing when a page gives one,
and a new --published date for the same bytes takes effect on the next run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import run_cli
from helpers import warehouse_rows as rows
from tracker.dates import implausible

URL = "https://nhsproviders.org/news-blogs/blogs/directors-register-update"
PAGE = (
    "<html><head><title>Directors register: an update</title>{meta}</head><body><main>"
    "<h1>Directors register: an update</h1>"
    "<p>We understand that recommendation 2 of the Kark review is being implemented by NHS England.</p>"
    "</main></body></html>"
)



def write_page(tmp_path, meta: str = ""):
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(meta=meta), encoding="utf-8")
    return path


def test_the_bounds():
    today = date(2026, 11, 23)
    assert implausible(date(2026, 11, 23), today) is None
    assert implausible(date(2026, 11, 24), today) is None  # a day's grace: already tomorrow east of UTC
    assert implausible(date(2026, 11, 25), today) == "is in the future"
    assert implausible(date(1990, 1, 1), today) is None
    assert implausible(date(1989, 12, 31), today) == "is before 1990"
    assert implausible(None, today) is None


@pytest.mark.parametrize("published, message", [
    ((date.today() + timedelta(days=30)).isoformat(), "is in the future"),
    ("2999-01-01", "is in the future"),
    ("1989-12-31", "is before 1990"),
    ("1970-01-01", "is before 1990"),
])
def test_ingest_refuses_a_date_in_the_future_or_before_1990(tmp_path, published, message):
    home = tmp_path / "home"
    proc = run_cli(home, "ingest", str(write_page(tmp_path)), "--url", URL, "--published", published, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == (f"error: --published {published} {message}: give the date the document was "
                                            "published")
    assert not (home / "archive").exists()


def test_a_page_dated_in_the_future_is_undated_and_counted_by_source_health(tmp_path):
    home = tmp_path / "home"
    page = write_page(tmp_path, '<meta name="date" content="2999-06-01">')
    run_cli(home, "ingest", str(page), "--url", URL, "--source", "nhsproviders")
    proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3  # published, but the only page has no usable date
    assert "SOURCE HEALTH: nhsproviders: 1 of 1 pages have no date" in proc.stderr
    assert rows(home, "SELECT published_on FROM publications WHERE url = ?", [URL]) == [(None,)]
    assert rows(home, "SELECT number, published_on FROM status_evidence") == [(2, None)]
    assert rows(home, "SELECT parsed, missing_date FROM source_health WHERE source = 'nhsproviders'") == [(1, 1)]


def test_a_page_dated_1970_is_undated_and_a_plausible_page_date_is_kept(tmp_path):
    old, fine = tmp_path / "old", tmp_path / "fine"
    old.mkdir()
    fine.mkdir()
    home = tmp_path / "home"
    run_cli(home, "ingest", str(write_page(old, '<meta name="date" content="1970-01-01">')), "--url", URL + "-old")
    run_cli(home, "ingest", str(write_page(fine, '<meta name="date" content="2024-05-07">')), "--url", URL)
    run_cli(home, "run", "--offline", check=False)
    assert rows(home, "SELECT url, published_on FROM publications ORDER BY url") == [
        (URL, date(2024, 5, 7)), (URL + "-old", None)]


def test_reingesting_with_another_published_date_takes_effect_on_the_next_run(tmp_path):
    home = tmp_path / "home"
    page = write_page(tmp_path)
    run_cli(home, "ingest", str(page), "--url", URL, "--source", "nhsproviders", "--published", "2024-03-05")
    run_cli(home, "run", "--offline", check=False)
    assert rows(home, "SELECT published_on FROM publications") == [(date(2024, 3, 5),)]
    assert rows(home, "SELECT published_on FROM status_evidence") == [(date(2024, 3, 5),)]

    run_cli(home, "ingest", str(page), "--url", URL, "--source", "nhsproviders", "--published", "2023-03-05")
    proc = run_cli(home, "run", "--offline", check=False)
    assert "1 parsed, 0 unchanged" in proc.stdout  # the same bytes, but a new date: the document changed
    assert rows(home, "SELECT published_on FROM publications") == [(date(2023, 3, 5),)]
    assert rows(home, "SELECT published_on FROM status_evidence") == [(date(2023, 3, 5),)]

    proc = run_cli(home, "run", "--offline", check=False)
    assert "0 parsed, 1 unchanged" in proc.stdout  # and a run with nothing new parses nothing
