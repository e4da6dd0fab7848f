"""Which tracked review a piece of text names ("the Kark review", "Lord Rose's review")."""

from __future__ import annotations

import re

from tracker.items import Review
from tracker.extract.paraphrase import terms

# A one-to-one lower-casing (positions stay put) that also folds the typographic apostrophe.
_FOLD = str.maketrans({**{chr(c): chr(c + 32) for c in range(65, 91)}, "\u2019": "'"})
_FOLLOWERS = ("review", "report", "recommendation", "proposal")
# "Kerr's first recommendation", "Rose's 2015 review": one word may sit between the name and what follows
_ORDINAL_WORD = re.compile(r"^(?:\d{4}|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                           r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|final|last|main|"
                           r"central|key|leadership|headline)\s+")


# "a review of leadership in health and social care": a tracked review described, not named (an inquiry, a
# committee's, is never one of them)
_DESCRIBED = re.compile(r"\b(?:a|an|the|its|this|that)\s+(?:(?:independent|government|national|wide-ranging|major|"
                        r"landmark|rapid)\s+)*review\s+(?:of|into)\s+(?P<what>[^.;:,()]{8,90})", re.I)
_REVIEW_WORDS = {"review", "report", "inquiry"}
_OF_OR_INTO = re.compile(r"\s+(?:of|into)\s")


def _may_describe(folded: str) -> bool:
    """Whether "review of" or "review into" occurs at all: the description's pattern tries every word of a page,
    and most pages have no such phrase."""
    at = folded.find("review")
    while at != -1:
        if _OF_OR_INTO.match(folded, at + 6):
            return True
        at = folded.find("review", at + 6)
    return False


def fold(text: str) -> str:
    """Lower case with the typographic apostrophe folded, position for position. str.lower runs in C; it
    changes a length only for a few characters (a dotted capital I), and then the slower one-to-one table is used."""
    folded = text.lower().replace("\u2019", "'")
    return folded if len(folded) == len(text) else text.translate(_FOLD)


def _boundary(text: str, i: int) -> bool:
    return i < 0 or i >= len(text) or not text[i].isalnum()


class ReviewNamer:
    """Finds mentions of tracked reviews by title or alias, longest name first.

    Plain substring search (str.find) rather than one big regular expression: documents can be
    hundreds of kilobytes, and this runs on every sentence of every relevant document.
    """

    def __init__(self, reviews: tuple[Review, ...]):
        names = []
        for review in reviews:
            for name in (review.title, *review.aliases):
                folded = " ".join(fold(name).split())
                if folded:
                    names.append((folded, review.review_id))
        self._names = sorted(set(names), key=lambda n: len(n[0]), reverse=True)
        self._name_terms: dict[str, list[set[str]]] = {}
        for name, rid in self._names:
            self._name_terms.setdefault(rid, []).append(terms(name))
        # "Rose recommendation 4", "the Kark review": a surname counts only before those words,
        # and only capitalised ("rose by 4%" is not Lord Rose).
        self._surnames = [(r.surname, r.review_id) for r in reviews if r.surname]
        self.surnames = frozenset(r.surname for r in reviews if r.surname)
        self._recent: dict[str, tuple[tuple[int, str], ...]] = {}

    def describes(self, title: str, review_id: str) -> bool:
        """A title that describes the review in other words ("Review of fit and proper person test for NHS
        directors published"): it shares three or more content words with one of the review's names, or
        names its author."""
        if review_id in self.by_author(title):
            return True  # "Two years on from Messenger: a progress report": the review by its author's name alone
        words = terms(title)
        return any(len(words & name) >= 3 for name in self._name_terms.get(review_id, []))

    def by_author(self, text: str) -> set[str]:
        """The reviews whose author's surname the text names as a word ("after Messenger")."""
        return {rid for surname, rid in self._surnames if re.search(rf"\b{re.escape(surname)}\b", text)}

    def mentions(self, text: str) -> list[tuple[int, str]]:
        """(position, review_id) for each mention, left to right; overlapping shorter names are dropped."""
        # a sentence is asked about two or three times as it is read: the last few answers are kept
        known = self._recent.get(text)
        if known is None:
            if len(self._recent) >= 64:
                self._recent.clear()
            known = self._recent[text] = tuple(self._find(text))
        return list(known)

    def _find(self, text: str) -> list[tuple[int, str]]:
        folded = fold(text)
        spans: list[tuple[int, str]] = []
        # one byte per character, set where a mention already sits: checking a new span costs its own
        # length, not the number of mentions found so far (a page can hold tens of thousands)
        taken = bytearray(len(text))

        def claim(start: int, end: int, review_id: str) -> None:
            if taken.find(1, start, end) == -1:
                taken[start:end] = b"\x01" * (end - start)
                spans.append((start, review_id))

        self._by_name(folded, claim)
        self._by_surname(text, folded, claim)
        for m in _DESCRIBED.finditer(text) if _may_describe(folded) else ():
            review_id = self._described(m.group("what"))
            if review_id:
                claim(m.start(), m.end(), review_id)
        return sorted(spans)

    def _by_name(self, folded: str, claim) -> None:
        for name, review_id in self._names:
            start = folded.find(name)
            while start != -1:
                end = start + len(name)
                if folded.startswith("'s", end):
                    end += 2
                if _boundary(folded, start - 1) and _boundary(folded, end):
                    claim(start, end, review_id)
                start = folded.find(name, start + 1)

    def _by_surname(self, text: str, folded: str, claim) -> None:
        for surname, review_id in self._surnames:
            start = text.find(surname)
            while start != -1:
                end = start + len(surname)
                if text.startswith("\u2019s", end) or text.startswith("'s", end):
                    end += 2
                if _boundary(text, start - 1) and _boundary(text, end):
                    rest = _ORDINAL_WORD.sub("", folded[end:end + 40].lstrip(), count=1)
                    if rest.startswith(_FOLLOWERS):
                        claim(start, end, review_id)
                start = text.find(surname, start + 1)

    def _described(self, what: str) -> str | None:
        """"a review of leadership in health and social care": the one review whose name shares four or more
        content words with what the review is said to be of, with no other close."""
        words = terms(what) - _REVIEW_WORDS
        if len(words) < 4:
            return None
        best = sorted(((max(len(words & (name - _REVIEW_WORDS)) for name in names), rid)
                       for rid, names in self._name_terms.items()), reverse=True)
        if best and best[0][0] >= 4 and (len(best) == 1 or best[1][0] < best[0][0] - 1):
            return best[0][1]
        return None

    def only(self, text: str) -> str | None:
        """The one review the text names, or None when it names none or several."""
        ids = {rid for _, rid in self.mentions(text)}
        return ids.pop() if len(ids) == 1 else None
