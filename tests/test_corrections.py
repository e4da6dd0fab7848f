"""Analyst corrections: they take precedence, survive re-runs, and unmatched ones are reported."""

from __future__ import annotations

import re

import csv

import pytest

from conftest import run_cli
from support import SAMPLE_WARC, warehouse_rows as query

pytestmark = pytest.mark.e2e

KARK_RESPONSE = "https://www.gov.uk/government/publications/kark-review-of-the-fit-and-proper-persons-test-government-response"
COLUMNS = ["review_id", "number", "axis", "status", "quote", "source_url", "analyst", "date"]


def write_corrections(home, rows):
    folder = home / "corrections"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "analyst.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)



@pytest.fixture(scope="module")
def corrected_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("corrected")
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    write_corrections(home, [
        # override: the analyst reads the response to Kark recommendation 6 as accepted in full
        ["kark-2019", 6, "response", "accepted", "The department accepts the aim of recommendation 6.", KARK_RESPONSE,
         "jb", "2019-08-16"],
        # reject a rule-made row
        ["kark-2019", 7, "response", "reject", "misread: a later paragraph reverses this", KARK_RESPONSE, "jb",
         "2024-01-02"],
        # a recommendation the rules missed (Kerr states no count)
        ["kerr-2018", 7, "recommendation", "add", "Reduce duplicate data requests to trusts.",
         "https://www.gov.uk/government/publications/sir-ron-kerr-review-empowering-nhs-leaders-to-lead", "jb",
         "2018-11-14"],
        # matches nothing: unknown review, rejection of a row that does not exist, number beyond the review
        ["bogus-2020", 1, "response", "accepted", "x", "https://example.org", "jb", "2020-01-01"],
        ["kark-2019", 3, "response", "reject", "no such row", "https://example.org/none", "jb", "2020-01-01"],
        ["kark-2019", 12, "implementation", "implemented", "x", KARK_RESPONSE, "jb", "2020-01-01"],
        ["kark-2019", 2, "implementation", "finished", "x", KARK_RESPONSE, "jb", "2020-01-01"],
    ])
    run_cli(home, "run", "--offline")
    return home


def test_an_analyst_status_replaces_the_rule_row_from_the_same_source(corrected_home):
    rows = query(corrected_home,
                 "SELECT status, method, confidence FROM status_evidence WHERE review_id='kark-2019' AND number=6 AND "
                 "axis='response' AND source_url = ?", [KARK_RESPONSE])
    assert rows == [("accepted", "analyst", 1.0)]
    assert query(corrected_home,
                 "SELECT response_status FROM recommendation_status WHERE review_id='kark-2019' AND number=6"
                 ) == [("accepted",)]


def test_a_rejection_removes_the_rule_row(corrected_home):
    assert query(corrected_home,
                 "SELECT count(*) FROM status_evidence WHERE review_id='kark-2019' AND number=7 AND source_url = ?",
                 [KARK_RESPONSE]) == [(0,)]
    # what remains is the earlier blog's "a decision is awaited on all seven"
    assert query(corrected_home,
                 "SELECT response_status FROM recommendation_status WHERE review_id='kark-2019' AND number=7"
                 ) == [("under_consideration",)]


def test_a_missing_recommendation_is_added_as_analyst(corrected_home):
    assert query(corrected_home,
                 "SELECT text, method FROM recommendations WHERE review_id='kerr-2018' AND number=7") == [
        ("Reduce duplicate data requests to trusts.", "analyst")
    ]


def test_unmatched_corrections_are_kept_and_reported(corrected_home):
    problems = query(corrected_home, "SELECT line, problem FROM corrections WHERE NOT applied ORDER BY line")
    assert [line for line, _ in problems] == [5, 6, 7, 8]
    assert "unknown review_id 'bogus-2020'" in problems[0][1]
    assert "no rule-made row" in problems[1][1]
    assert "no recommendation 12" in problems[2][1]
    assert "not in the implementation vocabulary" in problems[3][1]
    status = run_cli(corrected_home, "status").stdout
    assert "Corrections that match nothing (4" in status and "bogus-2020" in status


def test_corrections_survive_a_rerun(corrected_home):
    before = query(corrected_home, "SELECT * FROM status_evidence ORDER BY ALL")
    run_cli(corrected_home, "run", "--offline")
    assert query(corrected_home, "SELECT * FROM status_evidence ORDER BY ALL") == before


def test_status_as_at_a_date(corrected_home):
    mid_2019 = query(corrected_home,
                     "SELECT number, response_status FROM recommendation_status_as_at(DATE '2019-06-30') WHERE "
                     "review_id='kark-2019' ORDER BY number")
    assert mid_2019 == [(n, "under_consideration") for n in range(1, 8)]  # only the February blog by then
    end_2019 = dict(query(corrected_home,
                          "SELECT number, response_status FROM recommendation_status_as_at(DATE '2019-12-31') WHERE "
                          "review_id='kark-2019'"))
    assert (end_2019[1], end_2019[3], end_2019[6]) == ("accepted", "under_consideration", "accepted")


def test_evaluate_command_reports_scores(sample_home):
    from support import SAMPLE_LABELS

    proc = run_cli(sample_home, "evaluate", str(SAMPLE_LABELS), "--min-recall", "0.95", "--min-precision", "0.95")
    assert re.search(r"^recall 0\.9\d\d  precision 0\.9\d\d$", proc.stdout, re.M), proc.stdout


@pytest.fixture(scope="module")
def excel_home(tmp_path_factory):
    """Corrections as analysts really save them: Excel's cp1252 "CSV", UTF-8 with a BOM, and bad rows."""
    home = tmp_path_factory.mktemp("excel")
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    folder = home / "corrections"
    folder.mkdir()
    header = ",".join(COLUMNS)
    cp1252 = "\r\n".join([
        header,
        # a £ saved by Excel on Windows is one byte, 0xA3: not UTF-8
        'kark-2019,6,response,accepted,"The department accepts the aim of recommendation 6 (\u00a32m a '
        f'year).",{KARK_RESPONSE},jb,2019-08-16',
        f"kark-2019,\u00b2,response,accepted,superscript two,{KARK_RESPONSE},jb,2019-08-16",
        f"kark-2019,12345678901234567890,response,accepted,twenty digits,{KARK_RESPONSE},jb,2019-08-16",
        "",
    ]).encode("cp1252")
    (folder / "excel.csv").write_bytes(cp1252)
    long_quote = "x" * 140_000
    bom = "\r\n".join([
        header,
        f'kark-2019,5,response,accepted,"{long_quote}",{KARK_RESPONSE},jb,2019-08-16',
        "kerr-2018,7,recommendation,add,Reduce duplicate data requests to trusts "
        f"\u2019now\u2019.,{KARK_RESPONSE},jb,2018-11-14",
        "",
    ])
    (folder / "bom.CSV").write_bytes(b"\xef\xbb\xbf" + bom.encode("utf-8"))
    proc = run_cli(home, "run", "--offline", check=False)
    return home, proc


def test_excel_files_and_bad_rows_never_stop_the_run(excel_home):
    home, proc = excel_home
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    rows = query(home, "SELECT file, line, number, applied, problem FROM corrections ORDER BY file, line")
    assert [(f, line, applied) for f, line, _, applied, _ in rows] == [
        ("bom.CSV", 2, False), ("bom.CSV", 3, True), ("excel.csv", 2, True), ("excel.csv", 3, False),
                                                                       ("excel.csv", 4, False),
    ]
    problems = {(f, line): problem for f, line, _, _, problem in rows}
    assert problems[("bom.CSV", 2)] == "quote is longer than 131,072 characters (kept: the first 1,000)"
    assert problems[("excel.csv", 3)] == "bad number '\u00b2'"
    assert problems[("excel.csv", 4)] == "bad number '12345678901234567890'"


def test_a_cp1252_pound_sign_and_a_bom_file_are_read_as_written(excel_home):
    home, _ = excel_home
    assert query(home,
                 "SELECT quote FROM status_evidence WHERE review_id='kark-2019' AND number=6 AND method='analyst'") == [
        ("The department accepts the aim of recommendation 6 (\u00a32m a year).",)
    ]
    assert query(home, "SELECT text FROM recommendations WHERE review_id='kerr-2018' AND number=7") == [
        ("Reduce duplicate data requests to trusts \u2019now\u2019.",)
    ]
    [(kept,)] = query(home, "SELECT length(quote) FROM corrections WHERE file='bom.CSV' AND line=2")
    assert kept == 1_000


def test_reading_and_applying_corrections_is_linear(tmp_path):
    """20,000 rows against 20,000 rule rows: each correction is one look-up (it was a scan of every row)."""
    from hostile_support import corrections_csv
    from tracker.corrections import apply_corrections, read_corrections
    from tracker.items import Evidence, Recommendation

    (tmp_path / "many.csv").write_text(corrections_csv(20_000), encoding="utf-8")
    corrections = read_corrections(tmp_path)
    recs = [Recommendation("kark-2019", n, f"Recommendation {n}.", "", "", None, "") for n in range(1, 8)]
    evidence = [Evidence("kark-2019", 1 + i % 7, "implementation", "in_progress", f"Quote {i}.",
                         f"https://www.gov.uk/government/news/progress-{i}", None) for i in range(20_000)]
    _, out = apply_corrections(corrections, {"kark-2019"}, recs, evidence)
    assert all(c.applied for c in corrections) and len(corrections) == 20_000
    assert len(out) == 20_000 and {e.method for e in out} == {"analyst"}  # each replaced its rule row
