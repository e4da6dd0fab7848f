"""`tracker ingest`: bad input is one clear error line, a non-zero exit and an unchanged archive."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
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
        ("other.json", json.dumps({"hello": "world"}).encode(), "https://www.gov.uk/api/content/x", "is not GOV.UK Content API JSON"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "not a url", "not an http(s) URL"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "ftp://example.org/x", "not an http(s) URL"),
        ("page.html", b"<html><body><p>fine</p></body></html>", "https:///nohost", "not an http(s) URL"),
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


def test_bad_date_and_source_are_rejected(tmp_path):
    home = tmp_path / "home"
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>x</p></body></html>")
    bad_date = run_cli(home, "ingest", str(page), "--url", "https://nhsproviders.org/a", "--published", "2022-13-40", check=False)
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    bad_source = run_cli(home, "ingest", str(page), "--url", "https://nhsproviders.org/a", "--source", "bbc", check=False)
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
