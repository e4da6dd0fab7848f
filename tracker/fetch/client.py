"""The polite, archiving HTTP client: `Fetcher.get()` runs every request through the fetch chain
(tracker.fetch.chain) and returns a FetchResult.

The chain, in request order (tracker.fetch.steps): statistics, the guard (one URL reading from
tracker.fetch.urls, scheme, allowlist, an address literal, a host this run has stopped or whose address
was refused), robots.txt, the conditional request from crawl state, the size limit, pacing, HTTP errors,
retries with backoff, redirects, WARC capture and the size cap's verdict; then the downloader
(tracker.fetch.download) over the guarded connection (tracker.fetch.transport: public addresses only,
checked on the socket that connected, one wall-clock deadline per exchange). Each finished fetch is
recorded in the crawl state and counted. robots.txt is fetched through the same chain (its own size cap,
no robots check for itself), so a redirect is followed and checked in one place only.

`Fetcher.get()` is thread-safe. Per host name at most one request is in flight in a process, request
starts are at least max(settings.min_delay_s, robots Crawl-delay capped at `max_crawl_delay_s`) apart
(across processes too when settings.redis_url is set: tracker.fetch.pacing), and a backoff (429/503
Retry-After, or retries' exponential backoff) holds the whole host; different hosts proceed in parallel
when called from different threads (see tracker.stages.crawl).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timezone
from typing import Callable

import requests

from tracker.fetch import urls
from tracker.fetch.chain import Chain
from tracker.fetch.download import Budget, Downloader, NotRetryable, retry_after_seconds  # noqa: F401 - the client's API
from tracker.fetch.exchange import FetchResult, Purpose, Request
from tracker.fetch.pacing import HostGate, LocalPacer, Pacer, make_pacer
from tracker.fetch.reasons import Failure, FailureKind
from tracker.fetch.robots import RobotsCache, host_key
from tracker.fetch.state import CrawlState
from tracker.fetch.stats import Stats
from tracker.fetch.steps import (
    MAX_REDIRECTS,  # noqa: F401 - the client's API
    REDIRECT_STATUSES,  # noqa: F401 - the client's API
    Capture,
    Conditional,
    Gates,
    Guard,
    HttpErrors,
    Pacing,
    Problems,
    Record,
    Redirects,
    Retry,
    Robots,
    SizeCap,
    SizeLimit,
    Statistics,
    TimeBudget,
    refusal,  # noqa: F401 - for steps written elsewhere
    result_of,
)
from tracker.fetch.transport import AddressPolicy, GuardedAdapter
from tracker.settings import Settings

log = logging.getLogger(__name__)

# A robots.txt Crawl-delay above this is capped (and reported): 1e9 seconds must not stall a run.
# Heritrix caps at 300 s too.
MAX_CRAWL_DELAY_S = 300.0


class Politeness:
    """Per-host gates, per-origin robots.txt policies and the pacer, shared by every Fetcher of one process
    and run (so two sources crawled in threads never hit one host at once)."""

    def __init__(self, pacer: Pacer | None = None):
        self.gates = Gates()
        self.robots = RobotsCache()
        self.pacer = pacer if pacer is not None else LocalPacer()


class _Session(requests.Session):
    """requests decodes a Location header as UTF-8 even with allow_redirects=False (to offer `next`), so a
    Location that is not UTF-8 raised out of send(); the Redirects step reads Location itself."""

    def get_redirect_target(self, resp):
        try:
            return super().get_redirect_target(resp)
        except UnicodeDecodeError:
            return None


def make_session(settings: Settings, pool_size: int = 32) -> requests.Session:
    session = _Session()
    session.headers["User-Agent"] = settings.full_user_agent
    session.headers["Accept-Encoding"] = "gzip, deflate"
    adapter = GuardedAdapter(
        AddressPolicy.from_settings(settings), pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False  # no proxies or .netrc picked up from the environment by surprise
    return session


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
        stats: Stats | None = None,
        budget: Budget | None = None,
    ):
        self.settings = settings
        self.writer = writer
        self.state = state
        self.replay = bool(getattr(session, "is_replay", False))
        self.session = session if session is not None else make_session(settings)
        self.session.headers["User-Agent"] = settings.full_user_agent
        self.agent = settings.user_agent.split("/")[0].strip() or settings.user_agent
        # a replay touches no publisher: nothing to share with other processes' pacing
        self.politeness = politeness or Politeness(make_pacer("" if self.replay else settings.redis_url))
        # Canonical URLs allowed whatever their host (the watchlist): the host joins the allowlist for
        # that URL only; every other check (address guard, robots.txt, pacing) still applies.
        self.allowed_urls = frozenset(allowed_urls)
        self.stats = stats if stats is not None else Stats()
        self.problems_book = Problems()
        self.bad_link_examples: list[str] = []
        self._lock = threading.Lock()
        self.on_result: Callable[[str, FetchResult], None] | None = None  # progress hook
        # One wall-clock bound per exchange (connect, headers, body) on top of the connect/read
        # timeouts, which a server trickling a byte at a time never trips.
        deadline_s = deadline_s if deadline_s is not None else max(10 * settings.timeout_s, 60.0)
        describe = getattr(writer, "describe", None)
        if describe is not None:  # the WARC file's warcinfo record names the crawl's manners
            describe(http_header_user_agent=settings.full_user_agent, operator=settings.contact,
                     robots="obey (robots.txt per origin, Crawl-delay honoured up to "
                            f"{max_crawl_delay_s:g}s, at least {settings.min_delay_s:g}s between requests to a host)")
        self.capture = Capture(writer)
        self.guard = Guard(settings.allowed_hosts, self.allowed_urls, AddressPolicy.from_settings(settings),
                           self._gate, self.replay)
        self.robots = Robots(self.politeness.robots, self._fetch_robots, self.agent, self._gate, max_crawl_delay_s,
                             self.problems_book, self.replay)
        retry = Retry(self._gate, self.politeness.pacer, self.problems_book, max_attempts=max_attempts,
                      backoff_base_s=0.0 if self.replay else backoff_base_s, backoff_max_s=backoff_max_s,
                      # a host asking for a longer wait than this is stopped for the run rather than waited for
                      max_retry_after_s=max_retry_after_s)
        self.budget = budget  # the source's time for its whole crawl (None: unbounded, e.g. one URL)
        first = [Statistics(self.stats)] + ([TimeBudget(budget)] if budget is not None else [])
        self.chain = Chain(
            [*first, self.guard, self.robots, Conditional(state), SizeLimit(settings.max_body_bytes),
             Pacing(self._gate, self.politeness.pacer, sleep), HttpErrors(), retry, Redirects(self.capture.note),
             self.capture, SizeCap(), Record(state, self._warc_name)],
            Downloader(self.session, settings.timeout_s, deadline_s, self.replay, budget).send,
        )

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
            failure = Failure(FailureKind.BAD_URL, f"bad URL ({exc})")
            return FetchResult(url=requested, final_url=requested, status=0, headers={}, body=b"",
                               fetched_at=datetime.now(timezone.utc), skipped=failure.text, failure=failure)
        result = self._fetch(Request(url, url, conditional=conditional, published=published, source=source))
        self.chain.finish(result)
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
        if self.guard.check(url):
            return []
        return self.robots.policy(url).sitemaps()

    def note_bad_link(self, url: str, why: str) -> None:
        """A link skipped because it cannot be read one way only (counted for the run summary)."""
        log.warning("skipping a malformed link (%s): %r", why, url[:200])
        self.stats.inc("fetch/bad_links")
        with self._lock:
            if len(self.bad_link_examples) < 5:
                self.bad_link_examples.append(f"{url[:200]!r} ({why})")

    @property
    def bad_links(self) -> int:
        """Links skipped because they cannot be read one way only."""
        return self.stats.get("fetch/bad_links")

    @property
    def host_stats(self) -> dict[str, dict[str, int]]:
        """Per host (scheme://host:port): requests sent and each outcome of `get`, from the stats object."""
        return self.stats.hosts()

    @property
    def problems(self) -> dict[tuple[str, str], str]:
        """What a run summary reports about hosts (a stop, a capped Crawl-delay), one line per host and kind."""
        return dict(self.problems_book.messages)

    # --- driving the chain -------------------------------------------------------------------

    def _fetch(self, req: Request) -> FetchResult:
        """Run the request, and each retry or redirect it asks for, through the chain."""
        previous: FetchResult | None = None
        while True:
            resp = self.chain.run(req)
            if resp.refused:  # nothing was sent for this hop
                if previous is None:
                    return FetchResult(url=req.asked, final_url=req.asked, status=0, headers={}, body=b"",
                                       fetched_at=resp.fetched_at, skipped=resp.refused.text, failure=resp.refused)
                previous.failure = resp.refused.redirected(req.url)
                previous.error = previous.failure.text
                return previous
            result = result_of(req, resp)
            if resp.follow is None:
                return result
            if resp.follow.url != req.url:  # a redirect (a retry keeps the hop it retries)
                previous = result
            req = resp.follow

    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes | None, Failure | None]:
        """robots.txt through the same chain; (status, body, failure) for the policy."""
        result = self._fetch(Request(robots_url, robots_url, purpose=Purpose.ROBOTS, conditional=False))
        failure = result.failure if (result.error or result.skipped) else None
        if failure is None or failure.kind is FailureKind.TOO_LARGE:  # the first ROBOTS_MAX_BYTES are read
            return result.status, result.body, None
        if self.replay and failure.kind is FailureKind.NOT_IN_ARCHIVE:
            return 404, None, None  # an archive without robots.txt (e.g. ingested files): no rules
        return result.status, None, failure

    def _gate(self, url: str) -> HostGate:
        """The host's gate: pacing is per host name, whatever the scheme or port."""
        return self.politeness.gates.of(url, 0.0 if self.replay else self.settings.min_delay_s)

    def _warc_name(self) -> str | None:
        path = getattr(self.writer, "path", None)
        return path.name if path is not None else None
