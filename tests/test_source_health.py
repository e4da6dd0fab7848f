"""Source health: lost titles or dates, or a source that suddenly lists nothing, are reported loudly."""

from __future__ import annotations

import duckdb
import pytest

from conftest import run_cli
from tracker.health import SourceHealthError, assert_healthy, write_crawl_summary
from tracker.settings import Settings


def ingest_pages(tmp_path, home, n, with_title):
    for i in range(n):
        page = tmp_path / f"page{i}.html"
        title = f"<title>Leadership note {i}</title><h1>Leadership note {i}</h1>" if with_title else ""
        page.write_text(f"<html><head></head><body><main>{title}<p>Text about boards {i}.</p></main></body></html>")
        run_cli(home, "ingest", str(page), "--url", f"https://www.kingsfund.org.uk/insight-and-analysis/blogs/note-{with_title}-{i}")


def test_pages_without_titles_or_dates_make_the_source_unhealthy(tmp_path):
    home = tmp_path / "home"
    ingest_pages(tmp_path, home, 4, with_title=False)
    proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3, proc.stderr
    assert "SOURCE HEALTH: kingsfund: 4 of 4 pages have no title (100% > 20%)" in proc.stderr
    assert "4 of 4 pages have no date" in proc.stderr
    assert (home / "tracker.duckdb").exists()  # the run still published
    status = run_cli(home, "status").stdout
    assert "UNHEALTHY" in status and "kingsfund" in status
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    with pytest.raises(SourceHealthError, match="no title"):
        assert_healthy(settings, "kingsfund")
    assert assert_healthy(settings, "dhsc")["healthy"] is True


def test_titles_present_but_dates_lost(tmp_path):
    home = tmp_path / "home"
    ingest_pages(tmp_path, home, 3, with_title=True)
    proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3
    assert "no title" not in proc.stderr and "3 of 3 pages have no date" in proc.stderr


def test_an_empty_archive_runs_and_the_sample_is_healthy(tmp_path, sample_home):
    proc = run_cli(tmp_path / "empty", "run", "--offline")
    assert "0 parsed" in proc.stdout
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE healthy) FROM source_health").fetchone() == (4, 4)


def test_a_source_that_always_listed_items_and_now_lists_none(tmp_path):
    home = tmp_path / "home"
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    for listed in (12, 9, 0):
        write_crawl_summary(settings, {"source": "nhsproviders", "listed": listed, "fetched": listed, "failed": 0})
        proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3
    assert "nhsproviders: listed nothing, though every earlier crawl listed items" in proc.stderr
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    rows = con.execute("SELECT listed, healthy FROM source_health WHERE source = 'nhsproviders' ORDER BY checked_at").fetchall()
    assert rows == [(12, True), (9, True), (0, False)]
