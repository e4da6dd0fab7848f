"""PDF into blocks with page numbers (PDFium): headings by font size, running headers and contents pages removed."""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from tracker.errors import TrackerError
from tracker.items import Block
from tracker.parse.text import clean, parse_date

_LIST_START = re.compile(r"^(?:\((\d{1,3})\)|(\d{1,3})[.)])\s+(?=\S)")
_BULLET = re.compile(r"^[-\u2022\u25aa\u25cf\u2013*]\s+")
_DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+\s*$|\s{3,}\d+\s*$")
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s+(of|/)\s+\d{1,4})?$", re.I)
_FOOTNOTE = re.compile(r"^\d{1,2}\s+(source|see|https?:|www\.|ibid)", re.I)


class PdfError(TrackerError, ValueError):
    """The bytes are not a readable PDF (truncated, encrypted, or not a PDF at all)."""


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float
    bold: bool
    page: int
    row: bool = False  # a table row rebuilt from runs set apart on one baseline: text is "cell | cell | ..."


@dataclass
class PdfDocument:
    title: str
    created: object  # date | None
    blocks: list[Block]
    pages: int
    has_text: bool


def _page_lines(textpage, width: float, number: int) -> list[_Line]:
    """Text lines of one page in reading order (left column before right on two-column pages).

    PDFium groups a page's characters into rectangles, one per run of text on a line; each gives
    its text, its position, and (from its first character) the font size and weight.
    """
    lines: list[_Line] = []
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    room = 2 * pdfium_c.FPDFText_CountChars(textpage) + 64  # a run holds at most the page's characters
    buffer = (ctypes.c_ushort * room)()
    for r in range(pdfium_c.FPDFText_CountRects(textpage, 0, -1)):
        pdfium_c.FPDFText_GetRect(textpage, r, left, top, right, bottom)
        text = clean(_bounded_text(textpage, buffer, room, left.value, bottom.value, right.value, top.value))
        if not text:
            continue
        index = pdfium_c.FPDFText_GetCharIndexAtPos(textpage, left.value + 0.5, (top.value + bottom.value) / 2,
                                                     2.0, 2.0)
        size, bold = 0.0, False
        if index >= 0:
            size = pdfium_c.FPDFText_GetFontSize(textpage, index)
            pdfium_c.FPDFText_GetFontInfo(textpage, index, name, len(name), ctypes.byref(flags))
            bold = b"bold" in name.value.lower() or pdfium_c.FPDFText_GetFontWeight(textpage, index) >= 700
        lines.append(_Line(text, left.value, round(top.value), round(size, 1), bold, number))
    # merge runs PDFium split on one printed line (same baseline, touching), then read top to bottom
    lines.sort(key=lambda l: (-l.y, l.x))
    return _column_order(_tables(lines), width)


def _bounded_text(textpage, buffer, room: int, left: float, bottom: float, right: float, top: float) -> str:
    """The text inside a rectangle, in one call into PDFium (pypdfium2's get_text_bounded makes two, the first
    only to learn the length: half the cost of reading a PDF was this); the same text either way."""
    n = pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, room)
    if n >= room:  # never expected; the two-call way has no limit
        return textpage.get_text_bounded(left, bottom, right, top)
    if n > 0 and buffer[n - 1] == 0:  # the count includes the terminating NUL when there was room for it
        n -= 1
    return ctypes.string_at(buffer, 2 * max(n, 0)).decode("utf-16-le", errors="ignore")


def _baselines(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by baseline (top to bottom), each group left to right."""
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and abs(groups[-1][0].y - line.y) <= 1.5:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [sorted(g, key=lambda l: l.x) for g in groups]


def _tables(lines: list[_Line]) -> list[_Line]:
    """Rebuild tables: a run of baselines whose text runs start at the columns a header baseline sets
    (three or more columns, or two of short cells) becomes rows, one _Line each with its cells joined by
    " | "; a baseline with nothing in the first column continues the row above (a wrapped cell)."""
    groups = _baselines(lines)
    out: list[_Line] = []
    i = 0
    while i < len(groups):
        columns = [l.x for l in groups[i]]
        j = i + 1
        while j < len(groups) and _fits(groups[j], columns):
            j += 1
        table = groups[i:j]
        if _is_table(table, columns):
            out.extend(_rows(table, columns))
            i = j
        else:
            out.extend(groups[i])
            i += 1
    return out


def _column_of(line: _Line, columns: list[float]) -> int | None:
    near = min(range(len(columns)), key=lambda k: abs(columns[k] - line.x))
    return near if abs(columns[near] - line.x) <= max(4.0, line.size) else None


def _fits(group: list[_Line], columns: list[float]) -> bool:
    return len(columns) >= 2 and all(_column_of(l, columns) is not None for l in group) and \
        (len(group) >= 2 or _column_of(group[0], columns) != 0)


_NUMBERED_CELL = re.compile(r"^\d{1,2}[.)]?\s+\S")


def _is_table(table: list[list[_Line]], columns: list[float]) -> bool:
    rows = [g for g in table if len(g) >= 2]
    if len(columns) < 2 or len(rows) < 3:
        return False
    # two columns could be a two-column page of prose: a table's rows hold a short value ("6", "Complete") or are
    # numbered ("4 Simplified appraisal | Paused: ...")
    valued = sum(1 for g in rows if any(len(l.text.split()) <= 3 for l in g) or _NUMBERED_CELL.match(g[0].text))
    return len(columns) >= 3 or valued * 2 > len(rows)


def _wrapped(table: list[list[_Line]]) -> list[bool]:
    """For each baseline, whether it continues the row above because it sits closer to it than rows sit to each
    other: only in a table whose rows are set apart (two or more gaps wider than its tightest line spacing), as
    a word processor sets a cell's wrapped lines tight and its rows apart."""
    pitches = [table[k - 1][0].y - table[k][0].y for k in range(1, len(table))]
    if not pitches:
        return [False] * len(table)
    tight = min(pitches)
    if sum(1 for p in pitches if p > tight * 1.3) < 2:
        return [False] * len(table)
    return [False] + [p <= tight * 1.15 for p in pitches]


def _rows(table: list[list[_Line]], columns: list[float]) -> list[_Line]:
    rows: list[tuple[_Line, list[list[str]]]] = []
    for group, wrapped in zip(table, _wrapped(table)):
        cells: list[list[str]] = [[] for _ in columns]
        for line in group:
            cells[_column_of(line, columns)].append(line.text)
        if rows and (wrapped or not cells[0]):  # a wrapped cell: its text belongs to the row above
            for k, part in enumerate(cells):
                rows[-1][1][k].extend(part)
        else:
            rows.append((group[0], cells))
    return [_Line(" | ".join(" ".join(c) for c in cells), first.x, first.y, first.size, first.bold, first.page, True)
            for first, cells in rows]


def _column_order(lines: list[_Line], page_width: float) -> list[_Line]:
    """On a two-column page, read the left column top to bottom, then the right."""
    middle = page_width * 0.45
    right = [l for l in lines if l.x >= middle]
    left = [l for l in lines if l.x < middle]
    if len(right) < 3 or len(left) < 3:
        return lines
    return left + right


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _strip_running(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop running headers/footers (the same text at the top or bottom of most pages) and page numbers."""
    if len(pages) < 2:
        return pages
    edge = Counter()
    for lines in pages:
        for line in {_norm(l.text) for l in lines[:2] + lines[-2:]}:
            edge[line] += 1
    running = {t for t, n in edge.items() if n >= max(2, len(pages) // 2)}
    out = []
    for lines in pages:
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_norm(line.text) in running or _PAGE_NUMBER.match(line.text)):
                continue
            kept.append(line)
        out.append(kept)
    return out


def _is_contents(lines: list[_Line]) -> bool:
    """A contents page: mostly lines that end in dot leaders and a page number."""
    leaders = sum(1 for l in lines if _DOT_LEADER.search(l.text))
    titled = any(l.text.strip().lower() in {"contents", "table of contents"} for l in lines[:3])
    return (titled and leaders >= 1) or (leaders >= 3 and leaders >= len(lines) // 3)


def parse_pdf(data: bytes) -> PdfDocument:
    """Read a PDF's text as blocks; raises PdfError for bytes that are not a readable PDF."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise PdfError("not a PDF (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise PdfError("truncated PDF (no %%EOF marker at the end)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PdfError("encrypted PDF (a password is needed)") from exc
        raise PdfError(f"unreadable PDF: {message}") from exc
    try:
        raw_pages = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            raw_pages.append(_page_lines(textpage, page.get_width(), i + 1))
            textpage.close()
            page.close()
        info = doc.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError as exc:
        raise PdfError(f"unreadable PDF: {exc}") from exc
    finally:
        doc.close()
    title = clean(info.get("Title", ""))
    created = parse_date(_pdf_date(info.get("CreationDate", "")))
    has_text = any(raw_pages)
    pages = [lines for lines in _strip_running(raw_pages) if not _is_contents(lines)]
    blocks = _blocks(pages)
    if not title:
        first = next((b for b in blocks if b.kind == "heading"), None)
        title = first.text if first else ""
    return PdfDocument(title, created, blocks, len(raw_pages), has_text)


def _pdf_date(value: str) -> str:
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else ""


def _runs(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Consecutive lines of one size, close together: a paragraph or a (possibly wrapped) heading."""
    runs: list[list[_Line]] = []
    for lines in pages:
        prev = None
        for line in lines:
            if prev is not None and prev.size == line.size and 0 <= prev.y - line.y <= line.size * 1.6:
                runs[-1].append(line)
            else:
                runs.append([line])
            prev = line
    return runs


def _text_sizes(pages: list[list[_Line]]) -> set[float]:
    """Font sizes that carry running text, judged by how their lines group, not by how common they are.

    A report can set its recommendations larger than its discussion, so "the most common size is
    the body" would take every recommendation for a heading. Running text comes in long runs of
    wrapped lines ending in sentences; headings come in short runs that do not.
    """
    stats: dict[float, list[int]] = {}
    for run in _runs(pages):
        chars = sum(len(l.text) for l in run)
        sentence = run[-1].text.rstrip().endswith((".", ";", ":", "?", "!"))
        st = stats.setdefault(run[0].size, [0, 0, 0])
        st[0] += 1
        st[1] += chars
        words = sum(len(l.text.split()) for l in run)
        st[2] += 1 if sentence and (len(run) >= 2 or words >= 6) else 0
    sizes = {size for size, (runs, chars, texty) in stats.items() if chars / runs >= 140 or texty >= max(1, runs * 0.3)}
    if not sizes and stats:
        sizes = {max(stats, key=lambda k: stats[k][1])}
    return sizes


def _blocks(pages: list[list[_Line]]) -> list[Block]:
    sizes = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    if not sizes:
        return []
    text_sizes = _text_sizes(pages)
    body = min(text_sizes)
    heading_sizes = sorted({l.size for ls in pages for l in ls if l.size > body + 0.9 and l.size not in text_sizes},
                           reverse=True)
    blocks: list[dict] = []
    for lines in pages:
        prev: _Line | None = None
        for line in lines:
            if not (_FOOTNOTE.match(line.text) and line.size < body):
                _place(blocks, line, prev, _heading_level(line, body, heading_sizes))
            prev = line
    return [Block(b["kind"], clean(b["text"]), level=b["level"], label=b["label"], page=b["page"]) for b in blocks]


def _place(blocks: list[dict], line: _Line, prev: _Line | None, level: int) -> None:
    """Add one line to the blocks: a table row, a heading (joined to the heading line above it), a list
    item, the rest of the paragraph above, or a new paragraph."""
    text = line.text

    def new(kind: str, body: str, depth: int = 0, label: str = "") -> None:
        blocks.append({"kind": kind, "text": body, "level": depth, "label": label, "page": line.page})

    if line.row:
        new("table_row", text)
    elif level:
        if blocks and blocks[-1]["kind"] == "heading" and prev is not None and prev.size == line.size \
                and blocks[-1]["page"] == line.page:
            blocks[-1]["text"] += " " + text
        else:
            new("heading", text, level)
    elif (m := _LIST_START.match(text)):
        new("list_item", text[m.end():], 0, m.group(1) or m.group(2))
    elif (m := _BULLET.match(text)):
        new("list_item", text[m.end():], 1)
    elif blocks and blocks[-1]["kind"] not in ("heading", "table_row") and \
            _continues(blocks[-1], prev, line, (prev.y - line.y) if prev else None):
        blocks[-1]["text"] = _join(blocks[-1]["text"], text)
    else:
        new("paragraph", text)


def _heading_level(line: _Line, body: float, heading_sizes: list[float]) -> int:
    if line.size in heading_sizes and len(line.text) < 200:
        return min(heading_sizes.index(line.size) + 1, 6)
    if line.bold and len(line.text) < 120 and not line.text.endswith((".", ",", ";")):
        return len(heading_sizes) + 1
    return 0


def _continues(block: dict, prev: _Line | None, line: _Line, gap: float | None) -> bool:
    if prev is None:
        # First line of a page: it continues the last block when that block stopped mid-sentence.
        return not block["text"].rstrip().endswith((".", "!", "?", ":", ";")) or line.text[:1].islower()
    if prev.size != line.size:
        return False
    return gap is not None and gap <= line.size * 1.6


def _join(left: str, right: str) -> str:
    if re.search(r"[A-Za-z]-$", left) and right[:1].islower():
        return left[:-1] + right
    return left + " " + right
