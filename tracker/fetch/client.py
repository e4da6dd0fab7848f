"""The polite, archiving HTTP client: one requests.Session, robots.txt, per-host pacing, retries,
conditional requests, a manual and checked redirect chain, and a WARC record of every exchange.

`Fetcher.get()` is thread-safe. Per host (scheme://host:port) at most one request is in flight and
request starts are at least max(settings.min_delay_s, robots Crawl-delay) apart; different hosts
proceed in parallel when called from different threads (see tracker.fetch.crawl).
"""

from __future__ import annotations

import codecs
import hashlib
import ipaddress
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
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from tracker.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache, host_key
from tracker.fetch.state import CrawlState
from tracker.settings import Settings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
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
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class _HostGate:
    """At most one request in flight per host, starts at least `delay` seconds apart."""

    def __init__(self, delay: float):
        self.lock = threading.Lock()
        self.delay = delay
        self.next_at = 0.0

    def push_back(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


class Politeness:
    """Per-host gates and robots.txt policies, shared by every Fetcher of one process and run
    (so two sources crawled in threads never hit one host at once)."""

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
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
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


def private_address_reason(host: str, port: int | None) -> str | None:
    """Why `host` must not be contacted (it is or resolves to a non-public address), else None."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
            return f"{host} resolves to non-public address {ip}"
    return None


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
        deadline_s: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        politeness: Politeness | None = None,
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
        self.max_retry_after_s = max_retry_after_s
        # An overall limit per response on top of the connect/read timeouts (a trickling server).
        self.deadline_s = deadline_s if deadline_s is not None else max(10 * settings.timeout_s, 60.0)
        self._sleep = sleep
        self.politeness = politeness or Politeness()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.host_stats: dict[str, dict[str, int]] = {}
        self.on_result: Callable[[str, FetchResult], None] | None = None  # progress hook

    # --- public ------------------------------------------------------------------------------

    def get(
        self, url: str, *, conditional: bool = True, published: date | None = None, source: str | None = None
    ) -> FetchResult:
        """Fetch one URL politely; every outcome is archived and recorded in the crawl state.

        `published` and `source` are optional hints written on the WARC response record (the
        listing's publication date; the source for a mirror the adapters do not recognise).
        """
        requested = url
        url = _clean_url(url)  # state and archive use the cleaned form (no fragment, lower-case host)
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

    # --- the request chain -------------------------------------------------------------------

    def _get(self, url: str, conditional: bool, published, source) -> FetchResult:
        now = datetime.now(timezone.utc)
        refused = self._refuse_url(url, check_private=False)
        if refused:
            return self._skip(url, refused, now)
        policy = self._policy(url)
        if not policy.allowed(url, self.agent):
            return self._skip(url, policy.reason(), now)

        etag, last_modified = self.state.validators(url) if conditional else (None, None)
        capture_url = (self.state.get(url).capture_url if (etag or last_modified) else None) or url
        current, seen, hops = url, {url}, []
        while True:
            headers = {}
            if current in (url, capture_url):
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            ex, attempts = self._with_retries(current, headers, published=published, source=source)
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
            target = _clean_url(urljoin(current, location))
            why = None
            if len(hops) >= MAX_REDIRECTS:
                why = f"more than {MAX_REDIRECTS} redirects"
            elif target in seen:
                why = "redirect loop"
            else:
                why = self._refuse_url(target, check_private=not self.settings.allow_private_addresses)
                if why is None:
                    target_policy = self._policy(target)
                    if not target_policy.allowed(target, self.agent):
                        why = target_policy.reason()
            if why:
                result.error = f"redirect to {target} refused: {why}"
                self._write_metadata(url, f"redirect from {current} to {target} refused: {why}")
                return result
            seen.add(target)
            hops.append(target)
            current = target

    def _refuse_url(self, url: str, *, check_private: bool) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return f"scheme not allowed ({parts.scheme or 'none'})"
        host = (parts.hostname or "").lower()
        if not host:
            return "no host"
        if host not in self.settings.allowed_hosts:
            return f"host not allowed ({host})"
        if check_private and not self.replay:  # a replay never touches the network
            try:
                port = parts.port
            except ValueError:
                return "bad port"
            return private_address_reason(host, port)
        return None

    def _skip(self, url: str, reason: str, now: datetime) -> FetchResult:
        self._write_metadata(url, f"skipped: {reason}", now)
        return FetchResult(url=url, final_url=url, status=0, headers={}, body=b"", fetched_at=now, skipped=reason)

    def _with_retries(self, url: str, headers: dict, *, published=None, source=None, cap=None) -> tuple[_Exchange, int]:
        gate = self._gate(url)
        for attempt in range(1, self.max_attempts + 1):
            ex = self._exchange(url, headers, gate, cap or self.settings.max_body_bytes, published, source)
            if not ex.retryable:
                return ex, attempt
            if attempt == self.max_attempts:
                what = ex.error or f"HTTP {ex.status}"
                ex.error = f"{what} (gave up after {attempt} attempts)"
                return ex, attempt
            wait = self._backoff(attempt)
            if ex.retry_after is not None:
                if ex.retry_after > self.max_retry_after_s:
                    ex.error = f"HTTP {ex.status}: Retry-After {ex.retry_after:.0f}s exceeds {self.max_retry_after_s:.0f}s"
                    return ex, attempt
                wait = max(wait, ex.retry_after)
            log.info("retrying %s in %.2fs (%s)", url, wait, ex.error or f"HTTP {ex.status}")
            with gate.lock:  # the whole host backs off, not only this URL
                gate.push_back(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential with 'equal jitter': half fixed, half random, so retries never bunch up."""
        if self.backoff_base_s <= 0:
            return 0.0
        full = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return full / 2 + random.uniform(0, full / 2)

    def _exchange(self, url: str, headers: dict, gate: _HostGate, cap: int, published, source) -> _Exchange:
        """One request through the host gate; writes request and response (or failure) to the WARC."""
        ex = _Exchange(url=url)
        sent_headers: list[tuple[str, str]] = []
        with gate.lock:
            wait = gate.next_at - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            started = time.monotonic()
            ex.fetched_at = datetime.now(timezone.utc)
            try:
                self._send(url, headers, cap, ex, sent_headers, started)
            finally:
                gate.next_at = max(gate.next_at, started + gate.delay)
        self._archive(ex, sent_headers, published, source)
        with self._lock:
            self._stats(url)["requests"] += 1
        return ex

    def _send(self, url: str, headers: dict, cap: int, ex: _Exchange, sent_headers: list, started: float) -> None:
        timeout = (self.settings.timeout_s, self.settings.timeout_s)
        try:
            prepared = self.session.prepare_request(requests.Request("GET", url, headers=headers))
            sent_headers.extend((k, v) for k, v in prepared.headers.items())
            resp = self.session.send(prepared, stream=True, allow_redirects=False, timeout=timeout)
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
            deadline = started + self.deadline_s
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
                    if time.monotonic() > deadline:
                        ex.error, ex.retryable = f"response deadline exceeded ({self.deadline_s:.0f}s)", True
                        break
                else:  # pragma: no cover - loop exits by break
                    pass
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
        """robots.txt through the same gate, archive and redirect checks (no robots check for itself)."""
        current, seen = robots_url, {robots_url}
        for _ in range(MAX_REDIRECTS + 1):
            ex, _attempts = self._with_retries(current, {}, cap=ROBOTS_MAX_BYTES)
            if self.replay and ex.error and "not in archive" in ex.error:
                return 404, None, None  # an archive without robots.txt (e.g. ingested files): no rules
            if ex.error and "body over cap" not in ex.error:
                return ex.status, None, ex.error
            if ex.status in REDIRECT_STATUSES:
                location = dict(_lower(ex.headers)).get("location")
                target = _clean_url(urljoin(current, location or ""))
                why = "no Location" if not location else ("redirect loop" if target in seen else self._refuse_url(
                    target, check_private=not self.settings.allow_private_addresses))
                if why:
                    return ex.status, None, f"robots.txt redirect refused: {why}"
                seen.add(target)
                current = target
                continue
            return ex.status, ex.body, None
        return 0, None, "robots.txt: too many redirects"

    # --- bookkeeping -------------------------------------------------------------------------

    def _gate(self, url: str) -> _HostGate:
        key = host_key(url)
        shared = self.politeness
        with shared.lock:
            gate = shared.gates.get(key)
            if gate is None:
                gate = shared.gates[key] = _HostGate(0.0 if self.replay else self.settings.min_delay_s)
        return gate

    def _policy(self, url: str):
        """The host's robots.txt policy (fetched once); its Crawl-delay raises the host's delay."""
        policy = self.politeness.robots.policy(url, self._fetch_robots)
        if not self.replay:
            gate = self._gate(url)
            gate.delay = max(self.settings.min_delay_s, policy.crawl_delay(self.agent))
        return policy

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
    """Drop the fragment (never sent) and lower-case scheme and host."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if "@" not in netloc:
        netloc = netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
