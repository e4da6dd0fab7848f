"""Dates that cannot poison the picture: refused at ingest, treated as missing when a page gives one,
and a new --published date for the same bytes takes effect on the next run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import run_cli
from support import warehouse_rows as rows
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


def test_a_moment_is_judged_by_its_utc_day():
    from datetime import datetime, timezone

    today = date(2026, 11, 23)
    assert implausible(datetime(2026, 11, 24, 23, 0, tzinfo=timezone.utc), today) is None
    assert implausible(datetime(2999, 1, 1, tzinfo=timezone.utc), today) == "is in the future"
    assert implausible(datetime(1970, 1, 1), today) == "is before 1990"


def _warc(tmp_path, name, url, fetched_at, body=b"<html><head><title>T</title></head><body><p>x</p></body></html>"):
    from tracker.fetch.archive import ArchiveWriter

    with ArchiveWriter(tmp_path / name, prefix="made") as writer:
        writer.write_response(url, body, headers=[("Content-Type", "text/html")], fetched_at=fetched_at)
    return writer.path


def test_import_warc_refuses_a_record_dated_in_the_future(tmp_path):
    from datetime import datetime, timezone

    home = tmp_path / "home"
    warc = _warc(tmp_path, "made", URL, datetime(2999, 1, 1, tzinfo=timezone.utc))
    proc = run_cli(home, "import-warc", str(warc), check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "dated 2999-01-01" in lines[0], proc.stderr
    assert "is in the future" in lines[0]
    assert not (home / "archive").exists()


def test_a_record_dated_2999_in_the_archive_is_not_indexed_so_a_later_capture_wins(tmp_path, mem_con):
    from datetime import datetime, timezone

    from tracker.warehouse.load import index_archive, latest_captures

    archive = tmp_path / "archive"
    future = _warc(tmp_path, "archive", URL, datetime(2999, 1, 1, tzinfo=timezone.utc))
    later = _warc(tmp_path, "archive", URL, datetime.now(timezone.utc), body=b"<html><p>new</p></html>")
    assert index_archive(mem_con, archive) == 1
    assert [capture.warc_file for capture in latest_captures(mem_con)] == [later.name]
    [(url, error)] = mem_con.execute("SELECT url, error FROM processing_errors WHERE stage = 'index'").fetchall()
    assert url == URL and f"{future.name}: not indexed" in error and "is in the future" in error


def test_a_listing_date_in_the_future_is_not_recorded_with_the_capture(tmp_path):
    from tracker.fetch.archive import ArchiveWriter, iter_records

    with ArchiveWriter(tmp_path, prefix="t") as writer:
        writer.write_response(URL, b"<p>x</p>", published=date(2999, 1, 1))
        writer.write_response(URL + "-2", b"<p>x</p>", published=date(2024, 5, 7))
    assert [info.published_hint for info, _ in iter_records(writer.path)] == [None, date(2024, 5, 7)]


@pytest.mark.parametrize("when, problem", [("9999-12-31", "date 9999-12-31 is in the future"),
                                           ("1900-01-01", "date 1900-01-01 is before 1990"),
                                           ("2024-02-30", "bad date '2024-02-30'")])
def test_a_correction_dated_in_the_future_is_reported_not_applied(when, problem):
    from tracker.corrections import _read_file

    text = ("review_id,number,axis,status,quote,source_url,analyst,date\n"
            f"kark-2019,6,response,accepted,We accept it.,https://www.gov.uk/x,jb,{when}\n")
    [row] = _read_file("analyst.csv", text)
    assert (row.date, row.problem) == (None, problem)
