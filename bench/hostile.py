"""Benchmark: the cost of hostile inputs (issue 17), each stage timed in this process, no limits.

Not a test: run it by hand, once with this code and once with an older checkout on PYTHONPATH, e.g.

    python bench/hostile.py                       # every case at the sizes in the issue
    python bench/hostile.py --scale 0.1 nested    # a tenth of the size, one case
    PYTHONPATH=/tmp/old python bench/hostile.py --scale 0.1

Cases: `nested` (an 8 MB page of inline tags nested 250 deep around paragraphs: parse), `mentions`
(20,000 review-name mentions: the name scan, then the whole extraction), `big` (a 38 MB page: parse,
then extraction), `corrections` (20,000 correction rows: read and apply).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_support import big_page, corrections_csv, mentions_page, nested_inline_page  # noqa: E402

WHEN = datetime(2026, 11, 20, tzinfo=timezone.utc)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:8.2f} s", flush=True)
    return result


def parse(url: str, body: bytes):
    from tracker.items import Capture
    from tracker.sources import parse_capture

    return parse_capture(Capture(url=url, fetched_at=WHEN, status=200, content_type="text/html", body=body))


def extract(pub):
    from tracker.extract.reviews import ReviewNamer
    from tracker.extract.status import StatusExtractor
    from tracker.registry import load_reviews

    reviews = load_reviews()
    namer = ReviewNamer(reviews)
    known = {r.review_id: set(range(1, (r.expected_recommendations or 7) + 1)) for r in reviews}
    result = StatusExtractor(namer, known, {}).read(pub, None)
    return len(result.evidence)


def case_nested(scale: float) -> None:
    body = nested_inline_page(int(8_000_000 * scale))
    print(f"nested: {len(body) / 1e6:.1f} MB of inline tags nested 250 deep")
    pub = timed("parse", lambda: parse("https://www.kingsfund.org.uk/nested", body))
    print(f"  {len(pub.blocks)} blocks")


def case_mentions(scale: float) -> None:
    from tracker.extract.reviews import ReviewNamer
    from tracker.registry import load_reviews

    body = mentions_page(int(20_000 * scale))
    pub = parse("https://www.kingsfund.org.uk/mentions", body)
    text = " ".join(b.text for b in pub.blocks)
    namer = ReviewNamer(load_reviews())
    found = timed("review names (whole text)", lambda: namer.mentions(text))
    print(f"  {len(found)} mentions in {len(text) / 1e6:.2f} MB of text")
    timed("extraction", lambda: extract(pub))


def case_big(scale: float) -> None:
    body = big_page(int(38_000_000 * scale))
    print(f"big: {len(body) / 1e6:.1f} MB page")
    pub = timed("parse", lambda: parse("https://www.kingsfund.org.uk/big", body))
    print(f"  {len(pub.blocks)} blocks")
    count = timed("extraction", lambda: extract(pub))
    print(f"  {count} evidence rows")


def case_corrections(scale: float) -> None:
    import tempfile

    from tracker.corrections import apply_corrections, read_corrections
    from tracker.items import Evidence, Recommendation

    rows = int(20_000 * scale)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "analyst.csv").write_text(corrections_csv(rows), encoding="utf-8")
        print(f"corrections: {rows} rows")
        corrections = timed("read", lambda: read_corrections(folder))
    recs = [Recommendation("kark-2019", n, f"Recommendation {n}.", "", "", None, "") for n in range(1, 8)]
    evidence = [Evidence("kark-2019", 1 + i % 7, "implementation", "in_progress", f"Quote {i}.",
                         f"https://www.gov.uk/government/news/progress-{i}", None, "rule", 0.9)
                for i in range(rows)]
    timed("apply", lambda: apply_corrections(corrections, {"kark-2019"}, recs, evidence))


CASES = {"nested": case_nested, "mentions": case_mentions, "big": case_big, "corrections": case_corrections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", choices=[*CASES, []], help="which cases (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes")
    args = parser.parse_args()
    for name in args.cases or CASES:
        CASES[name](args.scale)


if __name__ == "__main__":
    main()
