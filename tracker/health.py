"""Source health: did each publisher yield what it usually does, with titles and dates intact?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from tracker.errors import TrackerError
from tracker.settings import SOURCES, Settings

MAX_MISSING_SHARE = 0.20  # more than this share of pages without a title or date is a redesign signal
MIN_PAGES = 3  # fewer pages parsed this run than this: judge over every document the source has


class SourceHealthError(TrackerError, RuntimeError):
    """A source yielded nothing after always yielding items, or lost titles/dates on its pages."""


@dataclass
class ParseTally:
    """Per source: pages parsed in this run and how many lacked a title or a date (PDFs excluded)."""

    parsed: dict[str, int] = field(default_factory=dict)
    missing_title: dict[str, int] = field(default_factory=dict)
    missing_date: dict[str, int] = field(default_factory=dict)

    def add(self, source: str, title: str, published, is_page: bool) -> None:
        self.parsed[source] = self.parsed.get(source, 0) + 1
        if is_page and not (title or "").strip():
            self.missing_title[source] = self.missing_title.get(source, 0) + 1
        if is_page and published is None:
            self.missing_date[source] = self.missing_date.get(source, 0) + 1


def crawl_summary_path(settings: Settings, source: str):
    return settings.home / "state" / f"{source}.crawl.json"


def write_crawl_summary(settings: Settings, summary: dict) -> None:
    """Keep a fetch task's summary for the processing stage (fetch tasks never write DuckDB)."""
    import os

    path = crawl_summary_path(settings, summary["source"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps({**summary, "written_at": datetime.now(timezone.utc).isoformat()}, default=str))
    os.replace(tmp, path)


def _pending_crawl(settings: Settings, source: str, since: datetime | None) -> dict | None:
    path = crawl_summary_path(settings, source)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    written = datetime.fromisoformat(data.get("written_at"))
    return data if since is None or written > since else None


def check_sources(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, tally: ParseTally) -> list[str]:
    """Record one source_health row per source for this run; returns the messages of unhealthy ones."""
    last = con.execute("SELECT max(checked_at) FROM source_health").fetchone()[0]
    last_aware = last.replace(tzinfo=timezone.utc) if last else None
    now = datetime.now(timezone.utc)
    problems = []
    for source in SOURCES:
        docs, relevant, no_title, no_date = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE relevant),
                      count(*) FILTER (WHERE coalesce(trim(title), '') = '' AND document_type <> 'pdf'),
                      count(*) FILTER (WHERE published_on IS NULL AND document_type <> 'pdf')
               FROM publications WHERE source = ?""",
            [source],
        ).fetchone()
        crawl = _pending_crawl(settings, source, last_aware)
        listed = crawl.get("listed") if crawl else None
        parsed = tally.parsed.get(source, 0)
        missing_title = tally.missing_title.get(source, 0)
        missing_date = tally.missing_date.get(source, 0)
        messages = []
        base, m_title, m_date = (parsed, missing_title, missing_date) if parsed >= MIN_PAGES else (docs, no_title, no_date)
        for what, n in (("title", m_title), ("date", m_date)):
            if base and n / base > MAX_MISSING_SHARE:
                messages.append(f"{n} of {base} pages have no {what} ({n / base:.0%} > {MAX_MISSING_SHARE:.0%}): has the site changed its layout?")
        if listed == 0:
            before = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE listed > 0) FROM source_health WHERE source = ? AND listed IS NOT NULL",
                [source],
            ).fetchone()
            if before[0] and before[0] == before[1]:
                messages.append("listed nothing, though every earlier crawl listed items: has the site changed?")
        if crawl and crawl.get("degraded"):
            messages.append(f"degraded: {crawl['degraded']}")
        healthy = not messages
        message = f"{source}: " + "; ".join(messages) if messages else None
        if message:
            problems.append(message)
        con.execute(
            "INSERT OR REPLACE INTO source_health VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [run_id, source, now.replace(tzinfo=None), listed, crawl.get("fetched") if crawl else None,
             crawl.get("failed") if crawl else None, parsed, missing_title, missing_date, docs, relevant,
             healthy, message],
        )
    return problems


def assert_healthy(settings: Settings, source: str) -> dict:
    """Raise SourceHealthError with the latest run's message when the source is unhealthy."""
    from tracker.warehouse.db import connect

    con = connect(settings.work_db, read_only=True)
    try:
        row = con.execute(
            "SELECT healthy, message, parsed, documents FROM source_health WHERE source = ? ORDER BY checked_at DESC LIMIT 1",
            [source],
        ).fetchone()
    finally:
        con.close()
    if row and not row[0]:
        raise SourceHealthError(row[1])
    return {"source": source, "healthy": True, "parsed": row[2] if row else 0, "documents": row[3] if row else 0}
