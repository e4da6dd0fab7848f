"""The analyst's watchlist: `tracker watch add/list/remove`, and watched pages fetched by `tracker run`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pytest
from werkzeug import Response

from conftest import run_cli
from support import ROOT, SAMPLE_WARC, STAGE_LINES, fixture_bytes
from fetch_support import local_settings, make_fetcher, robots, start_server


def test_watch_add_list_and_remove_keep_the_list_in_tracker_home(tmp_path):
    home = tmp_path / "home"
    out = run_cli(home, "watch", "add", "HTTPS://Example.ORG/a/../progress#latest", "--note",
                  "NHS England's progress page").stdout
    assert out.strip() == ("watching: https://example.org/progress (NHS England's progress page); "
                           "the next live `tracker run` fetches it")
    run_cli(home, "watch", "add", "https://www.nuffieldtrust.org.uk/tracker")
    # adding again only changes the note
    assert run_cli(home, "watch", "add", "https://example.org/progress", "--note", "weekly").stdout.startswith(
        "already watched: https://example.org/progress (weekly)")
    listed = run_cli(home, "watch", "list").stdout.splitlines()
    assert listed[0].split() == ["url", "added", "(UTC)", "note"]
    assert [line.split()[0] for line in listed[2:]] == ["https://example.org/progress", "https://www.nuffieldtrust.org.uk/tracker"]
    assert listed[2].endswith("  weekly") and re.search(r"  20\d\d-\d\d-\d\d \d\d:\d\d  ", listed[2])
    assert (home / "watchlist.toml").read_text(encoding="utf-8").count("[[page]]") == 2

    assert run_cli(home, "watch", "remove", "https://example.org/progress").stdout.strip() == (
        "no longer watching: https://example.org/progress")
    assert "example.org" not in run_cli(home, "watch", "list").stdout

    for args, message in [
        (("remove", "https://example.org/progress"),
         "error: not on the watchlist: https://example.org/progress (see `tracker watch list`)"),
        (("add", "ftp://example.org/file"),
         "error: cannot watch 'ftp://example.org/file': only http and https pages can be fetched"),
        (("add", "http://10.0.0.1\\@example.org/"),
         "error: cannot watch 'http://10.0.0.1\\\\@example.org/': backslash in URL"),
    ]:
        proc = run_cli(home, "watch", *args, check=False)
        assert (proc.returncode, proc.stderr.strip()) == (1, message)
    run_cli(home, "watch", "remove", "https://www.nuffieldtrust.org.uk/tracker")
    assert run_cli(home, "watch", "list").stdout.startswith("No watched pages")


def test_a_watched_url_is_allowed_by_itself_never_its_host(server, tmp_path):
    robots(server, "User-agent: *\nAllow: /\n")
    server.expect_request("/progress").respond_with_data("<h1>Progress</h1>", content_type="text/html")
    server.expect_request("/other").respond_with_data("<h1>Other</h1>", content_type="text/html")
    watched = server.url_for("/progress")
    settings = local_settings(tmp_path / "home", TRACKER_ALLOWED_HOSTS="")  # 127.0.0.1 is no allowed host
    fetcher, writer, _ = make_fetcher(settings, "watchlist", allowed_urls=frozenset({watched}))
    try:
        assert fetcher.get(watched).status == 200
        other = fetcher.get(server.url_for("/other"))
        assert (other.status, other.skipped) == (0, "host not allowed (127.0.0.1)")
        assert fetcher.get(watched + "?page=2").skipped == "host not allowed (127.0.0.1)"
    finally:
        writer.close()
    assert [r.path for r, _ in server.log] == ["/robots.txt", "/progress"]
    # without the watchlist the same page is refused: the allowlist itself is unchanged
    plain, writer, _ = make_fetcher(settings, "dhsc")
    try:
        assert plain.get(watched).skipped == "host not allowed (127.0.0.1)"
    finally:
        writer.close()


class Site:
    """A think tank's site on 127.0.0.1 (not on the allowlist): robots.txt, one progress page, one moved page."""

    def __init__(self, server):
        self.server = server
        self.page = fixture_bytes("watchlist/fit-and-proper-progress.html")
        self.paths: list[str] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def handle(self, request):
        self.paths.append(request.path)
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        if request.path == "/progress":
            return Response(self.page, content_type="text/html; charset=utf-8")
        if request.path == "/moved":
            return Response("", status=302, headers={"Location": "/progress-2024"})
        return Response(b"%PDF-1.4 not really", content_type="application/pdf")


@pytest.fixture
def internal():
    """A server on 127.0.0.2: an internal host the fetcher must never reach, watched or not."""
    s = start_server("127.0.0.2")
    yield s
    s.clear()
    s.stop()


@pytest.mark.e2e
def test_watched_pages_are_fetched_politely_judged_as_a_source_and_read_again_offline(server, internal, tmp_path):
    site = Site(server)
    internal.expect_request(re.compile(".*")).respond_with_data("secret", content_type="text/html")
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in {"TRACKER_ALLOWED_HOSTS", "TRACKER_REGISTRY"}}
    # 127.0.0.1 is no allowed host: only the watched URL itself is; the address guard lets only it through
    env.update(TRACKER_HOME=str(home), TRACKER_ALLOW_PRIVATE_ADDRESSES="127.0.0.1", TRACKER_MIN_DELAY_S="0.01",
               TRACKER_TIMEOUT_S="5")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env, capture_output=True, text=True,
                              cwd=ROOT, timeout=300)

    def rows(sql, params=()):
        con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    progress = site.url("/progress")
    assert cli("import-warc", str(SAMPLE_WARC)).returncode == 0  # the Kark review's recommendations
    assert cli("watch", "add", progress, "--note", "think tank tracker").returncode == 0

    first = cli("run", "--sources", "watchlist")
    assert first.returncode == 0, first.stderr
    assert "watchlist: listed 1, fetched 1, not modified 0, failed 0, skipped 0, attachments 0" in first.stdout
    # robots.txt first, then the page; the PDF it links sits on a host that is allowed for that one URL only
    assert site.paths == ["/robots.txt", "/progress"]
    assert rows("SELECT source, title, published_on FROM publications WHERE url = ?", [progress]) == [
        ("watchlist", "Fit and proper persons: where the reforms stand", rows("SELECT DATE '2024-03-12'")[0][0])]
    assert rows("SELECT review_id, number, axis, status FROM status_evidence WHERE source_url = ?", [progress]) == [
        ("kark-2019", 4, "implementation", "implemented")]
    assert rows("SELECT listed, fetched, parsed, healthy, message FROM source_health WHERE source = 'watchlist'") == [
        (1, 1, 1, True, None)]
    assert rows("SELECT note, last_status, change, evidence, healthy, problem FROM watched_pages") == [
        ("think tank tracker", 200, "new", 1, True, None)]
    status = cli("status").stdout
    assert re.search(rf"Watched pages \(1;.*\n.*\n-+.*\n{re.escape(progress)} +\d{{4}}-\d\d-\d\d \d\d:\d\d +200 +new "
                     r"+\d{4}-\d\d-\d\d +1 +ok +think tank tracker", status), status

    # a week later the page has changed; a moved page and an internal address are watched too
    site.page = fixture_bytes("watchlist/fit-and-proper-progress-updated.html")
    moved, secret = site.url("/moved"), internal.url_for("/internal")
    assert cli("watch", "add", moved).returncode == 0 and cli("watch", "add", secret).returncode == 0
    second = cli("run", "--sources", "watchlist")
    assert second.returncode == 3, second.stderr  # published, but two watched pages need attention
    redirect = f"redirect to {site.url('/progress-2024')} refused: host not allowed (127.0.0.1)"
    said = [line for line in second.stderr.splitlines() if not line.startswith(STAGE_LINES)]  # one line per stage
    assert said == [(
        f"SOURCE HEALTH: watchlist: 2 of 3 watched pages failed: {moved} (fetch failed: {redirect}); "
        f"{secret} (not fetched: address not allowed (private network))")]
    assert internal.log == []  # the guard refused the address before any connection
    assert "/progress-2024" not in site.paths
    assert rows("SELECT url, change, healthy, problem FROM watched_pages ORDER BY url") == sorted([
        (progress, "changed", True, None),
        (moved, None, False, f"fetch failed: {redirect}"),
        (secret, None, False, "not fetched: address not allowed (private network)")])
    assert rows("SELECT number, status FROM status_evidence WHERE source_url = ? ORDER BY number", [progress]) == [
        (4, "implemented"), (6, "in_progress")]
    status = cli("status").stdout
    assert "INCOMPLETE: 1 of 7 sources unhealthy in the last run" in status
    assert re.search(rf"{re.escape(secret)} +- +- +- +- +0 +UNHEALTHY +not fetched: address not allowed",
                     status), status

    # offline: no network, the watched page is read from the archive
    served = len(site.paths)
    offline = cli("run", "--offline")
    assert offline.returncode == 0, offline.stderr
    assert len(site.paths) == served
    assert rows("SELECT source FROM publications WHERE url = ?", [progress]) == [("watchlist",)]
    assert rows("SELECT number, status FROM status_evidence WHERE source_url = ? ORDER BY number", [progress]) == [
        (4, "implemented"), (6, "in_progress")]
    assert rows(
        "SELECT implementation_status FROM recommendation_status WHERE review_id = 'kark-2019' AND number = 6") == [
        ("in_progress",)]
    assert rows(
        "SELECT healthy, listed FROM source_health WHERE source = 'watchlist' ORDER BY checked_at DESC LIMIT 1") == [
        (True, None)]

    # a page no longer watched is not fetched again, and leaves `tracker status`; what it gave stays
    assert cli("watch", "remove", secret).returncode == 0 and cli("watch", "remove", moved).returncode == 0
    third = cli("run", "--sources", "watchlist")
    assert third.returncode == 0, third.stderr
    assert site.paths[served:].count("/moved") == 0 and internal.log == []
    assert [u for (u,) in rows("SELECT url FROM watched_pages")] == [progress]


@pytest.mark.e2e
def test_an_escape_sequence_in_a_redirect_target_never_reaches_the_terminal_or_the_warehouse(tmp_path):
    from fetch_support import RawServer

    # an OSC (set the window title, ended by BEL) and a C1 CSI (U+009B: clear the screen) in a Location header
    hostile = b"/\x1b]0;pwned\x07\x9b2J"

    def answer(path):
        if path == "/robots.txt":
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        return (b"HTTP/1.1 302 Found\r\nLocation: " + hostile
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    raw = RawServer(answer)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in {"TRACKER_ALLOWED_HOSTS", "TRACKER_REGISTRY"}}
    env.update(TRACKER_HOME=str(home), TRACKER_ALLOW_PRIVATE_ADDRESSES="127.0.0.1", TRACKER_MIN_DELAY_S="0.01",
               TRACKER_TIMEOUT_S="5")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env, capture_output=True, text=True,
                              cwd=ROOT, timeout=300)

    try:
        assert cli("watch", "add", raw.url("/moved")).returncode == 0
        run = cli("run", "--sources", "watchlist")
    finally:
        raw.close()
    assert run.returncode == 3, run.stderr
    [health] = [line for line in run.stderr.splitlines() if line.startswith("SOURCE HEALTH")]
    assert "redirect to" in health and "]0;pwned" in health
    status = cli("status")
    assert "]0;pwned" in status.stdout
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    try:
        stored = con.execute("SELECT message FROM source_health WHERE source = 'watchlist'"
                             " UNION ALL SELECT problem FROM watched_pages").fetchall()
    finally:
        con.close()
    assert stored and all("]0;pwned" in text for (text,) in stored)
    for text in (run.stdout, run.stderr, status.stdout, *(text for (text,) in stored)):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)


@pytest.mark.parametrize("text, message", [
    ("page = 5\n", "'page' must be [[page]] tables, one per watched page"),
    ("page = [5]\n", "'page' must be [[page]] tables, one per watched page"),
    ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "cannot be read (nested too deeply)"),
], ids=["number", "list of numbers", "nested 100,000 deep"])
def test_a_malformed_watchlist_is_one_line_not_a_traceback(tmp_path, text, message):
    import time

    home = tmp_path / "home"
    home.mkdir()
    (home / "watchlist.toml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    proc = run_cli(home, "watch", "list", check=False)
    assert time.monotonic() - started < 10
    assert proc.returncode == 1 and proc.stderr == f"error: {home / 'watchlist.toml'}: {message}\n", proc.stderr
