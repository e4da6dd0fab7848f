"""Main content only: this project's lxml rules against maintained boilerplate removers, on precision and speed.

For every HTML page of the labelled sets (page furniture included: navigation, sidebars of other
articles' headlines, related-links blocks, footers, cookie and archive banners, comments), the status
rules read the body blocks three ways and are scored against the set's labels:

- `lxml rules`: the blocks as the pipeline has them (tracker/parse/html.py: content root, dropped tags,
  furniture classes and ARIA landmarks, comment/quote/banner roles);
- `trafilatura`: only those blocks whose text is in trafilatura's main-content extraction (favor_precision);
- `readability`: only those blocks whose text is in readability-lxml's summary.

It prints, per method, rows found, rows a label holds, precision and recall over the labelled rows of
those pages, rule rows on pages that must yield nothing, and milliseconds per page for the content
decision (ours: the whole parse; theirs: their extraction alone, on top of ours). Not a test; needs the
bench extra (pip install -e '.[bench]' readability-lxml).

    python bench/boilerplate.py [SET ...]        (default: the development, blind and holdout sets)
"""

from __future__ import annotations

import csv
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

from tracker.evaluate import read_set
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.items import Capture
from tracker.registry import load_reviews
from tracker.samplegen import file_bytes
from tracker.sources import parse_capture
from tracker.stages.extraction import document_review

ROOT = Path(__file__).resolve().parent.parent / "tests" / "evaluation"
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _extractor() -> StatusExtractor:
    known: dict[str, set[int]] = {}
    texts: dict[str, dict[int, str]] = {}
    with open(ROOT / "recommendations.tsv", encoding="utf-8") as fh:
        for review_id, number, _theme, text in csv.reader(fh, delimiter="\t"):
            known.setdefault(review_id, set()).add(int(number))
            texts.setdefault(review_id, {})[int(number)] = text
    return StatusExtractor(ReviewNamer(load_reviews()), known, texts, min_confidence=0.0)


def _keep_in(main_text: str | None):
    main = _norm(main_text or "")
    return lambda block: _norm(block.text)[:120] in main


def main(names: list[str]) -> None:
    import readability
    import trafilatura

    extractor = _extractor()
    pages = []
    for name in names:
        docs, labels, _ = read_set(ROOT / name)
        for d in docs:
            if d.content_type.startswith("text/html") and not d.layout_of:
                pages.append((d, {k for k in labels if k[0] == d.url}))
    methods = {"lxml rules": [0, 0, 0, 0, 0.0], "trafilatura": [0, 0, 0, 0, 0.0], "readability": [0, 0, 0, 0, 0.0]}
    labelled = sum(len(lab) for _, lab in pages)
    for doc, labels in pages:
        body = file_bytes(doc.path, doc.published)
        start = time.perf_counter()
        pub = parse_capture(Capture(doc.url, doc.fetched_at, 200, doc.content_type, body, source=doc.source,
                                    published_hint=doc.published))
        ours = time.perf_counter() - start
        html = body.decode("utf-8", errors="replace")
        start = time.perf_counter()
        traf = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
        t_traf = time.perf_counter() - start
        start = time.perf_counter()
        summary = readability.Document(html).summary()
        t_read = time.perf_counter() - start
        from tracker.parse.html import html_to_blocks
        read_text = " ".join(b.text for b in html_to_blocks(summary))
        filters = {"lxml rules": (lambda b: True, ours), "trafilatura": (_keep_in(traf), ours + t_traf),
                   "readability": (_keep_in(read_text), ours + t_read)}
        title_mentions = extractor.namer.mentions(pub.title + " \n " + " ".join(b.text for b in pub.blocks))
        review = document_review(extractor.namer, pub.title, title_mentions)
        for method, (keep, seconds) in filters.items():
            kept = replace(pub, blocks=[b for b in pub.blocks if b.role != "body" or keep(b)])
            found = {(doc.url, e.review_id, e.number, e.axis, e.status) for e in extractor.read(kept, review).evidence}
            row = methods[method]
            row[0] += len(found)
            row[1] += len(found & labels)
            row[2] += len(labels & found)
            row[3] += 0 if labels else len(found)
            row[4] += seconds
    print(f"{len(pages)} HTML pages, {labelled} labelled rows ({', '.join(names)})")
    print(f"{'method':<12} {'found':>6} {'right':>6} {'precision':>10} {'recall':>7} {'silent pages broken':>20} "
          f"{'ms/page':>8}")
    for method, (found, right, matched, broken, seconds) in methods.items():
        print(f"{method:<12} {found:>6} {right:>6} {right / found if found else 1:>10.3f} "
              f"{matched / labelled if labelled else 1:>7.3f} {broken:>20} {1000 * seconds / len(pages):>8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["dev", "blind", "holdout"])
