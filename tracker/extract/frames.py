"""Statement frames: the grammar that turns a sentence into (predicate, tense/voice/polarity, qualifier)
and links each predicate to the references it governs.

The words come from lexicon.py. Here only the rules of the language live:
- an auxiliary chain before the verb says tense, aspect, voice, modality and polarity
  ("has not yet been", "will be", "is being", "should", "yet to");
- a verb class and its aspect give the status (implement + perfect = implemented, + progressive =
  in progress, + future = a decision to implement, + negated perfect = not started);
- an active transitive verb governs the references after it, a passive or stative one those before
  it; a relative pronoun ("..., which ministers have agreed") points back to the reference before it;
  coordinated verbs share their references.

The rules run in a fixed order, written as tables so the order is visible: _FORM_RULES (is this verb
a report at all?), then _STATUS_RULES for its class (the first rule that holds gives the status),
then _SENSE_RULES (is it about a recommendation?). Each rule is one named function; a new exception
is a function and its place in a table, not another branch in one long function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from tracker.extract import lexicon as lx
from tracker.extract.targets import EXISTENTIAL, Reference
from tracker.vocabulary import IMPLEMENTATION, RESPONSE, family

_TOKEN = re.compile(r"[A-Za-z]+(?:n't)?|[\u2019']s|[\u2019']ve|[\u2019']ll|\d+[a-z]?|[^\sA-Za-z\d]")
_CLAUSE_BREAK = re.compile(r";|\s+but\s+|\s+while\s+|,\s*(?:while|whereas|although|though|however)\b|\s+whereas\s+"
                           r"|\s+although\s+|\s+\u2013\s+|\s+\u2014\s+|\s+-\s+"
                           # ", so the extension ... has been delivered": a result with a subject of its own
                           r"|,\s*(?:and\s+)?so\s+(?=(?:the|this|these|those|its|their|a|an)\s)")
_DETERMINERS = {"the", "a", "an", "its", "their", "our", "his", "her", "this", "that", "these", "those", "some", "any",
                "no", "of", "for", "with", "in", "on", "to", "by", "and", "or", "further", "more", "new", "national",
                "regional", "local", "first", "second", "initial", "what", "whose", "much", "little", "every", "each"}
_BASE_SUBJECTS = {"we", "they", "i", "ministers", "officials", "also", "now", "fully", "formally", "both", "trusts",
                  "government", "department",
                  "bodies", "departments", "you"}
_COMMIT_OBJECTS = {"the", "all", "each", "every", "these", "this", "it", "them", "its", "recommendation",
                   "recommendations", "both", "those"}
_BEGIN_OBJECTS = {"consultation", "consultations", "pilot", "pilots", "review", "engagement", "call", "work", "scoping",
                  "exercise", "survey", "discussions", "discussion", "trial", "trials", "testing", "process",
                  "procurement", "recruitment", "conversations", "evaluation"}


@dataclass(frozen=True)
class Token:
    text: str
    low: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(m.group(0), m.group(0).lower().replace("\u2019", "'"), m.start(), m.end())
            for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Predicate:
    """A status-bearing predicate in a sentence, already mapped to (axis, status)."""

    start: int
    end: int
    text: str
    axis: str
    status: str
    direction: str  # after | before | both: where the references it governs usually are
    lemma: str = ""
    official_subject: bool = False
    finite: bool = True  # carries its own tense (an auxiliary, or a finite verb): not a bare participle


@dataclass
class Frame:
    predicate: Predicate
    refs: list[Reference] = field(default_factory=list)
    anaphoric: bool = False  # no reference of its own, but a pronoun or "the recommendation" points back
    subordinate: bool = False  # in a clause such as "after they began": never tied to a recommendation


_PAIRED_DASHES = re.compile(r"\s[\u2013\u2014-]\s[^\u2013\u2014;.]{3,240}?\s[\u2013\u2014-]\s")


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans; a pair of dashes around an aside ("the first three \u2013 A, B and C \u2013 had") is no break."""
    asides = [m.span() for m in _PAIRED_DASHES.finditer(text)]
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        dash = text[m.start():m.end()].strip() in {"\u2013", "\u2014", "-"}
        if dash and any(a <= m.start() < b or a < m.end() <= b for a, b in asides):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


_LY_ADVERB = re.compile(r"^[a-z]{3,}ly$(?<!family)(?<!supply)(?<!assembly)(?<!likely)(?<!only)")


def _aux_chain(toks: list[Token], i: int) -> tuple[list[str], int]:
    """The auxiliaries, adverbs and negators right before token i, and where the chain starts."""
    allowed = lx.BE | lx.HAVE | lx.MODAL_FUTURE | lx.MODAL_HYPOTHETICAL | lx.NEGATORS | lx.ADVERBS | {
        "to", "do", "does", "did", "yet", "been", "being", ",", "so", "far", "now", "n't", "is", "then", "also",
        "longer"}
    chain = []
    j = i - 1
    while j >= 0 and (toks[j].low in allowed or _LY_ADVERB.match(toks[j].low)) and i - j <= 8:
        chain.append(toks[j].low)
        j -= 1
    chain.reverse()
    if chain and all(w == "," or w in lx.ADVERBS or _LY_ADVERB.match(w) for w in chain):
        return [], i  # ", prepared with ...": commas and adverbs alone are no auxiliary
    return chain, j + 1


_NOT_IN_AN_OBJECT = {".", ";", ":", ",", "for", "to", "by", "with", "from", "at", "and", "or", "but"}


def _particles(toks: list[Token], i: int, words: tuple[str, ...]) -> int | None:
    """Index of the last particle token when the lemma's particles follow token i (an object may sit between)."""
    if not words:
        return i
    k = i + 1
    for n, word in enumerate(words):
        limit = k + (8 if n == 0 and word in {"forward", "out", "up", "aside", "down", "in", "on", "off", "against",
                                               "into"} else 1)
        while k < len(toks) and k < limit and toks[k].low != word:
            if toks[k].low in _NOT_IN_AN_OBJECT or (n == 0 and toks[k].low.endswith("ing")):
                return None  # "set for picking it up": the particle belongs to another verb
            k += 1
        if k >= len(toks) or toks[k].low != word:
            return None
        k += 1
    return k - 1


def find_predicates(text: str, toks: list[Token] | None = None) -> list[Predicate]:
    """Status predicates in (quote-blanked) text, left to right, none overlapping: verbless states
    first, then verbs; a predicate inside an aside (dashes, brackets) describes and is dropped."""
    toks = toks if toks is not None else tokens(text)
    taken: list[tuple[int, int]] = []
    found = _state_predicates(text, taken) + _verb_predicates(text, toks, taken)
    asides = _asides(text)
    found = [p for p in found if not any(a < p.start and p.end <= b for a, b in asides)]
    found = [p for p in _outside_denials(text, found) if not _RESTRICTIVE.search(text[max(0, p.start - 120):p.start])]
    found = [p for p in found if not _one_of_two(text, p)]
    return _without_earlier_states(text, sorted(found, key=lambda p: p.start))


# "three years after the new arrangements began": a time given by something else's start, not a status
_TIME_CLAUSE = re.compile(r"\b(?:after|before|until|till)\s+(?:the|its|their|this|these|those|a|an)\s+"
                          r"(?![^,;.]*\b(?:recommendations?|proposals?|commitments?|\d+)\b)[^,;.]{0,60}$", re.I)


# "scrapped or adapted", "delayed or dropped": one of two, not which ("not implemented or started": neither)
_EITHER_AFTER = re.compile(r"\s+or\s+(?:(?:been|being|otherwise|quietly|partly|largely)\s+)?"
                           r"(?!even\b|ever\b|often\b)[a-z]{3,}(?:ed|en)\b", re.I)
_EITHER_BEFORE = re.compile(r"\b[a-z]{3,}(?:ed|en)\s+or\s+(?:(?:been|being)\s+)?$", re.I)
_NEGATED_BEFORE = re.compile(r"\b(?:not|never|no|nor|neither)\b", re.I)


def _one_of_two(text: str, p: Predicate) -> bool:
    """A predicate joined to another by "or": unread, since it says one of two and not which; under a negation
    the first carries it ("has not been implemented or even started") and the second is left alone."""
    before = text[max(0, p.start - 40):p.start]
    if _NEGATED_BEFORE.search(text[max(0, p.start - 60):p.end]):
        return bool(_EITHER_BEFORE.search(before) or _OR_EVEN_BEFORE.search(before))
    return bool(_EITHER_AFTER.match(text, p.end) or _EITHER_BEFORE.search(before))


_OR_EVEN_BEFORE = re.compile(r"\b[a-z]{3,}(?:ed|en)\s+(?:or|nor)\s+(?:even|yet|ever)\s+$", re.I)



# "will report on the recommendations that are in progress": which ones, not news of them
_RESTRICTIVE = re.compile(r"\b(?:on|about|of|for|to|with|from|into|over|among)\s+(?:the|those|these|any|all)\s+"
                          r"(?:[\w-]+\s+){0,2}(?:recommendations?|proposals?|commitments?|ones)\s+(?:that|which)\s+"
                          r"(?:[\w-]+\s+){0,2}$", re.I)
_EARLIER = re.compile(r"\b(?:initially|originally|previously|formerly|at\s+first|once)\s*,?\s*$", re.I)


_LATER = re.compile(r"\b(?:later|subsequently|eventually|since|afterwards|then|now)\s*,?\s*(?:[\w-]+\s+){0,2}$", re.I)
_NEW_SUBJECT = re.compile(r"\b\d{1,2}\b|\brecommendations?\b|\bproposals?\b|\bcommitments?\b", re.I)


def _without_earlier_states(text: str, found: list[Predicate]) -> list[Predicate]:
    """"initially shelved ..., restarted this spring and now under way": the earlier state is history when the
    sentence goes on to a later one on the same axis. "Rejected in 2019 but later accepted": the verb that names
    the recommendation carries the state the same subject is in now."""
    kept = [p for i, p in enumerate(found)
            if not (_EARLIER.search(text[max(0, p.start - 20):p.start])
                    and any(q.axis == p.axis for q in found[i + 1:]))]
    return [_as_now(text, p, kept[i + 1:]) for i, p in enumerate(kept)]


def _as_now(text: str, p: Predicate, after: list[Predicate]) -> Predicate:
    now = [q for q in after if q.axis == p.axis and _LATER.search(text[max(0, q.start - 40):q.start])
           and not _NEW_SUBJECT.search(text[p.end:q.start])]
    return replace(p, status=now[-1].status) if now and now[-1].status != p.status else p


_DENIAL = re.compile(r"\b(?:that|suggest|show|indicate)\b", re.I)


def _outside_denials(text: str, found: list[Predicate]) -> list[Predicate]:
    """"no sign that work has begun on any of these": what the denial governs is not asserted; the
    denial itself (not started) is the statement."""
    denials = [p for p in found if p.status == "not_started" and _DENIAL.search(p.text)]
    if not denials:
        return found
    spans = clauses(text)

    def denied(q: Predicate) -> bool:
        return any(d is not q and d.end <= q.start and any(lo <= d.start < hi and lo <= q.start < hi
                                                           for lo, hi in spans) for d in denials)
    return [q for q in found if not denied(q)]


def _free(taken: list[tuple[int, int]], a: int, b: int) -> bool:
    return all(b <= s or a >= e for s, e in taken)


_PART_SUBJECT = re.compile(r"(?:^|[;:]|\bbut\b)\W*(?:some|several|many|most|certain)\s+(?:of\s+the\s+)?"
                           r"(?:elements|parts|aspects|strands|components)\s+of\b[^.;:]*$", re.I)


def _state_predicates(text: str, taken: list[tuple[int, int]]) -> list[Predicate]:
    """Verbless states ("in place", "on hold"); a negated one is not started, or nothing."""
    found: list[Predicate] = []
    if not _ANY_STATE.search(text):
        return found
    for pattern, axis, status, direction in _STATES:
        for m in pattern.finditer(text):
            if not _free(taken, *m.span()) or _conditional_before(text, m.start(), modal=True) \
                    or _negative_subject_before(text, m.start()):
                continue
            said = status
            if status == "implemented" and (lx.PARTIAL.search(m.group(0)) or _PART_SUBJECT.search(text[:m.start()])):
                said = "partially_implemented"  # "is partly in place", "some elements of it are in place"
            if _negated_state(text, m.start()):
                if status != "implemented":
                    continue
                said = "not_started"  # "not yet in place": this match only; the next one reads afresh
            found.append(Predicate(m.start(), m.end(), m.group(0), axis, said, direction))
            taken.append(m.span())
    return found


def _verb_predicates(text: str, toks: list[Token], taken: list[tuple[int, int]]) -> list[Predicate]:
    """Verbs of the lexicon; the first reading of a token whose particles are there is the one tried."""
    found: list[Predicate] = []
    for i, tok in enumerate(toks):
        for entry, kind in lx.VERB_FORMS.get(tok.low, ()):
            last = _particles(toks, i, entry.words)
            if last is None or (not entry.words and tok.low in lx.NEEDS_PARTICLE):
                continue
            pred = _predicate(text, toks, i, last, entry, kind)
            if pred and _free(taken, pred.start, pred.end):
                found.append(pred)
                taken.append((pred.start, pred.end))
            break
    return found


_BRACKETED = re.compile(r"\([^()]{0,200}\)")


def _asides(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PAIRED_DASHES.finditer(text)] + [m.span() for m in _BRACKETED.finditer(text)]


_STATES = [(re.compile(r"\b" + p + r"(?![\w-])", re.I), a, s, d) for p, a, s, d in lx.STATES]
# one pass that says whether any of them can match: most sentences hold none, and 26 scans cost more than one
_ANY_STATE = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p, *_ in lx.STATES) + r")(?![\w-])", re.I)


def _conditional_before(text: str, start: int, modal: bool = False) -> bool:
    """"If accepted, ...", "it is unclear whether X has been implemented": a condition or a question in
    the same clause, not a statement. A verbless state has no auxiliary chain to carry its modal
    ("would be in place"), so for states a modal in the clause counts too."""
    window = text[max(0, start - 200):start]
    if _INVERTED_CONDITION.search(text[:start]) or _UNASSERTED_THAT.search(window) or _TIME_CLAUSE.search(window[-80:]):
        return True
    if re.search(r"\b(?:if|unless|whether|until|once|when|where|wherever|provided|providing|"
                 r"(?:as|so)\s+long\s+as|on\s+condition|in\s+case|"
                 r"(?:hopes?|hoped|wish(?:es)?|would\s+like|expects?|expected)"
                 r"\s+(?:that|to)\b)[^.;:,]*$", window, re.I):
        return True
    # "would be in place", "will soon be under way"; not "could find no sign" (the modal is find's)
    return modal and bool(re.search(r"(?:\b(?:should|could|would|might|must|will|shall|may)|\w'll)\s+"
                                    r"(?:[\w-]+\s+){0,2}?(?:be|remain|stay|come|get|go)\b[^,.;]*$",
                                    window[-80:], re.I))


# "Had the government accepted ...", "Should ministers accept ...": a condition by inversion, before its comma
_INVERTED_CONDITION = re.compile(r"^\W*(?:(?:but|and|yet|even)\s+)?(?:had|should|were)\s+(?!(?:not|been|being)\b)"
                                 r"[^.;:,]*$", re.I)
# "denied reports that ...", "it is not true that ...", "nobody can say that ...": what follows is not asserted
_UNASSERTED_THAT = re.compile(
    r"(?:\b(?:den(?:y|ies|ied|ying)|disput(?:e|es|ed|ing)|refut(?:e|es|ed|ing)|dismiss(?:es|ed|ing)?|"
    r"reject(?:s|ed|ing)?|deny)\s+(?:the\s+|any\s+)?(?:(?:claims?|reports?|suggestions?|allegations?|accusations?|"
    r"speculation|rumou?rs?)\s+)?that"
    r"|\b(?:not|n't|never|nobody|no\s+one|cannot)\s+(?:[\w-]+\s+){0,3}?(?:true|the\s+case|say|claim|confirm|"
    r"confirmed|show|shown|clear|certain|sure|accurate|correct)\s+that"
    r"|\b(?:untrue|false|a\s+myth|no\s+truth\s+in\s+(?:the\s+)?(?:claims?|reports?|suggestions?))\s+that"
    # "There is no suggestion that any of them has been dropped"
    r"|\bno\s+(?:suggestion|indication|prospect|reason\s+to\s+(?:think|believe|suppose))\s+(?:that|of)"
    # hearsay the publisher passes on without saying whose: "it was reported that", "reportedly"
    r"|\bit\s+(?:was|is|has\s+been|had\s+been)\s+(?:reported|claimed|alleged|rumou?red|suggested)\s+that"
    r"|\b(?:reportedly|allegedly|supposedly|purportedly)"
    # "reports suggest that ...", "sources claim that ...": someone unnamed's claim, passed on
    r"|(?<!['\u2019]s\s)(?<!\bthe\s)(?<!\bits\s)(?<!\btheir\s)\b(?:reports|sources|rumou?rs)\s+(?:suggest|suggested|"
    r"claim|claimed|say|said|indicate|indicated)\s+that"
    r")\b[^.;]{0,200}$", re.I)
# "was implemented, it was claimed, but ...": the same hearsay after the verb
_HEARSAY_AFTER = re.compile(r"^[^.;]{0,40}?,\s*(?:it\s+(?:was|is|has\s+been)\s+(?:reported|claimed|alleged|"
                            r"rumou?red|suggested)|(?:reportedly|allegedly))\b", re.I)


def _recommended_wording(text: str, start: int, chain: list[str], kind: str) -> bool:
    """"the recommendation that a national function be set up": the recommendation's own (subjunctive)
    wording, not news of it. A relative clause ("recommendations that have been met") is news."""
    if not (kind == "base" or (chain and chain[0] in {"be", "should", "to"})):
        return False
    window = text[max(0, start - 160):start]
    if chain == ["be"] and _MANDATIVE.search(window):
        return True  # "... and that a talent pipeline be created": a bare "be" after "that" is a wish, not news
    return bool(re.search(r"\b(?:recommendations?|recommended|proposals?|proposed|called\s+for|calls\s+for|asked)\s+"
                          r"(?:that|for)\b[^,.;:]*$", window, re.I))


_MANDATIVE = re.compile(r"\bthat\s+(?:[\w\u2019'-]+\s+){1,12}$", re.I)


def _negated_state(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:not|n't|never)\s+(?:yet\s+|now\s+|fully\s+)*$", text[max(0, start - 20):start], re.I))


@dataclass(frozen=True)
class _Use:
    """One occurrence of a lexicon verb, with the auxiliary chain before it: what the rules below read."""

    text: str
    toks: list[Token]
    i: int
    last: int  # the last token of the verb with its particles
    entry: lx.VerbEntry
    kind: str  # base | s | ed | past | pp | ing
    chain: list[str]
    chain_start: int
    lead: str  # the word before the chain
    has_be: bool
    perfect: bool
    negated: bool
    yet_to: bool
    hypothetical: bool
    future: bool
    infinitive: bool  # "to" + verb and no modal: a plan ("plans to implement") or nothing
    lead_chain: list[str]  # the chain before the lead of an infinitive ("does not intend to")

    @property
    def cls(self) -> str:
        return self.entry.cls

    @property
    def lemma(self) -> str:
        return self.entry.lemma

    @property
    def passive(self) -> bool:
        return self.has_be and self.kind in {"ed", "pp"}

    @property
    def progressive(self) -> bool:
        return (self.kind == "ing" and (self.has_be or self.lead in _PROGRESSIVE_LEADS)
                or "being" in self.chain and self.kind in {"ed", "pp"})

    @property
    def present_simple(self) -> bool:
        return (self.kind in {"base", "s"} and not self.future and not self.perfect and not self.has_be
                and "did" not in self.chain)

    @property
    def past(self) -> bool:
        return self.kind in {"ed", "past", "pp"} or self.perfect or "did" in self.chain

    @property
    def after(self) -> list[str]:
        """The next few words after the verb and its particles."""
        return [t.low for t in self.toks[self.last + 1:self.last + 5]]

    @property
    def start(self) -> int:
        return self.toks[self.chain_start].start if self.chain else self.toks[self.i].start

    @property
    def end(self) -> int:
        return self.toks[self.last].end


_PROGRESSIVE_LEADS = {"started", "begun", "began", "continues", "continued", "keeps"}


def _read_use(text: str, toks: list[Token], i: int, last: int, entry: lx.VerbEntry, kind: str) -> _Use:
    chain, chain_start = _aux_chain(toks, i)
    yet_to = "yet" in chain and "to" in chain
    future = any(w in lx.MODAL_FUTURE for w in chain)
    infinitive = "to" in chain and not yet_to and not future
    lead_chain = _aux_chain(toks, chain_start - 1)[0] if infinitive else []
    negated = any(w in lx.NEGATORS for w in chain) or "no longer" in " ".join(chain)
    return _Use(
        text, toks, i, last, entry, kind, chain, chain_start,
        lead=toks[chain_start - 1].low if chain_start > 0 else "",
        has_be=any(w in lx.BE or w in {"been", "being"} for w in chain),
        perfect=any(w in lx.HAVE for w in chain),
        negated=negated or any(w in lx.NEGATORS for w in lead_chain),  # "does not intend to pursue"
        yet_to=yet_to,
        hypothetical=any(w in lx.MODAL_HYPOTHETICAL for w in chain),
        future=future or infinitive,
        infinitive=infinitive,
        lead_chain=lead_chain,
    )


# --- is it a report at all? (each rule: True rejects the verb) ----------------------------------------

_REPORTED_DECISION = re.compile(r"\b(?:said|says|announced|confirmed|agreed|promised|pledged|decided|made\s+clear|"
                                r"stated|told|undertook|committed)\b[^.;]{0,60}$", re.I)


# "..., it said." closing the sentence: the whole sentence is what the subject of the tag said
_REPORT_TAG = re.compile(r"[,\u2013\u2014-]\s*(?:it|they|(?:the\s+)?(?:department|government|ministers?|dhsc|minister|"
                         r"spokesperson|officials?|health\s+secretary))\s+(?:has\s+|have\s+)?(?:said|says|added|"
                         r"confirmed|announced|stated)\s*[.\"\u201d\u2019']*\s*$", re.I)


def _unreported_would(u: _Use) -> bool:
    """"which would build ...": hypothetical, unless a reported decision ("said it would", "would be considered
    later this year, it said")."""
    return "would" in u.chain and not _REPORTED_DECISION.search(u.text[:u.toks[u.chain_start].start]) \
        and not _REPORT_TAG.search(u.text)


_LABEL_LINE = re.compile(r"[^,.;:]{0,60}[.:]?\s*")
# someone else's wish or request for them: "urged ministers to allow the recommendations to be ..."
_WISHED = re.compile(r"\b(?:wants?|wanted|wanting|urg(?:e|es|ed|ing)|calls?\s+(?:on|for)|called\s+(?:on|for)|"
                     r"demand(?:s|ed|ing)?|press(?:es|ed|ing)?\s+for|ask(?:s|ed|ing)?|expect(?:s|ed|ing)?|like|"
                     r"wish(?:es|ed)?|needs?|needed|hop(?:e|es|ed|ing)|allow(?:s|ed)?|requir(?:e|es|ed)|"
                     r"encourag(?:e|es|ed))\b[^.;:]*$", re.I)
_DECIDED_ITEMS = {"recommendations", "recommendation", "proposals", "proposal", "commitments", "those", "ones"}


def _uncommitted_infinitive(u: _Use) -> bool:
    """"asked NHS England to implement", "in order to deliver", "could plan to": no plan of the speaker's.
    "Recommendations to be implemented in full" is the owner's decision on them (a response, not work done)."""
    if not u.infinitive:
        return False
    if u.chain[:2] == ["to", "be"] and u.lead in _DECIDED_ITEMS:
        return bool(_WISHED.search(u.text[:u.start]))  # "wants all seven recommendations to be implemented"
    if u.chain[:2] == ["to", "be"] and u.chain_start == 0 and _LABEL_LINE.fullmatch(u.text):
        return False  # a heading over the items decided on: "To be implemented in full"
    if u.lead in lx.NON_COMMITTAL_LEADS or u.lead not in lx.FUTURE_LEADS and not (u.has_be and u.chain[0] in lx.BE):
        return True
    return any(w in lx.MODAL_HYPOTHETICAL for w in u.lead_chain)


def _hypothetical_modal(u: _Use) -> bool:
    return u.hypothetical


_PARTICIPLE_LEADS = {",", "by", "after", "while", "since", "in", "also", "and"}


def _noun_or_participle(u: _Use) -> bool:
    """"Backing for leaders": a noun; ", accepting four of them": a participle (only a decision counts); "by
    identifying, developing and supporting those ...": one of a list of activities, not a decision."""
    if u.kind != "ing" or u.progressive:
        return False
    return u.cls not in {"decide", "refuse"} or u.lead not in _PARTICIPLE_LEADS or _among_activities(u)


def _among_activities(u: _Use) -> bool:
    """The -ing word coordinated just before this one ("developing and supporting") is a verb of work."""
    at = u.chain_start - 1  # the lead ("and", ",")
    if u.lead not in {"and", ","} or at < 1:
        return False
    before = u.toks[at - 1].low
    return before.endswith("ing") and any(entry.cls not in {"decide", "refuse"} and kind == "ing"
                                          for entry, kind in lx.VERB_FORMS.get(before, []))


def _bare_form_without_subject(u: _Use) -> bool:
    """A base form needs a subject before it ("we accept"); an -s form no determiner ("the supports")."""
    if u.kind not in {"base", "s"} or u.chain:
        return False
    prev = u.toks[u.i - 1].low if u.i else ""
    if u.kind == "base":
        return prev not in _BASE_SUBJECTS
    # "this implements recommendation 6": a plural noun cannot follow "this", so the -s form is a verb
    return (prev in _DETERMINERS and prev not in {"this", "that"}) or not prev


def _adverbs_without_subject(u: _Use) -> bool:
    return u.kind in {"base"} and bool(u.chain) and all(w in lx.ADVERBS for w in u.chain) and \
        u.lead not in _BASE_SUBJECTS


_ADJECTIVE_DETERMINERS = {"the", "a", "an", "its", "their", "this", "these"}


def _adjective(u: _Use) -> bool:
    """"the accepted recommendations", "the newly established group": an adjective, read by the list/lead-in
    logic instead."""
    if u.kind not in {"ed", "past", "pp"} or u.chain:
        return False
    j = u.i - 1
    while j >= 0 and u.toks[j].low.endswith("ly") and len(u.toks[j].low) > 3:
        j -= 1
    return j >= 0 and u.toks[j].low in _ADJECTIVE_DETERMINERS


_DESCRIBING_RELATIVE = re.compile(r"\b(?:that|which|who)\s+(?:[\w-]+\s+){0,4}$", re.I)


def _describing_relative(u: _Use) -> bool:
    """"a framework that every national body signs up to": describes, does not report ("I can confirm that the
    Government accept ..." reports: that "that" follows a verb of saying)."""
    m = _DESCRIBING_RELATIVE.search(u.text[:u.toks[u.i].start])
    # "..., which partly implements recommendation 5": what a thing does for a recommendation is news
    return u.present_simple and bool(m) and u.cls != "implement" and not _SAYING_BEFORE.search(u.text[:m.start()])


_SAYING_BEFORE = re.compile(r"\b(?:confirm|confirms|confirmed|say|says|said|announce|announces|announced|state|states|"
                            r"stated|note|notes|noted|agree|agrees|agreed|decide|decides|decided|know|knows|believe|"
                            r"believes|clear|tell|tells|told|report|reports|reported|show|shows|showed)\s*,?\s*$", re.I)


def _willing(u: _Use) -> bool:
    """"the department is prepared to: ...": willingness (an adjective), not preparation under way."""
    return u.lemma == "prepare" and u.after[:1] == ["to"]


_NOT_A_NOUN = {"it", "they", "them", "this", "these", "those", "and", "or", "but", "also", "now", "then", "which",
               "that",
               "who", "been", "being", "was", "were", "is", "are", "has", "have", "had", "then", "recommendation",
               "recommendations", "proposal", "proposals", "commitment", "commitments", "ones", "one", "all", "both"}


def _reduced_relative(u: _Use) -> bool:
    """"the single timetable agreed by the national bodies": a participle describing the noun before it."""
    if u.kind not in {"ed", "pp"} or u.chain or u.i == 0 or u.after[:1] != ["by"]:
        return False
    prev = u.toks[u.i - 1].low
    return prev.isalpha() and len(prev) > 2 and prev not in _NOT_A_NOUN and not prev.endswith("ly")


_TO_BE_LIST = re.compile(r"\bto\s+be\s+(?:[\w-]+\s*,\s*)*[\w-]+\s*,?\s+(?:and|or)\s+$", re.I)


def _coordinated_infinitive(u: _Use) -> bool:
    """"to be published, broadcast and implemented": the last of an infinitive's participles is no news either."""
    return not u.chain and bool(_TO_BE_LIST.search(u.text[max(0, u.start - 120):u.start]))


_SAME_AS_BASE = {"set", "put"}  # irregular: the past is the base form


def _imperative_same_as_past(u: _Use) -> bool:
    """"Set up a central register" opening an item (or after "to", "and" with nothing before): the base form
    (an action to take), though it is spelt like the past."""
    if u.toks[u.i].low not in _SAME_AS_BASE or u.chain:
        return False
    prev = u.toks[u.i - 1].low if u.i else ""
    return prev in {"", ",", ":", ";", "-", "\u2013", "\u2014", "to", "and", "or", "(", "\u2022"}


# "Among his recommendations were setting up a database, adopting ...": what they ask for, listed after "be"
_CONTENT_LISTED = re.compile(r"(?:\b(?:recommendations?|proposals?|commitments?)\s+(?:was|were|is|are|include[sd]?|"
                             r"including|comprised?)\b|\bamong\b[^.;]*\b(?:was|were|is|are)\b)[^.;]*$", re.I)
_MANNER = {"well", "slowly", "quickly", "apace", "steadily", "ahead", "on", "forward", "again", "smoothly"}


def _content_listed(u: _Use) -> bool:
    """A gerund with an object after "the recommendations were" says what they asked for ("were setting up a
    register"); "the recommendations are progressing well" is still news."""
    if u.kind != "ing" or u.passive or not _CONTENT_LISTED.search(u.text[:u.toks[u.i].start]):
        return False
    following = u.toks[u.last + 1].low if u.last + 1 < len(u.toks) else ""
    return bool(following) and following not in _MANNER and not following.endswith("ly") and following.isalpha()


_FORM_RULES = (_content_listed, _willing, _imperative_same_as_past, _reduced_relative, _coordinated_infinitive,
               _unreported_would, _uncommitted_infinitive, _hypothetical_modal, _noun_or_participle,
               _bare_form_without_subject, _adverbs_without_subject, _adjective, _describing_relative)

# --- is it about a recommendation? (each rule: True rejects the verb) -----------------------------------

_QUESTION_WORDS = {"who", "what", "how", "whether", "when", "where", "why", "on", "about", "that"}


def _decision_about_something_else(u: _Use) -> bool:
    """"have not agreed who would pay": a decision about something else ("agreed that the following
    recommendations should be taken forward" is one about them)."""
    following = [t.low for t in u.toks[u.last + 1:u.last + 3]]
    next_word = following[0] if following else ""
    if next_word == "that" and _about_them(u.toks[u.last + 2:u.last + 6]):
        return False
    if next_word in {"the", "any", "all"}:
        following = following[1:]
    if u.cls == "refuse" and following and following[0] in _HEARSAY:
        return True  # "rejected claims that ...", "dismissed calls for ...": what is refused is the claim
    if next_word in {"on", "about"} and u.passive:
        return False  # "were accepted on the day the review was published": when, not what about
    return u.cls in {"decide", "refuse"} and next_word in _QUESTION_WORDS


_HEARSAY = {"claim", "claims", "report", "reports", "suggestion", "suggestions", "allegation", "allegations",
            "accusation", "accusations", "criticism", "criticisms", "speculation", "rumours", "rumors", "call", "calls"}


def _about_them(toks: list[Token]) -> bool:
    """The subject of a "that" clause is recommendations: "that the following recommendations should ...";
    "that these later stages should" is about something else."""
    for k, t in enumerate(toks):
        if t.low in _DETERMINING and k + 1 < len(toks) and toks[k + 1].low not in _ABOUT_THEM | _AUXILIARIES:
            return False
        if t.low in _ABOUT_THEM:
            return True
        if t.low not in _BEFORE_THEM and not t.text[:1].isupper():  # "that the Kark review's recommendations"
            return False
    return False


_BEFORE_THEM = {"the", "following", "review", "its", "their", "his", "remaining", "other", "first", "last", "'s",
                "two", "three", "four", "five", "six", "seven"}
_DETERMINING = {"these", "those", "both", "all"}  # pronouns, or determiners of some other noun
_AUXILIARIES = {"should", "are", "were", "have", "had", "will", "would", "must", "can", "be", "been", "of", "two",
                "three", "four", "five", "six", "seven", "recommendations", "proposals"}
_ABOUT_THEM = {"recommendation", "recommendations", "proposal", "proposals", "commitment", "commitments", "it",
               "they", "these", "those", "both", "all"}


def _unofficial_agent(u: _Use) -> bool:
    """"standards backed by accredited training": a description, not a decision by the owning body."""
    toks, last = u.toks, u.last
    if u.cls == "supersede" or u.chain or u.kind not in {"ed", "pp"}:
        return False
    if not (last + 1 < len(toks) and toks[last + 1].low == "by"):
        return False
    return not lx.OFFICIAL_ACTORS.search(u.text[toks[last + 1].end:toks[min(last + 5, len(toks) - 1)].end])


_NON_OWNER_AGENT = re.compile(rf"^\s*by\s+(?:the\s+)?(?:{lx.NON_OWNERS})\b", re.I)
_NON_OWNER_SUBJECT = re.compile(rf"\b(?:the\s+)?(?:{lx.NON_OWNERS})\s*(?:,[^,]{{0,60}},\s*)?(?:[\w-]+\s+){{0,2}}$",
                                re.I)


def _non_owner(u: _Use) -> bool:
    """"The BMA supports all seven", "endorsed by NHS Providers": a body that does not own the decision giving
    its view is no response (independent bodies by name; not every other body, since the national bodies own
    much of the work)."""
    if u.cls not in {"decide", "refuse"}:
        return False
    if u.passive:
        return bool(_NON_OWNER_AGENT.match(u.text[u.end:]))
    start = next((lo for lo, hi in clauses(u.text) if lo <= u.start < hi), 0)
    return bool(_NON_OWNER_SUBJECT.search(u.text[start:u.toks[u.chain_start].start if u.chain else u.start]))


def _participle_without_object(u: _Use) -> bool:
    """"a curriculum, developed by Health Education England": a description."""
    return u.cls == "progress" and not u.chain and u.kind in {"ed", "pp"} and not _has_object(u.toks, u.last)


_MET_OBJECTS = {"recommendation", "recommendations", "rec", "it", "them", "this"}


def _meeting_people(u: _Use) -> bool:
    """"we met leaders": meeting people, not meeting a recommendation."""
    return u.lemma == "meet" and not u.passive and not any(w in _MET_OBJECTS for w in u.after)


def _replaced_by_nothing(u: _Use) -> bool:
    return u.lemma == "replace" and not any(w in {"by", "with"} for w in u.after[:2])


def _condition_or_wording(u: _Use) -> bool:
    return (_conditional_before(u.text, u.start) or _consequent(u) or _condition_after(u)
            or bool(_HEARSAY_AFTER.match(u.text[u.end:])) or bool(set(u.chain) & _HEARSAY_ADVERBS)
            or _recommended_wording(u.text, u.start, u.chain, u.kind))


_HEARSAY_ADVERBS = {"reportedly", "allegedly", "supposedly", "purportedly"}


_CONDITION_AFTER = re.compile(r"^(?:(?!,\s+and\b|\band\s+(?:will|would|has|have)\b)[^.;:])*?\b(?:if|unless)\b", re.I)


def _condition_after(u: _Use) -> bool:
    """"has promised to implement all seven if elected": a promise on a condition, later in its clause, is no
    decision yet."""
    if not u.future:
        return False
    end = next((hi for lo, hi in clauses(u.text) if lo <= u.start < hi), len(u.text))
    return bool(_CONDITION_AFTER.search(u.text[u.end:end]))


_FRONTED_CONDITION = re.compile(r"\W*(?:(?:but|and|yet|even)\s+)?(?:if|unless|provided|providing|should|had|were|"
                                r"(?:as|so)\s+long\s+as|on\s+condition)\b[^.;]*,", re.I)
_MODALS = {"will", "would", "shall", "might", "could", "may", "'ll"}


def _consequent(u: _Use) -> bool:
    """"If ministers agree, it will be implemented": what a fronted condition would bring about is not news."""
    return bool(set(u.chain) & _MODALS) and bool(_FRONTED_CONDITION.match(u.text[:u.start]))


_INDIRECT_QUESTION = re.compile(r"\b(?:about|on|as\s+to|know|knows|say|says|said|decide|decided|clear|unclear|asks?|"
                                r"asked|explains?|sets?\s+out|describes?|shows?|considers?|consider|"
                                # "MPs will look at how far the recommendations have been implemented"
                                r"look(?:s|ed|ing)?\s+(?:at|into)|examin(?:e|es|ed|ing)|assess(?:es|ed|ing)?|"
                                r"investigat(?:e|es|ed|ing)|explor(?:e|es|ed|ing)|establish(?:es|ed|ing)?|"
                                r"check(?:s|ed|ing)?|find\s+out|ask(?:s|ed|ing)?|review(?:s|ed|ing)?|judge|test)\s+"
                                r"(?:which|what|how|whether|why|when|to\s+what\s+extent)\b[^.;]{0,160}$", re.I)
# the verb's object is a question: "will look at how far ...", "to examine whether ..."
_QUESTION_OBJECT = re.compile(r"^\s*(?:at\s+|into\s+)?(?:how\s+(?:far|much|well|many|quickly)|whether|which|"
                              r"to\s+what\s+extent)\b", re.I)


_FOR_HOW = re.compile(r"\b(?:for|of)\s+(?:how|whether)\b[^.;]{0,120}$", re.I)


def _indirect_question(u: _Use) -> bool:
    """"honest about which ones it does not intend to pursue", "a plan for how they will be taken forward", "will
    look at how far they have been implemented" (both the looking and the implementing)."""
    before = u.text[:u.start]
    return bool(_INDIRECT_QUESTION.search(before) or _FOR_HOW.search(before)
                or _QUESTION_OBJECT.match(u.text[u.end:]))


def _sentiment(u: _Use) -> bool:
    """"committed to better leadership" is a sentiment; "committed to implementing it" a decision."""
    if u.lemma != "commit":
        return False
    after = u.after[:3]
    if not after or after[0] != "to":
        return True
    return not (len(after) > 1 and (after[1].endswith("ing") or after[1] in _COMMIT_OBJECTS))


_REVIEW_SUBJECT = re.compile(r"\b(?:the|this|his|her|their|its)\s+(?:[\w\u2019'-]+\s+){0,2}?"
                             r"(?:review|report|inquiry|investigation)\s*,?\s*$", re.I)


def _review_as_subject(u: _Use) -> bool:
    """"the review has now completed with 7 recommendations": the review's own doings, not a recommendation's
    fate (an active verb whose subject is the review or report itself)."""
    before = u.text[max(0, u.start - 60):u.start]
    m = _REVIEW_SUBJECT.search(before)
    # "work on recommendation 4 of the Kark review has started": the review sits inside the subject, not as it
    return not u.passive and bool(m) and not re.search(r"\b(?:of|on|from|in|by|under|to|for)\s+$", before[:m.start()])


_WHOLLY = re.compile(r"\b(?:fully|completely|entirely|wholly|totally|in\s+full)\b", re.I)
_NEGATIVE_SUBJECT = re.compile(r"(?:(?:^|[:;\u2013\u2014]\s)\W*no\s+(?!doubt\b|longer\b|later\b|sooner\b)[\w-]+|"
                               r"\b(?:none|neither|nor|nothing)\b|\bnot\s+(?:one|a\s+single|any)\b|"
                               r"\bno\s+(?:single\s+|other\s+|further\s+)?(?:[\w-]+\s+){0,2}?"
                               r"(?:recommendations?|proposals?|commitments?)\b)(?:(?!,\s+and\b)[^.;:])*$", re.I)


def _negative_subject_before(text: str, at: int) -> bool:
    """"None of the seven has been implemented", "neither 1 nor 2 is on hold": a negative quantifier denies the
    predicate for each of them, which says nothing of where any one of them stands."""
    start = next((lo for lo, hi in clauses(text) if lo <= at < hi), 0)
    return bool(_NEGATIVE_SUBJECT.search(text[start:at]))


def _negative_subject(u: _Use) -> bool:
    return _negative_subject_before(u.text, u.start)


_SENSE_RULES = (_negative_subject, _decision_about_something_else, _unofficial_agent, _non_owner,
                _participle_without_object, _meeting_people, _replaced_by_nothing, _condition_or_wording,
                _indirect_question, _sentiment, _review_as_subject)


def _predicate(text: str, toks: list[Token], i: int, last: int, entry: lx.VerbEntry, kind: str) -> Predicate | None:
    """The verb at token i as a status predicate, or None: the form rules, the status its class and
    aspect give, then the sense rules, in that order."""
    u = _read_use(text, toks, i, last, entry, kind)
    if any(rule(u) for rule in _FORM_RULES):
        return None
    status = _status(u.cls, u)
    if status is None or any(rule(u) for rule in _SENSE_RULES):
        return None
    axis, st = status
    if st == "not_started" and _WHOLLY.search(text[max(0, u.start - 30):u.end + 15]):
        return None  # "not yet fully implemented": maybe partly done, maybe not begun
    if u.lemma == "launch" and st == "implemented" and set(u.after) & _BEGIN_OBJECTS:
        axis, st = IMPLEMENTATION, "in_progress"  # "launched a consultation": work begun, not done
    start, end = u.start, u.end
    if axis == RESPONSE and st == "accepted":
        st = _qualified(text, start, end, "accepted")
    elif axis == IMPLEMENTATION and st == "implemented":
        st = _qualified(text, start, end, "implemented")
    subject = text[max(0, start - 60):start]
    finite = bool(u.chain) or kind in {"s", "base", "past"} or (kind == "ed" and _has_object(toks, last))
    return Predicate(start, end, text[start:end], axis, st, _direction(u), entry.lemma,
                     bool(lx.OFFICIAL_ACTORS.search(subject)), finite)


def _direction(u: _Use) -> str:
    """Where the references are: before a passive, either side of a begin/pause/supersede verb, else after."""
    if u.passive:
        return "before"
    if u.cls in {"begin", "pause", "supersede"} and u.kind not in {"base"}:
        return "both"
    return "after"


_NO_OBJECT = {"by", "in", "on", "at", "for", "with", "from", "to", ",", ".", ";", ":", "as", "and", "or"}


def _has_object(toks: list[Token], last: int) -> bool:
    """A bare -ed form followed by its object is a finite verb ("NHS England launched the register");
    followed by an agent or a phrase it is a participle ("programmes designed jointly by ...")."""
    k = last + 1
    while k < len(toks) and toks[k].low in lx.ADVERBS:
        k += 1
    return k < len(toks) and toks[k].low not in _NO_OBJECT


# --- the status a verb class and its aspect give -------------------------------------------------------
# Per class, rules in order: the first whose condition holds gives the status (None: no status);
# when none holds there is none.
_R, _I = RESPONSE, IMPLEMENTATION
# what a document or a rule does by being in force: "the framework puts two of them into effect"
_DOES_IT = {"meet", "fulfil", "implement", "deliver", "put into effect", "give effect to", "bring into force"}
_STATUS_RULES = {
    "decide": (
        # "a vision is being agreed": neither a decision nor a result yet ("is accepting all seven" is one)
        (lambda a: a.progressive and (a.passive or "being" in a.chain), None),
        (lambda a: a.yet_to or (a.negated and "yet" in a.chain), (_R, "under_consideration")),
        (lambda a: a.negated, (_R, "rejected")),
        (lambda a: True, (_R, "accepted")),
    ),
    "refuse": (
        (lambda a: a.negated or a.yet_to, None),
        (lambda a: True, (_R, "rejected")),
    ),
    "consider": (
        (lambda a: a.negated or a.yet_to, None),
        (lambda a: a.future or a.progressive, (_R, "under_consideration")),
    ),
    "implement": (
        # "the update meets recommendation 19"
        # "the framework implements three of them: ..."
        (lambda a: a.present_simple and a.lemma in _DOES_IT and not a.negated
         and a.kind == "s", (_I, "implemented")),
        (lambda a: a.yet_to, (_I, "not_started")),
        (lambda a: a.negated and a.future, (_R, "rejected")),
        (lambda a: a.negated, (_I, "not_started")),
        (lambda a: a.future, (_R, "accepted")),
        (lambda a: a.progressive, (_I, "in_progress")),
        (lambda a: a.past or a.passive, (_I, "implemented")),
    ),
    "progress": (
        (lambda a: a.yet_to, (_I, "not_started")),
        (lambda a: a.negated and a.future, (_R, "rejected")),
        # "is not being taken forward": a decision not to, not work yet to start
        (lambda a: a.negated and a.progressive and a.lemma in {"take forward", "pursue"}, (_R, "rejected")),
        # "two were never taken forward": looking back, dropped
        (lambda a: a.negated and "never" in a.chain and a.lemma in {"take forward", "pursue"}, (_R, "rejected")),
        (lambda a: a.negated, (_I, "not_started")),
        (lambda a: a.future and a.lemma in {"take forward", "pursue", "progress"}, (_R, "accepted")),
        (lambda a: a.future, None),
        (lambda a: a.progressive, (_I, "in_progress")),
        # "has been developed" is a thing made; "has been taken forward" work going on
        (lambda a: a.past and a.lemma in {"develop"}, (_I, "implemented")),
        (lambda a: a.past, (_I, "in_progress")),
        (lambda a: a.present_simple and a.lemma == "take forward", (_I, "in_progress")),
    ),
    "begin": (
        # "paused in 2020 and has not yet restarted": still paused
        (lambda a: (a.negated or a.yet_to) and a.lemma in {"restart", "resume"}, (_I, "paused")),
        (lambda a: a.negated or a.yet_to, (_I, "not_started")),
        (lambda a: a.future, None),
        (lambda a: True, (_I, "in_progress")),
    ),
    "pause": (
        (lambda a: a.negated or a.future or a.yet_to, None),
        (lambda a: True, (_I, "paused")),
    ),
    "supersede": (
        (lambda a: a.negated or a.future, None),
        (lambda a: True, (_I, "superseded")),
    ),
}


def _status(cls: str, aspect: _Use) -> tuple[str, str] | None:
    """(axis, status) for a verb of class `cls` with this aspect, by the first rule of the class that holds."""
    return next((then for when, then in _STATUS_RULES.get(cls, ()) if when(aspect)), None)


def _qualified(text: str, start: int, end: int, status: str) -> str:
    """In principle / in part near the verb ("endorsed in principle", "largely agreed", 'agreed "in part"')."""
    clause_end = len(text)
    m = re.search(r"[;.]|\bbut\b|\bwhile\b|\bwhereas\b", text[end:])
    if m:
        clause_end = end + m.start()
    after = text[end:min(clause_end, end + 90)]
    before = text[max(0, start - 30):start]
    window = before + " " + text[start:end] + " " + after
    if re.search(r"\b(?:fully|in\s+full)\b", text[max(0, start - 12):min(clause_end, end + 12)], re.I):
        return status
    if status == "accepted" and lx.PRINCIPLE.search(window):
        return "accepted_in_principle"
    if lx.PARTIAL.search(window):
        return "partially_accepted" if status == "accepted" else "partially_implemented"
    if status == "implemented" and (_SOME_OF_THE_DOERS.search(text[max(0, start - 60):start])
                                    or _OTHERS_NOT_YET.match(text[end:clause_end + 80])
                                    or _BY_SOME.match(text[end:clause_end])):
        return "partially_implemented"  # "Most trusts have built it in, although some have yet to"
    return status


# a done verb whose subject is only some of those who must act ("most trusts have", "half of boards have"), or
# that is followed by the others who have not: done in part
# (the quantifiers are the partitives of tracker.extract.targets: some of a set, never the whole)
_DOERS = (r"(?:the\s+)?(?:trusts|organisations|boards|providers|systems|employers|bodies|areas|regions|sites|icbs"
          r"|integrated\s+care\s+boards)\b")
_SOME_OF_THE_DOERS = re.compile(rf"(?:^|[.;:,]\s*|\b(?:and|but)\s+){EXISTENTIAL}\s+(?:of\s+)?{_DOERS}[^.;:]*$", re.I)
_BY_SOME = re.compile(rf"^\s+(?:[\w-]+\s+){{0,3}}?(?:by|in)\s+{EXISTENTIAL}\s+(?:of\s+)?{_DOERS}", re.I)
_OTHERS_NOT_YET = re.compile(r"^[^.;]*?,?\s*(?:although|though|but|while|whereas)\s+(?:some|others|a\s+few|not\s+all|"
                             r"many)\b[^.;]*\b(?:yet\s+to|still\s+to|not\s+yet|have\s+not|haven't)\b", re.I)


def link(text: str, predicates: list[Predicate], refs: list[Reference]) -> list[Frame]:
    """Each predicate with the references it governs, clause by clause."""
    frames: list[Frame] = []
    previous: list[Reference] = []  # the references of the last clause that had any
    for lo, hi in clauses(text):
        preds = [p for p in predicates if lo <= p.start < hi]
        crefs = [r for r in refs if lo <= r.start < hi]
        local = [_frame(text, preds, k, crefs, lo, hi) for k in range(len(preds))]
        _share_coordinated(text, local)
        elided = bool(_ELIDED_SUBJECT.match(text[lo:hi])) and not crefs
        for f in local:
            if not f.refs and not f.subordinate and elided and f.predicate.direction != "after":
                f.refs = list(previous)  # "was started in 2015 but has been on hold since": the same subject
            if not f.refs and not f.subordinate:
                f.anaphoric = _anaphor_near(text, f.predicate, lo, hi)
        previous = next((f.refs for f in reversed(local) if f.refs), previous)
        frames.extend(local)
    return frames


_ELIDED_SUBJECT = re.compile(r"^\s*(?:(?:has|have|had|is|are|was|were|remains?|remained)\b|(?:then|later|since|"
                             r"subsequently)\s+(?:has|have|had|is|are|was|were)\b)", re.I)


def _frame(text: str, preds: list[Predicate], k: int, crefs: list[Reference], lo: int, hi: int) -> Frame:
    """Predicate k of a clause with the references between it and its neighbours that it governs."""
    p = preds[k]
    if _OWN_SUBORDINATE.search(text[lo:p.start]):
        return Frame(p, [], subordinate=True)  # about its own subject, not a recommendation
    prev_end = preds[k - 1].end if k else lo
    next_start = preds[k + 1].start if k + 1 < len(preds) else hi
    # "accepted recommendations 1 to 3, and recommendation 4 is under consideration": after ", and" the next
    # verb's own subject begins, and the references there are its, not this verb's objects
    upto = next_start
    if k + 1 < len(preds) and preds[k + 1].direction != "after":
        upto = _subject_starts(text, p.end, next_start) or next_start
    if k and p.direction != "after":
        prev_end = _subject_starts(text, prev_end, p.start) or prev_end
    after = _group(text, [r for r in crefs if p.end <= r.start < upto], first=True)
    before = _group(text, [r for r in crefs if prev_end <= r.start and r.end <= p.start + 1], first=False)
    if p.direction == "after":
        chosen = after or _relative(text, crefs, p, prev_end) or (before if not p.lemma else [])
        if not chosen and not [q for q in preds if q.start < p.start]:
            chosen = [r for r in before if _headline(text, r, p)]
    elif p.direction == "before":
        before = [r for r in before if not _OTHER_NOUN_RELATIVE.search(text[r.end:p.start])]
        chosen = before or ([r for r in after if _colon_or_leading(text, p, r)])
        if not chosen and k and preds[k - 1].direction == "after":
            # "the two recommendations that ministers accepted - A and B - were paused": the relative clause's
            # noun is this verb's subject too
            chosen = _relative(text, crefs, preds[k - 1], lo)
        if not chosen and after and _WORK_ON.match(text[p.end:after[0].start]):
            chosen = after  # "Work has not yet begun on recommendations 4 and 10"
    else:  # "seven recommendations, and a decision is awaited on all seven": a count names none, "all seven" does
        chosen = after if _counts_only(before) and after and not _counts_only(after) else (before or after)
    return Frame(p, chosen)


_NEW_CLAUSE = re.compile(r",\s+and\s+|,\s+while\s+|,\s+whereas\s+")


def _subject_starts(text: str, lo: int, hi: int) -> int | None:
    """Where, between two verbs, a coordinated clause with a subject of its own begins (the last ", and")."""
    starts = [m.end() for m in _NEW_CLAUSE.finditer(text, lo, hi)]
    return starts[-1] if starts else None


# "accepted all seven ... and promised a delivery plan that never appeared": the state is the plan's
_OTHER_NOUN_RELATIVE = re.compile(r"\b(?!(?:recommendations?|proposals?|commitments?|ones?)\b)[a-z]{3,}\s+"
                                  r"(?:that|which|who)"
                                  r"\s+(?:[\w-]+\s+){0,2}$", re.I)


_WORK_ON = re.compile(r"^\s*(?:on|towards|against)\s*$", re.I)


def _counts_only(refs: list[Reference]) -> bool:
    return bool(refs) and all(r.kind in ("quantity", "part") for r in refs)


_COORDINATED = re.compile(
    r"^\W*(?:and|or|,)?\s*(?:has|have|was|were|is|are|will|now|then|also|since|subsequently|been|,|\s)*$", re.I)
_SEQUENCED = re.compile(
    r"^[^.;:]{0,60}?(?:,\s*|\s)(?:and\s+then|and\s+later|then|and\s+has\s+since|before\s+being)\s*(?:been\s+)?$", re.I)


def _share_coordinated(text: str, local: list[Frame]) -> None:
    """Coordinated predicates share references: "accepted and has implemented recommendation 3"."""
    for k, f in enumerate(local):
        if f.refs or f.subordinate:
            continue
        neighbours = [local[k + 1]] if k + 1 < len(local) else []
        neighbours += [local[k - 1]] if k else []
        for n in neighbours:
            between = text[min(f.predicate.end, n.predicate.end):max(f.predicate.start, n.predicate.start)]
            if n.refs and (_COORDINATED.search(between) or _SEQUENCED.search(between)):
                f.refs = list(n.refs)
                break


# "has since restarted" is an adverb, not a clause of its own
_SUBORDINATE = re.compile(
    r"(?<!\bhas\s)(?<!\bhave\s)(?<!\bhad\s)(?<!\bever\s)"
    r"\b(?:since|because|after|before|when|until|as|once|whereas)\s+(?:[\w'\u2019-]+\s+){0,8}$", re.I)
# a subordinate clause with its own subject right before the verb: "three years after they began"
_OWN_SUBORDINATE = re.compile(
    r"(?<!\bhas\s)(?<!\bhave\s)(?<!\bhad\s)(?<!\bever\s)"
    r"\b(?:since|because|after|before|when|until|once|whereas|while)\s+(?:[\w'\u2019-]+\s+){1,6}$", re.I)


# "agreed to introduce a barring scheme, taking that recommendation forward": what the decision answers, named after it
_PARTICIPLE_ANAPHOR = re.compile(r"[^;.]*?,\s+(?:so\s+|thereby\s+|in\s+)?(?:taking|accepting|implementing|adopting|"
                                 r"delivering|fulfilling|meeting|answering)\s+(?:that|this|the|its)\s+"
                                 r"(?:recommendation|proposal|commitment)\b(?!\s+(?:\d|to|that|for|on|of)\b)", re.I)


# a pronoun inside the subject, after its head noun and a preposition: "work on it", "the plan promised alongside them"
_EMBEDDED_ANAPHOR = re.compile(r"(?P<head>[A-Za-z-]+)\s+(?:[a-z]+ed\s+)?(?:alongside|for|of|with|to|on|about|from|"
                               r"against|behind|towards|under)\s+(?:them|it|these|those)\s*$", re.I)
# what is done to a recommendation itself: its work, its progress, its implementation
_WORK_NOUNS = {"work", "progress", "implementation", "action", "delivery", "movement", "nothing", "anything",
               "something", "little", "much", "decision", "decisions", "consultation", "development"}


def _anaphor_near(text: str, p: Predicate, lo: int, hi: int) -> bool:
    """A pronoun or "the recommendation" where the predicate's subject (passive, state) or object
    (active) is: "work on it has been on hold", "ministers have agreed it". A verb in a subordinate
    clause with its own subject ("since NHS England began ...") is about something else."""
    before = text[max(lo, p.start - 50):p.start]
    after = text[p.end:min(hi, p.end + 40)]
    if _SUBORDINATE.search(text[lo:p.start]):
        return False
    if p.direction == "after":
        # "..., which ministers have agreed"; "said that they will introduce" is a subject, not an object
        relative = re.search(r"\bwhich\b", before[-40:], re.I)
        inside = text[p.start:p.end].split(None, 1)[-1] if " " in text[p.start:p.end] else ""  # "taking them forward"
        return bool(lx.ANAPHORS.search(after) or lx.ANAPHORS.search(inside)) or bool(relative) \
            or bool(_PARTICIPLE_ANAPHOR.match(text, p.end))
    embedded = _EMBEDDED_ANAPHOR.search(before)
    if embedded and embedded.group("head").lower() not in _WORK_NOUNS:
        # "the delivery plan promised alongside them never appeared": the plan's fate, not theirs
        return p.direction == "both" and bool(lx.ANAPHORS.search(after))
    return bool(lx.ANAPHORS.search(before)) or (p.direction == "both" and bool(lx.ANAPHORS.search(after)))


_JOINED = re.compile(
    r"^\s*[\"\u201c\u201d\u2018\u2019]?\s*(?:(?:in\s+full|in\s+part|in\s+principle|fully|partly|partially)\s*[\"\u201c\u201d\u2018\u2019]?\s*)?"
    r"(?:of\s+(?:the\s+)?[\w\u2019' ]{0,40}?(?:review|report)['\u2019]?s?\s*)?"
    r"(?:(?:in\s+full|in\s+part|in\s+principle|fully|partly|partially)\s*[\"\u201c\u201d\u2018\u2019]?\s*)?"
    r"(?:,|and|or|&|as\s+well\s+as|,\s*and)?\s*(?:recommendations?)?\s*$", re.I)


def _group(text: str, refs: list[Reference], first: bool) -> list[Reference]:
    """The references a verb governs are one group: "recommendations 1 and 2, and 5", not every one in reach."""
    if len(refs) <= 1:
        return refs
    def joined(a: Reference, b: Reference) -> bool:  # a count is never one item of a list ("the seven, one has")
        return bool(_JOINED.match(text[a.end:b.start])) and not _counts_only([a]) and not _counts_only([b])

    if first:
        out = [refs[0]]
        for r in refs[1:]:
            if not joined(out[-1], r):
                break
            out.append(r)
        return out
    out = [refs[-1]]
    for r in reversed(refs[:-1]):
        if not joined(r, out[0]):
            break
        out.insert(0, r)
    return out


def _relative(text: str, refs: list[Reference], p: Predicate, floor: int) -> list[Reference]:
    """"..., recommendation 6, which ministers have now agreed": the reference before a relative pronoun."""
    before = [r for r in refs if r.end <= p.start]
    if not before:
        return []
    r = before[-1]
    between = text[r.end:p.start]
    if re.match(r"^[^.;]{0,60}?\b(?:which|that|whom)\b", between, re.I) and len(between) < 90:
        return [r]
    # "the Kerr review, whose six recommendations the government is still considering": the object comes first
    if re.search(r"\bwhose\s+$", text[max(0, r.start - 8):r.start], re.I) and re.match(r"^[^,.;:]{1,60}$", between):
        return [r]
    # "seven recommendations, all of which the Government accepted": the quantifier is the object
    if r.kind == "anaphor_all" and re.search(r"\b(?:which|whom)\s*$", text[r.start:r.end], re.I) and \
            re.match(r"^[^,.;:]{1,60}$", between):
        return [r]
    return []


def _headline(text: str, r: Reference, p: Predicate) -> bool:
    """"Recommendation 4: accepted" - a reference then a colon or dash, then the verb."""
    gap = _OF_THE_REVIEW.sub("", text[r.end:p.start], count=1)  # "Recommendation 3 of the Kark review: accepted"
    return bool(re.match(r"^[^\w]*[:\u2013\u2014-]\s*$", gap)) or bool(
        re.match(r"^\s*(?:\([^)]*\))?\s*[:\u2013\u2014-]?\s*$", gap))


_OF_THE_REVIEW = re.compile(
    r"^\s*of\s+(?:the\s+)?[\w\u2019' ]{0,40}?(?:review|report)['\u2019]?s?(?=\s*[:\u2013\u2014-])", re.I)


_LEADING_QUALIFIER = re.compile(r"^\s*(?:in\s+principle|in\s+part|in\s+full)?\s*[:\u2013-]", re.I)


def _colon_or_leading(text: str, p: Predicate, r: Reference) -> bool:
    """"Accepted in principle: recommendations 4 and 5" - a passive headline before a colon."""
    gap = text[p.end:r.start]
    return ":" in gap or bool(_LEADING_QUALIFIER.match(gap)) or p.start < 3


_CLOSING_QUALIFIER = re.compile(r",\s*(?:in\s+principle|in\s+part|in\s+full|partially|partly)\s*$", re.I)


_PART_OF = re.compile(r"\b(?:(?:a|one|some|the\s+first|the\s+main)\s+)?(?:part|parts|element|elements|aspects?)\s+of"
                      r"\s+(?:the\s+|its\s+|their\s+)?$", re.I)


def qualify_for(text: str, p: Predicate, ref: Reference, refs: list[Reference]) -> Predicate:
    """The qualifier that belongs to this reference: "accepted recommendations 1 and 2 in full and
    recommendation 3 'in part'" - in part is recommendation 3's, not 1's and 2's."""
    accepted, implemented = family("accepted"), family("implemented")
    if p.status not in accepted + implemented:
        return p
    if _PART_OF.search(text, 0, ref.start) and p.status in ("accepted", "implemented"):
        # "part of the second recommendation is in place": a part of it, so the recommendation only in part
        status = "partially_accepted" if p.status == "accepted" else "partially_implemented"
        return Predicate(p.start, p.end, p.text, p.axis, status, p.direction, p.lemma, p.official_subject, p.finite)

    def stop_after(pos: int, limit: int) -> int:
        later = [r.start for r in refs if r.start >= pos]
        m = re.search(r"[;.]|\bbut\b", text[pos:])
        return min([pos + limit] + later + ([pos + m.start()] if m else []))

    if ref.start >= p.end:  # "accepted [in principle] recommendation 4 [in part]"
        first = min((r.start for r in refs if r.start >= p.end), default=ref.start)
        before = [r for r in refs if p.end <= r.start and r.end <= ref.start]
        # the verb's own qualifier is every reference's; after an earlier reference, only what follows its
        # last "and" or comma is this one's ("1 and 2 in full, and recommendation 3 in part")
        between = re.split(r"\band\b|[,;]", text[before[-1].end:ref.start])[-1] if before else ""
        segment = text[max(0, p.start - 30):first] + " " + between + " " + text[ref.end:stop_after(ref.end, 70)]
        # "accept recommendations 1 and 2, on A and B, in principle": the qualifier closing the clause
        tail = _CLOSING_QUALIFIER.search(text[ref.end:stop_after(ref.end, 400)])
        if tail:
            segment = tail.group(0).lstrip(", ") + " " + segment
    else:  # "recommendation 4, on X, is accepted in principle"
        segment = text[max(ref.end, p.start - 30):stop_after(p.end, 90)]
    base = "accepted" if p.status in accepted else "implemented"
    status = _qualified(segment, 0, 0, base) if segment.strip() else p.status
    if status == base and p.status != base and not re.search(r"\b(?:fully|in\s+full)\b", segment, re.I):
        return p  # partial for a reason outside this segment ("A is running, but B has not been built")
    if status == p.status:
        return p
    return Predicate(p.start, p.end, p.text, p.axis, status, p.direction, p.lemma, p.official_subject, p.finite)
