"""Generate a synthetic archive of N publications for benchmarks (never used by the tests).

80% HTML pages of 30-200 KB, 20% PDFs of 5-60 pages, about 5% of them review reports or responses
with numbered recommendations and status statements. Deterministic for a given N and seed.

    python bench/generate.py --n 2000 --out /tmp/bench-home/archive
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tracker.fetch.archive import ArchiveWriter

WORDS = (
    "board leadership trust management talent development culture patients staff system regional national "
    "governance appraisal training support review inclusive compassionate pipeline senior executive quality "
    "improvement workforce commissioning integrated care director chair committee oversight assurance"
).split()
REVIEW_PHRASES = [
    "The government accepts recommendations {a} and {b} of the Kark review.",
    "Recommendation {a} of the Messenger review has been implemented.",
    "Recommendations {a} to {b} of Lord Rose's review will be considered further.",
    "There is no sign of progress on recommendation {a} of the Messenger review.",
    "Recommendation {a} of the Kark review is being implemented by NHS England.",
]


def sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def html_page(rng: random.Random, i: int, size: int, review: bool) -> bytes:
    parts = [f"<html><head><title>Synthetic page {i}</title><meta property='article:published_time' "
             f"content='2023-{1 + i % 12:02d}-{1 + i % 27:02d}'></head><body><nav><a href='/'>Home</a></nav><main>"
             f"<h1>Synthetic page {i} on NHS leadership</h1>"]
    length = sum(map(len, parts))
    section = 0
    while length < size:
        if rng.random() < 0.1:
            section += 1
            chunk = f"<h2>Section {section}</h2>"
        elif rng.random() < 0.2:
            chunk = "<ul>" + "".join(f"<li>{sentence(rng, 10)}</li>" for _ in range(5)) + "</ul>"
        elif review and rng.random() < 0.05:
            a = rng.randint(1, 5)
            chunk = f"<p>{rng.choice(REVIEW_PHRASES).format(a=a, b=a + 2)}</p>"
        else:
            chunk = f"<p>{' '.join(sentence(rng) for _ in range(4))}</p>"
        parts.append(chunk)
        length += len(chunk)
    parts.append("</main><footer>Footer</footer></body></html>")
    return "".join(parts).encode()


def pdf_template(rng: random.Random, pages: int, review: bool) -> bytes:
    from tracker.samplegen import render_pdf_spec

    lines = ["%title Synthetic report", "%header Synthetic report"]
    for p in range(pages):
        lines.append("%page")
        lines.append(f"# Chapter {p + 1}")
        if review and p == pages - 1:
            lines.append("# Recommendations")
            lines += [f"{k}. {sentence(rng, 14)}" for k in range(1, 9)]
        for _ in range(5):
            lines += ["", " ".join(sentence(rng) for _ in range(3))]
    return render_pdf_spec("\n".join(lines))


def generate(n: int, out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    templates = {}  # a few PDF sizes, varied per document by a trailing comment (a new SHA-256)
    for pages in (5, 12, 25, 40, 60):
        templates[pages] = (pdf_template(rng, pages, False), pdf_template(rng, pages, True))
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with ArchiveWriter(out, prefix="bench") as writer:
        for i in range(n):
            review = rng.random() < 0.05
            when = start + timedelta(seconds=i)
            if rng.random() < 0.2:
                pages = rng.choice(list(templates))
                body = templates[pages][review] + f"\n% variant {i}\n".encode()
                url = f"https://www.kingsfund.org.uk/insight-and-analysis/reports/synthetic-{i}.pdf"
                writer.write_response(url, body, headers=[("Content-Type", "application/pdf")], fetched_at=when)
            else:
                body = html_page(rng, i, rng.randint(30_000, 200_000), review)
                url = f"https://www.kingsfund.org.uk/insight-and-analysis/blogs/synthetic-{i}"
                writer.write_response(url, body, headers=[("Content-Type", "text/html; charset=utf-8")],
                                      fetched_at=when)
    return writer.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t = time.perf_counter()
    path = generate(args.n, args.out, args.seed)
    print(f"wrote {args.n} publications to {path} ({path.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
