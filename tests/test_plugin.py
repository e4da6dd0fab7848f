"""The "Leadership tracker" UI plugin: FastAPI app against a published warehouse, and before one exists."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from airflow_support import DAG_ID, PLUGINS_DIR, SAMPLE_RECOMMENDATIONS, build_published_home, isolate_airflow_home

isolate_airflow_home()

from fastapi.testclient import TestClient  # noqa: E402

PLUGIN_FILE = PLUGINS_DIR / "leadership_tracker_plugin.py"


def _load_plugin():
    spec = importlib.util.spec_from_file_location("leadership_tracker_plugin_under_test", PLUGIN_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def published_home(tmp_path_factory):
    """A TRACKER_HOME with a warehouse, exports and briefing, built once with the CLI."""
    return build_published_home(tmp_path_factory.mktemp("published-tracker-home"))


@pytest.fixture(scope="module")
def plugin():
    return _load_plugin()


@pytest.fixture
def client(plugin, published_home, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(published_home))
    return TestClient(plugin.create_app(require_auth=False))


def _table(html: str) -> tuple[list[str], list[list[str]]]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id="progress")
    assert table is not None
    headers = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    return headers, rows


def test_plugin_registers_app_and_nav_entry(plugin):
    from airflow.plugins_manager import AirflowPlugin

    p = plugin.LeadershipTrackerPlugin
    assert issubclass(p, AirflowPlugin)
    assert p.name == "leadership_tracker"
    [app] = p.fastapi_apps
    assert app["url_prefix"] == "/leadership-tracker" and app["name"] == "Leadership tracker"
    assert app["app"] is plugin.app
    [view] = p.external_views
    assert view["name"] == "Leadership tracker"
    assert view["destination"] == "nav"
    assert view["href"] == "leadership-tracker/"  # relative: works under a base path too


def test_plugin_import_loads_no_duckdb_no_api_server_models_and_of_tracker_only_its_settings(tmp_path):
    """Every Airflow process imports the plugin (task runners too): no pipeline, no DuckDB, no api-server ORM."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('p', {str(PLUGIN_FILE)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(sorted(n for n in sys.modules if n == 'duckdb' or n.split('.')[0] == 'tracker'))\n"
        "print('airflow.api_fastapi.core_api.security' in sys.modules, 'airflow.models.dag' in sys.modules)\n"
    )
    env = {**os.environ, "TRACKER_HOME": str(tmp_path / "nothing-here")}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # (settings reads the sources' declarations: standard library only, like settings itself)
    assert proc.stdout.strip().splitlines()[-2:] == [
        "['tracker', 'tracker.errors', 'tracker.settings', 'tracker.sourcelist']", "False False"]
    assert not (tmp_path / "nothing-here").exists()


@pytest.mark.parametrize("value", [None, "", "~/tracker-home", "relative/home"])
def test_plugin_reads_tracker_home_as_the_pipeline_does(plugin, monkeypatch, tmp_path, value):
    from tracker.settings import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    if value is None:
        monkeypatch.delenv("TRACKER_HOME", raising=False)
    else:
        monkeypatch.setenv("TRACKER_HOME", value)
    assert plugin.tracker_home() == Settings.from_env().home
    assert plugin.tracker_home().is_absolute()


def test_plugin_guards_the_tracker_dag(plugin):
    assert plugin.TRACKER_DAG_ID == DAG_ID


def test_progress_page_matches_the_warehouse(client, published_home):
    import duckdb

    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    headers, rows = _table(resp.text)
    assert headers[:3] == ["Review", "Title", "Recommendations"]

    con = duckdb.connect(str(published_home / "tracker.duckdb"), read_only=True)
    try:
        expected = con.execute(
            "SELECT review_id, title, recommendations, implemented, pct_implemented FROM review_progress ORDER BY "
            "review_id"
        ).fetchall()
        [(run_id,)] = con.execute("SELECT run_id FROM warehouse_info").fetchall()
    finally:
        con.close()
    impl_col = headers.index("Implemented")
    pct_col = headers.index("% implemented")
    got = [(r[0], r[1], int(r[2]), int(r[impl_col]), float(r[pct_col])) for r in rows]
    assert got == [(a, b, int(c), int(d), float(e)) for a, b, c, d, e in expected]
    assert {r[0]: int(r[2]) for r in rows} == SAMPLE_RECOMMENDATIONS

    soup = BeautifulSoup(resp.text, "html.parser")
    assert soup.find(id="run-id").get_text() == run_id
    assert soup.find("a", id="briefing")["href"] == "briefing"
    exports = sorted(a["href"] for a in soup.find_all("a", class_="export"))
    assert "exports/review_progress.csv" in exports and "exports/recommendation_status.csv" in exports


def test_a_label_changed_in_the_warehouse_vocabulary_heads_its_column_on_the_page(plugin, published_home,
                                                                                   tmp_path, monkeypatch):
    import duckdb

    shutil.copy(published_home / "tracker.duckdb", tmp_path / "tracker.duckdb")
    con = duckdb.connect(str(tmp_path / "tracker.duckdb"))
    try:
        con.execute("UPDATE status_vocabulary SET label = 'Done <and> dusted' WHERE status = 'implemented'")
        vocabulary = [label for (label,) in con.execute(
            "SELECT label FROM status_vocabulary ORDER BY axis DESC, position").fetchall()]
        implemented = dict(con.execute("SELECT review_id, implemented FROM review_progress").fetchall())
    finally:
        con.close()
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path))
    resp = TestClient(plugin.create_app(require_auth=False)).get("/")
    assert resp.status_code == 200
    headers, rows = _table(resp.text)
    assert "Implemented" not in headers and "Done &lt;and&gt; dusted" in resp.text
    assert headers == ["Review", "Title", "Recommendations", "Expected", *vocabulary, "% implemented"]
    done = headers.index("Done <and> dusted")
    assert {r[0]: int(r[done]) for r in rows} == implemented


def test_briefing_and_exports_are_served(client, published_home):
    resp = client.get("/briefing")
    assert resp.status_code == 200
    assert resp.text == (published_home / "site" / "index.html").read_text()
    resp = client.get("/exports/review_progress.csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.content == (published_home / "exports" / "latest" / "review_progress.csv").read_bytes()


@pytest.mark.parametrize("name", ["../tracker.duckdb", "..%2Ftracker.duckdb", "tracker.duckdb", "missing.csv"])
def test_exports_only_serves_listed_csv_files(client, name):
    assert client.get(f"/exports/{name}").status_code == 404


def test_values_are_html_escaped(plugin, tmp_path, monkeypatch):
    import duckdb

    # A warehouse-shaped file whose title carries markup: it must come out as text.
    db = tmp_path / "tracker.duckdb"
    con = duckdb.connect(str(db))
    cols = ", ".join(f"{c} {'VARCHAR' if c in ('review_id', 'title') else 'DOUBLE'}" for c, _ in plugin.COLUMNS)
    con.execute(f"CREATE TABLE rp ({cols})")
    con.execute("INSERT INTO rp (review_id, title) VALUES ('x-1', '<script>alert(1)</script>')")
    con.execute("CREATE VIEW review_progress AS SELECT * FROM rp")
    con.execute("CREATE TABLE status_vocabulary (axis VARCHAR, status VARCHAR, position INTEGER, label VARCHAR)")
    con.execute("CREATE TABLE warehouse_info (run_id VARCHAR, published_at TIMESTAMP, version_file VARCHAR)")
    con.close()
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path))
    resp = TestClient(plugin.create_app(require_auth=False)).get("/")
    assert resp.status_code == 200
    assert "<script>" not in resp.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in resp.text


def test_not_published_yet_page(plugin, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "empty"))
    client = TestClient(plugin.create_app(require_auth=False))
    resp = client.get("/")
    assert resp.status_code == 200
    soup = BeautifulSoup(resp.text, "html.parser")
    assert soup.find(class_="not-published") is not None
    assert "Not published yet" in soup.get_text()
    assert soup.find("table") is None
    assert client.get("/briefing").status_code == 404
    assert client.get("/exports/review_progress.csv").status_code == 404


def test_unreadable_warehouse_is_a_friendly_503(plugin, tmp_path, monkeypatch):
    (tmp_path / "tracker.duckdb").write_bytes(b"not a duckdb file")
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path))
    resp = TestClient(plugin.create_app(require_auth=False)).get("/")
    assert resp.status_code == 503
    assert "could not be read" in resp.text


def test_routes_require_an_airflow_user_by_default(plugin, published_home, monkeypatch):
    monkeypatch.setenv("TRACKER_HOME", str(published_home))
    for app in (plugin.create_app(), plugin.app):  # the app Airflow mounts, built on its first request
        client = TestClient(app)
        for path in ("/", "/briefing", "/exports/review_progress.csv"):
            assert client.get(path).status_code == 401


def test_plugin_serves_archived_captures_and_all_export_formats(client, published_home):
    captures = sorted((published_home / "site" / "captures").iterdir())
    assert captures
    for capture in captures:
        got = client.get(f"/captures/{capture.name}")
        assert got.status_code == 200 and got.content == capture.read_bytes()
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-security-policy"].startswith("sandbox;")
        expected = {".html": "text/html", ".pdf": "application/pdf", ".json": "application/json"}[capture.suffix]
        assert got.headers["content-type"].startswith(expected)
    assert client.get("/captures/..%2F..%2Ftracker.duckdb").status_code == 404
    assert client.get("/captures/not-a-hash.html").status_code == 404
    for path in ("/index.html", "/summary.html", "/progress.html", "/methodology.html", "/feeds/changes.atom",
                 "/feeds/kark-2019.atom", "/recommendations/rose-2015-10.html"):  # the briefing's own links
        got = client.get(path)
        assert got.status_code == 200 and got.text == (published_home / "site" / path.lstrip("/")).read_text()
    workbook = (published_home / "site" / "downloads" / "tracker.xlsx").read_bytes()
    assert client.get("/downloads/tracker.xlsx").content == workbook
    assert client.get("/recommendations/..%2Findex.html").status_code == 404
    assert client.get("/feeds/changes.atom").headers["content-type"].startswith("application/atom+xml")
    assert client.get("/feeds/..%2Findex.html").status_code == 404
    assert client.get("/downloads/..%2Ftracker.duckdb").status_code == 404
    workbook = client.get("/exports/tracker.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
