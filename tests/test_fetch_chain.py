"""The fetch chain: its order, failures with a kind, the statistics object, the WARC's warcinfo and
WARC-Concurrent-To, and the typed crawl summary."""

from __future__ import annotations

import io
import json
import socket
from dataclasses import replace

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fetch_support import make_fetcher, robots, warc_records
from tracker.fetch.archive import check_warc, iter_records
from tracker.fetch.chain import Chain
from tracker.fetch.exchange import Request, Response
from tracker.fetch.reasons import FailureKind, plain_reason
from tracker.fetch.stats import Stats
from tracker.fetch.steps import Step
from tracker.fetch.crawl_summary import CrawlSummary
from tracker.health import crawl_failure, crawl_summary_path, fetch_failures, write_crawl_summary


class Spy(Step):
    def __init__(self, name: str, log: list[str], refuse: bool = False):
        self.name, self.log, self.refuse = name, log, refuse

    def on_request(self, req):
        self.log.append(f"{self.name}.request")
        return Response(url=req.url, status=0) if self.refuse else None

    def on_response(self, req, resp):
        self.log.append(f"{self.name}.response")


def test_request_hooks_run_in_order_then_the_download_then_response_hooks_in_reverse():
    log: list[str] = []

    def download(req):
        log.append("download")
        return Response(url=req.url, status=200)

    resp = Chain([Spy("a", log), Spy("b", log), Spy("c", log)], download).run(Request("http://h/x", "http://h/x"))
    assert resp.status == 200
    assert log == ["a.request", "b.request", "c.request", "download", "c.response", "b.response", "a.response"]


def test_a_step_that_refuses_stops_the_request_but_every_response_hook_still_runs():
    log: list[str] = []
    chain = Chain([Spy("a", log), Spy("b", log, refuse=True), Spy("c", log)], lambda req: log.append("download"))
    chain.run(Request("http://h/x", "http://h/x"))
    assert log == ["a.request", "b.request", "c.response", "b.response", "a.response"]


def test_the_fetcher_chain_puts_the_guard_before_robots_and_pacing_and_the_capture_next_to_the_download(settings):
    fetcher, writer, state = make_fetcher(settings)
    assert fetcher.chain.names() == [
        "Statistics", "Guard", "Robots", "Conditional", "SizeLimit", "Pacing", "HttpErrors", "Retry", "Redirects",
        "CaptureStep", "SizeCap", "RecordStep",
    ]
    writer.abort()


def test_each_failure_carries_a_kind_whose_phrase_is_the_plain_reason_of_its_text(server, settings):
    robots(server, "User-agent: *\nDisallow: /private\n")
    server.expect_request("/gone").respond_with_data("no", status=404)
    server.expect_request("/big").respond_with_data("x" * 5000)
    server.expect_request("/away").respond_with_data("", status=302, headers={"Location": "http://elsewhere.example/"})
    server.expect_request("/inside").respond_with_data("", status=302, headers={"Location": "http://127.0.0.2/"})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    allowed = (*settings.extra_allowed_hosts, "127.0.0.2")  # allowed, but an internal address
    fetcher, writer, state = make_fetcher(replace(settings, max_body_bytes=1000, extra_allowed_hosts=allowed))
    expected = {
        server.url_for("/gone"): (FailureKind.HTTP_STATUS, "HTTP 404"),
        server.url_for("/big"): (FailureKind.TOO_LARGE, "response too large"),
        server.url_for("/private/x"): (FailureKind.ROBOTS_DISALLOWED, "disallowed by robots.txt"),
        server.url_for("/away"): (FailureKind.REDIRECT_REFUSED, "redirect refused"),
        server.url_for("/inside"): (FailureKind.ADDRESS_NOT_ALLOWED, "address not allowed (private network)"),
        "http://not-allowed.example/": (FailureKind.HOST_NOT_ALLOWED, "host not allowed"),
        f"http://127.0.0.1:{closed}/": (FailureKind.ROBOTS_UNREACHABLE, "robots.txt unreachable: connection refused"),
    }
    for url, (kind, phrase) in expected.items():
        result = fetcher.get(url)
        assert result.failure is not None and result.failure.kind is kind, (url, result.failure)
        assert result.failure.phrase == phrase == plain_reason(result.error or result.skipped)
    assert fetcher.stats.under("fetch/failures") == {
        "address_not_allowed": 1, "host_not_allowed": 1, "http_status": 1, "redirect_refused": 1,
        "robots_disallowed": 1, "robots_unreachable": 1, "too_large": 1,
    }
    writer.abort()


def test_robots_txt_is_fetched_through_the_chain_and_its_redirect_followed_once(server, settings):
    server.expect_request("/robots.txt").respond_with_data("", status=301, headers={"Location": "/real-robots.txt"})
    server.expect_request("/real-robots.txt").respond_with_data("User-agent: *\nDisallow: /no\n",
                                                                content_type="text/plain")
    server.expect_request("/yes").respond_with_data("fine")
    fetcher, writer, state = make_fetcher(settings)
    assert fetcher.get(server.url_for("/yes")).ok
    assert fetcher.get(server.url_for("/no")).failure.kind is FailureKind.ROBOTS_DISALLOWED
    records = warc_records(writer.close())
    assert [(r["type"], r["url"].rsplit("/", 1)[1]) for r in records if r["type"] != "metadata"][:4] == [
        ("request", "robots.txt"), ("response", "robots.txt"), ("request", "real-robots.txt"),
        ("response", "real-robots.txt")]


def test_a_robots_txt_redirect_loop_disallows_the_host_with_a_plain_reason(server, settings):
    server.expect_request("/robots.txt").respond_with_data("", status=302, headers={"Location": "/robots.txt"})
    server.expect_request("/page").respond_with_data("never")
    fetcher, writer, state = make_fetcher(settings)
    result = fetcher.get(server.url_for("/page"))
    assert result.skipped and result.failure.phrase == "robots.txt unreachable: redirect refused"
    assert [e[0].path for e in server.log] == ["/robots.txt"]
    writer.abort()


def test_the_stats_object_counts_requests_per_host_statuses_and_reasons_under_namespaced_keys(server, settings):
    robots(server)
    server.expect_request("/a").respond_with_data("a")
    server.expect_request("/missing").respond_with_data("no", status=404)
    fetcher, writer, state = make_fetcher(settings)
    for path in ("/a", "/a", "/missing"):
        fetcher.get(server.url_for(path))
    fetcher.note_bad_link("http://x\\y", "backslash")
    origin = f"http://127.0.0.1:{server.port}"
    stats = fetcher.stats.snapshot()
    assert stats[f"fetch/host/{origin}/requests"] == 4  # robots.txt once, then three pages
    assert stats[f"fetch/host/{origin}/fetched"] == 2 and stats[f"fetch/host/{origin}/failed"] == 1
    assert stats["fetch/responses/200"] == 2 and stats["fetch/responses/404"] == 2  # robots.txt's 404 too
    assert stats["fetch/reasons/HTTP 404"] == 1 and stats["fetch/bad_links"] == 1
    assert fetcher.host_stats == {origin: {"requests": 4, "fetched": 2, "not_modified": 0, "failed": 1,
                                           "skipped": 0, "other": 0}}
    assert fetcher.bad_links == 1
    writer.abort()


def test_a_file_starts_with_warcinfo_and_each_response_is_concurrent_to_its_request(server, settings):
    robots(server)
    server.expect_request("/doc").respond_with_data("<p>x</p>", content_type="text/html")
    fetcher, writer, state = make_fetcher(settings)
    fetcher.get(server.url_for("/doc"))
    path = writer.close()
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(fh)]
    kind, headers, body = records[0]
    assert kind == "warcinfo" and headers.get_header("WARC-Filename") == path.name
    info = dict(line.split(": ", 1) for line in body.decode().splitlines())
    assert info["software"].startswith("nhs-leadership-tracker/") and info["format"] == "WARC File Format 1.0"
    assert info["http-header-user-agent"] == settings.full_user_agent and info["robots"].startswith("obey")
    assert [k for k, _, _ in records].count("warcinfo") == 1
    requests = {h.get_header("WARC-Target-URI"): h.get_header("WARC-Record-ID") for k, h,
                _ in records if k == "request"}
    responses = [h for k, h, _ in records if k == "response"]
    assert len(responses) == 2  # robots.txt and the page
    for h in responses:
        assert h.get_header("WARC-Concurrent-To") == requests[h.get_header("WARC-Target-URI")]
    # the readers see the responses only, and the import check takes the file whole
    assert [info.url for info, _ in iter_records(path)] == [server.url_for("/robots.txt"), server.url_for("/doc")]
    assert check_warc(path) == len(records)


def test_a_warc_file_without_warcinfo_still_reads(tmp_path):
    path = tmp_path / "old.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://example.org/a", "response",
                                                      payload=io.BytesIO(b"<p>old</p>"), http_headers=http))
    assert [(info.url, body) for info, body in iter_records(path)] == [("http://example.org/a", b"<p>old</p>")]
    assert check_warc(path) == 1


def test_the_crawl_summary_takes_its_counts_from_the_stats_and_round_trips_through_json(settings):
    stats = Stats()
    for key in ("crawl/listed", "crawl/listed", "crawl/fetched", "fetch/bad_links", "fetch/reasons/timed out"):
        stats.inc(key)
    stats.inc("fetch/host/https://h:443/requests", 3)
    summary = CrawlSummary(source="kingsfund", run="week-1", finished=True)
    summary.count(stats)
    assert (summary.listed, summary.fetched, summary.bad_links, summary.reasons) == (2, 1, 1, {"timed out": 1})
    assert summary.hosts["https://h:443"]["requests"] == 3
    write_crawl_summary(settings, summary)
    data = json.loads(crawl_summary_path(settings, "kingsfund").read_text())
    assert "degraded" not in data and data["listed"] == 2  # the shape summaries always had
    assert CrawlSummary.from_dict(data) == summary
    assert crawl_failure(summary) is None


def test_an_old_summary_file_loads_and_is_judged_as_before(settings):
    # written before summaries said whether the crawl finished: such a crawl did
    old = {"source": "dhsc", "run": "week-1", "listed": 8, "fetched": 0, "not_modified": 0,
           "reasons": {"timed out": 8}, "written_at": "2026-01-01T00:00:00+00:00"}
    summary = CrawlSummary.from_dict(old)
    assert summary.listed == 8 and summary.hosts == {} and summary.degraded is None
    crawl_summary_path(settings, "dhsc").parent.mkdir(parents=True, exist_ok=True)
    crawl_summary_path(settings, "dhsc").write_text(json.dumps(old))
    assert fetch_failures(settings, ["dhsc"], "week-1") == ["dhsc: fetched none of 8 listed: timed out (8)"]
