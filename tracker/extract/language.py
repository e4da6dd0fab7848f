"""Sentences, and whose words a sentence holds: quoted speech is blanked, scare quotes are kept."""

from __future__ import annotations

import re

from tracker.extract import lexicon as lx

_ABBREV = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|St|No|Nos|Prof|Sir|e\.g|i\.e|etc|cf|vs|para|paras|Rec|Recs|hon|Rt|Gen|Cllr|"
                     r"Col|Capt|Lt|approx)\.$", re.I)
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


_SPEECH_LEAD = re.compile(r"(?:[:,]|\b(?:said|says|say|told|added|adds|argued|warned|wrote|commented|claimed|insisted|"
                          r"stressed|noted|explained|called\s+it|described\s+\w+\s+as)\s*,?)\s*$", re.I)
# a closing single quote that is an apostrophe ("review\u2019s") does not end the quotation
_QUOTED = re.compile(
    r"\u201c[^\u201d]*\u201d?|(?<![\w])\"[^\"]*\"?"
    r"|(?<![\w])\u2018(?:[^\u2019]|\u2019(?=\w))*\u2019(?![\w])|(?<![\w])'(?:[^']|'(?=\w))*'(?![\w])"
)


# "a review of the 'fit and proper person test'", "the so-called 'golden hello' scheme": a name in quotation marks
_NAMING_LEAD = re.compile(r"\b(?:the|a|an|its|their|this|titled|entitled|called|named|dubbed|known\s+as)\s*$", re.I)
_VERB_FORMS = frozenset(lx.VERB_FORMS)


# a qualifier quoted from the decision ("accepted ... “subject to an assessment of cost”"): its force is reported
_QUOTED_QUALIFIER = re.compile(r"^\W*(?:subject\s+to|in\s+principle|in\s+part|in\s+full|where\s+possible|"
                               r"provided\s+that|as\s+far\s+as\s+possible)\b", re.I)


def _a_qualifier(sentence: str, start: int, inner: str) -> bool:
    """A quotation with no speaker before it that opens with a qualifier, and has no status verb inside."""
    words = re.findall(r"[a-z]+", inner.lower())
    return bool(_QUOTED_QUALIFIER.match(inner)) and not _SPEECH_LEAD.search(sentence[:start]) \
        and _VERB_FORMS.isdisjoint(words) and len(words) <= 14


def _a_name(sentence: str, start: int, inner: str) -> bool:
    """Quotation marks around a name, not speech: after an article or a naming word, ten words at most, and no
    status verb inside (so a quoted phrase can never bring a status into the publisher's words)."""
    words = re.findall(r"[a-z]+", inner.lower())
    return len(words) <= 10 and bool(_NAMING_LEAD.search(sentence[:start])) and _VERB_FORMS.isdisjoint(words)


def visible_text(sentence: str) -> str:
    """The sentence with other people's words blanked out (same length, so offsets still hold).

    Quoted speech (introduced by a colon or a reporting verb, or four words and more) is someone
    else's; a short quoted qualifier with no speaker (agreed "in part") is the publisher's own
    wording, so only its quotation marks are blanked.
    """

    def blank(m: re.Match) -> str:
        inner = m.group(0)
        words = len(inner.split())
        if (words <= 3 and not _SPEECH_LEAD.search(sentence[: m.start()])) or _a_name(sentence, m.start(), inner) \
                or _a_qualifier(sentence, m.start(), inner):
            return " " + inner[1:-1] + " " if len(inner) >= 2 else inner
        return " " * len(inner)

    return _QUOTED.sub(blank, sentence)


def visible_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, visible sentence) pairs of a block: quotes are blanked over the whole block first,
    so a quotation that runs over several sentences is blanked in every one of them."""
    visible = visible_text(text)
    out = []
    pos = 0
    for sentence in sentences(text):
        start = text.find(sentence, pos)
        if start < 0:
            out.append((sentence, visible_text(sentence)))
            continue
        out.append((sentence, visible[start:start + len(sentence)]))
        pos = start + len(sentence)
    return out
