"""One typed settings object, built from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import TrackerError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SOURCES = ("dhsc", "kingsfund", "nhsproviders", "nhsi", "nhse", "parliament")
# The analyst's watched pages ($TRACKER_HOME/watchlist.toml): fetched like a source, and judged as one.
WATCHLIST = "watchlist"

# Hosts the fetcher may contact: the publishers, their asset hosts, the UK Government
# Web Archive and the hosts of reviews in the registry.
DEFAULT_ALLOWED_HOSTS = (
    "www.gov.uk",
    "assets.publishing.service.gov.uk",
    "www.kingsfund.org.uk",
    "kingsfund.org.uk",
    "assets.kingsfund.org.uk",
    "nhsproviders.org",
    "www.nhsproviders.org",
    "webarchive.nationalarchives.gov.uk",
    "improvement.nhs.uk",
    "www.england.nhs.uk",
    "www.longtermplan.nhs.uk",
    "questions-statements-api.parliament.uk",
    "questions-statements.parliament.uk",
)

DEFAULT_BASE_URLS = {
    "dhsc": "https://www.gov.uk",
    "kingsfund": "https://www.kingsfund.org.uk",
    "nhsproviders": "https://nhsproviders.org",
    "nhsi": "https://webarchive.nationalarchives.gov.uk",
    "nhse": "https://www.england.nhs.uk",
    "parliament": "https://questions-statements-api.parliament.uk",
}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def home_from_env(env: Mapping[str, str]) -> Path:
    """TRACKER_HOME (default ./var of the checkout), absolute; also read by the Airflow UI plugin."""
    return Path(env.get("TRACKER_HOME") or PROJECT_ROOT / "var").expanduser().resolve()


class SettingsError(TrackerError, ValueError):
    """A TRACKER_* environment variable holds a value that cannot be used."""


def _number(env: dict[str, str], name: str, kind: type):
    try:
        return kind(env[name])
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {env[name]!r}") from None


def _count(env: dict[str, str], name: str, minimum: int) -> int:
    value = env[name].strip()
    if not value.isdigit() or int(value) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {env[name]!r}")
    return int(value)


def _at_least(env: dict[str, str], name: str, kind: type, floor):
    value = _number(env, name, kind)
    if value < floor:
        raise SettingsError(f"{name} must be at least {floor:g}, got {env[name]!r}")
    return value


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _networks(value: str) -> tuple[str, ...]:
    import ipaddress

    from tracker.errors import TrackerError

    out = []
    for part in _csv(value):
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise TrackerError(f"TRACKER_ALLOW_PRIVATE_ADDRESSES: {part!r} is not an address or network") from None
    return tuple(out)


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
    # Seconds before a request is abandoned; a stuck host must not stall the weekly run.
    timeout_s: float = 30.0
    # Where migrations and views live; a packaged install can point this elsewhere.
    sql_dir: Path = PROJECT_ROOT / "sql"
    # DuckDB keeps pages in memory up to 80% of RAM by default, so the pipeline's memory would grow
    # with the archive; a cap makes it spill to disk instead and keeps peak memory flat
    # (measured: 64MB costs about 5% of a full rebuild's time; see README, Benchmarks).
    duckdb_memory_limit: str = "64MB"
    # published/ keeps the newest versions, for a quick look back and a rollback...
    keep_versions: int = 8
    # ...plus one version per ISO week for this many weeks (104: two years), so the warehouse as
    # published by any weekly run in that span can still be exported (tracker/warehouse/publish.py).
    keep_weeks: int = 104
    # Processes parsing documents (TRACKER_WORKERS; default: the CPU count, at most 4).
    workers: int = field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 4)))
    # Each document is parsed in a worker held to this much address space (MB) and this many seconds
    # (wall clock and CPU time): a 1 MB PDF can inflate to gigabytes, a page can take minutes.
    parse_memory_mb: int = 1024
    parse_seconds: float = 120.0
    # Seconds of extraction (reading a parsed document for recommendations and statements) per document.
    extract_seconds: float = 120.0
    # The analyst's own registry of reviews, merged over the built-in one (TRACKER_REGISTRY; default
    # $TRACKER_HOME/reviews.toml when it exists; see tracker/registry.py).
    registry_file: Path | None = None
    # Redis shared by parallel fetch tasks (TRACKER_REDIS_URL, e.g. redis://redis:6379/0): each host's next
    # request slot is reserved there, so two sources on one host keep to its delay together. Empty: each
    # process paces on its own (tracker/fetch/pacing.py).
    redis_url: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from TRACKER_* environment variables (defaults for anything unset)."""
        env = dict(os.environ if env is None else env)
        home = home_from_env(env)
        base_urls = dict(DEFAULT_BASE_URLS)
        for source in SOURCES:
            override = env.get(f"TRACKER_BASE_URL_{source.upper()}")
            if override:
                base_urls[source] = override.rstrip("/")
        kwargs: dict = {"home": home, "base_urls": base_urls}
        if env.get("TRACKER_USER_AGENT"):
            kwargs["user_agent"] = env["TRACKER_USER_AGENT"]
        if env.get("TRACKER_CONTACT"):
            kwargs["contact"] = env["TRACKER_CONTACT"]
        if env.get("TRACKER_MIN_DELAY_S"):
            kwargs["min_delay_s"] = _number(env, "TRACKER_MIN_DELAY_S", float)
        if env.get("TRACKER_MAX_BODY_BYTES"):
            kwargs["max_body_bytes"] = _number(env, "TRACKER_MAX_BODY_BYTES", int)
        if env.get("TRACKER_TIMEOUT_S"):
            kwargs["timeout_s"] = _number(env, "TRACKER_TIMEOUT_S", float)
        if env.get("TRACKER_SQL_DIR"):
            kwargs["sql_dir"] = Path(env["TRACKER_SQL_DIR"])
        kwargs["extra_allowed_hosts"] = _csv(env.get("TRACKER_ALLOWED_HOSTS"))
        private = (env.get("TRACKER_ALLOW_PRIVATE_ADDRESSES") or "").strip()
        kwargs["allow_private_addresses"] = _flag(private)
        if not _flag(private) and private.lower() not in {"", "0", "false", "no", "off"}:
            kwargs["allowed_private_networks"] = _networks(private)
        if env.get("TRACKER_DUCKDB_MEMORY_LIMIT"):
            kwargs["duckdb_memory_limit"] = env["TRACKER_DUCKDB_MEMORY_LIMIT"]
        if env.get("TRACKER_KEEP_VERSIONS"):
            kwargs["keep_versions"] = _count(env, "TRACKER_KEEP_VERSIONS", minimum=1)
        if env.get("TRACKER_KEEP_WEEKS"):
            kwargs["keep_weeks"] = _count(env, "TRACKER_KEEP_WEEKS", minimum=0)
        if env.get("TRACKER_WORKERS"):
            kwargs["workers"] = _at_least(env, "TRACKER_WORKERS", int, 1)
        if env.get("TRACKER_PARSE_MEMORY_MB"):
            kwargs["parse_memory_mb"] = _at_least(env, "TRACKER_PARSE_MEMORY_MB", int, 128)
        for name, key in (("TRACKER_PARSE_SECONDS", "parse_seconds"), ("TRACKER_EXTRACT_SECONDS", "extract_seconds")):
            if env.get(name):
                kwargs[key] = _at_least(env, name, float, 0.1)
        kwargs["redis_url"] = (env.get("TRACKER_REDIS_URL") or "").strip()
        if env.get("TRACKER_REGISTRY"):
            kwargs["registry_file"] = Path(env["TRACKER_REGISTRY"]).expanduser().resolve()
        return cls(**kwargs)

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} (+{self.contact})"

    @property
    def allowed_hosts(self) -> frozenset[str]:
        hosts = set(DEFAULT_ALLOWED_HOSTS) | set(self.extra_allowed_hosts)
        hosts |= {_host(url) for url in self.base_urls.values()}
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


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()
