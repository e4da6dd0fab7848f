"""`tracker run` (live) against a local GOV.UK stand-in serving the sample's Content API items."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import duckdb
import pytest
from bs4 import BeautifulSoup
from werkzeug import Response

from support import ROOT
from tracker.samplegen import load_manifest

pytestmark = pytest.mark.e2e

CONTENT = "https://www.gov.uk/api/content"


def sample_govuk_items():
    """base_path -> JSON bytes for every GOV.UK Content API item in the sample."""
    items = {}
    for entry in load_manifest():
        if entry["url"].startswith(CONTENT):
            items[entry["url"].removeprefix(CONTENT)] = (ROOT / "sample" / "documents" / entry["file"]).read_bytes()
    return items


KARK = "/government/publications/kark-review-of-the-fit-and-proper-persons-test"
KARK_RESPONSE = KARK + "-government-response"


def serve_govuk(httpserver) -> str:
    """A GOV.UK stand-in on loopback: robots.txt, one Search API page, the sample's Content API items.

    The items' attachment links point at the stand-in too (where they are gone: 404), since the real
    assets host cannot be reached from a test.
    """
    base = httpserver.url_for("").rstrip("/")
    items = {path: body.replace(b"https://assets.publishing.service.gov.uk", base.encode())
             for path, body in sample_govuk_items().items()}
    search = {"results": [{"title": "Kark review of the fit and proper persons test: government response",
                           "link": KARK_RESPONSE,
                           "description": "How the government will act on the Kark review of board members.",
                           "public_timestamp": "2019-08-16T09:00:00Z",
                           "content_store_document_type": "government_response"}],
              "total": 1, "start": 0}

    def handler(request):
        path = request.path
        if path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        if path == "/api/search.json":
            return Response(json.dumps(search), content_type="application/json")
        if path.startswith("/api/content") and path.removeprefix("/api/content") in items:
            return Response(items[path.removeprefix("/api/content")], content_type="application/json")
        return Response("not found", status=404)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    return base


def closed_port() -> int:
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_live_run_discovers_fetches_children_and_publishes(httpserver, tmp_path):
    kark, response = KARK, KARK_RESPONSE
    serve_govuk(httpserver)
    home = tmp_path / "home"
    env = {
        **os.environ, "TRACKER_HOME": str(home), "TRACKER_BASE_URL_DHSC": httpserver.url_for("").rstrip("/"),
        "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1",
           "TRACKER_MIN_DELAY_S": "0.01",
    }
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", "run", "--sources", "dhsc"], env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "dhsc: listed" in proc.stdout
    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    base = httpserver.url_for("").rstrip("/")
    urls = {u for (u,) in con.execute("SELECT url FROM publications").fetchall()}
    # the registry's review pages, the searched response, and the Kark review's child HTML publication
    assert "https://www.gov.uk" + kark in urls and "https://www.gov.uk" + response in urls
    assert "https://www.gov.uk" + kark + "/kark-review-of-the-fit-and-proper-persons-test" in urls
    assert con.execute("SELECT recommendations FROM review_progress WHERE review_id = 'kark-2019'").fetchone() == (7,)
    assert con.execute(
        "SELECT response_status FROM recommendation_status WHERE review_id = 'kark-2019' AND number = 7"
    ).fetchone() == ("rejected",)
    fetched = {u for (u,) in con.execute("SELECT url FROM crawl_state WHERE last_status = 200").fetchall()}
    assert base + "/api/content" + response in fetched
    assert con.execute("SELECT listed FROM source_health WHERE source = 'dhsc'").fetchone()[0] >= 1
    status = subprocess.run([sys.executable, "-m", "tracker.cli", "status"], env=env, capture_output=True, text=True,
                            cwd=ROOT)
    assert "Crawl state" in status.stdout


def test_a_run_with_unreachable_sources_publishes_the_rest_and_says_which_and_why(httpserver, tmp_path):
    home = tmp_path / "home"
    env = {
        **os.environ, "TRACKER_HOME": str(home), "TRACKER_BASE_URL_DHSC": serve_govuk(httpserver),
        "TRACKER_BASE_URL_KINGSFUND": "http://kingsfund.invalid",  # reserved TLD: never resolves
        "TRACKER_BASE_URL_NHSPROVIDERS": f"http://127.0.0.1:{closed_port()}",
        "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1",
           "TRACKER_MIN_DELAY_S": "0.01",
    }
    cli = [sys.executable, "-m", "tracker.cli"]
    proc = subprocess.run([*cli, "run", "--sources", "dhsc,kingsfund,nhsproviders"], env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)

    assert proc.returncode == 3, proc.stderr  # published, but two sources failed: never a quiet week
    assert "published " in proc.stdout and "dhsc: listed" in proc.stdout
    assert "kingsfund: FETCH FAILED: robots.txt unreachable: name not resolved; listed 0" in proc.stdout
    assert "nhsproviders: FETCH FAILED: robots.txt unreachable: connection refused; listed 0" in proc.stdout
    health = [line for line in proc.stderr.splitlines() if line.startswith("SOURCE HEALTH")]
    assert health == ["SOURCE HEALTH: kingsfund: robots.txt unreachable: name not resolved",
                      "SOURCE HEALTH: nhsproviders: robots.txt unreachable: connection refused"], proc.stderr
    assert "Traceback" not in proc.stderr

    con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
    assert con.execute("SELECT recommendations FROM review_progress WHERE review_id = 'kark-2019'").fetchone() == (7,)
    rows = con.execute("SELECT source, healthy, fetch_error, listed FROM source_health ORDER BY source").fetchall()
    assert rows == [("dhsc", True, None, rows[0][3]),
                    ("kingsfund", False, "robots.txt unreachable: name not resolved", 0),
                    ("nhse", True, None, None), ("nhsi", True, None, None),
                    ("nhsproviders", False, "robots.txt unreachable: connection refused", 0),
                    ("parliament", True, None, None)]
    con.close()

    status = subprocess.run([*cli, "status"], env=env, capture_output=True, text=True, cwd=ROOT).stdout
    assert ("INCOMPLETE: 2 of 6 sources unhealthy in the last run, so this week's picture is incomplete:\n"
            "    kingsfund: robots.txt unreachable: name not resolved\n"
            "    nhsproviders: robots.txt unreachable: connection refused\n") in status
    assert re.search(r"kingsfund +0 +0 +0 .*UNHEALTHY +kingsfund: robots.txt unreachable: name not resolved",
                     status), status

    page = BeautifulSoup((home / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find(id="changes-headline").get_text().startswith(
        "This week's picture is incomplete: kingsfund, nhsproviders were not read properly. ")
    reasons = {li["data-source"]: li.get_text() for li in page.select("#source-health li")}
    assert reasons == {"kingsfund": "kingsfund: robots.txt unreachable: name not resolved",
                       "nhsproviders": "nhsproviders: robots.txt unreachable: connection refused"}
