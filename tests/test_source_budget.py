"""TRACKER_SOURCE_BUDGET_S: one source's crawl is bounded in time as a whole. A host that trickles every
response costs at most the budget (not a full exchange deadline per URL); what is left waits for the next
run, source health says the budget was hit, and the other sources are crawled as usual."""

from __future__ import annotations

import time

from fetch_support import RawServer, local_settings, robots, start_server
from tracker.health import ParseTally, check_sources
from tracker.items import Candidate
from tracker.stages.crawl import crawl_sources
from tracker.warehouse.db import connect, migrate

SLOW = [f"/slow/{i}" for i in range(4)]


def trickle(conn) -> None:
    """A 200 whose body arrives a byte every 0.1 s: 6 s per URL, far below any per-exchange deadline."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n")
    for _ in range(60):
        time.sleep(0.1)
        conn.sendall(b"x")


def test_a_trickling_source_stops_at_its_budget_says_so_and_the_others_go_on(tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    slow = RawServer(lambda path: trickle)
    fine = start_server()
    try:
        robots(fine)
        fine.expect_request("/doc").respond_with_data("<p>doc</p>", content_type="text/html")
        monkeypatch.setattr(ADAPTERS["kingsfund"], "discover",
                            lambda f, base, since: iter([Candidate(base + path) for path in SLOW]))
        monkeypatch.setattr(ADAPTERS["nhsproviders"], "discover",
                            lambda f, base, since: iter([Candidate(f"{base}/doc")]))
        settings = local_settings(tmp_path / "home", TRACKER_SOURCE_BUDGET_S="1.5",
                                  TRACKER_BASE_URL_KINGSFUND=slow.url("").rstrip("/"),
                                  # another host name: one host's pacing is shared by every source on it
                                  TRACKER_BASE_URL_NHSPROVIDERS=f"http://localhost:{fine.port}")
        started = time.monotonic()
        notes = crawl_sources(settings, ("kingsfund", "nhsproviders"), None)
        elapsed = time.monotonic() - started
    finally:
        slow.close()
        fine.clear()
        fine.stop()

    assert elapsed < 5, f"{elapsed:.1f} s: 4 URLs trickling 6 s each, under a 1.5 s budget"
    assert notes[0].startswith("kingsfund: DEGRADED: time budget of 1.5s used up (TRACKER_SOURCE_BUDGET_S): ")
    assert "queued URL(s)" in notes[0] and "left for the next run" in notes[0]
    assert notes[1].startswith("nhsproviders: listed 1, fetched 1, not modified 0, failed 0")
    assert [p for p in slow.paths if p.startswith("/slow/")] == ["/slow/0"]  # the rest was never asked for

    con = connect(":memory:")
    migrate(con, settings.sql_dir)
    messages = check_sources(con, settings, "run-1", ParseTally())
    [kingsfund] = [m for m in messages if m.startswith("kingsfund:")]
    assert "degraded: time budget of 1.5s used up" in kingsfund
    assert not any(m.startswith("nhsproviders:") and "budget" in m for m in messages)


def test_the_source_budget_is_a_validated_setting(tmp_path):
    import pytest

    from tracker.settings import Settings, SettingsError

    assert Settings.from_env({"TRACKER_HOME": str(tmp_path)}).source_budget_s == 7200.0
    with pytest.raises(SettingsError, match="TRACKER_SOURCE_BUDGET_S"):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_SOURCE_BUDGET_S": "0"})


def test_robots_txt_is_not_cut_by_a_budget_so_the_host_is_not_closed_to_other_sources(server, settings):
    """A robots.txt cut short would stand as the host's policy (disallow all) for the whole run, which every
    source on that host shares: it is bounded by the exchange deadline only."""
    from werkzeug.wrappers import Response

    from fetch_support import make_fetcher
    from tracker.fetch.client import Budget
    from tracker.fetch.robots import host_key

    def slow_robots(request):
        time.sleep(0.8)
        return Response("User-agent: *\nAllow: /\n", content_type="text/plain")

    server.expect_request("/robots.txt").respond_with_handler(slow_robots)
    server.expect_request("/page").respond_with_data("<p>page</p>", content_type="text/html")
    fetcher, writer, state = make_fetcher(settings, budget=Budget(0.4))
    result = fetcher.get(server.url_for("/page"))
    writer.close()

    assert not result.ok and "time budget (0.4s) was used up" in result.failure.text  # the page waits for next run
    assert fetcher.politeness.robots.known()[host_key(server.url_for("/"))].kind != "disallow_all"
