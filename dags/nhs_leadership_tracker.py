"""Airflow DAGs for the NHS leadership policy tracker.

Two DAGs live here:

* ``nhs_leadership_tracker`` - weekly: fetch each source (mapped), process, publish.
  ``publish`` emits the ``WAREHOUSE`` asset.
* ``nhs_leadership_tracker_outputs`` - scheduled on ``WAREHOUSE``: CSV exports + HTML briefing.

Parse-time imports are deliberately limited to ``datetime``, ``pendulum``, ``airflow.sdk``,
``tracker_alerts`` (plugins/, standard library only) and ``tracker.settings`` (standard library only: the
typed settings, so TRACKER_HOME, the sources and the writer queue are defined in one place): the rest of
the ``tracker`` library (DuckDB, pyarrow, lxml, fsspec ...) is imported inside the task functions only, so
the dag-processor stays fast. A bad TRACKER_* setting fails the DAG file's import, naming the setting.

More than one host: the archive, the crawl state and the published versions live in the object store
named by TRACKER_STORAGE_URL (tracker/storage.py; by default TRACKER_HOME itself). Fetch tasks run on
the default queue, on any worker; the tasks that write or read the DuckDB files (process, publish,
check_health, outputs) and select_sources (it shares the analyst's files) run on the writer queue
(TRACKER_WRITER_QUEUE, default ``writer``), served by the worker(s) that own the local disk. The tasks
move files with fsspec themselves rather than through Airflow's ``ObjectStoragePath``: the CLI runs the
same code without Airflow, and ``s3://`` in ObjectStoragePath needs the amazon provider (without it: "No
filesystem registered for scheme s3"), a heavy install the tracker does not otherwise need. The Asset's
URI does name the store (``s3://bucket/prefix/published``) when there is one: a plain string, which needs no
provider at parse time.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pendulum

from airflow.sdk import Asset, AsyncCallback, DeadlineAlert, DeadlineReference, Param, dag, task
from tracker.settings import SOURCES as TRACKER_SOURCES
from tracker.settings import WATCHLIST, Settings
from tracker_alerts import TrackerWebhookNotifier

SETTINGS = Settings.from_env()
# "watchlist": the analyst's watched pages ($TRACKER_HOME/watchlist.toml), fetched and judged like a source.
SOURCES = [*TRACKER_SOURCES, WATCHLIST]
# Every task waits in the pool of the worker slots that run it: a task the scheduler queues beyond them waits
# QUEUED, is requeued after [scheduler] task_queued_timeout and then failed without a retry; a task waiting
# for its pool stays SCHEDULED as long as it must. WRITER_POOL: the writer queue's slots (1: also keeps the
# DuckDB writers apart); FETCH_POOL: the default queue's (the fetch workers' slots; scripts/airflow-setup.sh).
WRITER_POOL = "duckdb_writer"
FETCH_POOL = "tracker_fetch"
# The Celery queue of the DuckDB writers; fetch tasks stay on the default queue.
WRITER_QUEUE = SETTINGS.writer_queue


def warehouse_uri(settings: Settings) -> str:
    """Where the published warehouse lives: the store's published/ folder, or $TRACKER_HOME/tracker.duckdb."""
    url = (settings.storage_url or "").rstrip("/")
    if "://" in url and not url.startswith("file://"):
        return url + "/published"
    folder = Path(url.removeprefix("file://")).expanduser().resolve() if url else settings.home
    if folder != settings.home:  # a store that is TRACKER_HOME itself is no store (tracker.storage.open_store)
        return "file://" + str(folder) + "/published"
    return "file://" + str(settings.home).rstrip("/") + "/tracker.duckdb"


# The published warehouse. Consumers match on the stable *name*; the URI records where it lives.
WAREHOUSE = Asset(name="nhs_leadership_tracker_warehouse", uri=warehouse_uri(SETTINGS), group="nhs_leadership_tracker")


# Failed tasks and failed runs: logged, and posted to the webhook in the Connection `tracker_alert_webhook`.
alert_on_failure = TrackerWebhookNotifier()

# Timeouts: a hung crawl or a stuck write fails (and retries) instead of holding the weekly run, and with
# max_active_runs=1 every later Monday. The longest, FETCH_TIMEOUT, bounds the Celery broker's
# visibility_timeout from below (docker-compose.yml): a message is never redelivered while its task still runs.
FETCH_TIMEOUT = timedelta(hours=6)  # one source's polite crawl (2 s between requests, thousands of pages)
PROCESS_TIMEOUT = timedelta(hours=3)  # parse + extract of what changed; a full re-parse of the archive fits
PUBLISH_TIMEOUT = timedelta(hours=1)  # change log + a copy of the warehouse
OUTPUTS_TIMEOUT = timedelta(hours=1)  # exports, workbook, briefing pages
CHECK_TIMEOUT = timedelta(minutes=15)  # reads of what the run wrote
# The whole run, retries included (3 tries of a 6 h crawl with backoff, then process and publish): under a week.
DAGRUN_TIMEOUT = timedelta(days=2)
# A weekly run not finished a day after its Monday slot is late: the Deadline Alert says so (the run goes on).
DEADLINE_AFTER = timedelta(hours=24)

# From the logical date, not DAGRUN_QUEUED_AT: clearing a task recomputes queued-at deadlines, which Airflow 3.3
# fails with HTTP 500 until the deadline is missed (apache/airflow#70368), so nothing could be cleared for a day.
# A scheduled run's logical date is its slot; a run triggered without a logical date gets no deadline.
WEEKLY_DEADLINE = DeadlineAlert(
    reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
    interval=DEADLINE_AFTER,
    callback=AsyncCallback(TrackerWebhookNotifier, kwargs={"what": "WEEKLY RUN LATE"}),
    name="weekly_run_late",
)


def run_slot(dag_run) -> tuple[str, str | None]:
    """("scheduled", its logical date) for a scheduled run of the weekly DAG, else ("manual", None).

    A scheduled run starts a new week in the change digest. Its logical date is its slot, so a retry,
    or the run cleared and run again later, is still that week's run; a manual trigger is not a week.
    """
    if dag_run is None or str(dag_run.run_type) != "scheduled":
        return "manual", None
    slot = dag_run.logical_date or dag_run.run_after
    return "scheduled", slot.isoformat() if slot else None


def fail_at_once(call, *args, **kwargs):
    """`call(*args, **kwargs)`; a refusal that every try would repeat (StalePublish, MissingEvidence) fails the task
    without its retries (AirflowFailException), naming the refusal."""
    from airflow.sdk.exceptions import AirflowFailException
    from tracker.pipeline import StalePublish
    from tracker.storage import MissingEvidence

    try:
        return call(*args, **kwargs)
    except (StalePublish, MissingEvidence) as exc:
        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc


def published_version(triggering_asset_events) -> dict | None:
    """The version the newest triggering WAREHOUSE event names ({"version_file", "sha256"}), or None
    (a manual run of the outputs DAG, or events from before versions were carried)."""
    events = list(triggering_asset_events[WAREHOUSE]) if triggering_asset_events else []
    for event in sorted(events, key=lambda e: e.timestamp, reverse=True):  # the newest names the version
        extra = event.extra or {}
        if extra.get("version_file"):
            return {"version_file": extra["version_file"], "sha256": extra.get("sha256")}
    return None


DEFAULT_ARGS = {
    "owner": "nhs-leadership-tracker",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    # Airflow 3.3: a multiplier (2.0 = classic doubling; True is the legacy spelling of 2.0).
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "on_failure_callback": alert_on_failure,
    "execution_timeout": CHECK_TIMEOUT,  # each task below sets the timeout that fits its work
}

TAGS = ["nhs", "leadership-tracker", "duckdb"]

DOC_MD = """
### NHS leadership tracker - weekly run

Tracks the recommendations of NHS leadership reviews and what has been decided and done about each.

| task | what |
|---|---|
| `select_sources` | validates the `sources` param, returns the list to map over; on the writer queue, puts the \
analyst's `watchlist.toml` and `reviews.toml` in the object store for the fetch hosts |
| `fetch` | **mapped**, one task per source: discover + fetch into the archive (`offline` = no network) |
| `process` | pulls the archive and crawl state from the object store (fails if a WARC this run fetched is missing); \
index archive, parse, extract; writes the working DuckDB (pool `duckdb_writer`, 1 slot, writer queue); records the \
run, `scheduled` for a scheduled run (a new week in the change digest) |
| `publish` | atomically publishes `$TRACKER_HOME/tracker.duckdb` and pushes the version to the object store (pool \
`duckdb_writer`, writer queue); emits the asset `nhs_leadership_tracker_warehouse` |
| `check_health` | **mapped**, one per source: fails with the reason when a source is unhealthy: its fetch failed, \
it listed nothing, it lists or yields less than half of last run, or its pages lost titles/dates (no retries) |
| `check_fetches` | fails, naming each source and why, when any `fetch` failed (trigger rule `all_done`, no retries) |

Every task waits in a pool sized to the worker slots of its queue: `tracker_fetch` (default queue) and \
`duckdb_writer` (writer queue, 1 slot). `StalePublish` and `MissingEvidence` fail their task at once (no retries). \
Backfills are refused (`allowed_run_types`: scheduled and manual runs only).

A `fetch` fails when its source cannot be reached (robots.txt, DNS or the connection) or gives
nothing; its summary is written either way. `process` uses the trigger rule `all_done_min_one_success`:
the other sources still process and publish, and then the failed source's `check_health` and
`check_fetches` fail, so the run is failed, never a quiet green week. The failure notifier logs
(and, with the Connection `tracker_alert_webhook`, posts) a one-line summary of each failed task and
of the failed run.

**Timeouts**: fetch 6 h, process 3 h, publish 1 h, checks 15 min; the run 2 days. A Deadline Alert
(`weekly_run_late`) notifies when a run has not finished 24 h after its logical date (its Monday slot).

The tracker's run id is Airflow's run id. `publish` refuses when the working database was last
processed by another run (a cleared old `publish` never republishes newer data under its label); its
asset event carries the version it published (`version_file`, `sha256`).

**Params**: `offline` (bool, default false), `sources` (subset of dhsc, kingsfund, nhsproviders, nhsi, nhse, \
parliament, watchlist),
`since` (YYYY-MM-DD or null). The asset triggers `nhs_leadership_tracker_outputs` (CSV + HTML briefing).
"""

OUTPUTS_DOC_MD = """
### NHS leadership tracker - outputs

Runs whenever `nhs_leadership_tracker` publishes a new warehouse (asset `nhs_leadership_tracker_warehouse`),
from exactly the version that asset event names (`$TRACKER_HOME/published/<version_file>`, hash checked);
a manual run uses the current warehouse. Writes `$TRACKER_HOME/exports/<date>/` and `exports/latest/` CSVs and the \
briefing `$TRACKER_HOME/site/index.html`.
"""


@dag(
    dag_id="nhs_leadership_tracker",
    schedule="0 6 * * 1",  # Mondays 06:00, Europe/London (BST/GMT aware through start_date's tz)
    start_date=pendulum.datetime(2026, 1, 5, 6, 0, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    # No backfills: a backfill runs beside the live run (its own max_active_runs), breaks its publish
    # (StalePublish) and publishes today's data under past weeks. Airflow refuses to create one.
    allowed_run_types=["scheduled", "manual"],
    dagrun_timeout=DAGRUN_TIMEOUT,
    deadline=WEEKLY_DEADLINE,
    on_failure_callback=alert_on_failure,
    default_args=DEFAULT_ARGS,
    doc_md=DOC_MD,
    tags=TAGS,
    params={
        "offline": Param(False, type="boolean", description="Process only what the archive holds (no network I/O)."),
        "sources": Param(
            list(SOURCES),
            type="array",
            items={"type": "string", "enum": list(SOURCES)},
            minItems=1,
            uniqueItems=True,
            description="Sources to fetch (watchlist: the pages on `tracker watch list`).",
        ),
        "since": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Discover only publications since this date (YYYY-MM-DD); null for the source default.",
        ),
    },
)
def nhs_leadership_tracker():
    # On the writer queue: it shares the analyst's files (watchlist, own reviews) with the fetch hosts first.
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, multiple_outputs=False)
    def select_sources(params=None) -> list[str]:
        from tracker import tasks

        tasks.share_config()
        return [s for s in params["sources"] if s in SOURCES]

    @task(pool=FETCH_POOL, map_index_template="{{ task.op_kwargs['source'] }}", execution_timeout=FETCH_TIMEOUT,
          multiple_outputs=False)
    def fetch(source: str, params=None, run_id=None) -> dict:
        from tracker import tasks

        return tasks.fetch(source, offline=bool(params["offline"]), since=params.get("since") or None, run=run_id)

    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, trigger_rule="all_done_min_one_success",
          execution_timeout=PROCESS_TIMEOUT, multiple_outputs=False)
    def process(params=None, dag_run=None, run_id=None) -> dict:
        from tracker import tasks

        run_type, scheduled_for = run_slot(dag_run)
        return fail_at_once(
            tasks.process, offline=bool(params["offline"]), sources=",".join(params["sources"]),
            run_type=run_type, scheduled_for=scheduled_for, run_id=run_id,
        )

    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, outlets=[WAREHOUSE], execution_timeout=PUBLISH_TIMEOUT,
          multiple_outputs=False)
    def publish(summary: dict, run_id=None, outlet_events=None) -> dict:
        from tracker import tasks

        published = fail_at_once(tasks.publish, run_id)
        # The asset event names the version: the outputs DAG builds from exactly it, not from whatever is current.
        outlet_events[WAREHOUSE].extra = {k: published[k] for k in ("run_id", "version_file", "sha256")}
        return published

    # A source that lost its titles or dates, or listed nothing, fails here (loudly, with the reason),
    # without holding back the publication of what the other sources gave. Retrying cannot help.
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, retries=0, map_index_template="{{ task.op_kwargs['source'] }}",
          multiple_outputs=False)
    def check_health(source: str) -> dict:
        from tracker import tasks

        return tasks.check_health(source)

    # A leaf that fails when any fetch failed, with each source's reason (from the summary the failed
    # fetch wrote in `finally`): the run fails while the other sources still process and publish.
    @task(pool=FETCH_POOL, retries=0, trigger_rule="all_done", multiple_outputs=False)
    def check_fetches(sources: list[str], params=None, run_id=None) -> dict:
        from tracker import tasks

        return tasks.check_fetches(sources, run_id, offline=bool(params["offline"]))

    selected = select_sources()
    fetched = fetch.expand(source=selected)
    processed = process()
    fetched >> processed
    publish(processed)
    processed >> check_health.expand(source=selected)
    fetched >> check_fetches(selected)


@dag(
    dag_id="nhs_leadership_tracker_outputs",
    schedule=[WAREHOUSE],
    start_date=pendulum.datetime(2026, 1, 5, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=4),
    on_failure_callback=alert_on_failure,
    default_args=DEFAULT_ARGS,
    doc_md=OUTPUTS_DOC_MD,
    tags=TAGS,
)
def nhs_leadership_tracker_outputs():
    # On the writer queue: it reads the archive for the briefing's captures and writes exports and site locally.
    @task(pool=WRITER_POOL, queue=WRITER_QUEUE, execution_timeout=OUTPUTS_TIMEOUT, multiple_outputs=False)
    def outputs(triggering_asset_events=None) -> dict:
        from tracker import tasks

        version = published_version(triggering_asset_events)
        return tasks.outputs(**version) if version else tasks.outputs()

    outputs()


nhs_leadership_tracker()
nhs_leadership_tracker_outputs()
