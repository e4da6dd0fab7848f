"""After a crash the next run recovers by itself, without the network: a WAL holding DDL replays with
extension auto-install off, and a working database that cannot be opened is set aside and rebuilt from
the archive in the same run."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from functools import cache
from pathlib import Path

import pytest

from conftest import run_cli
from support import ROOT, SAMPLE_WARC
from tracker.warehouse.db import DatabaseDamaged, DatabaseUnavailable, connect, open_work_db

# Export files whose rows carry the run that found them; everything else must match byte for byte.
FOUND_BY = ("changes.csv", "changes_last_7_days.csv", "changes_last_30_days.csv")
FOUND_BY_COLUMNS = 3  # found_at, run_id, version_file close every change row


@cache
def _no_network() -> tuple[str, ...] | None:
    """A command prefix that runs a process in a network namespace with no route, if this machine allows it."""
    for prefix in (("unshare", "-n"), ("unshare", "-rn")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def offline_prefix() -> tuple[str, ...]:
    prefix = _no_network()
    if prefix is None:
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    return prefix


def tracker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracker.cli", *args]


def env_for(home: Path) -> dict:
    return {**os.environ, "TRACKER_HOME": str(home)}


def exports(home: Path) -> dict[str, list]:
    """The latest exports' CSV files, with the columns that name the finding run dropped from change rows."""
    found = {}
    for path in sorted((home / "exports" / "latest").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        found[path.name] = sorted(r[:-FOUND_BY_COLUMNS] for r in rows) if path.name in FOUND_BY else rows
    return found


def wal_with_ddl(path: Path) -> None:
    """A database whose WAL holds a view over a function of DuckDB's core_functions, as a process killed
    between a migration and the next checkpoint leaves it."""
    script = textwrap.dedent(f"""
        import os, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("CREATE TABLE t (s VARCHAR)")
        con.execute("CHECKPOINT")
        con.execute("CREATE VIEW trimmed AS SELECT trim(s) AS s FROM t")
        os.kill(os.getpid(), 9)
    """)
    subprocess.run([sys.executable, "-c", script], check=False)
    assert path.with_name(path.name + ".wal").exists()


def test_a_wal_holding_ddl_replays_without_the_network(tmp_path):
    prefix = offline_prefix()
    db = tmp_path / "work.duckdb"
    wal_with_ddl(db)
    probe = "from tracker.warehouse.db import connect; c = connect(__import__('sys').argv[1]); " \
            "print(c.execute('SELECT count(*) FROM trimmed').fetchall())"
    proc = subprocess.run([*prefix, sys.executable, "-c", probe, str(db)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[(0,)]"


def test_a_working_database_that_cannot_be_opened_is_set_aside_and_rebuilt(tmp_path, sample_home):
    home = tmp_path / "home"
    shutil.copytree(sample_home / "archive", home / "archive")
    (home / "work.duckdb").write_bytes(b"not a database, as a torn copy might be\n" * 200)
    damaged = (home / "work.duckdb").read_bytes()

    proc = run_cli(home, "run", "--offline")

    warnings = [line for line in proc.stderr.splitlines() if "set aside" in line]
    assert len(warnings) == 1 and "rebuilding the working database from the archive" in warnings[0]
    kept = list(home.glob("work.duckdb.damaged-*"))
    assert [p.read_bytes() for p in kept] == [damaged]  # the bytes are kept, never deleted
    assert exports(home) == exports(sample_home)


def test_a_database_locked_by_another_process_is_not_set_aside(tmp_path):
    db = tmp_path / "work.duckdb"
    connect(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseUnavailable) as caught:
            open_work_db(db, ROOT / "sql")
        assert not isinstance(caught.value, DatabaseDamaged)
        assert not list(tmp_path.glob("*.damaged-*"))
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.e2e
def test_random_kills_then_an_offline_run_gives_the_exports_of_an_uninterrupted_run(tmp_path, sample_home):
    """Kill `tracker run --offline` at random moments (seeded, bounded), then run it with no network."""
    prefix = offline_prefix()
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    rng = random.Random(20261207)
    for _ in range(4):
        proc = subprocess.Popen(tracker_cmd("run", "--offline"), env=env_for(home), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    recovered = subprocess.run([*prefix, *tracker_cmd("run", "--offline")], env=env_for(home), cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert exports(home) == exports(sample_home)


def test_every_database_is_opened_through_the_one_offline_connect():
    """A duckdb.connect elsewhere would open a file with auto-install on, and reach for the network after a crash."""
    callers = sorted(str(p.relative_to(ROOT)) for folder in ("tracker", "dags", "plugins")
                     for p in (ROOT / folder).rglob("*.py") if "duckdb.connect(" in p.read_text(encoding="utf-8"))
    assert callers == ["tracker/warehouse/db.py"]
