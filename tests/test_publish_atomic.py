"""Safe publishing: an analyst's open connection never sees a half-written warehouse, a crash before the
swap leaves the previous warehouse as it was, published/ keeps the last 8 versions, and every table and
view analysts get carries a COMMENT."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli
from support import ROOT, SAMPLE_WARC
from tracker.settings import Settings
from tracker.warehouse import versions as publish_mod

pytestmark = pytest.mark.e2e

NEW_URL = "https://nhsproviders.org/news-blogs/blogs/boards-one-year-on-publishing-test"
NEW_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Boards one year on</title></head>
<body><main><h1>Boards one year on</h1>
<p>Published 4 March 2024.</p>
<p>Recommendation 3 of the Kark review has now been implemented, according to NHS England.</p>
</main></body></html>"""

# Runs in another process: holds a read-only connection across the whole publishing run.
READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    def counts():
        return con.execute(
            "SELECT (SELECT count(*) FROM publications), (SELECT count(*) FROM status_evidence), "
            "(SELECT run_id FROM warehouse_info), "
            "(SELECT implementation_status FROM recommendation_status WHERE review_id = 'kark-2019' AND number = 3)"
        ).fetchone()
    before = counts()
    print("READY", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    after = counts()
    print(json.dumps({"before": before, "after": after, "seconds": time.monotonic() - started}), flush=True)
    con.close()
    """
)


def _copy_home(sample_home: Path, target: Path) -> Settings:
    shutil.copytree(sample_home, target, ignore=shutil.ignore_patterns("run.lock"))
    return Settings.from_env({"TRACKER_HOME": str(target)})


def _state(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (
            con.execute("SELECT run_id, version_file FROM warehouse_info").fetchone(),
            con.execute("SELECT * FROM recommendation_status ORDER BY review_id, number").fetchall(),
            con.execute("SELECT count(*) FROM status_evidence").fetchone()[0],
            con.execute("SELECT count(*) FROM publications").fetchone()[0],
        )
    finally:
        con.close()


def test_open_reader_in_another_process_keeps_its_view_while_a_run_publishes(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "run", "--offline")
    warehouse = home / "tracker.duckdb"

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert reader.stdout.readline().strip() == "READY", reader.stderr.read()
        page = tmp_path / "boards.html"
        page.write_text(NEW_PAGE, encoding="utf-8")
        run_cli(home, "ingest", str(page), "--url", NEW_URL, "--source", "nhsproviders", "--published", "2024-03-04")
        run = run_cli(home, "run", "--offline")  # must not be blocked by the reader's open connection
        assert "1 parsed, 25 unchanged" in run.stdout
        assert reader.poll() is None, "the reader must still hold its connection when the run has published"
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    result = json.loads(out.strip().splitlines()[-1])
    before, after = result["before"], result["after"]
    assert before == after, "the open connection's view changed under it"
    assert before[3] == "unknown" and before[:2] == [25, 102]
    assert result["seconds"] < 5, "the reader was blocked"

    con = duckdb.connect(str(warehouse), read_only=True)  # a new connection sees the new version
    try:
        assert con.execute("SELECT count(*) FROM publications").fetchone()[0] == 26
        assert con.execute("SELECT count(*) FROM status_evidence").fetchone()[0] == 103
        assert con.execute(
            "SELECT implementation_status, last_evidence_url FROM recommendation_status "
            "WHERE review_id = 'kark-2019' AND number = 3"
        ).fetchone() == ("implemented", NEW_URL)
        assert con.execute("SELECT run_id FROM warehouse_info").fetchone()[0] != before[2]
    finally:
        con.close()


@pytest.mark.parametrize("fail_at", ["version", "warehouse"])
def test_a_crash_between_build_and_rename_leaves_the_previous_warehouse(tmp_path, sample_home, monkeypatch, fail_at):
    settings = _copy_home(sample_home, tmp_path / "home")
    before = _state(settings.warehouse)
    versions_before = publish_mod.published_versions(settings)
    real_replace = os.replace

    def crashing_replace(src, dst):
        dst = Path(dst)
        if (fail_at == "warehouse" and dst == settings.warehouse) or (
            fail_at == "version" and dst.parent == settings.published_dir and dst.name.startswith("tracker-")
        ):
            raise OSError(f"injected crash before renaming onto {dst.name}")
        return real_replace(src, dst)

    monkeypatch.setattr(publish_mod.os, "replace", crashing_replace)
    with pytest.raises(OSError, match="injected crash"):
        publish_mod.publish(settings, "crashed-run", now=datetime.now(timezone.utc) + timedelta(days=1))
    monkeypatch.undo()

    assert _state(settings.warehouse) == before  # opens read-only, with the old run's content
    assert before[0][0] != "crashed-run"
    if fail_at == "version":
        assert publish_mod.published_versions(settings) == versions_before

    # and the next publish recovers: new content in place, no half-built files left behind
    publish_mod.publish(settings, "next-run", now=datetime.now(timezone.utc) + timedelta(days=2))
    assert _state(settings.warehouse)[0][0] == "next-run"
    assert not list(settings.published_dir.glob(".*.part"))


def test_only_the_last_eight_versions_are_kept(tmp_path, sample_home):
    settings = _copy_home(sample_home, tmp_path / "home")
    start = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    made = []
    for i in range(10):
        made.append(publish_mod.publish(settings, f"run-{i}", now=start + timedelta(minutes=i)).name)
    kept = [p.name for p in publish_mod.published_versions(settings)]
    assert settings.keep_versions == 8
    assert kept == made[-8:]
    assert len(list(settings.published_dir.iterdir())) == 8  # nothing else (no .part files) left
    info = _state(settings.warehouse)[0]
    assert info == ("run-9", made[-1])
    for name in kept:  # every kept version is a complete, openable warehouse
        con = duckdb.connect(str(settings.published_dir / name), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 62
        finally:
            con.close()


def _uncommented(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND (comment IS NULL OR trim(comment) = '')"
        ).fetchall()
        views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal "
            "AND (comment IS NULL OR trim(comment) = '')"
        ).fetchall()
        return {name for (name,) in tables + views}
    finally:
        con.close()


def test_every_table_and_view_in_the_published_file_has_a_comment(sample_home):
    missing = _uncommented(sample_home / "tracker.duckdb")
    assert not missing, f"add COMMENT ON for: {sorted(missing)}"
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    try:
        views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    finally:
        con.close()
    assert {"recommendation_status", "review_progress", "progress_by_theme", "stale_recommendations",
            "status_changes", "evidence_by_publisher"} <= views


def test_a_long_lived_process_sees_each_new_version(tmp_path, sample_home):
    """A notebook or the api-server keeps a connection open across a publish: reopening the warehouse
    must give the version published since, not the one that connection pinned."""
    from tracker.warehouse.versions import open_published, publish

    settings = _copy_home(sample_home, tmp_path / "home")
    with open_published(settings.warehouse) as pinned:
        first = pinned.execute("SELECT run_id FROM warehouse_info").fetchone()[0]
        publish(settings, "a-later-run")
        with open_published(settings.warehouse) as again:
            assert again.execute("SELECT run_id FROM warehouse_info").fetchone()[0] == "a-later-run"
            assert again.execute("SELECT count(*) FROM recommendation_status").fetchone()[0] == 62
        assert pinned.execute("SELECT run_id FROM warehouse_info").fetchone()[0] == first  # the old view holds
