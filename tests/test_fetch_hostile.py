"""The hostile web, fetching half: each attack through the real fetcher against servers on loopback.

127.0.0.1 is the test's own server, which the settings let through (TRACKER_ALLOW_PRIVATE_ADDRESSES=
127.0.0.1); 127.0.0.2 stands in for an internal host: whatever a page, a redirect, a sitemap or DNS
says, it must never receive a request.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time

import pytest
from werkzeug.wrappers import Response

from fetch_support import RawServer, Stamped, local_settings, make_fetcher, robots, start_server, warc_records
from tracker.fetch import urls
from tracker.fetch.download import Limits
from tracker.fetch.state import CrawlState
from tracker.fetch.transport import AddressPolicy, is_public
from tracker.items import Candidate, Capture
from tracker.settings import Settings
from tracker.stages import crawl as crawl_mod
from tracker.stages.crawl import crawl_source


@pytest.fixture
def internal():
    """A server on 127.0.0.2, the stand-in internal host; it answers anything with a secret."""
    s = start_server("127.0.0.2")
    s.expect_request("/robots.txt").respond_with_data("not found", status=404)
    s.no_handler_status_code = 200
    yield s
    s.clear()
    s.stop()


def untouched(server) -> bool:
    return [entry[0].path for entry in server.log] == []


def fake_dns(monkeypatch, answers: dict) -> None:
    """Names resolve to the addresses given (a value may be a callable, read at lookup time)."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        answer = answers.get(host)
        if answer is None:
            return real(host, port, *args, **kwargs)
        address = answer(port) if callable(answer) else answer
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def finish(writer, state):
    path = writer.close()
    state.save()
    return warc_records(path) if path else []


# --- one URL reading for every check and every request -----------------------------------------


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.2:8080\\@127.0.0.1/x.pdf", "backslash"),
    ("http://127.0.0.1\\.evil.example/", "backslash"),
    ("http://a@b@127.0.0.1/", "user info"),
    ("http://127.0.0.2:8080@127.0.0.1/", "user info"),
    ("http://[::1", "unreadable"),
    ("http://127.0.0.1\t.evil/", "control character"),
    ("http://127.0.0.1:0/", "bad port"),
    ("http:///x", "no host"),
])
def test_urls_the_parsers_could_read_two_ways_are_refused(url, why):
    with pytest.raises(urls.BadUrl, match=why):
        urls.parse(url)


def test_the_canonical_url_is_what_requests_sends():
    import requests

    for raw, canonical in [
        ("HTTP://WWW.GOV.UK:443/a b/\u00e9?q=1 2#frag", "http://www.gov.uk:443/a%20b/%C3%A9?q=1%202"),
        ("https://www.gov.uk", "https://www.gov.uk/"),
        ("http://www.gov.uk/a/../b/./c", "http://www.gov.uk/b/c"),
        ("http://www.gov.uk/%7Efoo?a=%zz", "http://www.gov.uk/~foo?a=%25zz"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ]:
        assert urls.normalise(raw) == canonical
        assert requests.Request("GET", canonical).prepare().url == canonical
    assert urls.join("https://www.gov.uk/a/b", "../c d.pdf") == "https://www.gov.uk/c%20d.pdf"
    assert urls.join("https://www.gov.uk/a/", "mailto:x@y") == "mailto:x@y"  # for the scheme check to drop
    with pytest.raises(urls.BadUrl):
        urls.join("https://www.gov.uk/a/", "\\\\evil.example/x")  # a browser reads //evil.example/x


def test_a_link_with_the_backslash_trick_never_reaches_the_internal_host(server, internal, settings):
    robots(server)
    attack = f"http://127.0.0.2:{internal.port}\\@127.0.0.1:{server.port}/report.pdf"
    fetcher, writer, state = make_fetcher(settings)

    result = fetcher.get(attack)

    assert result.skipped and "backslash" in result.skipped and fetcher.bad_links == 1
    assert untouched(internal) and untouched(server)
    finish(writer, state)


def test_a_redirect_with_the_backslash_trick_is_refused(internal, settings):
    def answer(path):  # a raw Location header, backslash and all
        attack = f"http://127.0.0.2:{internal.port}\\@127.0.0.1:{raw.port}/x"
        return f"HTTP/1.1 302 Found\r\nLocation: {attack}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()

    raw = RawServer(answer)
    try:
        fetcher, writer, state = make_fetcher(settings)
        url = raw.url("/hop")
        result = fetcher.get(url)
    finally:
        raw.close()
    assert result.status == 302 and "refused: bad URL (backslash in URL)" in result.error
    assert untouched(internal) and raw.paths == ["/robots.txt", "/hop"]
    finish(writer, state)
    assert "bad URL" in state.get(url).last_error


# --- the address guard: every hop, the connected socket, no port-scan oracle --------------------


def test_every_non_global_address_is_private():
    for address in ("127.0.0.2", "10.1.2.3", "100.64.0.1", "169.254.169.254", "::1", "fd00::1", "fe80::1",
                    "2002:7f00:1::1", "fec0::1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a00:1",
                    "224.0.0.1", "0.0.0.0", "198.18.0.1"):
        assert not is_public(ipaddress.ip_address(address)), address
    for address in ("8.8.8.8", "2606:4700::1", "64:ff9b::808:808", "::ffff:8.8.8.8"):
        assert is_public(ipaddress.ip_address(address)), address
    policy = AddressPolicy(allowed=(ipaddress.ip_network("127.0.0.1/32"),))
    assert policy.permits(ipaddress.ip_address("127.0.0.1"))
    assert policy.permits(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not policy.permits(ipaddress.ip_address("127.0.0.2"))


def test_the_test_setting_lets_through_only_the_addresses_it_names(tmp_path):
    own = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1, 10.0.0.0/8"})
    assert not own.allow_private_addresses and own.allowed_private_networks == ("127.0.0.1/32", "10.0.0.0/8")
    every = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1"})
    assert every.allow_private_addresses and every.allowed_private_networks == ()
    off = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_ALLOW_PRIVATE_ADDRESSES": "0"})
    assert not off.allow_private_addresses and off.allowed_private_networks == ()
    from tracker.errors import TrackerError

    with pytest.raises(TrackerError, match="not an address"):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_ALLOW_PRIVATE_ADDRESSES": "localhost"})


def test_the_first_hop_is_checked_and_refusals_are_no_port_scan_oracle(internal, tmp_path, monkeypatch):
    # An allowlisted name that resolves to the internal host (DNS gone bad), at an open and a closed port.
    settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="127.0.0.1,internal.test")
    fake_dns(monkeypatch, {"internal.test": "127.0.0.2"})
    closed = socket.socket()
    closed.bind(("127.0.0.2", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    fetcher, writer, state = make_fetcher(settings)
    open_url, closed_url = f"http://internal.test:{internal.port}/admin", f"http://internal.test:{closed_port}/admin"

    results = [fetcher.get(open_url), fetcher.get(closed_url)]

    assert untouched(internal)
    assert [r.skipped for r in results] == ["internal.test resolves to a non-public address"] * 2
    records = finish(writer, state)
    assert not [r for r in records if r["type"] != "metadata"]  # no request ever left
    saved = [CrawlState.for_source(settings, "test").get(u) for u in (open_url, closed_url)]
    assert saved[0].skipped == saved[1].skipped and saved[0].last_error is saved[1].last_error is None
    assert "refused" not in repr(saved) and str(internal.port) not in saved[0].skipped


def test_an_allowlisted_internal_address_is_refused_before_connecting(internal, tmp_path):
    settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="127.0.0.1,127.0.0.2")
    fetcher, writer, state = make_fetcher(settings)
    result = fetcher.get(internal.url_for("/admin"))
    assert result.skipped == "127.0.0.2 is a non-public address" and untouched(internal)
    finish(writer, state)


def test_dns_rebinding_after_the_first_requests_is_caught_at_the_connection(tmp_path, monkeypatch):
    internal = start_server("127.0.0.2")
    public = start_server("127.0.0.1", internal.port)  # the same port on both addresses
    try:
        robots(public)
        for s in (internal, public):
            s.expect_request("/page").respond_with_data("page", headers={"Connection": "close"})
        answer = {"address": "127.0.0.1"}
        fake_dns(monkeypatch, {"rebind.test": lambda port: answer["address"]})
        settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="rebind.test")
        fetcher, writer, state = make_fetcher(settings)
        url = f"http://rebind.test:{internal.port}/page"

        first = fetcher.get(url)
        answer["address"] = "127.0.0.2"  # the name now points inside
        second = fetcher.get(url, conditional=False)
        third = fetcher.get(url + "?again", conditional=False)
        internal_hits = [entry[0].path for entry in internal.log]
    finally:
        for s in (internal, public):
            s.clear()
            s.stop()
    assert first.ok
    assert second.skipped == "rebind.test resolves to a non-public address" and internal_hits == []
    assert third.skipped == second.skipped  # the host is refused for the rest of the run
    finish(writer, state)


def test_the_connected_peer_is_checked_before_any_byte_is_sent(tmp_path, monkeypatch):
    # The lookup says 127.0.0.1 (allowed), but the connection lands on 127.0.0.2 (as a NAT or a
    # rebinding resolver between lookup and connect could arrange): refused before the request is sent.
    internal = start_server("127.0.0.2")
    internal.no_handler_status_code = 200
    try:
        port = internal.port
        fake_dns(monkeypatch, {
            "peer.test": "127.0.0.1",
            "127.0.0.1": lambda p: "127.0.0.2" if p == port else "127.0.0.1",
        })
        settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="peer.test")
        fetcher, writer, state = make_fetcher(settings)
        result = fetcher.get(f"http://peer.test:{port}/admin")
        hits = [entry[0].path for entry in internal.log]
    finally:
        internal.clear()
        internal.stop()
    assert result.skipped == "peer.test resolves to a non-public address" and hits == []
    finish(writer, state)


# --- one bad link never loses a document or a source --------------------------------------------


def _page(body: str) -> str:
    return (f"<html><head><title>Board leadership</title></head><body><main><h1>Board leadership</h1>"
            f"<p>The board has accepted recommendation 3 in full.</p>{body}</main></body></html>")


def test_hostile_links_in_reader_comments_cost_neither_the_page_nor_its_attachments(server, internal, tmp_path,
                                                                                    monkeypatch):
    from tracker.sources import ADAPTERS, parse_capture

    robots(server)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_KINGSFUND=base)
    trick = f"http://127.0.0.2:{internal.port}\\@127.0.0.1:{server.port}/leak.pdf"
    comments = (f'<section class="comments"><p>Reader: see <a href="{trick}">this</a>, '
                f'<a href="http://[::1/x.pdf">that</a> and <a href="http://a.pdf:99999/">the other</a>.</p></section>')
    page = _page(f'<a href="/files/report.pdf">Report</a>{comments}')
    server.expect_request("/pub/1").respond_with_data(page, content_type="text/html")
    server.expect_request("/files/report.pdf").respond_with_data(b"%PDF-1.4 fake", content_type="application/pdf")

    monkeypatch.setattr(ADAPTERS["kingsfund"], "discover", lambda f, b, s: iter([Candidate(f"{b}/pub/1")]),
                        raising=False)
    summary = crawl_source(settings, "kingsfund", None)

    assert summary.fetched == 2 and summary.attachments == 1 and untouched(internal)
    publication = parse_capture(Capture(url=f"{base}/pub/1", fetched_at=None, status=200,
                                        content_type="text/html", body=page.encode(), source="kingsfund"))
    assert any("accepted recommendation 3" in b.text for b in publication.blocks)
    assert [a.url for a in publication.attachments] == [f"{base}/files/report.pdf"]


def test_a_malformed_loc_in_a_sitemap_is_skipped_and_counted(server, internal, tmp_path):
    base = server.url_for("").rstrip("/")
    robots(server, f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
    trick = f"http://127.0.0.2:{internal.port}\\@127.0.0.1:{server.port}/insight-and-analysis/reports/leak"
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/insight-and-analysis/reports/one</loc></url>"
        "<url><loc>http://[::1/insight-and-analysis/reports/broken</loc></url>"
        f"<url><loc>{trick}</loc></url>"
        f"<url><loc>{base}/insight-and-analysis/blogs/two</loc></url></urlset>"
    )
    server.expect_request("/sitemap.xml").respond_with_data(sitemap, content_type="application/xml")
    for path in ("/insight-and-analysis/reports/one", "/insight-and-analysis/blogs/two"):
        server.expect_request(path).respond_with_data(_page(""), content_type="text/html")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_KINGSFUND=base)

    summary = crawl_source(settings, "kingsfund", None)  # the real kingsfund discover()

    assert summary.listed == 2 and summary.fetched == 2 and summary.bad_links == 2
    assert any("skipped 2 malformed links" in n for n in summary.notes)
    paths = [entry[0].path for entry in server.log]
    assert paths.count("/robots.txt") == 1  # its Sitemap line is read from the copy fetched for the rules
    assert untouched(internal)


def test_a_malformed_link_in_a_listing_is_skipped_and_the_rest_kept(server, settings):
    from tracker.sources.discovery import listing_candidates
    import re

    robots(server)
    listing = ('<ul><li><a href="/reports/a">A</a></li><li><a href="http://[::1/reports/b">B</a></li>'
               '<li><a href="\\\\evil.example/reports/c">C</a></li><li><a href="/reports/d">D</a></li></ul>')
    server.expect_request("/list").respond_with_data(listing, content_type="text/html")
    fetcher, writer, state = make_fetcher(settings)

    found = [c.url for c in listing_candidates(fetcher, server.url_for("/list"), re.compile(r"/reports/"), None,
                                               max_pages=1)]

    assert found == [server.url_for("/reports/a"), server.url_for("/reports/d")] and fetcher.bad_links == 2
    finish(writer, state)


# --- wall-clock bounds -------------------------------------------------------------------------


def _trickle(head: bytes, body: bytes, every_s: float):
    def drive(conn):
        conn.sendall(head)
        for byte in body:
            time.sleep(every_s)
            conn.sendall(bytes([byte]))
    return drive


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline_and_not_retried(settings, where):
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 500\r\n\r\n" + b"x" * 500
    split = 5 if where == "headers" else response.index(b"\r\n\r\n") + 4
    raw = RawServer(lambda path: _trickle(response[:split], response[split:], 0.05) if path == "/slow"
                    else b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    try:
        fetcher, writer, state = make_fetcher(settings, deadline_s=1.0, max_attempts=4)
        t0 = time.monotonic()
        result = fetcher.get(raw.url("/slow"))
        elapsed = time.monotonic() - t0
        after = fetcher.get(raw.url("/next"))  # the host is free again at once
    finally:
        raw.close()
    assert not result.ok and "deadline exceeded" in result.error and result.attempts == 1
    assert elapsed < 2.0, elapsed  # 25 s of trickle cut at 1 s
    assert after.ok
    records = finish(writer, state)
    assert [r["type"] for r in records if r["url"] == raw.url("/slow")] == ["request", "metadata"]


def test_a_huge_crawl_delay_is_capped_and_reported(server, tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    assert Limits().max_crawl_delay_s == 300
    robots(server, "User-agent: *\nCrawl-delay: 1000000000\n")
    handler = Stamped()
    for path in ("/a", "/b"):
        server.expect_request(path).respond_with_handler(handler)
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_NHSPROVIDERS=base)
    monkeypatch.setattr(ADAPTERS["nhsproviders"], "discover",
                        lambda f, b, s: iter([Candidate(f"{b}/a"), Candidate(f"{b}/b")]), raising=False)

    t0 = time.monotonic()
    summary = crawl_source(settings, "nhsproviders", None, limits=Limits(max_crawl_delay_s=0.3))

    assert summary.fetched == 2 and time.monotonic() - t0 < 3
    starts = [c[0] for c in handler.calls]
    assert starts[1] - starts[0] >= 0.28  # the cap is still a delay
    assert "Crawl-delay of 1e+09s: capped at 0.3s" in summary.degraded


def test_the_request_after_robots_txt_waits_the_crawl_delay_it_announced(server, settings):
    robots_seen = Stamped(lambda r: Response("User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain"))
    page = Stamped()
    server.expect_request("/robots.txt").respond_with_handler(robots_seen)
    server.expect_request("/a").respond_with_handler(page)
    fetcher, writer, state = make_fetcher(settings)

    assert fetcher.get(server.url_for("/a")).ok
    assert page.calls[0][0] - robots_seen.calls[0][0] >= 0.48
    finish(writer, state)


# --- backoff for the host, not the URL ---------------------------------------------------------


def test_no_request_leaves_for_a_host_before_its_retry_after_ends(server, settings):
    robots(server)
    told = threading.Event()

    def busy(request):
        told.set()
        return Response("later", status=429, headers={"Retry-After": "1"})

    server.expect_oneshot_request("/busy").respond_with_handler(busy)
    server.expect_request("/busy").respond_with_data("ok")
    listing = Stamped()
    server.expect_request("/listing").respond_with_handler(listing)
    fetcher, writer, state = make_fetcher(settings, max_attempts=2)
    results = {}

    def discovery():  # another thread of the same crawl, e.g. discovery reading a listing page
        told.wait(5)
        results["listing"] = fetcher.get(server.url_for("/listing"))

    t = threading.Thread(target=discovery)
    t.start()
    t0 = time.monotonic()
    results["busy"] = fetcher.get(server.url_for("/busy"))
    t.join()

    assert results["busy"].ok and results["listing"].ok
    assert listing.calls[0][0] - t0 >= 0.95  # not before the host's Retry-After ended
    finish(writer, state)


def test_a_retry_after_longer_than_the_run_can_afford_stops_the_host(server, tmp_path, monkeypatch):
    from tracker.sources import ADAPTERS

    robots(server)
    server.expect_request("/a").respond_with_data("go away", status=503, headers={"Retry-After": "3600"})
    for path in ("/b", "/c"):
        server.expect_request(path).respond_with_data("ok")
    base = server.url_for("").rstrip("/")
    settings = local_settings(tmp_path / "home", TRACKER_BASE_URL_NHSPROVIDERS=base)
    monkeypatch.setattr(ADAPTERS["nhsproviders"], "discover",
                        lambda f, b, s: iter([Candidate(f"{b}/{p}") for p in "abc"]), raising=False)

    t0 = time.monotonic()
    summary = crawl_source(settings, "nhsproviders", None, limits=Limits(backoff_base_s=0.02))

    assert time.monotonic() - t0 < 3
    assert [entry[0].path for entry in server.log] == ["/robots.txt", "/a"]  # one refused request, no more
    assert summary.failed == 1 and summary.skipped == 2
    assert "asked for a 3600s wait" in summary.degraded and "no more requests to it this run" in summary.degraded
    state = CrawlState.for_source(settings, "nhsproviders")
    assert "Retry-After 3600s exceeds" in state.get(f"{base}/a").last_error
    assert "3600s wait" in state.get(f"{base}/b").skipped


def test_pacing_is_per_host_name_whatever_the_port(settings):
    delay = 0.3
    settings = local_settings(settings.home, TRACKER_MIN_DELAY_S=str(delay))
    servers = [start_server(), start_server()]
    handler = Stamped()
    try:
        for s in servers:
            robots(s)
            s.expect_request("/p").respond_with_handler(handler)
        fetcher, writer, state = make_fetcher(settings)
        results = crawl_mod.crawl_urls(fetcher, [s.url_for("/p") for s in servers])
    finally:
        for s in servers:
            s.clear()
            s.stop()
    assert all(r.ok for r in results)
    starts = sorted(c[0] for c in handler.calls)
    assert starts[1] - starts[0] >= delay - 0.02  # two ports of 127.0.0.1: one host, one pace
    finish(writer, state)


def test_a_redirect_target_with_escape_sequences_is_refused_and_kept_printable(settings):
    # an OSC (ended by BEL) and a raw C1 CSI byte, which is not UTF-8 either
    location = b"/\x1b]0;pwned\x07\x9b2J"

    def answer(path):
        return b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    raw = RawServer(answer)
    try:
        fetcher, writer, state = make_fetcher(settings)
        url = raw.url("/hop")
        result = fetcher.get(url)
    finally:
        raw.close()
    assert result.status == 302 and "refused: bad URL (control character in URL)" in result.error
    assert "]0;pwned" in result.error and not re.search(r"[\x00-\x1f\x7f-\x9f]", result.error)
    finish(writer, state)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", state.get(url).last_error)
