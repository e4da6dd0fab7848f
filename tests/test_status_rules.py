"""Status extraction on sentences and small documents written for these tests: the lexicon, the
grammar of frames, target resolution, the document walk, abstention and who speaks."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.extract import lexicon
from tracker.extract.basis import BASES
from tracker.extract.frames import find_predicates
from tracker.extract.language import sentences, visible_text
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor, has_status_hint
from tracker.speakers import speaker_of
from tracker.extract.targets import find_references, resolve
from tracker.items import Block, Publication
from tracker.registry import load_reviews

KNOWN = {
    "rose-2015": set(range(1, 20)),
    "kark-2019": set(range(1, 8)),
    "messenger-2022": set(range(1, 8)),
    "smith-2015": set(range(1, 17)),
}
TEXTS = {
    "kark-2019": {
        1: "Every director should meet a set of competence standards drawn up nationally.",
        2: "A central register of directors should record their qualifications and employment history.",
        3: "Training against the competence standards should be compulsory for directors.",
        4: "A way of barring directors found guilty of serious misconduct should be created.",
        5: "The test should also cover commissioners and the arm's length bodies.",
        6: "Settlement agreements should never hide a director's misconduct from a later employer.",
        7: "The regulator's role in checking the test should be set out more clearly.",
    },
}
EXTRACTOR = StatusExtractor(ReviewNamer(load_reviews()), KNOWN, TEXTS)


def read(blocks, doc_review=None, url="https://example.org/doc"):
    pub = Publication(url=url, source="other", title="t", published_on=date(2020, 1, 1), document_type="report",
                      blocks=blocks)
    return EXTRACTOR.read(pub, doc_review)


def extract(blocks, doc_review=None):
    return sorted((e.review_id, e.number, e.axis, e.status) for e in read(blocks, doc_review).evidence)


def para(text, role="body"):
    return Block("paragraph", text, role=role)


def item(text, label=""):
    return Block("list_item", text, label=label)


def heading(text, level=2):
    return Block("heading", text, level=level)


# --- the lexicon ---------------------------------------------------------------------------------

@pytest.mark.parametrize("verb, forms", [
    ("take", {"take", "takes", "took", "taken", "taking"}),
    ("carry", {"carry", "carries", "carried", "carrying"}),
    ("drop", {"drop", "drops", "dropped", "dropping"}),
    ("shelve", {"shelve", "shelves", "shelved", "shelving"}),
    ("agree", {"agree", "agrees", "agreed", "agreeing"}),
    ("scrap", {"scrap", "scraps", "scrapped", "scrapping"}),
])
def test_inflections_are_generated_from_the_lemma(verb, forms):
    assert set(lexicon.inflections(verb)) == forms


def test_every_generated_form_passes_the_prefilter():
    for form in lexicon.VERB_FORMS:
        assert has_status_hint(f"Something {form.upper()} here"), form


# --- references -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, numbers", [
    ("recommendation 4", (4,)),
    ("recommendation four", (4,)),
    ("Rec 5", (5,)),
    ("recommendations 2, 3 and 4", (2, 3, 4)),
    ("recommendations 3 to 7", (3, 4, 5, 6, 7)),
    ("recommendations 3-5 and 9", (3, 4, 5, 9)),
    ("the sixth recommendation", (6,)),
    ("the second and third recommendations", (2, 3)),
    ("the first two recommendations", (1, 2)),
    ("the third of the review's recommendations", (3,)),
])
def test_numbered_references(text, numbers):
    [ref] = find_references(text)
    assert ref.kind == "numbers" and ref.numbers == numbers


@pytest.mark.parametrize("text, kind, count", [
    ("all 19 recommendations", "all", 19),
    ("all seven of its recommendations", "all", 7),
    ("all of the recommendations", "all", None),
    ("the review's recommendations", "all", None),
    ("the remaining four recommendations", "rest", 4),
    ("the rest of the recommendations", "rest", None),
    ("two of the proposals", "quantity", 2),
    ("each of which", "anaphor_all", None),
])
def test_quantified_references(text, kind, count):
    [ref] = find_references(text)
    assert (ref.kind, ref.count) == (kind, count)


def test_numbers_in_prose_are_not_references():
    assert find_references("The review spoke to 3 national bodies and 40 trusts in 2015.") == []


def test_the_first_two_networks_are_not_recommendations():
    assert find_references("Funding for four networks was agreed, and the first two are open.") == []


def test_resolution_never_guesses():
    [quantity] = find_references("two of the proposals")
    assert resolve(quantity, KNOWN["kark-2019"], set()).numbers == ()
    [wrong_count] = find_references("all nine recommendations")
    assert "the review has 7" in resolve(wrong_count, KNOWN["kark-2019"], set()).problem
    [rest] = find_references("the rest")
    assert resolve(rest, KNOWN["kark-2019"], {1, 2, 3}).numbers == (4, 5, 6, 7)
    assert resolve(rest, KNOWN["kark-2019"], set()).numbers == ()


def test_sentences_keep_abbreviations_together():
    text = "Dr. Smith wrote the report. It has 16 recommendations. Sir Ed Smith led it."
    assert sentences(text) == ["Dr. Smith wrote the report.", "It has 16 recommendations.", "Sir Ed Smith led it."]


# --- frames -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, status", [
    ("has been implemented", "implemented"),
    ("is being implemented", "in_progress"),
    ("will be implemented", "accepted"),
    ("has not yet been implemented", "not_started"),
    ("will not be implemented", "rejected"),
    ("is yet to be implemented", "not_started"),
    ("took forward", "in_progress"),
    ("has been carried out", "implemented"),
    ("was dropped", "rejected"),
    ("has been shelved", "paused"),
    ("stalled", "paused"),
    ("was overtaken by events", "superseded"),
    ("is due to be considered", "under_consideration"),
    ("will be looked at again", "under_consideration"),
    ("agreed in principle", "accepted_in_principle"),
    ("largely agreed", "partially_accepted"),
    ("has been implemented in part", "partially_implemented"),
])
def test_tense_voice_and_polarity_decide_the_status(text, status):
    assert [p.status for p in find_predicates(f"Recommendation 3 {text}.")] == [status]


@pytest.mark.parametrize("text", [
    "The government should implement recommendation 1.",
    "If accepted, recommendation 2 would change boards.",
    "It is unclear whether recommendation 3 has been implemented.",
    "Trusts asked NHS England to implement recommendation 4.",
    "The minister welcomed recommendation 5.",
    "Had ministers taken up recommendation 2, the failures might have come to light sooner.",
    "Should the board accept recommendation 6, it will be implemented from April.",
    "If the pilots go well, recommendation 3 will be rolled out to every trust.",
    "The regulator denied reports that recommendation 4 had been quietly dropped.",
    "Officials dismissed claims that recommendation 5 was abandoned last year.",
    "It is not true that recommendation 1 has been put into practice.",
    "Nobody could say with confidence that recommendation 2 had been delivered.",
    "The union wants all seven of the review's recommendations to be implemented in full.",
    "MPs urged ministers to allow the remaining recommendations to be taken forward.",
    "It was reported that recommendation 4 had been dropped.",
    "Recommendation 2 was implemented, it was claimed, but no evidence was offered.",
    "Recommendation 4 has reportedly been dropped.",
    "The BMA supports recommendation 4 in full.",
    "Recommendations 1 and 2 were endorsed by NHS Providers on the day.",
    "Unions, which had campaigned for years, welcomed and supported recommendation 6.",
])
def test_wishes_conditions_and_questions_are_not_statuses(text):
    assert extract([para(text)], "kark-2019") == []


# --- sentences in documents -----------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("The government accepts recommendations 1 and 2 of the Kark review.",
     [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted")]),
    ("Recommendation 6 of the Kark review is accepted in principle.",
     [("kark-2019", 6, "response", "accepted_in_principle")]),
    ("The department does not accept recommendation 7 of the Kark review.",
     [("kark-2019", 7, "response", "rejected")]),
    ("Rose recommendation 12 has been overtaken by the new oversight framework.",
     [("rose-2015", 12, "implementation", "superseded")]),
    ("There is no sign yet of recommendation 6 of the Messenger review.",
     [("messenger-2022", 6, "implementation", "not_started")]),
    ("Messenger recommendation 1 has been implemented, and recommendation 2 is being implemented.",
     [("messenger-2022", 1, "implementation", "implemented"), ("messenger-2022", 2, "implementation", "in_progress")]),
    ("Ministers have so far agreed to the first three recommendations of the Kark review; the rest will be looked at "
     "again next year.",
     [("kark-2019", n, "response", "accepted") for n in (1, 2, 3)]
     + [("kark-2019", n, "response", "under_consideration") for n in (4, 5, 6, 7)]),
    ("Recommendation 4 of the Kark review was rejected; every other recommendation has been accepted.",
     [("kark-2019", 4, "response", "rejected")]),
    ("Recommendation 3 of the Kark review: accepted in principle, subject to funding.",
     [("kark-2019", 3, "response", "accepted_in_principle")]),
    ("Ministers have accepted recommendations 1 to 3 of the Kark review, and recommendation 4 is under consideration.",
     [("kark-2019", n, "response", "accepted") for n in (1, 2, 3)] + [("kark-2019", 4, "response",
                                                                       "under_consideration")]),
    ("Recommendation 3 of the Kark review was turned down in 2019 and subsequently accepted after consultation.",
     [("kark-2019", 3, "response", "accepted")]),
    ("Kark recommendation 1 was completed in 2021 and recommendation 2 was later dropped.",
     [("kark-2019", 1, "implementation", "implemented"), ("kark-2019", 2, "response", "rejected")]),
    ("We accepted recommendations 1, 2 and 5 of the Kark review in full and recommendation 3 \u201cin part\u201d.",
     [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted"),
      ("kark-2019", 3, "response", "partially_accepted"), ("kark-2019", 5, "response", "accepted")]),
])
def test_sentence_rules(sentence, expected):
    assert extract([para(sentence)]) == sorted(expected)


def test_a_relative_clause_and_the_next_sentence_speak_of_the_same_recommendation():
    text = ("The new register delivers the report\u2019s sixth recommendation, which ministers have now agreed. "
            "Consultation on its design has begun.")
    assert extract([para(text)], "kark-2019") == [
        ("kark-2019", 6, "implementation", "in_progress"), ("kark-2019", 6, "response", "accepted")]


def test_the_review_named_as_the_review_is_the_documents_review():
    assert extract([para("Recommendations 4 and 5 of the review have been dropped.")], "kark-2019") == [
        ("kark-2019", 4, "response", "rejected"), ("kark-2019", 5, "response", "rejected")]


def test_an_untracked_inquiry_does_not_attach_to_the_documents_review():
    blocks = [para("Recommendation 2 of the Health and Social Care Committee report has been implemented."),
              para("Recommendation 12 has been implemented too.")]
    assert extract(blocks, doc_review="kark-2019") == []


def test_other_peoples_words_never_count():
    blocks = [
        para("\u201cRecommendation 3 of the Kark review has been implemented already,\u201d said one chair."),
        para("Jo Bloggs, chief executive of a trust, said recommendation 3 of the Kark review had stalled."),
        para("Recommendation 3 of the Kark review has been implemented in my trust.", role="comment"),
        para("Recommendation 3 of the Kark review has been implemented.", role="quote"),
        para("This archived page says recommendation 3 of the Kark review has been implemented.", role="banner"),
    ]
    assert extract(blocks) == []


def test_a_quotation_over_two_sentences_is_blanked_in_both():
    text = "The chair said: \u201cWe are pleased. Recommendation 3 of the Kark review has been implemented.\u201d"
    assert visible_text(text).count("implemented") == 0
    assert extract([para(text)]) == []


def test_a_reported_official_decision_counts_and_says_so():
    [ev] = read([para("The department said it had accepted recommendation 4 of the Kark review.")],
                url="https://www.kingsfund.org.uk/blog").evidence
    assert (ev.number, ev.status, ev.speaker) == (4, "accepted", "reported_official")


# --- quantities, lists and tables ---------------------------------------------------------------------------

def test_a_quantity_without_which_goes_to_the_analyst():
    result = read([para("Two of the proposals of the Kark review were accepted.")])
    assert result.evidence == []
    [u] = result.unresolved
    assert (u.review_id, u.status, u.why) == ("kark-2019", "accepted", "says 2 but not which")


def test_a_count_that_disagrees_with_the_review_is_reported_not_forced():
    result = read([para("The government accepted all nine of the Kark review's recommendations.")])
    assert result.evidence == [] and "the review has 7" in result.unresolved[0].why


def test_a_lead_in_with_a_quantity_applies_only_to_the_items_it_resolves():
    blocks = [
        para(
            "The Kark review made seven recommendations. The department endorsed in principle three of the proposals:"),
        item("a central register of directors' qualifications and employment history"),
        item("compulsory training for directors against the competence standards"),
        item("a clearer role for the regulator in checking the test"),
    ]
    assert extract(blocks) == [("kark-2019", n, "response", "accepted_in_principle") for n in (2, 3, 7)]


def test_a_lead_in_with_its_own_targets_does_not_spill_onto_the_list():
    blocks = [para("The Kark report made seven recommendations, and ministers have so far agreed to the first two:")]
    blocks += [item(text) for text in TEXTS["kark-2019"].values()]
    assert extract(blocks) == [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted")]


def test_items_match_by_their_own_label_never_their_position():
    blocks = [heading("Progress on the Kark review"), para("Where things stand:"),
              item("3) Compulsory training: consultation has begun.", label="#1"),
              item("A central register is now in place.", label="#2")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "implemented"),
                               ("kark-2019", 3, "implementation", "in_progress")]


def test_a_status_heading_qualifies_the_items_under_it():
    blocks = [heading("Recommendations that have been implemented"),
              item("A single appraisal system for managers.", label="10"),
              item("A shared calendar of announcements.", label="14")]
    assert extract(blocks, doc_review="rose-2015") == [
        ("rose-2015", 10, "implementation", "implemented"), ("rose-2015", 14, "implementation", "implemented")]


def test_a_headline_with_a_verb_is_not_a_status_heading():
    blocks = [heading("Ministers back two Kark proposals as a decision is delayed", 1)]
    blocks += [item(text) for text in TEXTS["kark-2019"].values()]
    assert extract(blocks) == []


def test_progress_table_rows():
    blocks = [heading("Kark review: progress"),
              Block("table_row", "Recommendation | What it asked | Status"),
              Block("table_row", "1 | Competence standards for directors | Implemented"),
              Block("table_row", "2 | A central register | In progress"),
              Block("table_row", "6 | Settlement agreements | Not started")]
    assert extract(blocks) == [("kark-2019", 1, "implementation", "implemented"),
                               ("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 6, "implementation", "not_started")]


def test_content_reference_in_response_to_the_recommendation_that():
    text = ("NHS England launched a consultation in response to the recommendation that directors should meet "
            "competence standards.")
    assert extract([para(text)], "kark-2019") == [("kark-2019", 1, "implementation", "in_progress")]


def test_numbers_beyond_the_review_are_dropped():
    assert extract([para("Recommendation 25 of the Kark review has been implemented.")]) == []


# --- who speaks ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, speaker", [
    ("https://www.gov.uk/government/news/x", "government"),
    ("https://www.england.nhs.uk/long-read/x/", "implementing_body"),
    ("https://webarchive.nationalarchives.gov.uk/ukgwa/2019/https://improvement.nhs.uk/x", "implementing_body"),
    ("https://questions-statements.parliament.uk/written-questions/detail/1", "parliament"),
    ("https://www.cqc.org.uk/news/x", "regulator"),
    ("https://www.kingsfund.org.uk/blog/x", "independent"),
])
def test_speaker_kind_from_the_publisher(url, speaker):
    assert speaker_of(url) == speaker


@pytest.mark.parametrize("text, statuses", [
    ("Recommendation 1 has not come into force, but recommendation 2 came into force in April.",
     ["not_started", "implemented"]),
    ("Recommendation 2 came into force in April, but recommendation 1 has not come into force.",
     ["implemented", "not_started"]),
    ("Recommendation 1 has not come into force and recommendation 2 has not yet come into force either.",
     ["not_started", "not_started"]),
])
def test_a_negated_state_reads_only_where_it_is_negated(text, statuses):
    assert [p.status for p in find_predicates(text)] == statuses


def row(text):
    return Block("table_row", text)


def test_a_status_cell_leads_with_its_status_and_a_numbers_column_names_the_row():
    blocks = [heading("Kark review: annex", 1), row("No. | Recommendation | Decision | Position"),
              row("2 | A central register | Accepted | In progress. Pilot in two regions."),
              row("4 | Barring | Accepted in part | Paused October 2022 pending a consultation."),
              row("6 | Settlement agreements | Not accepted | Not being taken forward.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 2, "response", "accepted"), ("kark-2019", 4, "implementation", "paused"),
                               ("kark-2019", 4, "response", "partially_accepted"),
                               ("kark-2019", 6, "response", "rejected")]


def test_a_column_of_counts_names_no_recommendation():
    blocks = [heading("Kark review: progress in numbers", 1), row("Status | Number of recommendations"),
              row("Implemented | 2"), row("In progress | 3"), row("Not started | 2")]
    assert extract(blocks) == []
    blocks = [heading("Leadership reviews", 1), row("Review | Recommendations made | Accepted"),
              row("Kark review | 7 | 2")]
    assert extract(blocks) == []


def test_a_first_cell_that_leads_with_the_number_under_a_recommendation_header():
    blocks = [heading("The Kark recommendations, October 2023", 1),
              row("Kark recommendation | Government decision | Implementation"),
              row("1. Standards of competence for all directors | Accepted in principle (2019) | Implemented"),
              row("3. Compulsory training | Decision awaited | Not started")]
    assert extract(blocks) == [("kark-2019", 1, "implementation", "implemented"),
                               ("kark-2019", 1, "response", "accepted_in_principle"),
                               ("kark-2019", 3, "implementation", "not_started"),
                               ("kark-2019", 3, "response", "under_consideration")]


def test_these_recommendations_in_the_next_paragraph_are_the_ones_all_seven_named():
    blocks = [para("The Kark review made seven recommendations, all of which the minister accepted today."),
              para("We are urgently taking these recommendations forward.")]
    found = extract(blocks)
    assert [n for r, n, axis, st in found if st == "in_progress"] == list(range(1, 8))
    # a count names none, so nothing is there to point back to
    blocks = [para("The Kark review made seven recommendations."),
              para("These recommendations are being taken forward.")]
    assert [f for f in extract(blocks) if f[3] == "in_progress"] == []


def test_an_official_named_earlier_speaks_for_the_owning_body_on_an_independent_page():
    blocks = [para("Jane Moss, the health secretary, spoke at the launch of the Kark review."),
              para("Moss said she would accept all of the Kark review's recommendations.")]
    evidence = read(blocks).evidence
    assert len(evidence) == 7 and {e.speaker for e in evidence} == {"reported_official"}


def test_a_title_that_describes_a_review_in_other_words_is_about_it_and_one_about_another_is_not():
    from tracker.stages.extraction import document_review

    namer = EXTRACTOR.namer
    body = "Tom Kark's review was published today. Ministers accepted two of its recommendations."
    mentions = namer.mentions(body)
    assert document_review(namer, "Review of fit and proper person test for NHS directors published",
                           mentions) == "kark-2019"
    assert document_review(namer, "Freedom to Speak Up review: ten years on", mentions) is None
    assert document_review(namer, "Board leadership news", mentions) == "kark-2019"
    assert document_review(namer, "Five years after Kark: an update report", mentions) == "kark-2019"
    assert document_review(namer, "Five years after Francis: an update report", mentions) is None


def test_a_thing_agreed_under_a_recommendations_heading_is_no_response_to_it():
    blocks = [heading("Kark review: where things stand", 1), heading("Recommendation 1", 3),
              para("A single set of competence standards was agreed by the national bodies last year."),
              heading("Recommendation 6", 3), para("This was accepted in principle in 2019."),
              heading("Recommendation 7", 3), para("Not accepted.")]
    assert extract(blocks) == [("kark-2019", 6, "response", "accepted_in_principle"),
                               ("kark-2019", 7, "response", "rejected")]


@pytest.mark.parametrize("text, expected", [
    ("In effect this implements Kark's sixth recommendation: an agreement can no longer hide what an employer "
     "is told.", [("kark-2019", 6, "implementation", "implemented")]),
    ("The framework covers the regulator too, which partly implements recommendation 5 of the Kark review.",
     [("kark-2019", 5, "implementation", "partially_implemented")]),
    ("Kark recommendation 2 has not yet been agreed.", [("kark-2019", 2, "response", "under_consideration")]),
])
def test_what_a_thing_does_for_a_recommendation_is_news(text, expected):
    assert extract([para(text)]) == expected


def test_an_independent_pdf_under_the_reviews_title_is_commentary_and_read_for_statements():
    from tracker.speakers import publisher_of
    from tracker.stages.extraction import own_document

    kark = next(r for r in load_reviews() if r.review_id == "kark-2019")
    title = "On the day briefing: Kark review of the fit and proper persons test"
    for url, own in (("https://nhsproviders.org/briefing.pdf", False),
                     ("https://assets.publishing.service.gov.uk/media/kark.pdf", True)):
        pub = Publication(url=url, source="other", title=title, published_on=date(2019, 2, 6), document_type="pdf",
                          blocks=[])
        assert own_document(pub, kark, {}, publisher_of(url)) is own, url


def test_agreed_that_they_should_be_taken_forward_is_a_decision_on_the_list():
    blocks = [para("In May 2022 ministers agreed that the following Kark recommendations should be taken forward:"),
              item("standards of competence for every director (recommendation 1)"),
              item("extending the test to commissioners (recommendation 5)")]
    assert extract(blocks) == [("kark-2019", 1, "response", "accepted"), ("kark-2019", 5, "response", "accepted")]
    # a decision about something else stays none
    assert extract([para("Ministers agreed that funding for Kark recommendation 2 would be found later.")]) == []


def test_partly_in_place_is_partly_implemented():
    assert extract([para("The central register (Kark recommendation 2) is partly in place.")]) == [
        ("kark-2019", 2, "implementation", "partially_implemented")]


@pytest.mark.parametrize("text, statuses", [
    ("set up a central register of directors", []),
    ("Recommendation 2: set up a register", []),
    ("The department set up a register in 2020.", ["implemented"]),
])
def test_set_and_put_opening_an_item_are_actions_not_news(text, statuses):
    assert [p.status for p in find_predicates(text)] == statuses


def test_a_report_named_by_another_name_claims_the_recommendations_after_it():
    blocks = [para("The Francis inquiry made 290 recommendations."), para("The recommendations were accepted.")]
    assert extract(blocks, "kark-2019") == []
    blocks = [para("Tom Kark's review made seven recommendations."), para("The recommendations were accepted.")]
    assert len(extract(blocks)) == 7


def test_a_count_binds_all_of_them_only_to_its_own_review():
    blocks = [para("The Kark review made seven recommendations. Ministers accepted all of them.")]
    assert len(extract(blocks)) == 7
    # Messenger's review also has seven, but the count stated was Kark's
    blocks = [para("The Kark review made seven recommendations. On the Messenger review, ministers accepted all of "
                   "them.")]
    assert [f for f in extract(blocks) if f[0] == "messenger-2022"] == []


def test_a_statement_below_the_threshold_is_queued_with_its_basis_and_what_it_would_name():
    blocks = [para("The central register of directors recording their qualifications and employment history has "
                   "been implemented.")]
    published = read(blocks, "kark-2019").evidence
    assert [(e.number, e.basis, e.confidence) for e in published] == [(2, "content", BASES["content"].confidence)]
    strict = StatusExtractor(EXTRACTOR.namer, KNOWN, TEXTS, min_confidence=0.95)
    pub = Publication(url="https://example.org/doc", source="other", title="t", published_on=date(2020, 1, 1),
                      document_type="report", blocks=blocks)
    result = strict.read(pub, "kark-2019")
    assert result.evidence == []
    assert [u.why for u in result.unresolved] == [
        f"below the confidence threshold ({BASES['content'].confidence:.2f} < 0.95, found by content): "
        "would be recommendation 2"]


# --- a floating quantifier, a remainder after an unplaced item, word endings ---------------------------------------


def test_which_have_all_been_after_the_reviews_own_count_is_every_recommendation():
    got = read([para("The Messenger review made seven recommendations (see our report), which have all been "
                     "accepted in full by the health secretary.")])
    assert sorted((e.number, e.status, e.basis) for e in got.evidence) == [
        (n, "accepted", "universal") for n in range(1, 8)]


@pytest.mark.parametrize("text", [
    "The Messenger review made seven recommendations, which have all but two been accepted by ministers.",
    "The Messenger review made nine proposals, which have all been accepted by ministers.",
    "The Messenger review made seven recommendations, which have not all been accepted by ministers.",
])
def test_which_have_all_publishes_nothing_for_an_exception_another_count_or_a_denial(text):
    assert [e for e in read([para(text)]).evidence if e.status == "accepted"] == []


def test_the_rest_after_a_list_item_that_matches_no_recommendation_is_left_to_an_analyst():
    got = read([para("The Kark review makes seven recommendations. Of these, the government has accepted in "
                     "principle to:"),
                item("publish fresh guidance on appraisal for non-executives"),
                item("set up a central register of directors' qualifications and employment history"),
                para("The remaining recommendations will be considered later this year.")])
    assert [(e.number, e.status) for e in got.evidence] == [(2, "accepted_in_principle")]
    assert any("match no recommendation" in u.why and u.status == "under_consideration" for u in got.unresolved)


def test_competency_and_competence_are_one_word_to_the_content_matcher():
    from tracker.extract.paraphrase import terms

    assert terms("new competency standards") == terms("competence standards") == {"competenc", "standard"}
    assert terms("agency") == {"agency"}  # too short a stem to touch


# --- from blind set 3's first score: proportions, closing qualifiers, conditions, drafts, mandative "be" ----------


@pytest.mark.parametrize("text", [
    "Of the 19 recommendations made by Lord Rose in his review, fewer than half have been carried out.",
    "Of the 19 recommendations in the Rose review, nearly all have been implemented.",
    "Half of the Rose review's 19 recommendations have been implemented.",
    "The Rose review made 19 recommendations, about a third of which are now in place.",
    "The Rose review made 19 recommendations, two-thirds of which have been accepted.",
])
def test_a_proportion_of_the_recommendations_is_a_part_and_never_the_set(text):
    got = read([para(text)])
    assert got.evidence == [] and got.unresolved, text


def test_a_qualifier_closing_the_clause_after_an_appositive_is_the_references():
    got = extract([para("Ministers accept recommendations 1 and 2 of the Kark review, on competence standards for "
                        "directors and a central register of directors, in principle.")])
    assert got == [("kark-2019", n, "response", "accepted_in_principle") for n in (1, 2)]


def test_a_qualifier_after_an_earlier_reference_is_that_references_alone():
    got = extract([para("Ministers accepted recommendations 1 and 2 of the Kark review in full, and recommendation 3, "
                        "on training for directors, in part.")])
    assert got == [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted"),
                   ("kark-2019", 3, "response", "partially_accepted")]


@pytest.mark.parametrize("text", [
    "Recommendation 3 of the Kark review could help boards, provided the standards are developed with trust chairs.",
    "Recommendation 3 of the Kark review will help as long as the training is implemented locally.",
    "Recommendation 3 of the Kark review is welcome, so long as it is delivered with care.",
])
def test_a_condition_introduced_by_provided_or_as_long_as_is_not_news(text):
    assert [e for e in read([para(text)]).evidence if e.axis == "implementation"] == [], text


def test_a_bare_be_after_that_is_the_recommendations_wording_even_after_a_comma():
    got = extract([para("The government has accepted the Kark review's recommendation that every director meet a set "
                        "of competence standards drawn up nationally, and that a central register of directors be "
                        "created.")])
    assert [g for g in got if g[2] == "implementation"] == []


@pytest.mark.parametrize("text, status", [
    ("Most trusts have built recommendation 3 of the Kark review into their appraisals, although some have yet to.",
     "partially_implemented"),
    ("Recommendation 3 of the Kark review has been implemented by most trusts.", "partially_implemented"),
    ("Recommendation 3 of the Kark review has been implemented in half of the trusts.", "partially_implemented"),
    ("Recommendation 3 of the Kark review has been implemented by NHS England.", "implemented"),
])
def test_done_by_only_some_of_those_who_must_act_is_done_in_part(text, status):
    assert [(e.number, e.status) for e in read([para(text)]).evidence if e.axis == "implementation"] == [(3, status)]


@pytest.mark.parametrize("object_, status", [("a draft shared vision", "in_progress"),
                                             ("an interim shared vision", "in_progress"),
                                             ("a shared vision", "implemented")])
def test_the_asked_for_action_done_on_a_draft_is_work_under_way(object_, status):
    extractor = StatusExtractor(ReviewNamer(load_reviews()), {"rose-2015": {1, 2}}, {"rose-2015": {
        1: "The national bodies should agree a single, clear vision for leadership in the NHS.",
        2: "Every organisation should make the core values part of its induction programme."}})
    pub = Publication(url="https://example.org/p", source="other", title="t", published_on=date(2020, 1, 1),
                      document_type="report", blocks=[heading("Recommendation 1: a vision for leadership"),
                                                      para(f"The national bodies have agreed {object_} for the NHS.")])
    got = extractor.read(pub, "rose-2015").evidence
    assert [(e.number, e.axis, e.status) for e in got] == [(1, "implementation", status)]


def test_recommendations_named_by_what_they_ask_are_all_told_apart_or_left_to_an_analyst():
    both = read([para("Ministers accepted the review's recommendations on a central register of directors and on "
                      "compulsory training for directors.")], "kark-2019")
    assert sorted((e.number, e.status) for e in both.evidence) == [(2, "accepted"), (3, "accepted")]
    one = read([para("Ministers accepted the review's recommendations on a central register of directors and on "
                     "their competence standards.")], "kark-2019")
    assert one.evidence == []  # "competence standards" is recommendation 1's and 3's: no single one stands in
    assert any("by what they ask" in u.why for u in one.unresolved)


def test_a_result_clause_with_a_subject_of_its_own_is_a_clause_of_its_own():
    from tracker.extract.frames import clauses

    text = "The framework covers the regulator's checks, so the extension to commissioners has been delivered."
    assert [text[a:b].strip(" ,") for a, b in clauses(text)] == [
        "The framework covers the regulator's checks", "the extension to commissioners has been delivered."]
    purpose = "The scheme was changed so that the boards could use it, and so work has begun."
    assert len(clauses(purpose)) == 1  # "so that" is a purpose, and "so work" has no subject of its own


def test_the_asked_for_agreement_reached_is_done_when_found_by_content_too():
    extractor = StatusExtractor(ReviewNamer(load_reviews()), {"rose-2015": {1, 2}}, {"rose-2015": {
        1: "The national bodies should agree one set of core values expected of every manager.",
        2: "Every organisation should publish an annual report on its leadership training."}})
    pub = Publication(url="https://example.org/p", source="other", title="t", published_on=date(2020, 1, 1),
                      document_type="report", blocks=[para("One set of core values expected of every manager has "
                                                           "been agreed by the national bodies.")])
    got = extractor.read(pub, "rose-2015").evidence
    assert [(e.number, e.axis, e.status, e.basis) for e in got] == [(1, "implementation", "implemented", "content")]


def test_a_short_restatement_shared_by_two_recommendations_goes_to_the_one_whose_main_clause_it_restates():
    from tracker.extract.paraphrase import ParaphraseMatcher

    matcher = ParaphraseMatcher({
        1: "Every director should meet a set of competence standards drawn up nationally.",
        2: "A central register of directors should be created, recording each director's career history.",
        3: "Training against the competence standards should be compulsory for directors, and completion should "
           "be recorded on the central register.",
    })
    assert matcher.match("a central register of directors", loose=True)[0][0] == 2  # 3 names it only in a detail
    assert matcher.match("new competence standards for directors", loose=True) == []  # both main clauses: no guess


def _rose(blocks):
    extractor = StatusExtractor(ReviewNamer(load_reviews()), {"rose-2015": set(range(1, 20))}, {"rose-2015": {
        2: "The national bodies should agree one set of core values expected of every manager and use it in "
           "recruitment and appraisal.",
        3: "Every organisation should make the core values part of its induction programme for new staff.",
        13: "Requests for information from trusts should be cut.",
        14: "A shared calendar of requests should be kept."}})
    pub = Publication(url="https://example.org/p", source="other", title="t", published_on=date(2020, 1, 1),
                      document_type="report", blocks=blocks)
    return sorted((e.number, e.axis, e.status) for e in extractor.read(pub, "rose-2015").evidence)


def test_under_a_heading_naming_two_a_sentence_restating_one_speaks_of_that_one():
    assert _rose([heading("Recommendations 2 and 3: values and induction"),
                  para("One set of core values expected of every manager has been agreed by the national bodies "
                       "and is used in recruitment and appraisal."),
                  para("Most trusts have built the core values into their induction programme for new staff.")]) == [
        (2, "implementation", "implemented"), (3, "implementation", "partially_implemented")]


@pytest.mark.parametrize("title, got", [
    ("Recommendations 13 and 14: information requests", [(13, "implementation", "superseded"),
                                                         (14, "implementation", "superseded")]),
    ("Recommendations 13, 14 and 15: information requests", []),  # "both" of three: not these
])
def test_both_recommendations_under_a_heading_naming_two_are_those_two(title, got):
    assert _rose([heading(title), para("Both recommendations have been superseded by a data programme.")]) == got


def test_a_review_named_inside_the_reference_owns_it_whatever_the_sentence_before_named():
    got = read([para("Recommendation 4 of the Kark review has been implemented."),
                para("Two of the Rose review's recommendations have been accepted.")])
    assert [(e.review_id, e.number) for e in got.evidence] == [("kark-2019", 4)]
    assert [(u.review_id, u.why) for u in got.unresolved] == [("rose-2015", "says 2 but not which")]


@pytest.mark.parametrize("title", ["Related articles", "Read more", "More on this story", "You may also like",
                                   "Latest news", "See also"])
def test_headlines_under_a_related_links_heading_are_not_the_pages_word(title):
    blocks = [para("Recommendation 1 of the Kark review has been accepted."), heading(title),
              item("Ministers accept all seven Kark recommendations"), item("Kark recommendation 2 is now in place"),
              heading("Kark review: what next"), para("Recommendation 3 of the Kark review is under way.")]
    assert extract(blocks) == [("kark-2019", 1, "response", "accepted"),
                               ("kark-2019", 3, "implementation", "in_progress")]


def test_what_the_recommendations_asked_for_listed_after_be_is_no_status():
    sentence = ("Among the Kark review's recommendations were setting up a register of directors, adopting competence "
                "standards and introducing compulsory training.")
    result = read([para(sentence)])
    assert result.evidence == [] and result.unresolved == []
    assert extract([para("Recommendation 3 of the Kark review is being rolled out to trusts.")]) == [
        ("kark-2019", 3, "implementation", "in_progress")]



@pytest.mark.parametrize("text, expected", [
    ("No funding has been agreed for recommendation 4 of the Kark review.", []),
    ("No decision has been taken on recommendation 4 of the Kark review.",
     [("kark-2019", 4, "response", "under_consideration")]),
    ("Kark recommendation 5 has been paused, and no date has been set for picking it up again.",
     [("kark-2019", 5, "implementation", "paused")]),
    ("Some elements of Kark recommendation 2 are already in place.",
     [("kark-2019", 2, "implementation", "partially_implemented")]),
    ("We do not agree that these later stages of Kark recommendation 4 should be rushed.", []),
])
def test_what_a_no_or_some_elements_subject_says(text, expected):
    assert extract([para(text)]) == expected


def test_a_title_naming_the_author_makes_the_document_about_that_review_whatever_else_it_mentions():
    from tracker.stages.extraction import document_review

    namer = EXTRACTOR.namer
    mentions = namer.mentions("Tom Kark's review came first. Sir Gordon Messenger's review followed in 2022.")
    assert document_review(namer, "Leadership reform two years after Messenger", mentions) == "messenger-2022"
    assert document_review(namer, "Leadership reform: two reviews compared", mentions) is None


def test_numbered_items_under_a_status_heading_are_recommendations_and_them_after_the_count_is_all():
    blocks = [para("Ed Smith's review made 16 recommendations."), heading("To be implemented in full"),
              para("1) Bring the improvement functions together in one body."), heading("To be implemented in part"),
              para("5) A single framework for improvement, agreed by every national body.")]
    assert extract(blocks, "smith-2015") == [("smith-2015", 1, "response", "accepted"),
                                             ("smith-2015", 5, "response", "partially_accepted")]
    counted = [para("The Kark review makes seven recommendations. The department has said it will consider them.")]
    assert extract(counted) == [("kark-2019", n, "response", "under_consideration") for n in range(1, 8)]



@pytest.mark.parametrize("blocks", [
    [para("Ministers accepted two of the Kark review's recommendations."),
     para("The two are a central register of directors' qualifications and employment history, and an end to "
          "settlement agreements that hide misconduct from a later employer.")],
    [para("Ministers accepted two of the Kark review's recommendations \u2013 a central register of directors' "
          "qualifications and employment history, and an end to settlement agreements that hide misconduct.")],
])
def test_a_count_then_what_the_ones_counted_are_names_them(blocks):
    assert extract(blocks) == [("kark-2019", 2, "response", "accepted"), ("kark-2019", 6, "response", "accepted")]


def test_a_count_then_parts_that_could_be_either_of_two_stays_the_analysts():
    """"the competence standards" could be the standards (1) or the training against them (3): it names neither's own
    subject, so the count stays queued. "competence standards for every director" names no training, so it is 1."""
    result = read([para("Ministers accepted two of the Kark review's recommendations."),
                   para("These relate to the competence standards and to a central register.")])
    assert result.evidence == [] and [u.why for u in result.unresolved] == ["says 2 but not which"]
    result = read([para("Ministers accepted two of the Kark review's recommendations."),
                   para("These relate to competence standards for every director and to compulsory training.")])
    assert sorted(e.number for e in result.evidence) == [1, 3]


def test_a_review_described_by_four_words_of_its_name_is_that_review_and_a_vaguer_one_is_none():
    namer = EXTRACTOR.namer
    assert {rid for _, rid in namer.mentions("He accepted a review of leadership in health and social care.")} == {
        "messenger-2022"}
    assert namer.mentions("He accepted a review of NHS leadership.") == []
    assert namer.mentions("MPs opened an inquiry into leadership in health and social care.") == []


def test_what_is_excepted_by_what_it_asks_is_left_out_and_an_unclear_exception_leaves_the_whole_queued():
    said = ("Apart from the end to settlement agreements that hide misconduct, every one of the Kark review's seven "
            "recommendations is now being taken forward.")
    assert extract([para(said)]) == [("kark-2019", n, "implementation", "in_progress") for n in (1, 2, 3, 4, 5, 7)]
    vague = read([para("All the Kark recommendations except a couple have been accepted.")])
    assert vague.evidence == [] and len(vague.unresolved) == 1


def test_a_counted_lead_in_stops_after_its_count_and_put_into_effect_is_done():
    blocks = [para("The framework puts two of the Kark review's recommendations into effect straight away:"),
              item("Recommendation 2 \u2013 a central register of directors."),
              item("Recommendation 5 \u2013 a wider scope."),
              item("Recommendation 6 is dealt with only in part."),
              para("Ministers decided last year against a barring mechanism, Kark's fourth recommendation.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "implemented"),
                               ("kark-2019", 4, "response", "rejected"),
                               ("kark-2019", 5, "implementation", "implemented")]


def test_a_promise_on_a_condition_later_in_its_clause_is_no_decision():
    assert extract([para("The opposition has promised to implement all seven of the Kark review's recommendations "
                         "if it wins the election.")]) == []
    assert extract([para("The government will implement recommendation 2 of the Kark review, and will report on "
                         "it if asked.")]) == [("kark-2019", 2, "response", "accepted")]


def test_under_a_status_heading_a_number_whose_words_restate_another_recommendation_is_not_that_number():
    blocks = [heading("Under way"), para("1) A central register of directors' qualifications and employment history.")]
    assert extract(blocks, "kark-2019") == [("kark-2019", 2, "implementation", "in_progress")]


@pytest.mark.parametrize("block", [
    para("Recommendation 4 - A new board appraisal scheme will be delivered next summer, built to the leadership "
         "framework in fulfilment of the Kark review."),
    item("Recommendation 4 \u2013 a board appraisal scheme has been introduced, in line with the Kark review."),
])
def test_a_review_named_as_what_the_work_answers_to_does_not_own_the_number(block):
    """With no review in context, "Recommendation 4 ... in fulfilment of the Kark review" does not say whose
    recommendation 4 it is (on a page about two reviews it was another's): nothing is recorded for Kark."""
    blocks = [para("Ministers were asked about the Messenger review and about the Kark review."),
              heading("Answer"), para("An update on each recommendation follows:"), block]
    assert [e for e in extract(blocks) if e[0] == "kark-2019"] == []


@pytest.mark.parametrize("text, expected", [
    ("Recommendation 4 of the Kark review has been introduced.", [("kark-2019", 4, "implementation", "implemented")]),
    ("Kark recommendation 4: the barring scheme has been introduced.",
     [("kark-2019", 4, "implementation", "implemented")]),
    ("Recommendations 1 and 2, set out in the Kark review, have been accepted.",
     [("kark-2019", 1, "response", "accepted"), ("kark-2019", 2, "response", "accepted")]),
])
def test_a_review_named_with_the_number_owns_it(text, expected):
    blocks = [para("Ministers were asked about the Messenger review and about the Kark review."),
              heading("Answer"), para(text)]
    assert extract(blocks) == expected


def test_a_clause_joining_two_things_restates_neither_with_words_from_both():
    """"accepted to set up the register, as well as to bring in competence standards": recommendation 3 (training
    against the competence standards, recorded on the register) shares words with both halves, and restates
    neither; each half alone is matched, or nothing is."""
    blocks = [para("The government has accepted in principle to set up a central register of directors, as well as "
                   "to bring in competence standards.")]
    found = extract(blocks, doc_review="kark-2019")
    assert ("kark-2019", 3, "response", "accepted_in_principle") not in found
    assert ("kark-2019", 2, "response", "accepted_in_principle") in found


def test_the_recommendations_set_out_in_two_named_reports_are_each_reports():
    """"will consider the recommendations set out in <Rose's report> by Lord Rose and <Kark's> by Tom Kark":
    the joining words after the reference give its owners, both of them (a title too long to be an alias
    sits between)."""
    text = ("The two bodies will consider the recommendations set out in a long titled report by Lord Rose and "
            "the Review of the Fit and Proper Persons Test by Tom Kark, published in 2019.")
    found = {(e[0], e[3]) for e in extract([para("Ministers spoke about leadership."), heading("Next steps"),
                                            para(text)])}
    assert found == {("rose-2015", "under_consideration"), ("kark-2019", "under_consideration")}


def test_a_second_review_that_owns_something_else_is_not_joined():
    text = "The recommendations of the Kark review and the Rose review's findings have been accepted."
    found = {e[0] for e in extract([para("Ministers spoke about leadership."), heading("Next steps"), para(text)])}
    assert found == {"kark-2019"}


def test_a_numbered_reference_takes_only_its_own_owner():
    text = "Recommendation 4 of the Kark review and the Messenger review's proposals were accepted."
    found = {(e[0], e[1]) for e in extract([para(text)])}
    assert ("messenger-2022", 4) not in found


@pytest.mark.parametrize("text, expected", [
    ("Among the Kark recommendations accepted by the government is a central register of directors recording "
     "their qualifications and employment history.", [("kark-2019", 2, "response", "accepted")]),
    ("Among the Kark recommendations fully accepted by the government is a central register recording the "
     "qualifications and employment history of both executive and non-executive directors.",
     [("kark-2019", 2, "response", "accepted")]),
    ("The Kark recommendations, fully accepted by the government, include a way of barring directors found guilty "
     "of serious misconduct.", [("kark-2019", 4, "response", "accepted")]),
    ("Among the Kark recommendations the department rejected was a way of barring directors found guilty of "
     "serious misconduct.", [("kark-2019", 4, "response", "rejected")]),
    # what it names restates none clearly: the group's status is not given to anything
    ("The Kark recommendations, fully accepted by the government, include better support for boards.", []),
])
def test_one_thing_named_among_a_group_with_a_status_has_it(text, expected):
    """"Among the review's recommendations accepted is X", "the recommendations, accepted, include X": X, matched
    by its words to one recommendation that stands clear of the others, has the group's status; nothing else does."""
    assert extract([para(text)]) == expected


@pytest.mark.parametrize("text, count", [
    ("The report made seven recommendations, which were accepted by the government.", 7),
    ("The report made seven recommendations which were accepted by the government.", 0),  # restrictive: some
    ("The report made five recommendations, which were accepted by the government.", 0),  # not its own count
])
def test_a_clause_set_off_after_the_reviews_own_count_is_about_all_of_them(text, count):
    found = extract([para(text)], doc_review="kark-2019")
    assert len(found) == count and all(status == "accepted" for *_, status in found)


def test_the_only_review_a_page_has_named_is_the_one_its_answer_speaks_of():
    """A written question names one review; the answer, under headings of its own, says "the report": that review.
    Once a page has named two, "the report" is no longer settled by this."""
    question = para("To ask the Secretary of State what steps are being taken on the report by Tom Kark on the "
                    "fit and proper persons test.")
    answer = para("The report made seven recommendations, which were accepted by the government.")
    assert len(extract([question, heading("Answered by the minister"), answer])) == 7
    other = para("The Messenger review was published later.")
    assert extract([question, other, heading("Answered by the minister"), answer]) == []


@pytest.mark.parametrize("text", [
    "MPs will look at how far the recommendations of the Kark review have been implemented.",
    "The committee will examine whether Kark recommendation 2 has been implemented.",
    "The inquiry will assess to what extent the Kark review's recommendations have been accepted.",
])
def test_a_status_inside_a_question_someone_will_look_into_is_no_status(text):
    assert extract([para(text)]) == []


@pytest.mark.parametrize("text", [
    "Almost every recommendation of the Kark review was accepted, at least in principle.",
    "Nearly all of the Kark review's recommendations have been accepted.",
    "Not all seven of the Kark recommendations have been accepted.",
])
def test_a_hedged_quantifier_is_a_part_and_goes_to_the_analyst(text):
    result = read([para(text)])
    assert result.evidence == [] and [u.why for u in result.unresolved] == [
        "says some (a part of the recommendations), not which"]


def test_a_quotation_over_several_paragraphs_is_the_speakers_until_it_closes():
    """A statement repeated in another house: the opening mark in the first paragraph, the closing one in the
    last, none between; what follows the closing mark is the publisher's again."""
    blocks = [para("\u201cWith permission, I will make a statement on the Kark review."),
              para("The review makes seven recommendations and I have accepted all of them."),
              para("Work has started.\u201d The minister then sat down."),
              para("Recommendation 2 of the Kark review has since been implemented.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "implemented")]
    # a quotation left open ends at the next heading
    assert len(extract([para("\u201cThe Kark review was welcome."), heading("Our view"),
                        para("All seven of the Kark recommendations have been accepted.")])) == 7


def test_a_table_of_several_reviews_names_each_rows_review_in_a_cell():
    blocks = [para("Where the Rose review's recommendations stand, and others."),
              Block("table_row", "Review | No. | Recommendation | Decision"),
              Block("table_row", "Kark (2019) | 2 | A central register of directors | Accepted in principle"),
              Block("table_row", "Rose (2015) | 5 | Staff engagement measured twice a year | Accepted")]
    assert extract(blocks) == [("kark-2019", 2, "response", "accepted_in_principle"),
                               ("rose-2015", 5, "response", "accepted")]


@pytest.mark.parametrize("text, expected", [
    ("There is no suggestion that any of the Kark recommendations, including the barring scheme, has been dropped.",
     []),
    ("Kark recommendation 4 has been scrapped or adapted, depending on whom you ask.", []),
    ("Kark recommendation 3 has not been implemented or even started.", [("kark-2019", 3, "implementation",
                                                                          "not_started")]),
    ("Kark recommendation 3 is due for review in 2019, three years after the new arrangements began.", []),
])
def test_what_is_not_asserted_one_of_two_or_a_time_is_no_status(text, expected):
    """Said not to be suggested; one of two statuses and not which; a negation over "A or even B" (the first
    carries it); something else's start given as a time."""
    assert extract([para(text)]) == expected


def test_a_labelled_paragraph_after_a_list_is_not_one_of_its_items():
    """"The approved proposals, now being implemented, are:" + items, then "Recommendations 4, 5 and 7 fall to the
    department": the list and what introduced it have ended."""
    blocks = [para("On the Kark review, the approved proposals, which are now being implemented, are:"),
              item("a central register of directors recording their qualifications and employment history"),
              para("Recommendations 4, 5 and 7 fall to the department and are not reported on here.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 2, "response", "accepted")]


@pytest.mark.parametrize("blocks", [
    [para("Ministers have accepted in principle the first two recommendations of the Kark review and said they "
          "would consider the other five before responding further.")],
    [para("The government accepts recommendations 1 and 2 of the Kark review."),
     para("We will consider all of the others further before reaching a view.")],
    [para("The government accepts recommendations 1 and 2 of the Kark review."),
     para("The review's other recommendations remain under consideration.")],
])
def test_the_others_are_the_reviews_recommendations_less_those_named(blocks):
    found = extract(blocks)
    assert [(n, status) for _, n, _, status in found if status == "under_consideration"] == [
        (n, "under_consideration") for n in range(3, 8)]


def test_a_lead_in_that_names_its_items_as_approved_gives_them_that_decision():
    """"The approved proposals, which are now being implemented, are:" + items: each item named is accepted (the
    noun phrase's own decision) and in progress."""
    blocks = [para("On the Kark review, the approved proposals, which are now being implemented, are:"),
              item("a central register of directors recording their qualifications and employment history")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"), ("kark-2019", 2, "response",
                                                                                   "accepted")]


def test_a_reporting_verb_coordinated_with_an_official_subjects_own_verb_is_theirs():
    """"Ministers have accepted in principle the first two - <a long description> - and said they would consider the
    other five": the one who said it is the sentence's own subject, however far back; another subject is not."""
    text = ("Ministers have accepted in principle the first two \u2013 specified standards of competence for every "
            "director, and a central register of directors \u2013 and said they would consider the other five before "
            "responding further.")
    assert len(extract([para(text)], doc_review="kark-2019")) == 7
    other = ("Campaigners have welcomed the first two recommendations of the Kark review in a long letter sent to "
             "every trust chair last week, and said ministers would implement the other five.")
    assert extract([para(other)]) == []


def test_a_short_restatement_names_the_recommendation_whose_subject_it_names():
    """"standards of competence for every director" shares as many words with recommendation 1 (every director should
    meet competence standards) as with 3 (training against the standards): the one whose subject it names wins; a
    phrase naming neither subject stays unmatched."""
    from tracker.extract.paraphrase import ParaphraseMatcher
    matcher = ParaphraseMatcher({
        1: "All directors of health bodies should be required to meet specified standards of competence, set "
           "nationally and applied in every organisation.",
        2: "A central register of directors should be set up.",
        3: "Training linked to the competence standards should be compulsory for every director, and completion "
           "should be recorded on the register."})
    assert [n for n, _ in matcher.match("standards of competence for all board directors", loose=True)] == [1]
    assert [n for n, _ in matcher.match("compulsory training linked to the standards", loose=True)] == [3]
    assert matcher.match("better support for boards", loose=True) == []


def test_a_cell_that_leads_with_a_status_word_is_a_status_cell_whatever_its_header():
    """A "Where things stand" column beside a "Decision" column: its cells lead with their status, then the detail;
    a narrative cell that does not lead with one is still left alone."""
    blocks = [para("Progress on the Kark review."),
              Block("table_row", "No. | Recommendation | Decision | Where things stand"),
              Block("table_row", "2 | A central register of directors | Accepted in principle | "
                                 "In progress through the staff record"),
              Block("table_row", "4 | A way of barring directors | Under consideration | Not started"),
              Block("table_row", "6 | Settlement agreements | Accepted | Trusts were reminded; the guidance was "
                                 "implemented by some")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 2, "response", "accepted_in_principle"),
                               ("kark-2019", 4, "implementation", "not_started"),
                               ("kark-2019", 4, "response", "under_consideration"),
                               ("kark-2019", 6, "response", "accepted")]


@pytest.mark.parametrize("blocks, expected", [
    # what the review recommended, in its own paragraph, then "this recommendation" in the next
    ([heading("The regulator's part"),
      para("The Kark review recommended that the regulator's role in checking the test be set out more clearly."),
      para("We have accepted this recommendation.")], [("kark-2019", 7, "response", "accepted")]),
    # the description and the status in one sentence
    ([para("In 2019 Tom Kark recommended a way of barring directors found guilty of serious misconduct; three "
           "years on, there is still no sign of it.")], [("kark-2019", 4, "implementation", "not_started")]),
    # a description that restates no one recommendation clearly points nowhere
    ([para("The Kark review recommended that boards be better supported."),
      para("We have accepted this recommendation.")], []),
    # someone else's recommendation is not the review's
    ([para("The committee recommended a way of barring directors found guilty of serious misconduct."),
      para("We have accepted this recommendation.")], []),
    # a heading between: the description is another section's
    ([para("The Kark review recommended that the regulator's role in checking the test be set out more clearly."),
      heading("Other matters"), para("We have accepted this recommendation.")], []),
])
def test_what_the_review_recommended_in_other_words_is_what_this_recommendation_points_back_to(blocks, expected):
    assert extract(blocks) == expected


def test_a_part_said_after_the_whole_is_partly_done_is_detail():
    """"We have partly implemented this recommendation. We have not yet begun publishing the results of our checks":
    the second sentence is about a part; the recommendation stays partly implemented. A status given to the
    recommendation itself later still wins."""
    blocks = [para("Recommendation 7 of the Kark review has been partly implemented."),
              para("The regulator has not yet begun checking the test more clearly, in the role set out for it.")]
    assert extract(blocks) == [("kark-2019", 7, "implementation", "partially_implemented")]
    blocks = [para("Recommendation 7 of the Kark review has been partly implemented."),
              para("Since then, recommendation 7 has been implemented in full.")]
    assert extract(blocks) == [("kark-2019", 7, "implementation", "implemented")]


def test_a_decision_that_names_what_it_answers_after_a_comma_points_back():
    """"agreed to introduce a barring scheme, taking that recommendation forward": the recommendation is the one just
    named, and the decision is the current one."""
    blocks = [para("The Kark review recommended a way of barring directors found guilty of serious misconduct. "
                   "The previous government decided against that recommendation. The government has now agreed to "
                   "introduce a statutory scheme, taking that recommendation forward.")]
    assert extract(blocks) == [("kark-2019", 4, "response", "accepted")]


def test_a_name_in_quotation_marks_is_the_publishers_words():
    """"a review of the 'fit and proper persons test'": a name after an article, not speech; a quoted phrase with a
    status verb in it stays someone else's."""
    text = ("The department said it had accepted in principle recommendation 2 of a review of the 'fit and proper "
            "persons test' for board directors.")
    assert extract([para(text)]) == [("kark-2019", 2, "response", "accepted_in_principle")]
    assert visible_text("He called it 'a plan that has been implemented in full' yesterday.").count("implemented") == 0


def test_would_in_a_sentence_closed_by_a_report_tag_is_what_was_said():
    assert [(p.axis, p.status) for p in find_predicates(
        "The other recommendations would be considered later this year, it said.")] == [
        ("response", "under_consideration")]
    assert find_predicates("The other recommendations would be considered later this year if money allowed.") == []


def test_a_count_waiting_for_which_is_settled_by_the_plan_list_after_a_lead_in():
    """"accepted in principle two of the recommendations" (queued: which?), a sentence of background, then "it was
    prepared to:" and two items, each restating a different recommendation: they are the two; the rest is then known."""
    blocks = [para("The department said it had accepted in principle two of the Kark review's recommendations."),
              para("The review was commissioned after a report on a failing trust."),
              para("In its response, the department said it was prepared to:"),
              item("set up a central register recording directors' qualifications and employment history"),
              item("bar directors found guilty of serious misconduct"),
              para("The other recommendations would be considered later this year, it said.")]
    found = extract(blocks)
    assert [(n, s) for _, n, _, s in found if s == "accepted_in_principle"] == [(2, "accepted_in_principle"),
                                                                               (4, "accepted_in_principle")]
    assert sorted(n for _, n, _, s in found if s == "under_consideration") == [1, 3, 5, 6, 7]
    # a list of a different length, or an item that restates none clearly, leaves the count to the analyst
    three = blocks[:4] + [item("bar directors found guilty of serious misconduct"), item("better board support")]
    result = read(three)
    assert not result.evidence and any("says 2" in u.why for u in result.unresolved)


def test_a_restatement_is_matched_by_what_it_is_about_not_by_the_verb_or_a_rival_under_the_floor():
    """"to create a central database": the database, not the mechanism that "should be created"; "new competency
    standards for senior managers": a close rival just under the floor still counts, and the training linked to the
    standards is set aside because the phrase never names training (every recommendation is about directors)."""
    from tracker.extract.paraphrase import ParaphraseMatcher
    matcher = ParaphraseMatcher({
        1: "All directors of health bodies should be required to meet a set of specified standards of competence, "
           "developed nationally and applied in every organisation.",
        2: "A central database of directors should be set up, recording each director's qualifications, training, "
           "employment history and any findings of serious misconduct.",
        3: "Training linked to the competence standards should be compulsory for every director, and completion "
           "should be recorded on the central database.",
        4: "A mechanism should be created to stop directors who have been found responsible for serious misconduct "
           "from holding board posts.",
        5: "Settlement agreements should never be used to keep a director's misconduct from a later employer.",
        6: "The requirement should be extended to commissioners and the arm's length bodies."})
    assert [n for n, _ in matcher.match("to create a central database of board level managers", loose=True)] == [2]
    assert [n for n, _ in matcher.match("make new competency standards so people know what to expect of senior "
                                        "managers", loose=True)] == [1]
    assert [n for n, _ in matcher.match("compulsory training linked to the standards", loose=True)] == [3]



def test_a_decision_participle_in_a_list_of_activities_is_no_decision():
    """"nurtures leaders by identifying, developing and supporting those with ambition": the work a scheme does;
    ", accepting all seven" after a clause is still a decision."""
    assert find_predicates("The scheme is a key part of the plan, identifying, developing and supporting those with "
                           "the ambition to lead.") == []
    assert [p.status for p in find_predicates("The department published its response, accepting all seven "
                                              "recommendations.")] == ["accepted"]


def test_all_and_a_count_of_something_else_is_not_the_reviews_count():
    """"established in all seven regions" on a page about a review of seven recommendations: regions, not them."""
    assert extract([para("Regional talent boards have been established in all seven regions.")],
                   doc_review="kark-2019") == []
    assert len(extract([para("The department has accepted all seven.")], doc_review="kark-2019")) == 7


def test_a_table_row_names_its_recommendation_in_a_few_words():
    blocks = [para("Where the Kark review's recommendations stand."),
              Block("table_row", "Recommendation | Status"),
              Block("table_row", "A register of directors | In progress"),
              Block("table_row", "Barring directors guilty of misconduct | Not started")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 4, "implementation", "not_started")]


@pytest.mark.parametrize("text", [
    "Recommendation 19 was never followed up: no such review has been carried out.",
    "Nothing has been implemented.",
])
def test_a_negative_subject_after_a_colon_or_nothing_denies_the_predicate(text):
    assert [p for p in find_predicates(text) if p.status == "implemented"] == []


def test_a_commitment_whose_own_verb_is_reported_done_is_done():
    """"We will agree a new compact" and "the compact was agreed and published": done, not a decision to do it."""
    extractor = StatusExtractor(ReviewNamer(load_reviews()), {"ltp-2019-leadership": set(range(1, 8))},
                                {"ltp-2019-leadership": {1: "We will agree a new compact with the most senior leaders "
                                                            "in the service."}})
    pub = Publication(url="https://example.org/ltp", source="other", title="t", published_on=date(2022, 1, 1),
                      document_type="report", blocks=[para("The compact with the most senior leaders in the service "
                                                           "was agreed and published in 2021.")])
    found = [(e.number, e.axis, e.status) for e in extractor.read(pub, "ltp-2019-leadership").evidence]
    assert (1, "implementation", "implemented") in found and (1, "response", "accepted") not in found


def test_a_tables_cells_read_together():
    """Beside a refusal, a narrative cell says what is done instead; a cell that says the work is not yet done and
    then that it is being drafted is in progress; a cell that leads with its status still gives it."""
    blocks = [para("The Kark review: our response."),
              Block("table_row", "No. | Recommendation | Response | Progress"),
              Block("table_row", "6 | Settlement agreements | Not accepted | A separate reference check is already "
                                 "in place"),
              Block("table_row", "1 | Competence standards | Accepted | Not yet delivered. A framework is being "
                                 "drafted by NHS England"),
              Block("table_row", "4 | Barring directors | Not accepted | Not started")]
    assert extract(blocks) == [("kark-2019", 1, "implementation", "in_progress"),
                               ("kark-2019", 1, "response", "accepted"),
                               ("kark-2019", 4, "implementation", "not_started"),
                               ("kark-2019", 4, "response", "rejected"),
                               ("kark-2019", 6, "response", "rejected")]


def test_part_of_a_recommendation_in_place_is_partly_implemented():
    assert extract([para("Part of the second recommendation of the Kark review is in place.")]) == [
        ("kark-2019", 2, "implementation", "partially_implemented")]


def test_a_passive_decision_followed_by_when_is_a_decision():
    assert [p.status for p in find_predicates("All seven recommendations were accepted on the day the review was "
                                              "published.")] == ["accepted"]
    assert find_predicates("Ministers have not agreed on who would pay for it.") == []


def test_a_pronoun_inside_another_things_subject_is_not_the_subject():
    """"the delivery plan promised alongside them never appeared": the plan's fate; "work on it has been on hold":
    the recommendation's."""
    blocks = [para("All seven of the Kark review's recommendations were accepted, but the delivery plan promised "
                   "alongside them never appeared.")]
    assert {s for _, _, _, s in extract(blocks)} == {"accepted"}
    blocks = [para("Recommendation 4 of the Kark review was accepted. Work on it has been on hold since 2020.")]
    assert ("kark-2019", 4, "implementation", "paused") in extract(blocks)


def test_a_count_then_both_and_an_aside_naming_them():
    """"Two of the seven were accepted in principle. Both - A and B - have since been delivered": the aside says
    which two; the rest of the sentence is about them. An aside naming fewer than the count settles nothing."""
    blocks = [para("Two of the Kark review's seven recommendations were accepted in principle in 2019. Both - a "
                   "central register of directors and a way of barring directors guilty of serious misconduct - have "
                   "since been delivered.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "implemented"),
                               ("kark-2019", 2, "response", "accepted_in_principle"),
                               ("kark-2019", 4, "implementation", "implemented"),
                               ("kark-2019", 4, "response", "accepted_in_principle")]
    blocks = [para("Two of the Kark review's seven recommendations were accepted in principle in 2019. Both - a "
                   "central register of directors, mainly - have since been delivered.")]
    assert [s for _, _, _, s in extract(blocks)] == []


def test_an_agendas_numbered_items_are_not_recommendations():
    """"Item | Minute | Action": minutes number their items; only a table about recommendations or their standing
    numbers recommendations."""
    blocks = [para("Minutes of the board on the Kark review."),
              Block("table_row", "Item | Minute | Action"),
              Block("table_row", "1 | Welcome. The chair noted the new board had been established in July. |"),
              Block("table_row", "3 | Minutes. The minutes of the last meeting were agreed as a correct record. |")]
    assert extract(blocks) == []
    blocks = [para("The Kark review."), Block("table_row", "Item | Recommendation | Status"),
              Block("table_row", "3 | Compulsory training | In progress")]
    assert extract(blocks) == [("kark-2019", 3, "implementation", "in_progress")]


def test_whose_count_fronted_before_its_verb_is_the_reviews_whole_count():
    text = ("The Kark review of the fit and proper persons test, whose seven recommendations the government is still "
            "considering, was published in February.")
    assert len(extract([para(text)])) == 7


@pytest.mark.parametrize("text, expected", [
    # the source of "according to" is what follows it: a document here
    ("Work on recommendation 4 of the Kark review has started, according to the department's latest update.",
     [("kark-2019", 4, "implementation", "in_progress")]),
    # a person's account is theirs
    ("Work on recommendation 4 of the Kark review has started, according to Jane Smith, a campaigner.", []),
])
def test_according_to_names_its_source_after_it(text, expected):
    assert extract([para(text)]) == expected


def test_every_one_of_them_after_all_seven_is_as_proven_and_hon_is_no_sentence_end():
    """A minister in a debate: "accepted all seven of its recommendations, and I can tell hon. Members that work on
    every one of them is now under way": one sentence ("hon." is an abbreviation), and "every one of them" points
    back to a universal, so it carries the status to all seven."""
    text = ("The Government accepted all seven of the Kark review's recommendations last year, and I can tell hon. "
            "Members that work on every one of them is now under way.")
    assert sentences(text) == [text]
    found = extract([para(text)])
    assert len([1 for _, _, _, s in found if s == "in_progress"]) == 7


def test_a_named_authors_earlier_recommendation_of_something_is_named_by_content():
    text = ("Tom Kark's earlier recommendation of a way of barring directors found guilty of serious misconduct has "
            "been overtaken by the new regulator's work.")
    assert extract([para(text)]) == [("kark-2019", 4, "implementation", "superseded")]


def test_an_faqs_answer_is_about_what_its_question_asked():
    """A question line that restates a recommendation, then its answer: statements with no target of their own are
    about it, until the next question; a statement with its own target keeps it; a debate's long question is no
    FAQ line."""
    blocks = [heading("Questions and answers on the Kark review"),
              para("4.1 Will there be a central register of directors?"),
              para("Not yet. The register is being developed with employers and will follow next year."),
              para("4.2 Can a director be barred after serious misconduct?"),
              para("No decision has been taken. This will be considered in the autumn."),
              para("5.1 Who do I contact about this page?"),
              para("Recommendation 6 of the Kark review has been implemented.")]
    assert extract(blocks) == [("kark-2019", 2, "implementation", "in_progress"),
                               ("kark-2019", 4, "response", "under_consideration"),
                               ("kark-2019", 6, "implementation", "implemented")]


def test_what_a_review_called_for_named_before_it_is_that_recommendation():
    """"the central register of directors that the Kark review called for is now in place"; "the register the
    committee asked for" is not the review's."""
    assert extract([para("The central register of directors that the Kark review called for is now in place.")]) == [
        ("kark-2019", 2, "implementation", "implemented")]
    assert extract([para("The register that the committee called for is now in place.")], doc_review="kark-2019") \
        == []


def test_a_subject_described_as_what_the_plan_promised_wins_over_a_pronouns_antecedent():
    extractor = StatusExtractor(ReviewNamer(load_reviews()), {"ltp-2019-leadership": set(range(1, 4))},
                                {"ltp-2019-leadership": {
                                    1: "We will agree a new compact with the most senior leaders in the service.",
                                    2: "We will give leaders in the hardest roles more time and backing.",
                                    3: "We will set out the values expected of leaders in a new NHS leadership code."}})
    pub = Publication(url="https://example.org/ltp", source="other", title="t", published_on=date(2022, 1, 1),
                      document_type="report", blocks=[para(
                          "The compact with the most senior leaders in the service was agreed in 2021. The NHS "
                          "leadership code that the plan also promised was replaced by that compact.")])
    found = {(e.number, e.status, e.basis) for e in extractor.read(pub, "ltp-2019-leadership").evidence}
    assert (3, "superseded", "content") in found and not any(n == 1 and s == "superseded" for n, s, _ in found)


def test_two_named_after_their_count_each_by_a_tie_break_and_doubled_consonants_stem_alike():
    from tracker.extract.paraphrase import _stem
    assert _stem("setting") == _stem("set") and _stem("barred") == _stem("bar") and _stem("called") == "call"
    text = ("The government has accepted two of the Kark review's recommendations. These relate to a central "
            "register of directors and a way of barring directors guilty of serious misconduct.")
    assert extract([para(text)]) == [("kark-2019", 2, "response", "accepted"), ("kark-2019", 4, "response",
                                                                                "accepted")]


def test_a_quoted_qualifier_after_the_decision_keeps_its_force():
    """"will implement each of them 'subject to an assessment of cost and affordability,' the minister said": the
    words are quoted, the qualification is reported; a quoted phrase with a status verb in it stays blanked."""
    text = ("The department will implement all seven of the Kark review's recommendations \u201csubject to an "
            "assessment of proportionality, cost and affordability,\u201d the minister said.")
    assert {s for _, _, _, s in extract([para(text)])} == {"accepted_in_principle"}
    assert "implemented" not in visible_text("It was \u201csubject to what has been implemented already\u201d here.")


def test_the_two_that_ministers_accepted_then_a_dash_aside_naming_them_and_both_in_the_next_paragraph():
    """"Work on the two recommendations that ministers accepted in 2019 - A, and B - was paused in 2020": the aside
    names the two, for the relative clause's decision and for the main verb; "both recommendations" in the next
    paragraph are those two, and their current state wins."""
    blocks = [para("Work to implement the two Kark review recommendations that ministers accepted in principle in 2019 "
                   "\u2013 a central register of directors, and a way of barring directors guilty of serious "
                   "misconduct \u2013 was paused in March 2020."),
              para("Ministers approved its restart in 2022. A steering group is now taking both recommendations "
                   "forward.")]
    found = extract(blocks)
    assert ("kark-2019", 2, "response", "accepted_in_principle") in found
    assert ("kark-2019", 4, "response", "accepted_in_principle") in found
    assert {(n, s) for _, n, a, s in found if a == "implementation"} == {(2, "in_progress"), (4, "in_progress")}


def test_every_recommendation_of_another_named_review_is_not_the_tracked_reviews():
    text = ("The Trust has implemented every recommendation of Sir Robert Francis's Freedom to Speak Up review that "
            "applies to providers.")
    assert extract([para(text)], doc_review="kark-2019") == []


@pytest.mark.parametrize("text, expected", [
    # unnamed reports passed on are not the publisher's statement; a named report's account is
    ("My Lords, reports suggest that recommendation 2 of the Kark review has quietly been dropped.", []),
    ("The department's progress report says that recommendation 2 of the Kark review has been implemented.",
     [("kark-2019", 2, "implementation", "implemented")]),
    # another person's recommendation named by its author
    ("Robert Francis's 2013 recommendation that directors should be barred after serious misconduct was "
     "implemented the following year.", []),
    # looking back, never taken forward: dropped
    ("Recommendation 6 of the Kark review was never taken forward.", [("kark-2019", 6, "response", "rejected")]),
])
def test_hearsay_someone_elses_recommendation_and_never_taken_forward(text, expected):
    assert extract([para(text)], doc_review="kark-2019") == expected
