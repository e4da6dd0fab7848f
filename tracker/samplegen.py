"""Developer tool: render PDF text specs and build the bundled sample WARC from sample/manifest.toml.

Needs fpdf2 (a dev dependency). The archive it writes is committed, so the demo and the tests read
the sample through the same replay path as a live crawl.
"""

from __future__ import annotations

import html
import re
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

from tracker.fetch.archive import ArchiveWriter, parse_warc_date
from tracker.parse.text import parse_date

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
# fpdf2's core fonts are Latin-1: typographic punctuation is set as its plain equivalent
LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2022": "-", "\u2026": "...", "\u00a0": " ", "\u2212": "-"})


def render_pdf_spec(spec: str, created: date | None = None) -> bytes:
    """Render the sample's PDF markup (%title, %header, %page, %font N, #/##/### headings, '- ' bullets).

    `%font N` sets the size of the paragraphs and bullets that follow (10 by default), so a spec can
    set recommendation text larger than the discussion around it. Lines set in columns (cells two or more
    spaces apart) are a table, whose rows may be set apart by blank lines.
    """
    writer = _SpecWriter(_new_pdf())
    for raw in _table_rows_joined([line.rstrip() for line in spec.translate(LATIN1).splitlines()]):
        writer.line(raw)
    writer.flush()
    pdf = writer.pdf
    if writer.title:
        pdf.set_title(writer.title)
    # A fixed creation date keeps the rendered bytes reproducible from one build to the next.
    pdf.set_creation_date(datetime.combine(created or date(2000, 1, 1), datetime.min.time(), timezone.utc))
    return bytes(pdf.output())


def _new_pdf():
    """An A4 FPDF with a running header (set by %header) and page numbers in the footer."""
    from fpdf import FPDF

    class _Pdf(FPDF):
        running_header = ""

        def header(self) -> None:
            if self.running_header:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 5, self.running_header, new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, str(self.page_no()), align="C")

    pdf = _Pdf(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    return pdf


class _SpecWriter:
    """Writes a spec line by line: the first rule in _SPEC_RULES that matches a line handles it; any
    other line is paragraph text, set when a blank line, heading, bullet or directive ends it."""

    width = 180

    def __init__(self, pdf) -> None:
        self.pdf = pdf
        self.title = ""
        self.paragraph: list[str] = []
        self.size = 10.0  # paragraphs and bullets

    def line(self, line: str) -> None:
        if self.pdf.page == 0 and line.strip() and not line.startswith("%"):
            self.pdf.add_page()  # content before the first %page starts page 1
        for matches, handle in _SPEC_RULES:
            if matches(line):
                handle(self, line)
                return
        self.paragraph.append(line)

    def gap(self, line: str) -> None:
        self.paragraph.append("")  # a blank line between two rows of one table: space, not a new block

    def flush(self) -> None:
        if self.paragraph and _is_column_block(self.paragraph):
            self.table(self.paragraph)
        elif self.paragraph:
            self.pdf.set_font("Helvetica", "", self.size)
            self.pdf.multi_cell(self.width, self.size * 0.5, " ".join(p.strip() for p in self.paragraph))
            self.pdf.ln(3)
        self.paragraph.clear()

    def table(self, lines: list[str]) -> None:
        """Lines set in columns (two or more spaces apart, as the header line sets them): each cell is its
        own run of text at its column, as a word processor's table prints, so the PDF has real columns."""
        starts = [m.start() for m in _CELL.finditer(lines[0])]
        cells = [[m.group(0) for m in _CELL.finditer(line)] for line in lines]
        rows = [r for line, r in zip(lines, cells) if line and not line.startswith(" ")]
        if not all(_aligned([m.start() for m in _CELL.finditer(line)], starts) for line in lines) and \
                all(len(r) == len(starts) for r in rows):
            # cells two spaces apart but not lined up: the k-th cell of each row is column k, as wide as its widest
            widths = [max(len(r[k]) for r in rows) for k in range(len(starts))]
            starts = [sum(widths[:k]) + 2 * k for k in range(len(starts))]
            lines = ["".join(c.ljust(w + 2) for c, w in zip(r, widths)).rstrip() if line and not line.startswith(" ")
                     else line for line, r in zip(lines, cells)]
        longest = max(len(line) for line in lines)
        per_char = self.width / longest
        size = min(self.size, per_char / 0.3528 / 0.5)  # Helvetica's average glyph is about half its size
        self.pdf.set_font("Helvetica", "", size)
        step = size * 0.5
        for line in lines:
            if not line:
                self.pdf.set_y(self.pdf.get_y() + step * 0.6)
                continue
            if self.pdf.will_page_break(step):
                self.pdf.add_page()
            y = self.pdf.get_y() + step * 0.8
            for m in _CELL.finditer(line):
                column = max(k for k, start in enumerate(starts) if start <= m.start() + 1) if \
                    any(start <= m.start() + 1 for start in starts) else 0
                self.pdf.text(self.pdf.l_margin + starts[column] * per_char, y, m.group(0).strip())
            self.pdf.set_y(self.pdf.get_y() + step)
        self.pdf.ln(3)

    def title_line(self, line: str) -> None:
        self.title = line[7:]

    def header_line(self, line: str) -> None:
        self.pdf.running_header = line[8:]

    def font_line(self, line: str) -> None:
        self.flush()
        self.size = float(line[6:])

    def page_line(self, line: str) -> None:
        self.flush()
        self.pdf.add_page()

    def heading(self, line: str) -> None:
        self.flush()
        level = len(line) - len(line.lstrip("#"))
        size = {1: 16, 2: 13, 3: 11.5}.get(level, 11)
        self.pdf.set_font("Helvetica", "B", size)
        self.pdf.multi_cell(self.width, size * 0.5, line.lstrip("#").strip())
        self.pdf.ln(2)

    def bullet(self, line: str) -> None:
        self.flush()
        self.pdf.set_font("Helvetica", "", self.size)
        self.pdf.set_x(self.pdf.l_margin + 4)
        self.pdf.multi_cell(self.width - 4, self.size * 0.5, "- " + line[2:])
        self.pdf.ln(1)


# a cell of a line set in columns: text up to two or more spaces
_CELL = re.compile(r"\S(?:\S| (?! ))*")


def _is_column_block(lines: list[str]) -> bool:
    """A block of two or more lines whose first line has cells two or more spaces apart: a table."""
    lines = [line for line in lines if line]
    return len(lines) >= 2 and len(list(_CELL.finditer(lines[0]))) >= 2 and \
        sum(1 for line in lines if re.search(r"\S {2,}\S", line) or line.startswith("  ")) >= len(lines) - 1


def _aligned(starts: list[int], columns: list[int]) -> bool:
    """Every cell starts at one of the columns (a character either way)."""
    return all(any(abs(s - c) <= 1 for c in columns) for s in starts)


_GAP = "\x00gap"


def _cell_starts(line: str) -> list[int]:
    return [m.start() for m in _CELL.finditer(line)] if re.search(r"\S {2,}\S", line) else []


def _table_rows_joined(lines: list[str]) -> list[str]:
    """A table whose rows are set apart by blank lines ("No.  Recommendation  Response", a blank, "1  ...  Accepted"):
    the blank lines inside it become gaps within one table, so every row is set on the header's columns. A row
    belongs when each of its cells starts at one of the header's columns."""
    out: list[str] = []
    header: list[int] = []
    for i, line in enumerate(lines):
        starts = _cell_starts(line)
        if len(starts) >= 2 and not header:
            header = starts
        elif line and not (starts and _aligned(starts, header)) \
                and not (header and line.startswith("  ")):
            header = [] if not starts else header
        if not line and header:
            following = next((x for x in lines[i + 1:] if x), "")
            row = _cell_starts(following)
            if (row and _aligned(row, header)) or \
                    (following.startswith("  ") and following.strip()):
                out.append(_GAP)
                continue
            header = []
        out.append(line)
    return out


_SPEC_RULES = (
    (lambda line: line.startswith("%title "), _SpecWriter.title_line),
    (lambda line: line.startswith("%header "), _SpecWriter.header_line),
    (lambda line: line.startswith("%font "), _SpecWriter.font_line),
    (lambda line: line == "%page", _SpecWriter.page_line),
    (lambda line: line == _GAP, _SpecWriter.gap),
    (lambda line: not line.strip(), lambda writer, line: writer.flush()),
    (lambda line: line.startswith("#"), _SpecWriter.heading),
    (lambda line: line.startswith("- "), _SpecWriter.bullet),
)


def load_manifest(sample_dir: Path = SAMPLE_DIR) -> list[dict]:
    data = tomllib.loads((sample_dir / "manifest.toml").read_text(encoding="utf-8"))
    return data["document"]


_BULLET = re.compile(r"^\s*[\u2022\u00b7*\u25aa\u25e6-]\s+")
_SENTENCE_END = re.compile(r"[.!?:;,\u201d\"')]$")


def render_text_page(text: str) -> bytes:
    """A page kept as its visible text (a stored public copy) as plain HTML: the first line is the
    title, a short line with no closing punctuation a heading, bullet lines a list, every other line
    a paragraph. Mechanical, so no one's reading of the page goes into the markup."""
    out = ["<!doctype html><html><head><meta charset=\"utf-8\"></head><body><main>"]
    in_list = False
    first = True
    for raw in text.splitlines():
        line = raw.strip()
        bullet = _BULLET.match(raw)
        if in_list and not bullet:
            out.append("</ul>")
            in_list = False
        if not line:
            continue
        if bullet:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{html.escape(_BULLET.sub('', raw, count=1).strip())}</li>")
        elif first and len(line) <= 200:
            out.append(f"<h1>{html.escape(line)}</h1>")
        elif len(line) <= 90 and not _SENTENCE_END.search(line) and not line[:1].isdigit():
            out.append(f"<h2>{html.escape(line)}</h2>")
        else:
            out.append(f"<p>{html.escape(line)}</p>")
        first = False
    out.append("</ul>" if in_list else "")
    out.append("</main></body></html>")
    return "\n".join(out).encode("utf-8")


def file_bytes(path: Path, published: date | None = None) -> bytes:
    """A document file's bytes as captured: a .pdf.txt spec is rendered into PDF bytes, a .page.txt
    page (a stored copy's text) into HTML."""
    if path.name.endswith(".pdf.txt"):
        return render_pdf_spec(path.read_text(encoding="utf-8"), created=published)
    if path.name.endswith(".page.txt"):
        return render_text_page(path.read_text(encoding="utf-8"))
    return path.read_bytes()


def document_bytes(entry: dict, sample_dir: Path = SAMPLE_DIR) -> bytes:
    published = parse_date(str(entry.get("published", "")))
    return file_bytes(sample_dir / "documents" / entry["file"], published if isinstance(published, date) else None)


def build_sample_archive(out_dir: Path, sample_dir: Path = SAMPLE_DIR) -> Path:
    """Write every manifest document as a WARC response record into one new file in out_dir."""
    with ArchiveWriter(out_dir, prefix="sample") as writer:
        for entry in load_manifest(sample_dir):
            published = parse_date(str(entry.get("published", ""))) if entry.get("published") else None
            writer.write_response(
                entry["url"],
                document_bytes(entry, sample_dir),
                headers=[("Content-Type", entry["content_type"])],
                fetched_at=parse_warc_date(entry["fetched_at"]),
                source=entry.get("source"),
                published=published if isinstance(published, date) else None,
            )
    return writer.path
