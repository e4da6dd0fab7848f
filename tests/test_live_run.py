"""`tracker run` (live) against a local GOV.UK stand-in serving the sample's Content API items."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest
from werkzeug import Response

from helpers import ROOT
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


def test_live_run_discovers_fetches_children_and_publishes(httpserver, tmp_path):
    items = sample_govuk_items()
    kark = "/government/publications/kark-review-of-the-fit-and-proper-persons-test"
    response = kark + "-government-response"
    search = {"results": [{"title": "Kark review of the fit and proper persons test: government response", "link": response,
                           "description": "How the government will act on the Kark review of board members.",
                           "public_timestamp": "2019-08-16T09:00:00Z", "content_store_document_type": "government_response"}],
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

    httpserver.expect_request(__import__("re").compile(".*")).respond_with_handler(handler)
    home = tmp_path / "home"
    env = {
        **os.environ, "TRACKER_HOME": str(home), "TRACKER_BASE_URL_DHSC": httpserver.url_for("").rstrip("/"),
        "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1", "TRACKER_MIN_DELAY_S": "0.01",
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
    status = subprocess.run([sys.executable, "-m", "tracker.cli", "status"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert "Crawl state" in status.stdout
