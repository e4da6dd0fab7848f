"""The change log: every change recorded once, by the run and version that first saw it; the week's
digest survives retries and manual runs; published versions are kept per the retention rule."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from bs4 import BeautifulSoup

from conftest import run_cli
from support import ROOT
from tracker.errors import TrackerError
from tracker.settings import Settings

KARK_3_URL = "https://nhsproviders.org/news-blogs/blogs/boards-three-months-on"
KARK_3_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Boards three months on</title></head>
<body><main><h1>Boards three months on</h1>
<p>Published 4 March 2024.</p>
<p>Recommendation 3 of the Kark review has now been implemented, according to NHS England.</p>
</main></body></html>"""
KARK_2_URL = "https://nhsproviders.org/news-blogs/blogs/board-database-live"
KARK_2_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>The board database is live</title></head>
<body><main><h1>The board database is live</h1>
<p>Published 11 March 2024.</p>
<p>Recommendation 2 of the Kark review has now been implemented, according to NHS England.</p>
</main></body></html>"""


def _copy(sample_home: Path, home: Path) -> Path:
    shutil.copytree(sample_home, home, ignore=shutil.ignore_patterns("run.lock"))
    return home


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _ran(proc) -> tuple[str, str]:
    """(run id, published version file name) from `tracker run`'s output."""
    run_id = re.search(r"^run (\S+):", proc.stdout, re.M).group(1)
    version = Path(re.search(r"^published (\S+)$", proc.stdout, re.M).group(1)).name
    return run_id, version


def _ingest(home: Path, name: str, page: str, url: str, published: str) -> None:
    path = home.parent / name
    path.write_text(page, encoding="utf-8")
    run_cli(home, "ingest", str(path), "--url", url, "--source", "nhsproviders", "--published", published)


def _changes_section(home: Path) -> str:
    soup = BeautifulSoup((home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    return str(soup.find(id="changes"))


def _headline(home: Path) -> str:
    soup = BeautifulSoup((home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.find(id="changes-headline").get_text()


CHANGE_FILES = ("changes.csv", "changes_last_7_days.csv", "changes_last_30_days.csv")


# --- through the command line ------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_second_run_leaves_what_changed_and_changes_csv_as_the_first_left_them(sample_home, tmp_path):
    home = _copy(sample_home, tmp_path / "home")
    latest = home / "exports" / "latest"
    before = {name: (latest / name).read_bytes() for name in CHANGE_FILES}
    section = _changes_section(home)
    log = _query(home / "tracker.duckdb", "SELECT * FROM change_log ORDER BY change_id")
    assert len(log) == 271

    run_id, version = _ran(run_cli(home, "run", "--offline"))

    assert {name: (latest / name).read_bytes() for name in CHANGE_FILES} == before
    day = _query(home / "tracker.duckdb", "SELECT published_at FROM warehouse_info")[0][0].date().isoformat()
    assert (home / "exports" / day / "changes.csv").read_bytes() == before["changes.csv"]
    # the same changes listed, but the second version is not the first version
    headline = _headline(home)
    assert headline.startswith("No changes since the first published version, which recorded ")
    assert _changes_section(home).replace(headline, "") == section.replace(
        "First published version: everything is new.", "")
    # the new version carries the log unchanged, and knows the run published it
    assert _query(home / "tracker.duckdb", "SELECT * FROM change_log ORDER BY change_id") == log
    assert _query(home / "tracker.duckdb", "SELECT version_file FROM warehouse_info") == [(version,)]
    assert _query(home / "tracker.duckdb", "SELECT run_type, version_file FROM runs WHERE run_id = ?",
                  [run_id]) == [("manual", version)]
    assert _query(home / "work.duckdb", "SELECT count(*) FROM change_log") == [(271,)]


@pytest.mark.e2e
def test_an_ingested_page_is_logged_once_with_the_run_that_saw_it(sample_home, tmp_path):
    home = _copy(sample_home, tmp_path / "home")
    _ingest(home, "kark3.html", KARK_3_PAGE, KARK_3_URL, "2024-03-04")
    run_id, version = _ran(run_cli(home, "run", "--offline"))
    published_at = _query(home / "tracker.duckdb", "SELECT published_at FROM warehouse_info")[0][0]

    logged = _query(
        home / "tracker.duckdb",
        """SELECT change_id, change_type, review_id, number, axis, before, after, run_id, version_file, detected_at
           FROM change_log WHERE source_url = ? ORDER BY change_id""", [KARK_3_URL],
    )
    assert [row[1:] for row in logged] == [
        ("status_change", "kark-2019", 3, "implementation", "unknown", "implemented", run_id, version, published_at),
        ("new_evidence", "kark-2019", 3, "implementation", None, "implemented", run_id, version, published_at),
        ("new_publication", None, None, None, None, None, run_id, version, published_at),
    ]
    assert [row[0] for row in logged] == [272, 273, 274]  # after the first run's 271, in digest order
    assert [r["run_id"] for r in _rows(home / "exports" / "latest" / "changes.csv")] == [run_id] * 3

    changes = (home / "exports" / "latest" / "changes.csv").read_bytes()
    run_cli(home, "run", "--offline")  # nothing new: nothing logged, the week's list stays
    assert _query(home / "tracker.duckdb", "SELECT count(*) FROM change_log") == [(274,)]
    assert _query(home / "tracker.duckdb", "SELECT change_id, run_id FROM change_log WHERE source_url = ? ORDER BY 1",
                  [KARK_3_URL]) == [(row[0], run_id) for row in logged]
    assert (home / "exports" / "latest" / "changes.csv").read_bytes() == changes


@pytest.mark.e2e
def test_a_publication_that_disappears_is_logged_as_withdrawn(sample_home, tmp_path):
    home = _copy(sample_home, tmp_path / "home")
    # Whatever removes it (`tracker forget`, a retraction), the publication leaves the working tables.
    con = duckdb.connect(str(home / "work.duckdb"))
    try:
        url, title, published_on = con.execute(
            """SELECT url, title, published_on FROM publications
               WHERE url NOT IN (SELECT source_url FROM status_evidence)
                 AND url NOT IN (SELECT source_url FROM recommendations) ORDER BY url LIMIT 1"""
        ).fetchone()
        con.execute("DELETE FROM publications WHERE url = ?", [url])
    finally:
        con.close()
    run_id, version = _ran(run_cli(home, "run", "--offline"))
    assert _query(
        home / "tracker.duckdb",
        "SELECT change_type, published_on, title_or_quote, run_id, version_file FROM change_log WHERE run_id = ?",
        [run_id],
    ) == [("withdrawn_publication", published_on, title, run_id, version)]
    rows = _rows(home / "exports" / "latest" / "changes.csv")
    assert [(r["change_type"], r["source_url"]) for r in rows] == [("withdrawn_publication", url)]
    assert _headline(home).endswith(": 1 withdrawn publication.")


# --- the week: from the previous weekly run (the Airflow tasks, as the weekly DAG calls them) ----------


def _weekly(monkeypatch, home: Path, slot: str) -> str:
    """One scheduled run of the weekly DAG for `slot`: process, publish, outputs; returns the version name."""
    from tracker import tasks

    monkeypatch.setenv("TRACKER_HOME", str(home))
    summary = tasks.process(offline=True, run_type="scheduled", scheduled_for=slot)
    version = Path(tasks.publish(summary["run_id"])["version"]).name
    tasks.outputs()
    return version


@pytest.mark.e2e
def test_the_week_runs_from_the_previous_weekly_run_and_retries_keep_it(sample_home, tmp_path, monkeypatch):
    home = _copy(sample_home, tmp_path / "home")
    latest = home / "exports" / "latest" / "changes.csv"
    everything = latest.read_bytes()

    week45 = _weekly(monkeypatch, home, "2026-11-02T06:00:00+00:00")
    assert latest.read_bytes() == everything  # the first week: everything since the first version
    _ingest(home, "kark3.html", KARK_3_PAGE, KARK_3_URL, "2024-03-04")
    manual_id, _ = _ran(run_cli(home, "run", "--offline"))  # a manual run in the week
    _ingest(home, "kark2.html", KARK_2_PAGE, KARK_2_URL, "2024-03-11")
    week46 = _weekly(monkeypatch, home, "2026-11-09T06:00:00+00:00")

    rows = _rows(latest)
    assert sorted((r["change_type"], r["source_url"]) for r in rows) == sorted(
        [(t, u) for u in (KARK_3_URL, KARK_2_URL) for t in ("status_change", "new_evidence", "new_publication")]
    )
    assert {r["run_id"] for r in rows if r["source_url"] == KARK_3_URL} == {manual_id}
    assert {r["version_file"] for r in rows if r["source_url"] == KARK_2_URL} == {week46}
    week45_at = _query(home / "tracker.duckdb", "SELECT published_at FROM runs WHERE version_file = ?", [week45])[0][0]
    assert _headline(home) == (
        f"Since the weekly run of {week45_at:%Y-%m-%d %H:%M} UTC: 2 status changes, 2 new statements, "
        "2 new publications."
    )
    week = latest.read_bytes()
    section = _changes_section(home)

    retry = _weekly(monkeypatch, home, "2026-11-09T06:00:00+00:00")  # the DAG run cleared and run again
    assert latest.read_bytes() == week and _changes_section(home) == section
    run_cli(home, "run", "--offline")  # and a manual run after it
    assert latest.read_bytes() == week and _changes_section(home) == section

    _weekly(monkeypatch, home, "2026-11-16T06:00:00+00:00")  # next week, nothing new
    assert _rows(latest) == []
    retry_at = _query(home / "tracker.duckdb", "SELECT published_at FROM runs WHERE version_file = ?", [retry])[0][0]
    assert _headline(home) == f"No changes since the weekly run of {retry_at:%Y-%m-%d %H:%M} UTC."

    # "as published on" the week-46 Monday, from its version file
    as_published = tmp_path / "as-published"
    run_cli(home, "export", "--out", str(as_published), "--version", str(home / "published" / week46))
    assert (as_published / "changes.csv").read_bytes() == week
    # --since: everything detected on or after a day
    today = _query(home / "tracker.duckdb", "SELECT published_at FROM warehouse_info")[0][0].date()
    since = tmp_path / "since"
    run_cli(home, "export", "--out", str(since), "--since", today.isoformat())
    assert len(_rows(since / "changes.csv")) == 271 + 6
    run_cli(home, "export", "--out", str(since), "--since", (today + timedelta(days=1)).isoformat())
    assert _rows(since / "changes.csv") == []
    assert len(_rows(since / "changes_last_7_days.csv")) == 271 + 6


def test_export_since_takes_a_date(sample_home, tmp_path):
    proc = run_cli(sample_home, "export", "--out", str(tmp_path / "x"), "--since", "last week", check=False)
    assert proc.returncode == 2 and "expected YYYY-MM-DD" in proc.stderr


# --- retention -----------------------------------------------------------------------------------------


def _name(moment: datetime) -> str:
    return f"tracker-{moment:%Y%m%dT%H%M%S}.duckdb"


def test_retention_keeps_the_newest_versions_and_the_weekly_one_of_each_recent_week():
    from tracker.warehouse.versions import retained

    monday = datetime(2026, 11, 2, 6, 0)  # ISO week 45
    names = {
        "w43_mon": _name(monday - timedelta(weeks=2)),
        "w44_mon": _name(monday - timedelta(weeks=1)),
        "w44_tue": _name(monday - timedelta(weeks=1) + timedelta(days=1)),
        "w45_mon": _name(monday),
        "w45_mon_retry": _name(monday + timedelta(minutes=30)),
        "w45_wed": _name(monday + timedelta(days=2)),
        "w46_mon": _name(monday + timedelta(weeks=1)),
        "w46_tue": _name(monday + timedelta(weeks=1, days=1)),
        "w46_wed": _name(monday + timedelta(weeks=1, days=2)),
    }
    scheduled = {names["w44_mon"], names["w45_mon"], names["w45_mon_retry"], names["w46_mon"]}
    kept = retained(list(names.values()), keep_versions=2, keep_weeks=3, scheduled=scheduled)
    assert {k for k, v in names.items() if v in kept} == {
        "w46_tue", "w46_wed",  # the newest two
        "w46_mon", "w45_mon_retry", "w44_mon",  # each of the last three weeks: its weekly run's last version
    }
    # a week without a scheduled run keeps its last version; weeks beyond keep_weeks keep none
    kept = retained(list(names.values()), keep_versions=1, keep_weeks=4, scheduled=set())
    assert {k for k, v in names.items() if v in kept} == {"w46_wed", "w45_wed", "w44_tue", "w43_mon"}
    kept = retained(list(names.values()), keep_versions=3, keep_weeks=0, scheduled=scheduled)
    assert {k for k, v in names.items() if v in kept} == {"w46_mon", "w46_tue", "w46_wed"}


@pytest.mark.e2e
def test_publishing_prunes_by_the_retention_settings(sample_home, tmp_path):
    from tracker.pipeline import RunSummary, record_run
    from tracker.warehouse import versions as publish_mod

    home = _copy(sample_home, tmp_path / "home")
    shutil.rmtree(home / "published")
    settings = Settings.from_env({"TRACKER_HOME": str(home), "TRACKER_KEEP_VERSIONS": "2", "TRACKER_KEEP_WEEKS": "2"})
    assert (settings.keep_versions, settings.keep_weeks) == (2, 2)
    start = datetime(2030, 1, 7, 6, 0, tzinfo=timezone.utc)  # a Monday, after the sample's versions
    made = {}
    for day in range(0, 21, 2):  # every other day for three weeks; Mondays' runs are the scheduled ones
        moment = start + timedelta(days=day)
        run_id = f"run-{day:02d}"
        if moment.weekday() == 0:
            record_run(settings, RunSummary(run_id=run_id), moment, "offline", "", "processed", "scheduled", moment)
        made[day] = publish_mod.publish(settings, run_id, now=moment).name
    kept = sorted(p.name for p in publish_mod.published_versions(settings))
    # the newest two (days 18, 20); the newest week's scheduled Monday run (day 14); the week before had
    # no scheduled run (its Monday, day 7, had no run), so its last version (day 12); the first week: none
    assert kept == sorted([made[18], made[20], made[14], made[12]])


@pytest.mark.parametrize("variable, value", [("TRACKER_KEEP_VERSIONS", "0"), ("TRACKER_KEEP_WEEKS", "two years"),
                                             ("TRACKER_KEEP_VERSIONS", "-3")])
def test_retention_settings_must_be_counts(tmp_path, variable, value):
    with pytest.raises(TrackerError, match=variable):
        Settings.from_env({"TRACKER_HOME": str(tmp_path), variable: value})
    assert Settings.from_env({"TRACKER_HOME": str(tmp_path)}).keep_weeks == 104


def test_a_dated_since_is_read_as_the_start_of_that_day(mem_con):
    from tracker.publish.digest import compute_digest

    mem_con.execute("CREATE TABLE warehouse_info AS SELECT 'r2' AS run_id, TIMESTAMP '2026-11-20 06:00' AS "
                    "published_at, "
                    "'tracker-20261120T060000.duckdb' AS version_file")
    for i, (at, version) in enumerate([("2026-11-09 23:59:59", "tracker-20261109T235959.duckdb"),
                                       ("2026-11-10 00:00:00", "tracker-20261110T000000.duckdb")], start=1):
        mem_con.execute(
            "INSERT INTO change_log (change_id, change_type, source_url, title_or_quote, run_id, version_file, "
            "detected_at) "
            "VALUES (?, 'new_publication', ?, 'A page', 'r1', ?, ?)", [i, f"https://x.test/{i}", version, at])
    digest = compute_digest(mem_con, ROOT / "sql", since=date(2026, 11, 10))
    assert [row.source_url for row in digest.rows] == ["https://x.test/2"]
    assert digest.headline() == "Since 2026-11-10: 1 new publication."
    assert [row.source_url for row in digest.recent[30]] == ["https://x.test/1", "https://x.test/2"]
    assert digest.recent[7] == []


def test_the_diff_against_no_version_or_a_version_file_leaves_the_connection_as_it_found_it(mem_con, tmp_path):
    from tracker.warehouse.changelog import diff
    from tracker.warehouse.db import apply_views, connect, migrate

    page = ("INSERT INTO publications (url, source, title, content_sha256) "
            "VALUES ('https://x.test/1', 'dhsc', 'A page', ?)")
    mem_con.execute(page, ["b" * 64])
    before = mem_con.execute("SELECT database_name FROM duckdb_databases() ORDER BY 1").fetchall()
    # with no previous version, an empty one of the current schema: everything is new
    assert [(c.change_type, c.source_url, c.title_or_quote) for c in diff(mem_con, None, ROOT / "sql")] == [
        ("new_publication", "https://x.test/1", "A page")]
    previous = connect(tmp_path / "previous.duckdb")
    migrate(previous, ROOT / "sql")
    apply_views(previous, ROOT / "sql")
    previous.execute(page, ["a" * 64])
    previous.close()
    assert [(c.change_type, c.before, c.after) for c in diff(mem_con, tmp_path / "previous.duckdb", ROOT / "sql")] == [
        ("updated_publication", "a" * 12, "b" * 12)]
    assert mem_con.execute("SELECT database_name FROM duckdb_databases() ORDER BY 1").fetchall() == before
    assert mem_con.execute("SELECT current_database()").fetchone() == ("memory",)
