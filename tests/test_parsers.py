"""Parsers: HTML roles and numbering, PDF structure, GOV.UK Content API items."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from support import SHARED
from tracker.items import Capture
from tracker.parse.govuk import NotGovukContent, parse_content_item
from tracker.parse.html import content_root, decode_html, html_to_blocks, parse_document
from tracker.parse.pdf import PdfError, parse_pdf
from tracker.samplegen import render_pdf_spec
from tracker.sources import parse_capture, source_of

PAGE = """<html><head><title>T</title></head><body>
<div id="webArchiveInfobox">This page was captured by the archive; recommendation 3 has been implemented.</div>
<header class="site-header"><nav><a href="/">Home</a></nav></header>
<main><h1>Progress on leadership</h1>
<p>Intro with <strong>bold</strong> text.</p>
<ol start="3"><li>Third item<ul><li>a sub-point</li></ul></li><li>Fourth item</li></ol>
<ul><li>7) Grouped item seven</li></ul>
<blockquote><p>A quoted view.</p></blockquote>
<table><tr><th>Rec</th><th>Status</th></tr><tr><td>1</td><td>Done</td></tr></table>
<section class="comments"><article class="comment"><p>A reader says things.</p></article></section>
</main><footer>Copyright</footer></body></html>"""


def test_html_blocks_keep_structure_numbering_and_roles():
    blocks = [(b.kind, b.text, b.level, b.label, b.role) for b in html_to_blocks(PAGE)]
    assert ("heading", "Progress on leadership", 1, "", "body") in blocks
    assert ("paragraph", "Intro with bold text.", 0, "", "body") in blocks
    assert ("list_item", "Third item", 0, "#3", "body") in blocks
    assert ("list_item", "a sub-point", 1, "", "body") in blocks
    assert ("list_item", "Fourth item", 0, "#4", "body") in blocks
    assert ("list_item", "7) Grouped item seven", 0, "7", "body") in blocks
    assert ("paragraph", "A quoted view.", 0, "", "quote") in blocks
    assert ("table_row", "Rec | Status", 0, "", "body") in blocks
    assert ("paragraph", "A reader says things.", 0, "", "comment") in blocks
    assert ("paragraph", "This page was captured by the archive; recommendation 3 has been implemented.", 0, "",
            "banner") in blocks
    assert not any(b[1] == "Home" for b in blocks)  # navigation is dropped


def test_decoding_prefers_valid_utf8_over_a_wrong_header():
    body = "Management \u2019s \u00a3".encode("utf-8")
    assert decode_html(body, "text/html; charset=iso-8859-1") == "Management \u2019s \u00a3"
    assert decode_html("caf\u00e9".encode("cp1252"), "text/html") == "caf\u00e9"


def capture(url, body, ctype, published=None):
    return Capture(url=url, fetched_at=datetime(2026, 1, 5, tzinfo=timezone.utc), status=200,
                   content_type=ctype, body=body, published_hint=published)


def test_archived_nhsi_page_drops_the_banner_and_keeps_the_archive_url():
    url = "https://webarchive.nationalarchives.gov.uk/ukgwa/20190503120000/https://improvement.nhs.uk/resources/x/"
    pub = parse_capture(capture(url, PAGE.replace("<main>", "<div>").replace("</main>", "</div>").encode(),
                                "text/html"))
    assert source_of(url) == "nhsi" and pub.source == "nhsi" and pub.url == url
    assert all(b.role != "banner" for b in pub.blocks)
    assert any(b.role == "comment" for b in pub.blocks)


@pytest.mark.parametrize(
    "url, source",
    [
        ("https://www.gov.uk/api/content/government/publications/x", "dhsc"),
        ("https://assets.publishing.service.gov.uk/media/x.pdf", "dhsc"),
        ("https://www.kingsfund.org.uk/insight-and-analysis/blogs/x", "kingsfund"),
        ("https://nhsproviders.org/resources/briefings/x", "nhsproviders"),
        ("https://webarchive.nationalarchives.gov.uk/ukgwa/20200101000000/https://improvement.nhs.uk/x", "nhsi"),
        ("https://webarchive.nationalarchives.gov.uk/ukgwa/20200101000000/https://www.cqc.org.uk/x", "other"),
        ("https://www.longtermplan.nhs.uk/online-version/", "other"),
    ],
)
def test_source_of(url, source):
    assert source_of(url) == source


SPEC = """%title Test review of board leadership
%header Test review of board leadership
%page
# Test review of board leadership

%page
# Contents

Introduction ........................................ 3

Recommendations ..................................... 3

%page
# Recommendations

1. The national bodies should publish one framework for board development
that every trust can use.

2. Every trust should report on board training each year.
"""


def test_pdf_structure_pages_headers_contents_and_hyphenation():
    doc = parse_pdf(render_pdf_spec(SPEC, created=date(2019, 2, 6)))
    assert doc.title == "Test review of board leadership" and doc.created == date(2019, 2, 6)
    assert doc.pages == 3 and doc.has_text
    texts = [(b.kind, b.text, b.label, b.page) for b in doc.blocks]
    assert not any("Contents" in t[1] or "....." in t[1] for t in texts)  # contents page removed
    # the running header is not repeated as body text on every page
    assert sum(1 for t in texts if t[1] == "Test review of board leadership") <= 1
    items = [t for t in texts if t[0] == "list_item"]
    assert items[0] == ("list_item",
                        "The national bodies should publish one framework for board development that every trust can "
                        "use.", "1", 3)
    assert items[1][2:] == ("2", 3)


def test_pdf_line_end_hyphens_are_joined_only_inside_words():
    from tracker.parse.pdf import _join

    assert _join("board develop-", "ment plans") == "board development plans"
    assert _join("long-", "Term Plan") == "long- Term Plan"  # a capital starts a new word
    assert _join("ends here", "next line") == "ends here next line"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not a PDF"),
        (b"<html>pdf?</html>", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj truncated", "truncated PDF"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> nonsense\n%%EOF", "unreadable PDF"),
    ],
)
def test_broken_pdfs_raise_a_clear_error(data, message):
    with pytest.raises(PdfError, match=message):
        parse_pdf(data)


ITEM = {
    "base_path": "/government/publications/a-review",
    "title": "A review",
    "description": "Summary.",
    "document_type": "independent_report",
    "schema_name": "publication",
    "first_published_at": "2019-02-06T09:30:00.000+00:00",
    "public_updated_at": "2019-03-01T10:00:00.000+00:00",
    "details": {
        "body": "<div class='govspeak'><h2 id='r'>Recommendations</h2><ol><li>Do one thing.</li><li>Do "
                "another.</li></ol></div>",
        "attachments": [{"attachment_type": "file", "id": "1", "title": "Full report", "url": "/media/abc/report.pdf",
                         "content_type": "application/pdf"}],
    },
    "links": {"children": [{"base_path": "/government/publications/a-review/html-version", "title": "HTML"}],
              "organisations": [{"title": "Department of Health and Social Care"}]},
}


def test_content_item_reads_attachments_children_and_dates():
    pub = parse_content_item(json.dumps(ITEM))
    assert pub.url == "https://www.gov.uk/government/publications/a-review"
    assert (pub.published_on, pub.updated_on) == (date(2019, 2, 6), date(2019, 3, 1))
    assert [a.url for a in pub.attachments] == ["https://www.gov.uk/media/abc/report.pdf"]
    assert pub.children == ("https://www.gov.uk/government/publications/a-review/html-version",)
    assert [(b.kind, b.label) for b in pub.blocks] == [("heading", ""), ("list_item", "#1"), ("list_item", "#2")]
    assert pub.authors == ("Department of Health and Social Care",)


@pytest.mark.parametrize("data", ['{"results": []}', "[1, 2]", "not json", '{"base_path": 3, "title": "x"}'])
def test_json_of_another_shape_is_rejected(data):
    with pytest.raises(NotGovukContent):
        parse_content_item(data)


@pytest.mark.skipif(not (SHARED / "reference" / "govuk").exists(), reason="../shared/reference/govuk is not present")
def test_shared_govuk_reference_items_all_parse():
    folder = SHARED / "reference" / "govuk"
    items = [p for p in sorted(folder.glob("*.json")) if not p.name.startswith(("schema--", "search-api--"))]
    assert items
    for path in items:
        data = json.loads(path.read_text(encoding="utf-8"))
        pub = parse_content_item(data)
        assert pub.url == "https://www.gov.uk" + data["base_path"] and pub.title
        assert pub.published_on is not None, path.name
        for att in (data.get("details") or {}).get("attachments") or []:
            assert any(a.url.endswith(att["url"].split("/")[-1]) for a in pub.attachments), path.name
        if (data.get("details") or {}).get("body"):
            assert pub.blocks, path.name


def two_column_pdf() -> bytes:
    """Three pages: a cover, a contents page, then a page of two columns, each with a running header."""
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self):
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 5, "Board leadership: a test report", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, f"Page {self.page_no()}", align="C")

    pdf = Pdf(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.text(20, 60, "Board leadership: a test report")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.text(20, 30, "Contents")
    pdf.set_font("Helvetica", "", 10)
    pdf.text(20, 45, "Summary ........................................ 3")
    pdf.text(20, 52, "Recommendations ................................ 3")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    left = ["Left column opens the argument.", "Left column continues it.", "Left column ends here."]
    right = ["Right column starts later.", "Right column goes on.", "Right column closes."]
    for i, (l, r) in enumerate(zip(left, right)):
        pdf.text(20, 40 + i * 8, l)
        pdf.text(115, 40 + i * 8, r)
    return bytes(pdf.output())


def test_two_column_pdf_reads_left_column_first_without_headers_or_contents():
    doc = parse_pdf(two_column_pdf())
    assert doc.pages == 3
    texts = [b.text for b in doc.blocks if b.page == 3]
    joined = " ".join(texts)
    order = [joined.index(s) for s in ("Left column opens", "Left column ends", "Right column starts",
                                       "Right column closes")]
    assert order == sorted(order), joined
    everything = " ".join(b.text for b in doc.blocks)
    assert "Contents" not in everything and "......" not in everything
    assert "Board leadership: a test report" not in " ".join(texts)  # running header removed
    assert not any(t.startswith("Page ") for t in texts)  # footers removed


PROGRESS_TABLE = """%title Progress annex
%page
# Annex: where each recommendation stands

%font 9
Ref  Recommendation                          Decision        Position now
1    A shared register of board members      Accepted        Complete. Register live since May.
2    Yearly appraisal against one standard   Accepted        In progress. Pilot in two regions.
     for every director
3    A pooled national budget                Not accepted    Not being taken forward.

Closing words after the table, as an ordinary paragraph.
"""

COUNTS_TABLE = """%page
# Summary
Status            Recommendations
Implemented       6
In progress       7
Not started       2
"""


def test_a_pdf_table_is_read_as_rows_of_cells_with_wrapped_cells_joined():
    doc = parse_pdf(render_pdf_spec(PROGRESS_TABLE))
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert rows == [
        "Ref | Recommendation | Decision | Position now",
        "1 | A shared register of board members | Accepted | Complete. Register live since May.",
        "2 | Yearly appraisal against one standard for every director | Accepted | In progress. Pilot in two regions.",
        "3 | A pooled national budget | Not accepted | Not being taken forward.",
    ]
    kinds = [(b.kind, b.text[:13]) for b in doc.blocks]
    assert kinds.index(("paragraph", "Closing words")) > kinds.index(("table_row", "3 | A pooled "))


def test_a_two_column_table_of_short_values_is_a_table_and_prose_columns_are_not():
    rows = [b.text for b in parse_pdf(render_pdf_spec(COUNTS_TABLE)).blocks if b.kind == "table_row"]
    assert rows == ["Status | Recommendations", "Implemented | 6", "In progress | 7", "Not started | 2"]


def test_printable_replaces_c0_and_c1_controls_and_keeps_layout_only_when_asked():
    from tracker.parse.text import printable

    text = "a\x1b]0;title\x07b\x9b2Jc\r\td\ne\x7f"
    assert printable(text) == "a\ufffd]0;title\ufffdb\ufffd2Jc\ufffd\ufffdd\ufffde\ufffd"
    assert printable(text, multiline=True) == "a\ufffd]0;title\ufffdb\ufffd2Jc\ufffd\td\ne\ufffd"
    assert printable("£ café — ok") == "£ café — ok" and printable(None) is None


def test_a_title_with_an_escape_sequence_is_stored_printable():
    page = b"<html><head><title>Board \x1b]0;pwned\x07update \xc2\x9b2J</title></head><body><p>x</p></body></html>"
    publication = parse_capture(Capture("https://nhsproviders.org/news/x", datetime(2024, 1, 1, tzinfo=timezone.utc),
                                        200, "text/html; charset=utf-8", page))
    assert "pwned" in publication.title and not any(0x80 <= ord(c) <= 0x9f or ord(c) < 0x20
                                                     for c in publication.title), repr(publication.title)


def test_a_stage_detail_quoting_a_source_is_printed_printable(monkeypatch):
    import io

    from tracker import progress

    monkeypatch.setattr(progress, "_reporter", None)  # the reporter before the test comes back after it
    stream = io.StringIO()
    progress.report_to(stream, verbose=True)
    with progress.stage("fetch") as st:
        st.detail("kingsfund: DEGRADED: challenge page \x1b]0;pwned\x07")
    assert "pwned" in stream.getvalue() and "\x1b" not in stream.getvalue() and "\x07" not in stream.getvalue()


def test_page_text_never_carries_control_characters():
    blocks = html_to_blocks(decode_html(
        b"<html><body><main><h2>Heading \x1b[2J</h2><p>We accept \x1b]8;;http://evil/\x07this\x1b]8;;\x07 "
        b"in full.\xc2\x9b</p></main></body></html>", "text/html; charset=utf-8"))
    texts = " | ".join(b.text for b in blocks)
    assert "We accept" in texts and not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in texts), repr(texts)


def test_a_pdf_runs_text_read_in_one_call_is_pypdfium2s_text_for_every_run():
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from tracker.parse.pdf import _bounded_text

    doc = pdfium.PdfDocument(two_column_pdf())
    compared = 0
    try:
        for i in range(len(doc)):
            textpage = doc[i].get_textpage()
            room = 2 * pdfium_c.FPDFText_CountChars(textpage) + 64
            buffer = (ctypes.c_ushort * room)()
            left, bottom, right, top = (ctypes.c_double() for _ in range(4))
            for r in range(pdfium_c.FPDFText_CountRects(textpage, 0, -1)):
                pdfium_c.FPDFText_GetRect(textpage, r, left, top, right, bottom)
                box = (left.value, bottom.value, right.value, top.value)
                assert _bounded_text(textpage, buffer, room, *box) == textpage.get_text_bounded(*box)
                assert _bounded_text(textpage, buffer, 4, *box)[:3] == textpage.get_text_bounded(*box)[:3]
                compared += 1
    finally:
        doc.close()
    assert compared > 10


SPACED_TABLE = """%page
# Where each commitment stands

%font 9
Commitment                                 Status         Commentary

A register of every board member           Delivered      Live since May

Support for leaders in the most            In progress    A support offer for new chief
challenged organisations                                  executives is being piloted

A national code of behaviour               Superseded     Replaced by the compact

%font 10
Closing words after the table.
"""


def test_a_pdf_table_whose_rows_are_set_apart_joins_each_rows_wrapped_lines():
    """Rows set apart by space, each cell's wrapped lines set tight (first column included): a wrapped line
    belongs to its row; the spec's blank lines between rows are the space between them, not new paragraphs."""
    rows = [b.text for b in parse_pdf(render_pdf_spec(SPACED_TABLE)).blocks if b.kind == "table_row"]
    assert rows == [
        "Commitment | Status | Commentary",
        "A register of every board member | Delivered | Live since May",
        "Support for leaders in the most challenged organisations | In progress | A support offer for new chief "
        "executives is being piloted",
        "A national code of behaviour | Superseded | Replaced by the compact",
    ]


def test_a_table_that_lays_out_a_page_is_read_as_the_page():
    """A cell that holds a heading or paragraphs is a container, not a data cell: its blocks are the page's."""
    html = ("<html><body><table><tr><td><ul><li>News</li><li>Contact</li></ul></td><td><h1>Review published</h1>"
            "<p>The review was published today.</p><p>It makes seven recommendations.</p></td></tr></table>"
            "<table><tr><th>Rec</th><th>Status</th></tr><tr><td>1</td><td><p>Done</p></td></tr></table>"
            "</body></html>")
    blocks = [(b.kind, b.text) for b in html_to_blocks(content_root(parse_document(html)))]
    assert ("heading", "Review published") in blocks and ("paragraph", "It makes seven recommendations.") in blocks
    assert ("table_row", "1 | Done") in blocks and not any("Review published" in t for k, t in blocks
                                                            if k == "table_row")


NUMBERED_TWO_COLUMNS = """%page
# Where the recommendations stand

%font 9
Recommendation                              Status at December 2025

3 Management standards and training         Partly implemented: standards published, training still to come

4 A simplified standard appraisal           Paused: redesign halted during the restructuring

7 Incentives for challenged places          Not started
"""


def test_a_two_column_pdf_table_of_numbered_rows_is_a_table():
    rows = [b.text for b in parse_pdf(render_pdf_spec(NUMBERED_TWO_COLUMNS)).blocks if b.kind == "table_row"]
    assert rows[1:] == ["3 Management standards and training | Partly implemented: standards published, training "
                        "still to come", "4 A simplified standard appraisal | Paused: redesign halted during the "
                        "restructuring", "7 Incentives for challenged places | Not started"]


def test_main_content_beside_a_main_that_holds_only_the_title_is_read():
    """A <main> with the title and a line, and the document itself in a viewer after it: the page is the body (its
    furniture still dropped); a <main> that holds the page keeps everything beside it out."""
    minutes = "".join(f"<tr><td>{n}</td><td><p>Item {n} was discussed at some length by the members of the board, "
                      f"who noted the report and agreed the actions that follow from it.</p></td></tr>"
                      for n in range(1, 9))
    html = (f"<html><body><nav><p>{'Menu text. ' * 40}</p></nav><main><h1>Minutes</h1><p>Held on 1 July.</p></main>"
            f"<div class='viewer'><table>{minutes}</table></div></body></html>")
    blocks = html_to_blocks(content_root(parse_document(html)))
    assert sum(1 for b in blocks if b.kind == "table_row") == 8 and not any("Menu" in b.text for b in blocks)
    html = ("<html><body><main><h1>Minutes</h1>" + "<p>The board met and discussed its business at length.</p>" * 10
            + "</main><div class='promo'><p>" + "Other things to read. " * 30 + "</p></div></body></html>")
    assert not any("Other things" in b.text for b in html_to_blocks(content_root(parse_document(html))))


def test_a_spec_table_whose_cells_are_two_spaces_apart_but_not_lined_up_is_still_a_table():
    spec = """%page
# Where things stand

%font 9
Recommendation  Status  Comment
1. A shared register of board members  In progress  Pilot running in two regions
2. A yearly appraisal  Not started  No owner named
3. A pooled budget  Paused  Stopped in March
"""
    rows = [b.text for b in parse_pdf(render_pdf_spec(spec)).blocks if b.kind == "table_row"]
    assert rows == ["Recommendation | Status | Comment",
                    "1. A shared register of board members | In progress | Pilot running in two regions",
                    "2. A yearly appraisal | Not started | No owner named",
                    "3. A pooled budget | Paused | Stopped in March"]
