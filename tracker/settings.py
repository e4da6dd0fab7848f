"""One typed settings object, built from environment variables."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tracker.errors import TrackerError
from tracker.sourcelist import DECLARED

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SOURCES = tuple(source.name for source in DECLARED)
# The analyst's watched pages ($TRACKER_HOME/watchlist.toml): fetched like a source, and judged as one.
WATCHLIST = "watchlist"

# Hosts the fetcher may contact: the sources' own and their base URLs' (tracker/sourcelist.py), and the
# hosts of reviews in the registry that no source reads.
DEFAULT_ALLOWED_HOSTS = frozenset({
    *(host for source in DECLARED for host in (*source.hosts, urlsplit(source.base_url).hostname)),
    "www.longtermplan.nhs.uk",
})

DEFAULT_BASE_URLS = {source.name: source.base_url for source in DECLARED}


def _base_url(name: str, value: str) -> str:
    """A source's base URL as the fetcher will read it (tracker/fetch/urls.py), refused now when it cannot be."""
    from tracker.fetch.urls import BadUrl, http_url

    try:
        return http_url(value).rstrip("/")
    except BadUrl as exc:
        raise SettingsError(f"{name} is not a usable URL ({exc}): {value!r}") from None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def home_from_env(env: Mapping[str, str]) -> Path:
    """TRACKER_HOME (default ./var of the checkout), absolute; also read by the Airflow UI plugin."""
    return Path(env.get("TRACKER_HOME") or PROJECT_ROOT / "var").expanduser().resolve()


class SettingsError(TrackerError, ValueError):
    """A TRACKER_* environment variable holds a value that cannot be used."""


def _text(name: str, value: str) -> str:
    return value


def _json_object(name: str, value: str) -> dict:
    if not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise SettingsError(f"{name} must be a JSON object, got {value!r}")
    return parsed


def _stripped(name: str, value: str) -> str:
    return value.strip()


def _storage_url(name: str, value: str) -> str | None:
    return value.strip() or None


def _queue(name: str, value: str) -> str:
    return value.strip() or "writer"


def _path(name: str, value: str) -> Path:
    return Path(value)


def _resolved_path(name: str, value: str) -> Path:
    return Path(value).expanduser().resolve()


def _site_url(name: str, value: str) -> str:
    """An http(s) address ending in '/', so page names append to it."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{name} must be an http(s) address such as https://example.org/briefing/, got {value!r}")
    return value if value.endswith("/") else value + "/"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(name: str, value: str) -> str:
    """One address such as corrections@example.org (it goes into mailto: links as it is)."""
    value = value.strip()
    if not _EMAIL.fullmatch(value) or any(c in value for c in "?&#%,<>\"'"):
        raise SettingsError(f"{name} must be one email address such as corrections@example.org, got {value!r}")
    return value


def _number(kind: type):
    def parse(name: str, value: str):
        try:
            return kind(value)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {value!r}") from None
    return parse


def _count(minimum: int):
    def parse(name: str, value: str) -> int:
        if not value.strip().isdigit() or int(value.strip()) < minimum:
            raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
        return int(value.strip())
    return parse


def _at_least(kind: type, floor):
    def parse(name: str, value: str):
        number = _number(kind)(name, value)
        if number < floor:
            raise SettingsError(f"{name} must be at least {floor:g}, got {value!r}")
        return number
    return parse


# The default TRACKER_MIN_CONFIDENCE. Each basis's confidence is in tracker/extract/basis.py; at 0.85
# every basis publishes (the blind sets' precision is at least 0.97 there), 0.92 queues content matches
# and label-only items, 0.97 remainders and enumerations too (docs/developers/accuracy.md).
DEFAULT_MIN_CONFIDENCE = 0.85


def _fraction(name: str, value: str) -> float:
    number = _number(float)(name, value)
    if not 0.0 <= number <= 1.0:
        raise SettingsError(f"{name} must be between 0 and 1, got {value!r}")
    return number


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _networks(value: str) -> tuple[str, ...]:
    out = []
    for part in _csv(value):
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise TrackerError(f"TRACKER_ALLOW_PRIVATE_ADDRESSES: {part!r} is not an address or network") from None
    return tuple(out)


def _private(value: str) -> dict:
    """TRACKER_ALLOW_PRIVATE_ADDRESSES: "1" (any address), "0"/unset (none) or a list of addresses and networks."""
    value = value.strip()
    if _flag(value):
        return {"allow_private_addresses": True}
    if value.lower() in {"", "0", "false", "no", "off"}:
        return {}
    return {"allowed_private_networks": _networks(value)}


# The plain settings: (environment variable, Settings field, parser(name, value)); an unset or empty
# variable leaves the field's default. TRACKER_HOME, the base URLs, the allowlist and the private
# addresses are read in from_env itself (they have no plain default or set more than one field).
ENVIRONMENT = (
    ("TRACKER_USER_AGENT", "user_agent", _text),
    ("TRACKER_CONTACT", "contact", _text),
    ("TRACKER_MIN_DELAY_S", "min_delay_s", _number(float)),
    ("TRACKER_MAX_BODY_BYTES", "max_body_bytes", _number(int)),
    ("TRACKER_TIMEOUT_S", "timeout_s", _number(float)),
    ("TRACKER_SOURCE_BUDGET_S", "source_budget_s", _at_least(float, 0.1)),
    ("TRACKER_MAX_RECORD_BYTES", "max_record_bytes", _at_least(int, 1)),
    ("TRACKER_SQL_DIR", "sql_dir", _path),
    ("TRACKER_DUCKDB_MEMORY_LIMIT", "duckdb_memory_limit", _text),
    ("TRACKER_KEEP_VERSIONS", "keep_versions", _count(1)),
    ("TRACKER_KEEP_WEEKS", "keep_weeks", _count(0)),
    ("TRACKER_WORKERS", "workers", _at_least(int, 1)),
    ("TRACKER_PARSE_MEMORY_MB", "parse_memory_mb", _at_least(int, 128)),
    ("TRACKER_PARSE_SECONDS", "parse_seconds", _at_least(float, 0.1)),
    ("TRACKER_EXTRACT_SECONDS", "extract_seconds", _at_least(float, 0.1)),
    ("TRACKER_MIN_CONFIDENCE", "min_confidence", _fraction),
    ("TRACKER_REGISTRY", "registry_file", _resolved_path),
    ("TRACKER_REDIS_URL", "redis_url", _stripped),
    ("TRACKER_STORAGE_URL", "storage_url", _storage_url),
    ("TRACKER_STORAGE_OPTIONS", "storage_options", _json_object),
    ("TRACKER_STORAGE_TIMEOUT_S", "storage_timeout_s", _at_least(float, 0.1)),
    ("TRACKER_WRITER_QUEUE", "writer_queue", _queue),
    ("TRACKER_SITE_URL", "site_url", _site_url),
    ("TRACKER_CORRECTIONS_EMAIL", "corrections_email", _email),
)


@dataclass(frozen=True)
class Settings:
    # All state (archive, working database, published warehouse, exports, site) lives under one
    # folder, so a deployment can put it on one shared volume and a test can use a temp dir.
    home: Path
    # Publishers see who is crawling them; the User-Agent names the project and a contact.
    user_agent: str = "nhs-leadership-tracker/0.1"
    # Where a site owner can write to if the crawler misbehaves; appended to the User-Agent.
    contact: str = "tracker-maintainers@example.org"
    # Minimum seconds between two requests to one host (a robots.txt Crawl-delay may raise it).
    min_delay_s: float = 2.0
    # Hosts added to the built-in allowlist, e.g. a mirror or a new registry review host.
    extra_allowed_hosts: tuple[str, ...] = ()
    # The fetcher connects only to public addresses (an internal address means a hostile link, a bad
    # redirect or a rebinding DNS answer). Tests let their own server through: TRACKER_ALLOW_PRIVATE_ADDRESSES
    # is "1" (every address) or a comma list of addresses or networks (e.g. "127.0.0.1": the test's
    # server, while 127.0.0.2 stays internal).
    allow_private_addresses: bool = False
    allowed_private_networks: tuple[str, ...] = ()
    # Per-source base URL override, so a crawl can be pointed at a mirror or a test server.
    base_urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BASE_URLS))
    # Responses larger than this are cut off and recorded as failures rather than filling the disk.
    max_body_bytes: int = 50 * 1024 * 1024
    # The largest WARC record `tracker import-warc` admits and the index reads (declared or inflated): a
    # few KB of gzip can hold gigabytes of zeros. Above max_body_bytes, so every fetched record fits.
    max_record_bytes: int = 256 * 1024 * 1024
    # Seconds before a request is abandoned; a stuck host must not stall the weekly run.
    timeout_s: float = 30.0
    # Seconds one source's whole crawl may take (discovery and fetches): a host trickling every response
    # costs each URL a full exchange deadline; past the budget the rest waits for the next run, and source
    # health reports the source degraded.
    source_budget_s: float = 7200.0
    # Where migrations and views live; a packaged install can point this elsewhere.
    sql_dir: Path = PROJECT_ROOT / "sql"
    # DuckDB keeps pages in memory up to 80% of RAM by default, so the pipeline's memory would grow
    # with the archive; a cap makes it spill to disk instead and keeps peak memory flat
    # (measured: 64MB costs about 5% of a full rebuild's time; see docs/developers/benchmarks.md).
    duckdb_memory_limit: str = "64MB"
    # published/ keeps the newest versions, for a quick look back and a rollback...
    keep_versions: int = 8
    # ...plus one version per ISO week for this many weeks (104: two years), so the warehouse as
    # published by any weekly run in that span can still be exported (tracker/warehouse/versions.py).
    keep_weeks: int = 104
    # Processes parsing documents (TRACKER_WORKERS; default: the CPU count, at most 4).
    workers: int = field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 4)))
    # Each document is parsed in a worker held to this much address space (MB) and this many seconds
    # (wall clock and CPU time): a 1 MB PDF can inflate to gigabytes, a page can take minutes.
    parse_memory_mb: int = 1024
    parse_seconds: float = 120.0
    # Seconds of extraction (reading a parsed document for recommendations and statements) per document.
    extract_seconds: float = 120.0
    # A rule-made statement is published only when the way its recommendations were found is at least
    # this sure (tracker/extract/basis.py); below it, it goes to the analyst queue with the reason.
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    # The analyst's own registry of reviews, merged over the built-in one (TRACKER_REGISTRY; default
    # $TRACKER_HOME/reviews.toml when it exists; see tracker/registry.py).
    registry_file: Path | None = None
    # Redis shared by parallel fetch tasks (TRACKER_REDIS_URL, e.g. redis://redis:6379/0): each host's next
    # request slot is reserved there, so two sources on one host keep to its delay together. Empty: each
    # process paces on its own (tracker/fetch/pacing.py).
    redis_url: str = ""
    # The system of record for the archive, the crawl state and the published versions
    # (TRACKER_STORAGE_URL: a folder or s3://bucket/prefix; None: TRACKER_HOME itself, nothing to sync;
    # see tracker/storage.py). TRACKER_STORAGE_OPTIONS: JSON options for fsspec (no secrets: AWS_* for those).
    storage_url: str | None = None
    storage_options: dict = field(default_factory=dict)
    # Connect and read timeout of one object-store request (TRACKER_STORAGE_TIMEOUT_S): an endpoint that
    # accepts and never answers fails the task in a few of these, not in botocore's minutes of retries.
    storage_timeout_s: float = 30.0
    # The Celery queue of the tasks that write DuckDB (TRACKER_WRITER_QUEUE): the workers serving it own the disk.
    writer_queue: str = "writer"
    # Where site/ is served (TRACKER_SITE_URL, e.g. https://example.org/briefing/): "Copy link", the
    # recommendation pages' permalinks and the links "download this view" writes point there. Empty: they
    # stay relative to the site (a copy opened from disk has no address worth sharing).
    site_url: str = ""
    # Where analysts send corrections (TRACKER_CORRECTIONS_EMAIL): "Report an error" on a recommendation's page
    # then also offers an email with the corrections row in its body. Empty: the row is offered as a CSV file only.
    corrections_email: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from TRACKER_* environment variables (defaults for anything unset)."""
        env = dict(os.environ if env is None else env)
        base_urls = dict(DEFAULT_BASE_URLS)
        for source in SOURCES:
            if value := env.get(variable := f"TRACKER_BASE_URL_{source.upper()}"):
                base_urls[source] = _base_url(variable, value)
        kwargs: dict = {
            "home": home_from_env(env),
            "base_urls": base_urls,
            "extra_allowed_hosts": _csv(env.get("TRACKER_ALLOWED_HOSTS")),
            **_private(env.get("TRACKER_ALLOW_PRIVATE_ADDRESSES") or ""),
        }
        kwargs.update({name: parse(variable, env[variable])
                       for variable, name, parse in ENVIRONMENT if env.get(variable)})
        return cls(**kwargs)

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} (+{self.contact})"

    @property
    def allowed_hosts(self) -> frozenset[str]:
        from tracker.fetch.urls import host_of

        hosts = set(DEFAULT_ALLOWED_HOSTS) | set(self.extra_allowed_hosts)
        hosts |= {host_of(url) for url in self.base_urls.values()}
        return frozenset(h for h in hosts if h)

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def work_db(self) -> Path:
        return self.home / "work.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.home / "tracker.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def site_dir(self) -> Path:
        return self.home / "site"

    @property
    def corrections_dir(self) -> Path:
        return self.home / "corrections"

    @property
    def lock_file(self) -> Path:
        return self.home / "run.lock"

    @property
    def outputs_lock_file(self) -> Path:
        return self.home / "outputs.lock"

    @property
    def watchlist_file(self) -> Path:
        return self.home / "watchlist.toml"
