"""The small Excel writer behind tracker.xlsx, read back by openpyxl (what an analyst's Excel would see)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from tracker.publish import xlsx

STAMP = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def _book(*sheets: xlsx.Sheet) -> bytes:
    out = io.BytesIO()
    xlsx.write(out, sheets, "A test book", STAMP)
    return out.getvalue()


def _table() -> xlsx.Sheet:
    rows = [
        ["name", "when", "at", "share", "note", "url"],
        ["plain", date(2019, 2, 6), datetime(2024, 5, 1, 13, 45, 30, 250000), 0.368, " padded ", "https://x.test/a?b=1&c=2"],
        ["=SUM(1+1)", None, None, Decimal("0.5"), "x" * 70, None],
        ["flag", date(1900, 3, 1), None, 7, "a\x07b<c>&d", "https://x.test/quote\"d"],
    ]
    links = {(1, 5): rows[1][5], (3, 5): rows[3][5]}
    return xlsx.Sheet("Evidence's sheet", rows, widths=[12, 10, 20, 8, 60, 30],
                      column_styles=[None, None, None, "percent", "wrap", None], links=links, header=True)


def test_values_types_and_styles_read_back_as_written():
    wb = load_workbook(io.BytesIO(_book(_table())))
    ws = wb["Evidence's sheet"]
    assert [c.value for c in ws[1]] == ["name", "when", "at", "share", "note", "url"]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F4"
    assert ws["B2"].value == datetime(2019, 2, 6) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == datetime(2024, 5, 1, 13, 45, 30, 250000)
    assert ws["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["B4"].value == datetime(1900, 3, 1)  # past Excel's 1900 leap-year bug
    assert ws["D2"].value == 0.368 and ws["D2"].number_format == "0.0%" and ws["D4"].value == 7
    assert ws["E2"].value == " padded "  # spaces kept
    assert ws["A3"].value == "=SUM(1+1)" and ws["A3"].data_type == "s"  # text, never a formula
    assert ws["E4"].value == "ab<c>&d"  # a control character Excel refuses is dropped
    assert ws["E3"].alignment.wrap_text and ws["E3"].alignment.vertical == "top"
    assert not ws["A2"].alignment.wrap_text
    assert ws["F2"].hyperlink.target == "https://x.test/a?b=1&c=2" and ws["F2"].style == "Hyperlink"
    assert ws["F4"].hyperlink.target == 'https://x.test/quote"d'
    assert ws["A2"].hyperlink is None
    assert ws.column_dimensions["E"].width == 60 and ws.column_dimensions["A"].width == 12


def test_internal_links_cell_styles_and_the_first_sheet_active():
    cover = xlsx.Sheet("About", [["Title"], [], ["Evidence's sheet", "file.csv"]],
                       cell_styles={(0, 0): "title", (2, 1): "bold wrap"},
                       links={(2, 0): "#" + xlsx.quoted("Evidence's sheet") + "!A1"})
    wb = load_workbook(io.BytesIO(_book(cover, _table())))
    assert wb.sheetnames == ["About", "Evidence's sheet"] and wb.active.title == "About"
    ws = wb["About"]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["B3"].font.b and ws["B3"].alignment.wrap_text
    assert ws["A3"].hyperlink.location == "'Evidence''s sheet'!A1"
    assert wb.properties.title == "A test book" and wb.properties.created == datetime(2026, 3, 2, 9, 30)


def test_every_part_is_well_formed_xml_and_the_same_input_gives_the_same_bytes():
    body = _book(_table())
    assert body == _book(_table())
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml" and "xl/worksheets/_rels/sheet1.xml.rels" in names
        for name in names:
            etree.fromstring(zf.read(name))  # raises on anything malformed
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert 'xml:space="preserve"' in sheet and "sharedStrings" not in " ".join(names)


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (702, "AAA")])
def test_column_letters(index, letters):
    assert xlsx.column_letter(index) == letters


def test_a_book_needs_a_sheet():
    with pytest.raises(ValueError):
        xlsx.write(io.BytesIO(), [], "empty", STAMP)
