"""Per-host pacing shared through Redis: fetchers in different threads and processes, each with its own
in-process state, together keep one host's requests at least the delay apart.

Uses the real Redis at 127.0.0.1:6379 with a random key prefix per test; skipped when it is unreachable,
except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from werkzeug.wrappers import Response

from fetch_support import Stamped, local_settings, make_fetcher, robots
from tracker.fetch.client import Politeness
from tracker.fetch.pacing import HostGate, LocalPacer, RedisPacer, make_pacer

REDIS_URL = "redis://127.0.0.1:6379/0"
TESTS = Path(__file__).parent
# What the server sees lags the reserved start by a little (waking up, the connection, a loaded machine):
# one gap may look that much shorter than the delay, the whole span may not.
JITTER_S = 0.06


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable under CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    prefix = f"test:pace:{uuid.uuid4().hex}:"
    yield prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def starts(handler: Stamped) -> list[float]:
    return sorted(call[0] for call in handler.calls)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


def assert_spaced(times: list[float], delay: float) -> None:
    assert min(gaps(times)) >= delay - JITTER_S, gaps(times)
    assert times[-1] - times[0] >= (len(times) - 1) * delay - JITTER_S, gaps(times)


def run_two(settings, server, pages: int, pacer) -> None:
    """Two fetchers, each with its own Politeness over `pacer()` (nothing in-process shared), fetch
    /p0 ... /p<pages-1> between them in two threads."""
    fetchers = [make_fetcher(settings, source=f"s{n}", politeness=Politeness(pacer())) for n in range(2)]
    urls_each = [[server.url_for(f"/p{i}") for i in range(n, pages, 2)] for n in range(2)]
    threads = [threading.Thread(target=lambda f=f, us=us: [f.get(u) for u in us])
               for (f, _, _), us in zip(fetchers, urls_each)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for _, writer, _ in fetchers:
            writer.abort()


def test_two_fetchers_in_two_threads_sharing_redis_keep_one_host_at_the_delay(server, tmp_path, redis_prefix):
    settings = local_settings(tmp_path / "home", TRACKER_MIN_DELAY_S="0.3", TRACKER_REDIS_URL=REDIS_URL)
    seen = Stamped(lambda r: Response("none", status=404) if r.path == "/robots.txt" else Response("ok"))
    server.expect_request("/robots.txt").respond_with_handler(seen)  # robots.txt is paced like any page
    for i in range(6):
        server.expect_request(f"/p{i}").respond_with_handler(seen)
    run_two(settings, server, 6, lambda: RedisPacer(REDIS_URL, prefix=redis_prefix))
    times = starts(seen)
    assert len(times) == 8  # two robots.txt, six pages
    assert_spaced(times, 0.3)


def test_without_redis_two_fetchers_each_pacing_alone_would_double_the_rate(server, settings):
    seen = Stamped()
    robots(server)
    for i in range(6):
        server.expect_request(f"/p{i}").respond_with_handler(seen)
    settings = local_settings(settings.home, TRACKER_MIN_DELAY_S="0.3")
    run_two(settings, server, 6, LocalPacer)
    assert min(gaps(starts(seen))) < 0.15  # what the shared pacer is for


def test_a_larger_robots_crawl_delay_is_honoured_across_fetchers(server, tmp_path, redis_prefix):
    settings = local_settings(tmp_path / "home", TRACKER_MIN_DELAY_S="0.05")
    robots(server, "User-agent: *\nCrawl-delay: 0.4\n")
    pages = Stamped()
    for i in range(4):
        server.expect_request(f"/p{i}").respond_with_handler(pages)
    run_two(settings, server, 4, lambda: RedisPacer(REDIS_URL, prefix=redis_prefix))
    assert_spaced(starts(pages), 0.4)


def test_two_processes_sharing_redis_keep_one_host_at_the_delay(server, tmp_path, redis_prefix):
    seen = Stamped()
    robots(server)
    for i in range(6):
        server.expect_request(f"/p{i}").respond_with_handler(seen)
    start_at = time.time() + 8  # both processes begin together, after their imports
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS)])}
    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path / f"home{n}"), redis_prefix, str(start_at),
                          *[server.url_for(f"/p{i}") for i in range(n, 6, 2)]], env=env)
        for n in range(2)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    times = starts(seen)
    assert len(times) == 6
    assert_spaced(times, 0.3)


_CHILD = f"""
import sys, time
from fetch_support import local_settings, make_fetcher
home, prefix, start_at, urls = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
from tracker.fetch.client import Politeness
from tracker.fetch.pacing import RedisPacer
settings = local_settings(home, TRACKER_MIN_DELAY_S="0.3")
fetcher, writer, state = make_fetcher(settings, politeness=Politeness(RedisPacer({REDIS_URL!r}, prefix=prefix)))
time.sleep(max(0.0, start_at - time.time()))
for url in urls:
    assert fetcher.get(url).ok
writer.abort()
"""


def test_a_reserved_slot_expires_so_nothing_lingers_after_a_run(redis_prefix):
    pacer = RedisPacer(REDIS_URL, prefix=redis_prefix)
    gate = HostGate("example.org", 0.5)
    assert pacer.reserve(gate) == 0
    assert 0.4 <= pacer.reserve(gate) <= 0.5  # the second slot is a delay later
    ttl_ms = pacer.client.pttl(pacer.key("example.org"))
    assert 0 < ttl_ms <= 1000 + 60_000
    pacer.hold(gate, 5.0)  # a backoff pushes every process's next slot
    assert 4.5 <= RedisPacer(REDIS_URL, prefix=redis_prefix).reserve(HostGate("example.org", 0.5)) <= 5.0


def test_an_unreachable_redis_falls_back_to_pacing_in_this_process():
    pacer = RedisPacer("redis://127.0.0.1:1/0")
    gate = HostGate("example.org", 0.2)
    assert pacer.reserve(gate) == 0
    assert 0.1 < pacer.reserve(gate) <= 0.2


def test_the_pacer_is_redis_only_when_the_setting_names_one(tmp_path):
    assert isinstance(make_pacer(""), LocalPacer)
    assert isinstance(make_pacer(REDIS_URL), RedisPacer)
    assert local_settings(tmp_path, TRACKER_REDIS_URL=f" {REDIS_URL} ").redis_url == REDIS_URL
    assert local_settings(tmp_path).redis_url == ""
