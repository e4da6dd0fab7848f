"""The controlled vocabularies, in one place: axes, statuses, their display labels, colours and speaker kinds.

The rules, the corrections check, the charts, the briefing, `tracker status` and the warehouse's
`status_vocabulary` and `speaker_vocabulary` tables (written from `status_rows()` and `speaker_rows()`
on every run; the SQL views and data-quality check read those tables, and so should anything that
cannot import tracker, such as the Airflow plugin) all read these; the order is the display order
(most settled first). Standard library only, so anything may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE = "response"
IMPLEMENTATION = "implementation"
AXES = (RESPONSE, IMPLEMENTATION)

RESPONSE_STATUSES = (
    "accepted", "accepted_in_principle", "partially_accepted", "rejected", "under_consideration", "no_response",
)
IMPLEMENTATION_STATUSES = (
    "implemented", "partially_implemented", "in_progress", "paused", "not_started", "superseded", "unknown",
)
STATUSES = {RESPONSE: RESPONSE_STATUSES, IMPLEMENTATION: IMPLEMENTATION_STATUSES}
DEFAULT_STATUS = {RESPONSE: "no_response", IMPLEMENTATION: "unknown"}

# Who speaks. The publisher's kind comes from its host (tracker/publishers.py); "reported_official" is
# an independent publisher reporting what the owning body decided ("ministers have agreed ...").
# A speaker's stance decides whose word settles a status: the response axis takes the official
# position (an owner's or a minister's own words first, then a report of them) and falls back to
# independent assessment only where no official statement exists.
SPEAKER_STANCE = {
    "government": "official",
    "implementing_body": "official",
    "parliament": "official",
    "reported_official": "reported",
    "regulator": "independent",
    "independent": "independent",
}
SPEAKERS = tuple(SPEAKER_STANCE)
SPEAKER_LABELS = {
    "government": "Government (DHSC)",
    "implementing_body": "Implementing body (NHS England / NHS Improvement)",
    "parliament": "Parliament (ministers' answers and statements)",
    "reported_official": "Independent publisher reporting the official decision",
    "regulator": "Regulator",
    "independent": "Independent commentary",
}

# What each status means, for glossaries (the workbook's cover sheet).
MEANINGS = {
    "accepted": "The body that owns the decision has agreed to act on the recommendation as made.",
    "accepted_in_principle": ("Agreed with its aim, without committing to the recommendation as made, "
                              "or to how or when."),
    "partially_accepted": "Some parts agreed, others not.",
    "rejected": "The body that owns the decision has decided not to act on it.",
    "under_consideration": "Said to be under consideration: no decision yet.",
    "no_response": "No statement found on whether it was accepted.",
    "implemented": "Reported as done: completed, or in force.",
    "partially_implemented": "Some parts reported as done, others not.",
    "in_progress": "Work on it is reported as under way.",
    "paused": "Work started and was then put on hold.",
    "not_started": "Reported as not yet begun.",
    "superseded": "Overtaken by a later policy, review or reorganisation.",
    "unknown": "No statement found on what has happened.",
}


# `tracker status`'s column headers (narrow: one column per status).
SHORT_LABELS = {
    "accepted": "accepted", "accepted_in_principle": "in principle", "partially_accepted": "partially",
    "rejected": "rejected", "under_consideration": "considering", "no_response": "no response",
    "implemented": "implemented", "partially_implemented": "partially", "in_progress": "in progress",
    "paused": "paused", "not_started": "not started", "superseded": "superseded", "unknown": "unknown",
}

# A status's colour in the charts and the badges (tracker/publish/charts.py says how it was chosen).
COLOURS = {
    "accepted": "#0072B2",  # Okabe–Ito blue
    "accepted_in_principle": "#3A93CF",  # Okabe–Ito sky blue, darkened to 3:1
    "partially_accepted": "#CC79A7",  # Okabe–Ito reddish purple
    "rejected": "#3D1A6E",
    "under_consideration": "#7D5BA6",
    "no_response": "#767676",
    "implemented": "#009E73",  # Okabe–Ito bluish green
    "partially_implemented": "#1B6E3A",
    "in_progress": "#C47F00",  # Okabe–Ito orange, darkened to 3:1
    "paused": "#D55E00",  # Okabe–Ito vermillion
    "not_started": "#9E4A00",
    "superseded": "#4D5A66",
    "unknown": "#8A8A8A",
}

# Statuses drawn hatched as well as coloured: each is one of a pair on its axis that a colour-blind reader
# cannot tell apart by colour alone (CIEDE2000 under 10 in a simulation of deuteranopia, protanopia or
# tritanopia: "in progress" and "paused" measure 2.9 under deuteranopia). tests/test_site_parts.py checks
# that every such pair has one hatched member.
HATCHED = frozenset({"under_consideration", "partially_accepted", "paused", "not_started", "unknown"})

# The response statuses that count as some acceptance (the briefing's "any accepted" filter).
ACCEPTED = ("accepted", "accepted_in_principle", "partially_accepted")


@dataclass(frozen=True)
class StatusRow:
    """One status_vocabulary row."""

    axis: str
    status: str
    position: int
    label: str
    is_default: bool  # what a recommendation's status is on this axis when nothing has been said


@dataclass(frozen=True)
class SpeakerRow:
    """One speaker_vocabulary row."""

    speaker: str
    stance: str
    position: int
    label: str


def status_rows() -> list[StatusRow]:
    return [StatusRow(axis, s, i, label(s), s == DEFAULT_STATUS[axis])
            for axis, statuses in STATUSES.items() for i, s in enumerate(statuses)]


def speaker_rows() -> list[SpeakerRow]:
    return [SpeakerRow(s, stance, i, SPEAKER_LABELS[s]) for i, (s, stance) in enumerate(SPEAKER_STANCE.items())]


def is_valid(axis: str, status: str) -> bool:
    return status in STATUSES.get(axis, ())


def label(status: str) -> str:
    """'accepted_in_principle' -> 'Accepted in principle'."""
    return status.replace("_", " ").capitalize()


def phrase(status: str) -> str:
    """'accepted_in_principle' -> 'accepted in principle' (inside a sentence)."""
    return status.replace("_", " ")


def default_status(axis: str | None) -> str:
    """What a recommendation's status is on an axis with nothing said: no_response, else unknown."""
    return DEFAULT_STATUS.get(axis or "", DEFAULT_STATUS[IMPLEMENTATION])
