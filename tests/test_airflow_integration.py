"""Live Airflow 3 stack: PostgreSQL metadata DB, CeleryExecutor with a Redis broker, real components.

Starts api-server, scheduler, dag-processor and a Celery worker as subprocesses on a fresh
PostgreSQL database, triggers `nhs_leadership_tracker` offline through the REST API, waits for it
and for the asset-triggered `nhs_leadership_tracker_outputs`, checks the published warehouse and
fetches the plugin page through the api-server. No triggerer: no task here defers.

Auth: SimpleAuthManager with an admin whose password the test writes to the passwords file.

Under CI=true the test runs (and fails if PostgreSQL/Redis are down); elsewhere it skips when they
are unreachable. Settings: TRACKER_IT_PG_HOST/PORT/USER, TRACKER_IT_REDIS_HOST/PORT.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from airflow_testlib import (
    DAG_ID,
    DAGS_DIR,
    EXECUTOR,
    OUTPUTS_DAG_ID,
    PLUGINS_DIR,
    RESULT_BACKEND_SCHEME,
    ROOT,
    SAMPLE_RECOMMENDATIONS,
    SAMPLE_WARC,
    SQL_ALCHEMY_SCHEME,
    VENV_BIN,
    VISIBILITY_TIMEOUT,
    assert_sample_warehouse,
    tail,
)

pytestmark = pytest.mark.integration

PG_HOST = os.environ.get("TRACKER_IT_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TRACKER_IT_PG_PORT", "5432"))
PG_USER = os.environ.get("TRACKER_IT_PG_USER", "postgres")
REDIS_HOST = os.environ.get("TRACKER_IT_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TRACKER_IT_REDIS_PORT", "6379"))
RUN_TIMEOUT_S = 360
AIRFLOW = str(VENV_BIN / "airflow")


def _services_problem() -> str | None:
    try:
        import psycopg2

        psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} unreachable: {exc}"
    try:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis at {REDIS_HOST}:{REDIS_PORT} unreachable: {exc}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_env(airflow_home: Path, tracker_home: Path, db_name: str, redis_db: int, queue: str, port: int) -> dict:
    db_path = f"{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k != "TRACKER_HOME"}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__EXECUTOR=EXECUTOR,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"{SQL_ALCHEMY_SCHEME}://{db_path}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"{RESULT_BACKEND_SCHEME}://{db_path}",
        AIRFLOW__CELERY__BROKER_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="4",
        AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        # A queue of our own: stale messages of another run in the same Redis DB can never reach us.
        AIRFLOW__OPERATORS__DEFAULT_QUEUE=queue,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(PLUGINS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
        # Same auth shape as docker-compose.yml: SimpleAuthManager, one admin, password from a file.
        # (Not ALL_ADMINS: that mode injects an admin token into every request, so the plugin's
        # auth check could not be seen failing.)
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="False",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(airflow_home / "passwords.json"),
        AIRFLOW__CORE__LAZY_LOAD_PLUGINS="False",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="2",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="10",
        AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="10",
        TRACKER_HOME=str(tracker_home),
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


class Stack:
    """Subprocesses started by this test, each in its own session so it can be stopped by its pid."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def run(self, name: str, *cmd: str, timeout: float = 300) -> None:
        log = self.log_dir / f"{name}.log"
        with open(log, "w") as fh:
            proc = subprocess.run(cmd, cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout)
        assert proc.returncode == 0, f"{name} failed ({proc.returncode}):\n{tail(log)}"

    def start(self, name: str, *cmd: str) -> None:
        fh = open(self.log_dir / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        fh.close()

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} exited with {proc.returncode}:\n{tail(self.log_dir / f'{name}.log')}"

    def stop(self) -> None:
        # SIGTERM to each process group we created (its leader is the pid we started), then SIGKILL.
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # stragglers in the group (forked children)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def logs(self) -> str:
        return "\n".join(f"----- {p.name} -----\n{tail(p, 40)}" for p in sorted(self.log_dir.glob("*.log")))


def _wait(what: str, predicate, timeout: float, stack: Stack, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            result = predicate()
        except Exception as exc:  # not up yet
            result, last = None, exc
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")


def test_celery_stack_runs_both_dags_and_serves_the_plugin(tmp_path):
    problem = _services_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the integration services are down: {problem}")
        pytest.skip(f"integration services unavailable: {problem}")

    import httpx
    import psycopg2
    import redis

    db_name = f"tracker_it_{uuid.uuid4().hex[:10]}"
    queue = f"tracker_it_{uuid.uuid4().hex[:8]}"
    redis_db = 11
    port = _free_port()
    airflow_home, tracker_home, log_dir = tmp_path / "airflow", tmp_path / "tracker", tmp_path / "logs"
    for d in (airflow_home, tracker_home, log_dir):
        d.mkdir()
    env = stack_env(airflow_home, tracker_home, db_name, redis_db, queue, port)
    admin_password = secrets.token_urlsafe(16)
    (airflow_home / "passwords.json").write_text(json.dumps({"admin": admin_password}))
    stack = Stack(env, log_dir)
    base = f"http://127.0.0.1:{port}"

    admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{db_name}"')
    try:
        stack.run("setup", "bash", str(ROOT / "scripts" / "airflow-setup.sh"))
        stack.run("import-warc", str(VENV_BIN / "tracker"), "import-warc", str(SAMPLE_WARC))

        stack.start("api-server", AIRFLOW, "api-server", "--port", str(port))
        stack.start("scheduler", AIRFLOW, "scheduler")
        stack.start("dag-processor", AIRFLOW, "dag-processor")
        stack.start("celery-worker", AIRFLOW, "celery", "worker", "--queues", queue, "--concurrency", "4")

        http = httpx.Client(base_url=base, timeout=30)
        _wait("api-server health", lambda: http.get("/api/v2/monitor/health").status_code == 200, 120, stack)
        resp = http.post("/auth/token", json={"username": "admin", "password": admin_password})
        assert resp.status_code in (200, 201), resp.text
        token = resp.json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"

        for dag_id in (DAG_ID, OUTPUTS_DAG_ID):
            _wait(f"{dag_id} parsed", lambda d=dag_id: http.get(f"/api/v2/dags/{d}").status_code == 200, 180, stack)

        # With catchup=False, unpausing makes the scheduler run the latest due Monday slot (with the
        # default params, i.e. online). Trigger our offline run *for that slot* while still paused:
        # the scheduler then finds the slot taken and only moves next_dagrun on.
        slot = http.get(f"/api/v2/dags/{DAG_ID}").json()["next_dagrun_logical_date"]
        resp = http.post(f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": slot, "conf": {"offline": True}})
        assert resp.status_code == 200, resp.text
        run_id = resp.json()["dag_run_id"]
        for dag_id in (OUTPUTS_DAG_ID, DAG_ID):
            resp = http.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False})
            assert resp.status_code == 200, resp.text

        def main_done():
            state = http.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
            assert state != "failed", "nhs_leadership_tracker run failed"
            return state == "success"

        _wait("nhs_leadership_tracker run", main_done, RUN_TIMEOUT_S, stack)

        runs = http.get(f"/api/v2/dags/{DAG_ID}/dagRuns").json()["dag_runs"]
        assert [r["dag_run_id"] for r in runs] == [run_id], "the scheduler started another run"
        tis = http.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
        states = {(t["task_id"], t.get("rendered_map_index") or t["map_index"]): t["state"] for t in tis}
        assert states[("process", -1)] == "success" and states[("publish", -1)] == "success"
        assert sorted(k[1] for k in states if k[0] == "fetch") == sorted(
            ["dhsc", "kingsfund", "nhsproviders", "nhsi", "nhse", "parliament", "watchlist"])
        assert {t["pool"] for t in tis if t["task_id"] in ("process", "publish")} == {"duckdb_writer"}

        def outputs_done():
            runs = http.get(f"/api/v2/dags/{OUTPUTS_DAG_ID}/dagRuns").json()["dag_runs"]
            assert not any(r["state"] == "failed" for r in runs), runs
            return [r for r in runs if r["state"] == "success"]

        [outputs_run] = _wait("asset-triggered outputs run", outputs_done, 180, stack)
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
        import duckdb

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
        from bs4 import BeautifulSoup

        rows = BeautifulSoup(page.text, "html.parser").select("table#progress tbody tr")
        assert {r.find_all("td")[0].get_text(): int(r.find_all("td")[2].get_text()) for r in rows} == SAMPLE_RECOMMENDATIONS
        briefing = http.get("/leadership-tracker/briefing")
        assert briefing.status_code == 200
        assert briefing.text == (tracker_home / "site" / "index.html").read_text()
        plugins = http.get("/api/v2/plugins").json()["plugins"]
        [ours] = [p for p in plugins if p["name"] == "leadership_tracker"]
        assert ours["external_views"][0]["href"] == "leadership-tracker/"
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
            keys = r.keys(f"*{queue}*")  # the queue and kombu's bindings for it; nothing else
            if keys:
                r.delete(*keys)
        except Exception:
            pass
