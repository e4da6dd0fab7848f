"""`tracker ingest`: bad input is one clear error line, a non-zero exit and an unchanged archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import run_cli
from support import ROOT
from tracker.fetch.archive import iter_records, warc_files


def archive_state(home):
    folder = home / "archive"
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize(
    "name, content, url, message",
    [
        ("missing.html", None, "https://www.kingsfund.org.uk/x", "no such file"),
        ("empty.html", b"", "https://www.kingsfund.org.uk/x", "is empty"),
        ("blank.html", b"  \n\t", "https://www.kingsfund.org.uk/x", "is empty"),
        ("notes.txt", b"plain text notes", "https://www.kingsfund.org.uk/x", "unsupported file type"),
        ("report.docx", b"PK\x03\x04zip", "https://www.kingsfund.org.uk/x", "unsupported file type"),
        ("fake.pdf", b"<html>not a pdf</html>", "https://www.kingsfund.org.uk/x.pdf", "is not a PDF"),
        ("bad.json", b"{not json", "https://www.gov.uk/api/content/x", "is not GOV.UK Content API JSON"),
        ("other.json", json.dumps({"hello": "world"}).encode(), "https://www.gov.uk/api/content/x",
         "is not GOV.UK Content API JSON"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj garbage that no reader can follow\n%%EOF", "https://www.kingsfund.org.uk/x.pdf",
         "broken.pdf cannot be read: unreadable PDF"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>", "https://www.kingsfund.org.uk/x.pdf",
         "cut.pdf cannot be read: truncated PDF"),
        ("binary.html", b"<\x00\x01\x02\xff\xfe" * 50, "https://www.kingsfund.org.uk/x", "holds NUL bytes"),
        ("bare.html", b"<html><head></head><body><div><span> </span></div></body></html>", "https://www.kingsfund.org.uk/x",
         "bare.html cannot be read: no title and no text found in it"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "https://www.gov.uk/api/content/x", "nested too deeply"),
        ("typed.json", json.dumps({"base_path": "/x", "title": 7}).encode(), "https://www.gov.uk/api/content/x",
         "title is int, expected a string"),
        ("links.json", json.dumps({"base_path": "/x", "title": "T", "links": {"organisations": "DHSC"}}).encode(),
         "https://www.gov.uk/api/content/x", "links.organisations is str, expected a list"),
        ("dated.json", json.dumps({"base_path": "/x", "title": "T", "first_published_at": 20190206}).encode(),
         "https://www.gov.uk/api/content/x", "first_published_at is int, expected a string"),
        ("body.json", json.dumps({"base_path": "/x", "title": "T", "details": {"body": [["html"]]}}).encode(),
         "https://www.gov.uk/api/content/x", "details.body holds something that is not an object"),
        ("elsewhere.json", json.dumps({"base_path": "/x", "title": "T"}).encode(), "https://www.kingsfund.org.uk/x",
         "elsewhere.json cannot be read: expected HTML"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "not a url", "not an http(s) URL"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "ftp://example.org/x", "not an http(s) URL"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "https:///nohost", "not an http(s) URL"),
        # a CR/LF would forge the WARC record's headers; a backslash or user info reads two ways
        ("page.html", b"<html><body><p>fine</p></body></html>",
         "https://www.kingsfund.org.uk/x\r\nWARC-Target-URI: https://www.gov.uk/y", "control character in URL"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "https://10.0.0.1\\@www.gov.uk/x", "backslash"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "https://me:pw@www.gov.uk/x", "user info"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, name, content, url, message):
    home = tmp_path / "home"
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = archive_state(home)
    proc = run_cli(home, "ingest", str(path), "--url", url, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert archive_state(home) == before


def test_a_directory_given_as_file_says_so(tmp_path):
    home = tmp_path / "home"
    folder = tmp_path / "reports.html"
    folder.mkdir()
    proc = run_cli(home, "ingest", str(folder), "--url", "https://www.kingsfund.org.uk/x", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {folder} is a directory: give one HTML, PDF or JSON file"
    assert archive_state(home) == []


def test_bad_date_and_source_are_rejected(tmp_path):
    home = tmp_path / "home"
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>x</p></body></html>")
    bad_date = run_cli(home, "ingest", str(page), "--url", "https://nhsproviders.org/a", "--published", "2022-13-40",
                       check=False)
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    bad_source = run_cli(home, "ingest", str(page), "--url", "https://nhsproviders.org/a", "--source", "bbc",
                         check=False)
    assert bad_source.returncode == 2
    assert archive_state(home) == []


def test_ingested_html_is_archived_with_its_metadata_and_processed(tmp_path):
    home = tmp_path / "home"
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Board development: where next</title></head><body><main>"
        "<h1>Board development: where next</h1>"
        "<p>The Kark review made seven recommendations about directors.</p>"
        "<p>We understand that recommendation 2 of the Kark review is being implemented by NHS England.</p>"
        "</main></body></html>",
        encoding="utf-8",
    )
    url = "https://nhsproviders.org/news-blogs/blogs/board-development-where-next"
    proc = run_cli(home, "ingest", str(page), "--url", url, "--source", "nhsproviders", "--published", "2024-03-05")
    assert url in proc.stdout
    files = warc_files(home / "archive")
    assert len(files) == 1
    [(info, body)] = list(iter_records(files[0]))
    assert (info.url, info.source, str(info.published_hint), info.status) == (url, "nhsproviders", "2024-03-05", 200)
    assert info.content_type.startswith("text/html") and body == page.read_bytes()

    run_cli(home, "run", "--offline")
    import duckdb

    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    row = con.execute("SELECT source, title, published_on, relevant FROM publications WHERE url = ?", [url]).fetchone()
    assert row[:3] == ("nhsproviders", "Board development: where next", __import__("datetime").date(2024, 3, 5))
    assert row[3] is True
    ev = con.execute("SELECT review_id, number, axis, status, quote FROM status_evidence").fetchall()
    assert ev == [
        ("kark-2019", 2, "implementation", "in_progress",
         "We understand that recommendation 2 of the Kark review is being implemented by NHS England.")
    ]


# VmHWM, not ru_maxrss: a process forked from a large one (pytest) and exec'd keeps that one's peak in ru_maxrss.
INGEST_PEAK = """import sys
from tracker.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="tracker")
finally:
    print("peak-rss-kb", int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]), file=sys.stderr)
"""


def ingest_measured(home, *args, **settings) -> tuple[subprocess.CompletedProcess, int]:
    """`tracker ingest ARGS` with TRACKER_* settings; (the process, the ingest process's own peak RSS in MB)."""
    env = {**os.environ, "TRACKER_HOME": str(home), **settings}
    proc = subprocess.run([sys.executable, "-c", INGEST_PEAK, "ingest", *args], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    peak = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("peak-rss-kb"))
    proc.stderr = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("peak-rss-kb"))
    return proc, peak // 1024


def test_a_pdf_bomb_is_parsed_in_a_limited_worker_and_refused(tmp_path):
    """The ingest process never parses: a PDF that inflates to 400 MB costs the worker its 128 MB cap."""
    from hostile_support import pdf_bomb

    home = tmp_path / "home"
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_bomb(400))
    proc, peak_mb = ingest_measured(home, str(bomb), "--url", "https://www.kingsfund.org.uk/x.pdf",
                                    TRACKER_PARSE_MEMORY_MB="128")
    assert proc.returncode == 1, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: bomb.pdf cannot be read: ") and "128 MB" in line
    assert peak_mb < 200, f"the ingest process itself peaked at {peak_mb} MB"
    assert archive_state(home) == []


def test_a_page_that_parses_past_the_time_limit_is_refused(tmp_path):
    from hostile_support import nested_inline_page

    home = tmp_path / "home"
    slow = tmp_path / "slow.html"
    slow.write_bytes(nested_inline_page(4_000_000))
    proc, _ = ingest_measured(home, str(slow), "--url", "https://www.kingsfund.org.uk/slow",
                              TRACKER_PARSE_SECONDS="0.5")
    assert proc.returncode == 1 and "slow.html cannot be read: parsing took longer than 0.5 s" in proc.stderr
    assert archive_state(home) == []


def test_a_file_larger_than_the_crawl_would_fetch_is_refused_before_it_is_read(tmp_path):
    home = tmp_path / "home"
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><title>t</title><body>" + b"<p>words</p>" * 200 + b"</body></html>")
    proc, _ = ingest_measured(home, str(page), "--url", "https://www.kingsfund.org.uk/x",
                              TRACKER_MAX_BODY_BYTES="1000")
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"error: {page} holds {page.stat().st_size} bytes, more than the 1000 the crawl "
                                   "would fetch (TRACKER_MAX_BODY_BYTES)")
    assert archive_state(home) == []


def test_an_ingested_url_is_recorded_in_the_fetchers_canonical_form(settings, tmp_path):
    from tracker.ingest import ingest_file

    page = tmp_path / "page.html"
    page.write_text("<html><head><title>T</title></head><body><p>text</p></body></html>")
    written = ingest_file(settings, page, "HTTPS://NHSProviders.org/a/../b c")
    [(info, _)] = list(iter_records(written))
    assert info.url == "https://nhsproviders.org/b%20c"
