"""The controlled vocabularies, in one place: axes, statuses, their display labels and speaker kinds.

The rules, the corrections check, the charts, the briefing and the warehouse's `status_vocabulary`
table all read these tuples; the order is the display order (most settled first).
"""

from __future__ import annotations

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
    "accepted_in_principle": "Agreed with its aim, without committing to the recommendation as made, or to how or when.",
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


def is_valid(axis: str, status: str) -> bool:
    return status in STATUSES.get(axis, ())


def label(status: str) -> str:
    """'accepted_in_principle' -> 'Accepted in principle'."""
    return status.replace("_", " ").capitalize()
