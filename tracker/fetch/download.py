"""The end of the fetch chain: send one request and read its body, within the cap and one deadline.

Nothing here decides about retries, redirects or the archive: it reports what happened (`Response`),
with a `Failure` of a kind read from the exception's class where something went wrong, and whether
another attempt could help (`retryable`).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import requests
import urllib3

from tracker.fetch.exchange import Purpose, Request, Response
from tracker.fetch.reasons import Failure, FailureKind, kind_of_exception
from tracker.fetch.transport import AddressRefused, Deadline
from tracker.settings import Settings

RETRY_STATUSES = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
CHUNK = 64 * 1024
# Headers that describe the transfer, not the stored bytes (the body is stored decoded).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class NotRetryable(requests.RequestException):
    """A request error that another attempt cannot fix (e.g. a URL missing from a replay archive)."""

    retryable = False
    kind = FailureKind.REQUEST_FAILED


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


class Budget:
    """One source's time for its whole crawl (TRACKER_SOURCE_BUDGET_S), shared by its requests: no exchange
    outlives it, and once it is spent nothing more is sent (the fetch chain's TimeBudget step)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._hit = threading.Event()  # a request was refused or cut short by it

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    @property
    def spent(self) -> bool:
        return self.remaining() <= 0.0

    @property
    def hit(self) -> bool:
        return self._hit.is_set()

    def failure(self) -> Failure:
        """Why a request was refused or cut short (noted: source health reports the budget was hit)."""
        self._hit.set()
        return Failure(FailureKind.TIMED_OUT, f"the source's time budget ({self.seconds:g}s) was used up")


@dataclass(frozen=True)
class Limits:
    """The fetcher's own bounds, which no environment variable sets (tests shorten them)."""

    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    max_retry_after_s: float = 300.0  # a host asking for a longer wait is stopped for the run rather than waited for
    max_crawl_delay_s: float = 300.0  # a longer robots.txt Crawl-delay is capped (and reported); Heritrix caps at 300 s
    # One wall-clock bound per exchange (connect, headers, body) on top of the connect/read timeouts, which a
    # server trickling a byte at a time never trips; None: ten read timeouts, at least a minute.
    deadline_s: float | None = None


class Downloader:
    """Sends a Request through the guarded session."""

    def __init__(self, session: requests.Session, timeout_s: float, deadline_s: float, budget: Budget | None = None):
        self.session = session
        self.timeout = (timeout_s, timeout_s)
        self.deadline_s = deadline_s
        self.budget = budget

    @classmethod
    def from_settings(cls, settings: Settings, session: requests.Session, limits: Limits,
                      budget: Budget | None) -> Downloader:
        deadline_s = limits.deadline_s if limits.deadline_s is not None else max(10 * settings.timeout_s, 60.0)
        return cls(session, settings.timeout_s, deadline_s, budget)

    def send(self, req: Request) -> Response:
        resp = Response(url=req.url)
        # robots.txt is exempt from the source's budget: a cut one would stand as the host's policy for the run
        bounded = self.budget is not None and req.purpose is not Purpose.ROBOTS
        seconds = min(self.deadline_s, self.budget.remaining()) if bounded else self.deadline_s
        with Deadline(seconds) as deadline:
            self._send(req, resp)
        if deadline.expired:  # its sockets were shut down: whatever was read may be cut short
            resp.failure = (self.budget.failure() if bounded and seconds < self.deadline_s else
                            Failure(FailureKind.TIMED_OUT, f"deadline exceeded ({self.deadline_s:g}s for the whole "
                                                           "exchange)"))
            resp.complete = False
            resp.retryable = False  # a server that slow holds the host; the next run tries again
        return resp

    def _send(self, req: Request, resp: Response) -> None:
        try:
            prepared = self.session.prepare_request(requests.Request("GET", req.url, headers=req.headers))
            resp.sent_headers.extend((k, v) for k, v in prepared.headers.items())
            answer = self.session.send(prepared, stream=True, allow_redirects=False, timeout=self.timeout)
        except AddressRefused as exc:
            resp.refused, resp.refused_at = Failure(FailureKind.ADDRESS_NOT_ALLOWED, str(exc)), "send"
            return
        except requests.RequestException as exc:
            resp.failure, resp.retryable = _request_failure(exc)
            return
        try:
            self._read(answer, req.cap, resp)
        finally:
            answer.close()

    def _read(self, answer: requests.Response, cap: int, resp: Response) -> None:
        replay_at = getattr(answer, "replay_fetched_at", None)
        if replay_at is not None:
            resp.fetched_at = replay_at
        resp.status, resp.reason = answer.status_code, answer.reason or ""
        raw = answer.raw
        raw_headers = list(raw.headers.items()) if raw is not None else list(answer.headers.items())
        resp.retryable = resp.status in RETRY_STATUSES
        if resp.status in (429, 503):
            resp.retry_after = retry_after_seconds(answer.headers.get("Retry-After"))
        chunks: list[bytes] = []
        try:
            _read_body(raw, cap, chunks, resp)
        except (urllib3.exceptions.ReadTimeoutError, requests.Timeout, socket.timeout) as exc:
            resp.failure, resp.retryable = Failure(FailureKind.TIMED_OUT, f"timeout reading body: {_short(exc)}"), True
        except urllib3.exceptions.DecodeError as exc:
            # plain_reason never had words for it: "request failed", as before
            resp.failure = Failure(FailureKind.REQUEST_FAILED, f"content decoding failed: {_short(exc)}")
            resp.retryable = False
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, requests.RequestException,
                OSError) as exc:
            what = "truncated body" if "IncompleteRead" in repr(exc) else "connection broken"
            kind = kind_of_exception(exc, default=FailureKind.CONNECTION_DROPPED)
            resp.failure, resp.retryable = Failure(kind, f"{what}: {_short(exc)}"), True
        resp.body = b"".join(chunks)
        stored = [(k, v) for k, v in raw_headers if k.lower() not in _TRANSFER_HEADERS]
        encoding = answer.headers.get("Content-Encoding")
        if encoding:
            stored.append(("X-Tracker-Content-Encoding", encoding))
        stored.append(("Content-Length", str(len(resp.body))))
        resp.headers = stored


def _read_body(raw, cap: int, chunks: list[bytes], resp: Response) -> None:
    size = 0
    while True:
        chunk = raw.read(CHUNK, decode_content=True)
        if not chunk:
            resp.complete = True
            return
        size += len(chunk)
        if size > cap:  # the size-cap step says what this means
            resp.over_cap, resp.retryable = True, False
            return
        chunks.append(chunk)


def _request_failure(exc: requests.RequestException) -> tuple[Failure, bool]:
    if isinstance(exc, requests.Timeout):
        return Failure(kind_of_exception(exc, FailureKind.TIMED_OUT), f"timeout: {_short(exc)}"), True
    if isinstance(exc, requests.ConnectionError):
        return Failure(kind_of_exception(exc, FailureKind.REQUEST_FAILED), f"connection error: {_short(exc)}"), True
    kind = getattr(exc, "kind", None) or kind_of_exception(exc)
    return Failure(kind, f"request failed: {_short(exc)}"), bool(getattr(exc, "retryable", False))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
