"""A live crawl and its offline replay give the same warehouse.

The sample documents are served by a local server (as a mirror of DHSC); crawl_source() archives them.
Then (1) a fresh TRACKER_HOME that only imports the crawl's WARC file, and (2) a fresh TRACKER_HOME
that re-runs the same discover() through the replay route, both process and publish to tables
identical to the live home's -- fetched_at (the WARC capture time) included.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import duckdb
import pytest
from werkzeug.wrappers import Response

from support import SAMPLE_WARC
from fetch_support import local_settings, robots, start_server, warc_records
from tracker.fetch.archive import import_warc, iter_records
from tracker.fetch.replay import ReplayIndex, replay_route, replay_session
from tracker.items import Candidate
from tracker.pipeline import RunSummary, process, publish_stage
from tracker.stages.crawl import crawl_source

TABLES = {
    "reviews": "SELECT * FROM reviews ORDER BY ALL",
    "recommendations": "SELECT * FROM recommendations ORDER BY ALL",
    "status_evidence": "SELECT * FROM status_evidence ORDER BY ALL",
    # warc_file names differ by construction (an imported file is named by its digest) and a replay
    # may archive in another order: everything else, fetched_at included, must be equal.
    "publications": "SELECT * EXCLUDE (warc_file, warc_offset) FROM publications ORDER BY url",
    "attachments": "SELECT * FROM attachments ORDER BY ALL",
}


def tables(settings) -> dict[str, list]:
    summary = process(settings, RunSummary(run_id="test"))
    assert summary.errors == 0 or summary.parsed > 0
    publish_stage(settings, "test")
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


@pytest.fixture
def mirror():
    """The sample's documents served from one local host, links rewritten to point at it."""
    server = start_server()
    server.no_handler_status_code = 404  # links to documents the sample does not hold
    base = server.url_for("").rstrip("/")
    robots(server, "User-agent: *\nAllow: /\n")
    paths = []
    for info, body in iter_records(SAMPLE_WARC):
        parts = urlsplit(info.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not info.content_type.startswith("application/pdf"):
            for host in (b"https://www.gov.uk", b"https://assets.publishing.service.gov.uk"):
                body = body.replace(host, base.encode())
        server.expect_request(parts.path).respond_with_response(
            Response(body, content_type=info.content_type, headers={"ETag": f'"{info.sha256[:16]}"'})
        )
        paths.append((path, info.published_hint))
    yield server, base, paths
    if server.is_running():
        server.clear()
        server.stop()


def test_live_crawl_and_offline_replay_give_identical_warehouses(mirror, tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    server, base, paths = mirror

    def discover(fetcher, base_url, since):
        assert fetcher.sitemaps(base_url) == []  # robots.txt, read once for the rules, names no sitemap
        for path, published in paths:
            yield Candidate(f"{base_url}{path}", published=published)

    monkeypatch.setattr(ADAPTERS["dhsc"], "discover", discover, raising=False)

    live = local_settings(tmp_path / "live", TRACKER_BASE_URL_DHSC=base)
    summary = crawl_source(live, "dhsc", None)
    assert summary.listed == len(paths) and summary.fetched == len(paths)
    assert summary.failed == summary.attachments  # the sample's PDF links lead to 404s here
    warc = live.archive_dir / summary.warc
    records = warc_records(warc)
    assert {r["type"] for r in records} == {"request", "response"}
    # + robots.txt, once
    assert sum(1 for r in records if r["type"] == "response" and r["status"] == 200) == summary.fetched + 1
    live_tables = tables(live)
    assert live_tables["publications"] and live_tables["recommendations"] and live_tables["status_evidence"]

    # (1) only the WARC file moves to a fresh home
    imported = local_settings(tmp_path / "imported", TRACKER_BASE_URL_DHSC=base)
    import_warc(imported.archive_dir, warc)
    assert tables(imported) == live_tables

    # (2) the same discover() through the replay route: the server is gone, nothing touches it
    server.clear()
    server.stop()
    index = ReplayIndex(live.archive_dir)
    route = replay_route(live.archive_dir, index)
    replayed = local_settings(tmp_path / "replayed", TRACKER_BASE_URL_DHSC=base, TRACKER_MIN_DELAY_S="5")
    replay_summary = crawl_source(replayed, "dhsc", None, route=route)
    assert (replay_summary.fetched, replay_summary.failed) == (summary.fetched, summary.failed)
    served = route.session.replay_adapter.served
    assert f"{base}/robots.txt" in served and len(served) == summary.hosts[f"http://127.0.0.1:{server.port}"]["requests"]
    replay_records = warc_records(replayed.archive_dir / replay_summary.warc)
    # byte-identical bodies with the original capture dates
    original = {(r["url"], r["date"], r["body"]) for r in records if r["type"] == "response"}
    again = {(r["url"], r["date"], r["body"]) for r in replay_records if r["type"] == "response"}
    assert again == original
    assert tables(replayed) == live_tables


def test_replay_serves_304_to_matching_validators_and_refuses_unknown_urls(tmp_path):
    import requests

    from tracker.fetch.archive import ArchiveWriter
    from tracker.fetch.client import NotRetryable

    settings = local_settings(tmp_path / "home")
    with ArchiveWriter(settings.archive_dir, prefix="t") as w:
        w.write_response("http://127.0.0.1:1/a", b"old", headers=[("ETag", '"x"')])
        w.write_response("http://127.0.0.1:1/a", b"busy", status=500)  # transient: not preferred
    session = replay_session(settings.archive_dir)
    assert session.get("http://127.0.0.1:1/a").content == b"old"
    assert session.get("http://127.0.0.1:1/a", headers={"If-None-Match": '"x"'}).status_code == 304
    with pytest.raises(NotRetryable):
        session.get("http://127.0.0.1:1/missing")
    assert isinstance(NotRetryable("x"), requests.RequestException)


def test_a_replay_serves_what_a_live_fetch_would_refuse_and_waits_for_nothing(tmp_path):
    import time

    from tracker.fetch.archive import ArchiveWriter
    from tracker.fetch.client import Fetcher
    from tracker.fetch.state import CrawlState
    from tracker.settings import Settings

    # no private address is allowed, and every host asks for a long wait
    settings = Settings.from_env({"TRACKER_HOME": str(tmp_path / "home"), "TRACKER_ALLOWED_HOSTS": "127.0.0.1",
                                  "TRACKER_MIN_DELAY_S": "5"})
    with ArchiveWriter(settings.archive_dir, prefix="live") as w:
        w.write_response("http://127.0.0.1:1/robots.txt", b"User-agent: *\nCrawl-delay: 1000000000\n")
        for page in ("a", "b"):
            w.write_response(f"http://127.0.0.1:1/{page}", b"<p>page</p>", headers=[("Content-Type", "text/html")])
    state = CrawlState.for_source(settings, "again")

    replay = Fetcher(settings, ArchiveWriter(settings.archive_dir, prefix="again"), state,
                     route=replay_route(settings.archive_dir))
    t0 = time.monotonic()
    assert [replay.get(f"http://127.0.0.1:1/{page}").body for page in ("a", "b")] == [b"<p>page</p>"] * 2
    assert time.monotonic() - t0 < 2 and replay.problems == {}  # no capped Crawl-delay to report: nothing waited

    live = Fetcher(settings, ArchiveWriter(settings.archive_dir, prefix="live"), state)
    assert live.get("http://127.0.0.1:1/a").skipped == "127.0.0.1 is a non-public address"
