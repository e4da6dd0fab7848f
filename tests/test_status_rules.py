"""Status extraction rules on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract.language import find_references, sentences
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.items import Block, Publication
from tracker.registry import load_reviews

KNOWN = {
    "rose-2015": set(range(1, 20)),
    "kark-2019": set(range(1, 8)),
    "messenger-2022": set(range(1, 8)),
    "smith-2015": set(range(1, 17)),
}


def extract(blocks, doc_review=None):
    pub = Publication(url="https://example.org/doc", source="other", title="t", published_on=date(2020, 1, 1),
                      document_type="report", blocks=blocks)
    ev = StatusExtractor(ReviewNamer(load_reviews()), KNOWN).extract(pub, doc_review)
    return sorted((e.review_id, e.number, e.axis, e.status) for e in ev)


def para(text, role="body"):
    return Block("paragraph", text, role=role)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("recommendation 4", [(4,)]),
        ("recommendations 2, 3 and 4", [(2, 3, 4)]),
        ("recommendations 3 to 7", [(3, 4, 5, 6, 7)]),
        ("recommendations 3-5 and 9", [(3, 4, 5, 9)]),
        ("the first recommendation", [(1,)]),
        ("the first two recommendations", [(1, 2)]),
        ("the second and third recommendations", [(2, 3)]),
    ],
)
def test_numbered_references(text, expected):
    assert [r.numbers for r in find_references(text)] == expected


@pytest.mark.parametrize(
    "text, n",
    [("all 19 recommendations", 19), ("all seven of its recommendations", 7), ("all of the recommendations", 0)],
)
def test_all_references(text, n):
    [ref] = find_references(text)
    assert ref.all_of == n


def test_numbers_in_prose_are_not_references():
    assert find_references("The review spoke to 3 national bodies and 40 trusts in 2015.") == []


def test_sentences_keep_abbreviations_together():
    text = "Dr. Smith wrote the report. It has 16 recommendations. Sir Ed Smith led it."
    assert sentences(text) == ["Dr. Smith wrote the report.", "It has 16 recommendations.", "Sir Ed Smith led it."]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The government accepts recommendations 1 and 2 of the Kark review.",
         [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted")]),
        ("Recommendation 6 of the Kark review is accepted in principle.",
         [("kark-2019", 6, "response", "accepted_in_principle")]),
        ("The department does not accept recommendation 7 of the Kark review.",
         [("kark-2019", 7, "response", "rejected")]),
        ("Kark review recommendation 7 was not accepted.",
         [("kark-2019", 7, "response", "rejected")]),
        ("Recommendations 3 to 5 of the Kark review will be considered further.",
         [("kark-2019", n, "response", "under_consideration") for n in (3, 4, 5)]),
        ("Recommendation 9 of the Rose review will be implemented in part.",
         [("rose-2015", 9, "response", "partially_accepted")]),
        ("Recommendation 9 of the Rose review will be implemented.",
         [("rose-2015", 9, "response", "accepted")]),
        ("Recommendation 9 of the Rose review has been implemented.",
         [("rose-2015", 9, "implementation", "implemented")]),
        ("Recommendation 9 of the Rose review is already being implemented.",
         [("rose-2015", 9, "implementation", "in_progress")]),
        ("Recommendation 9 of the Rose review has been implemented in part.",
         [("rose-2015", 9, "implementation", "partially_implemented")]),
        ("Rose recommendation 12 has been overtaken by the new oversight framework.",
         [("rose-2015", 12, "implementation", "superseded")]),
        ("There is no sign of progress on recommendation 6 of the Messenger review.",
         [("messenger-2022", 6, "implementation", "not_started")]),
        ("Work on recommendation 3 of the Messenger review has been paused.",
         [("messenger-2022", 3, "implementation", "paused")]),
        ("Lord Rose's review made 19 recommendations, and all 19 recommendations were accepted.",
         [("rose-2015", n, "response", "accepted") for n in range(1, 20)]),
        ("Messenger recommendation 1 has been implemented, and recommendation 2 is being implemented.",
         [("messenger-2022", 1, "implementation", "implemented"), ("messenger-2022", 2, "implementation", "in_progress")]),
    ],
)
def test_sentence_rules(sentence, expected):
    assert extract([para(sentence)]) == sorted(expected)


def test_other_peoples_words_never_count():
    blocks = [
        para("\u201cRecommendation 3 of the Kark review has been implemented already,\u201d said one chair.", role="body"),
        para("Recommendation 3 of the Kark review has been implemented in my trust.", role="comment"),
        para("Recommendation 3 of the Kark review has been implemented.", role="quote"),
        para("This archived page says recommendation 3 of the Kark review has been implemented.", role="banner"),
    ]
    assert extract(blocks) == []


def test_an_untracked_inquiry_does_not_attach_to_the_documents_review():
    blocks = [para("Recommendation 2 of the select committee report has been implemented.")]
    assert extract(blocks, doc_review="kark-2019") == []


def test_section_heading_names_the_review():
    blocks = [Block("heading", "The Messenger review", level=2), para("Recommendation 4 is still being developed.")]
    assert extract(blocks) == [("messenger-2022", 4, "implementation", "in_progress")]


def test_grouped_layout_applies_a_headings_status_to_each_item():
    blocks = [
        Block("heading", "Recommendations that have been implemented", level=2),
        Block("list_item", "A single appraisal system was introduced.", label="10"),
        Block("list_item", "A shared calendar now exists.", label="14"),
        para("Recommendations to be implemented in part:"),
        Block("list_item", "Accredited training for middle managers.", label="7"),
    ]
    assert extract(blocks, doc_review="rose-2015") == [
        ("rose-2015", 7, "response", "partially_accepted"),
        ("rose-2015", 10, "implementation", "implemented"),
        ("rose-2015", 14, "implementation", "implemented"),
    ]


def test_numbers_beyond_the_review_are_dropped():
    assert extract([para("Recommendation 25 of the Kark review has been implemented.")]) == []


PHRASES = [
    "does not accept", "not accepted", "rejects", "declines to implement", "will not be taken forward",
    "accepted in principle", "agreed in principle", "accepted in part", "partially accepted", "will be implemented in part",
    "will be considered further", "further consideration", "under consideration", "decision is awaited", "awaiting a decision",
    "yet to respond", "no decision has been made", "overtaken", "superseded", "has been replaced by", "no longer relevant",
    "paused", "on hold", "suspended", "stalled", "no sign of progress", "not yet started", "has not begun", "yet to start",
    "no progress on", "no work has started", "has not been implemented", "partially implemented", "has been implemented in part",
    "is being implemented", "is being taken forward", "is being rolled out", "under way", "in progress", "work has started",
    "is progressing", "work on this continues", "has been implemented", "has been delivered", "has been completed",
    "was implemented", "is now in force", "came into force", "fully implemented", "is now complete", "accepts",
    "will be implemented", "agrees to implement", "will implement", "endorses", "commits to implementing", "will be taken forward",
]


@pytest.mark.parametrize("phrase", PHRASES)
def test_the_cheap_prefilter_lets_every_status_phrase_through(phrase):
    from tracker.extract.phrases import find_statuses
    from tracker.extract.status import has_status_hint

    assert find_statuses(phrase), phrase  # the rules know the phrase
    assert has_status_hint(phrase.upper()), phrase  # and the prefilter never hides it from them
