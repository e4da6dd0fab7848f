"""SIGKILL at any stage leaves the published warehouse as it was and the archive readable; the next
run completes and gives the same warehouse as an uninterrupted run. Also: two runs never interleave."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from conftest import run_cli
from support import ROOT, SAMPLE_WARC, table_snapshot
from tracker.fetch.archive import iter_records, warc_files

pytestmark = pytest.mark.e2e

TABLES = {
    "recommendations": "review_id, number",
    "status_evidence": "review_id, number, axis, source_url, quote",
    "publications": "url",
    "review_progress": "review_id",
}
NEW_PAGE = """<html><head><title>Boards one year on</title></head><body><main><h1>Boards one year on</h1>
<p>Published 4 March 2024.</p>
<p>Recommendation 3 of the Kark review has now been implemented, according to NHS England.</p>
</main></body></html>"""


def snapshot(path):
    return table_snapshot(path, TABLES)


def cli_env(home, **extra):
    return {**os.environ, "TRACKER_HOME": str(home), **extra}


def ingest_new_page(tmp_path, home, kill_at=None):
    page = tmp_path / "new.html"
    page.write_text(NEW_PAGE)
    env = cli_env(home, **({"TRACKER_KILL_AT": kill_at} if kill_at else {}))
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", "ingest", str(page), "--url", "https://nhsproviders.org/news-blogs/blogs/boards-one-year-on"],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )


@pytest.mark.parametrize("point", ["parse", "extract", "publish-log", "publish-build", "publish-swap"])
def test_sigkill_during_a_run_then_recovery(tmp_path, point):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "run", "--offline")
    before = snapshot(home / "tracker.duckdb")
    assert ingest_new_page(tmp_path, home).returncode == 0
    # what an uninterrupted run gives on exactly this archive
    clean = tmp_path / "clean"
    shutil.copytree(home / "archive", clean / "archive")
    run_cli(clean, "run", "--offline")
    expected = snapshot(clean / "tracker.duckdb")
    assert expected != before

    killed = subprocess.run([sys.executable, "-m", "tracker.cli", "run", "--offline"],
                            env=cli_env(home, TRACKER_KILL_AT=point), capture_output=True, text=True, cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert snapshot(home / "tracker.duckdb") == before  # the published warehouse is untouched
    for path in warc_files(home / "archive"):
        assert list(iter_records(path, with_body=False))  # the archive is readable

    run_cli(home, "run", "--offline")
    assert snapshot(home / "tracker.duckdb") == expected
    # the new page's changes are in the change log once, whichever run got to log them
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    try:
        logged = con.execute(
            "SELECT change_type, count(*) FROM change_log WHERE source_url = ? GROUP BY ALL ORDER BY ALL",
            ["https://nhsproviders.org/news-blogs/blogs/boards-one-year-on"],
        ).fetchall()
        total = con.execute("SELECT count(*), count(DISTINCT change_id) FROM change_log").fetchone()
    finally:
        con.close()
    assert logged == [("new_evidence", 1), ("new_publication", 1), ("status_change", 1)]
    assert total == (271 + 3, 271 + 3)


def test_sigkill_while_writing_the_archive_leaves_it_readable(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    killed = ingest_new_page(tmp_path, home, kill_at="archive-write")
    assert killed.returncode == -signal.SIGKILL
    files = warc_files(home / "archive")
    assert [p.name.startswith("import-") for p in files] == [True]  # the half-written file is not published
    assert len(list(iter_records(files[0], with_body=False))) == 25
    proc = run_cli(home, "run", "--offline")
    assert "25 parsed" in proc.stdout


def test_a_second_run_on_the_same_home_exits_with_a_clear_message(tmp_path):
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from tracker.lock import run_lock\n"
         "with run_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(30)",
         str(home / "run.lock")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        proc = run_cli(home, "run", "--offline", check=False)
        assert proc.returncode == 1 and time.monotonic() - start < 20
        assert proc.stderr.strip().startswith("error: another tracker run (pid ")
        assert not (home / "tracker.duckdb").exists() and not (home / "work.duckdb").exists()
    finally:
        holder.kill()
        holder.wait()
    run_cli(home, "run", "--offline")  # once the lock is free, runs proceed


def test_parsing_works_inside_a_daemonic_worker(tmp_path):
    """Celery's prefork workers are daemonic and may not start a multiprocessing pool: the parse workers
    are plain subprocesses, so they start there too (and hold their limits there)."""
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    code = (
        "import multiprocessing as mp\n"
        "def work():\n"
        "    from tracker.pipeline import process\n"
        "    from tracker.settings import Settings\n"
        "    print('parsed', process(Settings.from_env()).parsed, flush=True)\n"
        "if __name__ == '__main__':\n"
        "    p = mp.get_context('spawn').Process(target=work, daemon=True); p.start(); p.join(); raise "
        "SystemExit(p.exitcode)\n"
    )
    script = tmp_path / "daemon.py"
    script.write_text(code)
    proc = subprocess.run([sys.executable, str(script)], env=cli_env(home, TRACKER_WORKERS="2"),
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "parsed 25" in proc.stdout


OUTPUTS = "from tracker import tasks; print(tasks.outputs()['latest'], flush=True)"


def _outputs_home(tmp_path, sample_home):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, ignore=shutil.ignore_patterns("*.lock"))
    return home


def _complete_exports(home) -> None:
    from tracker.publish.exports import CHANGES, EXPORTS, WORKBOOK

    latest = sorted(p.name for p in (home / "exports" / "latest").iterdir())
    expected = {f"{t}.csv" for t in EXPORTS} | {f"{CHANGES}.csv", WORKBOOK}
    assert expected <= set(latest), latest
    dated = [d for d in (home / "exports").iterdir() if d.name[:1].isdigit()]
    assert [sorted(p.name for p in d.iterdir()) for d in dated] == [latest]
    assert not [p for p in (home / "exports").iterdir() if p.name.startswith(".")]  # no staging left behind


def test_an_outputs_task_waits_for_the_writer_before_it(tmp_path, sample_home):
    home = _outputs_home(tmp_path, sample_home)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from tracker.lock import outputs_lock\n"
         "with outputs_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(30)",
         str(home / "outputs.lock")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        shutil.rmtree(home / "exports")
        waiting = subprocess.Popen([sys.executable, "-c", OUTPUTS], env=cli_env(home), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=ROOT)
        time.sleep(3)
        assert waiting.poll() is None and not (home / "exports").exists()  # waiting, not writing, not failing
    finally:
        holder.kill()
        holder.wait()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    _complete_exports(home)


def test_concurrent_outputs_tasks_and_a_cli_run_never_interleave(tmp_path, sample_home):
    """Without one writer, two writers' staging folders and swaps collide (FileNotFoundError, half a latest/)."""
    home = _outputs_home(tmp_path, sample_home)
    procs = [subprocess.Popen([sys.executable, "-c", OUTPUTS], env=cli_env(home), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(3)]
    procs.append(subprocess.Popen([sys.executable, "-m", "tracker.cli", "run", "--offline"], env=cli_env(home),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT))
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    _complete_exports(home)
