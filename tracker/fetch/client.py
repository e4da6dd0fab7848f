"""The polite, archiving HTTP client: `Fetcher.get()` runs every request through the fetch chain
(tracker.fetch.chain) and returns a FetchResult.

The chain, in request order (tracker.fetch.steps): statistics, the guard (one URL reading from
tracker.fetch.urls, scheme, allowlist, an address literal, a host this run has stopped or whose address
was refused), robots.txt, the conditional request from crawl state, the size limit, pacing, HTTP errors,
retries with backoff, redirects, WARC capture and the size cap's verdict; then the downloader
(tracker.fetch.download) over the guarded connection (tracker.fetch.transport: public addresses only,
checked on the socket that connected, one wall-clock deadline per exchange). Each finished fetch is
recorded in the crawl state and counted. robots.txt is fetched through the same chain (its own size cap,
no robots check for itself), so a redirect is followed and checked in one place only. That list of steps
and the downloader at its end are the Fetcher's `Route`: `LIVE` here, a replay's in tracker.fetch.replay.

`Fetcher.get()` is thread-safe. Per host name at most one request is in flight in a process, request
starts are at least max(settings.min_delay_s, robots Crawl-delay capped at `Limits.max_crawl_delay_s`) apart
(across processes too when settings.redis_url is set: tracker.fetch.pacing), and a backoff (429/503
Retry-After, or retries' exponential backoff) holds the whole host; different hosts proceed in parallel
when called from different threads (see tracker.stages.crawl).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone

import requests

from tracker.fetch import urls
from tracker.fetch.archive import ArchiveWriter
from tracker.fetch.chain import Chain
from tracker.fetch.download import Budget, Downloader, Limits
from tracker.fetch.download import NotRetryable, retry_after_seconds  # noqa: F401 - the client's API
from tracker.fetch.exchange import FetchResult, Purpose, Request
from tracker.fetch.pacing import HostGate, LocalPacer, Pacer, make_pacer
from tracker.fetch.reasons import Failure, FailureKind
from tracker.fetch.robots import RobotsCache
from tracker.fetch.state import CrawlState
from tracker.fetch.stats import Stats
from tracker.fetch.steps import (
    MAX_REDIRECTS,  # noqa: F401 - the client's API
    REDIRECT_STATUSES,  # noqa: F401 - the client's API
    Archive,
    CaptureStep,
    Conditional,
    Gates,
    Guard,
    HttpErrors,
    Pacing,
    Problems,
    RecordStep,
    Redirects,
    Retry,
    Robots,
    SizeCap,
    Shared,
    SizeLimit,
    Statistics,
    Step,
    TimeBudget,
    refusal,  # noqa: F401 - for steps written elsewhere
    result_of,
)
from tracker.fetch.transport import AddressPolicy, GuardedAdapter
from tracker.settings import Settings

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Route:
    """Which way a Fetcher's requests go: through `steps`, in request order (each built by its `from_settings`),
    then `downloader` over `session` (None: a new guarded session), paced by `pacer` when the Fetcher is given no
    Politeness to share (None: the settings' pacer, shared through Redis when it is set)."""

    steps: tuple[type[Step], ...]
    downloader: type[Downloader] = Downloader
    session: requests.Session | None = None
    pacer: Pacer | None = None


# To the publishers' servers. A replay from the archive goes another way (tracker.fetch.replay).
LIVE = Route((Statistics, TimeBudget, Guard, Robots, Conditional, SizeLimit, Pacing, HttpErrors, Retry, Redirects,
              CaptureStep, SizeCap, RecordStep))


class Fetcher:
    """Polite GETs with WARC capture and crawl-state bookkeeping. See the module docstring."""

    def __init__(self, settings: Settings, writer: ArchiveWriter, state: CrawlState, *, route: Route = LIVE,
                 politeness: Politeness | None = None, stats: Stats | None = None, budget: Budget | None = None,
                 allowed_urls: frozenset[str] = frozenset(), limits: Limits = Limits()):
        self.settings = settings
        self.politeness = politeness or Politeness(route.pacer or make_pacer(settings.redis_url))
        self.stats = stats if stats is not None else Stats()
        self.problems_book = Problems()
        self.bad_link_examples: list[str] = []
        self._lock = threading.Lock()
        # the WARC file's warcinfo record names the crawl's manners
        writer.describe(http_header_user_agent=settings.full_user_agent, operator=settings.contact,
                        robots="obey (robots.txt per origin, Crawl-delay honoured up to "
                               f"{limits.max_crawl_delay_s:g}s, at least {settings.min_delay_s:g}s between requests "
                               "to a host)")
        shared = Shared(state=state, stats=self.stats, archive=Archive(writer), problems=self.problems_book,
                        robots=self.politeness.robots, pacer=self.politeness.pacer, gate=self._gate,
                        fetch_robots=self._fetch_robots, limits=limits, budget=budget,
                        allowed_urls=frozenset(allowed_urls))
        session = route.session or make_session(settings)
        session.headers["User-Agent"] = settings.full_user_agent
        self.chain = Chain([step for kind in route.steps if (step := kind.from_settings(settings, shared)) is not None],
                           route.downloader.from_settings(settings, session, limits, budget).send)
        self.guard, self.robots = self.chain.step(Guard), self.chain.step(Robots)

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
        if failure.kind is FailureKind.NOT_IN_ARCHIVE:  # a replay's archive without it (e.g. ingested files)
            return 404, None, None  # no rules
        return result.status, None, failure

    def _gate(self, url: str) -> HostGate:
        """The host's gate: pacing is per host name, whatever the scheme or port."""
        return self.politeness.gates.of(url, self.settings.min_delay_s)
