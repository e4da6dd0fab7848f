"""docker-compose.yml (the team shape) and docker-compose.dev.yml (the development profile).

No Docker engine runs here, so this is static: the files must be valid Compose (against the schema in
../shared when it is present) and agree with the stack the live integration test runs (executor,
PostgreSQL metadata URL, Redis broker URL). The secrets check the stack runs first
(scripts/check_deploy_secrets.py) is run for real, with the environment compose would give it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import yaml

from airflow_support import (
    BROKER_SCHEME,
    DAGS_DIR,
    EXECUTOR,
    FETCH_POOL,
    POOL,
    RESULT_BACKEND_SCHEME,
    ROOT,
    SQL_ALCHEMY_SCHEME,
    STACK_KEYS,
    VISIBILITY_TIMEOUT,
    isolate_airflow_home,
)

isolate_airflow_home()

COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_DEV = ROOT / "docker-compose.dev.yml"
CHECK_SECRETS = ROOT / "scripts" / "check_deploy_secrets.py"
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
SCHEMA = ROOT.parent / "shared" / "reference" / "compose" / "compose-spec.json"
AIRFLOW_SERVICES = {
    "airflow-check-secrets",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-writer",
}
ONE_SHOTS = {"airflow-check-secrets", "airflow-init"}


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
    while True:  # innermost first: a default may itself be ${VAR}
        expanded = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^${}]*))?\}", repl, value)
        if expanded == value:
            return value.replace("\0", "$")
        value = expanded


def _service_env(compose: dict, name: str, env: dict[str, str]) -> dict[str, str]:
    raw = compose["services"][name].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: interpolate(str(v), env) for k, v in raw.items()}


@pytest.mark.parametrize("path", [COMPOSE, COMPOSE_DEV], ids=lambda p: p.name)
def test_compose_validates_against_shared_compose_spec(path):
    if not SCHEMA.is_file():
        pytest.skip(f"shared compose schema not present at {SCHEMA} (only on developer/CI machines)")
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    # The spec declares draft-07 (as "https://json-schema.org/draft-07/schema", without the "#").
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(yaml.safe_load(path.read_text())), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_services_and_images(compose):
    services = compose["services"]
    assert AIRFLOW_SERVICES | {"postgres", "redis"} <= set(services)
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["build"]["context"] == "." and svc["build"]["dockerfile"] == "Dockerfile", name
        assert "healthcheck" in svc or name in ONE_SHOTS, name
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
    for name in AIRFLOW_SERVICES - ONE_SHOTS:
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
    # isolate_airflow_home() ran at import, before anything imported airflow: the plugins folder (tracker_alerts,
    # which the DAG imports) is on sys.path only if AIRFLOW__CORE__PLUGINS_FOLDER was set when airflow loaded.
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS_DIR))
    timeouts = [t.execution_timeout for d in bag.dags.values() for t in d.tasks]
    assert timeouts and all(t is not None for t in timeouts)
    assert max(timeouts).total_seconds() < VISIBILITY_TIMEOUT


# --- auth: the team shape, the development profile, the secrets check -------------------------------------

def _generated_env() -> dict[str, str]:
    """.env.example with every secret generated as its comments say."""
    from cryptography.fernet import Fernet

    return {
        **_env_example(),
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW_API_SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "REDIS_PASSWORD": secrets.token_urlsafe(24),
    }


def _run_secrets_check(compose: dict, dotenv: dict[str, str]) -> subprocess.CompletedProcess:
    """scripts/check_deploy_secrets.py with exactly the environment compose gives airflow-check-secrets."""
    env = _service_env(compose, "airflow-check-secrets", dotenv)
    return subprocess.run([sys.executable, str(CHECK_SECRETS)], env=env, capture_output=True, text=True, timeout=60)


def _merged_dev(compose: dict) -> dict:
    """docker-compose.yml with docker-compose.dev.yml on top (compose merges mappings and replaces commands)."""
    dev = yaml.safe_load(COMPOSE_DEV.read_text())
    services = {name: dict(svc) for name, svc in compose["services"].items()}
    for name, override in dev["services"].items():
        merged = services[name]
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            elif isinstance(value, list) and key == "volumes":
                merged[key] = merged.get(key, []) + value
            else:
                merged[key] = value
    return {**compose, "services": services, "volumes": {**compose["volumes"], **dev.get("volumes", {})}}


def test_the_team_shape_uses_the_fab_auth_manager_with_analyst_and_operator_roles(compose):
    env = _env_example()
    for name in AIRFLOW_SERVICES:
        svc_env = _service_env(compose, name, env)
        assert svc_env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER, name
        roles = json.loads(svc_env["AIRFLOW__FAB__CUSTOM_ROLES"])
        assert set(roles) == {"Analyst", "Operator"}, name
        assert svc_env["AIRFLOW__API_AUTH__JWT_ISSUER"] and svc_env["AIRFLOW__API_AUTH__JWT_AUDIENCE"], name
        assert not any("SIMPLE_AUTH" in k or "simple_auth_manager" in v for k, v in svc_env.items()), name
    init = " ".join(compose["services"]["airflow-init"]["command"])
    assert "airflow sync-perm" in init and "airflow users create --role Admin" in init


def test_the_development_profile_alone_switches_to_the_simple_auth_manager(compose):
    merged = _merged_dev(compose)
    env = _generated_env()
    for name in AIRFLOW_SERVICES - {"airflow-check-secrets"}:
        svc_env = _service_env(merged, name, env)
        assert svc_env["AIRFLOW__CORE__AUTH_MANAGER"] == SIMPLE_AUTH_MANAGER, name
        assert _service_env(merged, name, env)["TRACKER_HOME"] == "/opt/tracker", name  # the rest is kept
    assert "airflow-auth:/opt/airflow/auth" in merged["services"]["airflow-apiserver"]["volumes"]
    init = merged["services"]["airflow-init"]["command"][-1]
    assert "passwords.json" in init and "airflow db migrate" in init
    # The development profile changes who logs in, never which services run or what they wait for.
    for name in AIRFLOW_SERVICES - ONE_SHOTS:
        assert merged["services"][name]["depends_on"]["airflow-check-secrets"]["condition"] == (
            "service_completed_successfully"
        )


def test_every_airflow_service_waits_for_the_secrets_check(compose):
    services = compose["services"]
    check = services["airflow-check-secrets"]
    assert check["entrypoint"] == ["python", "/opt/tracker-src/scripts/check_deploy_secrets.py"]
    assert CHECK_SECRETS.is_file()
    assert re.search(r"^COPY --chown=airflow:0 \. /opt/tracker-src$", (ROOT / "Dockerfile").read_text(), re.M)
    assert check["depends_on"] == {} and check["restart"] == "no"
    for name in AIRFLOW_SERVICES - {"airflow-check-secrets"}:
        assert services[name]["depends_on"]["airflow-check-secrets"]["condition"] == "service_completed_successfully"


def test_compose_refuses_empty_secrets_before_anything_runs(compose):
    for variable in ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD"):
        assert re.search(r"\$\{" + variable + r":\?", COMPOSE.read_text()), variable
        with pytest.raises(AssertionError, match=f"{variable} is required"):
            _service_env(compose, "airflow-check-secrets", {**_generated_env(), variable: ""})


def test_secrets_check_passes_generated_secrets(compose):
    proc = _run_secrets_check(compose, _generated_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "secrets: ok"


def test_secrets_check_refuses_the_placeholders_of_env_example_without_printing_them(compose):
    dotenv = _env_example()
    proc = _run_secrets_check(compose, dotenv)
    assert proc.returncode == 1
    for name in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
                 "ADMIN_PASSWORD", "the password in AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                 "the password in AIRFLOW__CELERY__BROKER_URL"):
        assert re.search(rf"refusing to start: {name} ", proc.stderr), name
    for placeholder in (dotenv["AIRFLOW_JWT_SECRET"], dotenv["AIRFLOW_API_SECRET_KEY"], dotenv["AIRFLOW_FERNET_KEY"],
                        dotenv["POSTGRES_PASSWORD"], dotenv["REDIS_PASSWORD"]):
        assert placeholder not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"AIRFLOW_JWT_SECRET": secrets.token_hex(32)[:63]}, "AIRFLOW__API_AUTH__JWT_SECRET is shorter than 64 bytes"),
        ({"AIRFLOW_JWT_SECRET": "x" * 80}, "AIRFLOW__API_AUTH__JWT_SECRET looks like a placeholder"),
        ({"AIRFLOW_API_SECRET_KEY": "change-me-" + secrets.token_hex(16)},
         "AIRFLOW__API__SECRET_KEY looks like a placeholder"),
        ({"AIRFLOW_API_SECRET_KEY": secrets.token_hex(8)}, "AIRFLOW__API__SECRET_KEY is shorter than 32 bytes"),
        ({"AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()},
         "AIRFLOW__CORE__FERNET_KEY decodes to"),
        ({"AIRFLOW_FERNET_KEY": "not base64 at all!"}, "AIRFLOW__CORE__FERNET_KEY is not url-safe base64"),
        ({"AIRFLOW_ADMIN_PASSWORD": "Zq7#pX2!"}, "ADMIN_PASSWORD is shorter than 12 bytes"),
        ({"AIRFLOW_JWT_ISSUER": " "}, "AIRFLOW__API_AUTH__JWT_ISSUER is empty"),
        ({"AIRFLOW_JWT_AUDIENCE": " "}, "AIRFLOW__API_AUTH__JWT_AUDIENCE is empty"),
        ({"POSTGRES_PASSWORD": "change-me-" + secrets.token_hex(8)},
         "the password in AIRFLOW__DATABASE__SQL_ALCHEMY_CONN looks like a placeholder"),
        ({"POSTGRES_PASSWORD": "Zq7pX2wLm4Rt"},
         "the password in AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is shorter than 16 bytes"),
        ({"REDIS_PASSWORD": "Zq7pX2wLm4Rt"}, "the password in AIRFLOW__CELERY__BROKER_URL is shorter than 16 bytes"),
        ("same", "the same value is used for two secrets"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(v),
)
def test_secrets_check_refuses_a_weak_secret(compose, change, complaint):
    dotenv = _generated_env()
    if change == "same":
        change = {"AIRFLOW_API_SECRET_KEY": dotenv["AIRFLOW_JWT_SECRET"]}
    proc = _run_secrets_check(compose, {**dotenv, **change})
    assert proc.returncode == 1
    assert f"refusing to start: {complaint}" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1  # only the weak one is named


def test_compose_s_old_database_password_and_a_broker_without_one_are_refused(compose):
    """The secrets check ignored POSTGRES_PASSWORD=airflow, and Redis (every task's message) had no password."""
    env = _service_env(compose, "airflow-check-secrets", _generated_env())
    assert urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).password  # the team shape's broker has one
    weak = {**env, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:airflow@postgres:5432/airflow",
            "AIRFLOW__CELERY__BROKER_URL": "redis://redis:6379/0"}
    proc = subprocess.run([sys.executable, str(CHECK_SECRETS)], env=weak, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "refusing to start: the password in AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is shorter than 16 bytes",
        "refusing to start: the password in AIRFLOW__DATABASE__SQL_ALCHEMY_CONN looks like a placeholder: "
        "generate a random value",
        "refusing to start: AIRFLOW__CELERY__BROKER_URL has no password: set one (.env)",
    ]


def test_redis_requires_the_password_the_airflow_services_and_the_fetchers_use(compose):
    env = _generated_env()
    redis = compose["services"]["redis"]
    assert _service_env(compose, "redis", env)["REDIS_PASSWORD"] == env["REDIS_PASSWORD"]
    command = " ".join(redis["command"])
    assert "requirepass" in command and "redis-server /data/redis.conf" in command
    assert "REDISCLI_AUTH" in redis["healthcheck"]["test"][1]  # the health check authenticates (and shows no -a)
    for name in AIRFLOW_SERVICES:
        svc_env = _service_env(compose, name, env)
        for url in (svc_env["AIRFLOW__CELERY__BROKER_URL"], svc_env["TRACKER_REDIS_URL"]):
            assert urlsplit(url).password == env["REDIS_PASSWORD"], name
    with pytest.raises(AssertionError, match="REDIS_PASSWORD is required"):
        _service_env(compose, "airflow-worker", {**env, "REDIS_PASSWORD": ""})


def test_every_pool_has_the_slots_of_the_workers_that_serve_its_tasks(compose):
    """A task queued beyond its workers' slots waits QUEUED and is failed after task_queued_timeout: each pool
    (dags/nhs_leadership_tracker.py) gets exactly the slots of the workers of its queue, in both shapes."""
    env = _env_example()
    services = compose["services"]
    writer = services["airflow-writer"]["command"].split()
    assert writer[writer.index("--concurrency") + 1] == "1"
    worker_slots = _service_env(compose, "airflow-worker", env)["AIRFLOW__CELERY__WORKER_CONCURRENCY"]
    assert _service_env(compose, "airflow-init", env)["FETCH_SLOTS"] == worker_slots == env["AIRFLOW_FETCH_SLOTS"]
    defaults = {**_generated_env(), "AIRFLOW_FETCH_SLOTS": "", "AIRFLOW_WORKER_CONCURRENCY": ""}
    assert _service_env(compose, "airflow-init", defaults)["FETCH_SLOTS"] == "4"  # the defaults agree too
    assert _service_env(compose, "airflow-worker", defaults)["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "4"
    for init in (" ".join(services["airflow-init"]["command"]), _merged_dev(compose)["services"]["airflow-init"][
            "command"][-1]):
        assert f"airflow pools set {POOL} 1 " in init
        assert f'airflow pools set {FETCH_POOL} "$${{FETCH_SLOTS}}" ' in init
    setup = (ROOT / "scripts" / "airflow-setup.sh").read_text()
    assert f'pools set {POOL} 1 ' in setup and f'pools set {FETCH_POOL} "$FETCH_SLOTS" ' in setup


def test_dockerfile_checks_what_it_installed_over_the_image():
    """pip installs over the image's own packages; `pip check` fails the build when that left a conflict."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN pip install [^\n]*\[airflow\]\"(?: \\\n\s*)? && pip check\s*$", dockerfile, re.M)


def test_dockerfile_installs_under_the_tested_constraints():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"pip install [^\n]*-c /opt/tracker-src/constraints\.txt [^\n]*\[airflow\]", dockerfile)
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().split())
    pins = {name.lower(): version for name, version in pins.items()}
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["airflow"]
    for requirement in extra:
        name, version = requirement.split("==")
        assert pins.get(name.lower()) == version, requirement
    assert "apache-airflow-providers-fab==3.10.2" in extra


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
