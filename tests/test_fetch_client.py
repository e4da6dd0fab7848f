"""The Fetcher against misbehaving local servers: what it returns, archives and records."""

from __future__ import annotations

import gzip
import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from werkzeug.wrappers import Response

from fetch_support import (
    RawServer, Stamped, local_settings, make_fetcher, of_url, robots, start_server, warc_records,
)
from tracker.fetch.client import FetchResult, retry_after_seconds


def finish(writer, state):
    path = writer.close()
    state.save()
    return warc_records(path) if path else []


def test_500_then_200_is_retried_and_both_exchanges_are_archived(server, settings):
    robots(server)
    server.expect_oneshot_request("/doc").respond_with_data("busy", status=500)
    server.expect_request("/doc").respond_with_data("<h1>hello</h1>", content_type="text/html")
    fetcher, writer, state = make_fetcher(settings)
    url = server.url_for("/doc")

    result = fetcher.get(url)

    assert result.ok and result.body == b"<h1>hello</h1>" and result.attempts == 2
    records = finish(writer, state)
    assert of_url(records, url) == [("request", None), ("response", 500), ("request", None), ("response", 200)]
    # the User-Agent names the project and the contact
    request = next(r for r in records if r["type"] == "request" and r["url"] == url)
    assert request["headers"]["user-agent"] == settings.full_user_agent
    assert "tracker-maintainers@example.org" in request["headers"]["user-agent"]
    entry = state.get(url)
    assert entry.last_status == 200 and entry.consecutive_failures == 0 and entry.last_error is None
    assert json.loads(state.path.read_text())["urls"][url]["sha256"] == entry.sha256


def test_429_retry_after_is_waited_for(server, settings):
    robots(server)
    handler = Stamped(lambda req: Response("ok", content_type="text/plain"))
    server.expect_oneshot_request("/slow").respond_with_data("later", status=429, headers={"Retry-After": "1"})
    server.expect_request("/slow").respond_with_handler(handler)
    fetcher, writer, state = make_fetcher(settings)
    url = server.url_for("/slow")

    t0 = time.monotonic()
    result = fetcher.get(url)

    assert result.ok and result.attempts == 2
    assert time.monotonic() - t0 >= 1.0  # the second attempt came after Retry-After
    first_429 = [entry for entry in server.log if entry[0].path == "/slow"][0]
    assert first_429[1].status_code == 429
    records = finish(writer, state)
    assert of_url(records, url) == [("request", None), ("response", 429), ("request", None), ("response", 200)]
    assert state.get(url).consecutive_failures == 0


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert retry_after_seconds("soon") is None


def test_connection_reset_fails_after_bounded_attempts_and_is_recorded(settings):
    raw = RawServer(lambda path: None)
    try:
        fetcher, writer, state = make_fetcher(settings, max_attempts=3)
        url = raw.url("/reset")
        result = fetcher.get(url)
    finally:
        raw.close()
    assert not result.ok and result.status == 0
    assert "connection" in result.error and "gave up after 3 attempts" in result.error
    assert raw.paths.count("/reset") == 3
    records = finish(writer, state)
    assert of_url(records, url) == [("request", None), ("metadata", None)] * 3
    entry = state.get(url)
    assert entry.consecutive_failures == 1 and "gave up" in entry.last_error and entry.last_status == 0


def test_truncated_body_is_a_failure_never_a_document(settings):
    raw = RawServer(lambda path: b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<p>only "
                                 b"part")
    try:
        fetcher, writer, state = make_fetcher(settings, max_attempts=2)
        url = raw.url("/short")
        result = fetcher.get(url)
    finally:
        raw.close()
    assert not result.ok and "truncated body" in result.error
    records = finish(writer, state)
    # no response record with status 200 and half a body: a metadata note per failed attempt instead
    assert of_url(records, url) == [("request", None), ("metadata", None)] * 2
    note = [r for r in records if r["type"] == "metadata" and r["url"] == url][-1]["body"].decode()
    assert "HTTP 200" in note and "truncated" in note
    assert state.get(url).consecutive_failures == 1


def test_timeout_is_retried_then_recorded(tmp_path):
    settings = local_settings(tmp_path / "home", TRACKER_TIMEOUT_S="0.3")
    server = start_server()
    try:
        robots(server)
        server.expect_request("/stuck").respond_with_handler(Stamped(hold_s=0.8))
        fetcher, writer, state = make_fetcher(settings, max_attempts=2)
        url = server.url_for("/stuck")
        t0 = time.monotonic()
        result = fetcher.get(url)
        elapsed = time.monotonic() - t0
    finally:
        server.clear()
        server.stop()
    assert not result.ok and "timeout" in result.error and result.attempts == 2
    assert elapsed < 2.5
    records = finish(writer, state)
    assert of_url(records, url) == [("request", None), ("metadata", None)] * 2
    assert "timeout" in state.get(url).last_error


def test_gzip_body_is_stored_decoded_and_valid_utf8_beats_a_wrong_charset(server, settings):
    robots(server)
    text = "<p>Café – naïve “quotes”</p>"
    raw = text.encode("utf-8")
    server.expect_request("/gz").respond_with_data(
        gzip.compress(raw), headers={"Content-Encoding": "gzip"}, content_type="text/html; charset=iso-8859-1"
    )
    fetcher, writer, state = make_fetcher(settings)
    url = server.url_for("/gz")

    result = fetcher.get(url)

    assert result.ok and result.body == raw and result.text() == text
    assert "content-encoding" not in result.headers
    records = finish(writer, state)
    response = [r for r in records if r["type"] == "response" and r["url"] == url][0]
    assert response["body"] == raw
    assert response["headers"]["content-length"] == str(len(raw))
    assert "content-encoding" not in response["headers"]
    assert response["headers"]["x-tracker-content-encoding"] == "gzip"


def test_text_falls_back_to_header_charset_then_cp1252():
    def res(body, ctype):
        return FetchResult("u", "u", 200, {"content-type": ctype}, body, datetime.now(timezone.utc))

    assert res("Grüße".encode("latin-1"), "text/html; charset=latin-1").text() == "Grüße"
    assert res("“smart” – dash".encode("cp1252"), "text/html").text() == "“smart” – dash"
    assert res(b'{"a": 1}', "application/json").json() == {"a": 1}


def test_redirect_loop_is_detected(server, settings):
    robots(server)
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=301, headers={"Location": server.url_for("/a")})
    fetcher, writer, state = make_fetcher(settings)
    url = server.url_for("/a")

    result = fetcher.get(url)

    assert not result.ok and "redirect loop" in result.error and result.final_url == server.url_for("/b")
    records = finish(writer, state)
    assert of_url(records, url)[:2] == [("request", None), ("response", 302)]
    assert of_url(records, server.url_for("/b")) == [("request", None), ("response", 301)]
    assert "redirect loop" in state.get(url).last_error


def test_redirect_to_a_host_not_allowed_is_refused(server, settings):
    robots(server)
    server.expect_request("/out").respond_with_data("", status=302, headers={"Location": "http://evil.example/x"})
    fetcher, writer, state = make_fetcher(settings)
    url = server.url_for("/out")

    result = fetcher.get(url)

    assert result.status == 302 and "refused: host not allowed (evil.example)" in result.error
    records = finish(writer, state)
    assert not [r for r in records if (r["url"] or "").startswith("http://evil.example")]
    note = [r for r in records if r["type"] == "metadata" and r["url"] == url][0]["body"].decode()
    assert "evil.example" in note
    assert "host not allowed" in state.get(url).last_error


def test_redirect_to_an_internal_address_is_refused(tmp_path):
    # The guard lets the test's own server (127.0.0.1) through; 127.0.0.2 stands in for an internal
    # host. It is on the allowlist here, so only the address guard stands in the way.
    settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="127.0.0.1,127.0.0.2")
    server, internal = start_server(), start_server("127.0.0.2")
    try:
        robots(server)
        robots(internal)
        target = internal.url_for("/internal")
        internal.expect_request("/internal").respond_with_data("secret")
        server.expect_request("/hop").respond_with_data("", status=307, headers={"Location": target})
        fetcher, writer, state = make_fetcher(settings)
        url = server.url_for("/hop")
        result = fetcher.get(url)
        hits = [entry[0].path for entry in internal.log]
    finally:
        for s in (server, internal):
            s.clear()
            s.stop()
    assert result.status == 307 and "refused" in result.error and "non-public address" in result.error
    assert hits == []  # not even its robots.txt
    records = finish(writer, state)
    assert not [r for r in records if r["url"].startswith("http://127.0.0.2") and r["type"] != "metadata"]
    assert "non-public" in state.get(url).last_error


def test_body_over_the_cap_is_aborted_and_not_retried(tmp_path):
    settings = local_settings(tmp_path / "home", TRACKER_MAX_BODY_BYTES="1000")
    server = start_server()
    try:
        robots(server)
        server.expect_request("/big").respond_with_data(b"x" * 200_000, content_type="application/pdf")
        fetcher, writer, state = make_fetcher(settings)
        url = server.url_for("/big")
        result = fetcher.get(url)
        hits = [entry[0].path for entry in server.log].count("/big")
    finally:
        server.clear()
        server.stop()
    assert not result.ok and "body over cap" in result.error and result.attempts == 1 and hits == 1
    records = finish(writer, state)
    assert of_url(records, url) == [("request", None), ("metadata", None)]
    entry = state.get(url)
    assert "body over cap" in entry.last_error and entry.consecutive_failures == 1


def test_hosts_and_schemes_outside_the_allowlist_are_skipped_not_fetched(settings):
    fetcher, writer, state = make_fetcher(settings)
    a = fetcher.get("http://not-allowed.example/page")
    b = fetcher.get("ftp://127.0.0.1/file")
    assert a.skipped == "host not allowed (not-allowed.example)" and b.skipped.startswith("scheme not allowed")
    records = finish(writer, state)
    assert [(r["type"], r["url"]) for r in records] == [
        ("metadata", "http://not-allowed.example/page"), ("metadata", "ftp://127.0.0.1/file"),
    ]
    assert state.get("http://not-allowed.example/page").skipped.startswith("host not allowed")
