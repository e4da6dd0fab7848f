"""How a statement's targets were found (its basis), the confidence each basis earns, and which bases
may carry one status to many recommendations.

One home for these numbers: every evidence row the rules make names its basis
(`status_evidence.basis`), its confidence is the basis's, and `TRACKER_MIN_CONFIDENCE` (default in
tracker.settings) decides what is published; a statement below it goes to the analyst queue with its
basis and the recommendations it would have named. Each confidence is the precision its basis measured
on the three sets the rules were built on (development, blind and holdout: 669 rows), Laplace-smoothed
and rounded down (`python scripts/calibrate_confidence.py` prints them). Text the rules were tuned to
flatters them, so read them as an order (a content match is the least sure), not as a promise on
unseen pages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Basis:
    name: str
    confidence: float
    proof: bool  # may carry one status to more than MAX_WITHOUT_PROOF recommendations
    meaning: str


BASES: dict[str, Basis] = {b.name: b for b in (
    Basis("explicit", 0.98, True,
          "numbers, ranges or ordinals named in the statement itself (\"recommendations 2 to 5\", \"the first two\")"),
    Basis("universal", 0.99, True,
          "a universal quantifier bound to the review (\"all seven\", \"each of its recommendations\", "
          "\"all of which\" after the review's own count)"),
    Basis("remainder", 0.94, True,
          "\"the rest\", \"all other\": the review's recommendations less those the document already named"),
    Basis("enumeration", 0.97, True,
          "a lead-in followed by a list (or a colon and items) naming each recommendation by label or content"),
    Basis("table", 0.98, False, "a status cell in the row of one recommendation"),
    Basis("heading", 0.97, False,
          "a heading that names one recommendation, or a status heading over the items directly under it"),
    Basis("label", 0.9, False, "a list item's own label (\"4) ...\", \"Recommendation 4:\") with its own statement"),
    Basis("anaphora", 0.97, False, "a pronoun or \"the recommendation\" pointing back to one just named"),
    Basis("content", 0.93, False, "words that restate one recommendation's text"),
)}

# A statement that gives one status to more recommendations than this is published only on a basis
# that is its own proof (an enumeration, explicit numbers or a universal quantifier).
MAX_WITHOUT_PROOF = 3
