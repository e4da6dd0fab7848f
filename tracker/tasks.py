"""Entry points for orchestration (Airflow tasks): plain arguments in, small JSON-able dicts out.

Each function builds its own Settings from the environment, so a Celery worker on another machine
only needs TRACKER_HOME on the shared volume.
"""

from __future__ import annotations

from datetime import date

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
    from tracker.fetch.crawl import crawl_source
    from tracker.health import FetchFailed, crawl_failure

    summary = crawl_source(Settings.from_env(), source, date.fromisoformat(since) if since else None, run=run)
    failure = crawl_failure(summary)
    if failure:
        raise FetchFailed(f"{source}: {failure}")
    return summary


def check_fetches(sources: list[str], run: str, offline: bool = False) -> dict:
    """Fail (FetchFailed) when any source's fetch in run `run` failed: a failed source is never a quiet week."""
    if offline:
        return {"mode": "offline", "failed": []}
    from tracker.health import FetchFailed, fetch_failures

    problems = fetch_failures(Settings.from_env(), sources, run)
    if problems:
        raise FetchFailed(f"{len(problems)} of {len(sources)} sources failed to fetch: " + "; ".join(problems))
    return {"sources": list(sources), "failed": []}


def check_health(source: str) -> dict:
    """Fail (SourceHealthError) when the last processing found the source unhealthy."""
    from tracker.health import assert_healthy

    return assert_healthy(Settings.from_env(), source)


def process(offline: bool = False, sources: str = "", run_type: str = "manual", scheduled_for: str | None = None) -> dict:
    """Index the archive, parse what changed, extract recommendations and evidence (writes the working DB).

    The run is recorded in `runs`: run_type "scheduled" with its slot (`scheduled_for`, ISO time) for the
    weekly DAG's scheduled runs, so the change digest knows where a week starts; "manual" otherwise.
    """
    from datetime import datetime, timezone

    from tracker.pipeline import RunSummary, new_run_id, record_run
    from tracker.pipeline import process as run_process

    from tracker.lock import run_lock

    settings = Settings.from_env()
    with run_lock(settings.lock_file):  # a CLI run on the same TRACKER_HOME must not interleave
        started = datetime.now(timezone.utc)
        summary = run_process(settings, RunSummary(run_id=new_run_id()))
        slot = datetime.fromisoformat(scheduled_for) if scheduled_for and run_type == "scheduled" else None
        record_run(settings, summary, started, "offline" if offline else "live", sources, "processed",
                   "scheduled" if slot else "manual", slot)
    return summary.as_dict()


def publish(run_id: str) -> dict:
    """Publish the working database as a new warehouse version (atomic rename)."""
    from tracker.pipeline import publish_stage

    from tracker.lock import run_lock

    settings = Settings.from_env()
    with run_lock(settings.lock_file):
        version = publish_stage(settings, run_id)
    return {"run_id": run_id, "version": version, "warehouse": str(settings.warehouse)}


def outputs(warehouse: str | None = None) -> dict:
    """Write CSV exports and the HTML briefing from the published warehouse."""
    from tracker.pipeline import outputs_stage

    return outputs_stage(Settings.from_env(), warehouse)
