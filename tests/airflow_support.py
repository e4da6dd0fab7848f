"""Helpers shared by the Airflow tests (test_dags, test_plugin, test_compose, test_airflow_integration).

Kept out of conftest.py on purpose: the library's own tests own that file.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DAGS_DIR = ROOT / "dags"
PLUGINS_DIR = ROOT / "plugins"
SAMPLE_WARC = ROOT / "sample" / "archive" / "sample.warc.gz"

DAG_ID = "nhs_leadership_tracker"
OUTPUTS_DAG_ID = "nhs_leadership_tracker_outputs"
POOL = "duckdb_writer"
# The tasks of the default queue (fetches, check_fetches): as many slots as the fetch workers have.
FETCH_POOL = "tracker_fetch"

# The shape of the production stack, shared by docker-compose.yml (checked in test_compose.py)
# and the live integration test (test_airflow_integration.py).
EXECUTOR = "CeleryExecutor"
SQL_ALCHEMY_SCHEME = "postgresql+psycopg2"
# SQLAlchemy 2.1 maps plain postgresql:// to psycopg (v3): name the psycopg2 driver explicitly.
RESULT_BACKEND_SCHEME = "db+postgresql+psycopg2"
BROKER_SCHEME = "redis"
# Seconds before Redis redelivers an unacknowledged task: above the longest task timeout (the DAG's FETCH_TIMEOUT).
VISIBILITY_TIMEOUT = 8 * 3600
STACK_KEYS = (
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "TRACKER_HOME",
)

# Expected recommendations per review in the bundled sample (sample/README.md, expected_counts.csv).
SAMPLE_RECOMMENDATIONS = {
    "smith-2015": 16,
    "rose-2015": 19,
    "kerr-2018": 6,
    "kark-2019": 7,
    "messenger-2022": 7,
    "ltp-2019-leadership": 7,
}

# (review, number) -> (response_status, implementation_status), as the sample documents state them
# (sample/README.md "Statements made by each status document"; later statements supersede earlier).
SAMPLE_STATUSES = {
    ("messenger-2022", 2): ("accepted", "implemented"),  # accepted 2022; "has been delivered" 2023
    ("messenger-2022", 7): ("accepted", "paused"),
    ("kark-2019", 7): ("rejected", "unknown"),  # "does not accept recommendation 7"
    ("kark-2019", 1): ("accepted", "implemented"),  # in progress May 2023, implemented Aug 2023
    ("kark-2019", 4): ("under_consideration", "superseded"),
    ("kark-2019", 6): ("accepted_in_principle", "unknown"),
    ("rose-2015", 10): ("accepted", "superseded"),  # superseded 2017 and 2023
    ("rose-2015", 16): ("accepted", "superseded"),  # in progress 2017 -> overtaken 2023
    ("rose-2015", 14): ("accepted", "paused"),
    ("smith-2015", 7): ("no_response", "implemented"),  # in progress 2016 -> completed 2018
    ("smith-2015", 12): ("no_response", "in_progress"),  # paused 2016 -> taken forward again 2018
    ("kerr-2018", 4): ("under_consideration", "unknown"),
}


def isolate_airflow_home() -> Path:
    """Point Airflow at a throwaway AIRFLOW_HOME before anything imports airflow in this process."""
    if not os.environ.get("_TRACKER_TEST_AIRFLOW_HOME"):
        home = Path(tempfile.mkdtemp(prefix="tracker-airflow-home-"))
        atexit.register(shutil.rmtree, home, True)
        os.environ["_TRACKER_TEST_AIRFLOW_HOME"] = str(home)
        os.environ["AIRFLOW_HOME"] = str(home)
        os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
        os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_DIR)
        os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(PLUGINS_DIR)
        os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{home}/airflow.db"
    return Path(os.environ["AIRFLOW_HOME"])


def tracker_cli(tracker_home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, TRACKER_HOME=str(tracker_home))
    return subprocess.run(
        [str(VENV_BIN / "tracker"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          check=True
    )


def build_published_home(tracker_home: Path) -> Path:
    """Import the sample WARC and run the whole pipeline offline with the CLI (no Airflow)."""
    tracker_cli(tracker_home, "import-warc", str(SAMPLE_WARC))
    tracker_cli(tracker_home, "run", "--offline")
    return tracker_home


def read_warehouse(path: Path) -> tuple[dict[str, int], dict[tuple[str, int], tuple[str, str]]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = dict(con.execute("SELECT review_id, recommendations FROM review_progress").fetchall())
        statuses = {
            (r, n): (resp, impl)
            for r, n, resp, impl in con.execute(
                "SELECT review_id, number, response_status, implementation_status FROM recommendation_status"
            ).fetchall()
        }
        return counts, statuses
    finally:
        con.close()


def assert_sample_warehouse(path: Path) -> None:
    counts, statuses = read_warehouse(path)
    assert counts == SAMPLE_RECOMMENDATIONS
    for key, expected in SAMPLE_STATUSES.items():
        assert statuses.get(key) == expected, f"{key}: {statuses.get(key)} != {expected}"
    assert len(statuses) == sum(SAMPLE_RECOMMENDATIONS.values())


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"


# --- a live Airflow stack (test_airflow_integration.py) -----------------------------------------------------------

PG_HOST = os.environ.get("TRACKER_IT_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TRACKER_IT_PG_PORT", "5432"))
PG_USER = os.environ.get("TRACKER_IT_PG_USER", "postgres")
REDIS_HOST = os.environ.get("TRACKER_IT_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TRACKER_IT_REDIS_PORT", "6379"))
AIRFLOW = str(VENV_BIN / "airflow")


def services_problem() -> str | None:
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


def require_services() -> None:
    """Under CI=true the services must be up (fail); elsewhere skip when they are not."""
    import pytest

    problem = services_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the integration services are down: {problem}")
        pytest.skip(f"integration services unavailable: {problem}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_env(airflow_home: Path, tracker_home: Path, db_name: str, redis_db: int, queue: str, port: int) -> dict:
    import secrets

    db_path = f"{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "TRACKER_", "AWS_"))}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__EXECUTOR=EXECUTOR,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"{SQL_ALCHEMY_SCHEME}://{db_path}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"{RESULT_BACKEND_SCHEME}://{db_path}",
        AIRFLOW__CELERY__BROKER_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="4",
        AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        # Queues of our own: stale messages of another run in the same Redis DB can never reach us.
        AIRFLOW__OPERATORS__DEFAULT_QUEUE=queue,
        TRACKER_WRITER_QUEUE=writer_queue(queue),
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


def writer_queue(queue: str) -> str:
    return f"{queue}_writer"


class Stack:
    """Subprocesses started by a test, each in its own session so it can be stopped by its pid."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def run(self, name: str, *cmd: str, timeout: float = 300, env: dict | None = None) -> None:
        log = self.log_dir / f"{name}.log"
        with open(log, "w") as fh:
            proc = subprocess.run(cmd, cwd=ROOT, env=env or self.env, stdout=fh, stderr=subprocess.STDOUT,
                                  timeout=timeout)
        assert proc.returncode == 0, f"{name} failed ({proc.returncode}):\n{tail(log)}"

    def start(self, name: str, *cmd: str, env: dict | None = None) -> None:
        fh = open(self.log_dir / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(
            cmd, cwd=ROOT, env=env or self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        fh.close()

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} exited with {proc.returncode}:\n{tail(self.log_dir / f'{name}.log')}"

    def stop(self) -> None:
        import signal
        import time

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


def wait_for(what: str, predicate, timeout: float, stack: Stack, interval: float = 2.0):
    import time

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            result = predicate()
        except AssertionError:
            raise
        except Exception as exc:  # not up yet
            result, last = None, exc
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")
