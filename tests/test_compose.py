"""docker-compose.yml: schema (when ../shared is present) and the production shape (always).

No Docker engine runs here, so this is static: the file must be valid Compose and agree with the
stack the live integration test runs (executor, PostgreSQL metadata URL, Redis broker URL).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import yaml

from airflow_testlib import (
    BROKER_SCHEME,
    EXECUTOR,
    POOL,
    RESULT_BACKEND_SCHEME,
    ROOT,
    SQL_ALCHEMY_SCHEME,
    STACK_KEYS,
    VISIBILITY_TIMEOUT,
)

COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT.parent / "shared" / "reference" / "compose" / "compose-spec.json"
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?err} and $$ (enough for this file)."""

    def repl(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise AssertionError(f"{name} is required: {arg}")
        return ""

    value = value.replace("$$", "\0")
    value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}", repl, value)
    return value.replace("\0", "$")


def _service_env(compose: dict, name: str, env: dict[str, str]) -> dict[str, str]:
    raw = compose["services"][name].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: interpolate(str(v), env) for k, v in raw.items()}


def test_compose_validates_against_shared_compose_spec(compose):
    if not SCHEMA.is_file():
        pytest.skip(f"shared compose schema not present at {SCHEMA} (only on developer/CI machines)")
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    # The spec declares draft-07 (as "https://json-schema.org/draft-07/schema", without the "#").
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_services_and_images(compose):
    services = compose["services"]
    assert AIRFLOW_SERVICES | {"postgres", "redis"} <= set(services)
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["build"]["context"] == "." and svc["build"]["dockerfile"] == "Dockerfile", name
        assert "healthcheck" in svc or name == "airflow-init", name
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-worker"):
        assert services[name]["healthcheck"]["test"], name
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"
    assert commands["airflow-worker"] == "celery worker"
    # The worker is scalable: no fixed container name or host port.
    assert "container_name" not in services["airflow-worker"] and "ports" not in services["airflow-worker"]
    init = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in init and f"airflow pools set {POOL} 1" in init
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_tracker_home_is_a_named_volume_shared_by_every_airflow_service(compose):
    env = _env_example()
    assert "tracker-home" in compose["volumes"]
    for name in AIRFLOW_SERVICES:
        assert "tracker-home:/opt/tracker" in compose["services"][name]["volumes"], name
        assert _service_env(compose, name, env)["TRACKER_HOME"] == "/opt/tracker", name


def test_stack_settings_agree_with_the_integration_test(compose):
    env = _env_example()
    pg_env = _service_env(compose, "postgres", env)
    for name in AIRFLOW_SERVICES:
        svc_env = _service_env(compose, name, env)
        assert set(STACK_KEYS) <= set(svc_env), name
        assert svc_env["AIRFLOW__CORE__EXECUTOR"] == EXECUTOR

        db = urlsplit(svc_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert db.scheme == SQL_ALCHEMY_SCHEME
        assert (db.hostname, db.port) == ("postgres", 5432)
        assert (db.username, db.password, db.path.lstrip("/")) == (
            pg_env["POSTGRES_USER"],
            pg_env["POSTGRES_PASSWORD"],
            pg_env["POSTGRES_DB"],
        )
        backend = urlsplit(svc_env["AIRFLOW__CELERY__RESULT_BACKEND"])
        assert backend.scheme == RESULT_BACKEND_SCHEME
        assert (backend.hostname, backend.port, backend.path) == (db.hostname, db.port, db.path)

        broker = urlsplit(svc_env["AIRFLOW__CELERY__BROKER_URL"])
        assert broker.scheme == BROKER_SCHEME
        assert (broker.hostname, broker.port) == ("redis", 6379)
        assert re.fullmatch(r"/\d+", broker.path)

        assert int(svc_env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"]) == VISIBILITY_TIMEOUT, name

        api = urlsplit(svc_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (api.hostname, api.port, api.path) == ("airflow-apiserver", 8080, "/execution/")


def test_env_example_covers_the_required_variables(compose):
    text = COMPOSE.read_text()
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", text))
    assert required, "expected required secrets in docker-compose.yml"
    assert required <= set(_env_example())


def test_dockerfile_installs_the_project_with_pip():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11\s*$", dockerfile, re.M)
    assert re.search(r"pip install [^\n]*\[airflow\]", dockerfile)
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in dockerfile + COMPOSE.read_text()
    assert "TRACKER_SQL_DIR" in dockerfile


def test_the_broker_never_redelivers_a_task_that_is_still_running():
    """Redis redelivers a message not acknowledged within the visibility timeout: it must exceed every task's
    execution_timeout, or a long crawl would be started a second time while the first still runs."""
    from airflow.dag_processing.dagbag import DagBag

    from airflow_testlib import DAGS_DIR, isolate_airflow_home

    isolate_airflow_home()
    bag = DagBag(str(DAGS_DIR))
    timeouts = [t.execution_timeout for d in bag.dags.values() for t in d.tasks]
    assert timeouts and all(t is not None for t in timeouts)
    assert max(timeouts).total_seconds() < VISIBILITY_TIMEOUT


def test_one_worker_serves_the_writer_queue_and_the_scalable_workers_the_default_queue(compose):
    env = _env_example()
    services = compose["services"]
    queue = _service_env(compose, "airflow-worker", env)["TRACKER_WRITER_QUEUE"]
    assert services["airflow-writer"]["command"].split()[:4] == ["celery", "worker", "--queues", queue]
    assert "--queues" not in services["airflow-worker"]["command"]  # the default queue: the fetch tasks
    for name in AIRFLOW_SERVICES | {"airflow-writer"}:
        svc_env = _service_env(compose, name, env)
        assert svc_env["TRACKER_WRITER_QUEUE"] == queue, name  # the DAG reads it where it is parsed
        assert "TRACKER_STORAGE_URL" in svc_env and "AWS_ENDPOINT_URL" in svc_env, name
