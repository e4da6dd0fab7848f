"""Measure each basis's precision on the labelled sets the rules were built on, to set its confidence.

    .venv/bin/python scripts/calibrate_confidence.py [SET ...]     (default: dev, blind, holdout)

Every set is scored with no threshold (every rule row published); for each basis (how a statement's
recommendations were found) it prints the rows made, how many a label holds, and the Laplace-smoothed
precision (right + 1) / (rows + 2), which tracker/extract/basis.py takes, rounded down to two places, as
that basis's confidence. The sets written after the rules froze (blind2, the real pages) are never
used here: they are the unseen test of the threshold this sets.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from tracker.evaluate import evaluate_set
from tracker.extract.basis import BASES

ROOT = Path(__file__).resolve().parent.parent / "tests" / "evaluation"


def main(names: list[str]) -> None:
    totals: dict[str, list[int]] = {}
    for name in names:
        result = evaluate_set(ROOT / name, min_confidence=0.0)
        for basis, (found, right) in result.by_basis.items():
            counts = totals.setdefault(basis, [0, 0])
            counts[0] += found
            counts[1] += right
    print(f"{'basis':<12} {'rows':>5} {'right':>6} {'smoothed':>9} {'in basis.py':>12}")
    for basis, (found, right) in sorted(totals.items()):
        smoothed = (right + 1) / (found + 2)
        current = BASES[basis].confidence if basis in BASES else float("nan")
        print(f"{basis:<12} {found:>5} {right:>6} {math.floor(smoothed * 100) / 100:>9.2f} {current:>12.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["dev", "blind", "holdout"])
