"""robots.txt, read once per host per run and obeyed (Protego).

Decisions (RFC 9309 where it speaks):
- 2xx: the rules apply, including Crawl-delay for our product token (or `*`).
- 4xx (404, 403, 410 ...): "unavailable" -- no rules, everything allowed.
- 5xx, a network failure, a refused redirect or a body over the cap: "unreachable" -- everything is
  disallowed *for this run* (conservative; the next run asks again).
Rules apply per origin (scheme://host:port, RFC 9309); the request pacing in tracker.fetch.pacing is
per host name. Crawl-delay is capped by the fetcher (its `max_crawl_delay_s`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable

from protego import Protego

from tracker.fetch import urls
from tracker.fetch.reasons import Failure, FailureKind, plain_reason

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB


def host_key(url: str) -> str:
    """scheme://host:port with the default port made explicit (the robots.txt key); BadUrl if unreadable."""
    return urls.parse(url).origin


def robots_url(url: str) -> str:
    parts = urls.parse(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


@dataclass(frozen=True)
class RobotsPolicy:
    kind: str  # "rules" | "allow_all" | "disallow_all"
    parser: Protego | None = None
    detail: str = ""

    def allowed(self, url: str, agent: str) -> bool:
        if self.kind == "allow_all":
            return True
        if self.kind == "disallow_all":
            return False
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float:
        if self.kind != "rules":
            return 0.0
        delay = float(self.parser.crawl_delay(agent) or 0.0)
        return delay if delay > 0 and not math.isnan(delay) else 0.0

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.kind == "rules" else []

    def reason(self) -> str:
        return self.refusal().text

    def refusal(self) -> Failure:
        """Why a URL this policy does not allow is skipped."""
        if self.kind == "disallow_all":
            return Failure(FailureKind.ROBOTS_UNREACHABLE,
                           f"robots.txt unreachable ({self.detail}): host disallowed for this run", cause=self.detail)
        return Failure(FailureKind.ROBOTS_DISALLOWED, "robots.txt disallows")


def _detail(error: Failure | str) -> str:
    return error.phrase if isinstance(error, Failure) else plain_reason(error)


def policy_from_response(status: int, body: bytes | None, error: Failure | str | None) -> RobotsPolicy:
    """The policy a robots.txt answer makes; `error` is the fetch's Failure (or, from older callers, its text)."""
    if error or status == 0:  # the detail is plain words; the WARC's metadata record keeps the whole error
        return RobotsPolicy("disallow_all", detail=_detail(error) if error else "no response")
    if 200 <= status < 300:
        text = (body or b"")[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return RobotsPolicy("rules", Protego.parse(text), detail=f"HTTP {status}")
    if 400 <= status < 500:
        return RobotsPolicy("allow_all", detail=f"HTTP {status}")
    return RobotsPolicy("disallow_all", detail=f"HTTP {status}")


class RobotsCache:
    """One policy per host key for the lifetime of a Fetcher (= one run)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._policies: dict[str, RobotsPolicy] = {}

    def policy(self, url: str, fetch: Callable[[str], tuple[int, bytes | None, Failure | None]]) -> RobotsPolicy:
        """The host's policy; `fetch(robots_url) -> (status, body, error)` runs once per host."""
        key = host_key(url)
        with self._lock:
            if key in self._policies:
                return self._policies[key]
            host_lock = self._host_locks.setdefault(key, threading.Lock())
        with host_lock:  # one thread fetches; the others wait for its answer
            with self._lock:
                if key in self._policies:
                    return self._policies[key]
            status, body, error = fetch(robots_url(url))
            policy = policy_from_response(status, body, error)
            with self._lock:
                self._policies[key] = policy
            return policy

    def known(self) -> dict[str, RobotsPolicy]:
        with self._lock:
            return dict(self._policies)
