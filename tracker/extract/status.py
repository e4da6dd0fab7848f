"""Status evidence from a publication's own words: frames (frames.py) whose targets resolve
(targets.py) to recommendations of a tracked review, with who said it.

The walk over a document's blocks supplies what one sentence cannot: the review a section or the
whole page is about, the recommendation a heading or a table row stands for, the antecedent of "it"
or "each of which" within a paragraph, a lead-in ("The department accepted these:") that applies to
the list after it, and content matching of list items and paraphrases against the review's
recommendation texts. A sentence that names a review and carries a status but whose targets cannot
be resolved is returned as an `Unresolved` statement for an analyst, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from tracker.extract import lexicon as lx
from tracker.extract.basis import BASES, MAX_WITHOUT_PROOF
from tracker.extract.frames import Frame, Predicate, clauses, find_predicates, link, qualify_for, tokens
from tracker.extract.language import sentences, visible_sentences, visible_text
from tracker.extract.paraphrase import ParaphraseMatcher
from tracker.extract.reviews import ReviewNamer
from tracker.extract.targets import Reference, Resolution, find_references, resolve
from tracker.items import Block, Evidence, Publication, Unresolved
from tracker.speakers import speaker_of
from tracker.settings import DEFAULT_MIN_CONFIDENCE

_HINT_WORDS = frozenset(lx.VERB_FORMS) | {
    "place", "force", "effect", "underway", "way", "progress", "train", "hand", "hold", "abeyance", "sign", "evidence",
    "nothing", "longer", "overtaken", "consideration", "decision", "awaited", "awaiting", "waiting", "await", "yet",
    "undecided", "due", "complete", "ongoing", "principle", "part", "operation",
}
_WORD = re.compile(r"[a-z]+")
_UNTRACKED_OWNER = re.compile(
    r"^\s*(?:of|from|in|made\s+by|by)\s+(?:the\s+)?(?:\d{4}\s+)?(?P<name>[A-Z][\w\u2019'&-]*(?:\s+(?:(?:and|of|for|on|the|&)\s+)*[A-Z][\w\u2019'&-]*){0,7})"
    r"(?:['\u2019]s)?\s+(?:[\w-]+\s+){0,5}?(?:report|inquiry|review|commission|committee|investigation|audit)\b"
)
# what joins a reference to the review that owns it when the review comes after: "recommendation 4 of the Kark
# review", "recommendations 1 and 2, set out in the Kark review"
_OWNER_AFTER = re.compile(r"^\s*(?:,\s*)?(?:(?:as\s+)?(?:set\s+out|made|proposed|contained|published)\s+)?"
                          r"(?:of|from|in|by)\b", re.I)
_GENERIC_OWNER = {"The", "This", "That", "Its", "Their", "His", "Her", "Our"}
_TABLE_LABEL = re.compile(rf"^\s*(?:{lx.REC_NOUNS}\s*)?(?:no\.?\s*)?\(?(\d{{1,2}})[a-z]?\)?[.):]?\s*$", re.I)
_OWN_REC_LABEL = re.compile(rf"^\s*{lx.REC_NOUNS}\s*\d", re.I)
_ITEM_LABEL = re.compile(
    rf"^\s*(?:{lx.REC_NOUNS}\s*)?\(?(\d{{1,2}})[a-z]?[.):\u2013-]\s+|^\s*{lx.REC_NOUNS}\s+(\d{{1,2}})\b", re.I)
_OTHER_REPORT = re.compile(
    r"\b(?:the|a|an|its)\s+(?:\d{4}\s+|separate\s+|another\s+|new\s+|later\s+|earlier\s+|subsequent\s+)+(?:review|report|inquiry|investigation)\s+(?:of|into|on|by)\b"
    r"|\b(?:the|a)\s+(?:[\w-]+\s+){1,3}?(?:body|committee|commission|inquiry|panel|group)['\u2019]s\s+(?:report|review|recommendations?)\b"
    r"|\b(?:committee|commission|inquiry|panel)['\u2019]s\s+(?:report|review)\b",
    re.I,
)
_SCOPE = re.compile(
    r"^\s*(?:of|among|across|within)\s+(?:the|its|these|those)\s+[^,]{0,80}?(?:recommendations|proposals|commitments)\b"
    r"[^,]{0,40},"
    # "Of the other two, ...", "Of these three, ...": the group the statements pick from
    r"|^\s*(?:of|among)\s+(?:the|these|those)\s+(?:other\s+|remaining\s+)?(?:\d{1,2}|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)\s*,",
    re.I)
# an FAQ's question: a short line of its own ending in a question mark ("4.1 Is there a national set of ...?")
_FAQ_QUESTION = re.compile(r"^\s*(?:(?:Q\s*\d*|\d+(?:\.\d+)*)[.:)]?\s+)?(?:Is|Are|Was|Were|Will|Would|Can|Could|Do|"
                           r"Does|Did|Has|Have|Should|What|Which|When|Where|Who|How|Why)\b[^?]{8,140}\?\s*$")
_REC_WORD = re.compile(
    r"recommend|\brecs?\b|proposal|commitment|\ball\b|\beach\b|\bboth\b|\brest\b|remaining|\bother", re.I)
_CAPITAL = re.compile(r"[A-Z]")
# a question, including Parliament's written form ("To ask the Secretary of State, whether ...")
_QUESTION = re.compile(r"\?\W*$|^\W*To\s+ask\b")
_BODY_WORD = re.compile(r"ommittee|ommission|nquiry|Panel|Body|askforce|ask Force|review|report", re.I)
_OTHER_BODY = re.compile(r"\b[A-Z][\w\u2019'&-]*(?:\s+(?:(?:and|of|for|on|the|&)\s+)*[A-Z][\w\u2019'&-]*){0,6}\s+"
                         r"(?:Committee|Commission|Inquiry|Panel|Review\s+Body|Taskforce|Task\s+Force)\b")
_ITS_NUMBERED = re.compile(rf"\b(?:its|their)\s+(?:\w+\s+)?{lx.REC_NOUNS}\s*\d", re.I)
_CONTENT_REF = re.compile(r"\b(?:(?i:the|its|their|a)|(?:[A-Z][\w-]+\s+){0,2}[A-Z][\w-]+['\u2019]s)\s+"
                          r"(?i:(?:review['\u2019]s\s+|report['\u2019]s\s+)?(?:\d{4}\s+)?(?:(?:earlier|original|first|final|main|"
                          r"central|key)\s+)?(?:recommendation|proposal|call)\s+(?:that|to|for|on|about|of)\b)")
# "the recommendations to develop standards ... and to create a database": each named by what it asks
_CONTENT_REFS = re.compile(r"\b(?:the|its|their)\s+(?:review['\u2019]s\s+|report['\u2019]s\s+)?"
                           r"(?:recommendations|proposals|calls)\s+(?=(?:that|to|for|on)\b)", re.I)
_CONTENT_REFS_PARTS = re.compile(r",?\s+and\s+(?=(?:that|to|for|on)\b)|;\s*", re.I)
_REC_NOUN = re.compile(rf"\b{lx.REC_NOUNS}\b", re.I)
# a group, its status, then one thing of it: "Among the review's recommendations accepted in full is ...", "The
# recommendations, fully accepted, include ..."
_AMONG = re.compile(r"^\W*among\s+(?:the|its|their|his|her)\s+[^,.;:]{0,80}?\b(?:recommendations|proposals)\b[^.;:]*?"
                    r"\b(?:is|are|was|were)\s+(?P<what>[^.;:]{12,})", re.I)
_INCLUDES = re.compile(r"\b(?:recommendations|proposals)\b[^.;:]*?\b(?:includes?|included)\s+(?P<what>[^.;:]{12,})",
                       re.I)
_PLURAL_ANAPHOR = re.compile(r"\b(?:these|those|the|its|their|both)\s+(?:\w+\s+)?"
                             r"(?:recommendations|proposals|commitments)\b"
                             r"|\b(?:all|each|both)\s+of\s+(?:them|these|those)\b", re.I)
_THEM = re.compile(r"\b(?:them|they)\b", re.I)
# "The review recommended that ...", "Tom Kark recommended a mechanism to ...": what a review asked for, in other words
_ASKED_FOR = r"recommended|proposed|called\s+for|asked\s+for"
_RECOMMENDED = re.compile(rf"\b(?:also\s+)?(?:{_ASKED_FOR})\s+(?:that\s+)?"
                          r"(?P<what>[^;]{12,400})", re.I)
# "the review", "the plan": the one in context, named by what it is
_THE_REVIEW = re.compile(r"\b(?:the|its|this|that)\s+(?:\d{4}\s+)?(?:review|report|plan)\s*$", re.I)
# "the central database of directors that the Kark review called for": the thing first, who asked for it after
_RECOMMENDED_REL = re.compile(r"\b(?P<what>(?:the|a|an|its)\s+[^,;:.()]{4,140}?)\s+(?:that|which)\s+"
                              rf"(?P<who>[^,;:.()]{{2,60}}?)\s+(?:also\s+|had\s+|has\s+)?(?:{_ASKED_FOR}|promised|"
                              r"envisaged|pledged)\b", re.I)
# "this recommendation", "that proposal": one thing pointed back to by name, across a paragraph's end
_SINGULAR_ANAPHOR = re.compile(r"\b(?:this|that|the)\s+(?:recommendation|proposal)\b(?!\s+(?:\d|to|that|for|on))", re.I)
_WE = re.compile(r"\b(?:we|our)\b", re.I)
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\b")
_DASHED_APPOSITIVE = re.compile(r"^\s*[\u2013\u2014-]\s*(.{8,300}?)\s*[\u2013\u2014]")
_BRACKETED_APPOSITIVE = re.compile(r"^\s*\((.{8,300}?)\)")
_APPOSITIVE_PARTS = re.compile(r"\band\s+(?:on|to|for)\b|;|,\s*and\b|,|\s+and\s+")
_APPOSITIVE_ITEMS = re.compile(r",?\s+and\s+(?=(?:on|to|for)\b)|;")
_LEAD_IN_END = re.compile(r"[:\u2013\u2014]\s*$")
_STATUS_LINE = re.compile(r"^\s*(?:status|progress|position|current\s+position|rag(?:\s+rating)?|rating|decision|"
                          r"government\s+response|response)\s*[:\u2013\u2014-]\s*(.+)$", re.I)
_IRREALIS_LEAD = re.compile(r"\b(?:to|will|would|should|shall|must|could|may|might|can|plans?|aims?|intends?|"
                            r"proposes?|hopes?|wants?|expects?)\s*[:\u2013\u2014]\s*$", re.I)
# "Ensuring the recommendations are implemented", "How will the plan be delivered?": a topic, not a status
_TOPIC_HEADING = re.compile(r"^\W*(?:[A-Za-z]+ing\b(?<!\bthing)|how|why|to(?!\s+be\s+[a-z]+ed\b))\b|\?\s*$", re.I)
_LEADING_LABEL = re.compile(r"^\s*\(?(\d{1,2})[.):]\s+\S")
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+$", re.I)
_STATUS_COLUMN = re.compile(r"\b(?:status|progress|position|decision|response|implementation|accepted|stage|"
                            r"outcome|delivery)\b", re.I)
_NUMBERS_HEADER = re.compile(r"^\s*(?:no\.?|nos?\.|number|#|ref(?:erence)?\.?|item|rec(?:ommendation)?\.?"
                             r"(?:\s*(?:no\.?|number|#))?|proposal|commitment)\s*$", re.I)
_RESPONSE_COLUMN = re.compile(r"\b(?:response|decision|accepted)\b", re.I)
_THIRD_PARTY = re.compile(
    r"\b(?:chief\s+executive|director|chair|chairman|chairwoman|president|professor|dr|mr|mrs|ms|mp|"
    r"spokesperson\s+for\s+(?:the\s+)?(?!department|government|dhsc|nhs\s+england)|leader|union|campaigners?|"
    r"critics?|members?|analysts?|experts?|she|he)\b",
    re.I,
)
_SELF_OR_DOCUMENT = re.compile(
    r"\b(?:we|our|us|it|report|update|response|plan|paper|document|statement|letter|framework|guidance|tracker|"
    r"analysis|review|briefing)\b",
    re.I,
)


_HINT_CHUNK = 4096  # characters of a long text looked at at once


def has_status_hint(text: str) -> bool:
    """Cheap prefilter: does the text contain any word the lexicon could start a predicate with? A whole page is
    looked at a few kilobytes at a time (cut at spaces), and the first hint ends the search."""
    lowered = text.lower()
    start = 0
    while start < len(lowered):
        end = lowered.find(" ", start + _HINT_CHUNK) if len(lowered) - start > _HINT_CHUNK else -1
        end = len(lowered) if end == -1 else end
        if not _HINT_WORDS.isdisjoint(_WORD.findall(lowered, start, end)):
            return True
        start = end
    return False



# an object still being worked on: "agreed a draft vision", "published an interim framework"
_UNFINISHED_OBJECT = re.compile(r"^\s+(?:an?|the|its|their)\s+(?:first\s+)?(?:draft|interim|provisional|outline|"
                                r"initial|emerging)\b", re.I)


@dataclass
class ExtractResult:
    evidence: list[Evidence] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)


# a section of links to other pages, kept inside the article's own markup
_FURNITURE_HEADING = re.compile(
    r"\W*(?:related(?:\s+(?:content|articles?|news|links|pages|publications|stories|reading|resources))?|see\s+also|"
    r"read\s+(?:more|next)|more\s+(?:on\s+this(?:\s+\w+)?|from\s+\w+(?:\s+\w+)?|like\s+this|news|stories)|"
    r"further\s+reading|latest(?:\s+(?:news|articles|stories))?|most\s+(?:read|popular|viewed)|popular|"
    r"you\s+(?:may|might)\s+also\s+(?:like|be\s+interested(?:\s+in)?)|other\s+(?:news|stories|articles)|"
    r"recommended(?:\s+(?:for\s+you|reading))?|in\s+this\s+section|share(?:\s+this(?:\s+\w+)?)?|"
    r"top\s+stories|trending|explore\s+more|elsewhere\s+on\s+[\w\s]+)\W*$", re.I)


@dataclass
class _Section:
    level: int
    review: str | None
    target: tuple[str, tuple[int, ...]] | None  # a heading that is one recommendation ("Recommendation 3")
    lead: list[Predicate]  # a heading that is a status ("Accepted in principle")
    furniture: bool = False  # "Related articles", "Read more": other pages' headlines, not this page's word


@dataclass
class _Lead:
    """A lead-in ("The department agreed these five:") waiting for the list that follows it."""

    predicates: list[Predicate]
    review: str | None
    sentence: str
    count: int | None
    used: int = 0
    irrealis: bool = False  # "the department is prepared to:", "we will:": the items are plans, not news
    # "accepted two of the recommendations. ... it was prepared to: A; B": the count waiting for which, and the one
    # recommendation each item restates (None where no one stands clear)
    awaited: tuple | None = None
    items: list = field(default_factory=list)


@dataclass
class StatusExtractor:
    """Reads a publication's own words (body blocks only) for status statements about tracked reviews."""

    namer: ReviewNamer
    known: dict[str, set[int]] = field(default_factory=dict)  # review_id -> recommendation numbers
    texts: dict[str, dict[int, str]] = field(default_factory=dict)  # review_id -> number -> text
    min_confidence: float = DEFAULT_MIN_CONFIDENCE  # below it a statement is queued for an analyst, not published

    def __post_init__(self) -> None:
        self._matchers = {rid: ParaphraseMatcher(t) for rid, t in self.texts.items() if t}

    # -- public ---------------------------------------------------------------------------------
    def extract(self, pub: Publication, document_review: str | None) -> list[Evidence]:
        return self.read(pub, document_review).evidence

    def read(self, pub: Publication, document_review: str | None, named: bool | None = None,
             speaker: str | None = None) -> ExtractResult:
        """`named`: whether the document names any tracked review, when the caller has already looked;
        `speaker`: the publisher's kind, when the caller knows more than the URL (a GOV.UK page's organisation)."""
        body = [b for b in pub.blocks if b.role == "body"]
        out = ExtractResult()
        text = " ".join(b.text for b in body)
        if not has_status_hint(text):
            return out
        if document_review is None and not (named if named is not None else self.namer.mentions(text)):
            return out  # no review in context and none named: no statement here can be tied to one
        doc = _DocState(self, pub, document_review, out, speaker)
        for block in body:
            doc.block(block)
        doc.list_ended()
        # a document that says a thing twice, or says it changed, is read as at its last statement
        # on each recommendation and axis ("considered further in March ... dropped in July")
        last: dict[tuple, Evidence] = {}
        for e in out.evidence:
            key = (e.review_id, e.number, e.axis)
            if _part_after_partial(last.get(key), e):
                continue
            last.pop(key, None)
            last[key] = e
        order = {id(e): i for i, e in enumerate(out.evidence)}
        out.evidence = sorted(last.values(), key=lambda e: order[id(e)])
        out.unresolved = list({u.quote: u for u in reversed(out.unresolved)}.values())[::-1]  # first per quote
        return out


_PATIENT_OF_A_RESPONSE = re.compile(r"\b(?:recommendations?|proposals?|commitments?|it|this|they|these|those|both|all|"
                                    r"each|which|that)\b", re.I)


def _decided_thing(visible: str, predicate: Predicate) -> bool:
    """Under a recommendation's heading, "a single set of standards was agreed": what was agreed is a thing made
    in the work, not the recommendation, so it is no response to it."""
    if predicate.axis != "response" or predicate.direction != "before":
        return False
    start = next((lo for lo, hi in clauses(visible) if lo <= predicate.start < hi), 0)
    subject = visible[start:predicate.start]
    return len(re.findall(r"[A-Za-z]{3,}", subject)) >= 2 and not _PATIENT_OF_A_RESPONSE.search(subject)


class _DocState:
    """The walk over one document's body blocks."""

    def __init__(self, ex: StatusExtractor, pub: Publication, document_review: str | None, out: ExtractResult,
                 speaker: str | None = None):
        self.ex, self.pub, self.out = ex, pub, out
        self.document_review = document_review
        self.speaker = speaker or speaker_of(pub.url, pub.authors)
        self.sections: list[_Section] = []
        self.lead: _Lead | None = None
        self.mentioned: dict[str, set[int]] = {}
        self.section_mentioned: dict[str, set[int]] = {}
        # list items under a status lead-in that matched no recommendation: "the rest" after them is not known
        self.unplaced: dict[str, int] = {}
        # targets resolved in this paragraph and the one before it (no heading between): what "the rest" is set against
        self.nearby: list[tuple[str, tuple[int, ...]]] = []
        self.this_block: list[tuple[str, tuple[int, ...]]] = []
        self.header: list[str] = []
        self.last: tuple[str, tuple[int, ...]] | None = None  # antecedent within the current block
        self.counted: str | None = None  # the review whose own count the last sentence stated
        self.intro = ""  # the last block that was not a list item
        # people the page names with an official title ("Sajid Javid, the health secretary"): their words are
        # the owning body's wherever the page quotes them by name alone
        self.officials = _officials(" ".join(b.text for b in pub.blocks if b.role == "body"))
        self.official_voice = False  # the sentence being read reports one of them
        self.proven: dict[tuple[str, tuple[int, ...]], bool] = {}  # targets named on a basis that is its own proof
        # every target the current and the previous paragraph named ("all seven" too): what a plural points back to
        self.block_targets: list[tuple[str, tuple[int, ...]]] = []
        self.before_targets: list[tuple[str, tuple[int, ...]]] = []
        self.recent: str | None = None  # the review named last since the last heading
        self.named_before: set[str] = set()  # every review the blocks before this one named (read when needed)
        self.unscanned: list[str] = []  # blocks not yet looked at for it
        # a quotation opened in one paragraph and closed in a later one: the paragraphs between are the speaker's
        self.quoting = False
        self.after_list = False  # the block before this one was a list item
        # "accepted two recommendations." queued for want of which, until the next sentence says which
        self.awaiting: tuple[str, int, Predicate, str, Unresolved] | None = None
        # the one recommendation "the review recommended X" described, in this paragraph and the one before
        self.described: tuple[str, tuple[int, ...]] | None = None
        # "4.1 Is there a national set of competence standards?": the recommendation an FAQ's question asks about,
        # which its answer's statements without a target of their own are about (until the next question or heading)
        self.asked: tuple[str, tuple[int, ...]] | None = None
        self.described_before: tuple[str, tuple[int, ...]] | None = None
        self.other_named = False  # the last report named was not a tracked one ("the Health Committee's report")

    # -- context ----------------------------------------------------------------------------------
    def review(self) -> str | None:
        """The review in context: the nearest heading that names one, else the last one named since
        the last heading, else the one the whole document is about, else the only one the page has named so far
        (a question that names a review, then its answer under a heading of its own: "The report made seven
        recommendations, which were accepted")."""
        return (next((s.review for s in reversed(self.sections) if s.review), None) or self.recent
                or self.document_review or self._only_named_before())

    def _only_named_before(self) -> str | None:
        for text in self.unscanned:
            self.named_before.update(rid for _, rid in self.ex.namer.mentions(visible_text(text)))
        self.unscanned.clear()
        return next(iter(self.named_before)) if len(self.named_before) == 1 else None

    def section_target(self) -> tuple[str, tuple[int, ...]] | None:
        return next((s.target for s in reversed(self.sections) if s.target), None)

    def _one_of_the_heading(self, target: tuple[str, tuple[int, ...]], visible: str) -> tuple[str, tuple[int, ...]]:
        """Under "Recommendations 2 and 3", a sentence that restates one of the two speaks of that one."""
        review, numbers = target
        matcher = self.ex._matchers.get(review)
        if len(numbers) < 2 or matcher is None:
            return target
        hits = {n for n, _ in matcher.match(visible)} & set(numbers)
        return (review, (hits.pop(),)) if len(hits) == 1 else target

    def block(self, block: Block) -> None:
        original = block.text
        if block.kind == "heading":
            self.quoting = False  # a quotation left open does not run past a heading
        elif self.quoting:
            block = _after_the_quotation(block)
        try:
            self._block(block)
        finally:
            self.unscanned.append(original)
            if block.kind != "heading":
                self.quoting = _open_after(original, self.quoting)
            self.after_list = block.kind == "list_item"

    def _block(self, block: Block) -> None:
        self.last = None
        self.described_before, self.described = self.described, None
        self.nearby = self.this_block
        self.this_block = []
        self.before_targets, self.block_targets = self.block_targets, []
        if block.kind != "list_item" and not _ITEM_LABEL.match(block.text):
            self.intro = block.text  # what a list after it is introduced by
        if block.kind == "heading":
            self.heading(block)
            return
        if self.sections and self.sections[-1].furniture:
            return
        if block.kind == "table_row":
            self.table_row(block)
            return
        if block.kind == "list_item":
            self.list_item(block)
            return
        if self.lead and self.after_list:
            self.list_ended()
            self.lead = None  # a paragraph after a list's items: the list, and what introduced it, have ended
        if _ITEM_LABEL.match(block.text):
            self.list_item(block)  # "4) The remit letter ...": a paragraph that carries its own label
            return
        if self.lead and self.lead.used:
            self.lead = None  # the list it introduced has ended
        if self._status_line(block.text):
            return
        if _FAQ_QUESTION.match(block.text):
            self.asked = self._question_target(block.text)
        self.paragraph(block.text)

    def _status_line(self, text: str) -> bool:
        """"Status: in progress" under a heading that names one recommendation: the label line is its status."""
        m = _STATUS_LINE.match(text)
        target = self.section_target()
        if not (m and target):
            return False
        preds = _cell_lead_status(m.group(1)) or _cell_status(m.group(1))
        for p in _one_per_axis(preds):
            self.emit(target[0], target[1], p, text, "heading")
        return bool(preds)

    def heading(self, block: Block) -> None:
        self.list_ended()
        self.awaiting = None
        self.asked = self._question_target(block.text) if _FAQ_QUESTION.match(block.text) else None
        while self.sections and self.sections[-1].level >= block.level:
            self.sections.pop()
        self.lead = None
        self.header = []
        self.recent = None
        self.counted = None
        self.section_mentioned = {}
        self.nearby, self.this_block = [], []
        self.before_targets, self.block_targets = [], []
        self.described_before = self.described = None
        visible = visible_text(block.text)
        if _FURNITURE_HEADING.match(visible):
            self.sections.append(_Section(block.level, None, None, [], furniture=True))
            return
        named = self.ex.namer.only(visible)
        review = named or self.review()
        refs = find_references(visible)
        target = None
        if len(refs) == 1 and refs[0].explicit and review:
            numbers = self._numbers(review, refs[0])
            if numbers:
                target = (review, numbers)
        elif not refs and review and self.ex._matchers.get(review) and block.level >= 2 and len(visible) <= 90 and \
                not _status_heading(visible, find_predicates(visible)):
            # "Management standards and accredited training": a section named for one recommendation (a page's
            # title or a headline-length line is news, not a section's name)
            best = self.ex._matchers[review].match(visible)
            if best:
                target = (review, (best[0][0],))
        preds = (find_predicates(visible) or _cell_status(visible)) \
            if has_status_hint(visible) and not _TOPIC_HEADING.search(visible) else []
        # a heading matched to a recommendation by its words names a section; with a verb of its own it reads
        # like a headline (often another article's, in a sidebar), so only a numbered heading states a status
        if target and preds and refs:
            for p in _one_per_axis(preds):
                self.emit(target[0], target[1], p, block.text, "heading")
        lead = [] if target or not _status_heading(visible, preds) else preds
        self.sections.append(_Section(block.level, named, target, lead))

    # -- paragraphs and sentences --------------------------------------------------------------------
    def paragraph(self, text: str, label_target: tuple[str, tuple[int, ...]] | None = None,
                  item: bool = False) -> bool:
        found = False
        if not has_status_hint(text) and not self.awaiting:
            self._no_status(visible_text(text))  # still names recommendations and reports for what follows
        else:
            for sentence, visible in visible_sentences(text):
                found |= self.sentence(sentence, label_target, item, visible)
        self._lead_in(text)
        return found

    def _lead_in(self, text: str) -> None:
        """"The department accepted these:", "The department is prepared to:": a paragraph ending in a colon
        or dash introduces the list after it, with its statuses or as a plan."""
        stripped = text.rstrip()
        if _LEAD_IN_END.search(stripped):
            last = sentences(stripped)[-1] if stripped else stripped
            visible = visible_text(last)
            preds = find_predicates(visible)
            preds += [p for p in _attributive_decisions(visible) if p.axis not in {q.axis for q in preds}]
            refs = [r for r in find_references(visible) if r.kind in ("numbers", "all", "rest")]
            irrealis = bool(_IRREALIS_LEAD.search(visible))
            if (preds or irrealis) and not refs:
                counts = [r.count for r in find_references(visible) if r.kind == "quantity"]
                self.lead = _Lead(preds, self.ex.namer.only(visible) or self.review(), last,
                                  counts[0] if counts else None, irrealis=irrealis)
                if self.awaiting and self.awaiting[0] == self.lead.review:
                    self.lead.awaited, self.awaiting = self.awaiting, None

    def sentence(self, sentence: str, label_target=None, item: bool = False, visible: str | None = None) -> bool:
        """Read one sentence: skip what is not the publisher's own statement, then tie each frame to its
        recommendations (its references, else an antecedent, the section, its subject's content), then
        by content, and leave a status about unidentified recommendations to an analyst."""
        visible = visible if visible is not None else visible_text(sentence)
        awaiting, self.awaiting = self.awaiting, None
        if awaiting and self._says_which(awaiting, sentence, visible):
            return True
        if not has_status_hint(visible):
            self._no_status(visible)
            self.awaiting = self.awaiting or awaiting  # a sentence with no status does not end the wait
            return False
        toks = tokens(visible)
        preds = find_predicates(visible, toks)
        refs = find_references(visible)
        if not preds:
            self.awaiting = self.awaiting or awaiting
            self.note_mentions(visible)
            self._update_antecedent(visible, refs)
            self._note_described(visible)
            self._note_review(self.ex.namer.mentions(visible), visible)
            return False
        self.official_voice = False
        if self._third_party(visible, preds) or _QUESTION.search(sentence):
            return False
        preds = _partial_by_contrast(visible, preds)
        mentions = self.ex.namer.mentions(visible)
        only = _only(mentions)
        if self._elsewhere(visible, refs, mentions, only):
            return False
        refs = self._outside_scope(sentence, visible, preds, refs, mentions, only)
        if refs is None:
            return False
        said = _Said(sentence, visible, refs, mentions, only or self.review())
        resolved_any: list[tuple[str, tuple[int, ...]]] = []
        found = self._tie(said, preds, label_target, item, resolved_any)
        if resolved_any:
            self.last = resolved_any[-1]
        else:
            self._update_antecedent(visible, refs)
        self.note_mentions(visible, refs)
        self._note_review(mentions, visible)
        return found

    def _tie(self, said: _Said, preds: list[Predicate], label_target, item: bool, resolved_any: list) -> bool:
        """Each frame to its recommendations, else the sentence by content, else (a status about
        recommendations it does not identify) the analyst's."""
        frames = link(said.visible, preds, said.refs)
        found = False
        queued, emitted = len(self.out.unresolved), len(self.out.evidence)
        for frame in frames:
            if self._one_among(said, frame.predicate, resolved_any):
                found = True
            elif frame.refs:
                found |= self._by_references(said, frame, resolved_any)
            elif not frame.subordinate:
                found |= self._by_context(said, frame, label_target, resolved_any)
        if not found:
            # a short item matches loosely only in a list introduced as recommendations or under a heading that
            # names the review (not in a list of other stories' headlines)
            loose = item and (bool(_REC_NOUN.search(self.intro)) or bool(self.sections and self.sections[-1].review))
            found = self._by_content(said.text, said.visible, preds, said.refs, said.mentions, said.review, loose=loose)
        if not found:
            found = self._as_asked(said, frames, resolved_any)
        if found:
            self._settled_since(queued, emitted)
        elif said.review and not any(f.refs for f in frames) and not _LEAD_IN_END.search(said.text):
            self._unidentified(said, preds)
        return found

    def _as_asked(self, said: _Said, frames: list[Frame], resolved_any: list) -> bool:
        """An FAQ's answer ("Not yet. A framework is being developed"; "This will be considered"): a statement with no
        target of its own is about what its question asked."""
        if not (self.asked and self.asked[0] == said.review) or said.refs:
            return False
        found = False
        for frame in frames:
            if not frame.subordinate and (frame.anaphoric or frame.predicate.direction != "after"):
                self.emit(self.asked[0], self.asked[1], frame.predicate, said.text, "content")
                resolved_any.append(self.asked)
                found = True
        return found

    def _settled_since(self, queued: int, emitted: int) -> None:
        """"accepted 2 of the 7: A and B": a count the same sentence's list settled is no longer the analyst's."""
        settled = {(e.review_id, e.axis, e.status) for e in self.out.evidence[emitted:]}
        self.out.unresolved[queued:] = [u for u in self.out.unresolved[queued:]
                                        if (u.review_id, u.axis, u.status) not in settled]

    def _no_status(self, visible: str) -> None:
        """A sentence without a status still names recommendations and reviews for the ones after it."""
        if _REC_WORD.search(visible):
            self.note_mentions(visible)
            self._update_antecedent(visible)
        self._note_described(visible)
        if _CAPITAL.search(visible):
            self._note_review(self.ex.namer.mentions(visible), visible)

    def _outside_scope(self, sentence: str, visible: str, preds, refs, mentions, only) -> list[Reference] | None:
        """The references after a scope ("Of the four training recommendations (6 to 9), ..."), or None
        when the sentence has been dealt with (matched by content, or left to an analyst)."""
        scope = _SCOPE.match(visible)
        if not (scope and any(r.start < scope.end() for r in refs)):
            return refs
        # "Of the four training recommendations (6 to 9), the department counts A as complete and B
        # as under way": the numbers are the scope, not the target of each status
        refs = [r for r in refs if r.start >= scope.end()]
        if refs:
            return refs
        review = only or self.review()  # each clause may still restate one of the group: else the analyst decides
        if review and not self._by_content(sentence, visible[scope.end():].rjust(len(visible)), preds, [],
                                           mentions, review):
            self.unresolved(review, preds[0], sentence, "statuses for parts of a group of recommendations")
        return None

    def _by_references(self, said: _Said, frame: Frame, resolved_any: list) -> bool:
        """A frame with references of its own: each that resolves is evidence; if none does, the first
        problem is an analyst's (unless the sentence is a lead-in waiting for its list)."""
        problems = []
        resolved_here = False
        part = next((r for r in said.refs if r.kind == "part" and _same_clause(said.visible, r, frame.predicate)), None)
        if part:  # "16 recommendations, some of which have been scrapped": a part, never the whole set
            review_id, _ = self._review_for(part, said.visible, said.mentions)
            if review_id and self._about_tracked(said.visible, said.mentions, review_id):
                counts = [r.count for r in said.refs if r.kind == "quantity" and r.count]
                of = f" of {counts[0]}" if counts else ""
                self.unresolved(review_id, frame.predicate, said.text,
                                f"says some{of} (a part of the recommendations), not which")
            return False
        for ref, review_id in ((ref, rid) for ref in frame.refs
                               for rid in self._reviews_for(ref, said.visible, said.mentions)):
            if review_id is None:
                continue
            if self.other_named and not said.mentions and _GENERIC_ALL.match(said.visible[ref.start:ref.end]):
                continue  # "The Francis inquiry made 290 recommendations. The recommendations ...": not this review's
            if ref.kind == "anaphor_all" and resolved_any and resolved_any[-1][0] == review_id and \
                    any(e.axis == frame.predicate.axis for e in self.out.evidence[-1:]):
                continue  # "seven recommendations, each of which ...": the antecedent already carries it
            res = self._resolve(review_id, ref, said.visible, resolved_any)
            if not res.numbers:
                if res.problem and self._about_tracked(said.visible, said.mentions, review_id):
                    problems.append((review_id, res.problem))
                continue
            predicate = qualify_for(said.visible, frame.predicate, ref, frame.refs)
            # "accepted all seven. Work on every one of them is under way": as proven as what it points back to
            proven = res.basis == "anaphora" and self.proven.get((review_id, tuple(res.numbers)), False)
            self.emit(review_id, res.numbers, predicate, said.text, res.basis, proven=proven)
            resolved_any.append((review_id, res.numbers))
            resolved_here = True
        if not resolved_here and problems:
            resolved_here = self._counted_list(said, frame, problems[0][0], resolved_any)
        if not resolved_here and not _LEAD_IN_END.search(said.text):  # a lead-in waits for its list
            for review_id, problem in problems[:1]:
                self.unresolved(review_id, frame.predicate, said.text, problem)
                self._await_which(review_id, frame, said.text)
        return resolved_here

    def _one_among(self, said: _Said, predicate: Predicate, resolved_any: list) -> bool:
        """"Among the Messenger recommendations fully accepted is the introduction of common standards", "the
        recommendations, accepted in full, include common standards": the status is the group's, and what the
        sentence names of it, when its words restate one recommendation and no other comes close, has it."""
        m = _AMONG.match(said.visible) or _INCLUDES.search(said.visible)
        if not m or not (m.start() <= predicate.start and predicate.end <= m.start("what")) or not said.review:
            return False
        if any(r.numbers or r.count for r in said.refs if r.start < m.start("what")):
            return False  # "Among the seven recommendations ...": a count or numbers say more than this reads
        matcher = self.ex._matchers.get(said.review)
        number = matcher.standing_clear(m.group("what")) if matcher else None
        if number is None:
            return False
        self.emit(said.review, (number,), predicate, said.text, "content")
        resolved_any.append((said.review, (number,)))
        return True

    def _await_which(self, review_id: str, frame: Frame, quote: str) -> None:
        count = next((r.count for r in frame.refs if r.kind == "quantity" and r.count), 0)
        if 2 <= count <= 4 and self.out.unresolved:
            self.awaiting = (review_id, count, frame.predicate, quote, self.out.unresolved[-1])

    def _says_which(self, awaiting, sentence: str, visible: str) -> bool:
        """"The government accepted two recommendations. The two are A and B": each part restates a different
        one of the review's recommendations, as many as the count, or the count stays the analyst's."""
        review_id, count, predicate, quote, queued = awaiting
        lead = _NAMING_THEM.match(visible)
        matcher = self.ex._matchers.get(review_id)
        aside = _NAMING_ASIDE.match(visible)
        if aside and matcher and not lead:
            # "Both - standards and a database - have since been delivered": the aside says which; the rest of the
            # sentence is still read, about them
            numbers = _named_items(matcher, aside.group("what"), count)
            if len(numbers) == count:
                self.out.unresolved = [u for u in self.out.unresolved if u is not queued]
                self.emit(review_id, numbers, predicate, quote + " " + sentence, "enumeration")
                self.last = (review_id, numbers)
            return False
        if not (lead and matcher):
            return False
        numbers = _named_items(matcher, visible[lead.end():], count)
        if len(numbers) != count or not _each_stands_clear(matcher, visible[lead.end():], numbers):
            return False
        self.out.unresolved = [u for u in self.out.unresolved if u is not queued]
        self.emit(review_id, numbers, predicate, quote + " " + sentence, "enumeration")
        return True

    def list_ended(self) -> None:
        """"The department accepted in principle two of the recommendations. [...] It said it was prepared to:" and two
        items: when the list after the lead-in has exactly as many items as the count, each restating a different
        recommendation, they are the ones the count left unsaid."""
        lead = self.lead
        if not (lead and lead.awaited and lead.items):
            return
        review_id, count, predicate, quote, queued = lead.awaited
        lead.awaited = None
        numbers = tuple(n for n, _ in lead.items)
        if len(numbers) != count or None in numbers or len(set(numbers)) != count:
            return
        self.out.unresolved = [u for u in self.out.unresolved if u is not queued]
        listed = " ".join(t for _, t in lead.items)
        self.emit(review_id, tuple(sorted(numbers)), predicate, f"{quote} {lead.sentence} {listed}", "enumeration")

    def _counted_list(self, said: _Said, frame: Frame, review_id: str, resolved_any: list) -> bool:
        """"accepted two of the seven in principle: the standards (recommendation 1) and the database
        (recommendation 2)": the numbered items after the colon are the count's, if as many."""
        counts = [r.count for r in frame.refs if r.kind == "quantity" and r.count]
        colon = said.visible.find(":", frame.predicate.end)
        if len(counts) != 1 or colon < 0:
            return False
        numbers = tuple(dict.fromkeys(n for r in said.refs if r.explicit and r.start > colon
                                      for n in self._numbers(review_id, r)))
        if len(numbers) != counts[0]:
            return False
        predicate = qualify_for(said.visible, frame.predicate, frame.refs[0], frame.refs)
        self.emit(review_id, numbers, predicate, said.text, "enumeration")
        resolved_any.append((review_id, numbers))
        return True

    def _by_context(self, said: _Said, frame: Frame, label_target, resolved_any: list) -> bool:
        """A frame without references: the item's label, an antecedent, the section's recommendation,
        or (passive, state) a subject that restates one."""
        target = label_target or (resolved_any[-1] if frame.anaphoric and resolved_any else None) \
            or (self._earlier_in_sentence(said.visible, said.refs, frame.predicate, said.mentions)
                if frame.anaphoric else None) \
            or None
        described = None if target else self._described_subject(said.visible, frame.predicate)
        target = target or described or self._anaphor_target(frame, said.visible) or None
        basis = "label" if label_target else "content" if described else "anaphora"
        if target is None and self.section_target() and not said.refs:
            if _decided_thing(said.visible, frame.predicate):
                return False
            target = self._one_of_the_heading(self.section_target(), said.visible)
            basis = "heading"
        elif target is None and frame.predicate.direction != "after":
            target = self._subject_content(said.visible, frame.predicate, said.review)
            basis = "content"
        if not target:
            return False
        self.emit(target[0], target[1], self._as_done(frame.predicate, target, said.visible), said.text, basis,
                  proven=self.proven.get((target[0], tuple(target[1]))) if basis == "anaphora" else False)
        resolved_any.append(target)
        return True

    def _unidentified(self, said: _Said, preds: list[Predicate]) -> None:
        """A status and "recommendations" in one clause, but no telling which: the analyst's."""
        for lo, hi in clauses(said.visible):
            here = [p for p in preds if lo <= p.start < hi]
            if here and _REC_NOUN.search(said.visible[lo:hi]) and \
                    self._about_tracked(said.visible, said.mentions, said.review):
                self.unresolved(said.review, here[0], said.text, "a status about recommendations it does not identify")
                break

    def _note_review(self, mentions, visible: str = "") -> None:
        named = {rid for _, rid in mentions}
        if len(named) == 1:
            self.recent = named.pop()
        if named:
            self.other_named = False
        elif _BODY_WORD.search(visible) and (_OTHER_BODY.search(visible) or _OTHER_REPORT.search(visible)
                                             or _named_other_report(visible, self.ex.namer.surnames)):
            self.other_named = True

    # -- lists and tables -------------------------------------------------------------------------------
    def list_item(self, block: Block) -> None:
        text = block.text
        if self.lead and self.lead.count and self.lead.used >= self.lead.count:
            self.lead = None  # "puts two of them into effect:" has had its two
        context = (self.lead.review if self.lead else None) or self.review()
        review = self._item_review(block, context) or context
        label = self._recommendation_label(block, review)
        target = None
        if review and label is not None and (not self.ex.known.get(review) or label in self.ex.known[review]):
            target = (review, (label,))
        # the item's own label ("Recommendation 4 \u2013 work has not yet begun") is its target, not a reference
        explicit = [r for r in find_references(visible_text(text)) if r.explicit
                    and not (target and r.start <= 2 and r.numbers == target[1]
                             and re.match(r"\s*[\u2013\u2014:-]", text[r.end:]))]
        # a status heading qualifies the items directly under it, not those under a heading below it
        section_lead = self.sections[-1].lead if self.sections else []
        leading = self.lead is not None or bool(section_lead)
        own_axes: set[str] = set()
        if self.lead and self.lead.awaited:
            matcher = self.ex._matchers.get(self.lead.awaited[0])
            self.lead.items.append((matcher.the_one(visible_text(text)) if matcher else None, text))
        if self.lead and self.lead.irrealis:
            self.note_mentions(visible_text(text))  # a plan's item: its verbs are not news
        elif not (leading and not _finite_statement(text)):
            before = len(self.out.evidence)
            own = self.paragraph(text, target if not explicit else None, item=True)
            own_axes = {e.axis for e in self.out.evidence[before:]}
            if own and not leading:
                return
        leads = (self.lead.predicates if self.lead else []) or section_lead
        leads = [p for p in leads if p.axis not in own_axes]  # the item's own words win on their axis
        if leads:
            self._item_under_lead(text, review, target, explicit, leads)
        elif self.lead:
            self.lead.used += 1

    def _item_review(self, block: Block, context: str | None) -> str | None:
        """The one review an item's words name, as the owner of its printed number only when named in the label
        ("Kark recommendation 4:", "Recommendation 4 of the Kark review:") or when it is the review in context:
        "Recommendation 4 - a framework ... in fulfilment of the Kark review" says what the work answers to."""
        visible = visible_text(block.text)
        mentions = self.ex.namer.mentions(visible)
        named = _only(mentions)
        label = _ITEM_LABEL.match(block.text)
        if named is None or named == context or label is None or not _OWN_REC_LABEL.match(block.text):
            return named
        if any(pos < label.end() for pos, _ in mentions) or named in self._owners_after(label.end(), visible, mentions):
            return named
        return None

    def _recommendation_label(self, block: Block, review: str | None) -> int | None:
        """An item's printed number names a recommendation only when it says so ("Recommendation 4:"), the
        list is introduced as recommendations or sits under a status heading, or its words restate that one: an
        article numbers its own points."""
        label = _item_number(block)
        if label is None or _OWN_REC_LABEL.match(block.text) or _REC_NOUN.search(self.intro):
            return label
        matcher = self.ex._matchers.get(review) if review else None
        best = matcher.match(block.text, loose=True) if matcher else []
        if best:
            return label if best[0][0] == label else None
        # "To be implemented in full" over "1) ...": under a status heading a number is a recommendation's, unless
        # the item's words restate another one
        return label if self.sections and self.sections[-1].lead else None

    def _item_under_lead(self, text: str, review: str | None, target, explicit: list[Reference],
                         leads: list[Predicate]) -> None:
        """The lead-in's (or the status heading's) statuses for the recommendation this item names."""
        if explicit and review:
            numbers = tuple(n for r in explicit for n in self._numbers(review, r))
            target = (review, numbers) if numbers else None
        if target is None and review:
            matcher = self.ex._matchers.get(review)
            best = matcher.match(text, loose=True) if matcher else []
            if best:
                target = (review, (best[0][0],))
        quote = self.lead.sentence + " " + text if self.lead else text
        if target:
            for p in _one_per_axis(leads):
                self.emit(target[0], target[1], p, quote, "enumeration" if self.lead else "heading")
            if self.lead:
                self.lead.used += 1
        elif review and self.lead:
            self.unresolved(review, leads[0], quote, "a list item that matches no recommendation by label or content")
            self.unplaced[review] = self.unplaced.get(review, 0) + 1
            self.lead.used += 1

    def table_row(self, block: Block) -> None:
        """A row: the header (no label, no status), or a recommendation by label or content whose cells
        carry its statuses; a row that is neither is read as a paragraph."""
        cells = [c.strip() for c in block.text.split(" | ")]
        if self._is_header(cells):
            self.header = cells
            return
        target = self._row_target(cells)
        if target is None:
            self.paragraph(block.text)
            return
        # where the header names a status column, the narrative beside it ("What has happened") is its detail
        status_columns = {i for i, h in enumerate(self.header) if _STATUS_COLUMN.search(h)}
        said: list[tuple[Predicate, bool]] = []  # each cell's statuses, and whether the cell leads with its status
        for i, cell in enumerate(cells):
            if _TABLE_LABEL.match(cell) or _LEADING_LABEL.match(cell) or not has_status_hint(cell):
                continue
            visible = visible_text(cell)
            lead = _cell_lead_status(visible) or _cell_status(visible)
            # a cell that leads with a status word is a status cell whatever its header calls it ("Where things stand")
            if status_columns and i not in status_columns and not lead:
                continue
            preds = _lead_or_detail(lead, find_predicates(visible))
            column = self.header[i] if i < len(self.header) else ""
            said += [(p, bool(lead)) for p in _one_per_axis(preds) if not _response_column_done(p, column, cell)]
        # "Not accepted | The quarterly survey is already in place": beside a refusal, a narrative cell says what is
        # done instead, not that the recommendation was carried out
        refused = any(p.axis == "response" and p.status == "rejected" for p, _ in said)
        for p, led in said:
            if not (refused and p.axis == "implementation" and not led):
                self.emit(target[0], target[1], p, block.text, "table")

    def _leading_label(self, i: int, cell: str) -> re.Match | None:
        """"1. Standards of competence for all directors" under a "Recommendation" header: the number leads
        the recommendation's own description."""
        column = self.header[i] if i < len(self.header) else ""
        if not (_REC_NOUN.search(column) or (not self.header and i == 0)):
            return None
        return _LEADING_LABEL.match(cell)

    def _numbers_column(self, i: int, cell: str) -> bool:
        """A bare number is a recommendation's only in a column that holds them: its header says so
        ("No.", "Recommendation"), or, with no header, the first column; "Recommendations made: 16" is a count."""
        if _REC_NOUN.search(cell):
            return True
        if not self.header:
            return i == 0
        column = self.header[i] if i < len(self.header) else ""
        if not _NUMBERS_HEADER.match(column):
            return False
        # "Item | Minute | Action": an agenda's items are numbered too; the table must be about recommendations or
        # their standing
        return bool(_REC_NOUN.search(column)) or any(_REC_NOUN.search(h) or _STATUS_COLUMN.search(h)
                                                     for h in self.header)

    def _is_header(self, cells: list[str]) -> bool:
        if self.header or any(_TABLE_LABEL.match(c) for c in cells[:1]):
            return False
        return not any(find_predicates(visible_text(c)) for c in cells[1:] if len(c) < 40)

    def _row_target(self, cells: list[str]) -> tuple[str, tuple[int, ...]] | None:
        """The recommendation a row stands for: a label in its first two cells, else their content; of the review a
        short cell before it names ("Kark (2019) | 2 | ..."), else of the review in context."""
        review = self._row_review(cells) or self.review()
        for i, cell in enumerate(cells[:2]):
            m = (_TABLE_LABEL.match(cell) if self._numbers_column(i, cell) else None) or self._leading_label(i, cell)
            if m and review:
                n = int(m.group(1))
                if not self.ex.known.get(review) or n in self.ex.known[review]:
                    return (review, (n,))
        if review and self.ex._matchers.get(review):
            for cell in cells[:2]:
                # a row's first cells name its recommendation in a few words, as a list item does
                best = self.ex._matchers[review].match(cell, loose=len(cell.split()) <= 12)
                if len(best) == 1 or (best and len(cell.split()) > 12):
                    return (review, (best[0][0],))
        return None

    def _row_review(self, cells: list[str]) -> str | None:
        """A table of several reviews names each row's in a cell of its own, by name or by its author alone."""
        for cell in cells[:2]:
            if _TABLE_LABEL.match(cell) or len(cell.split()) > 6:
                continue
            named = self.ex.namer.only(cell)
            authors = self.ex.namer.by_author(cell)
            if named or len(authors) == 1:
                return named or next(iter(authors))
        return None

    # -- helpers -----------------------------------------------------------------------------------------
    def _elsewhere(self, visible: str, refs: list[Reference], mentions, only: str | None) -> bool:
        """A sentence about another report: it names one ("the 2024 review of ...", "the committee's
        report"), says "its recommendation 4" just after one was named, or numbers a recommendation the
        review in context does not have."""
        if not mentions and _OTHER_REPORT.search(visible):
            return True
        owned = _CONTENT_REF.search(visible)
        if not mentions and owned and self._someone_elses(owned.group(0)):
            return True  # "Robert Francis's 2013 recommendation that ... was implemented": another person's
        if not mentions and self.other_named and _ITS_NUMBERED.search(visible):
            return True
        known = self.ex.known.get(only or self.review() or "", set())
        if known and not mentions:
            for ref in refs:
                if ref.explicit and any(n not in known for n in ref.numbers):
                    return True
        return False

    def _third_party(self, visible: str, preds: list[Predicate]) -> bool:
        """"X, chief executive of Y, said the plans had stalled": someone else's words, reported ("what an
        employer is told" is no report)."""
        m = next((m for m in lx.REPORTING_VERBS.finditer(visible)
                  if not _PASSIVE_BEFORE.search(visible[max(0, m.start() - 12):m.start()])), None)
        if not m:
            return False
        if m.group(0).lower().startswith("according"):
            # "..., according to the interim people plan": the source is what follows
            source = visible[m.end():m.end() + 60]
            if lx.OFFICIAL_ACTORS.search(source) or _SELF_OR_DOCUMENT.search(source):
                return False
            return bool(_THIRD_PARTY.search(source) or _FULL_NAME.search(source))
        start = max(0, m.start() - 90)
        start = visible.find(" ", start) + 1 if start and visible[start - 1].isalnum() else start  # whole words
        window = visible[start:m.start()] + " " + visible[m.end():m.end() + 50]
        if lx.OFFICIAL_ACTORS.search(window) or _WE.search(visible[max(0, m.start() - 30):m.start()]):
            return False
        if re.search(r"\band\s+$", visible[:m.start()]) and lx.OFFICIAL_ACTORS.match(visible.lstrip()):
            return False  # "Ministers have accepted ..., and said they would ...": the sentence's own subject speaks
        speaker = visible[max(0, m.start() - 60):m.start()]
        if any(re.search(rf"\b{re.escape(name)}\b", speaker) for name in self.officials):
            self.official_voice = True  # "Javid said he would ...", after "Sajid Javid, the health secretary"
            return False
        if _THIRD_PARTY.search(window) or _FULL_NAME.search(visible[max(0, m.start() - 60):m.start()]):
            return True
        return not _SELF_OR_DOCUMENT.search(window)

    @staticmethod
    def _owners_after(end: int, visible: str, mentions) -> list[str]:
        """The reviews named as the owner just after a reference ("recommendation 4 of the Kark review", "the
        recommendations set out in Empowering leaders to lead by Sir Ron Kerr and the review ... by Tom Kark"): the
        first within a short reach of the joining word, then those the clause adds with "and"."""
        joint = _OWNER_AFTER.match(visible[end:])
        if not joint:
            return []
        start = end + joint.end()
        stop = re.search(r"[.;:()]", visible[start:])
        clause_end = start + stop.start() if stop else len(visible)
        after = [(pos, rid) for pos, rid in mentions if start <= pos < clause_end]
        if not after or after[0][0] > start + 60:
            return []
        owners, last = [after[0][1]], after[0][0]
        for pos, rid in after[1:]:
            # "... by Kerr and the review by Kark": joined by "and", close, and not the owner of something else
            # ("and the Messenger review's findings")
            if not re.search(r"\band\b", visible[last:pos]) or pos - last > 80 or \
                    re.match(r"[^,;]*?['\u2019]s\s+(?!recommendations?\b)\w", visible[pos:pos + 60]):
                break
            if rid not in owners:
                owners.append(rid)
            last = pos
        return owners

    def _reviews_for(self, ref: Reference, visible: str, mentions) -> list[str | None]:
        """As _review_for; "the recommendations set out in A and B" belong to every review the clause joins
        (never a numbered reference: "recommendation 4 of A and B's report" is one review's)."""
        review, _ = self._review_for(ref, visible, mentions)
        if review is None or ref.kind != "all" or ref.numbers:
            return [review]
        return [review] + [rid for rid in self._owners_after(ref.end, visible, mentions) if rid != review]

    def _review_for(self, ref: Reference, visible: str, mentions) -> tuple[str | None, str]:
        if mentions:
            inside = [rid for pos, rid in mentions if ref.start < pos < ref.end]
            if inside:  # "two of the Rose review's recommendations": the review named within the reference
                return inside[0], "sentence"
            before = [rid for pos, rid in mentions if pos <= ref.start]
            if before:
                return before[-1], "sentence"
            # a review named after the reference owns it only as "recommendation 4 of the Kark review";
            # "overtaken by the Messenger review" names something else
            owners = self._owners_after(ref.end, visible, mentions)
            if owners:
                return owners[0], "sentence"
            if self.review():
                return self.review(), "section" if any(s.review for s in self.sections) else "document"
            # "Recommendation 4 ... will be delivered in fulfilment of the Kark review": with no review in context,
            # a review named later in the sentence is what the work answers to, not whose recommendation 4 it is
            return None, ""
        m = _UNTRACKED_OWNER.match(visible[ref.end:])
        if m and m.group("name").split()[0] not in _GENERIC_OWNER:
            return None, ""  # "recommendation 2 of the Health Select Committee report"
        if re.match(r"^\s*(?:of|from|in)\s+(?:an?|another|other|a\s+separate)\b", visible[ref.end:], re.I):
            return None, ""
        review = self.review()
        return review, ("section" if self.sections and any(s.review for s in self.sections) else "document")

    def _antecedent(self, review_id: str, ref: Reference, visible: str, earlier) -> tuple[int, ...]:
        """What "it", "they", "both" point back to: the last target named, else the section heading's set."""
        if earlier and earlier[-1][0] == review_id:
            return earlier[-1][1]
        if self.last and self.last[0] == review_id:
            return self.last[1]
        heading = self.section_target()
        if ref.kind == "anaphor_all" and heading and heading[0] == review_id and len(heading[1]) >= 2 and \
                not (visible[ref.start:ref.end].lower().startswith("both") and len(heading[1]) != 2):
            return heading[1]  # "Both recommendations have been superseded" under "Recommendations 13 and 14"
        return ()

    def _resolve(self, review_id: str, ref: Reference, visible: str, earlier=()):
        known = self.ex.known.get(review_id, set())
        if ref.excepted:
            ref = self._left_out_by_content(review_id, ref, visible)
            if ref.excepted:
                return Resolution((), "leaves out something it does not say which recommendation is")
        if ref.kind == "anaphor_all" and known and self._counted_before(visible[:ref.start], review_id, known):
            # "made seven ..., all of which"
            return Resolution(tuple(sorted(known - set(ref.excluded))), basis="universal")
        antecedent = self._antecedent(review_id, ref, visible, earlier)
        if ref.kind in ("rest", "quantity") and ref.count:
            described = self._appositive(review_id, visible[ref.end:], ref.count)
            if described:
                return Resolution(described, basis="enumeration")
        local = {n for rid, numbers in self.nearby for n in numbers if rid == review_id}
        if earlier:
            local |= {n for rid, numbers in earlier if rid == review_id for n in numbers}
        if ref.kind == "rest":
            rest = self._rest(review_id, ref, known, local, antecedent)
            if rest is not None:
                return rest
        return resolve(ref, known, self.mentioned.get(review_id, set()), antecedent)

    def _rest(self, review_id: str, ref: Reference, known: set[int], local: set[int], antecedent) -> Resolution | None:
        """"The rest": set against what the document has named, else what was just said, else the section's."""
        if self.unplaced.get(review_id):
            return Resolution((), f"'the rest' after {self.unplaced[review_id]} item(s) that match no recommendation: "
                                  "which remain is not known")
        named = self.mentioned.get(review_id, set()) | local
        if known - named:  # the ones not yet named anywhere in the document
            return resolve(ref, known, named, antecedent)
        if local:  # all were named somewhere: "the rest" is set against what was just said
            return resolve(ref, known, local, antecedent)
        if self.section_mentioned.get(review_id):
            section = resolve(ref, known, self.section_mentioned[review_id], antecedent)
            if section.numbers and ref.count and ref.count == len(section.numbers):
                return section
        return None

    def _left_out_by_content(self, review_id: str, ref: Reference, visible: str) -> Reference:
        """"Apart from the faculty of coaches and mentors, every commitment": the one it restates, if it stands
        clear of the others."""
        matcher = self.ex._matchers.get(review_id)
        left_out = matcher.standing_clear(visible[slice(*ref.excepted)]) if matcher else None
        return replace(ref, excluded=(left_out,), excepted=None) if left_out is not None else ref

    def _earlier_in_sentence(self, visible: str, refs: list[Reference], p: Predicate, mentions):
        """"does not reject recommendation 17, but accepts it only in principle": "it" is recommendation 17."""
        for ref in reversed([r for r in refs if r.end <= p.start and r.explicit]):
            review_id, _ = self._review_for(ref, visible, mentions)
            if review_id:
                res = self._resolve(review_id, ref, visible)
                if res.numbers:
                    return (review_id, res.numbers)
        return None

    def _described_subject(self, visible: str, p: Predicate):
        """"The leadership code that the plan also promised was replaced by that compact": a subject described as what
        the review asked for is the target, before any pronoun's antecedent."""
        if p.direction == "after" or not _RECOMMENDED_REL.search(visible, 0, p.start):
            return None
        lo = next((a for a, b in clauses(visible) if a <= p.start < b), 0)
        return self._described_in(visible[lo:p.start])

    def _subject_content(self, visible: str, p: Predicate, review: str | None):
        """"The single appraisal system for managers, linked to the core values, is still being
        developed": a subject that restates one recommendation names it."""
        matcher = self.ex._matchers.get(review) if review else None
        if matcher is None:
            return None
        lo = next((a for a, b in clauses(visible) if a <= p.start < b), 0)
        subject = visible[lo:p.start]
        if len(subject.split()) < 3:
            return None
        described = self._described_in(subject)  # "the central database that the review called for is in place"
        if described:
            return described
        best = matcher.match(subject)
        return (review, (best[0][0],)) if len(best) == 1 else None

    def _appositive(self, review_id: str, after: str, count: int) -> tuple[int, ...]:
        """"the remaining proposal, a national network of practitioners, ...", "the remaining four \u2013 A,
        B, C and D \u2013 are yet to begin": the description says which; it must name as many as the count."""
        matcher = self.ex._matchers.get(review_id)
        if matcher is None:
            return ()
        after = re.sub(r"^\s+in\s+this\s+\w+", "", after)
        # "the two recommendations that ministers accepted in 2019 - A, and B - were paused": past a short relative
        after = re.sub(r"^\s+(?:that|which)\s+[^\u2013\u2014().;:]{0,90}?(?=\s+[\u2013\u2014(])", "", after)
        candidates = []
        m = _DASHED_APPOSITIVE.match(after) or _BRACKETED_APPOSITIVE.match(after)
        if m:
            candidates.append(m.group(1))
        if after.lstrip().startswith(","):
            body = after.lstrip()[1:]
            candidates += [body[:i] for i in [x.start() for x in re.finditer(r",\s", body)] + [len(body)] if i >= 8][:6]
        for text in candidates:
            # "on A and B and on C": split where a new item starts ("and on") before every "and"
            for splitter in (_APPOSITIVE_ITEMS, _APPOSITIVE_PARTS):
                parts = [text] if count == 1 else [x for x in splitter.split(text) if x.strip()]
                found = _named_by_parts(matcher, parts) if len(parts) == count else ()
                if len(found) == count:
                    return found
        return ()

    def _numbers(self, review_id: str, ref: Reference) -> tuple[int, ...]:
        return resolve(ref, self.ex.known.get(review_id, set()), set()).numbers if ref.explicit else ()

    def _anaphor_target(self, frame: Frame, visible: str = ""):
        """What "it" or "these recommendations" points back to: the last target in this paragraph, else, for a
        plural naming recommendations, the one set the paragraph before resolved."""
        if not frame.anaphoric:
            return None
        if self.last:
            return self.last
        earlier = self._described_in(visible[:frame.predicate.start])
        if earlier:
            return earlier  # "Kark recommended a way to bar directors; there is still no sign of it"
        if self.described_before and not self.block_targets and _SINGULAR_ANAPHOR.search(visible):
            # "The review recommended X." / "We have partly implemented this recommendation."
            return self.described_before
        known = self.ex.known.get(self.counted or "", set())
        if known and _THEM.search(visible):
            # "The review makes six recommendations. The department will consider them": its own count, all of it
            whole = (self.counted, tuple(sorted(known)))
            self.proven[whole] = True
            return whole
        earlier = {(rid, numbers) for rid, numbers in self.before_targets if len(numbers) > 1}
        if len(earlier) == 1 and _PLURAL_ANAPHOR.search(visible):
            return earlier.pop()
        return None

    def _described_in(self, visible: str) -> tuple[str, tuple[int, ...]] | None:
        """"The review recommended that X", "Kark recommended a mechanism to ...": the one recommendation of the review
        the subject names (or the review in context, for "the review") whose text X restates with none other close."""
        for m in _RECOMMENDED_REL.finditer(visible):
            review = self._review_named(m.group("who"))
            matcher = self.ex._matchers.get(review) if review else None
            number = matcher.the_one(m.group("what")) if matcher else None
            if number is not None:
                return (review, (number,))
        for m in _RECOMMENDED.finditer(visible):
            subject = visible[:m.start()]
            review = self._review_named(subject[max(subject.rfind(","), subject.rfind(";"), subject.rfind(":")) + 1:])
            matcher = self.ex._matchers.get(review) if review else None
            number = matcher.standing_clear(m.group("what")) if matcher else None
            if number is not None:
                return (review, (number,))
        return None

    def _question_target(self, text: str) -> tuple[str, tuple[int, ...]] | None:
        visible = visible_text(text)
        review = self.ex.namer.only(visible) or self.review()
        matcher = self.ex._matchers.get(review) if review else None
        number = matcher.the_one(visible) if matcher else None
        return (review, (number,)) if number is not None else None

    def _review_named(self, who: str) -> str | None:
        """The review a short phrase names ("the Kark review", "Lord Rose", "the Long Term Plan"), or "the review"
        meaning the one in context."""
        named = {rid for _, rid in self.ex.namer.mentions(who)} | self.ex.namer.by_author(who)
        if len(named) == 1:
            return named.pop()
        return self.review() if not named and _THE_REVIEW.search(who.rstrip()) else None

    def _note_described(self, visible: str) -> None:
        if _RECOMMENDED.search(visible) or _RECOMMENDED_REL.search(visible):
            described = self._described_in(visible)
            if described:
                self.described = self.last = described

    def _about_tracked(self, visible: str, mentions, review_id: str | None) -> bool:
        return bool(review_id) and (bool(mentions) or self.review() == review_id)

    def _counted_before(self, text: str, review_id: str, known: set[int]) -> bool:
        """The review's own count just before ("made seven recommendations, all of which"; "The review made
        19 recommendations. Ministers accepted all of them."): "all of them" is bound to the whole review."""
        counts = [r.count for r in find_references(text) if r.kind in ("quantity", "all", "all_bare")]
        if counts:
            return counts[-1] == len(known)
        return self.counted == review_id

    def _update_antecedent(self, visible: str, refs: list[Reference] | None = None) -> None:
        refs = refs if refs is not None else find_references(visible)
        review = self.ex.namer.only(visible) or self.review()
        if not review:
            return
        known = self.ex.known.get(review, set())
        counts = [r for r in refs if r.kind == "quantity" and r.count]
        self.counted = review if counts and known and counts[-1].count == len(known) else None
        for ref in reversed(refs):
            res = self._resolve(review, ref, visible)
            if res.numbers:
                self.last = (review, res.numbers)
                return

    def note_mentions(self, visible: str, refs: list[Reference] | None = None) -> None:
        if refs is None:
            refs = find_references(visible) if re.search(lx.REC_NOUNS, visible, re.I) else []
        review = self.ex.namer.only(visible) or self.review()
        if not review:
            return
        for ref in refs:
            if ref.explicit:
                self.mentioned.setdefault(review, set()).update(self._numbers(review, ref))
                self.section_mentioned.setdefault(review, set()).update(self._numbers(review, ref))

    def _by_content(self, sentence, visible, preds, refs, mentions, review, loose: bool = False) -> bool:
        """No numbered target: an enumeration after a colon, or the sentence itself, matched by content."""
        if not review or any(r.kind in ("numbers", "all", "rest", "anaphor_all") for r in refs):
            return False
        matcher = self.ex._matchers.get(review)
        if matcher is None:
            return False
        listed = self._by_enumeration(sentence, visible, preds, refs, review, matcher)
        if listed is not None:
            return listed
        if self._by_content_reference(sentence, visible, preds, review, matcher):
            return True
        if any(r.kind == "quantity" for r in refs):
            return False
        return self._by_clause_content(sentence, visible, preds, review, matcher, loose)

    def _by_enumeration(self, sentence, visible, preds, refs, review, matcher) -> bool | None:
        """"The department accepted three: A, B and C": the items after a colon, matched one by one; the
        count, if any, must agree. None when there is no such list to decide by."""
        sep = _LIST_AFTER.search(visible)  # "accepted two recommendations: A and B", "... two - to do A and to do B"
        colon = sep.start() if sep else -1
        if not (colon > 0 and any(p.end <= colon for p in preds) and len(visible[sep.end():].split()) >= 2):
            return None
        quantity = next((r.count for r in refs if r.kind == "quantity"), None)
        tail = re.split(r"\s[\u2013\u2014-]\s", visible[sep.end():])[0]
        numbers = _named_items(matcher, tail, quantity)
        if numbers and (quantity is None or quantity == len(numbers)):
            for p in _one_per_axis([p for p in preds if p.end <= colon]):
                self.emit(review, numbers, p, sentence, "enumeration")
            return True
        if quantity:
            self.unresolved(review, preds[0], sentence,
                            f"names {quantity} but the list after it matches {len(numbers)}")
            return False
        return None

    def _by_content_reference(self, sentence, visible, preds, review, matcher) -> bool:
        """"the review's recommendation that ... has been accepted": the words after it name one; "the
        recommendations to A and to B": each part must name a different one."""
        many = _CONTENT_REFS.search(visible)
        if many:
            return self._by_content_references(sentence, visible, preds, review, matcher, many)
        m = _CONTENT_REF.search(visible)
        if not m or self._someone_elses(m.group(0)):
            return False
        lo, hi = next(((a, b) for a, b in clauses(visible) if a <= m.start() < b), (0, len(visible)))
        here = [p for p in preds if lo <= p.start < hi]
        best = matcher.match(visible[m.end():hi], loose=True)
        if not (best and here):
            return False
        for p in _one_per_axis(here):
            self.emit(review, (best[0][0],), p, sentence, "content")
        return True

    def _someone_elses(self, reference: str) -> bool:
        """"Robert Francis's 2013 recommendation that ...": a possessive name that is no tracked review or author."""
        owner = re.match(r"^((?:[A-Z][\w-]+\s+){0,2}[A-Z][\w-]+)['\u2019]s\b", reference)
        return bool(owner) and not self.ex.namer.mentions(owner.group(0)) and \
            not self.ex.namer.by_author(owner.group(1)) and owner.group(1).split()[0] not in _GENERIC_OWNER

    def _by_content_references(self, sentence, visible, preds, review, matcher, m: re.Match) -> bool:
        lo, hi = next(((a, b) for a, b in clauses(visible) if a <= m.start() < b), (0, len(visible)))
        here = [p for p in preds if lo <= p.start < hi and p.end <= m.start()]
        parts = [x for x in _CONTENT_REFS_PARTS.split(visible[m.end():hi]) if len(x.split()) >= 2]
        numbers = _named_by_parts(matcher, parts)
        if not (here and len(parts) >= 2):
            return False
        if len(numbers) != len(parts):  # the sentence names a group: no one of them stands for the whole sentence
            self.unresolved(review, here[0], sentence, f"names {len(parts)} recommendations by what they ask, "
                                                       f"of which {len(numbers)} could be told apart")
            return True
        for p in _one_per_axis(here):
            self.emit(review, numbers, p, sentence, "enumeration")
        return True

    def _by_clause_content(self, sentence, visible, preds, review, matcher, loose: bool) -> bool:
        """The words of the predicate's own clause describe its target."""
        found = False
        for lo, hi in clauses(visible):
            here = [p for p in preds if lo <= p.start < hi]
            if not here:
                continue
            for number in _restated(matcher, visible[lo:hi], loose):
                for p in _one_per_axis(here):
                    self.emit(review, (number,), self._as_done(p, (review, (number,)), visible), sentence, "content")
                    found = True
        return found

    def _as_done(self, p: Predicate, target, visible: str = "") -> Predicate:
        """"The national bodies agreed a shared vision" under the recommendation that they "should agree"
        one: when the verb is the very action the recommendation asks for, and it is past, it was done."""
        if p.axis != "response" or p.status != "accepted" or not p.lemma or len(target[1]) != 1:
            return p
        text = self.ex.texts.get(target[0], {}).get(target[1][0], "").lower()
        head = p.lemma.split()[0]
        done = p.text.lower().endswith("ed") or re.search(r"\b(?:has|have|had|was|were)\b", p.text.lower())
        # a recommendation asks ("should agree"), a commitment promises ("we will agree")
        if done and re.search(rf"\b(?:should|will)\s+(?:\w+\s+)?{head}\b", text):
            # "have agreed a draft vision": the work has begun, it is not done
            status = "in_progress" if _UNFINISHED_OBJECT.match(visible[p.end:]) else "implemented"
            return Predicate(p.start, p.end, p.text, "implementation", status, p.direction, p.lemma)
        return p

    def _describes(self, review_id: str, number: int, p: Predicate, quote: str) -> bool:
        """"Consistent management standards delivered through accredited training": the verb is part of
        the recommendation's own title or text, quoted to name it, not news about it."""
        own = self.ex.texts.get(review_id, {}).get(number, "").lower()
        text = " " + " ".join(re.findall(r"[a-z\u2019']+", own)) + " "
        if not text.strip():
            return False
        words = re.findall(r"[a-z\u2019']+", quote.lower())
        # the predicate's last word but a preposition ("no sign of": "sign", not "of")
        verb = [w for w in re.findall(r"[a-z\u2019']+", p.text.lower()) if w not in _PREPOSITIONS][-1:] or [""]
        for i, w in enumerate(words):
            if w == verb[0]:
                for a in range(max(0, i - 3), i + 1):
                    window = words[a:a + 4]
                    if len(window) == 4 and i < a + 4 and " " + " ".join(window) + " " in text:
                        return True
        return False

    def emit(self, review_id: str, numbers, p: Predicate, quote: str, basis: str, proven: bool = False) -> None:
        """Publish a statement on these recommendations, or queue it for an analyst when its basis is too
        weak (below the confidence threshold, or many recommendations with no proof of which). `proven`: an
        anaphor whose antecedent was named on a basis that is its own proof ("all seven ... they")."""
        everything = len(numbers) > 1 and set(numbers) == self.ex.known.get(review_id)
        if len(numbers) == 1 and self._describes(review_id, numbers[0], p, quote):
            return
        if not everything:  # "all of them" names none in particular (and leaves no "rest")
            self.mentioned.setdefault(review_id, set()).update(numbers)
            self.section_mentioned.setdefault(review_id, set()).update(numbers)
            self.this_block.append((review_id, tuple(numbers)))
        self.proven[(review_id, tuple(numbers))] = BASES[basis].proof or proven
        self.block_targets.append((review_id, tuple(numbers)))
        why = _too_weak(numbers, basis, self.ex.min_confidence, proven)
        if why:
            self.unresolved(review_id, p, quote, why)
            return
        # within one sentence a later statement on the same axis is the current one
        # ("took it forward, but it is on hold")
        self.out.evidence = [e for e in self.out.evidence if not (
            e.quote == quote and e.review_id == review_id and e.number in numbers and e.axis == p.axis)]
        speaker = self.speaker
        if speaker == "independent" and (p.official_subject or self.official_voice) and p.axis == "response":
            speaker = "reported_official"
        for n in numbers:
            self.out.evidence.append(Evidence(
                review_id=review_id, number=n, axis=p.axis, status=p.status, quote=quote, source_url=self.pub.url,
                published_on=self.pub.published_on, method="rule", confidence=BASES[basis].confidence,
                speaker=speaker, basis=basis,
            ))

    def unresolved(self, review_id: str, p: Predicate, quote: str, why: str) -> None:
        self.out.unresolved.append(Unresolved(
            review_id=review_id, quote=quote, source_url=self.pub.url, published_on=self.pub.published_on,
            predicate=p.text.strip(), axis=p.axis, status=p.status, why=why, speaker=self.speaker,
        ))


_PREPOSITIONS = {"of", "on", "to", "for", "in", "with", "by", "at", "from", "into", "about"}
_HEADING_FILLER = {"recommendation", "recommendations", "proposals", "proposal", "the", "that", "which", "have", "has",
                   "been", "were", "was", "are", "is", "we", "what", "and", "so", "far", "now", "already", "to", "be",
                   "government", "department", "in", "full", "part", "principle", "fully", "partly", "of", "review",
                   "not", "yet", "those", "these", "commitments", "where", "things", "stand", "progress", "by", "on",
                   "for", "with", "at", "since", "as", "its", "their", "our", "later", "a", "an", "this", "it", "them"}


_TITLE = (r"(?i:(?:the\s+)?(?:then\s+)?(?:health\s+(?:and\s+social\s+care\s+)?secretary|secretary\s+of\s+state"
          r"(?:\s+for\s+health(?:\s+and\s+social\s+care)?)?|health\s+minister|minister\s+(?:of\s+state\s+)?for\s+"
          r"[\w ]{3,40}?|chief\s+executive\s+of\s+nhs\s+england))")
_NAME = r"([A-Z][a-z]+(?:\s+[A-Z][a-z'\u2019-]+){0,2})"
_NAMED_OFFICIAL = re.compile(rf"\b{_NAME}\s*,\s*{_TITLE}\b|\b{_TITLE}\s*,?\s+{_NAME}\b")


def _officials(text: str) -> set[str]:
    """Surnames of the people a page names with an official title, either way round."""
    names = set()
    for m in _NAMED_OFFICIAL.finditer(text):
        name = m.group(1) or m.group(2)
        if name:
            names.add(name.split()[-1])
    return names - _GENERIC_OWNER


_GENERIC_ALL = re.compile(r"^\W*(?:all\s+(?:of\s+)?)?(?:the|its|their|his|her)\s+"
                          r"(?:recommendations|proposals|commitments)\W*$", re.I)
_NAMED_REPORT = re.compile(r"\b[A-Z][\w\u2019'-]+(?:\s+[A-Z][\w\u2019'-]+)*(?=\s+(?:inquiry|report|investigation)\b)")


def _named_other_report(visible: str, surnames: frozenset[str] = frozenset()) -> bool:
    """"The Francis inquiry made 290 recommendations": a report named by a proper name the registry does not
    track (the caller has found no tracked review in the sentence; "the new Messenger report" is a tracked one)."""
    for m in _NAMED_REPORT.finditer(visible):
        words = set(m.group(0).split())
        if not words & surnames and words - _GENERIC_OWNER - _SENTENCE_OPENERS:
            return True
    return False


_SENTENCE_OPENERS = {"A", "An", "In", "On", "At", "As", "For", "From", "After", "Before", "Since", "When", "While",
                     "Under", "With", "Without", "Following", "Last", "Next", "Each", "Every", "Another", "One",
                     "NHS", "Independent", "Government", "National", "Annual", "Progress", "Final", "Interim"}


_LIST_AFTER = re.compile(r":|\s[\u2013\u2014-]\s")
# "The two are A and B", "These relate to A and B": the sentence after a count says which
_NAMING_THEM = re.compile(r"^\W*(?:these|they|both|the\s+(?:two|three|four|[234])(?:\s+[a-z]+)?)\s+(?:are|were|"
                          r"relate\s+to|related\s+to|concerns?|concerned|covers?|covered|include[sd]?)\b", re.I)


_NAMING_ASIDE = re.compile(r"^\W*(?:both|these|the\s+(?:two|three|four))\s*(?:[\u2013\u2014(]|\s-\s|,)\s*"
                           r"(?P<what>[^\u2013\u2014()]{8,200}?)\s*(?:[\u2013\u2014)]|\s-\s|,)", re.I)
_AT_COMMAS = re.compile(r";|,\s*(?:and\s+)?")
_AT_COMMAS_AND_AND = re.compile(r";|,\s*(?:and\s+)?|\s+and\s+")


def _parts(tail: str, at: re.Pattern) -> list[str]:
    """A list's items (two words or more), split where `at` says."""
    return [i for i in at.split(tail) if len(i.split()) >= 2]


def _each_stands_clear(matcher: ParaphraseMatcher, tail: str, numbers: tuple[int, ...]) -> bool:
    """A sentence apart from its count names them only if each part names one (by the loose match's tie-breaks)."""
    return set(numbers) <= {matcher.the_one(part) for part in _parts(tail, _AT_COMMAS_AND_AND)}


def _named_items(matcher: ParaphraseMatcher, tail: str, quantity: int | None) -> tuple[int, ...]:
    """The recommendations a list restates, "three of them: A, a record of X and Y, and C": split at commas first
    when that gives the count, else at "and" too. With a count, both splits that give it must agree on which,
    or none is taken ("A and a database holding X, Y and Z" splits two ways)."""
    by_commas, by_all = _parts(tail, _AT_COMMAS), _parts(tail, _AT_COMMAS_AND_AND)
    if quantity is None:
        return _named_by_parts(matcher, by_all)
    found = {named for named in (_named_by_parts(matcher, by_commas), _named_by_parts(matcher, by_all))
             if len(named) == quantity}
    return found.pop() if len(found) == 1 else ()


def _named_by_parts(matcher: ParaphraseMatcher, parts: list[str]) -> tuple[int, ...]:
    """The recommendations the parts of a list restate, each matched loosely on its own, in order, once each."""
    numbers: dict[int, None] = {}
    for part in parts:
        best = matcher.match(part, loose=True)
        if best:
            numbers.setdefault(best[0][0], None)
    return tuple(numbers)


def _same_clause(text: str, ref: Reference, p: Predicate) -> bool:
    return any(lo <= ref.start < hi and lo <= p.start < hi for lo, hi in clauses(text))


def _part_after_partial(before: Evidence | None, after: Evidence) -> bool:
    """"We have partly implemented this recommendation. We have not yet begun publishing the results": once a page
    says a recommendation is partly done, what it then says of a part (found by its words alone) is the detail."""
    return before is not None and before.status.startswith("partially_") and after.basis == "content" \
        and before.basis != "content" and after.status != before.status


def _too_weak(numbers, basis: str, threshold: float, proven: bool = False) -> str:
    """Why a statement on these recommendations, found this way, is an analyst's and not published ("" if not)."""
    b = BASES[basis]
    listed = ", ".join(str(n) for n in numbers)
    if len(numbers) > MAX_WITHOUT_PROOF and not (b.proof or proven):
        return (f"one status for {len(numbers)} recommendations ({listed}) with no enumeration or universal "
                f"quantifier to show which (found by {basis})")
    if b.confidence < threshold:
        return (f"below the confidence threshold ({b.confidence:.2f} < {threshold:.2f}, found by {basis}): "
                f"would be recommendation {listed}")
    return ""


def _status_heading(heading: str, preds: list[Predicate]) -> bool:
    """"Recommendations accepted in principle", "Under way": a heading that is only a status (and so
    qualifies the items under it), not a headline that happens to contain a verb."""
    rest = heading
    for p in sorted(preds, key=lambda p: -p.start):
        rest = rest[:p.start] + " " + rest[p.end:]
    words = [w for w in re.findall(r"[a-z]+", rest.lower()) if w not in _HEADING_FILLER]
    return len(words) <= 2


_NEGATIVE = re.compile(r"\b(?:not|no|never|yet\s+to|nothing)\b|n't", re.I)
_FINITE_BE_HAVE = re.compile(r"\b(?:is|are|has|have|had|was|were|now)\b", re.I)
_CONTRAST = re.compile(r"[,;]?\s+(?:but|although|though|yet|while|whereas)\s+", re.I)


def _partial_by_contrast(visible: str, preds: list[Predicate]) -> list[Predicate]:
    """"Regional boards are running, but the national pipeline has not yet been built": one part done,
    one not - the recommendation is partly implemented, not untouched."""
    out = []
    for p in preds:
        if p.status == "not_started":
            m = None
            for m in _CONTRAST.finditer(visible[:p.start]):
                pass
            first = visible[:m.start()] if m else ""
            if m and first.strip() and not any(r.explicit for r in find_references(first)) and \
                    not _NEGATIVE.search(first) and _FINITE_BE_HAVE.search(first):
                p = Predicate(p.start, p.end, p.text, p.axis, "partially_implemented", p.direction, p.lemma,
                              p.official_subject, p.finite)
        out.append(p)
    return out


def _response_column_done(p: Predicate, column: str, cell: str) -> bool:
    """"Accepted" in a Response column is the decision; a short "implemented" there is no news of the work."""
    return p.axis == "implementation" and bool(_RESPONSE_COLUMN.search(column)) and p.status == "implemented" \
        and len(cell) < 30


@dataclass(frozen=True)
class _Said:
    """One sentence as read: its text, visible words, references, the reviews it names, the review in context."""

    text: str
    visible: str
    refs: list[Reference]
    mentions: list
    review: str | None


# "to set up the database, as well as to bring in new standards": two things, each restated on its own
_TWO_THINGS = re.compile(r",?\s+(?:as\s+well\s+as|along\s+with|together\s+with|in\s+addition\s+to|alongside)\s+",
                         re.I)


def _restated(matcher, clause: str, loose: bool) -> list[int]:
    """The recommendations a clause restates; when it joins two things ("A, as well as B"), each must be restated
    within one of them: words from both (a database in one, standards in the other) restate neither."""
    parts = [part for part in _TWO_THINGS.split(clause) if part.strip()]
    if len(parts) < 2 or any(len(part.split()) < 3 for part in parts):
        parts = [clause]
    return list(dict.fromkeys(number for part in parts for number, _score in matcher.match(part, loose=loose)))


# "The approved proposals, now being implemented, are:": the decision named in the lead-in's own noun phrase,
# by a participle the lexicon knows as a decision or a refusal
_ATTRIBUTIVE_DECISION = re.compile(r"\bthe\s+(?P<word>[a-z]+ed)\s+(?:recommendations|proposals|commitments)\b", re.I)
_DECISION_CLASSES = {"decide": "accepted", "refuse": "rejected"}


def _attributive_decisions(visible: str) -> list[Predicate]:
    found = []
    for m in _ATTRIBUTIVE_DECISION.finditer(visible):
        status = next((_DECISION_CLASSES[e.cls] for e, kind in lx.VERB_FORMS.get(m.group("word").lower(), [])
                       if kind in ("ed", "pp") and e.cls in _DECISION_CLASSES), None)
        if status:
            found.append(Predicate(m.start("word"), m.end("word"), m.group("word"), "response", status, "after"))
    return found


def _open_after(text: str, open_: bool) -> bool:
    """Whether a quotation is still open after this text ("“" opens, "”" closes; a straight double quote
    opens or closes)."""
    for ch in text:
        if ch == "\u201c":
            open_ = True
        elif ch == "\u201d":
            open_ = False
        elif ch == '"':
            open_ = not open_
    return open_


def _after_the_quotation(block: Block) -> Block:
    """A block inside a quotation that opened in an earlier one: blank up to where it closes (all of it if it does
    not), so that only what follows the closing mark is read."""
    close = next((i for i, ch in enumerate(block.text) if ch in "\u201d\""), None)
    cut = len(block.text) if close is None else close + 1
    return replace(block, text=" " * cut + block.text[cut:])


def _finite_statement(text: str) -> bool:
    """Does a list item say something of its own ("... has been implemented"), or only describe a
    recommendation ("programmes designed jointly by ...") for the lead-in above it to qualify?"""
    return any(p.finite for p in find_predicates(visible_text(text)))


def _item_number(block: Block) -> int | None:
    """A list item's own label ("10) ...", "Recommendation 4: ...", <li value>), never its position."""
    if block.label.isdigit():
        return int(block.label)
    m = _ITEM_LABEL.match(block.text)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def _only(mentions) -> str | None:
    """The one review a list of mentions names, or None (as ReviewNamer.only, without a second scan)."""
    ids = {rid for _, rid in mentions}
    return ids.pop() if len(ids) == 1 else None


def _cell_status(cell: str) -> list[Predicate]:
    """A table cell or heading that is only a status word ("Accepted", "Complete", "Not started")."""
    hit = lx.STATUS_WORDS.get(" ".join(cell.lower().split()).strip(" ."))
    return [Predicate(0, len(cell), cell, hit[0], hit[1], "both")] if hit else []


_STATUS_LEAD = re.compile(
    r"^\W*(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(lx.STATUS_WORDS, key=len, reverse=True))
    + r")(?=\s*(?:[.;:,(\u2013\u2014-]|$)|\s+(?:in|on|from|since|at|by|until|pending|through|via|\d|"
      r"[A-Z][a-z]+\s+\d))", re.I)


def _cell_lead_status(cell: str) -> list[Predicate]:
    """"In progress. 40 practitioners recruited", "Paused October 2016 pending evaluation": a status cell
    leads with its status word, then gives the detail."""
    m = _STATUS_LEAD.match(cell)
    if not m:
        return []
    hit = lx.STATUS_WORDS[" ".join(m.group(1).lower().split())]
    return [Predicate(m.start(1), m.end(1), m.group(1), hit[0], hit[1], "both")]


def _lead_or_detail(lead: list[Predicate], detail: list[Predicate]) -> list[Predicate]:
    """"Not yet delivered. A framework is being drafted": a cell that leads with work not done, then says work is under
    way, is in progress; otherwise the status it leads with is the cell's."""
    said = lead or detail
    if any(p.status == "not_started" for p in said) and any(p.status == "in_progress" for p in detail):
        return [p for p in detail if p.status == "in_progress"][:1] + [p for p in said if p.axis == "response"]
    return said


def _one_per_axis(preds: list[Predicate]) -> list[Predicate]:
    seen: dict[str, Predicate] = {}
    for p in preds:
        seen.setdefault(p.axis, p)
    return list(seen.values())
