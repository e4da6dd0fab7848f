"""What one source's crawl met, as one typed object: `CrawlSummary`.

crawl_source returns it and writes it (as JSON, `asdict`) for source health (tracker.health), which runs in
another task; the CLI prints from it. Its counts come from the run's statistics object (tracker.fetch.stats),
not from tallies of its own. The JSON shape is the one summaries always had ("degraded" only when the
source was), so files written before the dataclass existed load with `from_dict` and old readers read new files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from tracker.fetch.stats import Stats

COUNTS = ("listed", "fetched", "not_modified", "failed", "skipped", "other", "attachments", "retried_from_last_run")


@dataclass
class CrawlSummary:
    source: str
    run: str | None = None  # the Airflow run (or CLI run) it belongs to
    since: str | None = None  # ISO date the listing stopped at
    base_host: str | None = None  # scheme://host:port of the source's own site
    finished: bool = False
    stopped_by: str | None = None  # what stopped the crawl, in plain words
    degraded: str | None = None  # a challenge page, a refusal, a host stopped or a capped Crawl-delay
    listed: int = 0  # candidates discovery listed
    fetched: int = 0  # of the crawl's own jobs (listed items, attachments, retries): outcomes
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    other: int = 0
    attachments: int = 0
    retried_from_last_run: int = 0
    bad_links: int = 0
    warc: str | None = None  # the WARC file written (None: nothing was)
    warc_bytes: int | None = None  # its size and SHA-256 once closed: process refuses a WARC that is not this file
    warc_sha256: str | None = None
    hosts: dict[str, dict[str, int]] = field(default_factory=dict)  # per host: requests and outcomes
    reasons: dict[str, int] = field(default_factory=dict)  # plain-words reason -> failed or skipped requests
    unreachable: dict[str, str] = field(default_factory=dict)  # host whose robots.txt could not be read -> why
    page_failures: dict[str, dict] = field(default_factory=dict)  # watched page -> how it failed
    notes: list[str] = field(default_factory=list)

    def count(self, stats: Stats) -> None:
        """Take the counts from the run's statistics (`crawl/...` for the crawl's jobs, `fetch/...` for requests)."""
        for name in COUNTS:
            setattr(self, name, stats.get(f"crawl/{name}"))
        self.bad_links = stats.get("fetch/bad_links")
        self.hosts = stats.hosts()
        self.reasons = stats.under("fetch/reasons")

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["degraded"] is None:
            del data["degraded"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "CrawlSummary":
        """A summary read back from JSON; fields it does not know are ignored, missing ones take their defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
