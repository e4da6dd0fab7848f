"""The crawl engine: one worker per host, discovery by the source adapters, what they follow at depth 1.

- `crawl_urls(fetcher, urls)`: fetch a list of URLs, hosts in parallel, one request in flight per host.
- `crawl_source(settings, source, since)`: one source (one Airflow task): the adapter's discover(),
  every candidate, what the adapter's follow() finds in fetched pages (PDF attachments; GOV.UK child
  pages for DHSC); its own WARC file and crawl-state file.
- `crawl_sources(settings, sources, since)`: several sources in threads (the CLI's `tracker run`).

`crawl_source` in steps: `plan_crawl` decides before any request (the adapter, where discovery starts,
which URLs and hosts may be fetched); the fetch counts into the run's one `Stats` object (the fetcher's
`fetch/...` requests, the crawl's `crawl/...` jobs; `follow_ups` decides what a fetched page leads to,
`retry_jobs` what is tried again) and notes into the `CrawlSummary` (tracker.fetch.crawl_summary), which takes
its counts from the statistics; `record_crawl` is the one place that writes the results: the crawl state
and the summary JSON source health reads. The crawler knows no source by name: what differs per source
is a hook of its adapter (tracker.sources.base).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tracker.fetch.archive import ArchiveWriter, sha256_file
from tracker.fetch.client import LIVE, Budget, Fetcher, FetchResult, Limits, Politeness, Route
from tracker.fetch.pacing import make_pacer
from tracker.fetch.reasons import plain_reason
from tracker.fetch.robots import host_key
from tracker.fetch.state import CrawlState
from tracker.fetch.urls import BadUrl, host_of
from tracker.fetch.stats import Stats
from tracker.fetch.crawl_summary import CrawlSummary
from tracker.health import crawl_failure, write_crawl_summary
from tracker.items import Capture, Publication
from tracker.progress import bar
from tracker.settings import SOURCES, WATCHLIST, Settings
from tracker.sources import ADAPTERS, SourceAdapter, adapter_of, kind_of
from tracker.sources.discovery import SourceDegraded

log = logging.getLogger(__name__)


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """Per-host counts (done, queued, failed): one updating stderr line with a bar (done of done + queued:
    discovery queues more as it goes) on a TTY, else log lines."""

    def __init__(self, label: str = "fetch", *, stream=None, every: int = 25, interval_s: float = 0.25):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self.stats = Stats()  # progress/<host>/<done|queued|failed>
        self._done_total = 0
        self._last_draw = 0.0
        self._drawn = False

    @property
    def hosts(self) -> dict[str, dict[str, int]]:
        return self.stats.table("progress", ("done", "queued", "failed"))

    def queued(self, host: str, n: int = 1) -> None:
        self.stats.inc(f"progress/{host}/queued", n)

    def done(self, host: str, result: FetchResult) -> None:
        with self._lock:
            if self.stats.get(f"progress/{host}/queued") > 0:
                self.stats.inc(f"progress/{host}/queued", -1)
            self.stats.inc(f"progress/{host}/done")
            if result.error:
                self.stats.inc(f"progress/{host}/failed")
            self._done_total += 1
            self._emit(final=False)

    def line(self) -> str:
        parts = []
        for host, h in sorted(self.hosts.items()):
            name = host.split("://", 1)[-1]
            parts.append(f"{name} {h['done']} done, {h['queued']} queued, {h['failed']} failed")
        return f"{self.label}: " + " | ".join(parts)

    def _emit(self, final: bool) -> None:
        if self.tty:
            now = time.monotonic()
            if final or now - self._last_draw >= self.interval_s:
                self._last_draw = now
                hosts = self.hosts.values()
                done = sum(h["done"] for h in hosts)
                todo = done + sum(h["queued"] for h in hosts)
                self.stream.write("\r\x1b[K" + f"{bar(done, todo)} {self.line()}"[:200] + ("\n" if final else ""))
                self.stream.flush()
                self._drawn = not final
        elif final or self._done_total % self.every == 0:
            log.info("%s", self.line())

    def finish(self) -> None:
        with self._lock:
            if self.hosts:
                self._emit(final=True)


# --- the engine -------------------------------------------------------------------------------


@dataclass
class CrawlJob:
    url: str
    index: int = -1  # position in crawl_urls' input
    depth: int = 0
    published: date | None = None
    source: str | None = None
    extra: dict = field(default_factory=dict)


class HostPool:
    """Per-host FIFO queues, one worker thread per host (started on its first URL).

    The Fetcher enforces the per-host delay; this gives every host its own thread so hosts proceed
    in parallel and a run lasts as long as its busiest host. `handle(job, result)` runs in the
    worker and may submit more jobs (attachments). URLs are de-duplicated.
    """

    def __init__(self, fetcher: Fetcher, handle: Callable[[CrawlJob, FetchResult], None] | None = None,
                 progress: Progress | None = None):
        self.fetcher = fetcher
        self.handle = handle
        self.progress = progress
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queues: dict[str, queue.SimpleQueue] = {}
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._seen: set[str] = set()
        self._cancelled = False
        self.dropped = 0  # jobs left unfetched by cancel()
        self.errors: list[str] = []

    def submit(self, job: CrawlJob) -> bool:
        try:
            key = host_key(job.url)
        except ValueError as exc:  # one unreadable link is skipped and counted, never the whole source
            self.fetcher.note_bad_link(job.url, str(exc))
            return False
        with self._lock:
            if job.url in self._seen:
                return False
            self._seen.add(job.url)
            self._pending += 1
            q = self._queues.get(key)
            if q is None:
                q = self._queues[key] = queue.SimpleQueue()
                t = threading.Thread(target=self._work, args=(q,), name=f"fetch {key}", daemon=True)
                self._threads.append(t)
                t.start()
        if self.progress:
            self.progress.queued(key)
        q.put(job)
        return True

    def seen(self, url: str) -> bool:
        with self._lock:
            return url in self._seen

    def _work(self, q: queue.SimpleQueue) -> None:
        while True:
            job = q.get()
            if job is None:
                return
            try:
                if self._cancelled:  # interrupted or out of time: queued URLs are left for the next run
                    with self._lock:
                        self.dropped += 1
                    continue
                result = self.fetcher.get(job.url, published=job.published, source=job.source)
                if self.progress:
                    self.progress.done(host_key(job.url), result)
                if self.handle:
                    self.handle(job, result)
            except Exception as exc:  # a bug in one URL's handling must not stall the others
                log.exception("fetching %s failed", job.url)
                with self._lock:
                    self.errors.append(f"{job.url}: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.notify_all()

    def cancel(self) -> None:
        """Drop the jobs not started yet (requests in flight finish and are archived)."""
        self._cancelled = True

    def join(self) -> None:
        """Wait until every submitted job (and every job those submitted) is done; stop the workers."""
        with self._lock:
            while self._pending:
                self._idle.wait()
            queues = list(self._queues.values())
            threads = list(self._threads)
        for q in queues:
            q.put(None)
        for t in threads:
            t.join()
        if self.progress:
            self.progress.finish()


def crawl_urls(fetcher: Fetcher, urls: Iterable[str], *, progress: Progress | None = None) -> list[FetchResult]:
    """Fetch every URL (in input order in the result); hosts in parallel, one request per host at a time.

    A URL given twice is fetched once; both positions get the same result.
    """
    urls = list(urls)
    results: dict[str, FetchResult] = {}
    lock = threading.Lock()

    def keep(job: CrawlJob, result: FetchResult) -> None:
        with lock:
            results[job.url] = result

    pool = HostPool(fetcher, keep, progress or Progress("fetch"))
    try:
        for i, url in enumerate(urls):
            pool.submit(CrawlJob(url=url, index=i))
    finally:
        pool.join()
    return [results[url] for url in urls]


# --- one source ------------------------------------------------------------------------------


def begin_summary(settings: Settings, source: str, since: date | None, run: str | None) -> CrawlSummary:
    """The summary of a crawl about to start (written at once as "not finished"); never raises, so that a
    crawl failing from its first step still leaves a failed summary behind (an unreadable base URL is
    the crawl's failure, met in plan_crawl)."""
    base = settings.base_urls.get(source)
    try:
        base_host = host_key(base) if base else None
    except BadUrl:
        base_host = None
    return CrawlSummary(source=source, run=run, since=since.isoformat() if since else None, base_host=base_host)


@dataclass(frozen=True)
class CrawlPlan:
    """What one source's crawl will do, decided before any request."""

    source: str
    adapter: SourceAdapter
    base_url: str  # where discovery starts ("" for the watchlist)
    since: date | None
    watched: frozenset[str]  # URLs fetched whatever their host (the watchlist's pages)
    allowed_hosts: frozenset[str]

    @property
    def base_host(self) -> str | None:
        return host_of(self.base_url) if self.base_url else None

    def job(self, url: str, *, depth: int = 0, published: date | None = None) -> CrawlJob:
        """A fetch of `url`, tagged with the source the adapter gives it (its own host's pages are its own)."""
        return CrawlJob(url=url, depth=depth, published=published, source=self.adapter.source_hint(url, self.base_host))


def plan_crawl(settings: Settings, source: str, since: date | None) -> CrawlPlan:
    """The crawl of `source`, from its adapter and the settings (the watchlist's plan reads its file);
    BadUrl when the source's base URL cannot be read."""
    adapter = ADAPTERS[source]
    if base := settings.base_urls.get(source):
        host_key(base)
    return CrawlPlan(source=source, adapter=adapter, base_url=adapter.base_url(settings), since=since,
                     watched=adapter.watched_urls(settings), allowed_hosts=settings.allowed_hosts)


def follow_ups(plan: CrawlPlan, job: CrawlJob, result: FetchResult) -> list[CrawlJob]:
    """What a page found by discovery leads to (the adapter's follow(), on allowed hosts), at depth 1."""
    publication = _links_page(job, result)
    if publication is None:
        return []
    return [plan.job(url, depth=1, published=job.published) for url in plan.adapter.follow(publication, plan.base_url)
            if host_of(url) in plan.allowed_hosts]


def _links_page(job: CrawlJob, result: FetchResult) -> Publication | None:
    """The page's links as its adapter reads them (`read_links`: never a full parse, which the parse workers
    do under their limits), when links are followed from it: depth 0, fetched anew, HTML or JSON."""
    if job.depth > 0 or not result.ok or result.not_modified:
        return None
    try:
        if kind_of(result.content_type, result.body) not in {"html", "json"}:
            return None
        capture = Capture(
            url=result.final_url, fetched_at=result.fetched_at, status=result.status,
            content_type=result.content_type, body=result.body, headers=result.headers,
            source=job.source, published_hint=job.published,
        )
        return adapter_of(capture).read_links(capture)
    except Exception as exc:  # the processing stage will record the parse error properly
        log.info("could not read links of %s: %s", result.final_url, exc)
        return None


def retry_jobs(plan: CrawlPlan, rows: Iterable[dict], seen: Callable[[str], bool]) -> Iterator[CrawlJob]:
    """What failed last run is tried again, even when discovery no longer lists it (e.g. an attachment
    of a page that now answers 304), unless the adapter no longer wants it."""
    for row in rows:
        url = row["url"]
        if row["consecutive_failures"] > 0 and not seen(url) \
                and plan.adapter.still_wanted(url, plan.watched, plan.allowed_hosts):
            yield plan.job(url)


def _fold_fetcher(summary: CrawlSummary, stats: Stats, fetcher: Fetcher, warc: Path | None, errors: list[str]) -> None:
    """What the fetcher met beyond its counts (which `CrawlSummary.count` takes from the statistics), into the
    summary: the WARC file, hosts whose robots.txt could not be read, malformed links, host problems."""
    if warc is not None:
        summary.warc, summary.warc_bytes, summary.warc_sha256 = warc.name, warc.stat().st_size, sha256_file(warc)
    hosts = stats.hosts()
    # Hosts this source asked for whose robots.txt could not be read: nothing there was fetched.
    summary.unreachable = {
        key: policy.detail for key, policy in fetcher.politeness.robots.known().items()
        if policy.kind == "disallow_all" and key in hosts
    }
    summary.notes.extend(errors)
    if fetcher.bad_links:
        summary.notes.append(f"skipped {fetcher.bad_links} malformed links, e.g. {fetcher.bad_link_examples[0]}")
    problems = list(fetcher.problems.values())  # a host stopped for the run, a capped Crawl-delay
    if problems:
        summary.notes.extend(problems)
        summary.degraded = "; ".join(filter(None, [summary.degraded, *problems]))


class _OutOfTime(Exception):
    """The source's time budget ran out while discovery was still listing."""


class _SourceFetch:
    """One source's fetch: discovery feeds the pool; each fetched page is counted into the run's statistics
    (`crawl/...`; a watched page's failure into the summary, under one lock, from the worker threads) and
    what it leads to is queued. Why requests failed is counted by the fetch chain (`fetch/reasons/...`)."""

    def __init__(self, plan: CrawlPlan, summary: CrawlSummary, stats: Stats, fetcher: Fetcher, progress: Progress,
                 budget: Budget):
        self.plan, self.summary, self.stats, self.fetcher, self.budget = plan, summary, stats, fetcher, budget
        self._lock = threading.Lock()
        self.pool = HostPool(fetcher, self._handle, progress)
        self.discovery_cut = False  # the time budget ran out before discovery had listed everything

    def _handle(self, job: CrawlJob, result: FetchResult) -> None:
        self.stats.inc(f"crawl/{result.outcome}")
        if self.budget.spent:  # what is still queued waits for the next run
            self.pool.cancel()
        if job.url in self.plan.watched and (result.skipped or result.error):
            with self._lock:
                self.summary.page_failures[job.url] = (
                    {"skipped": result.skipped} if result.skipped
                    else {"consecutive_failures": 1, "last_error": result.error})
        for follow in follow_ups(self.plan, job, result):
            if self.pool.submit(follow):
                self.stats.inc("crawl/attachments")

    def _list(self, state: CrawlState) -> None:
        plan = self.plan
        for candidate in plan.adapter.discover(self.fetcher, plan.base_url, plan.since):
            if self.budget.spent:
                raise _OutOfTime
            self.stats.inc("crawl/listed")
            self.pool.submit(plan.job(candidate.url, published=candidate.published))
        for job in retry_jobs(plan, state.rows(), self.pool.seen):
            if self.budget.spent:
                raise _OutOfTime
            if self.pool.submit(job):
                self.stats.inc("crawl/retried_from_last_run")

    def budget_note(self) -> str | None:
        """What the time budget left undone, when it ran out (source health reports it as degraded)."""
        if not (self.budget.hit or self.pool.dropped or self.discovery_cut):
            return None
        left = f"{self.pool.dropped} queued URL(s)" + (" and the rest of discovery" if self.discovery_cut else "")
        return (f"time budget of {self.budget.seconds:g}s used up (TRACKER_SOURCE_BUDGET_S): {left} left for the "
                "next run")

    def queue(self, state: CrawlState) -> BaseException | None:
        """Queue what discovery lists, then what failed last run; returns what stopped discovery, if anything."""
        plan, summary = self.plan, self.summary
        try:
            self._list(state)
        except _OutOfTime:
            self.discovery_cut = True
            self.pool.cancel()
        except SourceDegraded as exc:  # a challenge or refusal: reported loudly by source health, not a crash
            summary.degraded = str(exc)
            summary.notes.append(f"degraded: {exc}")
            log.error("%s: source degraded: %s", plan.source, exc)
        except BaseException as exc:  # keep what was fetched, then fail the task
            if isinstance(exc, Exception) and self.budget.hit:  # a listing request refused for want of time
                self.discovery_cut = True
                self.pool.cancel()
                return None
            if not isinstance(exc, Exception):  # Ctrl-C, SystemExit: stop soon, finish what is in flight
                self.pool.cancel()
            summary.stopped_by = f"discovery failed: {plain_reason(exc)}"
            summary.notes.append(f"discover() failed: {type(exc).__name__}: {exc}")
            log.error("%s: discover() failed: %s", plan.source, exc)
            return exc
        return None


def _fetch(settings: Settings, plan: CrawlPlan, state: CrawlState, summary: CrawlSummary, stats: Stats, *,
           route, politeness, progress, limits) -> None:
    """Discover and fetch into a new WARC file; whatever was fetched before an error is archived first."""
    budget = Budget(settings.source_budget_s)
    writer = ArchiveWriter(settings.archive_dir, prefix=plan.source)
    fetcher = Fetcher(settings, writer, state, route=route, politeness=politeness, stats=stats, budget=budget,
                      allowed_urls=plan.watched, limits=limits)
    fetch = _SourceFetch(plan, summary, stats, fetcher, progress or Progress(f"fetch {plan.source}"), budget)
    try:
        error = fetch.queue(state)
    finally:
        fetch.pool.join()
        warc = writer.close()
    _fold_fetcher(summary, stats, fetcher, warc, fetch.pool.errors)
    if note := fetch.budget_note():
        summary.notes.append(note)
        summary.degraded = "; ".join(filter(None, [summary.degraded, note]))
    if error is not None:
        raise error


def record_crawl(settings: Settings, summary: CrawlSummary, state: CrawlState | None = None) -> None:
    """The one place a crawl's results are written: its crawl state, then the summary source health reads."""
    try:
        if state is not None:
            state.save()
    except BaseException as exc:
        summary.stopped_by = summary.stopped_by or f"fetch failed: {plain_reason(exc)}"
        raise
    finally:
        write_crawl_summary(settings, summary)


def crawl_source(
    settings: Settings,
    source: str,
    since: date | None,
    *,
    route: Route = LIVE,
    politeness: Politeness | None = None,
    progress: Progress | None = None,
    limits: Limits = Limits(),
    run: str | None = None,
) -> CrawlSummary:
    """Discover and fetch one source into a new WARC file; returns its CrawlSummary.

    Work is never thrown away: whatever was fetched before an error is archived (the WARC file is
    closed, not aborted) and the crawl state is saved; then the error is raised again.

    The summary is also written for the processing stage's source-health check (tracker.health),
    whatever happens: first as "not finished" (a crawl killed mid-way leaves that behind, never a
    quiet week), then in `finally` with what the crawl met: counts (from the run's statistics), the
    plain-words reasons of failed and skipped requests, hosts whose robots.txt could not be read, and
    what stopped it. `run` tags the summary (an Airflow run id) so a later task can tell this run's
    summary from an older one. `route` is where requests go: the publishers (LIVE), or the archive
    (tracker.fetch.replay.replay_route, to run discovery again offline).
    """
    if source not in SOURCES and source != WATCHLIST:
        raise ValueError(f"unknown source {source!r}")
    summary = begin_summary(settings, source, since, run)
    record_crawl(settings, summary)
    stats = Stats()  # the run's one tally: the fetcher's requests and the crawl's jobs
    state = None
    try:
        plan = plan_crawl(settings, source, since)
        state = CrawlState.for_source(settings, source)
        _fetch(settings, plan, state, summary, stats, route=route, politeness=politeness, progress=progress,
               limits=limits)
    except BaseException as exc:
        summary.stopped_by = summary.stopped_by or f"fetch failed: {plain_reason(exc)}"
        raise
    finally:
        summary.finished = True
        summary.count(stats)
        record_crawl(settings, summary, state)
    return summary


def crawl_sources(settings: Settings, sources: tuple[str, ...], since: date | None) -> list[str]:
    """Crawl several sources concurrently (threads, shared per-host politeness); one note line each."""
    if not sources:
        watching = bool(ADAPTERS[WATCHLIST].watched_urls(settings))
        sources = (*SOURCES, *((WATCHLIST,) if watching else ()))
    chosen = tuple(sources)
    politeness = Politeness(make_pacer(settings.redis_url))
    progress = Progress("fetch")
    notes: dict[str, str] = {}

    def one(source: str) -> str:
        try:  # the summary for source health is written by crawl_source, also when it fails
            s = crawl_source(settings, source, since, politeness=politeness, progress=progress)
        except Exception as exc:
            log.error("%s: fetch failed", source, exc_info=True)
            return f"{source}: FETCH FAILED: {plain_reason(exc)}"
        return _note(source, s)

    with ThreadPoolExecutor(max_workers=max(1, len(chosen)), thread_name_prefix="source") as pool:
        futures = {source: pool.submit(one, source) for source in chosen}
        for source, future in futures.items():
            notes[source] = future.result()
    progress.finish()
    return [notes[s] for s in chosen]


def _note(source: str, s: CrawlSummary) -> str:
    """One source's line for `tracker run`."""
    if s.degraded:
        return f"{source}: DEGRADED: {s.degraded}"
    failure = crawl_failure(s)
    line = (f"{source}: {'FETCH FAILED: ' + failure + '; ' if failure else ''}listed {s.listed}, "
            f"fetched {s.fetched}, not modified {s.not_modified}, "
            f"failed {s.failed}, skipped {s.skipped}, attachments {s.attachments}")
    return line + (f" -> {s.warc}" if s.warc else "")
