"""Per-host pacing: who may start a request to a host, and when.

Each process keeps a `HostGate` per host name: its lock (one request in flight per host in this
process), its delay (settings.min_delay_s, raised by a robots.txt Crawl-delay) and whether the host was
stopped or refused for the run. When the next request may *start* is the pacer's to say, behind one
small interface (`reserve`, `hold`):

- `LocalPacer` (the default): the gate's own clock; what every Fetcher of one process shares.
- `RedisPacer` (settings.redis_url, TRACKER_REDIS_URL): the next free slot of each host lives in
  Redis (`tracker:pace:<host>`), so fetch tasks of two sources on one host, run as parallel Airflow
  tasks in different processes, together keep to the delay instead of doubling the rate. A Lua script
  reserves a slot atomically, on Redis's clock (so hosts' clocks need not agree), and gives the key a TTL
  of the time still reserved plus a margin, so nothing lingers after a run. A robots.txt Crawl-delay larger
  than the minimum is honoured because each caller reserves with its own (already raised) delay. If
  Redis cannot be reached the pacer says so once and paces in-process, asking Redis again a minute
  later: a run is never lost to it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import redis

from tracker.fetch.reasons import Failure

log = logging.getLogger(__name__)

KEY_PREFIX = "tracker:pace:"
TTL_MARGIN_MS = 60_000
RETRY_REDIS_S = 60.0  # after Redis failed, pace in-process this long before asking it again


class HostGate:
    """One host's state in this process; pacing decisions are made under `lock`, by the request holding it."""

    def __init__(self, host: str, delay: float):
        self.host = host
        self.lock = threading.Lock()
        self.delay = delay
        self.last_start = float("-inf")
        self.backoff_until = 0.0
        self.stopped: Failure | None = None  # why this host gets no more requests this run
        self.refused: Failure | None = None  # the address guard refused its connection

    @property
    def closed(self) -> Failure | None:
        return self.refused or self.stopped


class Pacer(Protocol):
    def reserve(self, gate: HostGate) -> float:
        """Take the host's next start slot; returns the seconds to wait for it (called under gate.lock)."""

    def hold(self, gate: HostGate, seconds: float) -> None:
        """No request to the host starts within `seconds` from now (a backoff)."""


class LocalPacer:
    """The gate's own clock: starts `delay` apart, none before a backoff ends."""

    def reserve(self, gate: HostGate) -> float:
        now = time.monotonic()
        start = max(now, gate.last_start + gate.delay, gate.backoff_until)
        gate.last_start = start
        return start - now

    def hold(self, gate: HostGate, seconds: float) -> None:
        gate.backoff_until = max(gate.backoff_until, time.monotonic() + seconds)


# KEYS[1] the host's key; ARGV[1] the delay (ms), ARGV[2] the TTL margin (ms), ARGV[3] the wait this process
# needs anyway (ms: its own backoff or spacing). Returns the wait (ms) for the slot taken.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now + tonumber(ARGV[3]), free)
local after = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], after, 'PX', after - now + tonumber(ARGV[2]))
return start - now
"""

# KEYS[1] the host's key; ARGV[1] the hold (ms), ARGV[2] the TTL margin (ms).
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = now + tonumber(ARGV[1])
if after > free then
  redis.call('SET', KEYS[1], after, 'PX', after - now + tonumber(ARGV[2]))
end
return 0
"""


class RedisPacer:
    """Start slots per host shared through Redis by every process of a deployment (see the module docstring)."""

    def __init__(self, url: str, *, prefix: str = KEY_PREFIX, client=None):
        self.prefix = prefix
        self.client = client if client is not None else redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2)
        self._reserve = self.client.register_script(_RESERVE)
        self._hold = self.client.register_script(_HOLD)
        self._errors = (redis.RedisError, OSError)
        self._local = LocalPacer()
        self._failed = False
        self._retry_at = 0.0

    def key(self, host: str) -> str:
        return f"{self.prefix}{host}"

    def reserve(self, gate: HostGate) -> float:
        local = self._local.reserve(gate)  # this process's own backoff and spacing still hold
        if time.monotonic() < self._retry_at:
            return local
        try:  # the slot taken is the one the request will really use, so the next process waits from it
            shared = int(self._reserve(keys=[self.key(gate.host)],
                                       args=[int(gate.delay * 1000), TTL_MARGIN_MS, int(local * 1000)]))
        except self._errors as exc:
            self._fall_back(exc)
            return local
        wait = max(local, shared / 1000)
        gate.last_start = time.monotonic() + wait
        return wait

    def hold(self, gate: HostGate, seconds: float) -> None:
        self._local.hold(gate, seconds)
        if time.monotonic() < self._retry_at:
            return
        try:
            self._hold(keys=[self.key(gate.host)], args=[int(seconds * 1000), TTL_MARGIN_MS])
        except self._errors as exc:
            self._fall_back(exc)

    def _fall_back(self, exc: BaseException) -> None:
        self._retry_at = time.monotonic() + RETRY_REDIS_S  # no 2 s connect timeout on every request
        if not self._failed:
            self._failed = True
            log.warning("Redis pacing unavailable (%s): pacing in this process only", exc)


def make_pacer(redis_url: str) -> Pacer:
    return RedisPacer(redis_url) if redis_url else LocalPacer()
