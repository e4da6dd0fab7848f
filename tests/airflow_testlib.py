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
        [str(VENV_BIN / "tracker"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=True
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
