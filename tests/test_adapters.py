"""Each publisher's adapter on the sample's pages (written for this project in the publishers' shapes),
then what SourceAdapter gives an adapter made of constants only, and DHSC's follow().

The captures are parsed without the manifest's date hint, so dates come from the pages themselves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from support import SAMPLE_WARC
from tracker.fetch.archive import iter_records, read_capture
from tracker.items import Attachment, Capture, Publication
from tracker.samplegen import render_pdf_spec
from tracker.settings import SOURCES, WATCHLIST
from tracker.sourcelist import Source
from tracker.sources import ADAPTERS, SourceAdapter, UnsupportedDocument, parse_capture, source_of


@pytest.fixture(scope="module")
def parsed():
    out = {}
    for info, _ in iter_records(SAMPLE_WARC, with_body=False):
        capture = replace(read_capture(SAMPLE_WARC, info.offset), published_hint=None)
        out[info.url] = parse_capture(capture)
    return out


def fields(pub):
    return (pub.source, pub.document_type, pub.title, pub.published_on, pub.authors, pub.topics)


def test_kings_fund_blog_keeps_comments_apart(parsed):
    pub = parsed["https://www.kingsfund.org.uk/insight-and-analysis/blogs/fit-and-proper-test-kark"]
    assert fields(pub) == ("kingsfund", "blog",
                           "The fit and proper persons test: will the Kark review make a difference?",
                           date(2019, 2, 20), ("Anna Whitfield",), ("Leadership", "Regulation"))
    comments = [b for b in pub.blocks if b.role == "comment"]
    assert comments and all(b.role == "comment" for b in comments)
    assert not any("implemented already" in b.text for b in pub.blocks if b.role == "body")


def test_kings_fund_long_read(parsed):
    pub = parsed["https://www.kingsfund.org.uk/insight-and-analysis/long-reads/leadership-reviews-what-happened-next"]
    assert fields(pub) == ("kingsfund", "long_read", "Leadership reviews: what happened next?", date(2023, 5, 10),
                           ("Anna Whitfield", "Tom Okafor"), ("Leadership", "Workforce", "NHS reform"))


def test_nhs_providers_chapter_and_briefing(parsed):
    chapter = parsed["https://nhsproviders.org/resources/leadership-one-year-on/progress-on-the-messenger-review"]
    assert fields(chapter)[:4] == ("nhsproviders", "report_chapter", "Progress on the Messenger review",
                                   date(2023, 6, 20))
    assert chapter.parent_url == "https://nhsproviders.org/resources/leadership-one-year-on"
    assert [a.url for a in chapter.attachments] == ["https://nhsproviders.org/media/697014/leadership-one-year-on.pdf"]
    briefing = parsed["https://nhsproviders.org/resources/briefings/on-the-day-briefing-leadership-review"]
    assert briefing.document_type == "briefing" and briefing.published_on == date(2022, 6, 8)
    assert briefing.topics == ("Workforce",)
    assert any(b.kind == "list_item" for b in briefing.blocks)  # the "Key points" list


def test_nhsi_archived_page_without_its_banner(parsed):
    url = "https://webarchive.nationalarchives.gov.uk/ukgwa/20190503120000/https://improvement.nhs.uk/resources/developing-people-improving-care/"
    pub = parsed[url]
    assert fields(pub)[:4] == ("nhsi", "resource", "Developing People \u2013 Improving Care", date(2016, 12, 12))
    text = " ".join(b.text for b in pub.blocks)
    assert "This is an archived copy" not in text and "Some have probably been implemented" not in text
    assert "UK Government Web Archive" not in text


def test_dhsc_content_api_shapes(parsed):
    landing = parsed["https://www.gov.uk/api/content/government/publications/kark-review-of-the-fit-and-proper-persons-test"]
    child_url = "https://www.gov.uk/government/publications/kark-review-of-the-fit-and-proper-persons-test/kark-review-of-the-fit-and-proper-persons-test"
    assert landing.url == "https://www.gov.uk/government/publications/kark-review-of-the-fit-and-proper-persons-test"
    assert landing.children == (child_url,)
    child = parsed["https://www.gov.uk/api/content" + child_url.removeprefix("https://www.gov.uk")]
    assert (child.document_type, child.parent_url) == ("html_publication", landing.url)
    rose = parsed["https://www.gov.uk/api/content/government/publications/better-leadership-for-tomorrow-nhs-leadership-review"]
    assert [a.url for a in rose.attachments] == [
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/445738/Lord_Rose_NHS_Report_acc.pdf"
    ]
    assert rose.attachments[0].content_type == "application/pdf"
    response = parsed["https://www.gov.uk/api/content/government/publications/kark-review-of-the-fit-and-proper-persons-test-government-response"]
    assert (response.document_type, response.published_on) == ("government_response", date(2019, 8, 16))


def test_pdf_report_pages(parsed):
    pdf = parsed["https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/445738/Lord_Rose_NHS_Report_acc.pdf"]
    assert pdf.document_type == "pdf" and pdf.title == "Better leadership for tomorrow: NHS leadership review"
    assert pdf.has_text and all(b.page for b in pdf.blocks)
    assert [b.page for b in pdf.blocks] == sorted(b.page for b in pdf.blocks)


# --- SourceAdapter's defaults, the registry, and DHSC's follow() ---------------------------------------------


class Almanac(SourceAdapter):
    """A publisher made of its declaration only."""

    source = Source(name="almanac", title="The Almanac", base_url="https://almanac.example",
                    hosts=frozenset({"almanac.example"}), speaker="independent", publisher="The Almanac")


def _capture(url: str, body: bytes, content_type: str) -> Capture:
    return Capture(url=url, fetched_at=datetime(2024, 3, 25, tzinfo=timezone.utc), status=200,
                   content_type=content_type, body=body)


def test_an_adapter_of_constants_reads_html_and_pdf_by_the_shared_paths_and_refuses_json():
    almanac = Almanac()
    page = almanac.parse(_capture("https://almanac.example/reports/board-pay",
                                  b"<html><head><title>Board pay</title></head><body><main><h1>Board pay</h1>"
                                  b"<p>Published 4 March 2024.</p><p>Pay is reviewed.</p>"
                                  b'<a href="/files/board-pay.pdf">Report (PDF)</a></main></body></html>',
                                  "text/html; charset=utf-8"))
    assert (page.source, page.document_type, page.title) == ("almanac", "web_page", "Board pay")
    assert [a.url for a in page.attachments] == ["https://almanac.example/files/board-pay.pdf"]
    pdf = almanac.parse(_capture("https://almanac.example/files/board-pay.pdf",
                                 render_pdf_spec("%title Board pay\n%page\n# Board pay\n\nPay is reviewed.\n"),
                                 "application/pdf"))
    assert (pdf.source, pdf.document_type, pdf.title) == ("almanac", "pdf", "Board pay")
    with pytest.raises(UnsupportedDocument, match="expected HTML"):
        almanac.parse(_capture("https://almanac.example/api/x", b'{"a": 1}', "application/json"))
    assert almanac.owns("https://almanac.example/x") and not almanac.owns("https://elsewhere.example/x")


def test_every_adapter_follows_the_pdf_attachments_of_a_page_and_nothing_else_by_default():
    page = Publication(url="https://almanac.example/r", source="almanac", title="R", published_on=None,
                       document_type="web_page", blocks=[], attachments=(
        Attachment("https://almanac.example/files/a.pdf"),
        Attachment("https://almanac.example/download?id=7", content_type="application/pdf"),
        Attachment("https://almanac.example/annex.html", content_type="text/html"),
    ), children=("https://almanac.example/r/chapter-1",))
    assert list(Almanac().follow(page, "https://almanac.example")) == [
        "https://almanac.example/files/a.pdf", "https://almanac.example/download?id=7"]
    assert list(ADAPTERS["kingsfund"].follow(page, "https://www.kingsfund.org.uk")) == [
        "https://almanac.example/files/a.pdf", "https://almanac.example/download?id=7"]


def test_dhsc_follows_govuk_child_pages_through_the_content_api_at_its_base_url(parsed):
    landing = parsed["https://www.gov.uk/api/content/government/publications/kark-review-of-the-fit-and-proper-persons-test"]
    mirror = "http://127.0.0.1:8080"
    child = f"{mirror}/api/content/government/publications/kark-review-of-the-fit-and-proper-persons-test/" \
            "kark-review-of-the-fit-and-proper-persons-test"
    assert list(ADAPTERS["dhsc"].follow(landing, mirror)) == [child]
    rose = parsed["https://www.gov.uk/api/content/government/publications/better-leadership-for-tomorrow-nhs-leadership-review"]
    assert list(ADAPTERS["dhsc"].follow(rose, mirror)) == [a.url for a in rose.attachments]  # its PDF; no children
    assert list(ADAPTERS["nhse"].follow(landing, mirror)) == []  # child pages are GOV.UK's, followed by DHSC only


def test_the_registry_has_an_adapter_for_every_source_the_watchlist_and_other_sites():
    assert set(ADAPTERS) == {*SOURCES, WATCHLIST, "other"}
    assert all(name == adapter.name for name, adapter in ADAPTERS.items())
    assert source_of("https://www.kingsfund.org.uk/x") == "kingsfund"
    assert source_of("https://www.longtermplan.nhs.uk/x") == "other"  # no publisher's: the generic adapter's
    watched = parse_capture(replace(_capture("https://www.longtermplan.nhs.uk/x", b"<h1>Plan</h1><p>Text.</p>",
                                             "text/html"), source=WATCHLIST))
    assert (watched.source, watched.document_type) == (WATCHLIST, "web_page")
