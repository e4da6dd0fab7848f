"""NHS England (sitemaps) and UK Parliament (questions-and-statements API): adapters, then `tracker run`
live against local servers replaying the fixtures, then `--offline` from the archive."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from werkzeug import Response

from support import ROOT, fixture_bytes
from tracker.items import Capture
from tracker.speakers import publisher_of
from tracker.samplegen import render_pdf_spec
from tracker.sources import is_document, parse_capture, source_of
from tracker.sources import ADAPTERS, parliament

API = "https://questions-statements-api.parliament.uk"
NHSE = "https://www.england.nhs.uk"


def capture(url: str, body: bytes, ctype: str = "application/json", source=None) -> Capture:
    return Capture(url=url, fetched_at=datetime(2024, 3, 25, tzinfo=timezone.utc), status=200,
                   content_type=ctype, body=body, source=source)


# --- parliament: parsing ------------------------------------------------------------------------


def test_a_written_answer_is_the_official_voice_and_its_question_only_context():
    pub = parse_capture(capture(f"{API}/api/writtenquestions/questions/1712345?expandMember=true",
                                fixture_bytes("parliament/question-1712345.json")))
    assert (pub.source, pub.document_type, pub.published_on, pub.updated_on) == (
        "parliament", "written_answer", date(2024, 1, 22), None)
    assert pub.url == "https://questions-statements.parliament.uk/written-questions/detail/2024-01-15/9876"
    assert pub.title == "NHS: Leadership: written question 9876" and pub.authors == ("Andrew Stephenson",)
    body = " ".join(b.text for b in pub.blocks if b.role == "body")
    question = " ".join(b.text for b in pub.blocks if b.role == "question")
    assert "Kark recommendation 2 has been implemented" in body and "To ask" not in body
    assert question.startswith("Question 9876 asked by Jane Doyle-Price, tabled 15 January 2024 "
                               "To ask the Secretary of State")
    assert "Answer by Andrew Stephenson, 22 January 2024" in [b.text for b in pub.blocks if b.kind == "heading"]
    assert [(a.url, a.content_type) for a in pub.attachments] == [
        (f"{API}/api/writtenquestions/attachments/fppt-framework.pdf", "application/pdf")]
    assert publisher_of(pub.url).kind == "parliament"


def test_a_corrected_answer_supersedes_the_original():
    pub = parse_capture(capture(f"{API}/api/writtenquestions/questions/1712400?expandMember=true",
                                fixture_bytes("parliament/question-1712400.json")))
    assert (pub.document_type, pub.published_on, pub.updated_on) == (
        "corrected_written_answer", date(2023, 12, 4), date(2023, 12, 4))
    body = " ".join(b.text for b in pub.blocks if b.role == "body")
    assert "under development" in body and "has been completed" not in body
    assert any("has been completed" in b.text for b in pub.blocks if b.role == "superseded")
    assert "Answer by Andrew Stephenson, 10 November 2023, corrected 4 December 2023" in [b.text for b in pub.blocks]


def test_a_written_statement():
    pub = parse_capture(capture(f"{API}/api/writtenstatements/statements/1800?expandMember=true",
                                fixture_bytes("parliament/statement-1800.json")))
    assert (pub.source, pub.document_type, pub.title, pub.published_on, pub.authors) == (
        "parliament", "written_statement", "NHS Leadership and Management", date(2024, 2, 27), ("Andrew Stephenson",))
    assert pub.url == "https://questions-statements.parliament.uk/written-statements/detail/2024-02-27/HCWS301"
    assert publisher_of(pub.url).name == "UK Parliament written questions and statements"
    assert all(b.role == "body" for b in pub.blocks)  # a statement is the minister's own words throughout
    assert pub.blocks[1].text == ("Statement made by Andrew Stephenson, Minister of State "
                                  "(Department of Health and Social Care)")


def test_search_pages_are_not_documents_but_items_are():
    assert not is_document(f"{API}/api/writtenquestions/questions?searchTerm=Kark&skip=0", "application/json")
    assert not is_document(f"{API}/api/writtenstatements/statements?searchTerm=Kark", "application/json")
    assert is_document(f"{API}/api/writtenquestions/questions/1712345?expandMember=true", "application/json")
    assert source_of(f"{API}/api/writtenquestions/questions/1") == "parliament"
    assert source_of(f"{NHSE}/publication/x/") == "nhse"


def test_search_terms_name_every_review_and_leadership():
    terms = parliament.search_terms()
    assert "Kark review" in terms and "Messenger review" in terms and "NHS leadership" in terms
    assert len(terms) == len({t.lower() for t in terms})


# --- nhse: discovery filter -----------------------------------------------------------------------


@pytest.mark.parametrize("url, kept, kind", [
    (f"{NHSE}/publication/fit-and-proper-person-test-framework-for-board-members/", True, "publication"),
    (f"{NHSE}/long-read/nhs-leadership-competency-framework-for-board-members/", True, "long_read"),
    (f"{NHSE}/2024/03/new-management-and-leadership-framework-for-nhs-managers/", True, "news"),
    (f"{NHSE}/leadership/messenger-review-progress/", True, "progress_page"),
    (f"{NHSE}/publication/elective-recovery-data-march-2024/", False, "publication"),
    (f"{NHSE}/tag/leadership/", False, "web_page"),
    (f"{NHSE}/contact-us/", False, "web_page"),
])
def test_nhse_keeps_leadership_and_review_pages(url, kept, kind):
    keep = ADAPTERS["nhse"].keep(None)
    assert bool(keep.search(url)) is kept
    assert ADAPTERS["nhse"].document_type(url) == kind


def test_nhse_and_nhsi_pages_are_attributed_to_their_own_body():
    assert publisher_of(f"{NHSE}/publication/x/").name == "NHS England"
    archived = "https://webarchive.nationalarchives.gov.uk/ukgwa/20190503120000/https://improvement.nhs.uk/resources/x/"
    assert publisher_of(archived).name == "NHS Improvement"
    assert publisher_of("https://www.gov.uk/government/publications/x", ["NHS Improvement"]).name == "NHS Improvement"
    assert publisher_of("https://www.gov.uk/government/publications/x", ["NHS England"]).name == "NHS England"


# --- live, then offline ---------------------------------------------------------------------------

PDF = render_pdf_spec("%title Fit and proper person test framework\n%page\n# Framework\n\n"
                      "Kark recommendation 2 has been implemented through a standard board member reference.\n")
NHSE_PAGES = {
    "/publication/fit-and-proper-person-test-framework-for-board-members/": "publication-fppt.html",
    "/long-read/nhs-leadership-competency-framework-for-board-members/": "long-read-competency.html",
    "/2024/03/new-management-and-leadership-framework-for-nhs-managers/": "news-management-framework.html",
    "/leadership/messenger-review-progress/": "progress-messenger.html",
    "/2019/08/chairs-welcome-the-kark-review/": "news-kark-2019.html",
}


class LoopbackSite:
    """NHS England on 127.0.0.1 and Parliament's API on localhost, answered from the fixtures."""

    def __init__(self, port: int, requests: list[str]):
        self.nhse_base, self.api_base = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
        self.requests = requests

    def nhse_bytes(self, name):
        return fixture_bytes(f"nhse/{name}").replace(NHSE.encode(), self.nhse_base.encode())

    def api_json(self, name):
        return Response(fixture_bytes(f"parliament/{name}").replace(API.encode(), self.api_base.encode()),
                        content_type="application/json; charset=utf-8")

    def nhse(self, path):
        if path.endswith(".xml") and (ROOT / "tests/fixtures/nhse" / path.lstrip("/")).exists():
            return Response(self.nhse_bytes(path.lstrip("/")), content_type="application/xml")
        if path in NHSE_PAGES:
            return Response(self.nhse_bytes(NHSE_PAGES[path]), content_type="text/html; charset=UTF-8")
        if path.endswith(".pdf"):
            return Response(PDF, content_type="application/pdf")
        return Response("not found", status=404)

    def parliament_search(self, path, query):
        if path == "/api/writtenquestions/questions":
            assert query["answeringBodies"] == "17" and query["answered"] == "Answered"
            if query["searchTerm"] == "Kark review":
                return self.api_json("questions-kark-page1.json" if query["skip"] == "0"
                                     else "questions-kark-page2.json")
            if query["searchTerm"] == "Messenger review":
                return self.api_json("questions-messenger.json")
            return self.api_json("empty.json")
        return self.api_json("statements-messenger.json" if query["searchTerm"] == "Messenger review"
                             else "empty.json")

    def parliament(self, path, query):
        if path in ("/api/writtenquestions/questions", "/api/writtenstatements/statements"):
            return self.parliament_search(path, query)
        m = re.fullmatch(r"/api/written(questions/questions|statements/statements)/(\d+)", path)
        if m:
            name = ("question-" if m.group(1).startswith("questions") else "statement-") + m.group(2) + ".json"
            if (ROOT / "tests/fixtures/parliament" / name).exists():
                return self.api_json(name)
        if path.endswith(".pdf"):
            return Response(PDF, content_type="application/pdf")
        return Response("not found", status=404)

    def handler(self, request):
        path, host = request.path, request.host.split(":")[0]
        self.requests.append(request.full_path)
        if path == "/robots.txt":
            if host == "localhost":
                return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
            return Response(self.nhse_bytes("robots.txt"), content_type="text/plain")
        if host == "127.0.0.1":
            return self.nhse(path)
        return self.parliament(path, {k: v[0] for k, v in parse_qs(urlsplit(request.full_path).query).items()})


def serve(httpserver, requests: list[str]) -> tuple[str, str]:
    """NHS England on 127.0.0.1 and Parliament's API on localhost, one loopback server."""
    site = LoopbackSite(httpserver.port, requests)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handler)
    return site.nhse_base, site.api_base


@pytest.mark.e2e
def test_live_then_offline_run_of_nhse_and_parliament(httpserver, tmp_path):
    requests: list[str] = []
    nhse_base, api_base = serve(httpserver, requests)
    home = tmp_path / "home"
    env = {**os.environ, "TRACKER_HOME": str(home), "PYTHONPATH": str(ROOT),
           "TRACKER_BASE_URL_NHSE": nhse_base, "TRACKER_BASE_URL_PARLIAMENT": api_base,
           "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost", "TRACKER_ALLOW_PRIVATE_ADDRESSES": "1",
           "TRACKER_MIN_DELAY_S": "0.001"}
    cli = [sys.executable, "-m", "tracker.cli"]
    proc = subprocess.run([*cli, "run", "--sources", "nhse,parliament", "--since", "2023-01-01"], env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "nhse: listed 4," in proc.stdout and "parliament: listed 3," in proc.stdout, proc.stdout
    # a child sitemap last changed before --since is not read; an old page or one off the subject is not fetched
    assert not any("post-sitemap2.xml" in r or "chairs-welcome" in r or "elective-recovery" in r for r in requests)
    assert any(r.startswith("/page-sitemap.xml") for r in requests)
    assert not any(re.search(r"/questions/(1712500|1712600)\b", r) for r in requests)
    assert any("skip=2" in r for r in requests)  # the Kark search's second page

    def snapshot():
        con = duckdb.connect(str(home / "tracker.duckdb"), read_only=True)
        try:
            pubs = con.execute("SELECT url, source, document_type, published_on, relevant, relevance_reason, speaker "
                               "FROM publications ORDER BY url").fetchall()
            health = con.execute("SELECT source, healthy, listed FROM source_health "
                                 "WHERE source IN ('nhse', 'parliament') ORDER BY source").fetchall()
            evidence = con.execute("SELECT review_id, number, status, speaker, source_url FROM status_evidence "
                                   "WHERE speaker = 'parliament' ORDER BY source_url, number").fetchall()
        finally:
            con.close()
        return pubs, health, evidence

    pubs, health, evidence = snapshot()
    by_url = {u: rest for u, *rest in pubs}
    site = "https://questions-statements.parliament.uk"
    assert by_url[f"{site}/written-questions/detail/2024-01-15/9876"][:4] == ["parliament", "written_answer",
                                                                              date(2024, 1, 22), True]
    assert by_url[f"{site}/written-questions/detail/2023-11-06/4321"][:3] == ["parliament", "corrected_written_answer",
                                                                              date(2023, 12, 4)]
    statement = by_url[f"{site}/written-statements/detail/2024-02-27/HCWS301"]
    assert statement[0] == "parliament" and statement[3] and statement[4].startswith("mentions review")
    assert {row[5] for u, row in by_url.items() if u.startswith(site)} == {"parliament"}  # an official voice
    assert f"{api_base}/api/writtenquestions/attachments/fppt-framework.pdf" in by_url  # the answer's attachment
    nhse_urls = {u for u, row in by_url.items() if row[0] == "nhse"}
    assert {urlsplit(u).path for u in nhse_urls} == {
        *list(NHSE_PAGES)[:4],
        "/wp-content/uploads/2023/08/PRN00238-fit-and-proper-person-test-framework-for-board-members.pdf"}
    assert by_url[f"{nhse_base}/leadership/messenger-review-progress/"][1] == "progress_page"
    assert all(by_url[u][4] for u in nhse_urls if u.endswith("/"))  # each with its reason
    assert health == [("nhse", True, 4), ("parliament", True, 3)]

    offline = subprocess.run([*cli, "run", "--offline", "--sources", "nhse,parliament"], env=env,
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert offline.returncode == 0, offline.stderr
    assert snapshot()[0] == pubs
    # the ministers' answers and statement are read as the official voice; the corrected answer's
    # superseded text ("has been completed") and the questions' words are not
    assert [(r, n, st) for r, n, st, _, _ in evidence] == [
        ("messenger-2022", 4, "accepted"), ("kark-2019", 2, "implemented"), ("messenger-2022", 4, "in_progress")]


# --- degraded sources -----------------------------------------------------------------------------


class _Answer:
    def __init__(self, url, status, body=b""):
        self.url, self.final_url, self.status, self.body, self.error = url, url, status, body, None
        self.headers = {"content-type": "application/json"}

    @property
    def ok(self):
        return self.status == 200

    def text(self):
        return self.body.decode()

    def json(self):
        return json.loads(self.body)


class _Fetcher:
    def __init__(self, status, body=b""):
        self.status, self.body, self.requests = status, body, []

    def get(self, url, conditional=True):
        self.requests.append(url)
        return _Answer(url, self.status, self.body)


def test_parliament_refusal_or_a_challenge_page_degrades_the_source():
    from tracker.sources.discovery import SourceDegraded

    with pytest.raises(SourceDegraded, match="HTTP 403"):
        list(ADAPTERS["parliament"].discover(_Fetcher(403), API, None))
    with pytest.raises(SourceDegraded, match="did not answer JSON"):
        list(ADAPTERS["parliament"].discover(_Fetcher(200, b"<html>Just a moment...</html>"), API, None))


def test_nhse_without_a_sitemap_in_robots_is_degraded():
    from tracker.sources.discovery import SourceDegraded

    with pytest.raises(SourceDegraded, match="names no sitemap"):
        list(ADAPTERS["nhse"].discover(_Fetcher(200, b"User-agent: *\nAllow: /\n"), NHSE, None))


def test_parliament_pages_through_a_search_and_drops_other_departments():
    pages = {"0": fixture_bytes("parliament/questions-kark-page1.json"),
             "2": fixture_bytes("parliament/questions-kark-page2.json")}

    class Paged(_Fetcher):
        def get(self, url, conditional=True):
            self.requests.append(url)
            q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            if q["searchTerm"] == "Kark review" and url.startswith(API + parliament.QUESTIONS):
                return _Answer(url, 200, pages[q["skip"]])
            return _Answer(url, 200, fixture_bytes("parliament/empty.json"))

    fetcher = Paged(200)
    found = list(ADAPTERS["parliament"].discover(fetcher, API, date(2024, 1, 1)))
    assert [c.url for c in found] == [f"{API}/api/writtenquestions/questions/1712345?expandMember=true"]
    assert found[0].published == date(2024, 1, 22)
    assert any("skip=2" in u for u in fetcher.requests)
    assert all("answeredWhenFrom=2024-01-01" in u for u in fetcher.requests if parliament.QUESTIONS + "?" in u)
    assert list(ADAPTERS["parliament"].discover(Paged(200), API, date(2024, 2, 1))) == []  # answered before --since


def test_nhse_without_since_reads_every_child_sitemap():
    class Site(_Fetcher):
        def get(self, url, conditional=True):
            self.requests.append(url)
            name = urlsplit(url).path.lstrip("/") or "robots.txt"
            return _Answer(url, 200, fixture_bytes(f"nhse/{name}"))

    fetcher = Site(200)
    found = {urlsplit(c.url).path for c in ADAPTERS["nhse"].discover(fetcher, NHSE, None)}
    assert "/2019/08/chairs-welcome-the-kark-review/" in found
    assert "/2019/06/board-leadership-development-programme-opens/" in found
    assert f"{NHSE}/post-sitemap2.xml" in fetcher.requests
    assert len(found) == 6


def test_parliament_skips_search_rows_it_cannot_address():
    rows = {"totalResults": 3, "results": ["junk", {"value": {"id": "x; rm", "answeringBodyId": 17}},
                                          {"value": {"id": 7, "answeringBodyId": 17,
                                                     "dateMade": "2024-02-27T00:00:00"}}]}
    fetcher = _Fetcher(200, json.dumps(rows).encode())
    found = {c.url for c in ADAPTERS["parliament"].discover(fetcher, API, None)}
    # the same answer serves both searches here: as a question it is unanswered, as a statement it is kept
    assert found == {f"{API}/api/writtenstatements/statements/7?expandMember=true"}
