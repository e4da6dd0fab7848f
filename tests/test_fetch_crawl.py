"""robots.txt, per-host politeness, conditional requests, the crawl engine and crawl_source()."""

from __future__ import annotations

import io
import json
import time

import pytest
from werkzeug.wrappers import Response

from fetch_support import Stamped, local_settings, make_fetcher, of_url, robots, start_server, warc_records
from tracker.fetch.archive import sha256_file
from tracker.fetch.download import Limits
from tracker.fetch.robots import host_key, policy_from_response
from tracker.fetch.state import CrawlState, load_all_states
from tracker.items import Candidate
from tracker.stages.crawl import Progress, crawl_source, crawl_sources, crawl_urls


def test_robots_disallow_is_skipped_and_crawl_delay_spaces_requests(server, settings):
    robots(server, "User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n")
    handler = Stamped()
    for path in ("/a", "/b", "/c"):
        server.expect_request(path).respond_with_handler(handler)
    server.expect_request("/private/x").respond_with_data("secret")
    fetcher, writer, state = make_fetcher(settings)
    urls = [server.url_for(p) for p in ("/private/x", "/a", "/b", "/c")]

    results = crawl_urls(fetcher, urls)

    assert results[0].skipped == "robots.txt disallows" and all(r.ok for r in results[1:])
    paths = [entry[0].path for entry in server.log]
    assert paths.count("/robots.txt") == 1 and "/private/x" not in paths
    starts = [c[0] for c in handler.calls]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(gaps) == 2 and min(gaps) >= 0.28, gaps  # Crawl-delay 0.3 > TRACKER_MIN_DELAY_S 0.05
    assert fetcher.delay_for(urls[1]) == pytest.approx(0.3)
    path = writer.close()
    state.save()
    records = warc_records(path)
    assert of_url(records, urls[0]) == [("metadata", None)]
    assert b"robots.txt disallows" in [r for r in records if r["url"] == urls[0]][0]["body"]
    assert of_url(records, server.url_for("/robots.txt")) == [("request", None), ("response", 200)]
    saved = json.loads(state.path.read_text())["urls"]
    assert saved[urls[0]]["skipped"] == "robots.txt disallows" and saved[urls[1]]["last_status"] == 200


def test_robots_policy_choices():
    assert policy_from_response(404, b"", None).allowed("http://h/x", "bot")
    assert not policy_from_response(503, b"", None).allowed("http://h/x", "bot")
    assert not policy_from_response(0, None, "connection error").allowed("http://h/x", "bot")
    rules = policy_from_response(200, b"User-agent: nhs-leadership-tracker\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                 None)
    assert not rules.allowed("http://h/x", "nhs-leadership-tracker") and rules.allowed("http://h/x", "other")
    assert host_key("https://Example.org/x") == "https://example.org:443"
    assert host_key("http://127.0.0.1:8080/") != host_key("http://127.0.0.1:8081/")


def test_unreachable_robots_disallows_the_host_for_this_run(server, settings):
    server.expect_request("/robots.txt").respond_with_data("down", status=503)
    server.expect_request("/page").respond_with_data("ok")
    fetcher, writer, state = make_fetcher(settings, max_attempts=2)
    url = server.url_for("/page")

    result = fetcher.get(url)

    assert result.skipped and "robots.txt unreachable" in result.skipped
    assert "/page" not in [entry[0].path for entry in server.log]
    writer.close()
    assert "unreachable" in state.get(url).skipped


def test_second_run_sends_validators_and_a_304_costs_nothing(server, settings):
    robots(server)
    seen = []

    def respond(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("<h1>report</h1>", content_type="text/html",
                        headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Feb 2026 10:00:00 GMT"})

    server.expect_request("/report").respond_with_handler(respond)
    url = server.url_for("/report")

    fetcher, writer, state = make_fetcher(settings, source="run")
    first = fetcher.get(url)
    first_warc = writer.close()
    state.save()
    assert first.ok and not first.not_modified

    fetcher, writer, state = make_fetcher(settings, source="run")  # a new run: state loaded from disk
    second = fetcher.get(url)
    second_warc = writer.close()
    state.save()

    assert seen == [None, '"v1"']
    assert second.not_modified and second.status == 304 and second.body == b"" and second.error is None
    records = warc_records(second_warc)
    assert of_url(records, url) == [("request", None), ("response", 304)]
    request = [r for r in records if r["type"] == "request" and r["url"] == url][0]
    assert request["headers"]["if-none-match"] == '"v1"'
    assert request["headers"]["if-modified-since"] == "Mon, 02 Feb 2026 10:00:00 GMT"
    entry = CrawlState.for_source(settings, "run").get(url)
    assert entry.last_status == 304 and entry.unchanged and entry.capture_warc == first_warc.name

    # the validators are only offered while the archive still holds that 200 capture
    first_warc.unlink()
    fetcher, writer, state = make_fetcher(settings, source="run")
    third = fetcher.get(url)
    writer.close()
    assert seen[-1] is None and third.ok
    assert state.get(url).unchanged  # same SHA-256 as before: noted as unchanged


def test_two_hosts_run_in_parallel_one_request_in_flight_per_host(settings):
    delay = 0.1
    settings = local_settings(settings.home, TRACKER_MIN_DELAY_S=str(delay))
    servers = [start_server(), start_server()]  # two host names (pacing is per host name)
    try:
        handlers = []
        urls = []
        for name, s in zip(("127.0.0.1", "localhost"), servers):
            robots(s)
            h = Stamped(hold_s=0.01)
            handlers.append(h)
            for i in range(8):
                s.expect_request(f"/p{i}").respond_with_handler(h)
                urls.append(f"http://{name}:{s.port}/p{i}")
        fetcher, writer, state = make_fetcher(settings)
        t0 = time.monotonic()
        results = crawl_urls(fetcher, urls)
        wall = time.monotonic() - t0
    finally:
        for s in servers:
            s.clear()
            s.stop()
    writer.close()
    assert all(r.ok for r in results) and [r.url for r in results] == urls
    per_host_floor = 9 * delay  # robots.txt + 8 pages, starts `delay` apart
    assert wall < 1.5 * per_host_floor, wall  # about the busiest host, not the sum (1.8 s)
    for h in handlers:
        calls = sorted(h.calls)
        assert all(b[0] >= a[1] for a, b in zip(calls, calls[1:]))  # never two in flight
        assert all(b[0] - a[0] >= delay - 0.02 for a, b in zip(calls, calls[1:]))
    assert sum(v["fetched"] for v in fetcher.host_stats.values()) == 16


def test_progress_plain_log_lines_when_not_a_tty(caplog):
    from tracker.fetch.client import FetchResult
    from datetime import datetime, timezone

    p = Progress("fetch", stream=io.StringIO(), every=2)
    p.queued("http://a:80", 3)
    now = datetime.now(timezone.utc)
    with caplog.at_level("INFO", logger="tracker.stages.crawl"):
        p.done("http://a:80", FetchResult("u", "u", 200, {}, b"", now))
        p.done("http://a:80", FetchResult("u", "u", 0, {}, b"", now, error="boom"))
        p.finish()
    assert "a:80 2 done, 1 queued, 1 failed" in caplog.text

    tty = io.StringIO()
    tty.isatty = lambda: True
    p = Progress("fetch", stream=tty, interval_s=0)
    p.queued("http://a:80")
    p.done("http://a:80", FetchResult("u", "u", 200, {}, b"", now))
    p.finish()
    assert tty.getvalue().startswith("\r") and tty.getvalue().endswith("\n")


def test_crawl_source_fetches_candidates_and_pdf_attachments_and_retries_failures_next_run(
    server, tmp_path, monkeypatch
):
    from tracker.sources import ADAPTERS

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_KINGSFUND=base)
    page = f'<html><body><main><h1>Review</h1><p>Text.</p><a href="{base}/files/report.pdf">PDF</a>' \
           f'<a href="https://elsewhere.example/x.pdf">off-site</a></main></body></html>'
    server.expect_request("/listing").respond_with_data("<p>list</p>", content_type="text/html")
    server.expect_request("/pub/1").respond_with_data(page, content_type="text/html; charset=utf-8")
    server.expect_request("/files/report.pdf").respond_with_data(b"%PDF-1.4 fake", content_type="application/pdf")
    server.expect_oneshot_request("/pub/2").respond_with_data("gone for now", status=503)
    server.expect_oneshot_request("/pub/2").respond_with_data("gone for now", status=503)

    def discover(fetcher, base_url, since):
        assert fetcher.get(f"{base_url}/listing").ok  # listing pages go through the same fetcher
        yield Candidate(f"{base_url}/pub/1", "Review")
        yield Candidate(f"{base_url}/pub/2", "Other")

    monkeypatch.setattr(ADAPTERS["kingsfund"], "discover", discover, raising=False)
    limits = Limits(max_attempts=2, backoff_base_s=0.02)

    summary = crawl_source(settings, "kingsfund", None, limits=limits)

    assert summary.listed == 2 and summary.fetched == 2 and summary.failed == 1
    assert summary.attachments == 1 and summary.warc.startswith("kingsfund-")
    hosts = summary.hosts[host_key(base)]
    assert hosts["requests"] == 1 + 1 + 1 + 2 + 1  # robots, listing, pub/1, pub/2 twice, the PDF
    records = warc_records(settings.archive_dir / summary.warc)
    assert of_url(records, f"{base}/files/report.pdf") == [("request", None), ("response", 200)]
    response = [r for r in records if r["type"] == "response" and r["url"] == f"{base}/pub/1"][0]
    assert response["date"].endswith("Z")
    state_file = settings.home / "state" / "kingsfund.json"
    saved = json.loads(state_file.read_text())["urls"]
    assert saved[f"{base}/pub/2"]["consecutive_failures"] == 1 and "503" in saved[f"{base}/pub/2"]["last_error"]

    # next run: discovery no longer lists pub/2, but its failure is tried again (and now succeeds)
    server.expect_request("/pub/2").respond_with_data("<p>back</p>", content_type="text/html")

    def discover_again(fetcher, base_url, since):
        yield Candidate(f"{base_url}/pub/1", "Review")

    monkeypatch.setattr(ADAPTERS["kingsfund"], "discover", discover_again, raising=False)
    summary = crawl_source(settings, "kingsfund", None, limits=limits)
    assert summary.retried_from_last_run == 1 and summary.failed == 0 and summary.not_modified == 0
    rows = {r["url"]: r for r in load_all_states(settings)}
    assert rows[f"{base}/pub/2"]["consecutive_failures"] == 0 and rows[f"{base}/pub/2"]["source"] == "kingsfund"


def test_crawl_source_keeps_the_work_when_discover_raises(server, tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_NHSPROVIDERS=base)
    server.expect_request("/one").respond_with_data("<p>one</p>", content_type="text/html")

    def discover(fetcher, base_url, since):
        yield Candidate(f"{base_url}/one")
        raise RuntimeError("listing markup changed")

    monkeypatch.setattr(ADAPTERS["nhsproviders"], "discover", discover, raising=False)
    with pytest.raises(RuntimeError, match="listing markup changed"):
        crawl_source(settings, "nhsproviders", None)
    warcs = list(settings.archive_dir.glob("nhsproviders-*.warc.gz"))
    assert len(warcs) == 1 and of_url(warc_records(warcs[0]), f"{base}/one") == [("request", None), ("response", 200)]
    assert CrawlState.for_source(settings, "nhsproviders").get(f"{base}/one").last_status == 200


def test_crawl_sources_runs_sources_concurrently_one_note_each(tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    servers = [start_server(), start_server()]
    try:
        env = {}
        for source, s in zip(("kingsfund", "nhsproviders"), servers):
            robots(s)
            s.expect_request("/doc").respond_with_data("<p>doc</p>", content_type="text/html")
            env[f"TRACKER_BASE_URL_{source.upper()}"] = s.url_for("").rstrip("/")
            monkeypatch.setattr(
                ADAPTERS[source], "discover", lambda f, base, since: iter([Candidate(f"{base}/doc")]), raising=False
            )
        settings = local_settings(tmp_path / "home", **env)
        notes = crawl_sources(settings, ("kingsfund", "nhsproviders"), None)
    finally:
        for s in servers:
            s.clear()
            s.stop()
    assert notes[0].startswith("kingsfund: listed 1, fetched 1, not modified 0, failed 0")
    assert len(notes) == 2 and notes[1].startswith("nhsproviders: listed 1, fetched 1")
    assert "-> nhsproviders-" in notes[1]
    state_files = sorted(p.name for p in (settings.home / "state").glob("*.json"))
    assert [n for n in state_files if not n.endswith(".crawl.json")] == ["kingsfund.json", "nhsproviders.json"]
    # each source's run summary is kept for the processing stage's source-health check
    assert [n for n in state_files if n.endswith(".crawl.json")] == ["kingsfund.crawl.json", "nhsproviders.crawl.json"]


def test_a_dhsc_crawl_follows_govuk_child_pages_and_pdfs_through_its_base_url(server, tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_DHSC=base)
    path = "/government/publications/leadership-review"
    server.expect_request(f"/api/content{path}").respond_with_json({
        "base_path": path, "title": "Leadership review", "document_type": "independent_report",
        "details": {"body": "<p>The review.</p>",
                    "attachments": [{"url": f"{base}/files/review.pdf", "content_type": "application/pdf"}]},
        "links": {"children": [{"base_path": f"{path}/the-review"}]},
    })
    server.expect_request(f"/api/content{path}/the-review").respond_with_json({
        "base_path": f"{path}/the-review", "title": "The review", "document_type": "html_publication",
        "details": {"body": "<p>Text.</p>"}, "links": {"parent": [{"base_path": path}]},
    })
    server.expect_request("/files/review.pdf").respond_with_data(b"%PDF-1.4 fake", content_type="application/pdf")
    monkeypatch.setattr(ADAPTERS["dhsc"], "discover", lambda f, b, s: iter([Candidate(f"{b}/api/content{path}")]))

    summary = crawl_source(settings, "dhsc", None)

    assert (summary.listed, summary.fetched, summary.attachments) == (1, 3, 2)
    records = warc_records(settings.archive_dir / summary.warc)
    assert of_url(records, f"{base}/api/content{path}/the-review") == [("request", None), ("response", 200)]
    assert of_url(records, f"{base}/files/review.pdf") == [("request", None), ("response", 200)]


def test_a_publisher_crawl_follows_the_pdf_attachments_of_its_pages_not_their_other_files(server, tmp_path,
                                                                                          monkeypatch):
    from tracker.sources import ADAPTERS

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_KINGSFUND=base)
    server.expect_request("/page").respond_with_data(
        '<main><h1>Page</h1><a href="/files/a.pdf">PDF</a><a href="/files/b.docx">Word</a></main>',
        content_type="text/html")
    server.expect_request("/files/a.pdf").respond_with_data(b"%PDF-1.4 fake", content_type="application/pdf")
    monkeypatch.setattr(ADAPTERS["kingsfund"], "discover", lambda f, b, s: iter([Candidate(f"{b}/page")]))

    summary = crawl_source(settings, "kingsfund", None)

    assert (summary.fetched, summary.attachments) == (2, 1)
    assert "/files/b.docx" not in [entry[0].path for entry in server.log]


def test_the_crawl_summary_file_keeps_its_json_keys(server, tmp_path, monkeypatch):
    from tracker.health import crawl_summary_path
    from tracker.sources import ADAPTERS

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_NHSPROVIDERS=base)
    server.expect_request("/doc").respond_with_data("<p>doc</p>", content_type="text/html")
    monkeypatch.setattr(ADAPTERS["nhsproviders"], "discover", lambda f, b, s: iter([Candidate(f"{b}/doc")]))

    returned = crawl_source(settings, "nhsproviders", None, run="run-1")

    written = json.loads(crawl_summary_path(settings, "nhsproviders").read_text())
    assert set(written) == {
        "source", "run", "since", "base_host", "finished", "stopped_by", "listed", "fetched", "not_modified",
        "failed", "skipped", "other", "attachments", "retried_from_last_run", "warc", "hosts", "notes", "reasons",
        "unreachable", "page_failures", "bad_links", "written_at", "warc_bytes", "warc_sha256",
    }  # "degraded" only when the source was
    assert {k: v for k, v in written.items() if k != "written_at"} == returned.to_dict()
    assert (written["run"], written["base_host"], written["finished"]) == ("run-1", host_key(base), True)
    warc = settings.archive_dir / written["warc"]  # the file the summary names, as process will check it
    assert (written["warc_bytes"], written["warc_sha256"]) == (warc.stat().st_size, sha256_file(warc))


def test_a_crawl_that_raises_before_its_first_request_leaves_a_failed_summary(settings):
    import dataclasses

    from tracker.health import crawl_summary_path, fetch_failures

    # Settings.from_env refuses such a URL now; a Settings built in code can still hold one
    broken = dataclasses.replace(settings, base_urls={**settings.base_urls, "kingsfund": "http://exa mple.org"})
    with pytest.raises(ValueError):
        crawl_source(broken, "kingsfund", None, run="run-1")
    written = json.loads(crawl_summary_path(broken, "kingsfund").read_text())
    assert written["finished"] and written["stopped_by"].startswith("fetch failed: bad URL (")
    assert fetch_failures(broken, ["kingsfund"], "run-1")[0].startswith("kingsfund: fetch failed: bad URL (")
