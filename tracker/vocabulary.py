"""The controlled vocabularies, in one place: axes, statuses (one `Status` row each) and speaker kinds.

The rules, the corrections check, the charts, the briefing, `tracker status` and the warehouse's
`status_vocabulary` and `speaker_vocabulary` tables (written from `status_rows()` and `speaker_rows()`
on every run; the SQL views and data-quality check read those tables, and so should anything that
cannot import tracker, such as the Airflow plugin) all read these, and the views' columns per status are
written from STATUSES when the views are created (tracker/warehouse/db.py): a new status is a row here and
the lexicon's words for it. The order is the display order (most settled first). Standard library only,
so anything may import it."""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE = "response"
IMPLEMENTATION = "implementation"
AXES = (RESPONSE, IMPLEMENTATION)

# Who speaks. The publisher's kind comes from its host (tracker/speakers.py); "reported_official" is
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


@dataclass(frozen=True)
class Status:
    """One status, declared once; the per-axis lists, status_vocabulary, the views' columns per status, the
    badges and the glossaries are all read from these rows."""

    name: str
    axis: str
    short: str  # `tracker status`'s column header (narrow: one column per status)
    colour: str  # in the charts and the badges (tracker/publish/charts.py says how it was chosen)
    meaning: str  # for glossaries (the workbook's cover sheet, the methodology page)
    default: bool = False  # a recommendation's status on this axis when nothing has been said
    # Drawn hatched as well as coloured: one of a pair on its axis that a colour-blind reader cannot tell apart
    # by colour alone (CIEDE2000 under 10 in a simulation of deuteranopia, protanopia or tritanopia: "in progress"
    # and "paused" measure 2.9 under deuteranopia). tests/test_site_parts.py checks every such pair has one.
    hatched: bool = False
    qualifies: str = ""  # the status this one qualifies ("in principle", "partially"): see family()
    closes: bool = False  # leaves nothing outstanding on its axis: done, or overtaken

    @property
    def label(self) -> str:
        """'accepted_in_principle' -> 'Accepted in principle'."""
        return phrase(self.name).capitalize()


# In display order, most settled first on each axis.
STATUSES = (
    Status("accepted", RESPONSE, "accepted", "#0072B2",  # Okabe–Ito blue
           "The body that owns the decision has agreed to act on the recommendation as made."),
    Status("accepted_in_principle", RESPONSE, "in principle", "#3A93CF",  # Okabe–Ito sky blue, darkened to 3:1
           "Agreed with its aim, without committing to the recommendation as made, or to how or when.",
           qualifies="accepted"),
    Status("partially_accepted", RESPONSE, "partially", "#CC79A7",  # Okabe–Ito reddish purple
           "Some parts agreed, others not.", hatched=True, qualifies="accepted"),
    Status("rejected", RESPONSE, "rejected", "#3D1A6E",
           "The body that owns the decision has decided not to act on it."),
    Status("under_consideration", RESPONSE, "considering", "#7D5BA6",
           "Said to be under consideration: no decision yet.", hatched=True),
    Status("no_response", RESPONSE, "no response", "#767676",
           "No statement found on whether it was accepted.", default=True),
    Status("implemented", IMPLEMENTATION, "implemented", "#009E73",  # Okabe–Ito bluish green
           "Reported as done: completed, or in force.", closes=True),
    Status("partially_implemented", IMPLEMENTATION, "partially", "#1B6E3A",
           "Some parts reported as done, others not.", qualifies="implemented"),
    Status("in_progress", IMPLEMENTATION, "in progress", "#C47F00",  # Okabe–Ito orange, darkened to 3:1
           "Work on it is reported as under way."),
    Status("paused", IMPLEMENTATION, "paused", "#D55E00",  # Okabe–Ito vermillion
           "Work started and was then put on hold.", hatched=True),
    Status("not_started", IMPLEMENTATION, "not started", "#9E4A00",
           "Reported as not yet begun.", hatched=True),
    Status("superseded", IMPLEMENTATION, "superseded", "#4D5A66",
           "Overtaken by a later policy, review or reorganisation.", closes=True),
    Status("unknown", IMPLEMENTATION, "unknown", "#8A8A8A",
           "No statement found on what has happened.", default=True, hatched=True),
)


def statuses_on(axis: str) -> tuple[str, ...]:
    """The names of an axis's statuses, in display order."""
    return tuple(s.name for s in STATUSES if s.axis == axis)


RESPONSE_STATUSES = statuses_on(RESPONSE)
IMPLEMENTATION_STATUSES = statuses_on(IMPLEMENTATION)


def outstanding() -> tuple[str, ...]:
    """The implementation statuses that leave something still to do (all but those that close it)."""
    return tuple(s.name for s in STATUSES if s.axis == IMPLEMENTATION and not s.closes)


def family(name: str) -> tuple[str, ...]:
    """The status and the statuses that qualify it, in display order: family("accepted") is every form of
    acceptance (the briefing's "any accepted"), and a qualifier read after a reference chooses among them."""
    return tuple(s.name for s in STATUSES if name in (s.name, s.qualifies))


@dataclass(frozen=True)
class StatusRow:
    """One status_vocabulary row."""

    axis: str
    status: str
    position: int
    label: str
    is_default: bool  # what a recommendation's status is on this axis when nothing has been said
    family: str  # the status this one is a form of, else itself
    closes: bool  # leaves nothing outstanding


@dataclass(frozen=True)
class SpeakerRow:
    """One speaker_vocabulary row."""

    speaker: str
    stance: str
    position: int
    label: str


def status_rows() -> list[StatusRow]:
    return [StatusRow(axis, s.name, i, s.label, s.default, s.qualifies or s.name, s.closes)
            for axis in AXES for i, s in enumerate(o for o in STATUSES if o.axis == axis)]


def speaker_rows() -> list[SpeakerRow]:
    return [SpeakerRow(s, stance, i, SPEAKER_LABELS[s]) for i, (s, stance) in enumerate(SPEAKER_STANCE.items())]


def is_valid(axis: str, status: str) -> bool:
    return status in statuses_on(axis)


def phrase(status: str) -> str:
    """'accepted_in_principle' -> 'accepted in principle' (inside a sentence)."""
    return status.replace("_", " ")


def default_status(axis: str | None) -> str:
    """What a recommendation's status is on an axis with nothing said: no_response, else unknown."""
    defaults = {s.axis: s.name for s in STATUSES if s.default}
    return defaults.get(axis or "", defaults[IMPLEMENTATION])
