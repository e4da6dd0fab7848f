"""`tracker evaluate`: score the warehouse's rule-made evidence against a labelled set."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

Key = tuple[str, str, int, str, str]  # url, review_id, number, axis, status


@dataclass
class Score:
    labelled: int
    found: int
    matched: int
    misses: list[Key] = field(default_factory=list)  # labelled, not found
    extras: list[Key] = field(default_factory=list)  # found, not labelled

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def read_labels(path: Path) -> set[Key]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {
            (row["url"], row["review_id"], int(row["number"]), row["axis"], row["status"])
            for row in csv.DictReader(fh)
        }


def evaluate(con: duckdb.DuckDBPyConnection, labels: set[Key]) -> Score:
    """Compare evidence from the labelled documents only (other documents are not judged)."""
    urls = sorted({k[0] for k in labels})
    found = {
        (url, rid, int(n), axis, status)
        for url, rid, n, axis, status in con.execute(
            "SELECT DISTINCT source_url, review_id, number, axis, status FROM status_evidence WHERE method = 'rule'"
        ).fetchall()
        if url in urls
    }
    matched = labels & found
    return Score(len(labels), len(found), len(matched), sorted(labels - found), sorted(found - labels))
