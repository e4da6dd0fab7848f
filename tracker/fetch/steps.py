"""The steps of the fetch chain, each one decision (see tracker.fetch.chain for how they are run).

In request order: statistics, the allowlist and address guard, robots.txt, the conditional request,
the size cap's limit, pacing, HTTP errors, retries, redirects, WARC capture, the size cap's verdict
(last, so the capture step already sees it) and the crawl-state record (its `on_result` only).
Response hooks run in the reverse order, so pacing is released only after the retry step has set a
backoff under the host's lock, and the archive records each exchange before anything decides what to
do next. `on_result` runs once per `Fetcher.get`, on the FetchResult, in request order.

Each step is built for its Fetcher by `from_settings(settings, shared)`, as Scrapy builds a middleware with
`from_crawler`: from the settings and what the Fetcher's steps share (`Shared`). Which steps a Fetcher runs is a
list of classes (tracker.fetch.client.LIVE; a replay's list is tracker.fetch.replay's).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from tracker.fetch import urls
from tracker.fetch.archive import ArchiveWriter
from tracker.fetch.download import Budget, Limits
from tracker.fetch.exchange import FetchResult, Purpose, Request, Response, lower_headers
from tracker.fetch.pacing import HostGate, Pacer
from tracker.fetch.reasons import Failure, FailureKind
from tracker.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsPolicy, host_key
from tracker.fetch.state import CrawlState
from tracker.fetch.stats import Stats
from tracker.fetch.transport import AddressPolicy
from tracker.parse.text import printable
from tracker.settings import Settings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 10


def refusal(req: Request, failure: Failure, at: str = "check") -> Response:
    """What a request hook returns to stop a request before it is sent."""
    return Response(url=req.url, refused=failure, refused_at=at)


class Step:
    """One decision about every request: `on_request` may refuse it (returning a Response), `on_response`
    may change what came back (or set `follow`), `on_result` sees each finished `Fetcher.get`."""

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step | None:
        """The step for one Fetcher; None leaves it out of the chain (as Scrapy's NotConfigured does)."""
        return cls()

    def on_request(self, req: Request) -> Response | None:
        return None

    def on_response(self, req: Request, resp: Response) -> None:
        return None

    def on_result(self, result: FetchResult) -> None:
        return None

    def on_abort(self, req: Request) -> None:
        """An exception left the chain mid-request: give back what on_request took."""
        return None


class Problems:
    """What a run summary reports about hosts (a stop, a capped Crawl-delay): one line per host and kind."""

    def __init__(self):
        self._lock = threading.Lock()
        self.messages: dict[tuple[str, str], str] = {}

    def note(self, host: str, kind: str, message: str) -> None:
        with self._lock:
            if (host, kind) not in self.messages:
                log.warning("%s", message)
                self.messages[(host, kind)] = message


class Archive:
    """One Fetcher's WARC file, written by one thread at a time (an exchange's records stay together)."""

    def __init__(self, writer: ArchiveWriter):
        self.writer = writer
        self.lock = threading.Lock()

    def note(self, url: str, text: str, when: datetime | None = None) -> None:
        with self.lock:
            self.writer.write_metadata(url, text, when or datetime.now(timezone.utc))


class Gates:
    """Each host name's HostGate, shared by every Fetcher of a process (pacing is per host, whatever the port)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._gates: dict[str, HostGate] = {}

    def of(self, url: str, delay: float) -> HostGate:
        host = urls.parse(url).host
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = HostGate(host, delay)
            return gate


@dataclass(frozen=True)
class Shared:
    """What the steps of one Fetcher are built from besides the settings: what they share with each other and
    with the Fetcher."""

    state: CrawlState
    stats: Stats
    archive: Archive
    problems: Problems
    robots: RobotsCache
    pacer: Pacer
    gate: Callable[[str], HostGate]  # the host's gate (pacing is per host name)
    fetch_robots: Callable[[str], tuple]  # robots.txt through the same chain
    limits: Limits
    budget: Budget | None  # the source's time for its whole crawl (None: unbounded, e.g. one URL)
    # Canonical URLs allowed whatever their host (the watchlist): the host joins the allowlist for that URL only;
    # every other check (address guard, robots.txt, pacing) still applies.
    allowed_urls: frozenset[str]


class TimeBudget(Step):
    """The source's time budget (tracker.fetch.download.Budget): once it is spent, no page is asked for.
    robots.txt is exempt (the Downloader's deadline still bounds it): its failure would be cached as the host's
    policy for the whole run, which every source on that host shares."""

    def __init__(self, budget: Budget):
        self.budget = budget

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step | None:
        return cls(shared.budget) if shared.budget is not None else None

    def on_request(self, req: Request) -> Response | None:
        if req.purpose is Purpose.ROBOTS or not self.budget.spent:
            return None
        return refusal(req, self.budget.failure())


class Statistics(Step):
    """Counts requests sent, statuses, outcomes, failure kinds and their plain-words reasons."""

    def __init__(self, stats: Stats):
        self.stats = stats

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.stats)

    def on_response(self, req: Request, resp: Response) -> None:
        if resp.refused:
            return
        self.stats.inc(f"fetch/host/{host_key(req.url)}/requests")
        if resp.status:
            self.stats.inc(f"fetch/responses/{resp.status}")

    def on_result(self, result: FetchResult) -> None:
        self.stats.inc(f"fetch/host/{host_key(result.url)}/{result.outcome}")
        if result.failure is not None and (result.error or result.skipped):
            self.stats.inc(f"fetch/failures/{result.failure.kind.name.lower()}")
            self.stats.inc(f"fetch/reasons/{result.failure.phrase}")


class Guard(Step):
    """The allowlist (hosts, plus URLs allowed whatever their host), the scheme, an address literal, and a
    host this run has stopped or whose address was refused."""

    def __init__(self, allowed_hosts: frozenset[str], allowed_urls: frozenset[str], addresses: AddressPolicy,
                 gate: Callable[[str], HostGate]):
        self.allowed_hosts = allowed_hosts
        self.allowed_urls = allowed_urls
        self.addresses = addresses
        self.gate = gate

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(settings.allowed_hosts, shared.allowed_urls, AddressPolicy.from_settings(settings), shared.gate)

    def check(self, url: str, *, allowlist: bool = True) -> Failure | None:
        try:
            parts = urls.parse(url)
        except urls.BadUrl as exc:
            return Failure(FailureKind.BAD_URL, f"bad URL ({exc})")
        if parts.scheme not in urls.DEFAULT_PORTS:
            return Failure(FailureKind.SCHEME_NOT_ALLOWED, f"scheme not allowed ({parts.scheme})")
        if allowlist and parts.host not in self.allowed_hosts and str(parts) not in self.allowed_urls:
            return Failure(FailureKind.HOST_NOT_ALLOWED, f"host not allowed ({parts.host})")
        literal = urls.ip_literal(parts.host)
        if literal is not None and not self.addresses.permits(literal):
            return Failure(FailureKind.ADDRESS_NOT_ALLOWED, f"{parts.host} is a non-public address")
        return self.gate(url).closed

    def on_request(self, req: Request) -> Response | None:
        # robots.txt is asked for a URL that passed already (a watched URL's host may be off the allowlist);
        # where it redirects must pass like any hop
        first_robots = req.purpose is Purpose.ROBOTS and req.previous is None
        failure = self.check(req.url, allowlist=not first_robots)
        return refusal(req, failure) if failure else None


class Robots(Step):
    """robots.txt of the URL's origin (fetched once per run, through this same chain) allows the URL; its
    Crawl-delay, capped, raises the host's delay."""

    def __init__(self, cache: RobotsCache, fetch: Callable[[str], tuple], agent: str, gate: Callable[[str], HostGate],
                 max_crawl_delay_s: float, problems: Problems):
        self.cache = cache
        self.fetch = fetch
        self.agent = agent
        self.gate = gate
        self.max_crawl_delay_s = max_crawl_delay_s
        self.problems = problems

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        agent = settings.user_agent.split("/")[0].strip() or settings.user_agent
        return cls(shared.robots, shared.fetch_robots, agent, shared.gate, shared.limits.max_crawl_delay_s,
                   shared.problems)

    def policy(self, url: str) -> RobotsPolicy:
        policy = self.cache.policy(url, self.fetch)
        self.pace(url, policy)
        return policy

    def pace(self, url: str, policy: RobotsPolicy) -> None:
        """The host's delay rises to the Crawl-delay its robots.txt asks for, capped (the cap is reported)."""
        asked = policy.crawl_delay(self.agent)
        if asked > self.max_crawl_delay_s:
            self.problems.note(urls.parse(url).host, "crawl-delay",
                               f"robots.txt of {host_key(url)} asks for a Crawl-delay of {asked:g}s: "
                               f"capped at {self.max_crawl_delay_s:g}s")
        gate = self.gate(url)
        gate.delay = max(gate.delay, min(asked, self.max_crawl_delay_s))

    def on_request(self, req: Request) -> Response | None:
        if req.purpose is Purpose.ROBOTS:
            return None
        policy = self.policy(req.url)
        if policy.allowed(req.url, self.agent):
            return None
        return refusal(req, self.gate(req.url).closed or policy.refusal())


class Conditional(Step):
    """The first hop (and the URL its last capture came from) asks If-None-Match / If-Modified-Since, when
    the crawl state has validators whose capture is still in the archive."""

    def __init__(self, state: CrawlState):
        self.state = state

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.state)

    def on_request(self, req: Request) -> Response | None:
        if not req.conditional:
            return None
        etag, last_modified = self.state.validators(req.asked)
        if not (etag or last_modified):
            return None
        if req.capture_url is None:
            req.capture_url = self.state.get(req.asked).capture_url or req.asked
        if req.url in (req.asked, req.capture_url):
            if etag:
                req.headers["If-None-Match"] = etag
            if last_modified:
                req.headers["If-Modified-Since"] = last_modified
        return None


class SizeLimit(Step):
    """How many body bytes a request may read: robots.txt its RFC 9309 share, any other the settings' cap."""

    def __init__(self, max_body_bytes: int):
        self.max_body_bytes = max_body_bytes

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(settings.max_body_bytes)

    def on_request(self, req: Request) -> Response | None:
        req.cap = ROBOTS_MAX_BYTES if req.purpose is Purpose.ROBOTS else self.max_body_bytes
        return None


class SizeCap(Step):
    """A body over the cap is a failure (what was read is kept only as a note in the archive)."""

    def on_response(self, req: Request, resp: Response) -> None:
        if resp.over_cap and resp.failure is None:
            resp.failure = Failure(FailureKind.TOO_LARGE, f"body over cap ({req.cap} bytes)")


class Pacing(Step):
    """One request in flight per host in this process, starts spaced by the pacer (in-process or Redis)."""

    def __init__(self, gate: Callable[[str], HostGate], pacer: Pacer):
        self.gate = gate
        self.pacer = pacer

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.gate, shared.pacer)

    def on_request(self, req: Request) -> Response | None:
        gate = self.gate(req.url)
        gate.lock.acquire()
        if gate.closed:  # stopped or refused while this request waited for the lock
            gate.lock.release()
            return refusal(req, gate.closed, at="send")
        wait = self.pacer.reserve(gate)
        if wait > 0:
            time.sleep(wait)
        gate.last_start = max(gate.last_start, time.monotonic())  # the next start is spaced from this one
        req.held = gate
        return None

    def on_response(self, req: Request, resp: Response) -> None:
        gate = req.held
        if gate is None:
            return
        if resp.refused:  # the address guard refused the connection: the host gets no more requests
            gate.refused = resp.refused
        req.held = None
        gate.lock.release()

    def on_abort(self, req: Request) -> None:
        if req.held is not None:
            req.held.lock.release()
            req.held = None


class HttpErrors(Step):
    """A final page response of 400 or more is a failure ("HTTP 404"); robots.txt statuses are its policy's."""

    def on_response(self, req: Request, resp: Response) -> None:
        if req.purpose is Purpose.PAGE and resp.status >= 400 and not (resp.failure or resp.follow or resp.refused):
            resp.failure = Failure(FailureKind.HTTP_STATUS, f"HTTP {resp.status}", resp.status)


class Retry(Step):
    """A retryable answer holds the whole host (exponential backoff with jitter, or Retry-After) and is
    tried again; a wait longer than the run can afford stops the host; the last attempt fails."""

    def __init__(self, gate: Callable[[str], HostGate], pacer: Pacer, problems: Problems, limits: Limits):
        self.gate = gate
        self.pacer = pacer
        self.problems = problems
        self.limits = limits

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.gate, shared.pacer, shared.problems, shared.limits)

    def backoff(self, attempt: int) -> float:
        """Exponential with 'equal jitter': half fixed, half random, so retries never bunch up."""
        base = self.limits.backoff_base_s
        if base <= 0:
            return 0.0
        full = min(self.limits.backoff_max_s, base * (2 ** (attempt - 1)))
        return full / 2 + random.uniform(0, full / 2)

    def on_response(self, req: Request, resp: Response) -> None:
        if resp.refused or not resp.retryable:
            return
        if resp.retry_after is not None and resp.retry_after > self.limits.max_retry_after_s:
            self._stop(req, resp)
            return
        self.pacer.hold(req.held or self.gate(req.url), max(self.backoff(req.attempt), resp.retry_after or 0.0))
        what = resp.failure or Failure(FailureKind.HTTP_STATUS, f"HTTP {resp.status}", resp.status)
        if req.attempt < max(1, self.limits.max_attempts):
            log.info("retrying %s after the host's backoff (%s)", req.url, what.text)
            resp.follow = req.retry()
            return
        resp.failure = Failure(what.kind, f"{what.text} (gave up after {req.attempt} attempts)", what.status,
                               what.cause)

    def _stop(self, req: Request, resp: Response) -> None:
        gate, host, status = self.gate(req.url), urls.parse(req.url).host, resp.status
        gate.stopped = Failure(
            FailureKind.HOST_STOPPED,
            f"{host} asked for a {resp.retry_after:.0f}s wait (HTTP {status} Retry-After), more than the "
            f"{self.limits.max_retry_after_s:.0f}s this run can afford: no more requests to it this run", status)
        self.problems.note(host, "stopped", gate.stopped.text)
        resp.failure = Failure(FailureKind.HTTP_STATUS, f"HTTP {status}: Retry-After {resp.retry_after:.0f}s exceeds "
                               f"{self.limits.max_retry_after_s:.0f}s", status)
        resp.retryable = False

    def on_result(self, result: FetchResult) -> None:
        gate = self.gate(result.url)
        if result.skipped and gate.stopped and result.skipped == gate.stopped.text:
            self.problems.note(urls.parse(result.url).host, "stopped", gate.stopped.text)


class Redirects(Step):
    """A 3xx is followed to its Location (a new hop through the whole chain), unless it is unreadable,
    loops or goes on past MAX_REDIRECTS; the hop's own checks refuse the rest."""

    def __init__(self, note: Callable[[str, str], None]):
        self.note = note

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.archive.note)

    def on_response(self, req: Request, resp: Response) -> None:
        if resp.failure or resp.refused or resp.status not in REDIRECT_STATUSES:
            return
        location = resp.header("location")
        if not location:
            kind = FailureKind.REDIRECT_REFUSED if req.purpose is Purpose.ROBOTS else FailureKind.HTTP_STATUS
            resp.failure = Failure(kind, f"HTTP {resp.status} without a Location header", resp.status)
            return
        try:
            target = urls.join(req.url, location)
        except urls.BadUrl as exc:
            target, why = printable(location[:200]), Failure(FailureKind.BAD_URL, f"bad URL ({exc})")
        else:
            why = None
            if len(req.hops) >= MAX_REDIRECTS:
                why = Failure(FailureKind.REDIRECT_REFUSED, f"more than {MAX_REDIRECTS} redirects")
            elif target == req.asked or target in req.hops:
                why = Failure(FailureKind.REDIRECT_REFUSED, "redirect loop")
        if why is None:
            resp.follow = req.redirect(target)
            return
        resp.failure = why.redirected(target)
        if req.purpose is Purpose.PAGE:
            self.note(req.asked, f"redirect from {req.url} to {target} refused: {why.text}")


class CaptureStep(Step):
    """Every exchange goes to the WARC file: the request, then the response when one came whole, else a
    note of what happened (never a response record the processing stage could take for a document)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.note = archive.note

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.archive)

    def on_response(self, req: Request, resp: Response) -> None:
        if resp.refused:
            self._refused(req, resp)
            return
        writer = self.archive.writer
        with self.archive.lock:
            request_id = writer.write_request(req.url, resp.sent_headers, fetched_at=resp.fetched_at)
            if resp.status and resp.complete:
                writer.write_response(
                    req.url, resp.body, status=resp.status, headers=resp.headers, fetched_at=resp.fetched_at,
                    source=req.source, published=req.published, concurrent_to=request_id,
                )
            else:
                got = f"HTTP {resp.status} {resp.reason}, {len(resp.body)} bytes received; " if resp.status else ""
                why = resp.failure.text if resp.failure else None
                writer.write_metadata(req.url, f"failed attempt: {got}{why}", resp.fetched_at)

    def _refused(self, req: Request, resp: Response) -> None:
        if resp.refused_at == "send":  # no request left: a note of why, no request record
            self.note(req.url, f"not requested: {resp.refused.text}", resp.fetched_at)
        elif req.purpose is Purpose.ROBOTS:
            return  # the robots.txt policy records why it could not be read
        elif req.previous is not None:
            self.note(req.asked, f"redirect from {req.previous} to {req.url} refused: {resp.refused.text}")
        else:
            self.note(req.url, f"skipped: {resp.refused.text}", resp.fetched_at)


class RecordStep(Step):
    """Each finished fetch updates the crawl state (validators, hashes, failures), checkpointed as it goes."""

    def __init__(self, state: CrawlState, warc_name: str):
        self.state = state
        self.warc_name = warc_name

    @classmethod
    def from_settings(cls, settings: Settings, shared: Shared) -> Step:
        return cls(shared.state, shared.archive.writer.path.name)

    def on_result(self, result: FetchResult) -> None:
        url, state = result.url, self.state
        if result.skipped:
            state.record_skipped(url, result.skipped)
        elif result.error:
            state.record_failure(url, result.status, result.error, result.fetched_at)
        elif result.not_modified:
            state.record_not_modified(url, etag=result.headers.get("etag"),
                                      last_modified=result.headers.get("last-modified"), fetched_at=result.fetched_at)
        elif result.status == 200:
            state.record_ok(
                url, 200, etag=result.headers.get("etag"), last_modified=result.headers.get("last-modified"),
                sha256=hashlib.sha256(result.body).hexdigest(), capture_warc=self.warc_name,
                capture_url=result.final_url, fetched_at=result.fetched_at,
            )
        else:
            state.record_response(url, result.status, result.fetched_at)
        state.maybe_save()


def result_of(req: Request, resp: Response) -> FetchResult:
    """The FetchResult of a hop that got an answer (or a failure without one)."""
    failure = resp.failure
    result = FetchResult(
        url=req.asked, final_url=req.url, status=resp.status, headers=lower_headers(resp.headers), body=resp.body,
        fetched_at=resp.fetched_at, error=failure.text if failure else None, attempts=req.attempt,
        redirects=list(req.hops), not_modified=resp.status == 304 and failure is None, failure=failure,
    )
    if result.not_modified:
        result.body = b""
    return result
