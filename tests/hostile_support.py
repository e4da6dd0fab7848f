"""Hostile documents, generated on demand (never committed): bombs, deep nesting, floods of mentions.

Used by tests/test_hostile_inputs.py (small sizes, low limits) and bench/hostile.py (the sizes in issue 17).
"""

from __future__ import annotations

import zlib


def pdf_bomb(inflated_mb: int) -> bytes:
    """A one-page PDF whose FlateDecode content stream inflates to `inflated_mb` MB.

    The stream is a line of text followed by megabytes of one PDF comment line, so it compresses
    about 1000:1: 400 MB inflated is a 400 KB file.
    """
    comp = zlib.compressobj(9)
    megabyte = (b"%" + b"A" * 1022 + b"\n") * 1024
    parts = [comp.compress(b"BT /F1 12 Tf 72 720 Td (Bomb) Tj ET\n")]
    parts += [comp.compress(megabyte) for _ in range(inflated_mb)]
    parts.append(comp.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def nested_inline_page(size_bytes: int, depth: int = 250) -> bytes:
    """Inline tags nested `depth` deep (the HTML parser's cap is 256), inline text at every level and one
    block (a <div>; a <p> would close the inline tags) at the bottom.

    A walker that asks "is there a block anywhere below?" afresh at every level reads everything
    below that level before it finds the block: about depth / 2 times the page.
    """
    head = b"<html><head><title>Nested tags</title></head><body><main><h1>Nested tags</h1>"
    tail = b"<div>Deep text.</div>" + b"</b>" * depth + b"</main></body></html>"
    filler = b"<i>x</i> "
    per_level = max(1, (size_bytes - len(head) - len(tail)) // depth // len(filler))
    return head + (b"<b>" + filler * per_level) * depth + tail


def deeply_nested_tags(count: int, tag: bytes = b"b") -> bytes:
    """`count` nested tags in one chain (far past the parser's depth cap), then a closing paragraph."""
    return (b"<html><head><title>Deep</title></head><body><main><p>" + (b"<" + tag + b">") * count
            + b"deep" + (b"</" + tag + b">") * count + b"</p></main></body></html>")


def mentions_page(mentions: int) -> bytes:
    """A page naming tracked reviews `mentions` times, in paragraphs of twenty sentences."""
    sentence = ("The Kark review and Lord Rose's review were discussed; the Messenger review was noted, "
                "and the Smith review too.")
    per = 4  # mentions per sentence
    sentences = [sentence] * max(1, mentions // per)
    paragraphs = ["<p>" + " ".join(sentences[i:i + 20]) + "</p>" for i in range(0, len(sentences), 20)]
    return ("<html><head><title>Many mentions</title></head><body><main><h1>Many mentions</h1>"
            + "".join(paragraphs) + "</main></body></html>").encode()


def big_page(size_bytes: int) -> bytes:
    """A plain, large page: headings, lists and paragraphs of ordinary prose with status statements."""
    paragraph = ("<p>The board discussed leadership development, talent management and the regional "
                 "improvement networks. Recommendation 3 of the Kark review has been implemented, and "
                 "recommendation 5 of the Messenger review is being implemented by NHS England. Progress "
                 "on the remaining recommendations will be reported next year.</p>")
    section = ("<h2>Progress</h2>" + paragraph * 8
               + "<ul>" + "<li>A list item about appraisal and training.</li>" * 5 + "</ul>")
    head = "<html><head><title>A very long page</title></head><body><main><h1>A very long page</h1>"
    count = max(1, (size_bytes - len(head)) // len(section))
    return (head + section * count + "</main></body></html>").encode()


CORRECTION_COLUMNS = "review_id,number,axis,status,quote,source_url,analyst,date"


def corrections_csv(rows: int) -> str:
    """`rows` valid analyst status rows (kark-2019 1..7, both axes), as an analyst's CSV text."""
    out = [CORRECTION_COLUMNS]
    for i in range(rows):
        number = 1 + i % 7
        out.append(f"kark-2019,{number},implementation,in_progress,Work on recommendation {number} continues ({i}).,"
                   f"https://www.gov.uk/government/news/progress-{i},jb,2024-01-{1 + i % 28:02d}")
    return "\r\n".join(out) + "\r\n"
