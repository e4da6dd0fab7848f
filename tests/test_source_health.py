"""Source health: lost titles or dates, or a source that suddenly lists nothing, are reported loudly."""

from __future__ import annotations

import json
import socket

import duckdb
import pytest

from conftest import run_cli
from tracker.fetch.crawl_summary import CrawlSummary
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
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE healthy) FROM source_health").fetchone() == (6, 6)


def test_a_source_that_always_listed_items_and_now_lists_none(tmp_path):
    home = tmp_path / "home"
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    for listed in (12, 9, 0):
        write_crawl_summary(settings, CrawlSummary("nhsproviders", finished=True, listed=listed, fetched=listed))
        proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3
    assert "nhsproviders: listed nothing, though every earlier crawl listed items" in proc.stderr
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT listed, healthy FROM source_health WHERE source = 'nhsproviders' ORDER BY checked_at").fetchall()
    assert rows == [(12, True), (9, True), (0, False)]


# --- a failed source is never a quiet week ----------------------------------------------------


def test_failures_are_told_in_plain_words(tmp_path):
    import requests

    from tracker.fetch.reasons import plain_reason

    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for url, phrase in ((f"http://127.0.0.1:{port}/robots.txt", "connection refused"),
                        ("http://kingsfund.invalid/robots.txt", "name not resolved")):  # reserved TLD
        with pytest.raises(requests.ConnectionError) as caught:
            requests.get(url, timeout=5)
        assert plain_reason(caught.value) == phrase
        assert plain_reason(f"connection error: {caught.value}") == phrase  # as the client records it
    assert plain_reason("HTTP 503 (gave up after 4 attempts)") == "HTTP 503"
    assert plain_reason(
        "timeout: HTTPConnectionPool(host='x', port=80): Read timed out. (read timeout=30)") == "timed out"
    assert plain_reason("connection error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed") == "TLS failure"
    assert (plain_reason("robots.txt unreachable (timed out): host disallowed for this run")
            == "robots.txt unreachable: timed out")
    assert plain_reason(KeyError("timeout")) == "internal error (KeyError)"  # a bug is no network failure


def test_a_source_that_cannot_be_reached_fails_its_fetch_and_says_why(tmp_path, monkeypatch):
    from tracker import tasks
    from tracker.health import FetchFailed, crawl_summary_path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "home"
    monkeypatch.setenv("TRACKER_HOME", str(home))
    monkeypatch.setenv("TRACKER_BASE_URL_KINGSFUND", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE_ADDRESSES", "127.0.0.1")  # the test's own host, nothing else
    monkeypatch.setenv("TRACKER_MIN_DELAY_S", "0.01")

    with pytest.raises(FetchFailed, match=r"^kingsfund: robots.txt unreachable: connection refused$"):
        tasks.fetch("kingsfund", offline=False, run="week-1")
    settings = Settings.from_env()
    summary = json.loads(crawl_summary_path(settings, "kingsfund").read_text())
    assert summary["run"] == "week-1" and summary["finished"] and summary["listed"] == 0
    assert summary["unreachable"] == {f"http://127.0.0.1:{port}": "connection refused"}

    # the leaf task: this run's failure, with its reason; a run with no summary of its own fails too
    with pytest.raises(FetchFailed,
                       match=r"1 of 2 sources failed to fetch: kingsfund: robots.txt unreachable: connection refused$"):
        write_crawl_summary(settings, CrawlSummary("dhsc", run="week-1", finished=True, listed=3, fetched=3))
        tasks.check_fetches(["dhsc", "kingsfund"], "week-1")
    with pytest.raises(FetchFailed, match="kingsfund: no crawl summary from this run"):
        tasks.check_fetches(["kingsfund"], "week-2")
    assert tasks.check_fetches(["dhsc"], "week-1") == {"sources": ["dhsc"], "failed": []}
    assert tasks.check_fetches(["kingsfund"], "week-2", offline=True)["mode"] == "offline"


from support import STAGE_LINES  # noqa: E402


def test_a_crawl_that_never_finished_or_fetched_nothing_is_unhealthy(tmp_path):
    home = tmp_path / "home"
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    # what a killed fetch leaves behind: the summary crawl_source writes before it starts
    write_crawl_summary(settings, CrawlSummary("nhsi", finished=False))
    write_crawl_summary(settings, CrawlSummary("dhsc", finished=True, listed=8, failed=8,
                                               reasons={"HTTP 503": 6, "timed out": 2}))
    write_crawl_summary(settings, CrawlSummary("kingsfund", finished=True, reasons={"HTTP 500": 1}))
    write_crawl_summary(settings, CrawlSummary("nhsproviders", finished=True, listed=5,
                                               not_modified=5))  # a quiet week: everything answered 304
    proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3
    assert [line for line in proc.stderr.splitlines() if not line.startswith(STAGE_LINES)] == [
        "SOURCE HEALTH: dhsc: fetched none of 8 listed: HTTP 503 (6), timed out (2)",
        "SOURCE HEALTH: kingsfund: listing failed: HTTP 500 (1)",
        "SOURCE HEALTH: nhsi: fetch did not finish (the task was stopped or killed)",
    ]
    assert "health: 3 unhealthy sources (" in proc.stderr
    assert proc.stdout.splitlines()[-1] == "this week: 0 status changes, 3 unhealthy sources"


def test_a_sharp_drop_in_what_a_source_lists_is_unhealthy(tmp_path):
    home = tmp_path / "home"
    settings = Settings.from_env({"TRACKER_HOME": str(home)})
    outcomes = []
    cut = "2026-11-01"  # a listing cut short by --since is compared only with listings cut at the same date
    for listed, since in ((12, None), (7, None), (3, None), (1, cut), (8, cut), (3, cut)):
        write_crawl_summary(settings, CrawlSummary("nhsproviders", since=since, finished=True, listed=listed,
                                                   fetched=listed))
        outcomes.append(run_cli(home, "run", "--offline", check=False))
    assert [p.returncode for p in outcomes] == [0, 0, 3, 0, 0, 3]  # 12 -> 7 is not half; 7 -> 3 and 8 -> 3 are
    assert ("SOURCE HEALTH: nhsproviders: listed 3, down from 7 last run (less than half): has the site changed?"
            in outcomes[2].stderr)
    assert "SOURCE HEALTH: nhsproviders: listed 3, down from 8 last run (less than half)" in outcomes[5].stderr
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    rows = con.execute("SELECT listed, CAST(listed_since AS VARCHAR), healthy FROM source_health "
                       "WHERE source = 'nhsproviders' ORDER BY checked_at").fetchall()
    assert rows == [(12, None, True), (7, None, True), (3, None, False), (1, cut, True), (8, cut, True),
                    (3, cut, False)]


def test_pages_that_stop_parsing_are_a_sharp_drop_but_a_quiet_rerun_is_not(tmp_path):
    from tracker.fetch.archive import ArchiveWriter

    home = tmp_path / "home"
    urls = []
    for i in range(4):
        page = tmp_path / f"note{i}.html"
        page.write_text(f"<html><head><title>Board note {i}</title></head><body><main><h1>Board note {i}</h1>"
                        f"<p>Text about boards {i}.</p></main></body></html>")
        urls.append(f"https://www.kingsfund.org.uk/insight-and-analysis/blogs/board-note-{i}")
        run_cli(home, "ingest", str(page), "--url", urls[-1], "--published", f"2026-0{i + 1}-01")
    assert run_cli(home, "run", "--offline").returncode == 0  # 4 parsed
    assert run_cli(home, "run", "--offline").returncode == 0  # nothing new: 4 unchanged, still healthy
    # a redesign: three of the pages now come back as something that cannot be read
    writer = ArchiveWriter(Settings.from_env({"TRACKER_HOME": str(home)}).archive_dir, prefix="kingsfund")
    for url in urls[:3]:
        writer.write_response(url, b"%PDF-1.7 this is not a PDF", headers=[("Content-Type", "application/pdf")])
    writer.close()
    proc = run_cli(home, "run", "--offline", check=False)
    assert proc.returncode == 3
    assert ("SOURCE HEALTH: kingsfund: 1 pages read (parsed or unchanged), down from 4 last run (less than half): "
            "are its pages failing to parse?") in proc.stderr
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    rows = con.execute("SELECT parsed, unchanged, healthy FROM source_health WHERE source = 'kingsfund'"
                       " ORDER BY checked_at").fetchall()
    assert rows == [(4, 0, True), (0, 4, True), (0, 1, False)]
