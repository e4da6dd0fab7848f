"""Live Airflow 3 stack: PostgreSQL metadata DB, CeleryExecutor with a Redis broker, real components.

Starts api-server, scheduler, dag-processor and a Celery worker as subprocesses on a fresh
PostgreSQL database, triggers `nhs_leadership_tracker` offline through the REST API, waits for it
and for the asset-triggered `nhs_leadership_tracker_outputs`, checks the published warehouse and
fetches the plugin page through the api-server. No triggerer: no task here defers.

The second test is the team shape: SeaweedFS (tests/object_store_support.py) as the object store and
two Celery workers with separate TRACKER_HOME folders standing in for two hosts, one serving the
default queue (fetch tasks), one the writer queue (DuckDB writers). Each test uses queues of its own
and a Redis DB of its own (11, 12).

Auth: SimpleAuthManager with an admin whose password the test writes to the passwords file.

Under CI=true the test runs (and fails if PostgreSQL/Redis are down); elsewhere it skips when they
are unreachable. Settings: TRACKER_IT_PG_HOST/PORT/USER, TRACKER_IT_REDIS_HOST/PORT.
"""

from __future__ import annotations

import json
import secrets
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_support import (
    AIRFLOW,
    DAG_ID,
    OUTPUTS_DAG_ID,
    PG_HOST,
    PG_PORT,
    PG_USER,
    REDIS_HOST,
    REDIS_PORT,
    ROOT,
    SAMPLE_RECOMMENDATIONS,
    SAMPLE_WARC,
    VENV_BIN,
    Stack,
    assert_sample_warehouse,
    free_port,
    require_services,
    stack_env,
    wait_for,
    writer_queue,
)

pytestmark = pytest.mark.integration

RUN_TIMEOUT_S = 360
_wait = wait_for


@dataclass
class Live:
    """A running stack: its processes, an authenticated API client, its base URL and default queue."""

    stack: Stack
    http: object
    base: str
    queue: str
    admin_password: str


@contextmanager
def live_stack(tmp_path: Path, tracker_home: Path, workers: dict[str, dict], redis_db: int,
               extra_env: dict | None = None):
    """PostgreSQL database, api-server, scheduler, dag-processor and Celery workers, all stopped afterwards.

    `workers`: name -> {"queues": "default" | "writer" | "both", "env": extra environment (its own TRACKER_HOME)}.
    """
    import httpx
    import psycopg2
    import redis

    db_name = f"tracker_it_{uuid.uuid4().hex[:10]}"
    queue = f"tracker_it_{uuid.uuid4().hex[:8]}"
    port = free_port()
    airflow_home, log_dir = tmp_path / "airflow", tmp_path / "logs"
    for d in (airflow_home, tracker_home, log_dir):
        d.mkdir(exist_ok=True)
    env = {**stack_env(airflow_home, tracker_home, db_name, redis_db, queue, port), **(extra_env or {})}
    # The fetch pool: the default queue's worker slots (4 each), less the writer's slot of a worker serving both.
    env["AIRFLOW_FETCH_SLOTS"] = str(sum({"default": 4, "both": 3}.get(w["queues"], 0) for w in workers.values()))
    admin_password = secrets.token_urlsafe(16)
    (airflow_home / "passwords.json").write_text(json.dumps({"admin": admin_password}))
    stack = Stack(env, log_dir)
    base = f"http://127.0.0.1:{port}"
    serves = {"default": queue, "writer": writer_queue(queue), "both": f"{queue},{writer_queue(queue)}"}

    admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{db_name}"')
    try:
        stack.run("setup", "bash", str(ROOT / "scripts" / "airflow-setup.sh"))
        stack.start("api-server", AIRFLOW, "api-server", "--port", str(port))
        stack.start("scheduler", AIRFLOW, "scheduler")
        stack.start("dag-processor", AIRFLOW, "dag-processor")
        for name, worker in workers.items():
            # Each worker serves its task logs on a port of its own (two on one machine would collide).
            stack.start(name, AIRFLOW, "celery", "worker", "--queues", serves[worker["queues"]], "--concurrency", "4",
                        "--celery-hostname", f"{name}@%h",
                        env={**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                             **worker.get("env", {})})

        http = httpx.Client(base_url=base, timeout=30)
        _wait("api-server health", lambda: http.get("/api/v2/monitor/health").status_code == 200, 120, stack)
        resp = http.post("/auth/token", json={"username": "admin", "password": admin_password})
        assert resp.status_code in (200, 201), resp.text
        http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        for dag_id in (DAG_ID, OUTPUTS_DAG_ID):
            _wait(f"{dag_id} parsed", lambda d=dag_id: http.get(f"/api/v2/dags/{d}").status_code == 200, 180, stack)
        yield Live(stack, http, base, queue, admin_password)
    except BaseException:
        print(f"\n===== logs ({log_dir}) =====\n{stack.logs()}", file=sys.stderr)
        raise
    finally:
        stack.stop()
        try:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        finally:
            admin.close()
        try:
            r = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=redis_db)
            keys = r.keys(f"*{queue}*")  # our queues and kombu's bindings for them; nothing else
            if keys:
                r.delete(*keys)
        except Exception:
            pass


def trigger_for_the_due_slot(live: Live, conf: dict, unpause: bool = True) -> str:
    """Trigger the weekly DAG with `conf` for its next due slot while paused, then unpause both DAGs (unless not
    `unpause`: the run then stays queued).

    With catchup=False, unpausing makes the scheduler run the latest due Monday slot (with the default
    params, i.e. online). Our run takes that slot: the scheduler then finds it taken and only moves on.
    """
    http = live.http
    slot = http.get(f"/api/v2/dags/{DAG_ID}").json()["next_dagrun_logical_date"]
    resp = http.post(f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": slot, "conf": conf})
    assert resp.status_code == 200, resp.text
    run_id = resp.json()["dag_run_id"]
    for dag_id in (OUTPUTS_DAG_ID, DAG_ID) if unpause else ():
        resp = http.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        assert resp.status_code == 200, resp.text
    return run_id


def run_finished(live: Live, run_id: str, timeout: float = RUN_TIMEOUT_S) -> str:
    """Wait for a weekly run to end; returns its state."""
    def done():
        state = live.http.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        return state if state in ("success", "failed") else None

    return _wait(f"{DAG_ID} run {run_id}", done, timeout, live.stack)


def task_states(live: Live, run_id: str, rendered: bool = True) -> dict[tuple[str, object], str]:
    """(task_id, map index) -> state; the rendered index (the source) where there is one, unless rendered=False
    (a task waiting for its retry has no rendered index until it runs again)."""
    tis = live.http.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
    return {(t["task_id"], (t.get("rendered_map_index") if rendered else None) or t["map_index"]): t["state"]
            for t in tis}


def outputs_runs(live: Live) -> list[dict]:
    runs = live.http.get(f"/api/v2/dags/{OUTPUTS_DAG_ID}/dagRuns").json()["dag_runs"]
    assert not any(r["state"] == "failed" for r in runs), runs
    return [r for r in runs if r["state"] == "success"]


def test_celery_stack_runs_both_dags_and_serves_the_plugin(tmp_path):
    require_services()
    import duckdb
    import httpx
    from bs4 import BeautifulSoup

    tracker_home = tmp_path / "tracker"
    with live_stack(tmp_path, tracker_home, {"celery-worker": {"queues": "both"}}, redis_db=11) as live:
        http, stack, base = live.http, live.stack, live.base
        stack.run("import-warc", str(VENV_BIN / "tracker"), "import-warc", str(SAMPLE_WARC))
        run_id = trigger_for_the_due_slot(live, {"offline": True})
        assert run_finished(live, run_id) == "success", task_states(live, run_id)

        runs = http.get(f"/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"]
        assert [r["dag_run_id"] for r in runs] == [run_id], "the scheduler started another run"
        tis = http.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
        states = task_states(live, run_id)
        assert states[("process", -1)] == "success" and states[("publish", -1)] == "success"
        assert sorted(k[1] for k in states if k[0] == "fetch") == sorted(
            ["dhsc", "kingsfund", "nhsproviders", "nhsi", "nhse", "parliament", "watchlist"])
        assert {t["pool"] for t in tis if t["task_id"] in ("process", "publish")} == {"duckdb_writer"}
        assert {t["queue"] for t in tis if t["task_id"] in ("process", "publish")} == {writer_queue(live.queue)}
        assert {t["queue"] for t in tis if t["task_id"] == "fetch"} == {live.queue}

        [outputs_run] = _wait("asset-triggered outputs run", lambda: outputs_runs(live), 180, stack)
        assert outputs_run["run_type"] == "asset_triggered"
        # The publish's asset event names its version; the outputs run built from exactly that version.
        events = http.get("/api/v2/assets/events", params={"source_dag_id": DAG_ID}).json()["asset_events"]
        assert [e["extra"]["run_id"] for e in events] == [run_id]
        xcom = http.get(f"/api/v2/dags/{OUTPUTS_DAG_ID}/dagRuns/{outputs_run['dag_run_id']}/taskInstances/outputs"
                        "/xcomEntries/return_value", params={"deserialize": True}).json()
        built = xcom["value"]
        built = json.loads(built) if isinstance(built, str) else built
        assert built["version_file"] == events[0]["extra"]["version_file"]

        assert_sample_warehouse(tracker_home / "tracker.duckdb")
        wh = duckdb.connect(str(tracker_home / "tracker.duckdb"), read_only=True)
        try:  # the tracker's run is Airflow's run
            assert wh.execute("SELECT run_id FROM runs").fetchall() == [(run_id,)]
        finally:
            wh.close()
        assert (tracker_home / "site" / "index.html").is_file()
        assert (tracker_home / "exports" / "latest" / "review_progress.csv").is_file()

        # The plugin, through the api-server: needs a user, then renders the published warehouse.
        assert httpx.get(f"{base}/leadership-tracker/", timeout=30).status_code == 401
        page = http.get("/leadership-tracker/")
        assert page.status_code == 200, page.text[:500]
        rows = BeautifulSoup(page.text, "html.parser").select("table#progress tbody tr")
        counts = {r.find_all("td")[0].get_text(): int(r.find_all("td")[2].get_text()) for r in rows}
        assert counts == SAMPLE_RECOMMENDATIONS
        briefing = http.get("/leadership-tracker/briefing")
        assert briefing.status_code == 200
        assert briefing.text == (tracker_home / "site" / "index.html").read_text()
        plugins = http.get("/api/v2/plugins").json()["plugins"]
        [ours] = [p for p in plugins if p["name"] == "leadership_tracker"]
        assert ours["external_views"][0]["href"] == "leadership-tracker/"


def test_a_task_of_an_unfinished_run_can_be_cleared_and_a_backfill_is_refused(tmp_path):
    """Clearing recomputes the run's deadlines from queued_at: with a DAGRUN_QUEUED_AT Deadline Alert, Airflow 3.3
    answered HTTP 500 for the run's first 24 h (apache/airflow#70368), and the UI's Clear uses this endpoint.
    A backfill would run beside the live run and publish today's data under past weeks: refused when created."""
    require_services()
    with live_stack(tmp_path, tmp_path / "tracker", {"celery-worker": {"queues": "both"}}, redis_db=13) as live:
        http = live.http
        # The DAG stays paused: the run stays queued (unfinished) while its task is cleared; nothing races it.
        run_id = trigger_for_the_due_slot(live, {"offline": True}, unpause=False)
        resp = http.post(f"/api/v2/dags/{DAG_ID}/clearTaskInstances", json={
            "dag_run_id": run_id, "task_ids": ["select_sources"], "dry_run": False, "only_failed": False})
        assert resp.status_code == 200, resp.text
        assert [t["task_id"] for t in resp.json()["task_instances"]] == ["select_sources"]

        resp = http.post("/api/v2/backfills", json={
            "dag_id": DAG_ID, "from_date": "2026-01-05T00:00:00Z", "to_date": "2026-02-02T00:00:00Z"})
        assert resp.status_code == 400, resp.text
        assert resp.json()["detail"] == f"Dag with dag_id: '{DAG_ID}' does not allow backfill runs"
        assert [r["dag_run_id"] for r in http.get(f"/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"]] == [run_id]


def test_two_workers_on_separate_homes_share_only_the_object_store(tmp_path, sample_home, httpserver):
    """Two Celery workers with their own TRACKER_HOME stand in for two hosts; SeaweedFS is the store.

    Run 1 (offline, the sample archive put in the store beforehand): the writer host, which starts empty,
    pulls the archive, processes and publishes the same warehouse as the single-host run, and pushes the
    version. Run 2 (live: dhsc from a local GOV.UK stand-in, kingsfund refused): dhsc's WARC is written on the
    fetch host and reaches the writer through the store; kingsfund's fetch fails, the other source still
    publishes and the run fails; the watchlist written on the writer host reached the fetch host.
    """
    require_services()
    import duckdb

    from support import CONTRACT_TABLES, table_snapshot
    from object_store_support import seaweedfs
    from test_live_run import closed_port, serve_govuk
    from tracker import storage
    from tracker.fetch.archive import import_warc
    from tracker.settings import Settings

    fetch_home, writer_home = tmp_path / "fetch-host", tmp_path / "writer-host"
    with seaweedfs() as s3:
        store_url = f"s3://{s3.bucket}/tracker-{uuid.uuid4().hex[:8]}"
        # An operator imports the sample on some machine and puts it in the store; neither worker has it.
        seed = Settings.from_env({"TRACKER_HOME": str(tmp_path / "seed"), "TRACKER_STORAGE_URL": store_url,
                                  "TRACKER_STORAGE_OPTIONS": json.dumps(s3.options())})
        import_warc(seed.archive_dir, SAMPLE_WARC)
        store = storage.open_store(seed)
        assert storage.sync_archive(seed, store).pushed

        # Workers reach the store through the standard AWS_* variables only.
        shared = {
            **s3.env(), "TRACKER_STORAGE_URL": store_url,
            "TRACKER_BASE_URL_DHSC": serve_govuk(httpserver),
            "TRACKER_BASE_URL_KINGSFUND": f"http://127.0.0.1:{closed_port()}",
            "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1",
            "TRACKER_MIN_DELAY_S": "0.01", "TRACKER_WORKERS": "2",
        }
        workers = {"fetch-host": {"queues": "default", "env": {"TRACKER_HOME": str(fetch_home)}},
                   "writer-host": {"queues": "writer", "env": {"TRACKER_HOME": str(writer_home)}}}
        fetch_home.mkdir()
        writer_home.mkdir()
        with live_stack(tmp_path, tmp_path / "control", workers, redis_db=12, extra_env=shared) as live:
            http, stack = live.http, live.stack
            # Run 1: offline over what the store holds.
            first = trigger_for_the_due_slot(live, {"offline": True})
            assert run_finished(live, first) == "success", task_states(live, first)
            assert not (fetch_home / "work.duckdb").exists() and not (fetch_home / "tracker.duckdb").exists()
            assert_sample_warehouse(writer_home / "tracker.duckdb")
            # a two-host run publishes exactly what the single-host CLI run does
            assert table_snapshot(writer_home / "tracker.duckdb", CONTRACT_TABLES) == table_snapshot(
                sample_home / "tracker.duckdb", CONTRACT_TABLES)
            [event] = http.get("/api/v2/assets/events", params={"source_dag_id": DAG_ID}).json()["asset_events"]
            assert event["uri"] == f"{store_url}/published"
            assert event["extra"]["version_file"] in storage.listing(store, storage.PUBLISHED)
            _wait("outputs of run 1", lambda: outputs_runs(live), 180, stack)
            assert (writer_home / "site" / "index.html").is_file()

            # Run 2: live; kingsfund cannot be reached. The analyst's watchlist lives on the writer host.
            watchlist = f'[[page]]\nurl = "{shared["TRACKER_BASE_URL_DHSC"]}/watched"\nnote = "watched"\n'
            (writer_home / "watchlist.toml").write_text(watchlist)
            resp = http.post(f"/api/v2/dags/{DAG_ID}/dagRuns", json={
                "logical_date": None, "conf": {"offline": False, "sources": ["dhsc", "kingsfund"]}})
            assert resp.status_code == 200, resp.text
            second = resp.json()["dag_run_id"]

            def kingsfund_fetch():  # map index 1: sources ["dhsc", "kingsfund"]
                state = task_states(live, second, rendered=False).get(("fetch", 1))
                return state if state in ("up_for_retry", "failed") else None

            # Its retries (minutes apart) cannot help a refused connection: fail it as an operator would.
            if _wait("kingsfund's fetch to fail", kingsfund_fetch, 180, stack) == "up_for_retry":
                resp = http.patch(f"/api/v2/dags/{DAG_ID}/dagRuns/{second}/taskInstances/fetch/1",
                                  json={"new_state": "failed"})
                assert resp.status_code == 200, resp.text
            assert run_finished(live, second) == "failed"
            states = task_states(live, second, rendered=False)
            assert states[("fetch", 0)] == "success" and states[("fetch", 1)] == "failed"  # dhsc, kingsfund
            assert states[("process", -1)] == "success" and states[("publish", -1)] == "success"
            assert states[("check_fetches", -1)] == "failed" and states[("check_health", 1)] == "failed"

            # The fetch host read the writer's watchlist (select_sources shared it through the store).
            assert (fetch_home / "watchlist.toml").read_text() == watchlist
            # dhsc's WARC was written on the fetch host and reached the writer through the store.
            dhsc = json.loads(store.fs.cat(store.key(storage.STATE, "dhsc.crawl.json")))
            assert dhsc["run"] == second and dhsc["warc"] and dhsc["fetched"] > 0
            assert (fetch_home / "archive" / dhsc["warc"]).is_file()
            assert storage.listing(store, storage.ARCHIVE)[dhsc["warc"]] == dhsc["warc_bytes"]
            pulled = writer_home / "archive" / dhsc["warc"]
            assert pulled.read_bytes() == (fetch_home / "archive" / dhsc["warc"]).read_bytes()

            wh = duckdb.connect(str(writer_home / "tracker.duckdb"), read_only=True)
            try:
                health = dict(wh.execute("SELECT source, healthy FROM source_health WHERE run_id = ?",
                                         [second]).fetchall())
                runs = [r for (r,) in wh.execute("SELECT run_id FROM runs ORDER BY started_at").fetchall()]
            finally:
                wh.close()
            assert health["kingsfund"] is False and "dhsc" in health
            assert runs == [first, second]
            assert len(storage.listing(store, storage.PUBLISHED)) == 2
            _wait("outputs of run 2", lambda: len(outputs_runs(live)) == 2, 180, stack)
