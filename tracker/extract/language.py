"""Sentences, number words and references to recommendations ("2, 3 and 4", "3 to 7", "all seven")."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_NUM = r"(?:\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))

_ABBREV = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|St|No|Nos|Prof|Sir|e\.g|i\.e|etc|cf|vs|para|paras|Rec|Recs)\.$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Split a block's text into sentences, keeping each one verbatim."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        # include a closing quote or bracket that belongs to the sentence
        while end < len(text) and text[end] in "\"'\u201d\u2019)":
            end += 1
        piece = text[start:end].strip()
        if _ABBREV.search(text[start : m.start()]):
            continue
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def to_int(token: str) -> int | None:
    token = token.lower()
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


@dataclass(frozen=True)
class Reference:
    """Recommendation numbers mentioned in a sentence; `all_of` holds N for "all N recommendations"."""

    start: int
    end: int
    numbers: tuple[int, ...] = ()
    all_of: int | None = None  # 0 means "all" without a count


_LIST_TAIL = r"(?:\s*(?:,|and|&|or|to|-|\u2013|through)\s*(?:recommendations?\s+)?\d{1,3}[a-z]?)*"
_EXPLICIT = re.compile(
    rf"\brecommendations?\s*(?:nos?\.?\s*)?(\(?\d{{1,3}}[a-z]?\)?{_LIST_TAIL})", re.I
)
_ALL = re.compile(
    rf"\b(?:all|each)\s+(?:of\s+)?(?:the\s+)?(?:(?P<n>{_NUM})\s+)?(?:of\s+(?:the|its|his|their)\s+)?"
    rf"(?:[\w\u2019']+\s+){{0,4}}?recommendations\b",
    re.I,
)
_ALL_N_OF = re.compile(rf"\ball\s+(?P<n>{_NUM})\s+of\s+(?:the|its|his|their)\s+(?:[\w\u2019']+\s+){{0,4}}?recommendations\b", re.I)
# "a decision is awaited on all seven" in a sentence about recommendations
_ALL_BARE = re.compile(rf"\ball\s+(?P<n>{_NUM})\b(?=\s*(?:[,.;:)]|$|of\s+them\b))", re.I)
_ORDINAL = re.compile(
    rf"\bthe\s+(?P<first>{_ORD})(?:\s+(?P<count>{_NUM}))?(?:\s+(?:and|or)\s+(?P<second>{_ORD}))?\s+recommendations?\b",
    re.I,
)


def _expand(spec: str) -> tuple[int, ...]:
    numbers: list[int] = []
    tokens = re.findall(r"\d{1,3}|to|through|-|\u2013", spec)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isdigit():
            if i + 2 < len(tokens) and tokens[i + 1] in {"to", "through", "-", "\u2013"} and tokens[i + 2].isdigit():
                lo, hi = int(tok), int(tokens[i + 2])
                if lo <= hi <= lo + 40:
                    numbers.extend(range(lo, hi + 1))
                i += 3
                continue
            if int(tok) > 0:
                numbers.append(int(tok))
        i += 1
    seen: dict[int, None] = {}
    for n in numbers:
        seen.setdefault(n, None)
    return tuple(seen)


def find_references(sentence: str) -> list[Reference]:
    """Every reference to recommendations in a sentence, by position."""
    refs: list[Reference] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _ALL_N_OF.finditer(sentence):
        refs.append(Reference(m.start(), m.end(), all_of=to_int(m.group("n")) or 0))
        taken.append(m.span())
    for m in _ALL.finditer(sentence):
        if free(*m.span()):
            n = m.group("n")
            refs.append(Reference(m.start(), m.end(), all_of=(to_int(n) or 0) if n else 0))
            taken.append(m.span())
    if re.search(r"\brecommendations\b", sentence, re.I):
        for m in _ALL_BARE.finditer(sentence):
            if free(*m.span()):
                refs.append(Reference(m.start(), m.end(), all_of=to_int(m.group("n")) or 0))
                taken.append(m.span())
    for m in _ORDINAL.finditer(sentence):
        if not free(*m.span()):
            continue
        first = ORDINALS[m.group("first").lower()]
        if m.group("count"):
            numbers = tuple(range(first, first + (to_int(m.group("count")) or 1)))
            if first != 1:
                numbers = (first,)
        elif m.group("second"):
            numbers = (first, ORDINALS[m.group("second").lower()])
        else:
            numbers = (first,)
        # "the first two recommendations" counts from one
        if m.group("count") and first == 1:
            numbers = tuple(range(1, (to_int(m.group("count")) or 1) + 1))
        refs.append(Reference(m.start(), m.end(), numbers=numbers))
        taken.append(m.span())
    for m in _EXPLICIT.finditer(sentence):
        if free(*m.span()):
            refs.append(Reference(m.start(), m.end(), numbers=_expand(m.group(1))))
            taken.append(m.span())
    return sorted(refs, key=lambda r: r.start)


def blank_quotes(sentence: str) -> str:
    """The sentence with quoted speech blanked out (same length), so other people's words never count."""

    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))

    out = re.sub(r"\u201c[^\u201d]*\u201d?", blank, sentence)
    out = re.sub(r"(?<![\w])\"[^\"]{3,}\"?", blank, out)
    out = re.sub(r"(?<![\w])\u2018[^\u2018]{25,}?\u2019(?![\w])", blank, out)
    out = re.sub(r"(?<![\w])'[^']{25,}?'(?![\w])", blank, out)
    return out
