"""The plugin inside Airflow's own api-server app under the FAB auth manager, with the roles of docker-compose.yml.

The whole chain is real: `airflow db migrate` (a subprocess) builds the metadata DB and FAB's tables in
the tests' throwaway AIRFLOW_HOME; Airflow's create_app loads the plugin from plugins/ and mounts it, and
FAB creates the Analyst and Operator roles from the [fab] custom_roles JSON that docker-compose.yml sets;
users log in at FAB's POST /auth/token with a password, as the UI does, and send the JWT as a bearer
header or as the UI's `_token` cookie.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess

import jwt
import pytest
import yaml

from airflow_support import DAG_ID, PLUGINS_DIR, ROOT, VENV_BIN, isolate_airflow_home

isolate_airflow_home()

from fastapi.testclient import TestClient  # noqa: E402

from airflow.api_fastapi.app import create_app, get_auth_manager, purge_cached_app  # noqa: E402
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails  # noqa: E402

pytestmark = pytest.mark.integration

FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
PAGES = ("/", "/briefing", "/exports/review_progress.csv")
# username -> FAB role; Public is FAB's built-in role without permissions
USERS = {"ann-analyst": "Analyst", "otto-operator": "Operator", "pat-public": "Public"}
PASSWORD = "a-long-test-password-" + secrets.token_hex(8)
CAPTURE_HTML = b"<!doctype html><html><body><h1>Captured page</h1><script>steal()</script></body></html>"
CAPTURE_PDF = b"%PDF-1.4\n% a capture\n"


def _compose_auth_env() -> dict[str, str]:
    """The auth settings every Airflow service of docker-compose.yml gets (the team shape)."""
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["airflow-apiserver"]["environment"]
    return {k: str(v) for k, v in env.items() if k in ("AIRFLOW__CORE__AUTH_MANAGER", "AIRFLOW__FAB__CUSTOM_ROLES")}


def _tracker_home(path):
    """A TRACKER_HOME with a briefing, one export and two captures (no warehouse: the index says so)."""
    (path / "site" / "captures").mkdir(parents=True)
    (path / "site" / "index.html").write_text("<!doctype html><title>Briefing</title>")
    (path / "exports" / "latest").mkdir(parents=True)
    (path / "exports" / "latest" / "review_progress.csv").write_text("review_id,recommendations\nx-1,3\n")
    names = {}
    for ext, body in (("html", CAPTURE_HTML), ("pdf", CAPTURE_PDF)):
        names[ext] = f"{hashlib.sha256(body).hexdigest()}.{ext}"
        (path / "site" / "captures" / names[ext]).write_bytes(body)
    return names


@pytest.fixture(scope="module")
def airflow_app(tmp_path_factory):
    """Airflow's api-server app (core) under FAB, with one user per role; yields (client, capture names)."""
    compose_env = _compose_auth_env()
    assert compose_env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    home = tmp_path_factory.mktemp("tracker-home-auth")
    captures = _tracker_home(home)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            **compose_env,
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API_AUTH__JWT_ISSUER": "tracker-tests",
            "AIRFLOW__API_AUTH__JWT_AUDIENCE": "tracker-tests",
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "TRACKER_HOME": str(home),
        }.items():
            mp.setenv(key, value)
        subprocess.run(
            [str(VENV_BIN / "airflow"), "db", "migrate"], env=dict(os.environ), check=True, capture_output=True,
                       timeout=300
        )
        purge_cached_app()
        app = create_app(apps="core")
        _add_users()
        try:
            yield TestClient(app), captures
        finally:
            purge_cached_app()


def _add_users() -> None:
    am = get_auth_manager()
    with am.flask_app.app_context():
        sm = am.security_manager
        for username, role in USERS.items():
            if sm.find_user(username=username) is None:
                sm.add_user(username, "Test", role, f"{username}@example.org", sm.find_role(role), PASSWORD)


def _login(client: TestClient, username: str) -> str:
    resp = client.post("/auth/token", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 201, resp.text
    return resp.json()["access_token"]


def _get(client: TestClient, path: str, token: str | None = None, cookie: bool = False):
    client.cookies.clear()
    if token and cookie:
        client.cookies.set("_token", token)
        return client.get("/leadership-tracker" + path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/leadership-tracker" + path, headers=headers)


def _both_ways(client: TestClient, path: str, token: str) -> tuple[int, int]:
    """The status of `path` with the token as a bearer header, then as the UI's cookie."""
    return _get(client, path, token).status_code, _get(client, path, token, cookie=True).status_code


def test_an_analyst_reads_every_tracker_page_with_a_bearer_token_or_the_ui_cookie(airflow_app):
    client, captures = airflow_app
    token = _login(client, "ann-analyst")
    for path in (*PAGES, f"/captures/{captures['html']}"):
        assert _both_ways(client, path, token) == (200, 200), path
    assert "Not published yet" in _get(client, "/", token).text


def test_an_operator_reads_the_tracker_pages_too(airflow_app):
    client, _ = airflow_app
    token = _login(client, "otto-operator")
    assert all(_get(client, path, token).status_code == 200 for path in PAGES)


def test_a_user_without_a_tracker_role_is_forbidden(airflow_app):
    client, captures = airflow_app
    token = _login(client, "pat-public")
    for path in (*PAGES, f"/captures/{captures['html']}"):
        assert _both_ways(client, path, token) == (403, 403), path


def test_anonymous_and_forged_requests_are_refused(airflow_app):
    client, _ = airflow_app
    for path in PAGES:
        assert _get(client, path).status_code == 401, path
    forged = _login(client, "ann-analyst")[:-4] + "AAAA"  # signature no longer matches
    assert _get(client, "/", forged).status_code in (401, 403)
    assert client.post("/auth/token", json={"username": "ann-analyst", "password": "wrong"}).status_code == 401


@pytest.mark.parametrize("claim", ["aud", "iss"])
def test_a_token_signed_with_the_same_secret_for_another_deployment_is_refused(airflow_app, claim):
    """The JWT issuer and audience docker-compose.yml sets are checked: sharing the secret is not enough."""
    client, _ = airflow_app
    token = _login(client, "ann-analyst")
    secret = os.environ["AIRFLOW__API_AUTH__JWT_SECRET"]
    claims = jwt.decode(token, secret, algorithms=["HS512"], audience="tracker-tests", issuer="tracker-tests")
    header = jwt.get_unverified_header(token)
    resigned = jwt.encode({**claims, claim: "another-airflow"}, secret, algorithm="HS512", headers=header)
    assert _get(client, "/", resigned).status_code in (401, 403)
    same = jwt.encode(claims, secret, algorithm="HS512", headers=header)
    assert _get(client, "/", same).status_code == 200  # the re-signing itself is sound


def test_operators_may_trigger_and_clear_runs_and_analysts_may_only_read_them(airflow_app):
    am = get_auth_manager()
    with am.flask_app.app_context():
        users = {name: am.security_manager.find_user(username=name) for name in USERS}
    dag = DagDetails(id=DAG_ID)

    def may(user, method, entity):
        return am.is_authorized_dag(method=method, access_entity=entity, details=dag, user=user)

    analyst, operator, public = users["ann-analyst"], users["otto-operator"], users["pat-public"]
    assert may(analyst, "GET", DagAccessEntity.RUN) and may(operator, "GET", DagAccessEntity.RUN)
    assert may(operator, "POST", DagAccessEntity.RUN)  # trigger
    assert may(operator, "PUT", DagAccessEntity.TASK_INSTANCE)  # clear
    assert not may(analyst, "POST", DagAccessEntity.RUN)
    assert not may(analyst, "PUT", DagAccessEntity.TASK_INSTANCE)
    assert not may(public, "GET", DagAccessEntity.RUN)


def test_captures_are_sandboxed_and_never_sniffed(airflow_app):
    client, captures = airflow_app
    token = _login(client, "ann-analyst")
    page = _get(client, f"/captures/{captures['html']}", token)
    assert page.status_code == 200 and page.content == CAPTURE_HTML
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-content-type-options"] == "nosniff"
    csp = [d.strip() for d in page.headers["content-security-policy"].split(";")]
    assert csp[0] == "sandbox"  # no allow-scripts, no allow-same-origin: scripts never run, no cookie reach
    assert "default-src 'none'" in csp and "form-action 'none'" in csp
    assert not any("http" in d or "*" in d for d in csp)  # nothing is fetched from anywhere
    pdf = _get(client, f"/captures/{captures['pdf']}", token)
    assert pdf.status_code == 200 and pdf.content == CAPTURE_PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers[
        "x-content-type-options"] == "nosniff" and pdf.headers["content-security-policy"].startswith("sandbox")
    assert pdf.headers["content-disposition"].startswith("attachment")


def test_the_compose_roles_are_valid_fab_custom_roles_json():
    roles = json.loads(_compose_auth_env()["AIRFLOW__FAB__CUSTOM_ROLES"])
    assert set(roles) == {"Analyst", "Operator"}
    analyst = {(p["action"], p["resource"]) for p in roles["Analyst"]}
    operator = {(p["action"], p["resource"]) for p in roles["Operator"]}
    assert analyst < operator  # an operator can do everything an analyst can
    assert not any(action in ("can_create", "can_edit", "can_delete") for action, _ in analyst)
