"""One case per family of docs/developers/layouts.md (the layout survey): each family is read the way the survey's
"record" column says, or sent to the analyst queue, or (a family that carries no status) yields nothing.
A test below holds docs/developers/layouts.md and this table to the same list of families.

Every document here is written for this test, in the shapes the survey met (docs/developers/layouts-survey.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from support import ROOT
from test_status_rules import heading, item, para, read
from tracker.items import Block
from tracker.parse.html import html_to_blocks

K = "kark-2019"


@dataclass
class Case:
    blocks: list[Block]
    expected: set[tuple[int, str, str]] = field(default_factory=set)  # (number, axis, status) on the Kark review
    queued: bool = False  # left to an analyst (unresolved_statements), not published
    review: str | None = None  # the review the whole document is about


def _row(text: str) -> Block:
    return Block("table_row", text)


R, I = "response", "implementation"
FAMILIES: dict[str, list[Case]] = {
    # --- families that carry a status ---
    "FUT": [Case([para("Recommendation 3 of the Kark review will be implemented from April.")], {(3, R, "accepted")}),
            Case([para("Kark recommendation 2 is due to be considered by ministers in the spring.")],
                 {(2, R, "under_consideration")})],
    "HDG": [Case([para("Ministers have agreed in principle to Kark recommendation 2.")],
                 {(2, R, "accepted_in_principle")}),
            Case([para("Officials are considering recommendation 4 of the Kark review.")],
                 {(4, R, "under_consideration")})],
    "ASK": [Case([para("The Kark review's recommendation that settlement agreements should never hide a director's "
                       "misconduct from a later employer has been accepted.")], {(6, R, "accepted")})],
    "MIX": [Case([para("Kark recommendations 1 and 2 are now in place, but recommendation 3 has not yet started.")],
                 {(1, I, "implemented"), (2, I, "implemented"), (3, I, "not_started")})],
    "REP": [Case([para("A department spokesperson said recommendation 5 of the Kark review had been "
                       "implemented.")],
                 {(5, I, "implemented")}),
            Case([para("Sir Ian, a former trust chair, said recommendation 5 of the Kark review had been "
                       "implemented.")]),
            # a person the page names with an official title speaks for the owning body by surname alone
            Case([para("Jane Moss, the health secretary, spoke at the launch of the Kark review."),
                  para("Moss said she would accept all of the Kark review's recommendations.")],
                 {(n, R, "accepted") for n in range(1, 8)})],
    "ALL": [Case([para("The government accepted all seven of the Kark review's recommendations.")],
                 {(n, R, "accepted") for n in range(1, 8)}),
            Case([para("The Kark review made seven recommendations, all of which ministers accepted.")],
                 {(n, R, "accepted") for n in range(1, 8)}),
            # a clause set off by its comma after the review's own count is about every one of them
            Case([para("The Kark review made seven recommendations, which were accepted by ministers.")],
                 {(n, R, "accepted") for n in range(1, 8)}),
            # "The recommendations", the subject of a sentence on a page about one review, are all of its own
            Case([para("The recommendations have been accepted by the government.")],
                 {(n, R, "accepted") for n in range(1, 8)}, review=K),
            Case([para("The recommendations have been accepted by the government.")]),
            # ... unless the last report named was another one
            Case([para("The Francis inquiry made 290 recommendations."),
                  para("The recommendations have been accepted by the government.")], review=K)],
    "DLV": [Case([para("Following the Kark review, a national competence framework for directors was published in "
                       "March.")])],
    "DIR": [Case([para("The Kark review's recommendation 1 has been implemented: the framework was developed in "
                       "response to it.")], {(1, I, "implemented")})],
    "QUO": [Case([para("\u201cWe will implement Kark recommendation 4 in full,\u201d the minister said.")]),
            # a statement repeated in the other house: quoted from its first paragraph to its last
            Case([para("\u201cWith permission, I will make a statement on the Kark review."),
                  para("The review makes seven recommendations and I have accepted all of them."),
                  para("Work on the first has started.\u201d")])],
    "DEN": [Case([para("The regulator denied reports that Kark recommendation 4 had been quietly dropped.")]),
            Case([para("It is not true that recommendation 2 of the Kark review has been implemented.")]),
            Case([para("Kark recommendation 3 has still not been implemented.")], {(3, I, "not_started")}),
            Case([para("There is no sign that work has begun on recommendation 7 of the Kark review.")],
                 {(7, I, "not_started")}),
            Case([para("On the Kark review, work has not yet begun on recommendations 3 and 7.")],
                 {(3, I, "not_started"), (7, I, "not_started")})],
    "BLD": [Case([heading("Recommendation 6: settlement agreements"),
                  para("The new reference rules are now in place for all board appointments.")],
                 {(6, I, "implemented")}, review=K)],
    "SPR": [Case([para("Ministers accepted two of the Kark recommendations on Tuesday."),
                  para("They concern competence standards and a register.")], queued=True)],
    "PTC": [Case([para("Work on Kark recommendation 2 was paused in 2020 but has since restarted and is now under "
                       "way.")], {(2, I, "in_progress")}),
            # a decision, then "that decision" reopened: the current state
            Case([para("Ministers decided against recommendation 4 of the Kark review in 2023. That decision is now "
                       "being revisited.")], {(4, R, "under_consideration")})],
    "XRV": [Case([para("The Kark review was published in 2019."),
                  para("Recommendation 4 of the Health Select Committee's report has been rejected.")])],
    "CNW": [Case([para("Two of the Kark review's seven recommendations have been accepted.")], queued=True),
            Case([para("The Kark review made seven recommendations, some of which have been dropped.")], queued=True),
            # a hedged quantifier is a part
            Case([para("Almost every recommendation of the Kark review was accepted, at least in principle.")],
                 queued=True)],
    "CWH": [Case([para("Ministers accepted two of the Kark review's recommendations."),
                  para("The two are a central register of directors' qualifications and employment history, and an "
                       "end to settlement agreements that hide misconduct from a later employer.")],
                 {(2, R, "accepted"), (6, R, "accepted")}),
            Case([para("The Kark review made seven recommendations, of which the government has accepted the first "
                       "two.")], {(1, R, "accepted"), (2, R, "accepted")}),
            Case([para("Ministers accepted two of the Kark review's seven recommendations in principle: the competence "
                       "standards (recommendation 1) and a register (recommendation 2).")],
                 {(1, R, "accepted_in_principle"), (2, R, "accepted_in_principle")}),
            Case([para("Ministers accepted two of the Kark review's recommendations: recommendation 1 and "
                       "recommendations 2 and 3.")], queued=True)],
    "REM": [Case([para("Kark recommendations 1 and 2 were accepted. The remaining five will be considered later.")],
                 {(1, R, "accepted"), (2, R, "accepted")} | {(n, R, "under_consideration") for n in range(3, 8)}),
            Case([para("Kark recommendations 1 and 2 were accepted, and ministers will consider the other five "
                       "before responding.")],
                 {(1, R, "accepted"), (2, R, "accepted")} | {(n, R, "under_consideration") for n in range(3, 8)})],
    "COL": [Case([para("On the Kark review, the department has agreed to take forward these:"),
                  item("Recommendation 2: a central register of directors"),
                  item("Recommendation 5: extending the test to commissioners")],
                 {(2, R, "accepted"), (5, R, "accepted")}),
            Case([para("The Kark review will look at:"), item("directors' skills"), item("references")]),
            # the decision in the lead-in's own noun phrase
            Case([para("On the Kark review, the approved proposals are:"),
                  item("a central register of directors recording their qualifications and employment history")],
                 {(2, R, "accepted")})],
    "NLS": [Case([heading("To be implemented in full"), para("2) A central register of directors should be set up."),
                  heading("To be implemented in part"), para("6) Settlement agreements should never hide misconduct.")],
                 {(2, R, "accepted"), (6, R, "partially_accepted")}, review=K),
            Case([heading("Kark review"), heading("Recommendations accepted in full", 3),
                  item("1) Every director should meet a set of competence standards drawn up nationally."),
                  item("2) A central register of directors should record their qualifications.")],
                 {(1, R, "accepted"), (2, R, "accepted")})],
    "TAB": [Case([para("Where the Rose review's recommendations stand, with others."),
                  _row("Review | No. | Recommendation | Decision"),
                  _row("Kark (2019) | 2 | A central register of directors | Accepted in principle")],
                 {(2, R, "accepted_in_principle")}),
            Case([heading("Kark review: annex", 1), _row("No. | Recommendation | Decision | Position"),
                  _row("3 | Compulsory training | Accepted | In progress. Pilot in two regions.")],
                 {(3, R, "accepted"), (3, I, "in_progress")}),
            # with a status column, the narrative beside it is its detail
            Case([heading("Kark review: progress", 1), _row("Recommendation | What has happened | Status"),
                  _row("4. A way of barring directors | Ministers have not yet agreed a scheme. | Not started")],
                 {(4, I, "not_started")}),
            Case([heading("Kark review in numbers", 1), _row("Status | Number of recommendations"),
                  _row("Implemented | 2"), _row("In progress | 3"), _row("Not started | 2")])],
    "RAT": [Case([heading("Kark review: board assurance", 1),
                  para("The board's compliance with the fit and proper person test requires improvement.")])],
    "LBL": [Case([heading("Recommendation 3: compulsory training"), para("Status: in progress")],
                 {(3, I, "in_progress")}, review=K)],
    "RNP": [Case([para("Recommendation 4 \u2013 work on a barring scheme has not yet begun.")],
                 {(4, I, "not_started")}, review=K)],
    "FAQ": [Case([heading("Has the register of directors been set up?"),
                  para("Yes. Recommendation 2 of the Kark review was implemented in May.")], {(2, I, "implemented")}),
            Case([heading("Has compulsory training started?"), para("Not yet.")], review=K),
            # a question line that restates one recommendation: the answer's statements with no target are about it
            Case([para("4.2 Will training against the standards be compulsory for directors?"),
                  para("No decision has been taken yet. This will be considered next year.")],
                 {(3, R, "under_consideration")}, review=K)],
    "WQA": [Case([para("To ask the Secretary of State, whether recommendation 4 of the Kark review has been "
                       "implemented."),
                  para("Recommendation 4 of the Kark review is under consideration.")],
                 {(4, R, "under_consideration")}),
            # the answer, under the page's own headings, speaks of the one review the question named
            Case([para("To ask the Secretary of State, what steps are being taken on the report by Tom Kark."),
                  heading("Answered by"), heading("Minister of State"),
                  para("The report made seven recommendations, which were accepted by the Government.")],
                 {(n, R, "accepted") for n in range(1, 8)})],
    "GRP": [Case([para("Among the Kark recommendations accepted by ministers is a central register of directors "
                       "recording their qualifications and employment history.")], {(2, R, "accepted")}),
            Case([para("The Kark recommendations, fully accepted by ministers, include a way of barring directors "
                       "found guilty of serious misconduct.")], {(4, R, "accepted")}),
            # what it names restates no one recommendation clearly: the group's status goes to the analyst
            Case([para("The Kark recommendations, fully accepted by ministers, include better support for "
                       "boards.")], queued=True)],
    "STM": [Case([para("I can confirm that the Government accept recommendation 6 of the Kark review.")],
                 {(6, R, "accepted")})],
    # --- families that look like a status but carry none ---
    "CND": [Case([para("Had ministers accepted recommendation 4 of the Kark review, failures would have surfaced.")]),
            # a status inside a question someone will look into
            Case([para("MPs will look at how far the recommendations of the Kark review have been implemented.")]),
            Case([para("If the pilots go well, Kark recommendation 3 will be rolled out to every trust.")]),
            Case([para("If recommendation 4 of the Kark review were implemented, boards would change.")]),
            Case([para("Will recommendation 4 of the Kark review ever be implemented?")])],
    "ANN": [Case([para("The Kark review will examine the fit and proper person test and report in the autumn.")])],
    "SHD": [Case([para("Kark recommendation 2: a central register of directors should be created.")])],
    "NLN": [Case([para("The Kark review makes seven recommendations:"),
                  item("1. Every director should meet a set of competence standards."),
                  item("2. A central register of directors should be set up.")])],
    "WEL": [Case([para("NHS Providers welcomed the Kark review's recommendations and called for funding.")])],
    "PTR": [Case([para("Annex A sets out progress on each of the Kark review's recommendations.")])],
    "BRD": [Case([para("The board is asked to note progress on recommendation 3 of the Kark review.")])],
    "CNF": [Case([para("Tom Kark said he had made five central recommendations, all of which had been accepted.")])],
    # --- page furniture and artefacts: stripped before any statement is read ---
    "FUR": [Case([para("Kark recommendation 1 has been accepted."), heading("Related articles"),
                  item("Ministers accept all seven Kark recommendations")], {(1, R, "accepted")}),
            Case(html_to_blocks("<main><p>The Kark review was published in 2019.</p><aside><h3>Latest news</h3><ul>"
                                "<li>Government accepts Kark recommendation 4</li></ul></aside>"
                                "<footer>Kark recommendation 5 implemented, says minister</footer></main>")),
            # other stories' headlines kept as text (a stored copy's list), under a heading that names no review
            Case([heading("The health secretary confirmed the Kark review's publication at a board event today", 1),
                  heading("More from this week"), item("Trust board backs a new register of its directors"),
                  item("Regional body set up to train directors")], review=K)],
    "BNR": [Case([Block("paragraph", "This page is archived. Kark recommendation 2 has been implemented.",
                        role="banner"), para("The Kark review was published in 2019.")])],
    "PDF": [Case([para("The Kark review: progress report"), para("Page 3 of 12")])],
    "EXC": [Case([para("The government accepted all of the Kark review's recommendations except recommendation 7.")],
                 {(n, R, "accepted") for n in range(1, 7)}),
            Case([para("Apart from the end to settlement agreements that hide misconduct, every one of the Kark "
                       "review's seven recommendations is being taken forward.")],
                 {(n, I, "in_progress") for n in (1, 2, 3, 4, 5, 7)}),
            Case([para("None of the Kark review's seven recommendations has been implemented.")]),
            Case([para("All the Kark recommendations except a couple have been accepted.")], queued=True)],
    "DUP": [Case([para("Kark recommendation 2 has been implemented."),
                  para("Kark recommendation 2 has been implemented.")],
                 {(2, I, "implemented")})],
}


@pytest.mark.parametrize("code, case", [(code, case) for code, cases in FAMILIES.items() for case in cases],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_each_layout_family_is_read_queued_or_left_as_the_survey_says(code, case):
    result = read(case.blocks, case.review)
    found = {(e.number, e.axis, e.status) for e in result.evidence if e.review_id == K}
    assert found == case.expected, code
    assert [e for e in result.evidence if e.review_id != K] == [], code
    assert bool([u for u in result.unresolved if u.review_id == K]) == case.queued, (code, result.unresolved)


def test_the_layout_catalogue_and_this_table_name_the_same_families():
    doc = (ROOT / "docs" / "developers" / "layouts.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z]{3})` \|", doc, re.M))
    assert listed == set(FAMILIES), (listed ^ set(FAMILIES))
