"""The precision invariants, as properties: sentences generated from parts (a review, a count, a partitive
or quantifier, a predicate, its modality or negation, a list) must never yield more than they say.

- a statement's targets are only what it names: numbers, ranges and lists; a universal quantifier bound
  to the review's own count; or what the document has already named;
- a partitive or existential ("some of which", "one of", "several") never expands to a set;
- "all other", "the remaining", "the rest" leave out what the same document already settled;
- irrealis (should, could, if, plans, a recommendation's own wording) never yields a done or doing status;
- a denial ("no sign that ...", "has still not") governs the clause after it;
- a status heading covers the items directly under it and stops at the next heading;
- one status for more than three recommendations rests on an enumeration or a universal quantifier.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extract.basis import BASES, MAX_WITHOUT_PROOF
from tracker.extract.reviews import ReviewNamer
from tracker.extract.status import StatusExtractor
from tracker.items import Block, Publication
from tracker.registry import load_reviews

COUNTS = {"kark-2019": 7, "messenger-2022": 7, "smith-2015": 16, "rose-2015": 19}
NAMES = {"kark-2019": ["the Kark review", "Tom Kark's review"], "messenger-2022": ["the Messenger review"],
         "smith-2015": ["the Smith review", "Sir Ed Smith's review"],
         "rose-2015": ["the Rose review", "Lord Rose's review"]}
EXTRACTOR = StatusExtractor(ReviewNamer(load_reviews()), {r: set(range(1, n + 1)) for r, n in COUNTS.items()},
                            min_confidence=0.0)
WORD = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 16: "sixteen", 19: "nineteen"}

# predicates in the passive/stative form that follows "which" or a plural subject: (text, axis, status)
PREDICATES = [
    ("have been implemented", "implementation", "implemented"),
    ("have been accepted", "response", "accepted"),
    ("were rejected", "response", "rejected"),
    ("have been scrapped", "response", "rejected"),
    ("are on hold", "implementation", "paused"),
    ("are under way", "implementation", "in_progress"),
    ("have been taken forward", "implementation", "in_progress"),
    ("have been put in place", "implementation", "implemented"),
    ("are being considered", "response", "under_consideration"),
]
PARTITIVES = ["some of which", "several of which", "many of which", "most of which", "a number of which",
              "a few of which", "two of which", "one of which", "not all of which", "some of them"]
DONE_OR_DOING = {"implemented", "partially_implemented", "in_progress"}

reviews = st.sampled_from(sorted(COUNTS))
predicates = st.sampled_from(PREDICATES)


def read(*blocks: Block, document_review: str | None = None):
    pub = Publication(url="https://example.org/page", source="other", title="A page", published_on=date(2024, 1, 1),
                      document_type="news", blocks=list(blocks))
    return EXTRACTOR.read(pub, document_review)


def para(text: str) -> Block:
    return Block("paragraph", text)


def _name(draw, review: str) -> str:
    return draw(st.sampled_from(NAMES[review]))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.sampled_from(PARTITIVES), st.booleans())
def test_a_partitive_never_expands_to_a_set(data, review, predicate, partitive, as_word):
    count = COUNTS[review]
    n = WORD.get(count, str(count)) if as_word else str(count)
    text = f"{_cap(_name(data.draw, review))} made {n} recommendations, {partitive} {predicate[0]}."
    result = read(para(text))
    assert result.evidence == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.sampled_from(["one", "two", "some", "several", "a number", "most"]))
def test_one_of_the_reviews_count_is_never_all_of_them(data, review, predicate, part):
    count = COUNTS[review]
    verb = predicate[0].replace("have been", "has been").replace("are ", "is ").replace("were", "was") \
        if part == "one" else predicate[0]
    text = (f"{_cap(part)} of {_name(data.draw, review)}'s {count} recommendations {verb}.")
    assert read(para(text)).evidence == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.sampled_from(["scrapped or adapted", "delayed or dropped", "accepted or rejected",
                                            "paused or abandoned"]), st.sampled_from(["all of which", "each of which"]))
def test_one_of_two_statuses_is_never_published(data, review, either, quantifier):
    """"all of which have been scrapped or adapted": each is one of the two, and the text does not say which."""
    text = f"{_cap(_name(data.draw, review))} made {COUNTS[review]} recommendations, {quantifier} have been {either}."
    assert read(para(text)).evidence == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.integers(1, 25), st.sampled_from(["all of which", "each of which",
                                                                             "every one of which"]))
def test_all_of_which_binds_only_to_the_reviews_own_count(data, review, predicate, n, quantifier):
    text = f"{_cap(_name(data.draw, review))} made {n} recommendations, {quantifier} {predicate[0]}."
    found = {(e.review_id, e.number) for e in read(para(text)).evidence}
    if n == COUNTS[review]:
        assert found == {(review, k) for k in range(1, n + 1)}
    else:
        assert found == set()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.lists(st.integers(1, 19), min_size=1, max_size=5, unique=True))
def test_explicit_targets_are_only_what_is_named(data, review, predicate, numbers):
    numbers = [k for k in numbers if k <= COUNTS[review]] or [1]
    listed = ", ".join(str(k) for k in numbers[:-1]) + (" and " if len(numbers) > 1 else "") + str(numbers[-1])
    noun = "recommendations" if len(numbers) > 1 else "recommendation"
    verb = predicate[0] if len(numbers) > 1 else predicate[0].replace("have been", "has been").replace(
        "are ", "is ").replace("were", "was")
    text = f"Of {_name(data.draw, review)}, {noun} {listed} {verb}."
    for e in read(para(text)).evidence:
        assert e.review_id == review and e.number in numbers


IRREALIS = [
    "{rec} should be implemented", "{rec} could be put in place by 2025", "{rec} must be delivered",
    "if {rec} were implemented, boards would change", "ministers hope that {rec} will soon be under way",
    "{rec} might be taken forward", "we would like to see {rec} implemented", "is {rec} now in place?",
    "the review recommended that {rec} be implemented in full", "it is unclear whether {rec} has been implemented",
]


def _statuses(data, review: str, frame: str, n: int) -> set[str]:
    """The statuses read from one sentence built from a frame about recommendation n of the review."""
    rec = f"recommendation {n} of {_name(data.draw, review)}"
    text = _cap(frame.format(rec=rec)) + ("" if frame.endswith("?") else ".")
    return {e.status for e in read(para(text)).evidence}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.sampled_from(IRREALIS), st.integers(1, 7))
def test_irrealis_never_yields_a_done_or_doing_status(data, review, frame, n):
    assert not _statuses(data, review, frame, n) & DONE_OR_DOING


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.sampled_from(["is prepared to", "will", "plans to", "intends to", "aims to"]))
def test_items_of_a_plan_are_not_news(data, review, lead):
    blocks = [para(f"Following {_name(data.draw, review)}, the department {lead}:"),
              Block("list_item", "Recommendation 2: set up a central register of directors"),
              Block("list_item", "Recommendation 3: put compulsory training in place")]
    assert not [e for e in read(*blocks).evidence if e.status in DONE_OR_DOING]


DENIALS = [
    "We could find no sign that work has begun on {rec}", "There is no evidence that {rec} has been implemented",
    "Nothing has been done on {rec}", "{rec} has still not been implemented", "{rec} is yet to be put in place",
    "There is little or no evidence that {rec} is under way", "There is nothing to suggest that {rec} is in place",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.sampled_from(DENIALS), st.integers(1, 7))
def test_a_denial_governs_the_clause_after_it(data, review, frame, n):
    assert _statuses(data, review, frame, n) <= {"not_started"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True),
       st.sampled_from(["All other recommendations", "The remaining recommendations", "The rest",
                        "All the other recommendations"]))
def test_the_rest_leaves_out_what_was_already_settled(data, review, predicate, named, rest):
    listed = " and ".join(str(k) for k in named)
    first = f"{_cap(_name(data.draw, review))}'s recommendation{'s' if len(named) > 1 else ''} {listed} " \
            f"{'were' if len(named) > 1 else 'was'} accepted."
    result = read(para(first + f" {rest} {predicate[0]}."))
    later = {e.number for e in result.evidence if e.quote.endswith(f"{predicate[0]}.") and e.quote.startswith(rest)}
    assert later.isdisjoint(named)
    assert later in (set(), set(range(1, COUNTS[review] + 1)) - set(named))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reviews, st.sampled_from(["Accepted", "Recommendations implemented", "On hold", "Rejected"]),
       st.sampled_from(["Next steps", "Background", "Other matters", "Further reading"]), st.integers(2, 3))
def test_a_status_heading_stops_at_the_next_heading(review, status, other, level):
    blocks = [Block("heading", f"The {review.split('-')[0].title()} review", level=1),
              Block("heading", status, level=level), Block("list_item", "Recommendation 1"),
              Block("heading", other, level=level), Block("list_item", "Recommendation 2"),
              Block("heading", other + " in detail", level=level + 1), Block("list_item", "Recommendation 3")]
    found = {e.number for e in read(*blocks, document_review=review).evidence}
    assert found <= {1}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates,
       st.sampled_from(["{n} recommendations", "its {n} recommendations", "{n} of the recommendations",
                        "the {n} proposals", "these {n} recommendations", "{n} proposals, some of them",
                        "the first {n} recommendations", "recommendations 1 to {n}", "all {n} recommendations"]),
       st.integers(4, 19))
def test_many_targets_rest_on_a_proof(data, review, predicate, phrase, n):
    text = f"On {_name(data.draw, review)}, {phrase.format(n=n)} {predicate[0]}."
    groups: dict[tuple, set] = {}
    for e in read(para(text)).evidence:
        groups.setdefault((e.quote, e.axis, e.status, e.basis), set()).add(e.number)
    for (_, _, _, basis), numbers in groups.items():
        if len(numbers) > MAX_WITHOUT_PROOF:
            assert BASES[basis].proof, (text, basis)


NEGATIVE_QUANTIFIERS = ["None of {name}'s {count} recommendations {verb}", "Not one of {name}'s recommendations {verb}",
                        "{Name} made {count} recommendations, none of which {verb_pl}",
                        "Neither recommendation 1 nor recommendation 2 of {name} {verb}",
                        "No recommendation of {name} {verb}"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.sampled_from(NEGATIVE_QUANTIFIERS))
def test_a_negative_quantifier_never_yields_the_status_it_denies(data, review, predicate, frame):
    name = _name(data.draw, review)
    singular = predicate[0].replace("have been", "has been").replace("are ", "is ").replace("were", "was")
    text = frame.format(name=name, Name=_cap(name), count=COUNTS[review], verb=singular, verb_pl=predicate[0]) + "."
    assert predicate[2] not in {e.status for e in read(para(text)).evidence}, text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, predicates, st.lists(st.integers(1, 7), min_size=1, max_size=2, unique=True),
       st.sampled_from(["except", "apart from", "with the exception of", "other than", "excluding"]),
       st.sampled_from(["All {count} of {name}'s recommendations", "All of {name}'s recommendations",
                        "{Name}'s {count} recommendations"]))
def test_what_is_excepted_is_never_a_target_and_leaves_the_whole(data, review, predicate, left_out, marker, whole):
    name = _name(data.draw, review)
    listed = " and ".join(str(k) for k in left_out)
    noun = "recommendations" if len(left_out) > 1 else "recommendation"
    text = (whole.format(count=COUNTS[review], name=name, Name=_cap(name))
            + f", {marker} {noun} {listed}, {predicate[0]}.")
    found = {e.number for e in read(para(text)).evidence if e.review_id == review}
    assert found in (set(), set(range(1, COUNTS[review] + 1)) - set(left_out)), text


UNASSERTED = [
    "ministers denied reports that {rec} had been dropped", "the trust disputed claims that {rec} was in place",
    "it is not true that {rec} has been implemented", "nobody can say that {rec} has been delivered",
    "had the board accepted {rec}, the failures would have been caught", "should ministers accept {rec}, it will be "
    "implemented", "if the pilot works, {rec} will be rolled out", "officials dismissed suggestions that {rec} "
    "had been abandoned",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.sampled_from(UNASSERTED), st.integers(1, 7))
def test_what_is_denied_or_supposed_is_not_asserted(data, review, frame, n):
    assert _statuses(data, review, frame, n) == set()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), reviews, st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True), st.integers(1, 7),
       st.sampled_from([("is under consideration", "under_consideration"), ("has been rejected", "rejected"),
                        ("is on hold", "paused"), ("is still being considered", "under_consideration")]))
def test_a_coordinated_clause_with_its_own_subject_keeps_its_state_to_itself(data, review, first, other, state):
    first = [k for k in first if k != other] or [other % 7 + 1]
    listed = " and ".join(str(k) for k in first)
    noun = "recommendations" if len(first) > 1 else "recommendation"
    text = (f"Ministers have accepted {noun} {listed} of {_name(data.draw, review)}, and recommendation {other} "
            f"{state[0]}.")
    found = {(e.number, e.status) for e in read(para(text)).evidence if e.review_id == review}
    assert {n for n, s in found if s == state[1]} <= {other}, text
    assert {n for n, s in found if s == "accepted"} <= set(first), text


OTHER_OWNERS = st.builds(lambda title, first, last, words, noun: f"{title}{first} {last}'s {words}{noun}",
                         st.sampled_from(["", "Sir ", "Dame ", "Dr ", "Professor "]),
                         st.sampled_from(["Robert", "Anne", "Bill", "Nadia", "Owen"]),
                         st.sampled_from(["Francis", "Hale", "Okafor", "Pryce", "Whitby"]),
                         st.sampled_from(["", "2013 ", "Freedom to Speak Up ", "independent ", "Mid Staffs public "]),
                         st.sampled_from(["review", "report", "inquiry"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reviews, predicates, OTHER_OWNERS, st.sampled_from(["every recommendation of", "all the recommendations of",
                                                          "all of the recommendations in"]))
def test_the_recommendations_of_a_report_someone_else_wrote_are_never_the_reviews(review, predicate, owner, lead):
    """On a page about a tracked review, "every recommendation of Sir Robert Francis's review has been implemented"
    is about another report: no status for the tracked review's recommendations, whoever the author is."""
    text = f"The trust says that {lead} {owner} {predicate[0].replace('have been', 'has been')}."
    assert read(para(text), document_review=review).evidence == []
