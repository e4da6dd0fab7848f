"""The polite, archiving HTTP client: one requests.Session, robots.txt, per-host pacing, retries,
conditional requests, a manual and checked redirect chain, and a WARC record of every exchange.

Every hop -- the first, each redirect, robots.txt and its redirects -- passes the same chain of small
checks (`Fetcher._refusal`): one URL reading (tracker.fetch.urls), scheme, allowlist, a host this run
has stopped or whose address was refused, then robots.txt. The connection itself is guarded too
(tracker.fetch.transport): public addresses only, checked on the socket that connected, and one
wall-clock deadline for the whole exchange.

`Fetcher.get()` is thread-safe. Per host name at most one request is in flight, request starts are
at least max(settings.min_delay_s, robots Crawl-delay capped at `max_crawl_delay_s`) apart, and a
backoff (429/503 Retry-After, or retries' exponential backoff) holds the whole host; different hosts
proceed in parallel when called from different threads (see tracker.fetch.crawl).
"""

from __future__ import annotations

import codecs
import hashlib
import json as _json
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

import requests
import urllib3

from tracker.fetch import urls
from tracker.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache, host_key
from tracker.fetch.state import CrawlState
from tracker.fetch.transport import AddressPolicy, AddressRefused, Deadline, GuardedAdapter
from tracker.settings import Settings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
# A robots.txt Crawl-delay above this is capped (and reported): 1e9 seconds must not stall a run.
# Heritrix caps at 300 s too.
MAX_CRAWL_DELAY_S = 300.0
# Headers that describe the transfer, not the stored bytes (the body is stored decoded).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 0 when there was no response
    headers: dict[str, str]  # lower-case keys
    body: bytes
    fetched_at: datetime  # UTC, aware
    not_modified: bool = False  # a 304 to a conditional request
    error: str | None = None  # why it failed (after retries), or why a redirect was refused
    skipped: str | None = None  # e.g. "robots.txt disallows", "host not allowed"
    attempts: int = 0  # HTTP requests made for the last hop (retries included)
    redirects: list[str] = field(default_factory=list)  # the hops followed, in order

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        """Decoded text: valid UTF-8 wins over a wrong charset header; then the header; then cp1252."""
        body = self.body
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        charset = _charset(self.content_type)
        if charset:
            try:
                codecs.lookup(charset)
                return body.decode(charset, errors="replace")
            except LookupError:
                pass
        return body.decode("cp1252", errors="replace")

    def json(self):
        return _json.loads(self.text())


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


@dataclass
class _Exchange:
    """One HTTP request and what came back (or did not)."""

    url: str
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # as stored (transfer headers rewritten)
    body: bytes = b""
    complete: bool = False  # the body was read to its end within the caps
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    refused: str | None = None  # why nothing was sent (the address guard, a stopped host)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class _HostGate:
    """One host's pacing: one request in flight, starts at least `delay` seconds apart, and no start
    before a backoff the host asked for has ended. Changed only under `lock`, by the request that
    learned it, so no other request can slip out in between."""

    def __init__(self, delay: float):
        self.lock = threading.Lock()
        self.delay = delay
        self.last_start = float("-inf")
        self.backoff_until = 0.0
        self.stopped: str | None = None  # why this host gets no more requests this run
        self.refused: str | None = None  # the address guard refused its connection

    def next_at(self) -> float:
        return max(self.last_start + self.delay, self.backoff_until)


class Politeness:
    """Per-host gates and per-origin robots.txt policies, shared by every Fetcher of one process and
    run (so two sources crawled in threads never hit one host at once)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.gates: dict[str, _HostGate] = {}
        self.robots = RobotsCache()


class NotRetryable(requests.RequestException):
    """A request error that another attempt cannot fix (e.g. a URL missing from a replay archive)."""

    retryable = False


def make_session(settings: Settings, pool_size: int = 32) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = settings.full_user_agent
    session.headers["Accept-Encoding"] = "gzip, deflate"
    adapter = GuardedAdapter(
        AddressPolicy.from_settings(settings), pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False  # no proxies or .netrc picked up from the environment by surprise
    return session


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: an integer, or an HTTP date (never negative); None when unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class Fetcher:
    """Polite GETs with WARC capture and crawl-state bookkeeping. See the module docstring."""

    def __init__(
        self,
        settings: Settings,
        writer,
        state: CrawlState,
        *,
        session: requests.Session | None = None,
        max_attempts: int = 4,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        max_retry_after_s: float = 300.0,
        max_crawl_delay_s: float = MAX_CRAWL_DELAY_S,
        deadline_s: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        politeness: Politeness | None = None,
        allowed_urls: frozenset[str] = frozenset(),
    ):
        self.settings = settings
        self.writer = writer
        self.state = state
        self.replay = bool(getattr(session, "is_replay", False))
        self.session = session if session is not None else make_session(settings)
        self.session.headers["User-Agent"] = settings.full_user_agent
        self.agent = settings.user_agent.split("/")[0].strip() or settings.user_agent
        self.max_attempts = max(1, max_attempts)
        self.backoff_base_s = 0.0 if self.replay else backoff_base_s
        self.backoff_max_s = backoff_max_s
        # A host asking for a longer wait than this is stopped for the run rather than waited for.
        self.max_retry_after_s = max_retry_after_s
        self.max_crawl_delay_s = max_crawl_delay_s
        # One wall-clock bound per exchange (connect, headers, body) on top of the connect/read
        # timeouts, which a server trickling a byte at a time never trips.
        self.deadline_s = deadline_s if deadline_s is not None else max(10 * settings.timeout_s, 60.0)
        self._sleep = sleep
        self.politeness = politeness or Politeness()
        # Canonical URLs allowed whatever their host (the watchlist): the host joins the allowlist for
        # that URL only; every other check (address guard, robots.txt, pacing) still applies.
        self.allowed_urls = frozenset(allowed_urls)
        self._address_policy = AddressPolicy.from_settings(settings)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.host_stats: dict[str, dict[str, int]] = {}
        # What a run summary reports about hosts (a stop, a capped Crawl-delay), one line per host and kind.
        self.problems: dict[tuple[str, str], str] = {}
        self.bad_links = 0  # links skipped because they cannot be read one way only
        self.bad_link_examples: list[str] = []
        self.on_result: Callable[[str, FetchResult], None] | None = None  # progress hook

    # --- public ------------------------------------------------------------------------------

    def get(
        self, url: str, *, conditional: bool = True, published: date | None = None, source: str | None = None
    ) -> FetchResult:
        """Fetch one URL politely; every outcome is archived and recorded in the crawl state.

        `published` and `source` are optional hints written on the WARC response record (the
        listing's publication date; the source for a mirror the adapters do not recognise). A URL
        that cannot be read one way only is skipped and counted (`bad_links`), never requested.
        """
        requested = url
        try:
            url = urls.normalise(url)  # state and archive use the canonical form
        except urls.BadUrl as exc:
            self.note_bad_link(requested, str(exc))
            now = datetime.now(timezone.utc)
            return FetchResult(url=requested, final_url=requested, status=0, headers={}, body=b"",
                               fetched_at=now, skipped=f"bad URL ({exc})")
        result = self._get(url, conditional, published, source)
        self._record_state(result)
        self._count(url, result)
        result.url = requested
        if self.on_result:
            try:
                self.on_result(host_key(url), result)
            except Exception:  # progress must never break a fetch
                log.debug("progress hook failed", exc_info=True)
        return result

    def delay_for(self, url: str) -> float:
        return self._gate(url).delay

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs named in robots.txt of `url`'s origin: the copy read for the rules, not a second request."""
        try:
            url = urls.normalise(url)
        except urls.BadUrl:
            return []
        if self._refusal(url, robots=False):
            return []
        return self._policy(url).sitemaps()

    def note_bad_link(self, url: str, why: str) -> None:
        """A link skipped because it cannot be read one way only (counted for the run summary)."""
        log.warning("skipping a malformed link (%s): %r", why, url[:200])
        with self._lock:
            self.bad_links += 1
            if len(self.bad_link_examples) < 5:
                self.bad_link_examples.append(f"{url[:200]!r} ({why})")

    # --- the checks every hop passes ---------------------------------------------------------

    def _refusal(self, url: str, *, robots: bool = True) -> str | None:
        """Why this (canonical) URL must not be requested, else None: the same chain for every hop."""
        try:
            parts = urls.parse(url)
        except urls.BadUrl as exc:
            return f"bad URL ({exc})"
        if parts.scheme not in urls.DEFAULT_PORTS:
            return f"scheme not allowed ({parts.scheme})"
        if parts.host not in self.settings.allowed_hosts and str(parts) not in self.allowed_urls:
            return f"host not allowed ({parts.host})"
        literal = urls.ip_literal(parts.host)
        if literal is not None and not self.replay and not self._address_policy.permits(literal):
            return f"{parts.host} is a non-public address"
        gate = self._gate(url)
        if gate.refused or gate.stopped:
            return gate.refused or gate.stopped
        if robots:
            policy = self._policy(url)
            if not policy.allowed(url, self.agent):
                return gate.refused or gate.stopped or policy.reason()
        return None

    # --- the request chain -------------------------------------------------------------------

    def _get(self, url: str, conditional: bool, published, source) -> FetchResult:
        now = datetime.now(timezone.utc)
        refused = self._refusal(url)
        if refused:
            return self._skip(url, refused, now)

        etag, last_modified = self.state.validators(url) if conditional else (None, None)
        capture_url = (self.state.get(url).capture_url if (etag or last_modified) else None) or url
        current, seen, hops = url, {url}, []
        previous: FetchResult | None = None
        while True:
            headers = {}
            if current in (url, capture_url):
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            ex, attempts = self._with_retries(current, headers, published=published, source=source)
            if ex.refused:  # nothing was sent: the guard or a stop refused this hop at the last moment
                if previous is None:
                    return FetchResult(url=url, final_url=url, status=0, headers={}, body=b"",
                                       fetched_at=ex.fetched_at, skipped=ex.refused)
                previous.error = f"redirect to {current} refused: {ex.refused}"
                return previous
            result = FetchResult(
                url=url, final_url=current, status=ex.status, headers=_lower(ex.headers), body=ex.body,
                fetched_at=ex.fetched_at, error=ex.error, attempts=attempts, redirects=list(hops),
                not_modified=ex.status == 304 and not ex.error,
            )
            if ex.error or ex.status not in REDIRECT_STATUSES:
                if not ex.error and ex.status >= 400:
                    result.error = f"HTTP {ex.status}"
                if result.not_modified:
                    result.body = b""
                return result
            location = result.headers.get("location")
            if not location:
                result.error = f"HTTP {ex.status} without a Location header"
                return result
            try:
                target = urls.join(current, location)
            except urls.BadUrl as exc:
                target, why = location[:200], f"bad URL ({exc})"
            else:
                if len(hops) >= MAX_REDIRECTS:
                    why = f"more than {MAX_REDIRECTS} redirects"
                elif target in seen:
                    why = "redirect loop"
                else:
                    why = self._refusal(target)
            if why:
                result.error = f"redirect to {target} refused: {why}"
                self._write_metadata(url, f"redirect from {current} to {target} refused: {why}")
                return result
            seen.add(target)
            hops.append(target)
            current, previous = target, result

    def _skip(self, url: str, reason: str, now: datetime) -> FetchResult:
        self._write_metadata(url, f"skipped: {reason}", now)
        return FetchResult(url=url, final_url=url, status=0, headers={}, body=b"", fetched_at=now, skipped=reason)

    def _with_retries(self, url: str, headers: dict, *, published=None, source=None, cap=None) -> tuple[_Exchange, int]:
        gate = self._gate(url)
        for attempt in range(1, self.max_attempts + 1):
            ex = self._exchange(url, headers, gate, cap or self.settings.max_body_bytes, published, source, attempt)
            if not ex.retryable:
                return ex, attempt
            if attempt == self.max_attempts:
                what = ex.error or f"HTTP {ex.status}"
                ex.error = f"{what} (gave up after {attempt} attempts)"
                return ex, attempt
            log.info("retrying %s after the host's backoff (%s)", url, ex.error or f"HTTP {ex.status}")
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with 'equal jitter': half fixed, half random, so retries never bunch up."""
        if self.backoff_base_s <= 0:
            return 0.0
        full = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return full / 2 + random.uniform(0, full / 2)

    def _exchange(self, url: str, headers: dict, gate: _HostGate, cap: int, published, source, attempt: int = 1) -> _Exchange:
        """One request through the host gate; writes request and response (or failure) to the WARC."""
        ex = _Exchange(url=url)
        sent_headers: list[tuple[str, str]] = []
        with gate.lock:
            ex.refused = gate.refused or gate.stopped
            if ex.refused:
                ex.error = ex.refused
            else:
                wait = gate.next_at() - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
                gate.last_start = time.monotonic()
                ex.fetched_at = datetime.now(timezone.utc)
                self._send(url, headers, cap, ex, sent_headers)
                if ex.refused:
                    gate.refused = ex.refused
                elif ex.retryable:
                    self._hold_host(url, gate, ex, attempt)  # under the lock: nothing leaves before it
        self._archive(ex, sent_headers, published, source)
        if not ex.refused:
            with self._lock:
                self._stats(url)["requests"] += 1
        return ex

    def _hold_host(self, url: str, gate: _HostGate, ex: _Exchange, attempt: int) -> None:
        """A retryable answer holds the whole host; a wait longer than the run can afford stops it."""
        wait = self._backoff(attempt)
        if ex.retry_after is not None:
            if ex.retry_after > self.max_retry_after_s:
                host = urls.host_of(url)
                gate.stopped = (f"{host} asked for a {ex.retry_after:.0f}s wait (HTTP {ex.status} Retry-After), "
                                f"more than the {self.max_retry_after_s:.0f}s this run can afford: "
                                f"no more requests to it this run")
                self._problem(host, "stopped", gate.stopped)
                ex.error = f"HTTP {ex.status}: Retry-After {ex.retry_after:.0f}s exceeds {self.max_retry_after_s:.0f}s"
                ex.retryable = False
                return
            wait = max(wait, ex.retry_after)
        gate.backoff_until = max(gate.backoff_until, time.monotonic() + wait)

    def _send(self, url: str, headers: dict, cap: int, ex: _Exchange, sent_headers: list) -> None:
        timeout = (self.settings.timeout_s, self.settings.timeout_s)
        if self.replay:  # no network, nothing to bound
            self._send_within(url, headers, timeout, cap, ex, sent_headers)
            return
        with Deadline(self.deadline_s) as deadline:
            self._send_within(url, headers, timeout, cap, ex, sent_headers)
        if deadline.expired:  # its sockets were shut down: whatever was read may be cut short
            ex.error = f"deadline exceeded ({self.deadline_s:g}s for the whole exchange)"
            ex.complete = False
            ex.retryable = False  # a server that slow holds the host; the next run tries again

    def _send_within(self, url: str, headers: dict, timeout, cap: int, ex: _Exchange, sent_headers: list) -> None:
        try:
            prepared = self.session.prepare_request(requests.Request("GET", url, headers=headers))
            sent_headers.extend((k, v) for k, v in prepared.headers.items())
            resp = self.session.send(prepared, stream=True, allow_redirects=False, timeout=timeout)
        except AddressRefused as exc:
            ex.refused = ex.error = str(exc)
            return
        except requests.Timeout as exc:
            ex.error, ex.retryable = f"timeout: {_short(exc)}", True
            return
        except requests.ConnectionError as exc:
            ex.error, ex.retryable = f"connection error: {_short(exc)}", True
            return
        except requests.RequestException as exc:
            ex.error, ex.retryable = f"request failed: {_short(exc)}", bool(getattr(exc, "retryable", False))
            return
        try:
            replay_at = getattr(resp, "replay_fetched_at", None)
            if replay_at is not None:
                ex.fetched_at = replay_at
            ex.status, ex.reason = resp.status_code, resp.reason or ""
            raw_headers = list(resp.raw.headers.items()) if resp.raw is not None else list(resp.headers.items())
            encoding = resp.headers.get("Content-Encoding")
            ex.retryable = ex.status in RETRY_STATUSES
            if ex.status in (429, 503):
                ex.retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
            chunks: list[bytes] = []
            size = 0
            try:
                while True:
                    chunk = resp.raw.read(CHUNK, decode_content=True)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > cap:
                        ex.error, ex.retryable = f"body over cap ({cap} bytes)", False
                        break
                    chunks.append(chunk)
                if ex.error is None:
                    ex.complete = True
            except (urllib3.exceptions.ReadTimeoutError, requests.Timeout, socket.timeout) as exc:
                ex.error, ex.retryable = f"timeout reading body: {_short(exc)}", True
            except urllib3.exceptions.DecodeError as exc:
                ex.error, ex.retryable = f"content decoding failed: {_short(exc)}", False
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
                what = "truncated body" if "IncompleteRead" in repr(exc) else "connection broken"
                ex.error, ex.retryable = f"{what}: {_short(exc)}", True
            ex.body = b"".join(chunks)
            stored = [(k, v) for k, v in raw_headers if k.lower() not in _TRANSFER_HEADERS]
            if encoding:
                stored.append(("X-Tracker-Content-Encoding", encoding))
            stored.append(("Content-Length", str(len(ex.body))))
            ex.headers = stored
        finally:
            resp.close()

    def _archive(self, ex: _Exchange, sent_headers: list, published, source) -> None:
        with self._write_lock:
            if ex.refused:  # no request left: a note of why, no request record
                self.writer.write_metadata(ex.url, f"not requested: {ex.refused}", ex.fetched_at)
                return
            self.writer.write_request(ex.url, sent_headers, fetched_at=ex.fetched_at)
            if ex.status and ex.complete:
                self.writer.write_response(
                    ex.url, ex.body, status=ex.status, headers=ex.headers, fetched_at=ex.fetched_at,
                    source=source, published=published,
                )
            else:
                # No response, or one whose body is not whole: never a response record that the
                # processing stage could mistake for a document; a note of what happened instead.
                got = f"HTTP {ex.status} {ex.reason}, {len(ex.body)} bytes received; " if ex.status else ""
                self.writer.write_metadata(ex.url, f"failed attempt: {got}{ex.error}", ex.fetched_at)

    def _write_metadata(self, url: str, text: str, when: datetime | None = None) -> None:
        with self._write_lock:
            self.writer.write_metadata(url, text, when or datetime.now(timezone.utc))

    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes | None, str | None]:
        """robots.txt through the same gate, archive and checks (no robots check for itself)."""
        current, seen = robots_url, {robots_url}
        for _ in range(MAX_REDIRECTS + 1):
            ex, _attempts = self._with_retries(current, {}, cap=ROBOTS_MAX_BYTES)
            if self.replay and ex.error and "not in archive" in ex.error:
                return 404, None, None  # an archive without robots.txt (e.g. ingested files): no rules
            if ex.error and "body over cap" not in ex.error:
                return ex.status, None, ex.error
            if ex.status in REDIRECT_STATUSES:
                location = dict(_lower(ex.headers)).get("location")
                try:
                    target = urls.join(current, location or "")
                except urls.BadUrl as exc:
                    return ex.status, None, f"robots.txt redirect refused: bad URL ({exc})"
                why = "no Location" if not location else ("redirect loop" if target in seen else self._refusal(
                    target, robots=False))
                if why:
                    return ex.status, None, f"robots.txt redirect refused: {why}"
                seen.add(target)
                current = target
                continue
            return ex.status, ex.body, None
        return 0, None, "robots.txt: too many redirects"

    # --- bookkeeping -------------------------------------------------------------------------

    def _gate(self, url: str) -> _HostGate:
        """The host's gate: pacing is per host name, whatever the scheme or port."""
        key = urls.host_of(url)
        shared = self.politeness
        with shared.lock:
            gate = shared.gates.get(key)
            if gate is None:
                gate = shared.gates[key] = _HostGate(0.0 if self.replay else self.settings.min_delay_s)
        return gate

    def _policy(self, url: str):
        """The origin's robots.txt policy (fetched once per run); its Crawl-delay, capped, raises the host's delay."""
        policy = self.politeness.robots.policy(url, self._fetch_robots)
        if not self.replay:
            asked = policy.crawl_delay(self.agent)
            if asked > self.max_crawl_delay_s:
                self._problem(urls.host_of(url), "crawl-delay",
                              f"robots.txt of {host_key(url)} asks for a Crawl-delay of {asked:g}s: "
                              f"capped at {self.max_crawl_delay_s:g}s")
            gate = self._gate(url)
            gate.delay = max(gate.delay, min(asked, self.max_crawl_delay_s))
        return policy

    def _problem(self, host: str, kind: str, message: str) -> None:
        with self._lock:
            if (host, kind) not in self.problems:
                log.warning("%s", message)
                self.problems[(host, kind)] = message

    def _stats(self, url: str) -> dict[str, int]:
        key = host_key(url)
        stats = self.host_stats.get(key)
        if stats is None:
            stats = self.host_stats[key] = {
                "requests": 0, "fetched": 0, "not_modified": 0, "failed": 0, "skipped": 0, "other": 0,
            }
        return stats

    def _count(self, url: str, result: FetchResult) -> None:
        with self._lock:
            stats = self._stats(url)
            stats[_outcome(result)] += 1
        gate = self._gate(url)
        if result.skipped and gate.stopped and result.skipped == gate.stopped:
            self._problem(urls.host_of(url), "stopped", gate.stopped)

    def _record_state(self, result: FetchResult) -> None:
        url = result.url
        if result.skipped:
            self.state.record_skipped(url, result.skipped)
        elif result.error:
            self.state.record_failure(url, result.status, result.error, result.fetched_at)
        elif result.not_modified:
            self.state.record_not_modified(
                url, etag=result.headers.get("etag"), last_modified=result.headers.get("last-modified"),
                fetched_at=result.fetched_at,
            )
        elif result.status == 200:
            self.state.record_ok(
                url, 200, etag=result.headers.get("etag"), last_modified=result.headers.get("last-modified"),
                sha256=hashlib.sha256(result.body).hexdigest(), capture_warc=_warc_name(self.writer),
                capture_url=result.final_url, fetched_at=result.fetched_at,
            )
        else:
            self.state.record_response(url, result.status, result.fetched_at)
        self.state.maybe_save()


def _outcome(result: FetchResult) -> str:
    if result.skipped:
        return "skipped"
    if result.error:
        return "failed"
    if result.not_modified:
        return "not_modified"
    if result.status == 200:
        return "fetched"
    return "other"


def _warc_name(writer) -> str | None:
    path = getattr(writer, "path", None)
    return path.name if path is not None else None


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in headers:
        key = k.lower()
        out[key] = f"{out[key]}, {v}" if key in out else v
    return out


def _clean_url(url: str) -> str:
    """The canonical form (tracker.fetch.urls); an unreadable URL is kept as written (replay keys)."""
    try:
        return urls.normalise(url)
    except urls.BadUrl:
        return url.strip()


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
