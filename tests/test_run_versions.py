"""Runs tied to what they published (the Airflow task entry points in tracker/tasks.py): the tracker's run id
is the orchestrator's, publish refuses to label data another run processed, and it names the version it
published (file and content hash), from which outputs are built, not from whatever is current."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys

import duckdb
import pytest

from support import ROOT
from test_crash_consistency import ingest_new_page
from tracker import tasks
from tracker.pipeline import StalePublish, VersionUnavailable
from tracker.settings import Settings

pytestmark = pytest.mark.e2e

OLD_RUN = "scheduled__2026-11-16T06:00:00+00:00"
NEW_RUN = "manual__2026-11-23T10:00:00+00:00"


@pytest.fixture
def home(tmp_path, sample_home, monkeypatch) -> Settings:
    target = tmp_path / "home"
    shutil.copytree(sample_home, target, ignore=shutil.ignore_patterns("run.lock", "*.lock"))
    monkeypatch.setenv("TRACKER_HOME", str(target))
    return Settings.from_env({"TRACKER_HOME": str(target)})


def _versions(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.published_dir.glob("tracker-*.duckdb"))


def _warehouse_run(settings: Settings) -> str:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute("SELECT run_id FROM warehouse_info").fetchone()[0]
    finally:
        con.close()


def test_publishing_as_a_run_that_did_not_process_the_working_database_is_refused(home):
    cli_run = _warehouse_run(home)  # `tracker run` processed and published the sample
    before = _versions(home)

    with pytest.raises(StalePublish) as refused:
        tasks.publish(OLD_RUN)

    assert str(refused.value) == (
        f"not publishing as run {OLD_RUN}: the working database was last processed by run {cli_run}; "
        "publish that run, or run this one again from `process`"
    )
    assert refused.value.exit_code == 1  # an expected failure: one line, no traceback
    assert _versions(home) == before and _warehouse_run(home) == cli_run


def test_a_run_publishes_under_its_own_id_and_a_cleared_older_run_cannot_republish(home):
    summary = tasks.process(offline=True, sources="dhsc", run_id=NEW_RUN)
    assert summary["run_id"] == NEW_RUN
    assert set(summary) >= {"recommendations", "evidence", "unhealthy"} and "notes" not in summary  # one small XCom
    assert all(isinstance(v, (int, str, type(None))) for k, v in summary.items() if k != "unhealthy")

    published = tasks.publish(NEW_RUN)

    version = home.published_dir / published["version_file"]
    assert published == {"run_id": NEW_RUN, "version_file": version.name,
                         "sha256": hashlib.sha256(version.read_bytes()).hexdigest(), "version": str(version)}
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        runs = con.execute("SELECT run_type, outcome, version_file FROM runs WHERE run_id = ?", [NEW_RUN]).fetchall()
        info = con.execute("SELECT run_id, version_file FROM warehouse_info").fetchone()
    finally:
        con.close()
    assert runs == [("manual", "processed", version.name)]  # what `tracker status` lists
    assert info == (NEW_RUN, version.name)

    # Clearing the earlier run's publish task afterwards: refused, today's data keeps today's label.
    with pytest.raises(StalePublish, match=re.escape(f"last processed by run {NEW_RUN};")):
        tasks.publish(OLD_RUN)
    # The same run's publish cleared and run again is still that run's data.
    assert tasks.publish(NEW_RUN)["run_id"] == NEW_RUN


def test_outputs_are_built_from_the_version_named_not_from_the_current_warehouse(home):
    first = home.published_dir / _versions(home)[-1]
    first_hash = hashlib.sha256(first.read_bytes()).hexdigest()
    tasks.process(offline=True, sources="dhsc", run_id=NEW_RUN)
    newer = tasks.publish(NEW_RUN)
    assert newer["version_file"] != first.name and _warehouse_run(home) == NEW_RUN

    built = tasks.outputs(version_file=first.name, sha256=first_hash)
    assert built["version_file"] == first.name
    assert tasks.outputs()["version_file"] == newer["version_file"]  # a manual run: the current warehouse

    with pytest.raises(VersionUnavailable, match="does not match the hash it was published with"):
        tasks.outputs(version_file=first.name, sha256="0" * 64)
    with pytest.raises(VersionUnavailable, match="no longer in"):
        tasks.outputs(version_file="tracker-20200101T000000.duckdb")
    with pytest.raises(VersionUnavailable, match="not a published version's name"):
        tasks.outputs(version_file="../tracker.duckdb")


def test_a_publish_killed_between_its_rename_and_its_swap_leaves_no_version_of_its_own(home, tmp_path):
    """The version renamed into published/ but never swapped in was kept, and the retry's change log, diffed
    against it, labelled the run's changes with a version that was never the warehouse."""
    assert ingest_new_page(tmp_path, home.home).returncode == 0  # something for this run to change
    tasks.process(offline=True, sources="nhsproviders", run_id=NEW_RUN)
    before = _versions(home)
    killed = subprocess.run([sys.executable, "-c", f"from tracker import tasks; tasks.publish({NEW_RUN!r})"],
                            env={**os.environ, "TRACKER_HOME": str(home.home), "TRACKER_KILL_AT": "publish-swap"},
                            capture_output=True, text=True, cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    [orphan] = set(_versions(home)) - set(before)
    assert _warehouse_run(home) != NEW_RUN

    published = tasks.publish(NEW_RUN)  # the task's retry

    # the orphan is gone (the retry may take its freed name when it publishes within the same second)
    assert _versions(home) == sorted([*before, published["version_file"]]), orphan
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        logged = con.execute("SELECT DISTINCT version_file FROM change_log WHERE run_id = ?", [NEW_RUN]).fetchall()
        named = {n for (n,) in con.execute(
            "SELECT version_file FROM change_log UNION SELECT version_file FROM runs WHERE version_file IS NOT NULL"
        ).fetchall()}
        runs = con.execute("SELECT version_file FROM runs WHERE run_id = ?", [NEW_RUN]).fetchall()
    finally:
        con.close()
    assert logged == [(published["version_file"],)]  # the new page's changes, under the version published
    assert runs == [(published["version_file"],)] and named <= set(_versions(home))
