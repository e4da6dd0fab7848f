"""Airflow DAGs for the NHS leadership policy tracker.

Two DAGs live here:

* ``nhs_leadership_tracker`` - weekly: fetch each source (mapped), process, publish.
  ``publish`` emits the ``WAREHOUSE`` asset.
* ``nhs_leadership_tracker_outputs`` - scheduled on ``WAREHOUSE``: CSV exports + HTML briefing.

Parse-time imports are deliberately limited to ``os``, ``datetime``, ``pendulum`` and
``airflow.sdk``: the ``tracker`` library (DuckDB, pyarrow, lxml ...) is imported inside the
task functions only, so the dag-processor stays fast.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum

from airflow.sdk import Asset, Param, dag, task

# "watchlist": the analyst's watched pages ($TRACKER_HOME/watchlist.toml), fetched and judged like a source.
SOURCES = ["dhsc", "kingsfund", "nhsproviders", "nhsi", "nhse", "parliament", "watchlist"]
WRITER_POOL = "duckdb_writer"


def _tracker_home() -> str:
    # Same default as tracker.settings (./var in the checkout); resolved without importing tracker.
    home = os.environ.get("TRACKER_HOME") or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var")
    return os.path.abspath(os.path.expanduser(home))


# The published warehouse. Consumers match on the stable *name*; the URI records where the file
# lives for the TRACKER_HOME this deployment uses (every Airflow component must share it).
WAREHOUSE = Asset(
    name="nhs_leadership_tracker_warehouse",
    uri="file://" + _tracker_home().rstrip("/") + "/tracker.duckdb",
    group="nhs_leadership_tracker",
)


def alert_on_failure(context) -> None:
    """One-line failure summary to the task log, and to TRACKER_ALERT_WEBHOOK when set.

    Runs in the worker after the last retry failed. The webhook URL is never logged.
    """
    import logging

    log = logging.getLogger("nhs_leadership_tracker.alert")
    ti = context.get("ti") or context.get("task_instance")
    task_obj = context.get("task")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", None) or getattr(task_obj, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    source = None
    op_kwargs = getattr(task_obj, "op_kwargs", None)
    if isinstance(op_kwargs, dict):
        source = op_kwargs.get("source")
    error = context.get("exception")
    error_text = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
    error_text = " ".join(error_text.split())[:500]  # one line, bounded
    run_id = getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")
    parts = [f"dag={dag_id}", f"task={task_id}"]
    if map_index is not None and map_index >= 0:
        parts.append(f"map_index={map_index}")
    if source:
        parts.append(f"source={source}")
    parts += [f"run_id={run_id}", f"error={error_text}"]
    summary = "TRACKER TASK FAILED " + " ".join(parts)
    log.error(summary)

    webhook = os.environ.get("TRACKER_ALERT_WEBHOOK")
    if webhook:
        try:
            import requests

            resp = requests.post(
                webhook,
                json={"text": summary, "dag_id": dag_id, "task_id": task_id, "source": source, "run_id": run_id, "error": error_text},
                timeout=10,
            )
            log.info("failure alert posted to TRACKER_ALERT_WEBHOOK (HTTP %s)", resp.status_code)
        except Exception as exc:  # an alert must never mask the original failure
            log.warning("could not post failure alert to TRACKER_ALERT_WEBHOOK: %s", type(exc).__name__)


def run_slot(dag_run) -> tuple[str, str | None]:
    """("scheduled", its logical date) for a scheduled run of the weekly DAG, else ("manual", None).

    A scheduled run starts a new week in the change digest. Its logical date is its slot, so a retry,
    or the run cleared and run again later, is still that week's run; a manual trigger is not a week.
    """
    if dag_run is None or str(dag_run.run_type) != "scheduled":
        return "manual", None
    slot = dag_run.logical_date or dag_run.run_after
    return "scheduled", slot.isoformat() if slot else None


DEFAULT_ARGS = {
    "owner": "nhs-leadership-tracker",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    # Airflow 3.3: a multiplier (2.0 = classic doubling; True is the legacy spelling of 2.0).
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "on_failure_callback": alert_on_failure,
}

TAGS = ["nhs", "leadership-tracker", "duckdb"]

DOC_MD = """
### NHS leadership tracker - weekly run

Tracks the recommendations of NHS leadership reviews and what has been decided and done about each.

| task | what |
|---|---|
| `select_sources` | validates the `sources` param, returns the list to map over |
| `fetch` | **mapped**, one task per source: discover + fetch into the archive (`offline` = no network) |
| `process` | index archive, parse, extract; writes the working DuckDB (pool `duckdb_writer`, 1 slot); records the run, `scheduled` for a scheduled run (a new week in the change digest) |
| `publish` | atomically publishes `$TRACKER_HOME/tracker.duckdb` (pool `duckdb_writer`); emits the asset `nhs_leadership_tracker_warehouse` |
| `check_health` | **mapped**, one per source: fails with the reason when a source is unhealthy: its fetch failed, it listed nothing, it lists or yields less than half of last run, or its pages lost titles/dates (no retries) |
| `check_fetches` | fails, naming each source and why, when any `fetch` failed (trigger rule `all_done`, no retries) |

A `fetch` fails when its source cannot be reached (robots.txt, DNS or the connection) or gives
nothing; its summary is written either way. `process` uses the trigger rule `all_done_min_one_success`:
the other sources still process and publish, and then the failed source's `check_health` and
`check_fetches` fail, so the run is failed, never a quiet green week. The failure callback logs
(and, with `TRACKER_ALERT_WEBHOOK`, posts) a one-line summary of each failed task.

**Params**: `offline` (bool, default false), `sources` (subset of dhsc, kingsfund, nhsproviders, nhsi, nhse, parliament, watchlist),
`since` (YYYY-MM-DD or null). The asset triggers `nhs_leadership_tracker_outputs` (CSV + HTML briefing).
"""

OUTPUTS_DOC_MD = """
### NHS leadership tracker - outputs

Runs whenever `nhs_leadership_tracker` publishes a new warehouse (asset `nhs_leadership_tracker_warehouse`):
writes `$TRACKER_HOME/exports/<date>/` and `exports/latest/` CSVs and the briefing `$TRACKER_HOME/site/index.html`.
"""


@dag(
    dag_id="nhs_leadership_tracker",
    schedule="0 6 * * 1",  # Mondays 06:00, Europe/London (BST/GMT aware through start_date's tz)
    start_date=pendulum.datetime(2026, 1, 5, 6, 0, tz="Europe/London"),
    catchup=False,
    max_active_runs=1,
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
    @task
    def select_sources(params=None) -> list[str]:
        return [s for s in params["sources"] if s in SOURCES]

    @task(map_index_template="{{ task.op_kwargs['source'] }}")
    def fetch(source: str, params=None, run_id=None) -> dict:
        from tracker import tasks

        return tasks.fetch(source, offline=bool(params["offline"]), since=params.get("since") or None, run=run_id)

    @task(pool=WRITER_POOL, trigger_rule="all_done_min_one_success")
    def process(params=None, dag_run=None) -> dict:
        from tracker import tasks

        run_type, scheduled_for = run_slot(dag_run)
        return tasks.process(
            offline=bool(params["offline"]), sources=",".join(params["sources"]),
            run_type=run_type, scheduled_for=scheduled_for,
        )

    @task(pool=WRITER_POOL, outlets=[WAREHOUSE])
    def publish(summary: dict) -> dict:
        from tracker import tasks

        return tasks.publish(summary["run_id"])

    # A source that lost its titles or dates, or listed nothing, fails here (loudly, with the reason),
    # without holding back the publication of what the other sources gave. Retrying cannot help.
    @task(pool=WRITER_POOL, retries=0, map_index_template="{{ task.op_kwargs['source'] }}")
    def check_health(source: str) -> dict:
        from tracker import tasks

        return tasks.check_health(source)

    # A leaf that fails when any fetch failed, with each source's reason (from the summary the failed
    # fetch wrote in `finally`): the run fails while the other sources still process and publish.
    @task(retries=0, trigger_rule="all_done")
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
    default_args=DEFAULT_ARGS,
    doc_md=OUTPUTS_DOC_MD,
    tags=TAGS,
)
def nhs_leadership_tracker_outputs():
    @task
    def outputs() -> dict:
        from tracker import tasks

        return tasks.outputs()

    outputs()


nhs_leadership_tracker()
nhs_leadership_tracker_outputs()
