"""Status evidence: verbatim sentences that say what was decided or done about numbered recommendations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.extract.language import Reference, blank_quotes, find_references, sentences
from tracker.extract.paraphrase import ParaphraseMatcher
from tracker.extract.phrases import StatusPhrase, find_statuses
from tracker.extract.reviews import ReviewNamer
from tracker.items import Block, Evidence, Publication

_BOUNDARY = re.compile(r";|\bbut\b|,\s*(?:while|whereas|although|though)\b")
_ACTIVE = re.compile(r"^(?:accept|reject|endorse|agree|commit|declin|does|do\b|did\b|will\s+implement|will\s+not|no\b|work\b|taking)", re.I)
_FORWARD = re.compile(r"\s+(?:on|for|about|regarding|in\s+respect\s+of)\b", re.I)
_BE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+\s+)?$", re.I)
_UNTRACKED_OWNER = re.compile(
    r"^\s*(?:of|from|in|made\s+by)\s+(?:the\s+)?(?P<name>[^,.;]{2,80}?)\s*"
    r"(?:report|inquiry|review|commission|committee|investigation|audit)\b",
    re.I,
)

# Every status phrase contains one of these. Plain substring tests on lower-cased text are far
# cheaper than the rules' regular expressions, so a sentence without any is skipped first.
_HINTS = (
    "accept", "reject", "implement", "consider", "awaited", "awaiting", "decision", "progress", "under way",
    "underway", "forward", "developed", "deliver", "complet", "in force", "into force", "in place", "paus",
    "on hold", "stalled", "suspend", "overtaken", "supersed", "replaced", "start", "begun", "begin",
    "no longer", "endorse", "agree", "commits to", "committed to", "declin", "principle", "in part",
    "partial", "partly", "introduced", "establish", "enacted", "achieved", " met", "rolled out", "piloted",
    "worked on", "acted on", "yet to", "continu",
)


def has_status_hint(text: str) -> bool:
    low = text.lower()
    return any(hint in low for hint in _HINTS)


CONFIDENCE = {"sentence": 0.9, "section": 0.8, "grouped": 0.75, "document": 0.7, "paraphrase": 0.6}


@dataclass
class StatusExtractor:
    """Reads a publication's own words (body blocks only) for status statements about tracked reviews."""

    namer: ReviewNamer
    known: dict[str, set[int]] = field(default_factory=dict)  # review_id -> recommendation numbers
    texts: dict[str, dict[int, str]] = field(default_factory=dict)  # review_id -> number -> text

    def __post_init__(self) -> None:
        self._matchers = {rid: ParaphraseMatcher(t) for rid, t in self.texts.items() if t}

    def extract(self, pub: Publication, document_review: str | None) -> list[Evidence]:
        """Evidence from the document's body blocks; a document with no status word at all is skipped."""
        if not has_status_hint(" ".join(b.text for b in pub.blocks if b.role == "body")):
            return []
        out: dict[tuple, Evidence] = {}
        headings: list[tuple[int, str, str | None, list[StatusPhrase]]] = []
        lead_in: tuple[str, list[StatusPhrase]] | None = None
        for block in pub.blocks:
            if block.role != "body":
                continue
            if block.kind == "heading":
                while headings and headings[-1][0] >= block.level:
                    headings.pop()
                grouped = find_statuses(block.text) if not find_references(block.text) else []
                headings.append((block.level, block.text, self.namer.only(block.text), grouped))
                lead_in = None
                continue
            section_review = next((h[2] for h in reversed(headings) if h[2]), None)
            context = ("section", section_review) if section_review else ("document", document_review)
            label = _label_number(block) if block.kind == "list_item" else None
            found = self._from_sentences(block.text, context, pub, label)
            for ev in found:
                out.setdefault((ev.review_id, ev.number, ev.axis, ev.quote), ev)
            if block.kind == "list_item" and label is not None and not found:
                group = lead_in or (
                    (headings[-1][1], headings[-1][3]) if headings and headings[-1][3] else None
                )
                if group and context[1]:
                    for phrase in _one_per_axis(group[1]):
                        ev = self._evidence(context[1], label, phrase, group[0], pub, "grouped")
                        if ev:
                            out.setdefault((ev.review_id, ev.number, ev.axis, ev.quote), ev)
            if block.kind == "paragraph":
                stripped = block.text.rstrip()
                lead_in = None
                if stripped.endswith(":") and not find_references(stripped):
                    phrases = find_statuses(blank_quotes(stripped))
                    if phrases:
                        lead_in = (stripped, phrases)
        return list(out.values())

    def _from_sentences(
        self, text: str, context: tuple[str, str | None], pub: Publication, label: int | None = None
    ) -> list[Evidence]:
        """Statements in a block's sentences; a numbered list item's own number stands in for a reference."""
        found: list[Evidence] = []
        if not has_status_hint(text):
            return found
        for sentence in sentences(text):
            if not has_status_hint(sentence):
                continue
            visible = blank_quotes(sentence)
            refs = find_references(visible)
            phrases = find_statuses(visible)
            if not phrases:
                continue
            mentions = self.namer.mentions(visible)
            if not refs and label is not None:
                review_id = self.namer.only(visible) or context[1]
                if review_id and (not self.known.get(review_id) or label in self.known[review_id]):
                    for phrase in _one_per_axis(phrases):
                        found.append(self._evidence(review_id, label, phrase, sentence, pub, context[0]))
                continue
            if not refs:
                found.extend(self._paraphrased(sentence, visible, phrases, mentions, context, pub))
                continue
            for ref in refs:
                review_id, how = self._review_for(ref, visible, mentions, context)
                if review_id is None:
                    continue
                for phrase in _phrases_for(ref, refs, phrases, visible):
                    for number in self._numbers(review_id, ref):
                        ev = self._evidence(review_id, number, phrase, sentence, pub, how)
                        if ev:
                            found.append(ev)
        return found

    def _paraphrased(self, sentence, visible, phrases, mentions, context, pub) -> list[Evidence]:
        """An unnumbered statement matched to recommendation texts of the review in context."""
        named = {rid for _, rid in mentions}
        review_id = named.pop() if len(named) == 1 else (None if named else context[1])
        matcher = self._matchers.get(review_id) if review_id else None
        if matcher is None:
            return []
        out = []
        for number, _score in matcher.match(visible):
            for phrase in _one_per_axis(phrases):
                ev = self._evidence(review_id, number, phrase, sentence, pub, "paraphrase")
                if ev:
                    out.append(ev)
        return out

    def _review_for(self, ref: Reference, text: str, mentions, context) -> tuple[str | None, str]:
        if not mentions and _UNTRACKED_OWNER.match(text[ref.end :]):
            return None, ""  # "recommendation 2 of the select committee report": not a tracked review
        if mentions:
            before = [rid for pos, rid in mentions if pos <= ref.start]
            return (before[-1] if before else mentions[0][1]), "sentence"
        return context[1], context[0]

    def _numbers(self, review_id: str, ref: Reference) -> list[int]:
        known = self.known.get(review_id, set())
        if ref.all_of is not None:
            if ref.all_of and known and ref.all_of != len(known):
                return []  # "all 12" about a review with 19 found: reported by the count check, not forced
            if ref.all_of and not known:
                return list(range(1, ref.all_of + 1))
            return sorted(known)
        if known:
            return [n for n in ref.numbers if n in known]
        return list(ref.numbers)

    def _evidence(self, review_id, number, phrase: StatusPhrase, quote: str, pub: Publication, how: str):
        return Evidence(
            review_id=review_id,
            number=number,
            axis=phrase.axis,
            status=phrase.status,
            quote=quote,
            source_url=pub.url,
            published_on=pub.published_on,
            method="rule",
            confidence=CONFIDENCE[how],
        )


def _label_number(block: Block) -> int | None:
    return int(block.label) if block.label.isdigit() else None


def _one_per_axis(phrases: list[StatusPhrase]) -> list[StatusPhrase]:
    seen: dict[str, StatusPhrase] = {}
    for p in phrases:
        seen.setdefault(p.axis, p)
    return list(seen.values())


def _is_active(phrase: StatusPhrase, text: str) -> bool:
    """Does the phrase point forward to its object ("accepts recommendation 2", "no sign of progress on")?"""
    if re.match(r"(?:accepted|rejected|endorsed)\b", phrase.text, re.I):
        return not _BE_BEFORE.search(text[: phrase.start])  # "the government accepted" vs "was accepted"
    if _ACTIVE.match(phrase.text):
        return True
    return bool(_FORWARD.match(text[phrase.end :]))


def _phrases_for(ref: Reference, refs: list[Reference], phrases: list[StatusPhrase], text: str) -> list[StatusPhrase]:
    """The status phrases that speak of this reference: one per axis, nearest in the right direction."""
    inside = [p for p in phrases if p.start <= ref.start and ref.end <= p.end]
    if inside:
        return _one_per_axis(inside)
    lo, hi = _clause(text, ref)
    chosen: dict[str, tuple[int, StatusPhrase]] = {}
    for p in phrases:
        if p.start < lo or p.end > hi:
            continue
        if p.end <= ref.start:  # before the reference: only an active verb ("accepts ...")
            between = [r for r in refs if p.end <= r.start < ref.start]
            if not _is_active(p, text) or between:
                continue
            distance = ref.start - p.end
        elif p.start >= ref.end:  # after: a passive or stative phrase ("... has been implemented")
            between = [r for r in refs if ref.end <= r.start < p.start]
            if _is_active(p, text) or between:
                continue
            distance = p.start - ref.end
        else:
            continue
        if p.axis not in chosen or distance < chosen[p.axis][0]:
            chosen[p.axis] = (distance, p)
    return [p for _, p in chosen.values()]


def _clause(text: str, ref: Reference) -> tuple[int, int]:
    lo, hi = 0, len(text)
    for m in _BOUNDARY.finditer(text):
        if m.end() <= ref.start:
            lo = m.end()
        elif m.start() >= ref.end and m.start() < hi:
            hi = m.start()
            break
    return lo, hi
