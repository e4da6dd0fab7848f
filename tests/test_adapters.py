"""Each publisher's adapter on the sample's pages (written for this project in the publishers' shapes).

The captures are parsed without the manifest's date hint, so dates come from the pages themselves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from helpers import SAMPLE_WARC
from tracker.fetch.archive import iter_records, read_capture
from tracker.sources import parse_capture


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
    assert fields(pub) == ("kingsfund", "blog", "The fit and proper persons test: will the Kark review make a difference?",
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
    assert fields(chapter)[:4] == ("nhsproviders", "report_chapter", "Progress on the Messenger review", date(2023, 6, 20))
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
