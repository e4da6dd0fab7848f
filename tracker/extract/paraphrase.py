"""Matching an unnumbered statement to recommendations by what it says (weighted word overlap)."""

from __future__ import annotations

import math
import re
from collections import Counter

_STOP = set(
    """a an and are as at be been being by for from has have in into is it its of on or that the their them
    there these this those to was were will with would should could can may must not no all any each more most
    other some such than then they we our us also new own per via which who whom whose what when where how
    nhs recommendation recommendations review government department national work made make making being
    england""".split()
) | {  # what a recommendation asks someone to do, not what it is about ("to create a central database")
    "create", "creates", "created", "creating",
    "introduce", "introduces", "introduced", "introducing", "adopt", "adopts", "adopted", "adopting",
    "ensure", "ensures", "ensured", "ensuring",
}
_WORD = re.compile(r"[a-z]+")
_DETAIL = re.compile(r",\s+and\s+|;\s*")
_NOUN_ENDING = re.compile(r"(?<=[a-z]{4})([ea])nc[ey]$")


def _stem(word: str) -> str:
    """A light stemmer applied the same way to both sides: "merged" and "merge" meet at "merg"."""
    for suffix in ("ments", "ment", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            if suffix in ("ing", "ings", "ed") and word[-1] == word[-2] and word[-1] not in "lsfz":
                word = word[:-1]  # "setting" and "set", "barred" and "bar" meet
            break
    word = _NOUN_ENDING.sub(r"\1nc", word)  # "competency" and "competence" meet at "competenc"
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _content_words(text: str):
    return (_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2)


def _first_term(text: str) -> str | None:
    return next(_content_words(text), None)


def terms(text: str) -> set[str]:
    return set(_content_words(text))


class ParaphraseMatcher:
    """Scores a sentence against one review's recommendation texts; rare shared words weigh more."""

    def __init__(self, texts: dict[int, str], threshold: float = 0.34, min_shared: int = 3):
        # a recommendation's own sentence, not the sub-actions listed under it, says what it is
        self.terms = {n: terms(t.split(" \u2022 ")[0]) for n, t in texts.items()}
        # what it asks is said in its main clause; ", and ..." or "; ..." adds a detail ("Training should be
        # compulsory for every director, and completion should be recorded on the central database")
        self.head = {n: terms(_DETAIL.split(t.split(" \u2022 ")[0], 1)[0]) for n, t in texts.items()}
        # what the recommendation is about, its first content word ("Training linked to the standards ...")
        self.subject = {n: _first_term(t) for n, t in texts.items()}
        df = self._df = Counter(w for ts in self.terms.values() for w in ts)
        total = max(len(texts), 1)
        self.idf = {w: math.log(1 + total / c) for w, c in df.items()}
        self.threshold = threshold
        self.min_shared = min_shared

    def match(self, sentence: str, loose: bool = False) -> list[tuple[int, float]]:
        """(number, score) of every recommendation the sentence speaks of, best first.

        `loose` is for a short item that restates one recommendation (a list entry, a table cell):
        fewer words can be shared, but the best match must stand clear of the next best.
        """
        words = terms(sentence)
        if loose:
            # the next best counts as a rival even just under the floor: "clear" of nothing is not clear
            scored = self._scores(words, True, 2, 0.0)
            if not scored or scored[0][1] < 0.2:
                return []
            if len(scored) == 1 or scored[0][1] >= scored[1][1] * 1.2:
                return scored[:1]
            close = [(n, s) for n, s in scored if s * 1.2 > scored[0][1]]
            return self._by_subject(words, close) or self._by_head(words, close) \
                or self._by_missing_subject(words, close)
        scored = self._scores(words, False, self.min_shared, self.threshold)
        # one statement may cover two recommendations, but only ones nearly as good as the best
        return [(n, s) for n, s in scored if s >= scored[0][1] * 0.8] if scored else []

    def the_one(self, text: str) -> int | None:
        """The one recommendation a short restatement names (a loose match, settled by its tie-breaks), or None."""
        best = self.match(text, loose=True)
        return best[0][0] if len(best) == 1 else None

    def standing_clear(self, text: str, margin: float = 1.5) -> int | None:
        """The one recommendation a short restatement names when nothing else comes close: its loose score at
        least `margin` times the next best's (the next best counted even under the threshold)."""
        scored = self._scores(terms(text), True, 2, 0.0)
        if not scored or scored[0][1] < 0.2:
            return None
        return scored[0][0] if len(scored) == 1 or scored[0][1] >= scored[1][1] * margin else None

    def _scores(self, words: set[str], loose: bool, min_shared: int, threshold: float) -> list[tuple[int, float]]:
        """(number, score) of each recommendation sharing at least `min_shared` words and scoring `threshold`,
        best first; rare shared words weigh more."""
        scored = []
        for number, rec_terms in self.terms.items():
            shared = words & rec_terms
            if len(shared) < min_shared:
                continue
            weight = sum(self.idf[w] for w in rec_terms) or 1.0
            if loose:  # a short restatement: weigh it against both texts, so long texts are not penalised
                weight = math.sqrt(weight * (sum(self.idf.get(w, 1.0) for w in words) or 1.0))
            score = sum(self.idf[w] for w in shared) / weight
            if score >= threshold:
                scored.append((number, round(score, 3)))
        return sorted(scored, key=lambda x: -x[1])

    def _by_subject(self, words: set[str], close: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Of recommendations a short restatement shares about as much with, the one whose own subject it names when
        it names no other's ("standards of competence for every director": standards for directors, not the
        training linked to them)."""
        named = [(n, score) for n, score in close if self.subject.get(n) in words]
        return named if len(named) == 1 and len(close) > 1 else []

    def _by_missing_subject(self, words: set[str], close: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Of recommendations a short restatement shares about as much with, the one left when those about something
        it never names are set aside ("new competency standards for senior managers": not the training linked to
        them). A subject most of the review's recommendations share (its directors) says nothing either way."""
        common = len(self.terms) / 2
        kept = [(n, score) for n, score in close
                if self.subject.get(n) in words or self._df.get(self.subject.get(n), 0) > common]
        return kept if len(kept) == 1 and len(close) > 1 else []

    def _by_head(self, words: set[str], close: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Of recommendations a short restatement shares about as much with, the one whose main clause it
        shares most with, when one stands alone; else none."""
        if not close:
            return []
        shared = sorted(((len(words & self.head[n]), n, score) for n, score in close), reverse=True)
        if shared[0][0] and (len(shared) == 1 or shared[0][0] > shared[1][0]):
            return [(shared[0][1], shared[0][2])]
        return []
