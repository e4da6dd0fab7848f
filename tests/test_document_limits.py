"""Hostile documents through `tracker ingest` + `tracker run`: each costs at most its limits, becomes a
processing error, and a limit breach is not retried until the document's bytes change.

The documents are generated here (tests/hostile_support.py); the limits are set low through the same
TRACKER_* variables a deployment uses, and the workers apply them to themselves with setrlimit.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import duckdb
import pytest

from conftest import run_cli
from support import ROOT
from hostile_support import big_page, mentions_page, nested_inline_page, pdf_bomb

pytestmark = pytest.mark.e2e

KF = "https://www.kingsfund.org.uk/insight-and-analysis/"
FINE = b"""<html><head><title>Boards and the Kark review</title></head><body><main><h1>Boards and the Kark review</h1>
<p>Published 4 March 2024.</p><p>Recommendation 3 of the Kark review has now been implemented.</p>\
</main></body></html>"""


def cli(home, *args, **env):
    """`tracker ARGS` with extra TRACKER_* settings; returns the completed process (never raises)."""
    full = {**os.environ, "TRACKER_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=full, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def ingest(home, tmp_path, name: str, body: bytes, url: str) -> str:
    path = tmp_path / name
    path.write_bytes(body)
    run_cli(home, "ingest", str(path), "--url", url, "--source", "kingsfund", "--published", "2024-03-04")
    return hashlib.sha256(body).hexdigest()


def query(home, sql, params=(), db="tracker.duckdb"):
    con = duckdb.connect(str(home / db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def errors(home):
    return query(home, "SELECT url, stage, breach, content_sha256, error FROM processing_errors ORDER BY url, stage")


def last_summary(home) -> dict:
    [(summary,)] = query(home, "SELECT summary FROM runs ORDER BY started_at DESC LIMIT 1", db="work.duckdb")
    return json.loads(summary)


def test_a_pdf_bomb_becomes_a_memory_breach_that_is_not_retried_until_its_bytes_change(tmp_path):
    home = tmp_path / "home"
    bomb_url = KF + "reports/bomb.pdf"
    ingest(home, tmp_path, "fine.html", FINE, KF + "blogs/fine")
    bomb = pdf_bomb(200)  # 200 KB that inflate to 200 MB
    sha = ingest(home, tmp_path, "bomb.pdf", bomb, bomb_url)

    first = cli(home, "run", "--offline", TRACKER_PARSE_MEMORY_MB="128")
    assert first.returncode in (0, 3) and "Traceback" not in first.stderr, first.stderr
    [(url, stage, breach, content_sha, error)] = errors(home)
    assert (url, stage, breach, content_sha) == (bomb_url, "parse", "memory", sha)
    assert "128 MB" in error
    assert query(home, "SELECT url FROM publications") == [(KF + "blogs/fine",)]  # the rest of the run is intact
    assert "limit breach" in cli(home, "status").stdout

    second = cli(home, "run", "--offline", TRACKER_PARSE_MEMORY_MB="128")
    assert second.returncode in (0, 3)
    assert "1 document(s) not parsed again" in second.stdout
    assert last_summary(home)["errors"] == 0  # held back, not parsed (and not crashed on) again
    assert [row[:4] for row in errors(home)] == [(bomb_url, "parse", "memory", sha)]

    changed = ingest(home, tmp_path, "bomb2.pdf", bomb + b"% revised\n%%EOF\n", bomb_url)  # new bytes: tried again
    third = cli(home, "run", "--offline", TRACKER_PARSE_MEMORY_MB="128")
    assert "not parsed again" not in third.stdout and last_summary(home)["errors"] == 1
    assert [row[:4] for row in errors(home)] == [(bomb_url, "parse", "memory", changed)]


def test_a_page_that_parses_for_longer_than_its_budget_becomes_a_time_breach(tmp_path):
    home = tmp_path / "home"
    ingest(home, tmp_path, "fine.html", FINE, KF + "blogs/fine")
    # a linear walk, but over 400,000 elements: several seconds
    sha = ingest(home, tmp_path, "slow.html", nested_inline_page(4_000_000), KF + "blogs/slow")
    proc = cli(home, "run", "--offline", TRACKER_PARSE_SECONDS="1")
    assert proc.returncode in (0, 3) and "Traceback" not in proc.stderr, proc.stderr
    [(url, stage, breach, content_sha, error)] = errors(home)
    assert (url, stage, breach, content_sha) == (KF + "blogs/slow", "parse", "time", sha)
    assert "longer than 1 s" in error
    assert query(home, "SELECT count(*) FROM publications") == [(1,)]


def test_inline_tags_nested_to_the_parsers_cap_parse_in_linear_time(tmp_path):
    """A walk that re-read every subtree at every level took ~17 s on this 1 MB page; the walk now reads it once."""
    home = tmp_path / "home"
    ingest(home, tmp_path, "nested.html", nested_inline_page(1_000_000), KF + "blogs/nested")
    proc = cli(home, "run", "--offline", TRACKER_PARSE_SECONDS="8")
    assert proc.returncode in (0, 3) and errors(home) == [], errors(home)
    [(blocks,)] = query(home, "SELECT count(*) FROM document_blocks", db="work.duckdb")
    assert blocks > 250  # the text at every level of nesting, and the block at the bottom
    assert query(home, "SELECT count(*) FROM document_blocks WHERE text = 'Deep text.'", db="work.duckdb") == [(1,)]


def test_twenty_thousand_review_mentions_are_matched_in_linear_time(tmp_path):
    """Checking each new mention against every earlier one took ~28 s for these 20,000 mentions."""
    home = tmp_path / "home"
    url = KF + "blogs/mentions"
    ingest(home, tmp_path, "mentions.html", mentions_page(20_000), url)
    proc = cli(home, "run", "--offline", TRACKER_EXTRACT_SECONDS="8")
    assert proc.returncode in (0, 3) and errors(home) == [], errors(home)
    assert query(home, "SELECT relevant FROM publications WHERE url = ?", [url]) == [(True,)]


def test_a_document_over_its_extraction_budget_is_an_error_not_a_stalled_run(tmp_path):
    home = tmp_path / "home"
    ingest(home, tmp_path, "fine.html", FINE, KF + "blogs/fine")
    sha = ingest(home, tmp_path, "long.html", big_page(6_000_000), KF + "blogs/long")  # many status sentences
    # its blocks, stored by the parse stage, must not leave extraction without room in DuckDB's buffer pool
    proc = cli(home, "run", "--offline", TRACKER_EXTRACT_SECONDS="1", TRACKER_DUCKDB_MEMORY_LIMIT="12MB")
    assert proc.returncode in (0, 3) and "Traceback" not in proc.stderr, proc.stderr
    [(url, stage, breach, content_sha, error)] = errors(home)
    assert (url, stage, breach, content_sha) == (KF + "blogs/long", "extract", "time", sha)
    assert "longer than 1 s" in error
    # the other document's evidence is there; the long one contributed none
    assert query(home, "SELECT DISTINCT source_url FROM status_evidence") == [(KF + "blogs/fine",)]

    again = cli(home, "run", "--offline", TRACKER_EXTRACT_SECONDS="1", TRACKER_DUCKDB_MEMORY_LIMIT="12MB")
    assert again.returncode in (0, 3)
    assert last_summary(home)["extracted"] == 0  # not read again while its bytes and the rules are unchanged
    assert [row[:4] for row in errors(home)] == [(KF + "blogs/long", "extract", "time", sha)]


def test_parse_workers_hold_the_memory_cap_themselves(tmp_path):
    """The cap is the worker's own RLIMIT_AS (as `prlimit --as` would set), visible in /proc."""
    from tracker.stages.sandbox import Limits, WorkerPool

    pool = WorkerPool(Limits(memory_mb=300, seconds=7), size=1)
    try:
        [worker] = pool._start()
        text = open(f"/proc/{worker.proc.pid}/limits").read()
        address = next(line for line in text.splitlines() if line.startswith("Max address space"))
        assert address.split()[3:5] == [str(300 << 20), str(300 << 20)]
        core = next(line for line in text.splitlines() if line.startswith("Max core file size"))
        assert core.split()[4:6] == ["0", "0"]
    finally:
        pool.close()


def test_results_keep_job_order_and_a_breach_is_confirmed_in_a_fresh_worker(tmp_path):
    """One worker, a bomb after a fine page: the worker that dies had parsed before, so the bomb is tried
    once more in a fresh worker (leftovers of earlier documents must not condemn it), then recorded."""
    from datetime import datetime, timezone

    from tracker.fetch.archive import ArchiveWriter, iter_records
    from tracker.stages.sandbox import SandboxJob, Limits, WorkerPool

    pages = {KF + f"blogs/fine-{i}": FINE for i in range(3)}
    bomb = pdf_bomb(200)
    with ArchiveWriter(tmp_path, prefix="pool") as writer:
        for url, body in [(KF + "blogs/fine-0", FINE), (KF + "reports/bomb.pdf", bomb),
                          (KF + "blogs/fine-1", FINE), (KF + "blogs/fine-2", FINE)]:
            ctype = "application/pdf" if url.endswith(".pdf") else "text/html"
            writer.write_response(url, body, headers=[("Content-Type", ctype)],
                                  fetched_at=datetime(2024, 3, 4, tzinfo=timezone.utc), source="kingsfund")
    jobs = [SandboxJob(info.url, str(writer.path), info.offset, info.sha256) for info,
            _ in iter_records(writer.path, with_body=False)]
    pool = WorkerPool(Limits(memory_mb=128, seconds=60), size=1)
    try:
        results = list(pool.parse(jobs))
    finally:
        pool.close()
    assert pool.started == 3  # the first, a fresh one for the bomb's second try, one for the pages after it
    assert [r.job.url for r in results] == [j.url for j in jobs]
    assert [r.breach for r in results] == [None, "memory", None, None]
    assert [r.publication.url for r in results if r.publication] == list(pages)
