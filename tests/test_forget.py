"""`tracker forget URL`: a withdrawn document leaves the warehouse on the next run, its bytes stay in
the archive, the withdrawal is recorded and listed, capturing the URL again does not lift it, and
`--undo` brings everything back as it was."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import duckdb
import pytest

from conftest import run_cli
from support import SAMPLE_WARC, warehouse_rows as rows

pytestmark = pytest.mark.e2e

KF_BLOG = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/fit-and-proper-test-kark"
# GOV.UK documents are captured from the Content API; a withdrawal may name either address.
KARK_RESPONSE = "https://www.gov.uk/government/publications/kark-review-of-the-fit-and-proper-persons-test-government-response"
KARK_RESPONSE_CAPTURE = KARK_RESPONSE.replace("https://www.gov.uk/", "https://www.gov.uk/api/content/")
LTP_SOURCE = ("https://www.longtermplan.nhs.uk/online-version/chapter-4-nhs-staff-will-get-the-backing-they-need/"
              "leadership-and-talent-management/")
UNRESOLVED = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/fit-and-proper-two-years-on"
WITHDRAWN = (KF_BLOG, KARK_RESPONSE, LTP_SOURCE, UNRESOLVED)

UNRESOLVED_PAGE = """<html><head><title>Fit and proper: two years on</title></head><body><main>
<h1>Fit and proper: two years on</h1>
<p>The government has accepted two of the Kark review's recommendations, according to officials.</p>
<p>Two of the Kark review recommendations have been implemented so far.</p>
</main></body></html>"""

# An analyst's rejection of one rule-made row from the King's Fund blog.
CORRECTION = ("review_id,number,axis,status,quote,source_url,analyst,date\r\n"
              f"kark-2019,1,response,reject,not the publisher's view,{KF_BLOG},A. Analyst,2026-11-20\r\n")

TABLES = {
    "publications": "url",
    "recommendations": "review_id, number",
    "status_evidence": "review_id, number, axis, source_url, quote",
    "unresolved_statements": "review_id, source_url, quote",
    "review_progress": "review_id",
    "corrections": "file, line",
}


def snapshot(home) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    try:
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall() for t, order in TABLES.items()}
    finally:
        con.close()
    out["publications"] = [row[:5] + row[6:8] + row[10:] for row in out["publications"]]  # not when or where captured
    return out



def archive_bytes(home) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((home / "archive").glob("*.warc.gz"))}


def mentions(snap: dict, url: str) -> list[str]:
    """The tables in a snapshot that still name the URL anywhere."""
    return [t for t, table_rows in snap.items() if any(url in map(str, row) for row in table_rows)]


def test_forget_withdraws_a_document_keeps_its_bytes_and_undo_restores_it(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    page = tmp_path / "two-years-on.html"
    page.write_text(UNRESOLVED_PAGE, encoding="utf-8")
    run_cli(home, "ingest", str(page), "--url", UNRESOLVED, "--published", "2021-04-01")
    (home / "corrections").mkdir()
    (home / "corrections" / "analyst.csv").write_text(CORRECTION, encoding="utf-8")
    run_cli(home, "run", "--offline")
    before = snapshot(home)
    for url in WITHDRAWN:
        assert mentions(before, url), url  # each one counts for something before it is withdrawn
    assert rows(home, "SELECT applied FROM corrections") == [(True,)]
    assert {r[0] for r in before["recommendations"]} >= {"ltp-2019-leadership"}

    started = datetime.now(timezone.utc).replace(tzinfo=None)
    out = run_cli(home, "forget", KF_BLOG, "--reason", "the publisher retracted the post", "--by", "A. Analyst").stdout
    assert out.startswith(f"withdrew {KF_BLOG} (by A. Analyst, ") and "leaves the warehouse on the next run" in out
    run_cli(home, "forget", KARK_RESPONSE_CAPTURE, "--reason", "superseded by a corrected response")
    run_cli(home, "forget", LTP_SOURCE, "--reason", "wrong chapter captured", "--by", "B. Analyst")
    run_cli(home, "forget", UNRESOLVED, "--reason", "a draft, never published", "--by", "B. Analyst")
    archive = archive_bytes(home)
    assert snapshot(home) == before  # nothing changes until the next run

    run_cli(home, "run", "--offline", check=False)
    after = snapshot(home)
    for url in WITHDRAWN:
        assert mentions(after, url) == (["corrections"] if url == KF_BLOG else []), url
    assert not [r for r in after["recommendations"] if r[0] == "ltp-2019-leadership"]
    assert not [r for r in after["status_evidence"] if r[5] == KARK_RESPONSE_CAPTURE]
    assert after["unresolved_statements"] == []
    assert rows(home,
                "SELECT applied, problem FROM corrections") == [(False, "its source_url is withdrawn (tracker forget)")]
    assert rows(home, "SELECT data_quality.passed FROM data_quality WHERE review_id = 'ltp-2019-leadership' "
                      "AND check_name = 'recommendation_count'") == [(True,)]  # the plan states no number
    assert archive_bytes(home) == archive  # evidence is never destroyed

    recorded = rows(home, "SELECT url, reason, withdrawn_by, withdrawn_at, restored_at FROM withdrawals"
                          " ORDER BY withdrawn_at")
    assert [(r[0], r[1], r[2]) for r in recorded] == [
        (KF_BLOG, "the publisher retracted the post", "A. Analyst"),
        (KARK_RESPONSE_CAPTURE, "superseded by a corrected response", recorded[1][2]),
        (LTP_SOURCE, "wrong chapter captured", "B. Analyst"),
        (UNRESOLVED, "a draft, never published", "B. Analyst"),
    ]
    assert recorded[1][2]  # the login name when --by is not given
    assert all(started <= r[3] <= datetime.now(timezone.utc).replace(tzinfo=None) and r[4] is None for r in recorded)
    status = run_cli(home, "status").stdout
    assert "Withdrawn documents (4;" in status
    assert re.search(rf"^{re.escape(KF_BLOG)}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d\s+A\. Analyst\s+the publisher retracted "
                     r"the post$",
                     status, re.M), status

    # Capturing the URL again does not lift the withdrawal.
    run_cli(home, "ingest", str(page), "--url", UNRESOLVED, "--published", "2021-04-01")
    run_cli(home, "run", "--offline", check=False)
    assert mentions(snapshot(home), UNRESOLVED) == []

    for url in (KF_BLOG, KARK_RESPONSE_CAPTURE, LTP_SOURCE, UNRESOLVED):
        out = run_cli(home, "forget", "--undo", url, "--by", "C. Lead").stdout
        assert out.startswith(f"restored {url} (withdrawn by ") and "the next run reads it again" in out
    run_cli(home, "run", "--offline")
    assert snapshot(home) == before
    assert rows(home,
                "SELECT count(*) FROM withdrawals WHERE restored_by = 'C. Lead' AND restored_at IS NOT NULL") == [(4,)]
    assert "Withdrawn documents" not in run_cli(home, "status").stdout


def test_forget_errors_are_one_line(tmp_path):
    home = tmp_path / "home"
    page = tmp_path / "page.html"
    page.write_text(UNRESOLVED_PAGE, encoding="utf-8")

    def one_line_error(*args, code=1):
        proc = run_cli(home, *args, check=False)
        assert proc.returncode == code, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
        return lines[0]

    assert "no document with URL https://example.org/nothing in the archive" in one_line_error(
        "forget", "https://example.org/nothing", "--reason", "typo")
    run_cli(home, "ingest", str(page), "--url", UNRESOLVED)  # known once ingested, even before a run
    missing_reason = run_cli(home, "forget", UNRESOLVED, check=False)
    assert missing_reason.returncode == 2 and "--reason TEXT is required" in missing_reason.stderr
    assert one_line_error("forget", UNRESOLVED, "--reason", "   ") == \
        "error: give the reason for the withdrawal with --reason"
    run_cli(home, "forget", UNRESOLVED, "--reason", "a draft", "--by", "A. Analyst")
    assert re.fullmatch(rf"error: {re.escape(UNRESOLVED)} is already withdrawn \(by A\. Analyst on \d{{4}}-\d\d-\d\d: "
                        r"a draft\)",
                        one_line_error("forget", UNRESOLVED, "--reason", "again"))
    run_cli(home, "forget", "--undo", UNRESOLVED)
    assert one_line_error("forget", "--undo", UNRESOLVED) == f"error: {UNRESOLVED} is not withdrawn"
