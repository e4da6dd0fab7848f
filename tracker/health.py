"""Source health: did each publisher yield what it usually does, with titles and dates intact?

A source is unhealthy, with a plain-words reason, when its crawl failed (robots.txt, DNS or the
connection; discovery raised; nothing could be fetched), when a full listing lists nothing, when it
lists or yields (parsed + unchanged pages) less than half of what it did last run, or when its pages
lost their titles or dates. A failed source is never a quiet week.

Three steps: `source_facts` reads what is known about a source (its crawl summary, this run's tally,
its documents, its earlier checks) into `SourceFacts`; `judge` turns facts into a `HealthRow` without
touching the database; `write_health` writes the rows in one transaction. `latest_checks` reads the
same rows back for `tracker status` and the briefing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from tracker.errors import TrackerError
from tracker.fetch.crawl_summary import CrawlSummary
from tracker.parse.text import printable
from tracker.settings import SOURCES, WATCHLIST, Settings
from tracker.staging import staged
from tracker.warehouse.db import connect
from tracker.warehouse.rows import insert, select
from tracker.watchlist import page_problem, read_watchlist

MAX_MISSING_SHARE = 0.20  # more than this share of pages without a title or date is a redesign signal
MIN_PAGES = 3  # fewer pages parsed this run than this: judge over every document the source has


class SourceHealthError(TrackerError, RuntimeError):
    """The last processing found the source unhealthy (its crawl failed, it yielded far less, or lost titles/dates)."""


class FetchFailed(TrackerError):
    """A source's crawl could not reach it, or got nothing from it."""


@dataclass
class ParseTally:
    """Per source: pages parsed in this run and how many lacked a title or a date (PDFs excluded)."""

    parsed: dict[str, int] = field(default_factory=dict)
    missing_title: dict[str, int] = field(default_factory=dict)
    missing_date: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)  # pages not parsed again: same content

    def add(self, source: str, title: str, published, is_page: bool) -> None:
        self.parsed[source] = self.parsed.get(source, 0) + 1
        if is_page and not (title or "").strip():
            self.missing_title[source] = self.missing_title.get(source, 0) + 1
        if is_page and published is None:
            self.missing_date[source] = self.missing_date.get(source, 0) + 1


def crawl_summary_path(settings: Settings, source: str):
    return settings.home / "state" / f"{source}.crawl.json"


def write_crawl_summary(settings: Settings, summary: CrawlSummary) -> None:
    """Keep a fetch task's summary for the processing stage (fetch tasks never write DuckDB)."""
    with staged(crawl_summary_path(settings, summary.source), "w", encoding="utf-8") as fh:
        fh.write(json.dumps({**summary.to_dict(), "written_at": datetime.now(timezone.utc).isoformat()}, default=str))


def _read_crawl(path) -> tuple[CrawlSummary, str | None]:
    """A summary file and when it was written (ISO). One written before summaries said whether the crawl
    finished is of a crawl that did."""
    data = json.loads(path.read_text())
    return CrawlSummary.from_dict({"finished": True, **data}), data.get("written_at")


def _pending_crawl(settings: Settings, source: str, since: datetime | None) -> CrawlSummary | None:
    path = crawl_summary_path(settings, source)
    if not path.exists():
        return None
    crawl, written = _read_crawl(path)
    return crawl if since is None or datetime.fromisoformat(written) > since else None


def _host_name(key: str) -> str:
    """scheme://host:port as a reader would write it (no scheme, no default port)."""
    scheme, _, rest = key.partition("://")
    default = {"http": ":80", "https": ":443"}.get(scheme)
    return rest[: -len(default)] if default and rest.endswith(default) else rest


def _reasons_text(reasons: dict[str, int]) -> str:
    ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{why} ({n})" for why, n in ordered)


def crawl_failure(crawl: CrawlSummary) -> str | None:
    """Why a crawl failed, in plain words, judged from its summary; None when it worked.

    Failed: it did not finish, something stopped it, a host's robots.txt could not be read (nothing
    there was fetched), or it listed items but fetched none of them (or its listing requests failed).
    """
    if not crawl.finished:
        return "fetch did not finish (the task was stopped or killed)"
    if crawl.stopped_by:
        return crawl.stopped_by
    base = crawl.base_host
    unreachable = sorted(crawl.unreachable.items(), key=lambda kv: (kv[0] != base, kv[0]))
    if unreachable:
        return "; ".join(f"robots.txt unreachable{'' if key == base else ' at ' + _host_name(key)}: {why}"
                         for key, why in unreachable)
    if crawl.fetched + crawl.not_modified == 0:
        if crawl.listed:
            return (f"fetched none of {crawl.listed} listed"
                    + (f": {_reasons_text(crawl.reasons)}" if crawl.reasons else ""))
        if crawl.reasons:
            return f"listing failed: {_reasons_text(crawl.reasons)}"
    return None


def fetch_failures(settings: Settings, sources: list[str], run: str) -> list[str]:
    """One line per source whose crawl in run `run` failed or left no summary (a failed task's summary is
    written in `finally`; none at all means the task failed before its crawl began)."""
    problems = []
    for source in sources:
        path = crawl_summary_path(settings, source)
        crawl = _read_crawl(path)[0] if path.exists() else None
        if crawl is None or crawl.run != run:
            problems.append(f"{source}: no crawl summary from this run (the fetch failed before it began)")
        elif failure := crawl_failure(crawl):
            problems.append(f"{source}: {failure}")
    return problems


def _previous(con: duckdb.DuckDBPyConnection, source: str, since: str | None) -> tuple:
    """(listed, pages read) of the source's previous run: listed from the last live run whose listing had
    the same --since, pages read (parsed + unchanged) from the last run that counted them."""
    listed = con.execute(
        """SELECT listed FROM source_health WHERE source = ? AND listed IS NOT NULL AND fetch_error IS NULL
                  AND listed_since IS NOT DISTINCT FROM CAST(? AS DATE)
           ORDER BY checked_at DESC LIMIT 1""",
        [source, since],
    ).fetchone()
    read = con.execute(
        "SELECT parsed + unchanged FROM source_health WHERE source = ? AND unchanged IS NOT NULL"
        " ORDER BY checked_at DESC LIMIT 1",
        [source],
    ).fetchone()
    return (listed[0] if listed else None), (read[0] if read else None)


@dataclass(frozen=True)
class HealthRow:
    """One source_health row: what a source yielded this run and the verdict on it."""

    run_id: str
    source: str
    checked_at: datetime
    listed: int | None
    fetched: int | None
    failed: int | None
    parsed: int
    missing_title: int
    missing_date: int
    documents: int
    relevant: int
    healthy: bool
    message: str | None
    fetch_error: str | None
    not_modified: int | None
    unchanged: int
    listed_since: str | None


@dataclass(frozen=True)
class SourceFacts:
    """What is known about one source before it is judged: its crawl summary (None: not crawled since the
    last check), this run's parse tally, the documents it has, and what its earlier checks recorded."""

    source: str
    crawl: CrawlSummary | None
    parsed: int
    unchanged: int
    missing_title: int
    missing_date: int
    documents: int
    relevant: int
    no_title: int  # over every document the source has (PDFs excluded)
    no_date: int
    prev_listed: int | None
    prev_read: int | None
    ever_listed: tuple[int, int]  # earlier checks with a listing, and how many of them listed items


def check_sources(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, tally: ParseTally) -> list[str]:
    """Record one source_health row per source for this run; returns the messages of unhealthy ones."""
    rows = judge_sources(con, settings, run_id, tally)
    write_health(con, rows)
    return [row.message for row in rows if row.message]


def judge_sources(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str,
                  tally: ParseTally) -> list[HealthRow]:
    """Read what each source yielded and judge it; writes nothing."""
    last = con.execute("SELECT max(checked_at) FROM source_health").fetchone()[0]
    last_aware = last.replace(tzinfo=timezone.utc) if last else None
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [judge(source_facts(con, settings, source, tally, last_aware), run_id, now) for source in SOURCES]
    watch = _judge_watchlist(con, settings, run_id, tally, last_aware, now)
    return rows + ([watch] if watch else [])


def write_health(con: duckdb.DuckDBPyConnection, rows: list[HealthRow]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        insert(con, "source_health", rows, replace=True)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def source_facts(con: duckdb.DuckDBPyConnection, settings: Settings, source: str, tally: ParseTally,
                 last_aware: datetime | None) -> SourceFacts:
    docs, relevant, no_title, no_date = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE relevant),
                  count(*) FILTER (WHERE coalesce(trim(title), '') = '' AND document_type <> 'pdf'),
                  count(*) FILTER (WHERE published_on IS NULL AND document_type <> 'pdf')
           FROM publications WHERE source = ?""",
        [source],
    ).fetchone()
    crawl = _pending_crawl(settings, source, last_aware)
    prev_listed, prev_read = _previous(con, source, crawl.since if crawl else None)
    ever = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE listed > 0) FROM source_health"
        " WHERE source = ? AND listed IS NOT NULL",
        [source],
    ).fetchone()
    return SourceFacts(
        source=source, crawl=crawl, parsed=tally.parsed.get(source, 0), unchanged=tally.unchanged.get(source, 0),
        missing_title=tally.missing_title.get(source, 0), missing_date=tally.missing_date.get(source, 0),
        documents=docs, relevant=relevant, no_title=no_title, no_date=no_date, prev_listed=prev_listed,
        prev_read=prev_read, ever_listed=tuple(ever),
    )


def judge(facts: SourceFacts, run_id: str, now: datetime) -> HealthRow:
    """The verdict on one source from its facts alone."""
    crawl = facts.crawl
    failure = crawl_failure(crawl) if crawl else None
    messages = ([failure] if failure else []) + _listing_messages(facts, failure) + _yield_messages(facts)
    message = printable(f"{facts.source}: " + "; ".join(messages)) if messages else None
    return HealthRow(
        run_id=run_id, source=facts.source, checked_at=now, **_counts(crawl), parsed=facts.parsed,
        missing_title=facts.missing_title, missing_date=facts.missing_date, documents=facts.documents,
        relevant=facts.relevant, healthy=not messages, message=message, fetch_error=printable(failure),
        unchanged=facts.unchanged, listed_since=crawl.since if crawl else None,
    )


def _counts(crawl: CrawlSummary | None) -> dict[str, int | None]:
    """The crawl's counts a HealthRow keeps; none when the source was not crawled since the last check."""
    return {name: getattr(crawl, name) if crawl else None for name in ("listed", "fetched", "failed", "not_modified")}


def _listing_messages(facts: SourceFacts, failure: str | None) -> list[str]:
    crawl = facts.crawl
    if not crawl:
        return []
    messages = [f"degraded: {crawl.degraded}"] if crawl.degraded else []
    listed, since = crawl.listed, crawl.since
    if failure:
        return messages
    if listed == 0 and not since:
        before, with_items = facts.ever_listed
        if before and before == with_items:
            messages.append("listed nothing, though every earlier crawl listed items: has the site changed?")
        else:
            messages.append("listed nothing: has the site changed?")
    prev = facts.prev_listed
    if listed and prev and prev >= MIN_PAGES and listed < prev / 2:
        messages.append(f"listed {listed}, down from {prev} last run (less than half): has the site changed?")
    return messages


def _yield_messages(facts: SourceFacts) -> list[str]:
    messages = []
    read, prev = facts.parsed + facts.unchanged, facts.prev_read
    if prev and prev >= MIN_PAGES and read < prev / 2:
        messages.append(f"{read} pages read (parsed or unchanged), down from {prev} last run (less than half): "
                        "are its pages failing to parse?")
    base, m_title, m_date = ((facts.parsed, facts.missing_title, facts.missing_date) if facts.parsed >= MIN_PAGES
                             else (facts.documents, facts.no_title, facts.no_date))
    for what, n in (("title", m_title), ("date", m_date)):
        if base and n / base > MAX_MISSING_SHARE:
            messages.append(f"{n} of {base} pages have no {what} ({n / base:.0%} > {MAX_MISSING_SHARE:.0%}): "
                            "has the site changed its layout?")
    return messages


def _judge_watchlist(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, tally: ParseTally,
                     last_aware: datetime | None, now: datetime) -> HealthRow | None:
    """The watchlist as one source (`watchlist` in source_health), judged by its pages, not by a listing.

    Unhealthy when its crawl failed, when a watched page could not be fetched (a 404, a refused redirect,
    robots.txt, the address guard) or when a watched page's capture could not be read. An analyst asked
    for each of these pages, so one lost page is worth a look. Listing sizes and missing titles or dates
    are recorded but not judged: watched pages are any site's, and many carry no date. No row at all
    while nothing is watched and nothing was ever fetched for it.
    """
    pages = read_watchlist(settings)
    crawl = _pending_crawl(settings, WATCHLIST, last_aware)
    docs, relevant = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE relevant) FROM publications WHERE source = ?", [WATCHLIST]
    ).fetchone()
    if not pages and not docs and crawl is None:
        return None
    watched = {p.url for p in pages}
    unreadable = dict(con.execute(
        "SELECT url, error FROM processing_errors WHERE stage = 'parse' AND url IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(watched)]).fetchall()) if watched else {}
    failure = crawl_failure(crawl) if crawl else None
    messages = _watchlist_messages(pages, crawl, failure, unreadable)
    message = printable(f"{WATCHLIST}: " + "; ".join(messages)) if messages else None
    return HealthRow(
        run_id=run_id, source=WATCHLIST, checked_at=now, **_counts(crawl), parsed=tally.parsed.get(WATCHLIST, 0),
        missing_title=tally.missing_title.get(WATCHLIST, 0), missing_date=tally.missing_date.get(WATCHLIST, 0),
        documents=docs, relevant=relevant, healthy=not messages, message=message, fetch_error=printable(failure),
        unchanged=tally.unchanged.get(WATCHLIST, 0), listed_since=None,
    )


def _watchlist_messages(pages, crawl: CrawlSummary | None, failure: str | None,
                        unreadable: dict[str, str]) -> list[str]:
    messages = [f"degraded: {crawl.degraded}"] if crawl and crawl.degraded else []
    watched = {p.url for p in pages}
    failed = {url: why for url, why in (crawl.page_failures if crawl else {}).items() if url in watched}
    bad = []
    for page in pages:
        if page.url in failed:
            bad.append(f"{page.url} ({page_problem(failed[page.url], None)})")
        elif page.url in unreadable:
            bad.append(f"{page.url} ({page_problem({}, unreadable[page.url])})")
    if bad:
        messages.append(f"{len(bad)} of {len(pages)} watched pages failed: " + "; ".join(bad))
    if failure and not (bad and failure.startswith("fetched none")):  # else the pages above say it, one by one
        messages.insert(0, failure)
    return messages


def latest_checks(con: duckdb.DuckDBPyConnection) -> list[HealthRow]:
    """The latest check of every source, by source (what `tracker status` and the briefing show)."""
    return select(con, HealthRow, """(SELECT *, row_number() OVER (PARTITION BY source ORDER BY checked_at DESC) AS rn
                                        FROM source_health)""", "WHERE rn = 1 ORDER BY source")


def unhealthy_sources(con: duckdb.DuckDBPyConnection) -> tuple[list[HealthRow], int]:
    """The latest check of every source: (the unhealthy ones, how many sources)."""
    checks = latest_checks(con)
    return [c for c in checks if not c.healthy], len(checks)


def assert_healthy(settings: Settings, source: str) -> dict:
    """Raise SourceHealthError with the latest run's message when the source is unhealthy."""
    con = connect(settings.work_db, read_only=True)
    try:
        check = next((c for c in latest_checks(con) if c.source == source), None)
    finally:
        con.close()
    if check and not check.healthy:
        raise SourceHealthError(check.message)
    return {"source": source, "healthy": True, "parsed": check.parsed if check else 0,
            "documents": check.documents if check else 0}
