"""DAG policy tests, a parse-time import test, the failure callback and an end-to-end `dag.test()` run."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest

from airflow_support import (
    DAG_ID,
    DAGS_DIR,
    FETCH_POOL,
    OUTPUTS_DAG_ID,
    POOL,
    ROOT,
    SAMPLE_WARC,
    VENV_BIN,
    assert_sample_warehouse,
    isolate_airflow_home,
    tail,
)

isolate_airflow_home()

DAG_FILE = DAGS_DIR / "nhs_leadership_tracker.py"
SOURCES = ["dhsc", "kingsfund", "nhsproviders", "nhsi", "nhse", "parliament", "watchlist"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS_DIR))


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.dags[DAG_ID]


@pytest.fixture(scope="module")
def outputs_dag(dagbag):
    return dagbag.dags[OUTPUTS_DAG_ID]


@pytest.fixture(scope="module")
def dag_module():
    spec = importlib.util.spec_from_file_location("nhs_leadership_tracker_dagfile", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == {DAG_ID, OUTPUTS_DAG_ID}


def test_schedule_weekly_monday_0600_london(dag):
    tt = dag.timetable
    assert tt.expression == "0 6 * * 1"
    assert getattr(tt.timezone, "name", str(tt.timezone)) == "Europe/London"
    assert getattr(dag.timezone, "name", str(dag.timezone)) == "Europe/London"


def test_run_policy(dag, outputs_dag):
    for d in (dag, outputs_dag):
        assert d.catchup is False
        assert d.max_active_runs == 1
        assert d.doc_md and d.doc_md.strip().startswith("###")
        assert {"nhs", "leadership-tracker"} <= set(d.tags)


def test_every_task_retries_with_exponential_backoff(dag, outputs_dag):
    for d in (dag, outputs_dag):
        for t in d.tasks:
            if t.task_id in ("check_health", "check_fetches"):
                assert t.retries == 0  # a verdict on what already happened: retrying cannot help
                continue
            assert t.retries >= 2, t.task_id
            # Airflow 3.3: a multiplier; 0 (or 1) would mean a constant delay.
            assert float(t.retry_exponential_backoff) >= 2.0, t.task_id
            assert t.retry_delay >= timedelta(minutes=1), t.task_id
            assert t.max_retry_delay is not None, t.task_id


def test_every_task_and_both_dags_alert_through_the_notifier(dag, outputs_dag):
    from tracker_alerts import TrackerWebhookNotifier

    for d in (dag, outputs_dag):
        assert isinstance(d.on_failure_callback, TrackerWebhookNotifier), d.dag_id  # the run failed or timed out
        for t in d.tasks:
            callbacks = t.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            assert any(isinstance(cb, TrackerWebhookNotifier) for cb in callbacks), t.task_id


def test_every_task_and_run_has_a_timeout_that_fits_its_work(dag, outputs_dag):
    timeouts = {t.task_id: t.execution_timeout for d in (dag, outputs_dag) for t in d.tasks}
    assert timeouts == {
        "select_sources": timedelta(minutes=15),
        "fetch": timedelta(hours=6),
        "process": timedelta(hours=3),
        "publish": timedelta(hours=1),
        "check_health": timedelta(minutes=15),
        "check_fetches": timedelta(minutes=15),
        "outputs": timedelta(hours=1),
    }
    # A run ends, retries included, before the next Monday's run is due.
    longest_run = max(t.execution_timeout * (t.retries + 1) + t.max_retry_delay * t.retries for t in dag.tasks)
    assert longest_run < dag.dagrun_timeout < timedelta(days=7)
    assert outputs_dag.dagrun_timeout is not None and outputs_dag.dagrun_timeout < timedelta(days=1)


def test_a_late_weekly_run_raises_a_deadline_alert(dag):
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    alerts = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    assert len(alerts) == 1 and isinstance(alerts[0], DeadlineAlert)
    alert = alerts[0]
    # Not DAGRUN_QUEUED_AT: clearing a task recomputes queued-at deadlines, and Airflow 3.3 fails that with
    # HTTP 500 (apache/airflow#70368) until the deadline is missed. A scheduled run's logical date is its Monday.
    assert alert.reference == DeadlineReference.DAGRUN_LOGICAL_DATE
    assert alert.interval == timedelta(hours=24) < dag.dagrun_timeout  # alerts while the run can still finish
    # Awaited in the triggerer: the notifier class, imported by its path from the plugins folder.
    assert isinstance(alert.callback, AsyncCallback)
    assert alert.callback.path == "tracker_alerts.TrackerWebhookNotifier"
    assert alert.callback.kwargs == {"what": "WEEKLY RUN LATE"}


def test_task_results_are_single_small_xcoms(dag, outputs_dag):
    for d in (dag, outputs_dag):
        for t in d.tasks:
            assert t.multiple_outputs is False, t.task_id  # one XCom per task, not one per dict key


def test_params(dag):
    params = dag.params.dump()
    assert params == {"offline": False, "sources": SOURCES, "since": None}


def test_writers_use_the_duckdb_pool_and_nothing_else_does(dag):
    pools = {t.task_id: t.pool for t in dag.tasks}
    assert pools["process"] == POOL
    assert pools["publish"] == POOL
    assert pools["check_health"] == POOL  # reads the working database: never while a writer holds it
    assert all(p != POOL for tid, p in pools.items() if tid not in {"process", "publish", "check_health",
                                                                    "select_sources"})


def test_every_task_waits_in_the_pool_of_the_slots_that_run_it(dag, outputs_dag):
    """A task queued beyond its workers' slots waits QUEUED, is requeued after task_queued_timeout and then failed
    without a retry (7 mapped fetches, 4 slots). A pool sized to the slots keeps the rest SCHEDULED instead."""
    pools = {t.task_id: (t.queue, t.pool) for t in [*dag.tasks, *outputs_dag.tasks]}
    assert {tid for tid, (queue, _) in pools.items() if queue == "writer"} == {
        "select_sources", "process", "publish", "check_health", "outputs"}
    for task_id, (queue, pool) in pools.items():
        assert pool == (POOL if queue == "writer" else FETCH_POOL), task_id


def test_backfills_are_refused_when_they_are_created(dag):
    """A backfill ran beside the live run (its own max_active_runs), broke its publish and published today's
    data under past weeks. Airflow refuses to create a run of a type the DAG does not allow."""
    assert {t.value for t in dag.allowed_run_types} == {"scheduled", "manual"}


@pytest.mark.parametrize("refusal", ["StalePublish", "MissingEvidence"])
def test_a_deterministic_refusal_fails_the_task_at_once(dag, tmp_path, monkeypatch, refusal):
    """StalePublish and MissingEvidence say the same on every try: the task fails without its retries."""
    from airflow.sdk.exceptions import AirflowFailException

    run_id = "manual__2026-11-23T10:00:00+00:00"
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path))
    if refusal == "StalePublish":  # nothing has processed the working database as this run
        call = lambda: dag.get_task("publish").python_callable({}, run_id=run_id, outlet_events={})  # noqa: E731
    else:  # this run's fetch wrote a WARC the archive does not hold
        (tmp_path / "state").mkdir()
        (tmp_path / "state" / "dhsc.crawl.json").write_text(json.dumps(
            {"source": "dhsc", "run": run_id, "warc": "fetch-dhsc.warc.gz", "warc_bytes": 10}))
        call = lambda: dag.get_task("process").python_callable(  # noqa: E731
            params={"offline": False, "sources": ["dhsc"]}, dag_run=None, run_id=run_id)
    with pytest.raises(AirflowFailException, match=f"^{refusal}: ") as failed:
        call()
    assert type(failed.value.__cause__).__name__ == refusal


def test_the_duckdb_writers_run_on_the_writer_queue_and_fetches_on_the_default_queue(dag, outputs_dag):
    from airflow.configuration import conf

    queues = {t.task_id: t.queue for t in [*dag.tasks, *outputs_dag.tasks]}
    writers = {"select_sources", "process", "publish", "check_health", "outputs"}  # the writer host's disk
    assert {queues[t] for t in writers} == {"writer"}
    default = conf.get("operators", "default_queue")
    assert {q for t, q in queues.items() if t not in writers} == {default}
    assert default != "writer"


def test_the_writer_queue_and_the_sources_come_from_the_tracker_settings(dag_module, monkeypatch):
    from tracker.settings import SOURCES as TRACKER_SOURCES
    from tracker.settings import Settings

    assert dag_module.SOURCES == [*TRACKER_SOURCES, "watchlist"]
    monkeypatch.setenv("TRACKER_WRITER_QUEUE", "duckdb-host")
    assert Settings.from_env().writer_queue == "duckdb-host"


def test_the_warehouse_asset_names_the_object_store_when_there_is_one(dag_module, tmp_path):
    from tracker.settings import Settings

    home = Settings.from_env({"TRACKER_HOME": str(tmp_path)})
    assert dag_module.warehouse_uri(home) == f"file://{tmp_path}/tracker.duckdb"
    s3 = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_STORAGE_URL": "s3://team-bucket/tracker/"})
    assert dag_module.warehouse_uri(s3) == "s3://team-bucket/tracker/published"
    folder = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_STORAGE_URL": str(tmp_path / "store")})
    assert dag_module.warehouse_uri(folder) == f"file://{tmp_path}/store/published"
    itself = Settings.from_env({"TRACKER_HOME": str(tmp_path), "TRACKER_STORAGE_URL": str(tmp_path)})
    assert dag_module.warehouse_uri(itself) == f"file://{tmp_path}/tracker.duckdb"


def test_source_health_is_checked_per_source_after_processing(dag):
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    health = dag.get_task("check_health")
    assert isinstance(health, MappedOperator)
    assert health.upstream_task_ids == {"process", "select_sources"}
    assert "check_health" not in dag.get_task("publish").upstream_task_ids  # publishing never waits on it


def test_fetch_is_mapped_and_process_tolerates_a_failed_source(dag):
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    fetch = dag.get_task("fetch")
    assert isinstance(fetch, MappedOperator)
    # TaskFlow keeps the expand() kwargs in op_kwargs_expand_input (classic operators: expand_input)
    expand_input = getattr(fetch, "op_kwargs_expand_input", None) or fetch.expand_input
    assert set(expand_input.value) == {"source"}
    assert fetch.upstream_task_ids == {"select_sources"}
    process = dag.get_task("process")
    assert "fetch" in process.upstream_task_ids
    # Waits for every source, runs if at least one succeeded (a failed fetch stays visible as failed).
    assert process.trigger_rule == "all_done_min_one_success"
    assert dag.get_task("publish").upstream_task_ids == {"process"}
    assert dag.get_task("publish").trigger_rule == "all_success"


def test_a_leaf_fails_the_run_when_any_fetch_failed(dag):
    leaf = dag.get_task("check_fetches")
    assert leaf.upstream_task_ids == {"fetch", "select_sources"}
    assert leaf.trigger_rule == "all_done"  # runs after a failed fetch, to fail the run with its reason
    assert not leaf.downstream_task_ids


def test_publish_emits_the_warehouse_asset_and_outputs_dag_consumes_it(dag, outputs_dag, dag_module):
    from airflow.sdk import Asset

    outlets = dag.get_task("publish").outlets
    assert outlets == [dag_module.WAREHOUSE]
    asset = outlets[0]
    assert isinstance(asset, Asset)
    assert asset.name == "nhs_leadership_tracker_warehouse"
    assert asset.uri.startswith("file:///") and asset.uri.endswith("/tracker.duckdb")
    # schedule=[WAREHOUSE] -> AssetTriggeredTimetable(AssetAll(WAREHOUSE))
    assert list(outputs_dag.timetable.asset_condition.objects) == [asset]
    assert [t.task_id for t in outputs_dag.tasks] == ["outputs"]


def test_a_scheduled_run_is_recorded_as_its_weeks_run_and_anything_else_as_manual(dag_module):
    from datetime import datetime, timezone

    from airflow.utils.types import DagRunType

    monday = datetime(2026, 11, 16, 6, 0, tzinfo=timezone.utc)
    scheduled = SimpleNamespace(run_type=DagRunType.SCHEDULED, logical_date=monday,
                                run_after=monday + timedelta(hours=2))
    assert dag_module.run_slot(scheduled) == ("scheduled", "2026-11-16T06:00:00+00:00")
    for run_type in (DagRunType.MANUAL, DagRunType.BACKFILL_JOB, DagRunType.ASSET_TRIGGERED):
        assert dag_module.run_slot(SimpleNamespace(run_type=run_type, logical_date=monday,
                                                   run_after=monday)) == ("manual", None)
    assert dag_module.run_slot(None) == ("manual", None)


def test_dag_file_imports_only_the_typed_settings_of_the_tracker_at_parse_time():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dagfile', {str(DAG_FILE)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "heavy = sorted(n for n in ('duckdb', 'pyarrow', 'lxml', 'requests', 'pypdf', 's3fs', 'warcio')"
        " if n in sys.modules)\n"  # (airflow.sdk itself imports fsspec)
        "ours = sorted(n for n in sys.modules if n == 'tracker' or n.startswith('tracker.'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
        "print('TRACKER=' + ','.join(ours))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = [l for l in out.stdout.splitlines() if l.startswith("HEAVY=")][-1]
    assert line == "HEAVY=", f"heavy modules imported while parsing the DAG file: {line}"
    # Only the standard-library-only typed settings and what they import (the errors, the sources' declarations)
    # from the tracker package.
    ours = [l for l in out.stdout.splitlines() if l.startswith("TRACKER=")][-1].split("=", 1)[1].split(",")
    assert set(ours) <= {"tracker", "tracker.settings", "tracker.errors", "tracker.sourcelist"}, ours


E2E_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
from dag_test import allow_deadlines_in_dag_test
allow_deadlines_in_dag_test()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
result = {}
dr = bag.dags["nhs_leadership_tracker"].test(run_conf={"offline": True})
result["main"] = str(dr.state)
result["run_id"] = dr.run_id

# What the scheduler keeps of the DAG: its timeouts, and its Deadline Alert registered for the run.
from airflow.models.serialized_dag import SerializedDagModel
sdag = SerializedDagModel.get_dag("nhs_leadership_tracker")
result["dagrun_timeout"] = sdag.dagrun_timeout.total_seconds()
result["timeouts"] = {t.task_id: t.execution_timeout.total_seconds() for t in sdag.tasks}

# The same run's data published once more, so the current warehouse is not the version the asset event names.
from tracker import tasks
result["republished"] = tasks.publish(dr.run_id)["version_file"]

# dag.test() makes a manual run; give it the publish's asset event, as the scheduler does for an asset-triggered run.
import airflow.models.dagrun as dagrun_module
from airflow.models.asset import AssetEvent, AssetModel
from airflow.utils.session import create_session
create_run = dagrun_module.get_or_create_dagrun
def with_triggering_events(*args, session, **kwargs):
    run = create_run(*args, session=session, **kwargs)
    events = (session.query(AssetEvent).join(AssetModel, AssetModel.id == AssetEvent.asset_id)
              .filter(AssetModel.name == "nhs_leadership_tracker_warehouse").all())
    run.consumed_asset_events.extend(events)
    session.commit()
    return run
dagrun_module.get_or_create_dagrun = with_triggering_events
dr2 = bag.dags["nhs_leadership_tracker_outputs"].test()
result["outputs"] = str(dr2.state)
print("E2E_RESULT=" + json.dumps(result))
"""


def _airflow_run(tmp_path, script: str, **tracker_env: str):
    """Set up Airflow on SQLite in tmp_path, import the sample archive, run `script`; returns its
    E2E_RESULT, the tracker home, the Airflow database and the log."""
    airflow_home = tmp_path / "airflow"
    tracker_home = tmp_path / "tracker"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "TRACKER_"))}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{airflow_home}/airflow.db",
        TRACKER_HOME=str(tracker_home),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        **tracker_env,
    )
    log = tmp_path / "e2e.log"

    def run(cmd, timeout=300):
        with open(log, "a") as fh:
            fh.write(f"\n$ {' '.join(map(str, cmd))}\n")
            fh.flush()
            proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout)
        assert proc.returncode == 0, f"{cmd} failed:\n{tail(log, 80)}"

    run(["bash", str(ROOT / "scripts" / "airflow-setup.sh")])
    run([str(VENV_BIN / "tracker"), "import-warc", str(SAMPLE_WARC)])
    run([sys.executable, "-c", script, str(DAGS_DIR), str(ROOT / "scripts")], timeout=600)

    results = [l for l in log.read_text().splitlines() if l.startswith("E2E_RESULT=")]
    assert results, tail(log, 80)
    return json.loads(results[-1].split("=", 1)[1]), tracker_home, airflow_home / "airflow.db", log


def _task_instances(airflow_db):
    con = sqlite3.connect(airflow_db)
    try:
        tis = con.execute(
            "SELECT task_id, map_index, rendered_map_index, state, pool, try_number FROM task_instance"
            " WHERE dag_id = ?",
            (DAG_ID,),
        ).fetchall()
        events = con.execute(
            "SELECT a.name FROM asset_event e JOIN asset a ON a.id = e.asset_id WHERE e.source_task_id = 'publish'"
        ).fetchall()
    finally:
        con.close()
    return tis, events


def _airflow_rows(airflow_db, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(airflow_db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_dag_test_end_to_end_on_sqlite(tmp_path):
    result, tracker_home, airflow_db, log = _airflow_run(tmp_path, E2E_SCRIPT)
    assert (result["main"], result["outputs"]) == ("success", "success"), tail(log, 80)
    run_id = result["run_id"]
    assert run_id.startswith("manual__")

    # Timeouts and the Deadline Alert, as the scheduler sees them.
    assert result["dagrun_timeout"] == 2 * 86400
    assert result["timeouts"] == {"select_sources": 900, "fetch": 6 * 3600, "process": 3 * 3600, "publish": 3600,
                                  "check_health": 900, "check_fetches": 900}
    [(name, callback_def, interval)] = _airflow_rows(
        airflow_db,
        "SELECT a.name, a.callback_def, a.interval FROM deadline_alert a JOIN serialized_dag s ON s.id = "
        "a.serialized_dag_id"
        " WHERE s.dag_id = ?", DAG_ID)
    assert name == "weekly_run_late"
    assert "tracker_alerts.TrackerWebhookNotifier" in callback_def and "WEEKLY RUN LATE" in callback_def
    assert "86400" in interval

    assert_sample_warehouse(tracker_home / "tracker.duckdb")
    import duckdb

    wh = duckdb.connect(str(tracker_home / "tracker.duckdb"), read_only=True)
    try:  # `dags test` makes a manual run; process recorded it under Airflow's run id, publish the version
        runs = wh.execute("SELECT run_id, mode, sources, run_type, version_file FROM runs").fetchall()
        current = wh.execute("SELECT run_id, version_file FROM warehouse_info").fetchone()
        logged = wh.execute("SELECT count(*) FROM change_log").fetchone()[0]
    finally:
        wh.close()
    assert current == (run_id, result["republished"])
    assert runs == [(run_id, "offline", ",".join(SOURCES), "manual", result["republished"])]
    assert logged == 271
    assert (tracker_home / "site" / "index.html").is_file()
    assert (tracker_home / "exports" / "latest" / "review_progress.csv").is_file()

    # The asset event names the version publish wrote: file and content hash.
    [(extra,)] = _airflow_rows(airflow_db, "SELECT extra FROM asset_event WHERE source_task_id = 'publish'")
    extra = json.loads(extra)
    version = tracker_home / "published" / extra["version_file"]
    assert extra == {"run_id": run_id, "version_file": version.name,
                     "sha256": hashlib.sha256(version.read_bytes()).hexdigest()}
    assert version.name != result["republished"]
    # ... and the outputs DAG built the exports and the briefing from exactly that version, not the current one.
    [(value,)] = _airflow_rows(
        airflow_db, "SELECT value FROM xcom WHERE dag_id = ? AND task_id = 'outputs' AND key = 'return_value'",
        OUTPUTS_DAG_ID)
    built = json.loads(value)
    built = json.loads(built) if isinstance(built, str) else built
    assert built["version_file"] == version.name
    assert _airflow_rows(airflow_db, "SELECT count(*) FROM xcom WHERE dag_id = ? AND task_id = 'publish'",
                         DAG_ID) == [(1,)]  # one XCom, not one per key

    tis, events = _task_instances(airflow_db)
    fetches = sorted((r[2], r[3]) for r in tis if r[0] == "fetch")
    assert fetches == sorted((s, "success") for s in SOURCES)
    assert {r[0]: r[4] for r in tis if r[0] in ("process", "publish")} == {"process": POOL, "publish": POOL}
    assert {r[0]: r[3] for r in tis if r[0] == "check_fetches"} == {"check_fetches": "success"}
    assert events == [("nhs_leadership_tracker_warehouse",)]


FAILED_FETCH_SCRIPT = r"""
import json, sys
from datetime import timedelta
sys.path.insert(0, sys.argv[2])
from dag_test import allow_deadlines_in_dag_test
allow_deadlines_in_dag_test()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
assert not bag.import_errors, bag.import_errors
dag = bag.dags["nhs_leadership_tracker"]
# The weekly DAG retries a fetch twice, 5 and 10 minutes apart; here once, a second apart.
fetch = dag.get_task("fetch")
fetch.retries, fetch.retry_delay, fetch.max_retry_delay = 1, timedelta(seconds=1), timedelta(seconds=1)
dr = dag.test(run_conf={"offline": False, "sources": ["dhsc", "kingsfund"]})
result = {"main": str(dr.state)}
result["outputs"] = str(bag.dags["nhs_leadership_tracker_outputs"].test().state)
print("E2E_RESULT=" + json.dumps(result))
"""


@pytest.mark.e2e
def test_a_failed_fetch_fails_the_run_while_the_other_sources_publish(tmp_path, httpserver):
    from test_live_run import serve_govuk

    result, tracker_home, airflow_db, log = _airflow_run(
        tmp_path, FAILED_FETCH_SCRIPT,
        TRACKER_BASE_URL_DHSC=serve_govuk(httpserver),  # a GOV.UK stand-in on loopback
        TRACKER_BASE_URL_KINGSFUND="http://kingsfund.invalid",  # reserved TLD: the name never resolves
        TRACKER_ALLOWED_HOSTS="127.0.0.1,localhost", TRACKER_ALLOW_PRIVATE_ADDRESSES="1", TRACKER_MIN_DELAY_S="0.01",
    )
    assert result == {"main": "failed", "outputs": "success"}, tail(log, 80)

    tis, events = _task_instances(airflow_db)
    states = {(r[0], r[2] or None): r[3] for r in tis}
    assert states == {
        ("select_sources", None): "success",
        ("fetch", "dhsc"): "success",
        ("fetch", "kingsfund"): "failed",
        ("process", None): "success",
        ("publish", None): "success",
        ("check_health", "dhsc"): "success",
        ("check_health", "kingsfund"): "failed",
        ("check_fetches", None): "failed",
    }, tis
    assert [r[5] for r in tis if r[0] == "fetch" and r[2] == "kingsfund"] == [2]  # retried, failed again
    assert events == [("nhs_leadership_tracker_warehouse",)]  # dhsc still processed and published
    text = log.read_text()
    assert "FetchFailed: kingsfund: robots.txt unreachable: name not resolved" in text
    assert "SourceHealthError: kingsfund: robots.txt unreachable: name not resolved" in text
    assert "1 of 2 sources failed to fetch: kingsfund: robots.txt unreachable: name not resolved" in text
    # The notifier: each failed task after its last try, and the failed run (no Connection here: logged only).
    assert "TRACKER ALERT TASK FAILED dag=nhs_leadership_tracker task=fetch map_index=1 source=kingsfund" in text
    assert "TRACKER ALERT TASK FAILED dag=nhs_leadership_tracker task=check_fetches" in text
    assert re.search(
        r"TRACKER ALERT RUN FAILED dag=nhs_leadership_tracker run_id=manual__\S+ reason=task_failure task=", text)

    import duckdb

    con = duckdb.connect(str(tracker_home / "tracker.duckdb"), read_only=True)
    try:
        health = dict(con.execute("SELECT source, fetch_error FROM source_health WHERE NOT healthy").fetchall())
    finally:
        con.close()
    assert health == {"kingsfund": "robots.txt unreachable: name not resolved"}
    assert_sample_warehouse(tracker_home / "tracker.duckdb")
    page = (tracker_home / "site" / "index.html").read_text(encoding="utf-8")
    assert "This week&#x27;s picture is incomplete: kingsfund was not read properly." in page
