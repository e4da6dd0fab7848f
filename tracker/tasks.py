"""Entry points for orchestration (Airflow tasks): plain arguments in, small JSON-able dicts out.

Each function builds its own Settings from the environment. With an object store
(TRACKER_STORAGE_URL, tracker/storage.py) each task first pulls what its host lacks and pushes what it
made, so workers on different hosts need no shared volume: fetch tasks run anywhere, and the DuckDB
writers (process, publish, check_health, outputs) on the hosts serving the writer queue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.settings import SOURCES, WATCHLIST, Settings


def fetch(source: str, offline: bool = True, since: str | None = None, run: str | None = None) -> dict:
    """Discover and fetch one source (or the analyst's watchlist) into the archive (nothing to do when offline).

    Fails (FetchFailed, or the crawl's own error) when the source could not be reached or gave
    nothing; its summary, tagged with `run`, is written either way for source health.
    """
    if source not in SOURCES and source != WATCHLIST:
        raise ValueError(f"unknown source {source!r}")
    if offline:
        return {"source": source, "mode": "offline", "fetched": 0, "failed": 0}
    from tracker import storage
    from tracker.stages.crawl import crawl_source
    from tracker.health import FetchFailed, crawl_failure

    settings = Settings.from_env()
    store = storage.open_store(settings)
    storage.pull_config(settings, store)  # the watched pages and the analyst's reviews, as the writer host has them
    storage.pull_state(settings, store, [f"{source}.json"])  # the last crawl's validators, from whichever host
    try:
        summary = crawl_source(settings, source, date.fromisoformat(since) if since else None, run=run)
    finally:  # what was fetched is kept, also when the crawl failed; the summary goes last
        storage.push_fetch(settings, store, source)
    failure = crawl_failure(summary)
    if failure:
        raise FetchFailed(f"{source}: {failure}")
    return summary.to_dict()  # an XCom: plain JSON


def share_config() -> list[str]:
    """On the writer host, before the fetches: put the analyst's watchlist.toml and reviews.toml in the
    object store for the fetch tasks on other hosts (nothing to do without a store). Returns the names."""
    from tracker import storage

    settings = Settings.from_env()
    return storage.push_config(settings, storage.open_store(settings))


def check_fetches(sources: list[str], run: str, offline: bool = False) -> dict:
    """Fail (FetchFailed) when any source's fetch in run `run` failed: a failed source is never a quiet week."""
    if offline:
        return {"mode": "offline", "failed": []}
    from tracker import storage
    from tracker.health import FetchFailed, fetch_failures

    settings = Settings.from_env()
    storage.pull_state(settings, storage.open_store(settings), [storage.summary_name(s) for s in sources])
    problems = fetch_failures(settings, sources, run)
    if problems:
        raise FetchFailed(f"{len(problems)} of {len(sources)} sources failed to fetch: " + "; ".join(problems))
    return {"sources": list(sources), "failed": []}


def check_health(source: str) -> dict:
    """Fail (SourceHealthError) when the last processing found the source unhealthy."""
    from tracker.health import assert_healthy

    return assert_healthy(Settings.from_env(), source)


def process(
    offline: bool = False, sources: str = "", run_type: str = "manual", scheduled_for: str | None = None,
    run_id: str | None = None,
) -> dict:
    """Index the archive, parse what changed, extract recommendations and evidence (writes the working DB).

    The run is recorded in `runs` under `run_id` (Airflow's run id; a new one when None): run_type
    "scheduled" with its slot (`scheduled_for`, ISO time) for the weekly DAG's scheduled runs, so the
    change digest knows where a week starts; "manual" otherwise. Returns a small summary (counts).

    First the local archive and crawl state are brought level with the object store; a WARC named by
    this run's crawl summaries that is missing (or not the file written) fails the task (MissingEvidence).
    """
    from datetime import datetime, timezone

    from tracker import storage

    from tracker.pipeline import RunSummary, new_run_id, record_run
    from tracker.pipeline import process as run_process

    from tracker.lock import run_lock

    settings = Settings.from_env()
    with run_lock(settings.lock_file):  # a CLI run on the same TRACKER_HOME must not interleave
        started = datetime.now(timezone.utc)
        store = storage.open_store(settings)
        storage.pull_state(settings, store)
        storage.sync_archive(settings, store)
        summary = RunSummary(run_id=run_id or new_run_id())
        storage.require_fetched_warcs(settings, summary.run_id)
        summary = run_process(settings, summary)
        slot = datetime.fromisoformat(scheduled_for) if scheduled_for and run_type == "scheduled" else None
        record_run(settings, summary, started, "offline" if offline else "live", sources, "processed",
                   "scheduled" if slot else "manual", slot)
    return summary.counts()


def publish(run_id: str) -> dict:
    """Publish the working database as a new warehouse version (atomic rename), as run `run_id`.

    Refuses (StalePublish) when the working database was last processed by another run: publishing
    a cleared old run again must not put today's data out under the old run's label.
    Returns the version published: its file name (in $TRACKER_HOME/published/) and content hash.
    With an object store the versions this host lacks are pulled first and the new one is pushed.
    """
    from tracker.fetch.archive import sha256_file
    from tracker.pipeline import publish_stage, require_processed_by

    from tracker.lock import run_lock

    settings = Settings.from_env()
    with run_lock(settings.lock_file):
        require_processed_by(settings, run_id)
        path = Path(publish_stage(settings, run_id))
    return {"run_id": run_id, "version_file": path.name, "sha256": sha256_file(path), "version": str(path)}


def outputs(version_file: str | None = None, sha256: str | None = None) -> dict:
    """Write CSV exports and the HTML briefing from a published version ($TRACKER_HOME/published/<version_file>,
    checked against `sha256` when given), or from the current warehouse when no version is named.
    A named version this host lacks is downloaded from the object store first."""
    from tracker import storage
    from tracker.pipeline import outputs_stage, published_version_path
    from tracker.warehouse.changelog import VERSION_NAME

    settings = Settings.from_env()
    if version_file and VERSION_NAME.match(version_file):
        storage.pull_version(settings, storage.open_store(settings), version_file)
    warehouse = published_version_path(settings, version_file, sha256) if version_file else None
    written = outputs_stage(settings, str(warehouse) if warehouse else None)
    return {k: written[k] for k in ("version_file", "exports", "latest", "site", "changes_count", "status_changes")}
