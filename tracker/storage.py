"""Object storage: the system of record for the evidence archive, the crawl state and the published versions.

Decisions:

* `TRACKER_STORAGE_URL` names the store: a folder, or `s3://bucket/prefix` for a team whose workers run
  on several hosts. Unset, it is TRACKER_HOME itself: the store *is* the local folder and every sync
  below is a no-op, so one host (and `make demo`) works exactly as before.
* With a store, local folders under TRACKER_HOME are caches. The store's layout mirrors the home:
  `archive/<file>.warc.gz`, `state/<source>.json` (crawl state), `state/<source>.crawl.json` (the crawl
  summary source health reads) and `published/<version>.duckdb`. The working database, exports and
  the briefing stay on the writer's local disk (the DuckDB writer tasks run on one Celery queue).
* A fetch task pulls its source's crawl state, crawls into a local WARC, then pushes the WARC, the state
  and, last, its summary (which names the WARC with its size and SHA-256): whoever reads a summary can
  find its WARC. `process` pulls every WARC its archive lacks (sizes checked) and pushes the ones only it
  has (`tracker import-warc` and `tracker ingest` on the writer host), pulls the states and summaries, and
  fails (MissingEvidence) when a WARC named by this run's summaries is missing or not the file that was
  written: never a quiet publication of stale data. `publish` pulls the versions it lacks (the change
  log compares with the newest), then pushes the new version and drops from the store the versions
  retention dropped locally. `outputs` pulls the version its Asset event names (hash checked by the caller).
  `tracker run` does the same around its stages (pull, crawl, push, process, publish, push).
* The analyst's `watchlist.toml` and `reviews.toml` are edited on the writer host (the home of
  `tracker watch` and the registry); the run's first task, on the writer queue, puts them in the store's
  `config/` and each fetch task takes them from there (a file removed on the writer is removed too).
* Nothing half-written is ever visible: on S3 an object appears only when its PUT (or multipart upload)
  completes; in a folder a file is written as `.<name>.part` and renamed. Every transfer checks the size
  on the other side; downloads go through a `.part` file too.
* Credentials never go through TRACKER_*: s3fs (botocore) reads the standard AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_ENDPOINT_URL (for MinIO, SeaweedFS...) or an
  instance role. `TRACKER_STORAGE_OPTIONS` (JSON) passes other fsspec options, e.g. {"endpoint_url": ...}.
* fsspec directly, not Airflow's ObjectStoragePath: the same code serves the CLI (no Airflow), and
  ObjectStoragePath's s3 support comes from the amazon provider, which is heavy to install and to import.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fsspec

from tracker.errors import TrackerError
from tracker.fetch.archive import sha256_file
from tracker.settings import Settings
from tracker.warehouse.versions import make_read_only

ARCHIVE, STATE, PUBLISHED, CONFIG = "archive", "state", "published", "config"
# The analyst's files in TRACKER_HOME that fetch tasks read (the watched pages; reviews whose hosts and
# documents nhse and parliament discover): kept on the writer host, shared through the store's config/.
ANALYST_FILES = ("watchlist.toml", "reviews.toml")
# Attempts per S3 request (s3fs's own retries; botocore's are off so the two do not multiply): with
# TRACKER_STORAGE_TIMEOUT_S each, a hung endpoint costs about STORE_ATTEMPTS x the timeout.
STORE_ATTEMPTS = 3
# Where the store's failures come from besides OSError: botocore's connection and timeout errors (which
# s3fs passes through untranslated), aiohttp's, fsspec's.
_STORE_MODULES = {"botocore", "aiobotocore", "aiohttp", "s3fs", "fsspec"}


class StorageError(TrackerError):
    """The object store could not be read or written, or a transfer did not arrive whole."""


class MissingEvidence(TrackerError):
    """A WARC file a fetch task wrote in this run is not in the archive (or is not the file it wrote)."""


@dataclass(frozen=True)
class Store:
    """Where the system of record lives: a filesystem and the root path in it (no trailing slash)."""

    fs: fsspec.AbstractFileSystem
    root: str
    url: str

    def key(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    @property
    def is_folder(self) -> bool:
        return "file" in _protocols(self.fs)


def _protocols(fs) -> tuple[str, ...]:
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


def open_store(settings: Settings) -> Store | None:
    """The store named by settings.storage_url, or None when it is TRACKER_HOME itself (nothing to sync)."""
    url = settings.storage_url
    if not url:
        return None
    try:
        fs, root = fsspec.core.url_to_fs(url, **_bounded(url, settings.storage_options, settings.storage_timeout_s))
    except (ImportError, ValueError, TypeError) as exc:
        raise StorageError(f"TRACKER_STORAGE_URL {url!r} cannot be opened: {exc}") from exc
    if "s3" in _protocols(fs):
        fs.retries = STORE_ATTEMPTS  # s3fs's attempts per request: a class attribute, not an option
    store = Store(fs, root.rstrip("/") or root, url)
    if store.is_folder and Path(root).expanduser().resolve() == settings.home:
        return None
    return store


def _bounded(url: str, options: dict, timeout: float) -> dict:
    """S3 options with connect and read timeouts and a bounded number of attempts (options given win)."""
    if not url.startswith(("s3://", "s3a://")):
        return options
    config = {"connect_timeout": timeout, "read_timeout": timeout, "retries": {"total_max_attempts": 1},
              **options.get("config_kwargs", {})}
    return {**options, "config_kwargs": config}


@contextmanager
def _failing(what: str):
    """Turn the store's failures (OSError, botocore's and aiohttp's errors) into one-line StorageErrors."""
    try:
        yield
    except FileNotFoundError:
        raise
    except StorageError:
        raise
    except Exception as exc:
        if not isinstance(exc, OSError) and type(exc).__module__.split(".")[0] not in _STORE_MODULES:
            raise
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise StorageError(f"{what}: {detail}") from exc


# --- transfers ----------------------------------------------------------------------------------


def listing(store: Store, folder: str) -> dict[str, int]:
    """name -> size of the whole files in a folder of the store ({} when it does not exist)."""
    path = store.key(folder)
    store.fs.invalidate_cache(path)  # another host may have written since this process last looked
    try:
        with _failing(f"cannot list {store.url}/{folder}"):
            entries = store.fs.ls(path, detail=True)
    except FileNotFoundError:
        return {}
    out = {}
    for entry in entries:
        name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
        if entry.get("type") == "file" and not name.startswith("."):
            out[name] = int(entry.get("size") or 0)
    return out


def upload(store: Store, local: Path, folder: str) -> None:
    """Put a local file into a folder of the store, whole or not at all, and check its size there."""
    target = store.key(folder, local.name)
    size = local.stat().st_size
    with _failing(f"cannot upload {local.name} to {store.url}/{folder}"):
        if store.is_folder:  # rename after writing; an S3 PUT is atomic by itself
            partial = store.key(folder, f".{local.name}.part")
            store.fs.makedirs(store.key(folder), exist_ok=True)
            store.fs.put_file(str(local), partial)
            os.replace(partial, target)
        else:
            store.fs.put_file(str(local), target)
        store.fs.invalidate_cache(target)
        stored = store.fs.info(target)["size"]
    if stored != size:
        raise StorageError(f"{store.url}/{folder}/{local.name} holds {stored} bytes after upload, not {size}")


def download(store: Store, folder: str, name: str, local_dir: Path, size: int | None = None) -> Path:
    """Get a file of the store into local_dir (through a .part file), checking its size when known."""
    local_dir.mkdir(parents=True, exist_ok=True)
    target = local_dir / name
    partial = local_dir / f".{name}.part"
    try:
        with _failing(f"cannot download {store.url}/{folder}/{name}"):
            store.fs.get_file(store.key(folder, name), str(partial))
    except (FileNotFoundError, StorageError):
        partial.unlink(missing_ok=True)
        raise
    got = partial.stat().st_size
    if size is not None and got != size:
        partial.unlink(missing_ok=True)
        raise StorageError(f"{store.url}/{folder}/{name}: downloaded {got} bytes, the store lists {size}")
    os.replace(partial, target)
    return target


def remove(store: Store, folder: str, name: str) -> None:
    try:
        with _failing(f"cannot remove {store.url}/{folder}/{name}"):
            store.fs.rm_file(store.key(folder, name))
    except FileNotFoundError:
        pass


# --- the archive ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSync:
    pulled: tuple[str, ...] = ()
    pushed: tuple[str, ...] = ()


def _local_warcs(archive_dir: Path) -> dict[str, int]:
    if not archive_dir.is_dir():
        return {}
    return {p.name: p.stat().st_size for p in archive_dir.glob("*.warc.gz") if not p.name.startswith(".")}


def sync_archive(settings: Settings, store: Store | None) -> ArchiveSync:
    """Make the local archive and the store's hold the same WARC files: pull what is missing here, push
    what only this host has. A file present on both sides with different sizes is an error (names are
    unique per capture run, so the two cannot both be whole)."""
    if store is None:
        return ArchiveSync()
    remote, local = listing(store, ARCHIVE), _local_warcs(settings.archive_dir)
    clash = sorted(name for name in remote.keys() & local.keys() if remote[name] != local[name])
    if clash:
        raise StorageError(f"archive files differ in size between {settings.archive_dir} and {store.url}: "
                           + ", ".join(clash))
    pulled = sorted(name for name in remote.keys() - local.keys() if name.endswith(".warc.gz"))
    for name in pulled:
        download(store, ARCHIVE, name, settings.archive_dir, remote[name])
    pushed = sorted(local.keys() - remote.keys())
    for name in pushed:
        upload(store, settings.archive_dir / name, ARCHIVE)
    return ArchiveSync(tuple(pulled), tuple(pushed))


# --- crawl state and crawl summaries -----------------------------------------------------------------


def state_dir(settings: Settings) -> Path:
    return settings.home / STATE


def summary_name(source: str) -> str:
    return f"{source}.crawl.json"


def pull_state(settings: Settings, store: Store | None, names: list[str] | None = None) -> list[str]:
    """Copy crawl states and summaries from the store over the local ones (the store is the newer:
    every fetch task pushes its own when it ends); `names` limits which. Returns the names copied."""
    if store is None:
        return []
    remote = listing(store, STATE)
    chosen = sorted(n for n in remote if n.endswith(".json") and (names is None or n in names))
    for name in chosen:
        download(store, STATE, name, state_dir(settings), remote[name])
    return chosen


def push_state(settings: Settings, store: Store | None) -> list[str]:
    """Put every local crawl state and summary in the store (after a `tracker run` crawled here)."""
    if store is None or not state_dir(settings).is_dir():
        return []
    names = sorted(p.name for p in state_dir(settings).glob("*.json") if not p.name.startswith("."))
    for name in names:
        upload(store, state_dir(settings) / name, STATE)
    return names


def push_fetch(settings: Settings, store: Store | None, source: str) -> None:
    """After a fetch (also a failed one): the WARC, then the crawl state, then the summary naming them
    (with the WARC's size and SHA-256, recorded by the crawl)."""
    path = state_dir(settings) / summary_name(source)
    if store is None or not path.is_file():
        return
    warc = json.loads(path.read_text()).get("warc")
    if warc and (settings.archive_dir / warc).is_file():
        upload(store, settings.archive_dir / warc, ARCHIVE)
    crawl_state = state_dir(settings) / f"{source}.json"
    if crawl_state.is_file():
        upload(store, crawl_state, STATE)
    upload(store, state_dir(settings) / summary_name(source), STATE)


def require_fetched_warcs(settings: Settings, run_id: str) -> list[str]:
    """The WARC files this run's fetch tasks wrote (by their summaries), each checked to be in the local
    archive with the size and hash its task recorded; raises MissingEvidence otherwise."""
    problems, found = [], []
    for path in sorted(state_dir(settings).glob("*.crawl.json")):
        summary = json.loads(path.read_text())
        warc = summary.get("warc")
        if summary.get("run") != run_id or not warc:
            continue
        local = settings.archive_dir / warc
        if not local.is_file():
            problems.append(f"{summary.get('source')}: {warc} is not in the archive")
        elif summary.get("warc_bytes") is not None and local.stat().st_size != summary["warc_bytes"]:
            problems.append(f"{summary.get('source')}: {warc} holds {local.stat().st_size} bytes, "
                            f"its fetch wrote {summary['warc_bytes']}")
        elif summary.get("warc_sha256") and sha256_file(local) != summary["warc_sha256"]:
            problems.append(f"{summary.get('source')}: {warc} is not the file its fetch wrote (SHA-256 differs)")
        else:
            found.append(warc)
    if problems:
        raise MissingEvidence("not processing: evidence from this run's fetches is missing: " + "; ".join(problems))
    return found


# --- the analyst's files ----------------------------------------------------------------------------


def push_config(settings: Settings, store: Store | None) -> list[str]:
    """Make the store's config/ what the writer host has: its analyst files, and no others."""
    if store is None:
        return []
    remote = listing(store, CONFIG)
    present = [name for name in ANALYST_FILES if (settings.home / name).is_file()]
    for name in present:
        upload(store, settings.home / name, CONFIG)
    for name in sorted(set(remote) - set(present)):
        remove(store, CONFIG, name)
    return present


def pull_config(settings: Settings, store: Store | None) -> list[str]:
    """Make this host's analyst files the store's (a fetch host holds no copies of its own)."""
    if store is None:
        return []
    remote = listing(store, CONFIG)
    present = [name for name in ANALYST_FILES if name in remote]
    for name in ANALYST_FILES:
        if name in remote:
            download(store, CONFIG, name, settings.home, remote[name])
        else:
            (settings.home / name).unlink(missing_ok=True)
    return present


# --- published versions ---------------------------------------------------------------------------


def pull_published(settings: Settings, store: Store | None) -> list[str]:
    """Get the published versions this host lacks (a new writer host starts with the history)."""
    if store is None:
        return []
    remote = listing(store, PUBLISHED)
    published = settings.published_dir
    local = {p.name for p in published.glob("tracker-*.duckdb")} if published.is_dir() else set()
    pulled = sorted(name for name in remote.keys() - local if name.endswith(".duckdb"))
    for name in pulled:
        make_read_only(download(store, PUBLISHED, name, settings.published_dir, remote[name]))
    return pulled


def push_published(settings: Settings, store: Store | None, version: Path) -> list[str]:
    """Put a new version in the store, with any kept version the store lacks (a publish stopped after its swap,
    before its upload), then drop the store's versions that retention dropped here (run after
    pull_published, so this host held every version the store had). Returns those dropped."""
    if store is None:
        return []
    remote = listing(store, PUBLISHED)
    kept = {p.name: p for p in settings.published_dir.glob("tracker-*.duckdb")}
    for name in sorted(kept.keys() - remote.keys() - {version.name}):
        upload(store, kept[name], PUBLISHED)
    upload(store, version, PUBLISHED)
    dropped = sorted(name for name in remote if name.endswith(".duckdb") and name not in kept)
    for name in dropped:
        remove(store, PUBLISHED, name)
    return dropped


def pull_version(settings: Settings, store: Store | None, version_file: str) -> Path:
    """The local copy of a published version, downloaded from the store when this host lacks it."""
    local = settings.published_dir / version_file
    if store is None or local.is_file():
        return local
    remote = listing(store, PUBLISHED)
    if version_file in remote:
        make_read_only(download(store, PUBLISHED, version_file, settings.published_dir, remote[version_file]))
    return local
