"""Adapters' discover(): GOV.UK Search API paging, sitemaps, paginated listings, the web archive's CDX,
and SourceAdapter's default discovery (sitemap, then listings) for an adapter made of constants only."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from support import fixture_bytes
from fetch_support import make_fetcher, robots
from tracker.sources import ADAPTERS, SourceAdapter
from tracker.sources.discovery import SourceDegraded, parse_sitemap


@dataclass
class Result:
    url: str
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def final_url(self):
        return self.url

    @property
    def ok(self):
        return self.status == 200

    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class FakeFetcher:
    """Answers from a route table (a function of the URL), recording every request."""

    def __init__(self, route):
        self.route = route
        self.requests: list[str] = []

    def get(self, url, conditional=True):
        self.requests.append(url)
        status, body = self.route(url)
        return Result(url, status, body, {"content-type": "text/html"})


def test_govuk_search_pages_until_total_and_keeps_leadership_items():
    def route(url):
        start = parse_qs(urlsplit(url).query).get("start", ["0"])[0]
        if url.startswith("https://www.gov.uk/api/search.json"):
            return 200, fixture_bytes(f"discovery/govuk-search-page{1 if start == '0' else 2}.json")
        return 404, b""

    fetcher = FakeFetcher(route)
    found = list(ADAPTERS["dhsc"].discover(fetcher, "https://www.gov.uk", since=None))
    urls = [c.url for c in found]
    # the registry's GOV.UK review pages come first
    assert ("https://www.gov.uk/api/content/government/publications/kark-review-of-the-fit-and-proper-persons-test"
            in urls)
    searched = [c for c in found if c.document_type != "review"]
    assert [(c.url, c.published) for c in searched] == [
        ("https://www.gov.uk/api/content/government/publications/leadership-review-government-response",
         date(2024, 5, 2)),
        ("https://www.gov.uk/api/content/government/news/new-standards-for-nhs-board-members", date(2024, 3, 11)),
        ("https://www.gov.uk/api/content/government/publications/talent-management-update", date(2023, 1, 15)),
    ]
    query = parse_qs(urlsplit(fetcher.requests[0]).query)
    assert query["filter_organisations[]"] == ["department-of-health-and-social-care", "nhs-improvement"]
    assert query[
        "order"] == ["-public_timestamp"] and "government_response" in query["filter_content_store_document_type[]"]
    assert len(fetcher.requests) == 2  # start=0, then start=3; total 5 reached


def test_govuk_search_stops_paging_at_since():
    fetcher = FakeFetcher(lambda url: (200, fixture_bytes("discovery/govuk-search-page1.json")))
    found = [c for c in ADAPTERS["dhsc"].discover(fetcher, "https://www.gov.uk",
                                                  since=date(2024, 4, 1)) if c.document_type != "review"]
    assert [c.title for c in found] == ["Leadership review: government response"]
    assert len(fetcher.requests) == 1


def test_kingsfund_follows_the_sitemap_named_in_robots():
    files = {
        "/robots.txt": "discovery/kingsfund-robots.txt",
        "/sitemap.xml": "discovery/kingsfund-sitemap-index.xml",
        "/sitemap-insight.xml": "discovery/kingsfund-sitemap-insight.xml",
    }
    fetcher = FakeFetcher(lambda url: (200, fixture_bytes(files[urlsplit(url).path]))
                          if urlsplit(url).path in files else (404, b""))
    found = list(ADAPTERS["kingsfund"].discover(fetcher, "https://www.kingsfund.org.uk", since=date(2020, 1, 1)))
    assert [(c.url, c.published) for c in found] == [
        ("https://www.kingsfund.org.uk/insight-and-analysis/long-reads/boards-under-pressure", date(2024, 2, 1)),
        ("https://www.kingsfund.org.uk/publications/leadership-and-engagement", None),  # no lastmod: kept
    ]


def test_nhsproviders_listing_pagination_and_since():
    pages = {None: 1, "2": 2, "3": 3}

    def route(url):
        parts = urlsplit(url)
        if parts.path == "/resources":
            page = parse_qs(parts.query).get("page", [None])[0]
            return 200, fixture_bytes(f"discovery/nhsproviders-resources-page{pages[page]}.html")
        return 404, b""

    fetcher = FakeFetcher(route)
    found = list(ADAPTERS["nhsproviders"].discover(fetcher, "https://nhsproviders.org", since=date(2022, 1, 1)))
    assert [c.url for c in found] == [
        "https://nhsproviders.org/resources/briefings/board-pay-briefing",
        "https://nhsproviders.org/resources/leadership-in-a-crisis",
        "https://nhsproviders.org/resources/leadership-in-a-crisis/chapter-2",
    ]
    assert found[0].published == date(2024, 6, 10) and found[0].title == "Board pay: a briefing"
    # page 2 is older than `since` at its end, so page 3 is never requested
    assert not any("page=3" in u for u in fetcher.requests)


def test_nhsi_cdx_keeps_latest_200_html_and_pdf_in_raw_form():
    fetcher = FakeFetcher(lambda url: (200, fixture_bytes("discovery/nhsi-cdx.json")))
    found = list(ADAPTERS["nhsi"].discover(fetcher, "https://webarchive.nationalarchives.gov.uk", since=None))
    assert sorted(c.url for c in found) == [
        "https://webarchive.nationalarchives.gov.uk/ukgwa/20190101000000id_/https://improvement.nhs.uk/resources/board-development.pdf",
        "https://webarchive.nationalarchives.gov.uk/ukgwa/20210304050607id_/https://improvement.nhs.uk/resources/board-development/",
    ]
    assert "matchType=prefix" in fetcher.requests[0] and "output=json" in fetcher.requests[0]
    assert all(ADAPTERS["nhsi"].owns(c.url) for c in found)


@pytest.mark.parametrize("status", [403, 405])
def test_nhsi_challenge_marks_the_source_degraded(status):
    fetcher = FakeFetcher(lambda url: (status, b"<html>Please verify you are human</html>"))
    with pytest.raises(SourceDegraded, match=str(status)):
        list(ADAPTERS["nhsi"].discover(fetcher, "https://webarchive.nationalarchives.gov.uk", since=None))


def test_nhsi_html_challenge_instead_of_json_is_degraded():
    fetcher = FakeFetcher(lambda url: (200, b"<html>challenge</html>"))
    with pytest.raises(SourceDegraded, match="JSON"):
        list(ADAPTERS["nhsi"].discover(fetcher, "https://webarchive.nationalarchives.gov.uk", since=None))


def test_sitemap_parser_ignores_entities_and_garbage():
    pages, children = parse_sitemap(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                                    b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>&e;https://a/b</loc></url></urlset>")
    assert all("root:" not in loc for loc, _ in pages)
    assert parse_sitemap(b"not xml at all") == ([], [])


# --- the base class's default discovery, through a real Fetcher and a local server ---------------------------


class Almanac(SourceAdapter):
    """A publisher made of constants only: every behaviour below is SourceAdapter's default."""

    name = "almanac"
    title = "The Almanac"
    hosts = frozenset({"127.0.0.1"})
    listings = ("/news", "/reports")
    publication_path = re.compile(r"/(?:news|reports)/[a-z0-9-]+$")


def _sitemap(tag: str, entries: list[tuple[str, str | None]]) -> str:
    inner = "".join(f"<{tag}><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + f"</{tag}>"
                    for loc, mod in entries)
    root = "sitemapindex" if tag == "sitemap" else "urlset"
    return f"<?xml version='1.0'?><{root} xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{inner}</{root}>"


def _discover(adapter, settings, base, since):
    fetcher, writer, _ = make_fetcher(settings, adapter.name)
    try:
        return list(adapter.discover(fetcher, base, since))
    finally:
        writer.close()


def test_an_adapter_of_constants_discovers_through_the_sitemap_robots_txt_names(server, settings):
    base = server.url_for("").rstrip("/")
    robots(server, f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
    server.expect_request("/sitemap.xml").respond_with_data(
        _sitemap("sitemap", [(f"{base}/sitemap-2019.xml", "2019-05-01"), (f"{base}/sitemap-2024.xml", "2024-04-01")]),
        content_type="application/xml")
    server.expect_request("/sitemap-2024.xml").respond_with_data(_sitemap("url", [
        (f"{base}/reports/board-pay", "2024-03-01"),
        (f"{base}/about", "2024-03-02"),  # not a publication address
        (f"{base}/news/old-item", "2022-01-01"),  # older than since
        (f"{base}/news/undated", None),  # no lastmod: kept
    ]), content_type="application/xml")

    found = _discover(Almanac(), settings, base, date(2023, 1, 1))

    assert [(c.url, c.published, c.document_type) for c in found] == [
        (f"{base}/reports/board-pay", date(2024, 3, 1), "web_page"),
        (f"{base}/news/undated", None, "web_page"),
    ]
    asked = [entry[0].path for entry in server.log]
    assert "/sitemap-2019.xml" not in asked  # a child sitemap last changed before since lists nothing newer
    assert "/news" not in asked and "/reports" not in asked  # the listings are the fallback only


def test_without_a_sitemap_the_adapter_pages_through_its_listings(server, settings):
    base = server.url_for("").rstrip("/")
    robots(server, "User-agent: *\nAllow: /\n")
    item = '<li><a href="{href}">{title}</a> <time datetime="{day}">{day}</time></li>'
    server.expect_request("/news", query_string="page=2").respond_with_data(
        "<ul>" + item.format(href="/news/second-page-item", title="Second page", day="2024-01-10") + "</ul>",
        content_type="text/html")
    server.expect_request("/news").respond_with_data(
        "<ul>" + item.format(href="/news/board-pay", title="Board pay", day="2024-03-01")
        + '<li><a href="/contact">Contact</a></li></ul><a rel="next" href="/news?page=2">Next</a>',
        content_type="text/html")
    server.expect_request("/reports").respond_with_data(
        "<ul>" + item.format(href="/reports/leadership-review", title="Leadership review", day="2023-06-01") + "</ul>",
        content_type="text/html")

    found = _discover(Almanac(), settings, base, None)

    assert [(c.url, c.title, c.published) for c in found] == [
        (f"{base}/news/board-pay", "Board pay", date(2024, 3, 1)),
        (f"{base}/news/second-page-item", "Second page", date(2024, 1, 10)),
        (f"{base}/reports/leadership-review", "Leadership review", date(2023, 6, 1)),
    ]


def test_an_adapter_with_neither_a_sitemap_nor_listings_is_degraded(server, settings):
    class SitemapOnly(Almanac):
        listings = ()

    base = server.url_for("").rstrip("/")
    robots(server, "User-agent: *\nAllow: /\n")
    with pytest.raises(SourceDegraded, match="robots.txt names no sitemap: The Almanac's pages cannot be discovered"):
        _discover(SitemapOnly(), settings, base, None)
