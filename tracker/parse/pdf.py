"""PDF into blocks with page numbers: headings by font size, running headers and contents pages removed."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader

from tracker.items import Block
from tracker.parse.text import clean, parse_date

logging.getLogger("pypdf").setLevel(logging.ERROR)

_LIST_START = re.compile(r"^(?:\((\d{1,3})\)|(\d{1,3})[.)])\s+(?=\S)")
_BULLET = re.compile(r"^[-\u2022\u25aa\u25cf\u2013*]\s+")
_DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+\s*$|\s{3,}\d+\s*$")
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s+(of|/)\s+\d{1,4})?$", re.I)
_FOOTNOTE = re.compile(r"^\d{1,2}\s+(source|see|https?:|www\.|ibid)", re.I)


class PdfError(ValueError):
    """The bytes are not a readable PDF (truncated, encrypted, or not a PDF at all)."""


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float
    bold: bool
    page: int


@dataclass
class PdfDocument:
    title: str
    created: object  # date | None
    blocks: list[Block]
    pages: int
    has_text: bool


def _page_lines(page, number: int) -> list[_Line]:
    fragments: list[tuple[float, float, float, bool, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        a, b, c, d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        x = a * 0 + c * 0 + e
        y = f
        # The text matrix is applied before the current transformation matrix.
        gx = x * ca + y * cc + ce
        gy = x * cb + y * cd + cf
        scale = abs(d * cd) or abs(d) or 1.0
        base = str((font_dict or {}).get("/BaseFont", ""))
        for i, part in enumerate(text.split("\n")):
            if part.strip():
                fragments.append((gx, gy - i * font_size * scale, font_size * scale, "Bold" in base, part))

    page.extract_text(visitor_text=visit)
    rows: dict[int, list] = {}
    for x, y, size, bold, text in fragments:
        rows.setdefault(round(y), []).append((x, size, bold, text))
    lines = []
    for y in sorted(rows, reverse=True):
        parts = sorted(rows[y], key=lambda p: p[0])
        text = clean(" ".join(p[3] for p in parts))
        if text:
            size = max(p[1] for p in parts)
            lines.append(_Line(text, parts[0][0], float(y), round(size, 1), all(p[2] for p in parts), number))
    return lines


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
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfError("encrypted PDF")
        raw_pages = [_page_lines(page, i) for i, page in enumerate(reader.pages, start=1)]
        info = reader.metadata or {}
    except PdfError:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise PdfError(f"unreadable PDF: {exc.__class__.__name__}: {exc}") from exc
    title = clean(str(info.get("/Title", "") or ""))
    created = parse_date(_pdf_date(str(info.get("/CreationDate", "") or "")))
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


def _blocks(pages: list[list[_Line]]) -> list[Block]:
    sizes = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    heading_sizes = sorted({l.size for ls in pages for l in ls if l.size > body + 0.9}, reverse=True)
    blocks: list[dict] = []
    for lines in pages:
        prev: _Line | None = None
        for line in lines:
            text = line.text
            level = _heading_level(line, body, heading_sizes)
            if _FOOTNOTE.match(text) and line.size < body:
                prev = line
                continue
            gap = (prev.y - line.y) if prev else None
            if level:
                if blocks and blocks[-1]["kind"] == "heading" and prev is not None and prev.size == line.size and blocks[-1]["page"] == line.page:
                    blocks[-1]["text"] += " " + text
                else:
                    blocks.append({"kind": "heading", "text": text, "level": level, "label": "", "page": line.page})
            elif (m := _LIST_START.match(text)):
                label = m.group(1) or m.group(2)
                blocks.append({"kind": "list_item", "text": text[m.end():], "level": 0, "label": label, "page": line.page})
            elif (m := _BULLET.match(text)):
                blocks.append({"kind": "list_item", "text": text[m.end():], "level": 1, "label": "", "page": line.page})
            elif blocks and blocks[-1]["kind"] != "heading" and _continues(blocks[-1], prev, line, gap):
                blocks[-1]["text"] = _join(blocks[-1]["text"], text)
            else:
                blocks.append({"kind": "paragraph", "text": text, "level": 0, "label": "", "page": line.page})
            prev = line
    return [Block(b["kind"], clean(b["text"]), level=b["level"], label=b["label"], page=b["page"]) for b in blocks]


def _heading_level(line: _Line, body: float, heading_sizes: list[float]) -> int:
    if line.size > body + 0.9 and len(line.text) < 200:
        return min(heading_sizes.index(line.size) + 1, 6) if line.size in heading_sizes else 1
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
