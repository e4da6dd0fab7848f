"""Analyst corrections: CSV files under $TRACKER_HOME/corrections/ that add, override or reject statuses.

Columns: review_id, number, axis, status, quote, source_url, analyst, date.
- axis response|implementation with a status from the vocabulary: an analyst statement (quote required);
  it replaces rule-made rows for the same recommendation, axis and source.
- status `reject`: removes the rule-made rows for that recommendation, axis and source_url (quote = note).
- axis `recommendation`, status `add`: a recommendation the rules missed (quote = its text).
A row that matches nothing (unknown review, no such rule row) is kept with its problem and reported; so
is a malformed one (a bad number or date, a field over 131,072 characters). Files may be UTF-8 (with or
without a byte-order mark) or Windows-1252, as Excel saves "CSV" on Windows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.dates import implausible
from tracker.vocabulary import is_valid
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


MAX_FIELD = 131_072  # characters in one field (Python's csv default): a longer one is a problem, not a crash
_KEPT = 1_000  # characters of an over-long field kept in the corrections table
_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "\u00b2".isdigit() is true, and int() rejects it


def decode_csv(data: bytes) -> str:
    """UTF-8, with or without a byte-order mark; else Windows-1252, which Excel writes as "CSV" on Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_corrections(folder: Path) -> list[Correction]:
    """Every row of every CSV in the folder, validated; malformed rows carry a problem, never stop the run."""
    rows: list[Correction] = []
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file()) if folder.is_dir() else []
    for path in paths:
        rows.extend(_read_file(path.name, decode_csv(path.read_bytes())))
    return rows


def _problem_row(file: str, line: int, problem: str) -> Correction:
    return Correction(file, line, "", None, "", "", "", "", "", None, problem=problem)


def _read_file(name: str, text: str) -> list[Correction]:
    limit = csv.field_size_limit()
    # no field can be longer than the file: over-long ones are judged below
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        records = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in next(records, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            return [_problem_row(name, 1, f"missing columns: {', '.join(missing)}")]
        where = {c: header.index(c) for c in COLUMNS}
        rows = []
        # `line` is the row as a spreadsheet numbers it (the header is row 1)
        for line, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue  # a blank line (Excel leaves them at the end)
            raw = {c: (record[i] if i < len(record) else "").strip() for c, i in where.items()}
            too_long = [c for c in COLUMNS if len(raw[c]) > MAX_FIELD]
            if too_long:
                raw = {c: v[:_KEPT] for c, v in raw.items()}
            row = _validate(name, line, raw)
            if too_long:
                row.problem = f"{too_long[0]} is longer than {MAX_FIELD:,} characters (kept: the first {_KEPT:,})"
            rows.append(row)
        return rows
    finally:
        csv.field_size_limit(limit)


def _validate(file: str, line: int, raw: dict) -> Correction:
    problem = None
    number = int(raw["number"]) if _NUMBER.fullmatch(raw["number"]) else None
    try:
        when = date.fromisoformat(raw["date"]) if raw["date"] else None
    except ValueError:
        when, problem = None, f"bad date {raw['date']!r}"
    if why := implausible(when):  # a statement dated 9999-12-31 would be the latest word for ever
        when, problem = None, f"date {raw['date']} {why}"
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
    elif not is_valid(c.axis, c.status):
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
    # rule-made rows by what a correction names: one look-up per correction, not a scan of all evidence
    rule_keys = {(e.review_id, e.number, e.axis, e.source_url) for e in evidence if e.method == "rule"}
    replaced: set[tuple] = set()
    analyst: list[Evidence] = []
    for c in corrections:
        if c.problem or c.applied or c.axis == "recommendation":
            continue
        if (c.review_id, c.number) not in recs:
            c.problem = f"no recommendation {c.number} in {c.review_id}"
            continue
        key = (c.review_id, c.number, c.axis, c.source_url)
        matches = key in rule_keys and key not in replaced
        if c.status == "reject" and not matches:
            c.problem = "no rule-made row matches this rejection any more"
            continue
        replaced.add(key)
        if c.status != "reject":
            analyst.append(Evidence(c.review_id, c.number, c.axis, c.status, c.quote, c.source_url, c.date,
                                    method="analyst", confidence=1.0))
        c.applied = True
    out = [e for e in evidence
           if not (e.method == "rule" and (e.review_id, e.number, e.axis, e.source_url) in replaced)] + analyst
    ordered = sorted(recs.values(), key=lambda r: (r.review_id, r.number))
    return ordered, out
