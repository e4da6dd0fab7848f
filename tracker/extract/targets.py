"""Target resolution: which recommendations a sentence speaks of.

Finds references by form: explicit numbers and number words ("recommendations 2, 3 and 4",
"Rec 5", "recommendation four"), ranges ("3 to 7"), ordinals ("the sixth recommendation", "the
first three"), quantifiers ("all seven", "each of", "the remaining four", "the rest") and bare
quantities ("two of the proposals"). A quantity that says how many but not which is kept as such
(`kind == "quantity"`), so the caller can look for a list that names them or abstain; it never
guesses. `resolve` turns a reference into numbers once the review and what came before are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tracker.extract.lexicon import REC_NOUNS

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
ORDINALS = {
    w: i
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
        "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
ORDINALS.update({f"{i}{s}": i for i in range(1, 21) for s in ("st", "nd", "rd", "th")})
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUM = rf"(?:\d{{1,2}}[a-z]?|{_WORDS})"
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*|\s*(?:-|\u2013|\u2014|to|through)\s*)"
_NOUN_PLURAL = r"(?:recommendations|proposals|commitments|recs)"

_EXPLICIT = re.compile(
    rf"\b{REC_NOUNS}\s*(?:nos?\.?\s*|numbers?\s+)?\(?(?P<list>{NUM}\)?(?:{_SEP}(?:{REC_NOUNS}\s*)?\(?{NUM}\)?)*)(?![\w%])",
    re.I,
)
_ORDINAL = re.compile(
    rf"\b(?P<list>(?:{_ORD})(?:{_SEP}(?:{_ORD}))*)(?:\s+and\s+(?P<final>final|last))?\s+{REC_NOUNS}\b", re.I
)
_FIRST_N = re.compile(
    rf"\b(?:the|its|their|his|the\s+(?:[\w-]+\s+){{0,3}}?(?:review|report)['\u2019]s)\s+(?P<which>first|last|final)\s+(?P<n>{NUM})\b"
    rf"(?:\s+(?:of\s+(?:the|its|their)\s+)?{_NOUN_PLURAL}\b|(?=\s*(?:[,.;:)\u2013\u2014]|$|(?:are|were|have|has|had|will|is|of|and|to|in|on)\b)))",
    re.I,
)
_ALL = re.compile(
    rf"\b(?:all|each|every\s+one)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+|his\s+|these\s+|[\w\u2019']+[\u2019']s\s+)?"
    rf"(?:(?P<n>{NUM})\s+)?(?:of\s+(?:the|its|their|his)\s+)?(?:[\w\u2019'-]+\s+){{0,3}}?{_NOUN_PLURAL}\b"
    rf"|\bevery\s+(?:single\s+)?(?:one\s+of\s+the\s+)?(?:(?!other\b|remaining\b|outstanding\b|further\b)[a-z]+\s+)?"
    rf"(?:recommendation|proposal|commitment)\b"
    rf"|\bthe\s+{_NOUN_PLURAL}\s+(?=(?:of|in|made\s+by|from|(?:set\s+out|made|contained)\s+in)\s)"
    rf"|\b(?:the\s+(?:review|report)['\u2019]s|its|his|their)\s+{_NOUN_PLURAL}\b(?!\s+(?:\d|on|for|to|about|that))"
    # "The recommendations are due to be considered ...": the subject of a sentence about the review in context
    rf"|^\W*the\s+{_NOUN_PLURAL}\s+(?=(?:are|were|have|has|had|will|would|remain)\b)",
    re.I,
)
# "all other recommendations", "all the remaining proposals": the rest, not the whole review
_ALL_REST = re.compile(
    rf"\ball\s+(?:of\s+)?(?:the\s+|its\s+|their\s+)?(?:(?P<n1>{NUM})\s+)?(?:other|remaining|outstanding)\s+"
    rf"(?:(?P<n2>{NUM})\s+)?(?:[\w\u2019'-]+\s+){{0,2}}?(?:{_NOUN_PLURAL}|ones)\b",
    re.I,
)
_FINAL_ONE = re.compile(r"\b(?:the|its|their|his)\s+(?:final|last)\s+(?:recommendation|proposal|commitment)\b", re.I)
_BARE_ORDINAL = re.compile(
    r"\bthe\s+(?P<o>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth)\b(?=\s*(?:[,.;:)]|$|and\b|but\b|or\b|was\b|is\b|has\b|were\b))",
    re.I,
)
# "the third of the review's recommendations"
_ORDINAL_OF = re.compile(
    rf"\bthe\s+(?P<o>{_ORD})\s+of\s+(?:the|its|their|his|these)\s+(?:[\w\u2019'-]+\s+){{0,2}}?{_NOUN_PLURAL}\b", re.I
)
# "accepted all seven", "all seven were": not "all seven regions" (a count of something else)
_ALL_BARE = re.compile(rf"\ball\s+(?P<n>{NUM})\b(?!\s*(?:years?|months?|%|trusts?))"
                       r"(?!\s+(?!(?:has|is|was|as|its|this|thus|plus|recommendations|proposals|commitments)\b)"
                       r"[A-Za-z][\w-]*s\b)", re.I)
_ALL_ANAPHOR = re.compile(
    r"\b(?:each|all|every\s+one|both|none)\s+of\s+(?:which|them|these|those)\b|\bboth\b"
    # "seven recommendations, which have all been accepted": the quantifier floats after the auxiliary
    r"|\bwhich(?=\s+(?:have|has|had|were|are|will|would)\s+(?:now\s+|since\s+)?all\b(?!\s+but\b))"
    # "made seven recommendations, which were accepted": a clause set off by its comma is about every one of them
    r"|(?:(?<=recommendations, )|(?<=proposals, )|(?<=commitments, ))which\b"
    r"(?=\s+(?:have|has|had|were|are|will|would)\b)",
    re.I,
)
_REST = re.compile(
    rf"\bthe\s+(?:(?P<n1>{NUM})\s+)?(?:remaining|other|outstanding)\s+(?:(?P<one>recommendation|proposal|commitment|one)\b|"
    rf"(?:(?P<n2>{NUM})\b\s*)?(?:{_NOUN_PLURAL}\b|ones\b|(?=\s*(?:are|were|have|has|had|will|is|remain|,|\.|;|:)(?:\W|$))))"
    rf"|\bthe\s+rest\b(?:\s+of\s+(?:the|its|their)\s+{_NOUN_PLURAL})?|\b(?:the\s+)?remaining\s+{_NOUN_PLURAL}\b"
    # "consider the other five before responding", "all of the others", "the review's other recommendations"
    rf"|\bthe\s+other\s+(?P<n3>{NUM})\b|\b(?:all\s+(?:of\s+)?)?the\s+others\b"
    rf"|\b(?:its|their|his|her|the\s+(?:[\w-]+\s+){{0,2}}?(?:review|report)['\u2019]s)\s+(?:other|remaining|outstanding)\s+"
    rf"{_NOUN_PLURAL}\b",
    re.I,
)
# a determiner that makes a noun phrase definite: "the", "its", "Lord Rose's", "the review's"
_DEFINITE = r"(?:the|its|their|his|her|these|those|whose|(?:the\s+)?(?:[A-Z][\w-]*\s+){0,3}[\w-]+['\u2019]s)"
_QUANTITY_OF = re.compile(
    rf"(?<!\ball\s)(?<!\beach\s)(?<!\bevery\s)\b(?P<n>{NUM})\s+of\s+(?:{_DEFINITE}\s+(?:[\w\u2019'-]+\s+){{0,3}}?{_NOUN_PLURAL}\b"
    rf"|which\b)",
    re.I,
)
# "some of which", "several of the review's proposals", "a number of them", "most recommendations": a part,
# never a set; with or without a count nearby it is an analyst's to settle
# "fewer than half", "about a third", "nearly all": a proportion is a part too
_PROPORTION = (r"(?:(?:(?:fewer|less|more)\s+than|over|under|nearly|almost|about|around|roughly|only|just|barely)\s+)?"
               r"(?:half|a\s+third|one[\s-]third|a\s+quarter|one[\s-]quarter|two[\s-]thirds|three[\s-]quarters)"
               r"|(?:nearly|almost|virtually)\s+all")
EXISTENTIAL = (r"(?:some|several|many|most|few|a\s+few|(?:a|the)\s+(?:number|handful|couple|minority|majority)"
                rf"|not\s+all|only\s+some|{_PROPORTION})")
_PARTITIVE = re.compile(
    rf"\b{EXISTENTIAL}\s+of\s+(?:which|them|these|those|{_DEFINITE}\s+(?:[\w\u2019'-]+\s+){{0,3}}?{_NOUN_PLURAL}\b)"
    rf"|\b{EXISTENTIAL}\s+(?:of\s+)?(?:[\w\u2019'-]+\s+){{0,2}}?{_NOUN_PLURAL}\b"
    rf"|\b(?:some|several|many|most|others|{_PROPORTION})\s+(?=(?:are|were|have|has|had|will|is|remain|now)\b)"
    # "Among its recommendations were ...": some of them (", among them the proposals for X" only adds detail)
    rf"|^\W*(?:among|amongst)\s+(?:{_DEFINITE}\s+)?(?:[\w\u2019'-]+\s+){{0,3}}?{_NOUN_PLURAL}\b",
    re.I,
)
_QUANTITY = re.compile(
    rf"\b(?P<n>{NUM})\s+(?:(?:of\s+(?:the|its|their|his|these|those)\s+(?:[\w\u2019'-]+\s+){{0,3}}?{_NOUN_PLURAL})|"
    rf"(?:[\w\u2019'-]+\s+){{0,2}}?{_NOUN_PLURAL}|of\s+(?:them|these|those))\b",
    re.I,
)


_COUNTED_NOUN = re.compile(rf"\b{NUM}\s+(?!{_NOUN_PLURAL}\b)[a-z]+s\b", re.I)


# "15 are being taken forward", "Of these, three have been": a count standing for recommendations
_BARE_COUNT = re.compile(
    rf"(?<![\w,.%\u00a3$-])(?<!\ball\s)(?<!\bthe\s)(?<!\bfirst\s)(?<!\blast\s)(?<!\bfinal\s)"
    rf"(?P<n>{NUM})\s+(?=(?:are|were|have|has|had|will|is|remain)\b)",
    re.I,
)


def to_int(token: str) -> int | None:
    token = token.lower().rstrip(")")
    m = re.match(r"(\d{1,2})[a-z]?$", token)
    if m:
        return int(m.group(1))
    return NUMBER_WORDS.get(token)


@dataclass(frozen=True)
class Reference:
    """A span that picks out recommendations. kind: numbers | all | rest | quantity | last | anaphor_all | part
    (a partitive or existential: "some of which", "several proposals", never a set)."""

    start: int
    end: int
    kind: str = "numbers"
    numbers: tuple[int, ...] = ()
    count: int | None = None
    definite: bool = False  # a quantity with a definite determiner: "the review's 16 recommendations"
    excluded: tuple[int, ...] = ()  # "all ... except recommendation 7": left out of a whole or a remainder
    # "Apart from the faculty of coaches, every commitment ...": where what is left out is said, not numbered
    excepted: tuple[int, int] | None = None

    @property
    def explicit(self) -> bool:
        return self.kind == "numbers"


def _expand(spec: str) -> tuple[int, ...]:
    tokens = re.findall(rf"{NUM}|-|\u2013|\u2014|\bto\b|\bthrough\b", spec, re.I)
    numbers: list[int] = []
    i = 0
    while i < len(tokens):
        n = to_int(tokens[i])
        if n is None:
            i += 1
            continue
        if i + 2 < len(tokens) and tokens[i + 1].lower() in {"-", "\u2013", "\u2014", "to", "through"}:
            hi = to_int(tokens[i + 2])
            if hi is not None and n <= hi <= n + 30:
                numbers.extend(range(n, hi + 1))
                i += 3
                continue
        if n > 0:
            numbers.append(n)
        i += 1
    return tuple(dict.fromkeys(numbers))


_ANY_REFERENCE = re.compile(
    rf"{_NOUN_PLURAL}|recommendation|proposal|commitment|\brecs?\b|\b(?:all|each|every|both|rest|remaining|other|"
    rf"outstanding|first|last|final|some|several|many|most|others)\b|\d|\b(?:{_WORDS})\b",
    re.I,
)


def find_references(sentence: str) -> list[Reference]:
    """Every reference in a sentence, left to right, non-overlapping (more specific forms first: _FORMS)."""
    if not _ANY_REFERENCE.search(sentence):
        return []  # nearly every sentence: no number, no quantifier, no recommendation noun
    refs: list[Reference] = []
    taken: list[tuple[int, int]] = []
    for pattern, read in _FORMS:
        for m in pattern.finditer(sentence):
            ref = read(m, sentence)
            if ref is not None and all(m.end() <= s or m.start() >= e for s, e in taken):
                refs.append(ref)
                taken.append(m.span())
    return _apply_exclusions(sentence, sorted(refs, key=lambda r: r.start))


# "all the recommendations except recommendation 7", "apart from the seventh", "other than 3 and 5"
_EXCEPT = re.compile(r"\b(?:except(?:\s+for)?|apart\s+from|aside\s+from|other\s+than|with\s+the\s+exception\s+of|"
                     r"excluding|save\s+for|bar|but\s+not)\s+(?:for\s+)?$", re.I)
# the markers that leave something out even when what follows names nothing: "all but two", "except a couple"
_EXCEPT_ANY = re.compile(r"\b(?:except|apart\s+from|aside\s+from|with\s+the\s+exception\s+of|excluding|save\s+for)\b",
                         re.I)
_WHOLES = {"all", "all_bare", "anaphor_all", "quantity", "rest"}


def _apply_exclusions(sentence: str, refs: list[Reference]) -> list[Reference]:
    """A reference right after "except" is left out: never a target itself, and taken out of the whole or the
    remainder the sentence speaks of. Something left out by what it asks ("apart from the faculty of coaches")
    is marked on the whole (`excepted`) for the reader to match by content; with more than one such, or beside
    numbered ones, the whole is unknowable."""
    left_out = [r for r in refs if r.kind == "numbers" and _EXCEPT.search(sentence[max(0, r.start - 40):r.start])]
    markers = [m.end() for m in _EXCEPT_ANY.finditer(sentence)]
    if not left_out and not markers:
        return refs
    kept = [r for r in refs if r not in left_out]
    unnumbered = [end for end in markers if not any(0 <= r.start - end < 40 for r in left_out)]
    if unnumbered:
        if len(markers) > 1 or left_out:
            return [r for r in kept if r.kind not in _WHOLES]
        end = unnumbered[0]
        stop = re.search(r"[,;:]|\s[\u2013\u2014-]\s", sentence[end:])
        span = (end, end + stop.start() if stop else len(sentence))
        return [replace(r, excepted=span) if r.kind in _WHOLES else r for r in kept]
    excluded = tuple(sorted({n for r in left_out for n in r.numbers}))
    return [replace(r, excluded=excluded) if r.kind in _WHOLES else r for r in kept]


# --- one reader per form: the Reference a match stands for, or None -------------------------------------

_DEFINITE_BEFORE = re.compile(rf"\b{_DEFINITE}\s+(?:(?:following|original|above|same|full)\s+)?$", re.I)


def _quantity(m: re.Match, sentence: str) -> Reference | None:
    """"two of the proposals", "16 recommendations": how many, not which. Only a definite one that equals
    the review's count ("its seven recommendations") stands for all of them (`definite`)."""
    n = to_int(m.group("n"))
    definite = bool(_DEFINITE_BEFORE.search(sentence[max(0, m.start() - 60):m.start()])) and \
        not m.group(0).lower().startswith(f"{m.group('n').lower()} of")
    return Reference(m.start(), m.end(), "quantity", (), n, definite) if n else None


def _part(m: re.Match, sentence: str) -> Reference:
    return Reference(m.start(), m.end(), "part")


def _first_or_last_n(m: re.Match, sentence: str) -> Reference | None:
    n = to_int(m.group("n")) or 0
    if not re.search(rf"{_NOUN_PLURAL}\s*$", m.group(0), re.I) and _COUNTED_NOUN.search(sentence[: m.start()]):
        return None  # "funding for four networks ..., and the first two are under way": the networks
    if m.group("which").lower() == "first":
        return Reference(m.start(), m.end(), "numbers", tuple(range(1, n + 1)), n)
    return Reference(m.start(), m.end(), "last", (), n)


def _final_one(m: re.Match, sentence: str) -> Reference:
    return Reference(m.start(), m.end(), "last", (), 1)


def _one_ordinal(m: re.Match, sentence: str) -> Reference:
    return Reference(m.start(), m.end(), "numbers", (ORDINALS[m.group("o").lower()],))


# "almost every", "nearly all of them", "not all": a quantifier hedged is a part, never the whole
_HEDGE = re.compile(r"\b(?:almost|nearly|virtually|practically|not|hardly|barely|near)\s+$", re.I)


def _hedged(m: re.Match, sentence: str) -> Reference | None:
    if _HEDGE.search(sentence[max(0, m.start() - 16):m.start()]):
        return Reference(m.start(), m.end(), "part")
    return None


def _all(m: re.Match, sentence: str) -> Reference:
    n = m.groupdict().get("n")
    return _hedged(m, sentence) or Reference(m.start(), m.end(), "all", (), to_int(n) if n else None)


def _rest(m: re.Match, sentence: str) -> Reference:
    groups = m.groupdict()  # _ALL_REST shares this reader and has none of the count groups
    n = groups.get("n1") or groups.get("n2") or groups.get("n3")
    count = 1 if groups.get("one") else (to_int(n) if n else None)
    return Reference(m.start(), m.end(), "rest", (), count)


def _ordinals(m: re.Match, sentence: str) -> Reference:
    numbers = tuple(ORDINALS[w.lower()] for w in re.findall(_ORD, m.group("list"), re.I))
    if m.group("final"):
        return Reference(m.start(), m.end(), "last", numbers, None)
    return Reference(m.start(), m.end(), "numbers", tuple(dict.fromkeys(numbers)))


def _explicit(m: re.Match, sentence: str) -> Reference | None:
    numbers = _expand(m.group("list"))
    return Reference(m.start(), m.end(), "numbers", numbers) if numbers else None


_REC_NOUN = re.compile(rf"{_NOUN_PLURAL}|\brecommendation\b", re.I)


def _bare_ordinal(m: re.Match, sentence: str) -> Reference | None:
    """"accepted the first three recommendations and rejected the fourth": only where recommendations are named."""
    return _one_ordinal(m, sentence) if _REC_NOUN.search(sentence) else None


def _anaphor_all(m: re.Match, sentence: str) -> Reference:
    return _hedged(m, sentence) or Reference(m.start(), m.end(), "anaphor_all")


def _bare_count(m: re.Match, sentence: str) -> Reference:
    return Reference(m.start(), m.end(), "quantity", (), to_int(m.group("n")))


_PLURAL_NOUN = re.compile(rf"\b{_NOUN_PLURAL}\b", re.I)


def _all_bare(m: re.Match, sentence: str) -> Reference:
    """"accepted all seven": all, when seven is the review's count."""
    kind = "all" if _PLURAL_NOUN.search(sentence) else "all_bare"
    return _hedged(m, sentence) or Reference(m.start(), m.end(), kind, (), to_int(m.group("n")))


# In this order; a span taken by an earlier form is not read again.
_FORMS = (
    (_PARTITIVE, _part),
    (_QUANTITY_OF, _quantity),
    (_FIRST_N, _first_or_last_n),
    (_FINAL_ONE, _final_one),
    (_ORDINAL_OF, _one_ordinal),
    (_ALL_REST, _rest),
    (_ALL, _all),
    (_REST, _rest),
    (_ORDINAL, _ordinals),
    (_EXPLICIT, _explicit),
    (_BARE_ORDINAL, _bare_ordinal),
    (_ALL_ANAPHOR, _anaphor_all),
    (_BARE_COUNT, _bare_count),
    (_ALL_BARE, _all_bare),
    (_QUANTITY, _quantity),
)


@dataclass(frozen=True)
class Resolution:
    numbers: tuple[int, ...]
    problem: str = ""  # why the reference could not be resolved (then numbers is empty)
    basis: str = "explicit"  # how the numbers were found (tracker.extract.basis.BASES)


def resolve(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...] = ()) -> Resolution:
    """Numbers for a reference, given the review's known numbers, those already spoken of, and an antecedent."""
    how = _RESOLVERS.get(ref.kind)
    if how is None:
        return Resolution((), f"unknown reference kind {ref.kind}")
    res = how(ref, known, mentioned | set(ref.excluded), antecedent)
    if not (ref.excluded and res.numbers):
        return res
    return replace(res, numbers=tuple(n for n in res.numbers if n not in ref.excluded))


def _resolve_numbers(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if not known:
        return Resolution(ref.numbers)
    unknown = [n for n in ref.numbers if n not in known]
    if unknown and len(unknown) == len(ref.numbers):
        return Resolution((), f"recommendation {unknown[0]} is not one of the review's {len(known)}")
    return Resolution(tuple(n for n in ref.numbers if n in known))


def _resolve_all_bare(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if known and ref.count == len(known):
        return Resolution(tuple(sorted(known)), basis="universal")
    return Resolution((), "")


def _resolve_all(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if not known:
        return Resolution(tuple(range(1, (ref.count or 0) + 1)),
                          "" if ref.count else "the review's recommendations are not known", "universal")
    if ref.count and ref.count != len(known):
        return Resolution((), f"says all {ref.count}, the review has {len(known)}")
    return Resolution(tuple(sorted(known)), basis="universal")


def _resolve_last(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if not known:
        return Resolution((), "the review's recommendations are not known")
    if ref.numbers:  # "the fourth and final recommendations"
        return Resolution(tuple(sorted(set(ref.numbers) | {max(known)})))
    n = ref.count or 1
    return Resolution(tuple(sorted(known)[-n:]))


def _resolve_rest(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if not mentioned or not known:
        return Resolution((), "'the rest' with nothing named before it")
    rest = tuple(sorted(known - mentioned))
    if ref.count and ref.count != len(rest):
        return Resolution((), f"says the remaining {ref.count}, but {len(rest)} were not named before")
    return Resolution(rest, basis="remainder") if rest else Resolution((), "nothing remains after those named before")


def _resolve_anaphor_all(ref: Reference, known: set[int], mentioned: set[int],
                         antecedent: tuple[int, ...]) -> Resolution:
    if antecedent:
        return Resolution(antecedent, basis="anaphora")
    return Resolution((), "'each of which' / 'all of them' with nothing named before it")


def _resolve_quantity(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    if ref.definite and ref.count and known and ref.count == len(known):
        return Resolution(tuple(sorted(known)), basis="universal")  # "its seven recommendations"
    return Resolution((), f"says {ref.count} but not which")


def _resolve_part(ref: Reference, known: set[int], mentioned: set[int], antecedent: tuple[int, ...]) -> Resolution:
    return Resolution((), "says some of them (a part), not which")


_RESOLVERS = {
    "numbers": _resolve_numbers,
    "all_bare": _resolve_all_bare,
    "all": _resolve_all,
    "last": _resolve_last,
    "rest": _resolve_rest,
    "anaphor_all": _resolve_anaphor_all,
    "quantity": _resolve_quantity,
    "part": _resolve_part,
}
