"""Analyst corrections: CSV files under $TRACKER_HOME/corrections/ that add, override or reject statuses.

Columns: review_id, number, axis, status, quote, source_url, analyst, date.
- axis response|implementation with a status from the vocabulary: an analyst statement (quote required);
  it replaces rule-made rows for the same recommendation, axis and source.
- status `reject`: removes the rule-made rows for that recommendation, axis and source_url (quote = note).
- axis `recommendation`, status `add`: a recommendation the rules missed (quote = its text).
A row that matches nothing (unknown review, no such rule row) is kept with its problem and reported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.vocabulary import IMPLEMENTATION_STATUSES, RESPONSE_STATUSES
from tracker.items import Evidence, Recommendation

COLUMNS = ("review_id", "number", "axis", "status", "quote", "source_url", "analyst", "date")


@dataclass
class Correction:
    file: str
    line: int
    review_id: str
    number: int | None
    axis: str
    status: str
    quote: str
    source_url: str
    analyst: str
    date: date | None
    applied: bool = False
    problem: str | None = None

    def row(self) -> tuple:
        return (self.file, self.line, self.review_id, self.number, self.axis, self.status, self.quote,
                self.source_url, self.analyst, self.date, self.applied, self.problem)


def read_corrections(folder: Path) -> list[Correction]:
    """Every row of every CSV in the folder, validated; malformed rows carry a problem."""
    rows: list[Correction] = []
    for path in sorted(folder.glob("*.csv")) if folder.exists() else []:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                rows.append(Correction(path.name, 1, "", None, "", "", "", "", "", None,
                                       problem=f"missing columns: {', '.join(missing)}"))
                continue
            for line, raw in enumerate(reader, start=2):
                rows.append(_validate(path.name, line, {k: (raw.get(k) or "").strip() for k in COLUMNS}))
    return rows


def _validate(file: str, line: int, raw: dict) -> Correction:
    problem = None
    number = int(raw["number"]) if raw["number"].isdigit() else None
    try:
        when = date.fromisoformat(raw["date"]) if raw["date"] else None
    except ValueError:
        when, problem = None, f"bad date {raw['date']!r}"
    c = Correction(file, line, raw["review_id"], number, raw["axis"], raw["status"], raw["quote"],
                   raw["source_url"], raw["analyst"], when)
    if number is None:
        problem = problem or f"bad number {raw['number']!r}"
    elif c.axis == "recommendation":
        if c.status != "add" or not c.quote:
            problem = problem or "a recommendation correction needs status add and the text in quote"
    elif c.axis not in ("response", "implementation"):
        problem = problem or f"unknown axis {c.axis!r}"
    elif c.status == "reject":
        if not c.source_url:
            problem = problem or "a reject needs the source_url of the rows it rejects"
    elif c.status not in (RESPONSE_STATUSES if c.axis == "response" else IMPLEMENTATION_STATUSES):
        problem = problem or f"status {c.status!r} is not in the {c.axis} vocabulary"
    elif not c.quote or not c.source_url:
        problem = problem or "an analyst status needs the quote it rests on and its source_url"
    c.problem = problem
    return c


def apply_corrections(
    corrections: list[Correction],
    review_ids: set[str],
    recommendations: list[Recommendation],
    evidence: list[Evidence],
) -> tuple[list[Recommendation], list[Evidence]]:
    """Apply valid corrections to the rule output; marks each correction applied or with its problem."""
    recs = {(r.review_id, r.number): r for r in recommendations}
    for c in corrections:
        if c.problem:
            continue
        if c.review_id not in review_ids:
            c.problem = f"unknown review_id {c.review_id!r}"
            continue
        if c.axis == "recommendation":
            if (c.review_id, c.number) in recs:
                c.problem = "the rules now find this recommendation; the correction is no longer needed"
                continue
            recs[(c.review_id, c.number)] = Recommendation(
                c.review_id, c.number, c.quote, "", c.source_url, None, "", method="analyst"
            )
            c.applied = True
    out = list(evidence)
    for c in corrections:
        if c.problem or c.applied or c.axis == "recommendation":
            continue
        if (c.review_id, c.number) not in recs:
            c.problem = f"no recommendation {c.number} in {c.review_id}"
            continue
        same = [e for e in out if (e.review_id, e.number, e.axis, e.source_url, e.method)
                == (c.review_id, c.number, c.axis, c.source_url, "rule")]
        if c.status == "reject":
            if not same:
                c.problem = "no rule-made row matches this rejection any more"
                continue
            out = [e for e in out if e not in same]
        else:
            out = [e for e in out if e not in same]
            out.append(Evidence(c.review_id, c.number, c.axis, c.status, c.quote, c.source_url, c.date,
                                method="analyst", confidence=1.0))
        c.applied = True
    ordered = sorted(recs.values(), key=lambda r: (r.review_id, r.number))
    return ordered, out
