"""The crawl's link reader (follow-ups of a fetched page) scans the page's bytes: it finds what a full parse
would (tracker.parse.html.attachment_links over content_root) without building a tree in the run's process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import ROOT
from tracker.parse.html import attachment_links, content_root, parse_document, scan_attachment_links

BASE = "https://www.kingsfund.org.uk/insight/page"

PAGES = {
    "main": b'<html><body><nav><a href="/nav.pdf">x</a></nav><main><a href="/a.pdf">A</a>'
            b'<div><a href="b.PDF?x=1&amp;y=2">B</a></div><a href="/c.docx">C</a></main>'
            b'<footer><a href="/foot.pdf">f</a></footer></body></html>',
    "two mains": b'<main><a href="/1.pdf">1</a></main><p><a href="/out.pdf">o</a></p>'
                 b'<main><a href="/2.pdf">2</a></main>',
    "role main": b'<body><a href="/out.pdf">o</a><div class="x" role="main"><div><a href=\'/in.pdf\'>i</a></div>'
                 b'<a href=/bare.pdf>b</a></div><a href="/after.pdf">a</a></body>',
    "article": b'<body><article><a href="https://assets.kingsfund.org.uk/r.pdf#p2">r</a></article>'
               b'<a href="/out.pdf">o</a></body>',
    "content id": b'<body><div id="content"><div><div><a href="/deep.pdf">d</a></div></div></div>'
                  b'<a href="/out.pdf">o</a></body>',
    "body only": b'<html><head><title>t</title></head><body><a href="/x.pdf">x</a><a href="/y.html">y</a>'
                 b'<a href="/x.pdf">again</a><a href="mailto:a@b.pdf">m</a><a href="http://[::1/bad.pdf">bad</a></body>',
    "no links": b"<html><body><main><p>Nothing to follow.</p></main></body></html>",
}


@pytest.mark.parametrize("name", PAGES)
def test_the_scan_finds_what_the_full_parse_finds(name):
    body = PAGES[name]
    parsed = attachment_links(content_root(parse_document(body)), BASE)
    assert [a.url for a in scan_attachment_links(body, BASE)] == [a.url for a in parsed]


def test_a_page_of_many_file_links_gives_at_most_the_cap():
    body = b"<main>" + b"".join(b'<a href="/f/%d.pdf">f</a>' % i for i in range(5000)) + b"</main>"
    assert len(scan_attachment_links(body, BASE)) == 1000
    assert len(scan_attachment_links(body, BASE, limit=10)) == 10


@pytest.mark.parametrize("flood", [b"<a <a href ", b"<a x.pdf x.docx ", b'<div role="x" id="y" ',
                                   b"<main><a href=/f.pdf "])
def test_an_unclosed_flood_of_tags_is_scanned_in_linear_time(flood):
    import time

    body = b"<html><body>" + flood * (4_000_000 // len(flood))
    started = time.monotonic()
    assert len(scan_attachment_links(body, BASE)) <= 1
    assert time.monotonic() - started < 5


# Peaks are read as VmHWM: ru_maxrss of a process exec'd from a large one (pytest) starts at that one's peak.
READ_LINKS = """
import json, resource, sys
from datetime import datetime, timezone
sys.path.insert(0, "tests")
from hostile_support import nested_inline_page
from tracker.fetch.exchange import FetchResult
from tracker.stages.crawl import CrawlJob, _links_page

body = nested_inline_page(int(sys.argv[1])).replace(b"<div>Deep text.</div>", b'<a href="/deep.pdf">d</a>')
before = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
result = FetchResult(url=sys.argv[2], final_url=sys.argv[2], status=200, headers={"content-type": "text/html"},
                     body=body, fetched_at=datetime.now(timezone.utc))
page = _links_page(CrawlJob(sys.argv[2], source="kingsfund"), result)
after = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
print(json.dumps({"grew_mb": (after - before) / 1024, "links": [a.url for a in page.attachments]}))
"""


def test_reading_the_links_of_a_huge_nested_page_costs_little_memory():
    """16 MB of nested tags: a full parse in the crawl's process grew it by hundreds of MB."""
    proc = subprocess.run([sys.executable, "-c", READ_LINKS, str(16_000_000), BASE], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["links"] == ["https://www.kingsfund.org.uk/deep.pdf"]
    assert out["grew_mb"] < 40, out


READ_LISTING = """
import json, re, resource, sys
sys.path.insert(0, "tests")
from hostile_support import nested_inline_page
from test_discovery import FakeFetcher
from tracker.sources.discovery import listing_candidates

first = b'<html><body><ul><li><a href="/reports/first">First</a></li></ul>'
body = first + nested_inline_page(int(sys.argv[1])).split(b"<body>", 1)[1]
fetcher = FakeFetcher(lambda url: (200, body))
before = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
found = [c.url for c in listing_candidates(fetcher, "https://www.kingsfund.org.uk/list", re.compile("/reports/"),
                                           None, max_pages=1)]
after = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
print(json.dumps({"grew_mb": (after - before) / 1024, "found": found}))
"""


def test_a_listing_page_of_millions_of_tags_is_read_only_up_to_the_tag_cap():
    """16 MB of nested tags (1.8 million of them) as a listing page: parsed whole it grew the crawl by ~900 MB."""
    proc = subprocess.run([sys.executable, "-c", READ_LISTING, str(16_000_000)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["found"] == ["https://www.kingsfund.org.uk/reports/first"]
    assert out["grew_mb"] < 150, out


READ_SITEMAP = """
import json, resource, sys
from tracker.sources.discovery import parse_sitemap

head = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://www.gov.uk/a</loc></url>'
junk = b"<x>" * 200 + b"<y/>" * int(sys.argv[1]) + b"</x>" * 200
data = head + junk + b"</urlset>"
before = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
pages, _ = parse_sitemap(data)
after = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
print(json.dumps({"grew_mb": (after - before) / 1024, "pages": [loc for loc, _ in pages]}))
"""


def test_a_sitemap_of_millions_of_elements_is_read_only_up_to_the_tag_cap():
    """5 million elements (20 MB): parsed whole it grew the crawl by about 700 MB."""
    proc = subprocess.run([sys.executable, "-c", READ_SITEMAP, str(5_000_000)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["pages"] == ["https://www.gov.uk/a"]
    assert out["grew_mb"] < 250, out


def test_a_full_sitemap_is_read_whole():
    from tracker.sources.discovery import parse_sitemap

    entry = (b"<url><loc>https://www.gov.uk/p%d</loc><lastmod>2024-01-02</lastmod><changefreq>weekly</changefreq>"
             b"<priority>0.5</priority></url>")
    data = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + b"".join(entry % i for i in range(50_000)) + b"</urlset>")
    pages, _ = parse_sitemap(data)
    assert len(pages) == 50_000 and pages[-1][0] == "https://www.gov.uk/p49999"
