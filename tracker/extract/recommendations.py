"""Recommendations from a review's own documents, whatever the layout, with theme and page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.extract.language import sentences
from tracker.items import Block, Publication, Recommendation, Review

OVERARCHING = "overarching"

_REC_HEADING = re.compile(r"^recommendation\s+(\d{1,3})\b\s*[:.\-\u2013\u2014]?\s*(.*)$", re.I)
_NUMBERED_PARA = re.compile(r"^\(?(\d{1,3})[.)]\s+(?=\S)")
_SECTION_END = re.compile(
    r"\b(findings?|introduction|background|conclusions?|annex|appendix|appendices|glossary|"
    r"method|methodology|references|acknowledg|contents|foreword|executive summary|next steps)\b",
    re.I,
)
_PARA_NUMBER = re.compile(r"^(\d{1,2}\.\d{1,3})\.?\s+")
_COMMITMENT = re.compile(r"\bwe\s+will\b", re.I)


@dataclass
class Draft:
    number: int
    text: str
    theme: str
    page: int | None
    ref: str


def extract_recommendations(pub: Publication, review: Review) -> list[Recommendation]:
    """The best set of numbered recommendations (or plan commitments) in one document."""
    body = [b for b in pub.blocks if b.role == "body"]
    if review.kind == "commitments":
        found = _commitments(body, review)
    else:
        layouts = [_by_headings(body), _by_numbered_list(body), _by_table(body)]
        found = max(layouts, key=_score)
    return [
        Recommendation(review.review_id, c.number, c.text, c.theme, pub.url, c.page, c.ref)
        for c in found
    ]


def _score(cands: list[Draft]) -> tuple[int, int]:
    numbers = [c.number for c in cands]
    run = 0
    while run + 1 in numbers:
        run += 1
    return run, len(cands)


def _dedupe(cands: list[Draft]) -> list[Draft]:
    seen: dict[int, Draft] = {}
    for c in cands:
        seen.setdefault(c.number, c)  # a number seen again (a summary repeated later) keeps the first
    return sorted(seen.values(), key=lambda c: c.number)


def _by_headings(blocks: list[Block]) -> list[Draft]:
    """'Recommendation N[: title]' headings (or bold lead-ins), then the text and its sub-action bullets."""
    cands: list[Draft] = []
    theme = OVERARCHING
    current: Draft | None = None
    state = "none"  # after a heading: "text" -> "bullets" -> "discussion"
    for block in blocks:
        m = _REC_HEADING.match(block.text) if block.kind in {"heading", "paragraph"} else None
        if m and (block.kind == "heading" or len(block.text) < 400):
            current = Draft(int(m.group(1)), "", theme, block.page, f"Recommendation {m.group(1)}")
            title = m.group(2).strip()
            if block.kind == "paragraph" and (title.endswith((".", ";")) or len(title) > 150):
                current.text = title  # "Recommendation 3: the whole recommendation, in one paragraph."
                state = "text"
            else:  # a heading, or a bold title line ("Recommendation 3: A short title") before its text
                current.text = title
                state = "heading"
            cands.append(current)
            continue
        if block.kind == "heading":
            current = None
            state = "none"
            if not _SECTION_END.search(block.text) and "recommendation" not in block.text.lower():
                theme = block.text.rstrip(":")
            continue
        if current is None:
            continue
        if block.kind == "paragraph" and state == "heading":
            # "Recommendation 1: a short title" then its text: keep the title as a lead-in
            title = current.text
            current.text = f"{title}: {block.text}" if title and title[-1] not in ".:;?!" else _join(title, block.text)
            state = "text"
        elif block.kind == "list_item" and state in {"text", "bullets", "heading"}:
            current.text = _join(current.text, block.text, bullet=True)
            state = "bullets"
        else:
            state = "discussion"  # discussion paragraphs are not part of the recommendation
    return _dedupe(cands)


def _by_numbered_list(blocks: list[Block]) -> list[Draft]:
    """One numbered list ("1.", "1)", "(1)" or <ol>) inside a Recommendations section, themed by headings."""
    cands: list[Draft] = []
    section = _ListSection()
    current: Draft | None = None
    for block in blocks:
        if block.kind == "heading":
            section.heading(block)
            current = None
            continue
        if not section.open:
            continue
        numbered = _numbered(block)
        if numbered is not None:
            current = Draft(numbered[0], numbered[1], section.theme, block.page, str(numbered[0]))
            cands.append(current)
        elif current is not None and block.kind == "list_item" and block.level > 0:
            current.text = _join(current.text, block.text, bullet=True)
        elif current is not None and block.kind == "paragraph" and block.text[:1].islower():
            current.text = _join(current.text, block.text)  # a paragraph split mid-sentence
        else:
            current = None
    return _dedupe(_longest_run(cands))


@dataclass
class _ListSection:
    """Where a numbered list may be: inside a heading that mentions recommendations, until a heading
    above it, or one at its level that ends it; a heading inside it is a theme."""

    open: bool = False
    level: int = 0
    theme: str = OVERARCHING

    def heading(self, block: Block) -> None:
        if "recommendation" in block.text.lower() and not _REC_HEADING.match(block.text):
            self.open, self.level, self.theme = True, block.level, OVERARCHING
        elif self.open and (block.level <= self.level and _SECTION_END.search(block.text)):
            self.open = False
        elif self.open and block.level < self.level:
            self.open = False
        elif self.open:
            self.theme = block.text.rstrip(":")


def _numbered(block: Block) -> tuple[int, str] | None:
    """A block that starts a recommendation: a top-level list item's number, or a "3." paragraph."""
    if block.kind == "list_item" and block.level == 0 and block.label.lstrip("#").isdigit():
        return int(block.label.lstrip("#")), block.text  # in a review's own list, position is the number
    if block.kind == "paragraph" and (m := _NUMBERED_PARA.match(block.text)):
        return int(m.group(1)), block.text[m.end():]
    return None


_TABLE_NUMBER = re.compile(r"^(?:recommendation\s+)?(?:no\.?\s*)?(\d{1,3})[.)]?$", re.I)


def _by_table(blocks: list[Block]) -> list[Draft]:
    """A table of recommendations in a Recommendations section: number | [title |] text."""
    cands: list[Draft] = []
    in_section = False
    section_level = 0
    theme = OVERARCHING
    for block in blocks:
        if block.kind == "heading":
            if "recommendation" in block.text.lower():
                in_section, section_level, theme = True, block.level, OVERARCHING
            elif in_section and block.level <= section_level:
                in_section = False
            elif in_section:
                theme = block.text.rstrip(":")
            continue
        if not in_section or block.kind != "table_row":
            continue
        cells = [c.strip() for c in block.text.split(" | ") if c.strip()]
        m = _TABLE_NUMBER.match(cells[0]) if len(cells) >= 2 else None
        if not m:
            continue
        rest = cells[1:]
        titled = len(rest) >= 2 and not rest[0].endswith(".") and len(rest[0]) < 150  # number | title | text
        text = f"{rest[0]}: {rest[1]}" if titled else " ".join(rest)
        cands.append(Draft(int(m.group(1)), text, theme, block.page, cells[0]))
    return _dedupe(_longest_run(cands))


def _longest_run(cands: list[Draft]) -> list[Draft]:
    """Keep the list that counts up from 1 (a later restart is a different list, e.g. findings)."""
    runs: list[list[Draft]] = []
    for c in cands:
        if not runs or c.number != runs[-1][-1].number + 1:
            runs.append([])
        runs[-1].append(c)
    starting = [r for r in runs if r[0].number == 1] or runs
    return max(starting, key=len) if starting else []


def _commitments(blocks: list[Block], review: Review) -> list[Draft]:
    """Plan-style commitments: each "We will ..." sentence in the review's numbered paragraphs."""
    cands: list[Draft] = []
    paragraph = None
    theme = OVERARCHING
    for block in blocks:
        if block.kind == "heading":
            theme = block.text
            continue
        text = block.text
        m = _PARA_NUMBER.match(text)
        if m:
            paragraph = m.group(1)
            text = text[m.end():]
        if paragraph is None or (review.paragraphs and paragraph not in review.paragraphs):
            continue
        if block.kind != "paragraph" and not m:
            continue
        for sentence in sentences(text):
            if _COMMITMENT.search(sentence):
                cands.append(Draft(len(cands) + 1, sentence, theme, block.page, paragraph))
    return cands


def _join(left: str, right: str, bullet: bool = False) -> str:
    if not left:
        return right
    return f"{left} \u2022 {right}" if bullet else f"{left} {right}"
