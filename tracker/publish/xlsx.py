"""A small Excel (.xlsx) writer for the exports: text, numbers, dates, links, bold headers, wrapped columns.

openpyxl builds an object per cell and spent about 6 s of an unchanged re-run on the 120,000 cells of the
workbook; the exports need only a fixed handful of styles, so each sheet is written here as one string of
SpreadsheetML. Text goes in as inline strings (never shared strings, never formulas), so a sheet's XML depends
only on its own rows. Reading the file back is openpyxl's job (the tests do), and it reads every style used here.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Sequence

from tracker.parse.text import xml_text

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_REL = REL + "/hyperlink"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# Each style the exports use: (font, number format, wrap, based on the Hyperlink named style).
FONTS = (
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="12"/><name val="Calibri"/><family val="2"/></font>',
    '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/></font>',
)
NUMBER_FORMATS = {164: "yyyy-mm-dd", 165: "yyyy-mm-dd hh:mm:ss", 166: "yyyy-mm-dd hh:mm", 167: "0.0%"}
STYLES: dict[str, tuple[int, int, bool, bool]] = {
    "default": (0, 0, False, False),
    "bold": (1, 0, False, False),
    "title": (2, 0, False, False),
    "heading": (3, 0, False, False),
    "date": (0, 164, False, False),
    "datetime": (0, 165, False, False),
    "minute": (0, 166, False, False),
    "percent": (0, 167, False, False),
    "link": (4, 0, False, True),
    "wrap": (0, 0, True, False),
    "bold wrap": (1, 0, True, False),
}
STYLE_INDEX = {name: i for i, name in enumerate(STYLES)}
EPOCH = datetime(1899, 12, 30)  # Excel's day 0 in the 1900 date system (past its 1900 leap-year bug)


@dataclass
class Sheet:
    """One worksheet. `rows` hold plain values; a cell's style is, in order: `cell_styles[(row, col)]`, the
    column's style for values it fits (text for "wrap", numbers for "percent"), then the value's type (dates).
    Rows and columns count from 0. `links` maps a cell to its target: a URL, or "#'Sheet'!A1" within the book."""

    title: str
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] = ()
    column_styles: Sequence[str | None] = ()
    cell_styles: dict[tuple[int, int], str] = field(default_factory=dict)
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    header: bool = False  # the first row is a header: frozen above the data, and the range has a filter


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _serial(value: date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return repr((value - EPOCH).total_seconds() / 86400)
    return str((value - EPOCH.date()).days)


def _cell(ref: str, value: Any, style: str | None) -> str:
    """One <c> element, or "" for an empty cell with no style."""
    s = f' s="{STYLE_INDEX[style]}"' if style and style != "default" else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if s else ""
    if isinstance(value, str):
        text = _escape(xml_text(value))  # characters Excel refuses are dropped
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s}><v>{_serial(value)}</v></c>'
    if isinstance(value, (int, Decimal)) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return _cell(ref, str(value), style)


def _style_of(value: Any, column_style: str | None) -> str | None:
    if column_style == "wrap":
        return "wrap" if isinstance(value, str) or value is None else None
    if column_style == "percent" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return "percent"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return None


def _sheet_xml(sheet: Sheet, selected: bool) -> tuple[str, list[str]]:
    """The worksheet's XML and the targets of its external links (relationship ids rId1, rId2, ... in order)."""
    width = max((len(row) for row in sheet.rows), default=1)
    letters = [column_letter(i) for i in range(width)]
    column_styles = list(sheet.column_styles) + [None] * (width - len(sheet.column_styles))
    parts = [f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}">']
    last = f"{letters[-1]}{max(len(sheet.rows), 1)}"
    parts.append(f'<dimension ref="A1:{last}"/>')
    view = ' tabSelected="1"' if selected else ""
    if sheet.header:
        parts.append(f'<sheetViews><sheetView{view} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                     'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
                     'sqref="A2"/></sheetView></sheetViews>')
    else:
        parts.append(f'<sheetViews><sheetView{view} workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        parts.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                                        for i, w in enumerate(sheet.widths, start=1)) + "</cols>")
    parts.append("<sheetData>")
    cell_styles, links = sheet.cell_styles, sheet.links
    for r, row in enumerate(sheet.rows):
        n = r + 1
        cells = []
        for c, value in enumerate(row):
            if (r, c) in cell_styles:
                style = cell_styles[(r, c)]
            elif (r, c) in links:
                style = "link"
            elif sheet.header and r == 0:
                style = "bold"
            else:
                style = _style_of(value, column_styles[c])
            cells.append(_cell(f"{letters[c]}{n}", value, style))
        parts.append(f'<row r="{n}">{"".join(cells)}</row>')
    parts.append("</sheetData>")
    if sheet.header:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    external: list[str] = []
    if links:
        parts.append("<hyperlinks>")
        for (r, c), target in sorted(links.items()):
            ref = f"{letters[c]}{r + 1}"
            if target.startswith("#"):
                parts.append(f'<hyperlink ref="{ref}" location="{_attr(target[1:])}"/>')
            else:
                external.append(target)
                parts.append(f'<hyperlink ref="{ref}" r:id="rId{len(external)}"/>')
        parts.append("</hyperlinks>")
    parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')
    return "".join(parts), external


def _rels(targets: list[str]) -> str:
    items = "".join(f'<Relationship Id="rId{i}" Type="{HYPERLINK_REL}" Target="{_attr(t)}" TargetMode="External"/>'
                    for i, t in enumerate(targets, start=1))
    return f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{items}</Relationships>'


def _styles_xml() -> str:
    formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(code)}"/>' for i, code in NUMBER_FORMATS.items())
    xfs = []
    for font, fmt, wrap, linked in STYLES.values():
        applied = (' applyFont="1"' if font else "") + (' applyNumberFormat="1"' if fmt else "")
        alignment = '<alignment wrapText="1" vertical="top"/>' if wrap else ""
        applied += ' applyAlignment="1"' if wrap else ""
        xfs.append(f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="{int(linked)}"{applied}>'
                   f"{alignment}</xf>")
    return (
        f'{XML_HEAD}<styleSheet xmlns="{MAIN}">'
        f'<numFmts count="{len(NUMBER_FORMATS)}">{formats}</numFmts>'
        f'<fonts count="{len(FONTS)}">{"".join(FONTS)}</fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '<xf numFmtId="0" fontId="4" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="2"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        '<cellStyle name="Hyperlink" xfId="1" builtinId="8"/></cellStyles></styleSheet>'
    )


def quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _workbook_xml(sheets: Sequence[Sheet]) -> str:
    entries = "".join(f'<sheet name="{_attr(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f'{_escape(quoted(s.title))}!$A$1:${column_letter(max(len(s.rows[0]), 1) - 1)}${max(len(s.rows), 1)}'
        "</definedName>"
        for i, s in enumerate(sheets) if s.header and s.rows
    )
    return (
        f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>"
    )


def _workbook_rels(count: int) -> str:
    sheets = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                     for i in range(1, count + 1))
    return (f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>')


def _content_types(count: int) -> str:
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ml}.worksheet+xml"/>'
                     for i in range(1, count + 1))
    return (
        XML_HEAD +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>{sheets}'
        f'<Override PartName="/xl/styles.xml" ContentType="{ml}.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )


def _package_rels() -> str:
    return (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )


def _core(title: str, stamp: datetime) -> str:
    when = stamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if stamp.tzinfo else \
        stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        XML_HEAD +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_escape(title)}</dc:title><dc:creator>NHS leadership policy tracker</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>'
    )


def _app() -> str:
    return (XML_HEAD + '<Properties xmlns='
            '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>NHS leadership policy tracker</Application></Properties>")


def write(out: BinaryIO | Path, sheets: Sequence[Sheet], title: str, stamp: datetime) -> None:
    """The workbook, its first sheet active; the same sheets and stamp give the same bytes."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    entries = [("[Content_Types].xml", _content_types(len(sheets))), ("_rels/.rels", _package_rels()),
               ("docProps/core.xml", _core(title, stamp)), ("docProps/app.xml", _app()),
               ("xl/workbook.xml", _workbook_xml(sheets)), ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
               ("xl/styles.xml", _styles_xml())]
    for i, sheet in enumerate(sheets, start=1):
        xml, external = _sheet_xml(sheet, selected=i == 1)
        entries.append((f"xl/worksheets/sheet{i}.xml", xml))
        if external:
            entries.append((f"xl/worksheets/_rels/sheet{i}.xml.rels", _rels(external)))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"))
