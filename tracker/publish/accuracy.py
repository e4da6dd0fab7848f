"""The measured accuracy of the status rules (accuracy.toml: "Scores" of docs/developers/accuracy.md at the
default threshold), for the methodology page. The file is committed beside this module so a packaged install
carries it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ACCURACY_FILE = Path(__file__).with_name("accuracy.toml")


@dataclass(frozen=True)
class SetScore:
    name: str
    labelled: int
    recall: float
    precision: float
    queued: int  # statements left to an analyst
    queued_should_settle: int  # of those, how many a label says the rules should have settled
    empty_pages_with_evidence: int  # pages that must yield nothing and yielded evidence
    empty_pages: int


@dataclass(frozen=True)
class Accuracy:
    threshold: float  # the TRACKER_MIN_CONFIDENCE the scores were measured at
    measured_on: date
    commit: str
    sets: tuple[SetScore, ...]


def load_accuracy(path: Path = ACCURACY_FILE) -> Accuracy:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return Accuracy(threshold=float(raw["threshold"]), measured_on=raw["date"], commit=str(raw["commit"]),
                    sets=tuple(SetScore(**row) for row in raw["set"]))
