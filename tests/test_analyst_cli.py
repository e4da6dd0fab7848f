"""The analyst's command line, through the real CLI on the sample run: `tracker sql` (one query as a table,
CSV or JSON; an interactive prompt; read-only; never in a run's way), `tracker versions`, `tracker status`
with one column per status and `--json`, and evidence exports that name and link their documents."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pty
import select
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli
from support import ROOT

PROGRESS_SQL = ("SELECT review_id, recommendations, expected_recommendations, pct_implemented FROM review_progress "
                "ORDER BY review_id")
PROGRESS_TABLE = """\
review_id            recommendations  expected_recommendations  pct_implemented
-------------------  ---------------  ------------------------  ---------------
kark-2019            7                7                         14.3
kerr-2018            6                NULL                      0.0
ltp-2019-leadership  7                NULL                      14.3
messenger-2022       7                7                         14.3
rose-2015            19               19                        36.8
smith-2015           16               16                        37.5

(6 rows)
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(home: Path) -> dict:
    return {**os.environ, "TRACKER_HOME": str(home)}


# --- tracker sql ------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_sql_prints_a_table_csv_or_json(sample_home):
    assert run_cli(sample_home, "sql", PROGRESS_SQL).stdout == PROGRESS_TABLE
    out = run_cli(sample_home, "sql", PROGRESS_SQL, "--format", "csv").stdout
    assert out.startswith("\ufeffreview_id,")  # a byte-order mark, as in the CSV exports: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[1] == {"review_id": "kerr-2018", "recommendations": "6", "expected_recommendations": "",
                       "pct_implemented": "0.0"}
    assert len(rows) == 6
    data = json.loads(run_cli(sample_home, "sql", PROGRESS_SQL, "--format", "json").stdout)
    assert data[4] == {"review_id": "rose-2015", "recommendations": 19, "expected_recommendations": 19,
                       "pct_implemented": 36.8}
    dated = json.loads(run_cli(sample_home, "sql", "SELECT published_on FROM reviews WHERE review_id = 'kark-2019'",
                               "--format", "json").stdout)
    assert dated == [{"published_on": "2019-02-06"}]


@pytest.mark.e2e
def test_sql_reads_views_and_table_macros_and_a_version_as_of_a_date(sample_home):
    out = run_cli(sample_home, "sql",
                  "SELECT number, response_status FROM recommendation_status_as_at(DATE '2019-06-30') "
                  "WHERE review_id = 'kark-2019' AND number = 1", "--format", "csv").stdout
    assert out == "\ufeffnumber,response_status\n1,under_consideration\n"
    version = sorted((sample_home / "published").glob("tracker-*.duckdb"))[-1]
    day = f"{version.name[8:12]}-{version.name[12:14]}-{version.name[14:16]}"
    out = run_cli(sample_home, "sql", "SELECT version_file FROM warehouse_info", "--as-of", day, "--format",
                  "csv").stdout
    assert out == f"\ufeffversion_file\n{version.name}\n"
    too_early = run_cli(sample_home, "sql", "SELECT 1", "--as-of", "1999-12-31", check=False)
    assert too_early.returncode == 1 and too_early.stderr.startswith("error: no version was published on or before")


@pytest.mark.e2e
def test_sql_csv_neutralises_formulas_as_the_exports_do(sample_home):
    from tracker.publish.exports import FORMULA_STARTS

    cells = ", ".join(f"chr({ord(c)}) || 'x' AS c{i}" for i, c in enumerate(FORMULA_STARTS))
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "sql", f"SELECT {cells}, -5 AS n, 'plain' AS p",
                           "--format", "csv"], env=_env(sample_home), capture_output=True, cwd=ROOT)  # bytes: CR kept
    assert proc.returncode == 0, proc.stderr
    row = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8-sig"), newline="")))[1]
    assert row == ["'" + c + "x" for c in FORMULA_STARTS] + ["-5", "plain"]


@pytest.mark.e2e
@pytest.mark.parametrize("statement, says", [
    ("INSERT INTO reviews (review_id) VALUES ('made-up-2030')", "the warehouse is read-only"),
    ("CREATE TABLE notes (x INTEGER)", "the warehouse is read-only"),
    ("DELETE FROM status_evidence", "the warehouse is read-only"),
    ("DROP VIEW review_progress", "the warehouse is read-only"),
    ("COPY (SELECT 1) TO '{warehouse}'", "never files"),  # would overwrite the warehouse file itself
    ("ATTACH '{warehouse}' AS again; INSERT INTO again.reviews (review_id) VALUES ('x')", "the warehouse is read-only"),
    ("ATTACH '{warehouse}.new' AS other", "never files"),
    ("SET enable_external_access = true", "configuration has been locked"),
])
def test_sql_cannot_write_the_warehouse_and_says_so_in_one_line(sample_home, statement, says):
    warehouse = sample_home / "tracker.duckdb"
    before = _sha(warehouse)
    proc = run_cli(sample_home, "sql", statement.format(warehouse=warehouse), check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("error: ") and says in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _sha(warehouse) == before


@pytest.mark.e2e
def test_sql_bad_sql_is_one_line_and_temp_tables_work(sample_home):
    proc = run_cli(sample_home, "sql", "SELECT nonsense FROM review_progress", check=False)
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1 and "nonsense" in proc.stderr
    out = run_cli(sample_home, "sql", "CREATE TEMP TABLE mine AS SELECT review_id FROM reviews; "
                  "SELECT count(*) AS n FROM mine", "--format", "csv").stdout
    assert out == "\ufeffn\n6\n"


@pytest.mark.e2e
@pytest.mark.parametrize("query, where", [
    ("SELECT review_id FRM reviews", '(line 1, column 22 of the query: "reviews")'),
    ("SELECT 1;\n  SELECT\n  x FROM reviews", '(line 3, column 3 of the query: "x")'),  # DuckDB's caret: column 15
    ("SELECT 1; SELECT 2;\nSELECT nonsense FROM reviews", '(line 2, column 8 of the query: "nonsense")'),
])
def test_sql_errors_point_at_the_users_own_query_text(sample_home, query, where):
    proc = run_cli(sample_home, "sql", query, check=False)
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.rstrip().endswith(where) and "LINE" not in proc.stderr and "^" not in proc.stderr


@pytest.mark.e2e
def test_sql_prompt_names_an_unknown_format_and_json_times_carry_their_zone(sample_home):
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "sql"], env=_env(sample_home), cwd=ROOT, timeout=60,
                          input=".format xml\n.format json\nSELECT published_at FROM warehouse_info;\n",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("error: unknown format 'xml'; .format takes one of table, csv, json\n")
    published_at = json.loads(proc.stdout.split("\n", 1)[1])[0]["published_at"]
    assert published_at.endswith("+00:00")
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    naive = con.execute("SELECT published_at FROM warehouse_info").fetchone()[0]  # stored as UTC, without a zone
    con.close()
    assert published_at == naive.isoformat() + "+00:00"


@pytest.mark.e2e
def test_sql_reads_statements_piped_in_and_stops_at_the_first_error(sample_home):
    env = _env(sample_home)
    cmd = [sys.executable, "-m", "tracker.cli", "sql"]
    proc = subprocess.run(cmd + ["--format", "csv"], input="SELECT 1 AS a;\nSELECT 2\n  AS b;\n", env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "\ufeffa\n1\nb\n2\n", proc.stderr
    proc = subprocess.run(cmd, input="SELECT 1 AS a;\nSELECT oops;\nSELECT 3 AS c;\n", env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1 and "oops" in proc.stderr and "(1 row)" in proc.stdout and "c\n" not in proc.stdout


def _read_until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in {data.decode(errors='replace')!r}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            data += chunk
    return data


@pytest.mark.e2e
def test_sql_without_a_query_opens_an_interactive_prompt(sample_home):
    """On a terminal: a banner, a prompt, statements over several lines, an error that does not end it."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "sql"], stdin=slave, stdout=slave, stderr=slave,
                            env={**_env(sample_home), "TERM": "dumb"}, cwd=ROOT, close_fds=True)
    os.close(slave)
    try:
        banner = _read_until(master, b"tracker> ").decode()
        assert "read-only" in banner and "version tracker-" in banner
        os.write(master, b"SELECT review_id, pct_implemented\r")
        assert b"...> " in _read_until(master, b"...> ")
        os.write(master, b"FROM review_progress WHERE review_id = 'rose-2015';\r")
        out = _read_until(master, b"tracker> ").decode()
        assert "rose-2015  36.8" in out and "(1 row)" in out
        os.write(master, b"INSERT INTO reviews (review_id) VALUES ('x');\r")
        out = _read_until(master, b"tracker> ").decode()
        assert "error: the warehouse is read-only" in out  # and the prompt goes on
        os.write(master, b".tables\r")
        out = _read_until(master, b"tracker> ").decode()
        assert "recommendation_status" in out and "recommendation_status_as_at(DATE)" in out
        os.write(master, b".quit\r")
        assert proc.wait(timeout=30) == 1  # one statement failed
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


@pytest.mark.e2e
def test_an_open_sql_session_does_not_block_a_run_from_publishing(sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    before = run_cli(home, "sql", "SELECT version_file FROM warehouse_info", "--format", "csv").stdout.split()[1]
    session = subprocess.Popen([sys.executable, "-m", "tracker.cli", "sql", "--format", "csv"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home), cwd=ROOT)
    try:
        session.stdin.write("SELECT version_file FROM warehouse_info;\n")
        session.stdin.flush()
        assert session.stdout.readline() == "\ufeffversion_file\n" and session.stdout.readline() == f"{before}\n"
        run = run_cli(home, "run", "--offline")  # the session holds the warehouse open all along
        assert "published " in run.stdout
        now = run_cli(home, "sql", "SELECT version_file FROM warehouse_info", "--format", "csv").stdout.split()[1]
        assert now != before and (home / "published" / now).exists()
        session.stdin.write("SELECT version_file FROM warehouse_info;\n")  # the open session keeps its version
        session.stdin.flush()
        assert session.stdout.readline() == "version_file\n" and session.stdout.readline() == f"{before}\n"
        session.stdin.close()
        assert session.wait(timeout=30) == 0, session.stderr.read()
    finally:
        if session.poll() is None:
            session.kill()


def _modes(home: Path) -> set[int]:
    return {stat.S_IMODE(p.stat().st_mode) for p in [home / "tracker.duckdb", *(home / "published").glob("*.duckdb")]}


@pytest.mark.e2e
def test_published_files_are_read_only_and_a_run_still_replaces_and_prunes_them(sample_home, tmp_path):
    assert _modes(sample_home) == {0o444}
    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    before = {p.name for p in (home / "published").glob("*.duckdb")}
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "run", "--offline"], capture_output=True, text=True,
                          env={**_env(home), "TRACKER_KEEP_VERSIONS": "1", "TRACKER_KEEP_WEEKS": "0"}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    after = {p.name for p in (home / "published").glob("*.duckdb")}
    assert len(after) == 1 and not after & before  # the old read-only version was pruned
    assert _modes(home) == {0o444}
    assert run_cli(home, "sql", "SELECT version_file FROM warehouse_info", "--format", "csv").stdout.split()[1] in after


def test_a_warehouse_someone_holds_for_writing_says_to_open_it_read_only(sample_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    warehouse = home / "tracker.duckdb"
    shutil.copyfile(sample_home / "tracker.duckdb", warehouse)  # a copy with the old 0644 mode
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(warehouse)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        for args in (("sql", "SELECT 1"), ("status",)):
            proc = run_cli(home, *args, check=False)
            assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1, proc.stderr
            assert "lock" in proc.stderr and f"duckdb -readonly {warehouse}" in proc.stderr
    finally:
        holder.kill()
        holder.wait()


# --- tracker versions and tracker status ------------------------------------------------------------


@pytest.mark.e2e
def test_versions_lists_the_published_versions_and_the_current_one(sample_home):
    kept = sorted(p.name for p in (sample_home / "published").glob("tracker-*.duckdb"))
    out = run_cli(sample_home, "versions").stdout
    lines = [line for line in out.splitlines() if line.startswith("tracker-")]
    assert [line.split()[0] for line in lines] == kept
    assert lines[-1].rstrip().endswith("current") and "manual" in lines[-1]
    data = json.loads(run_cli(sample_home, "versions", "--json").stdout)
    assert [v["version_file"] for v in data] == kept and data[-1]["current"] is True
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    run_id = con.execute("SELECT run_id FROM warehouse_info").fetchone()[0]
    con.close()
    assert data[-1]["run_id"] == run_id and data[-1]["published_at"].startswith(
        f"{kept[-1][8:12]}-{kept[-1][12:14]}-{kept[-1][14:16]}T")


@pytest.mark.e2e
def test_export_as_of_takes_what_versions_lists_and_says_which_version_it_used(sample_home, tmp_path):
    listed = json.loads(run_cli(sample_home, "versions", "--json").stdout)[-1]["version_file"]
    day = f"{listed[8:12]}-{listed[12:14]}-{listed[14:16]}"
    for as_of in (listed, day):
        proc = run_cli(sample_home, "export", "--out", str(tmp_path / as_of), "--as-of", as_of)
        assert (tmp_path / as_of / "review_progress.csv").is_file()
    assert proc.stderr.startswith(f"exporting version {listed} (published {day} ")  # a date: which version it chose
    assert proc.stderr.rstrip().endswith(f"UTC), the last published on or before {day}")
    missing = run_cli(sample_home, "export", "--out", str(tmp_path / "x"), "--as-of", "tracker-19990101T000000.duckdb",
                      check=False)
    assert missing.returncode == 1 and "`tracker versions` lists" in missing.stderr


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "yesterday"])
def test_a_malformed_date_is_a_usage_error_for_as_of_as_for_since(tmp_path, bad):
    for option in ("--as-of", "--since"):
        proc = run_cli(tmp_path / "home", "export", "--out", str(tmp_path / "out"), option, bad, check=False)
        assert proc.returncode == 2 and "expected YYYY-MM-DD" in proc.stderr, (option, proc.stderr)
    proc = run_cli(tmp_path / "home", "sql", "SELECT 1", "--as-of", bad, check=False)
    assert proc.returncode == 2 and "expected YYYY-MM-DD" in proc.stderr


def test_versions_before_any_run_says_so(tmp_path):
    out = run_cli(tmp_path / "home", "versions").stdout
    assert out.startswith("No published versions yet")


@pytest.mark.e2e
def test_status_has_one_column_per_status_and_json_for_scripts(sample_home):
    from tracker.vocabulary import IMPLEMENTATION_STATUSES, RESPONSE_STATUSES

    wide = subprocess.run([sys.executable, "-m", "tracker.cli", "status"], env={**_env(sample_home), "COLUMNS": "250"},
                          capture_output=True, text=True, cwd=ROOT, check=True)
    text = wide.stdout.splitlines()
    at = next(i for i, line in enumerate(text) if line.startswith("review "))
    groups, header, rule = text[at - 1], text[at], text[at + 1]
    assert header.split("  ")[0] == "review" and "in principle" in header and "not started" in header
    columns = [c.strip() for c in header.split("  ") if c.strip()]
    assert len(columns) == 4 + len(RESPONSE_STATUSES) + len(IMPLEMENTATION_STATUSES)
    assert groups.index("response") == header.index("accepted")
    assert groups.index("implementation") == header.index("implemented")
    assert len(rule.split()) == len(columns)
    rose = next(line for line in text if line.startswith("rose-2015 "))
    assert rose.split() == ["rose-2015", "19", "19", "ok", "19", "0", "0", "0", "0", "0", "7", "0", "5", "1", "0", "4",
                            "2"]
    kerr = next(line for line in text if line.startswith("kerr-2018 "))
    assert "not stated" in kerr

    data = json.loads(run_cli(sample_home, "status", "--json").stdout)
    assert data["version_file"].startswith("tracker-") and data["unhealthy_sources"] == []
    by_review = {r["review_id"]: r for r in data["reviews"]}
    assert by_review["rose-2015"]["response"] == {s: (19 if s == "accepted" else 0) for s in RESPONSE_STATUSES}
    assert list(by_review["rose-2015"]["implementation"].values()) == [7, 0, 5, 1, 0, 4, 2]
    assert by_review["kerr-2018"]["stated"] is None and by_review["kerr-2018"]["count_check"] == "ok"
    assert {s["source"]: s["documents"] for s in data["sources"]}["dhsc"] == 14
    assert len(data["disagreements"]) == 2 and data["processing_errors"] == []


def test_status_json_before_any_run(tmp_path):
    proc = run_cli(tmp_path / "home", "status", "--json", check=False)
    assert proc.returncode == 1 and proc.stderr.startswith("error: no published warehouse yet")  # as documented
    data = json.loads(proc.stdout)
    assert data == {"warehouse": str(tmp_path / "home" / "tracker.duckdb"), "version_file": None}


@pytest.mark.e2e
@pytest.mark.parametrize("columns", [80, 100])
def test_status_fits_the_terminal_width(sample_home, columns):
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "status"],
                          env={**_env(sample_home), "COLUMNS": str(columns)}, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(map(len, lines)) <= columns, [line for line in lines if len(line) > columns]
    rose = lines.index("rose-2015: found 19, stated 19, ok")  # too narrow for a column per status: a line each
    assert lines[rose + 1:rose + 3] == ["  response: accepted 19",
                                        "  implementation: implemented 7, in progress 5, paused 1, superseded 4, "
                                        "unknown 2" if columns > 80 else
                                        "  implementation: implemented 7, in progress 5, paused 1, superseded 4,"]
    assert "The King's" in proc.stdout and "next?" in proc.stdout  # the disagreement's citation wraps, whole


# --- evidence exports -------------------------------------------------------------------------------


@pytest.mark.e2e
def _sha_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_evidence_export_names_the_document_and_links_its_archived_copy(sample_home):
    from tracker.fetch.archive import read_capture

    latest = sample_home / "exports" / "latest"
    with open(latest / "status_evidence.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    con = duckdb.connect(str(sample_home / "tracker.duckdb"), read_only=True)
    docs = {r[0]: r[1:] for r in con.execute(
        "SELECT url, title, document_type, content_sha256, warc_file, warc_offset FROM publications").fetchall()}
    con.close()
    assert len(rows) == 102
    for row in rows:
        title, document_type, sha, warc_file, warc_offset = docs[row["source_url"]]
        assert row["publisher"] and row["cited_as"]
        assert (row["document_title"], row["document_type"]) == (title, document_type)
        assert (row["warc_file"], int(row["warc_offset"])) == (warc_file, warc_offset)
        copy = latest / row["archived_copy"]
        assert copy.is_file() and copy.name.startswith(sha + "."), row["archived_copy"]  # named by the captured bytes
        captured = read_capture(sample_home / "archive" / warc_file, warc_offset).body
        assert _sha_bytes(captured) == sha
        if copy.suffix == ".pdf":
            assert copy.read_bytes() == captured  # a PDF is served as captured
        else:  # a page is served inert, a GOV.UK API capture as a readable page: never the live page's scripts
            assert copy.suffix == ".html" and b"<script" not in copy.read_bytes().lower()
    assert {r["document_type"] for r in rows} >= {"government_response", "blog", "long_read"}


# --- tracker run: where things are, the headline, progress ----------------------------------------

STAGES = ["index", "parse", "extract", "health", "publish", "briefing and exports"]


@pytest.mark.e2e
def test_run_ends_with_where_the_briefing_and_exports_are_and_the_weeks_headline(sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home)
    proc = run_cli(home, "run", "--offline")
    lines = proc.stdout.splitlines()
    assert lines[-3] == f"briefing {home / 'site' / 'index.html'}" and (home / "site" / "index.html").is_file()
    latest = home / "exports" / "latest"
    assert lines[-2].startswith(f"exports  {latest}{os.sep} (this run's copy: {home / 'exports'}{os.sep}")
    with open(latest / "changes.csv", encoding="utf-8-sig", newline="") as fh:
        status_changes = sum(1 for row in csv.DictReader(fh) if row["change_type"] == "status_change")
    assert status_changes > 0  # nothing new since the sample run: the week's digest is the first version's
    assert lines[-1] == f"this week: {status_changes} status changes, 0 unhealthy sources"
    # not a terminal: one plain line per stage on stderr, no bar
    stage_lines = proc.stderr.splitlines()
    assert [line.split(":")[0] for line in stage_lines] == STAGES, proc.stderr
    assert all(line.endswith(" s)") for line in stage_lines) and "\r" not in proc.stderr
    assert stage_lines[1].startswith("parse: 0 parsed, 25 unchanged, 0 errors (")
    # -v adds detail to the stages
    verbose = run_cli(home, "-v", "run", "--offline").stderr.splitlines()
    assert "  parse: 0 to parse, 25 unchanged, " in "\n".join(verbose)
    assert any(line.startswith("  briefing and exports: briefing ") for line in verbose)


def test_headline_counts_in_words():
    from tracker.cli import headline

    assert headline(4, 1) == "4 status changes, 1 unhealthy source"
    assert headline(1, 0) == "1 status change, 0 unhealthy sources"


@pytest.mark.e2e
def test_run_on_a_terminal_draws_a_progress_bar_while_parsing(tmp_path):
    from support import SAMPLE_WARC

    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "run", "--offline"], stdout=subprocess.PIPE,
                            stderr=slave, env=_env(home), cwd=ROOT)
    os.close(slave)
    try:
        seen = _read_until(master, b"briefing and exports: ", timeout=180)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0
    text = seen.decode()
    assert "\r\x1b[Kparse [########################] 25/25" in text  # redrawn in place, full at the end
    assert "parse: 25 parsed, 0 unchanged, 0 errors (" in text
    assert b"this week: " in stdout and b"\x1b" not in stdout  # the bar stays on stderr
