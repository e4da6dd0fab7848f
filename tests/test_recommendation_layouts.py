"""Recommendation layouts and the traps that are not recommendations, on blocks written for these tests."""

from __future__ import annotations

from datetime import date

from tracker.extract.paraphrase import ParaphraseMatcher
from tracker.extract.recommendations import extract_recommendations
from tracker.items import Block, Publication, Review

REVIEW = Review("test-review", "A test review", "DHSC", date(2020, 1, 1), None, 5)
PLAN = Review("test-plan", "A test plan", "NHS England", date(2019, 1, 1), None, None, kind="commitments",
              paragraphs=("4.51", "4.52"))


def pub(blocks):
    return Publication(url="https://example.org/review", source="other", title="A test review",
                       published_on=date(2020, 1, 1), document_type="report", blocks=blocks)


def H(text, level=2, page=None):
    return Block("heading", text, level=level, page=page)


def P(text, page=None):
    return Block("paragraph", text, page=page)


def LI(text, label="", level=0, page=None):
    return Block("list_item", text, level=level, label=label, page=page)


def rows(recs):
    return [(r.number, r.theme, r.text, r.page) for r in recs]


def test_one_numbered_list_through_theme_headings_with_overarching_items_first():
    blocks = [
        H("Contents", 1), P("Introduction ........ 3"),
        H("1. Introduction", 1), P("We spoke to 3 national bodies and 40 trusts."),
        H("Key findings", 1), LI("Boards are stretched.", "1"), LI("Data requests overlap.", "2"),
        H("Recommendations", 1),
        LI("Agree one national vision.", "1", page=5), LI("Agree one set of values.", "2", page=5),
        H("Training", 2), LI("Create a management curriculum.", "3", page=5),
        H("Performance management", 2), LI("Introduce one appraisal system for", "4", page=5),
        P("all senior managers.", page=6), LI("Set written objectives.", "5", page=6),
        H("Annex A: method", 1), LI("We held 12 workshops.", "1"),
    ]
    assert rows(extract_recommendations(pub(blocks), REVIEW)) == [
        (1, "overarching", "Agree one national vision.", 5),
        (2, "overarching", "Agree one set of values.", 5),
        (3, "Training", "Create a management curriculum.", 5),
        (4, "Performance management", "Introduce one appraisal system for all senior managers.", 5),
        (5, "Performance management", "Set written objectives.", 6),
    ]


def test_recommendation_headings_take_text_and_sub_actions_but_not_discussion():
    blocks = [
        H("Finding 1: boards lack data"), P("Boards told us they lack timely data."),
        H("Better support", 2),
        H("Recommendation 1: a single framework", 3),
        P("NHS England should publish one development framework."),
        LI("covering executives", level=1), LI("covering non-executives", level=1),
        P("We heard that existing frameworks overlap and confuse."),
        H("Recommendation 2", 3), P("Trusts should report board training yearly."),
        P("Several trusts already do this."),
    ]
    assert rows(extract_recommendations(pub(blocks), REVIEW)) == [
        (1, "Better support",
         "a single framework: NHS England should publish one development framework. \u2022 covering executives \u2022 "
         "covering non-executives", None),
        (2, "Better support", "Trusts should report board training yearly.", None),
    ]


def test_parenthesised_numbers_in_paragraphs():
    blocks = [H("Our recommendations", 2), P("(1) Cut duplicate data requests."),
              P("(2) Share one calendar of requests."),
              H("Conclusion", 2), P("(3) This is not a recommendation.")]
    assert [r.number for r in extract_recommendations(pub(blocks), REVIEW)] == [1, 2]


def test_a_list_that_restarts_keeps_the_run_from_one():
    blocks = [H("Recommendations", 1), LI("First.", "1"), LI("Second.", "2"), LI("Stray.", "7")]
    assert [r.number for r in extract_recommendations(pub(blocks), REVIEW)] == [1, 2]


def test_plan_commitments_are_each_we_will_sentence_of_the_named_paragraphs():
    blocks = [
        H("Leadership and talent management", 2),
        P("4.50 Context only. Leadership matters. We will not count this paragraph."),
        P("4.51 There will be a new compact. We will back leaders in hard roles. We will publish a code."),
        LI("a regional talent approach", level=0),
        P("4.52 We will expand the graduate scheme, and support graduates."),
        P("4.60 We will do something outside the section."),
    ]
    recs = extract_recommendations(pub(blocks), PLAN)
    assert [(r.number, r.ref, r.text) for r in recs] == [
        (1, "4.51", "We will back leaders in hard roles."),
        (2, "4.51", "We will publish a code."),
        (3, "4.52", "We will expand the graduate scheme, and support graduates."),
    ]


def test_paraphrase_matcher_finds_the_recommendation_a_sentence_describes():
    matcher = ParaphraseMatcher({
        1: "We will expand the graduate management training scheme and support those who complete it.",
        2: "We will create a faculty of experienced coaches and mentors for senior leaders.",
        3: "We will publish a leadership code of values and behaviours expected of leaders.",
    })
    assert [n for n, _ in matcher.match("Expansion of the graduate management training scheme is under way.")] == [1]
    assert [n for n, _ in matcher.match("There is no sign of the faculty of coaches and mentors.")] == [2]
    assert matcher.match("Recruitment to director posts has been paused in some trusts.") == []
