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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.extract import lexicon as lx
from tracker.extract.targets import Reference
from tracker.vocabulary import IMPLEMENTATION, RESPONSE

_TOKEN = re.compile(r"[A-Za-z]+(?:n't)?|[\u2019']s|[\u2019']ve|[\u2019']ll|\d+[a-z]?|[^\sA-Za-z\d]")
_CLAUSE_BREAK = re.compile(r";|\s+but\s+|\s+while\s+|,\s*(?:while|whereas|although|though|however)\b|\s+whereas\s+|\s+although\s+|\s+\u2013\s+|\s+\u2014\s+|\s+-\s+")
_DETERMINERS = {"the", "a", "an", "its", "their", "our", "his", "her", "this", "that", "these", "those", "some", "any",
                "no", "of", "for", "with", "in", "on", "to", "by", "and", "or", "further", "more", "new", "national",
                "regional", "local", "first", "second", "initial", "what", "whose", "much", "little", "every", "each"}
_BASE_SUBJECTS = {"we", "they", "i", "ministers", "officials", "also", "now", "fully", "formally", "both", "trusts",
                  "bodies", "departments", "you"}
_COMMIT_OBJECTS = {"the", "all", "each", "every", "these", "this", "it", "them", "its", "recommendation", "recommendations",
                   "both", "those"}
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
    return [Token(m.group(0), m.group(0).lower().replace("\u2019", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text)]


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
    """Clause spans; a pair of dashes around an aside ("the first three \u2013 A, B and C \u2013 had") is not a break."""
    asides = [m.span() for m in _PAIRED_DASHES.finditer(text)]
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        if text[m.start():m.end()].strip() in {"\u2013", "\u2014", "-"} and any(a <= m.start() < b or a < m.end() <= b for a, b in asides):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _aux_chain(toks: list[Token], i: int) -> tuple[list[str], int]:
    """The auxiliaries, adverbs and negators right before token i, and where the chain starts."""
    allowed = lx.BE | lx.HAVE | lx.MODAL_FUTURE | lx.MODAL_HYPOTHETICAL | lx.NEGATORS | lx.ADVERBS | {
        "to", "do", "does", "did", "yet", "been", "being", ",", "so", "far", "now", "n't", "is", "then", "also", "longer"}
    chain = []
    j = i - 1
    while j >= 0 and (toks[j].low in allowed) and i - j <= 8:
        chain.append(toks[j].low)
        j -= 1
    chain.reverse()
    if chain and all(w == "," or w in lx.ADVERBS for w in chain):
        return [], i  # ", prepared with ...": commas and adverbs alone are no auxiliary
    return chain, j + 1


def _particles(toks: list[Token], i: int, words: tuple[str, ...]) -> int | None:
    """Index of the last particle token when the lemma's particles follow token i (an object may sit between)."""
    if not words:
        return i
    k = i + 1
    for n, word in enumerate(words):
        limit = k + (6 if n == 0 and word in {"forward", "out", "up", "aside", "down", "in", "on", "off"} else 1)
        while k < len(toks) and k < limit and toks[k].low != word:
            if toks[k].low in {".", ";", ":"}:
                return None
            k += 1
        if k >= len(toks) or toks[k].low != word:
            return None
        k += 1
    return k - 1


def find_predicates(text: str, toks: list[Token] | None = None) -> list[Predicate]:
    """Status predicates in (quote-blanked) text, left to right, none overlapping."""
    toks = toks if toks is not None else tokens(text)
    found: list[Predicate] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern, axis, status, direction in _STATES:
        for m in pattern.finditer(text):
            if free(*m.span()) and not _conditional_before(text, m.start(), modal=True):
                neg = _negated_state(text, m.start())
                if neg:
                    if status in {"implemented"}:
                        status = "not_started"
                    else:
                        continue
                found.append(Predicate(m.start(), m.end(), m.group(0), axis, status, direction))
                taken.append(m.span())
    for i, tok in enumerate(toks):
        entries = lx.VERB_FORMS.get(tok.low)
        if not entries:
            continue
        for entry, kind in entries:
            last = _particles(toks, i, entry.words)
            if last is None:
                continue
            if not entry.words and tok.low in lx.NEEDS_PARTICLE:
                continue
            pred = _predicate(text, toks, i, last, entry, kind)
            if pred and free(pred.start, pred.end):
                found.append(pred)
                taken.append((pred.start, pred.end))
            break
    asides = [m.span() for m in _PAIRED_DASHES.finditer(text)] + [m.span() for m in re.finditer(r"\([^()]{0,200}\)", text)]
    found = [p for p in found if not any(a < p.start and p.end <= b for a, b in asides)]  # an aside describes
    return sorted(found, key=lambda p: p.start)


_STATES = [(re.compile(r"\b" + p + r"(?![\w-])", re.I), a, s, d) for p, a, s, d in lx.STATES]


def _conditional_before(text: str, start: int, modal: bool = False) -> bool:
    """"If accepted, ...", "it is unclear whether X has been implemented": a condition or a question in
    the same clause, not a statement. A verbless state has no auxiliary chain to carry its modal
    ("would be in place"), so for states a modal in the clause counts too."""
    window = text[max(0, start - 200):start]
    if re.search(r"\b(?:if|unless|whether|until|once|when)\b[^.;:,]*$", window, re.I):
        return True
    return modal and bool(re.search(r"\b(?:should|could|would|might|must)\b[^,.;]*$", window[-80:], re.I))


def _recommended_wording(text: str, start: int, chain: list[str], kind: str) -> bool:
    """"the recommendation that a national function be set up": the recommendation's own (subjunctive)
    wording, not news of it. A relative clause ("recommendations that have been met") is news."""
    if not (kind == "base" or (chain and chain[0] in {"be", "should", "to"})):
        return False
    window = text[max(0, start - 160):start]
    return bool(re.search(r"\b(?:recommendations?|recommended|proposals?|proposed|called\s+for|calls\s+for|asked)\s+"
                          r"(?:that|for)\b[^,.;:]*$", window, re.I))


def _negated_state(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:not|n't|never)\s+(?:yet\s+|now\s+|fully\s+)*$", text[max(0, start - 20):start], re.I))


def _predicate(text: str, toks: list[Token], i: int, last: int, entry: lx.VerbEntry, kind: str) -> Predicate | None:
    chain, chain_start = _aux_chain(toks, i)
    lead = toks[chain_start - 1].low if chain_start > 0 else ""
    cls = entry.cls
    has_be = any(w in lx.BE or w in {"been", "being"} for w in chain)
    perfect = any(w in lx.HAVE for w in chain)
    negated = any(w in lx.NEGATORS for w in chain) or "no longer" in " ".join(chain)
    yet_to = "yet" in chain and "to" in chain
    hypothetical = any(w in lx.MODAL_HYPOTHETICAL for w in chain)
    future = any(w in lx.MODAL_FUTURE for w in chain)
    if "would" in chain and not re.search(r"\b(?:said|says|announced|confirmed|agreed|promised|pledged|decided|made\s+clear|"
                                          r"stated|told|undertook|committed)\b[^.;]{0,60}$", text[:toks[chain_start].start], re.I):
        return None  # "which would build ...": hypothetical, unless a reported decision ("said it would")
    to_inf = "to" in chain and not yet_to
    if to_inf and not future:
        if lead in lx.NON_COMMITTAL_LEADS or lead not in lx.FUTURE_LEADS and not (has_be and chain[0] in lx.BE):
            return None  # "asked NHS England to implement", "in order to deliver"
        lead_chain, _ = _aux_chain(toks, chain_start - 1)
        if any(w in lx.MODAL_HYPOTHETICAL for w in lead_chain):
            return None
        negated = negated or any(w in lx.NEGATORS for w in lead_chain)  # "does not intend to pursue"
        future = True
    if hypothetical:
        return None
    passive = has_be and kind in {"ed", "pp"}
    progressive = (kind == "ing" and (has_be or lead in {"started", "begun", "began", "continues", "continued", "keeps"})
                   or "being" in chain and kind in {"ed", "pp"})
    if kind == "ing" and not progressive:
        prev = toks[chain_start - 1].low if chain_start > 0 else ""
        if cls not in {"decide", "refuse"} or prev not in {",", "by", "after", "while", "since", "in", "also", "and"}:
            return None  # "Backing for leaders": a noun; ", accepting four of them": a participle
    if kind in {"base", "s"} and not chain:
        prev = toks[i - 1].low if i else ""
        if kind == "base" and prev not in _BASE_SUBJECTS:
            return None
        if kind == "s" and (prev in _DETERMINERS or not prev):
            return None
    if kind in {"base"} and chain and all(w in lx.ADVERBS for w in chain):
        prev = toks[chain_start - 1].low if chain_start else ""
        if prev not in _BASE_SUBJECTS:
            return None
    if kind in {"ed", "past", "pp"} and not chain and i and toks[i - 1].low in _DETERMINERS - {"and", "or", "to", "by"}:
        if toks[i - 1].low in {"the", "a", "an", "its", "their", "this", "these"}:
            return None  # "the accepted recommendations": an adjective, read by the list/lead-in logic instead
    present_simple = kind in {"base", "s"} and not future and not perfect and not has_be and "did" not in chain
    if present_simple and re.search(r"\b(?:that|which|who)\s+(?:[\w-]+\s+){0,4}$", text[:toks[i].start], re.I):
        return None  # "a framework that every national body signs up to": describes, does not report
    past = kind in {"ed", "past", "pp"} or perfect or "did" in chain
    status = _status(cls, entry.lemma, negated, yet_to, future, progressive, past, present_simple, passive)
    if status is None:
        return None
    axis, st = status
    if entry.lemma == "launch" or cls == "begin" or entry.lemma in {"start", "begin"}:
        nxt = {t.low for t in toks[last + 1:last + 5]}
        if entry.lemma == "launch" and nxt & _BEGIN_OBJECTS and st == "implemented":
            axis, st = IMPLEMENTATION, "in_progress"
    nxt_word = toks[last + 1].low if last + 1 < len(toks) else ""
    if cls in {"decide", "refuse"} and nxt_word in {"who", "what", "how", "whether", "when", "where", "why", "on", "about", "that"}:
        return None  # "have not agreed who would pay": a decision about something else
    if cls != "supersede" and not chain and kind in {"ed", "pp"} and last + 1 < len(toks) and toks[last + 1].low == "by" and \
            not lx.OFFICIAL_ACTORS.search(text[toks[last + 1].end:toks[min(last + 5, len(toks) - 1)].end]):
        return None  # "standards backed by accredited training": a description, not a decision by the owning body
    if cls == "progress" and not chain and kind in {"ed", "pp"} and not _has_object(toks, last):
        return None  # "a curriculum, developed by Health Education England": a description
    if entry.lemma == "meet" and not passive and not any(t.low in {"recommendation", "recommendations", "rec", "it", "them", "this"}
                                                         for t in toks[last + 1:last + 5]):
        return None  # "we met leaders": meeting people, not meeting a recommendation
    if entry.lemma == "replace" and not any(t.low in {"by", "with"} for t in toks[last + 1:last + 3]):
        return None
    start = toks[chain_start].start if chain else toks[i].start
    end = toks[last].end
    if _conditional_before(text, start) or _recommended_wording(text, start, chain, kind):
        return None
    if re.search(r"\b(?:about|on|as\s+to|know|knows|say|says|said|decide|decided|clear|unclear|asks?|asked|explains?|"
                 r"sets?\s+out|describes?|shows?|considers?|consider)\s+"
                 r"(?:which|what|how|whether|why|when)\b[^.;]{0,120}$", text[:start], re.I):
        return None  # an indirect question: "honest about which ones it does not intend to pursue"
    if axis == RESPONSE and st == "accepted":
        st = _qualified(text, start, end, "accepted")
    elif axis == IMPLEMENTATION and st == "implemented":
        st = _qualified(text, start, end, "implemented")
    if passive or cls in {"begin", "pause", "supersede"} and not passive and kind not in {"base"}:
        direction = "before" if passive else "both"
    else:
        direction = "after"
    if entry.lemma == "commit":
        after = [t.low for t in toks[last + 1:last + 4]]
        if not after or after[0] != "to" or not (len(after) > 1 and (after[1].endswith("ing") or after[1] in _COMMIT_OBJECTS)):
            return None  # "committed to better leadership" is a sentiment; "committed to implementing it" a decision
    subject = text[max(0, start - 60):start]
    finite = bool(chain) or kind in {"s", "base", "past"} or (kind == "ed" and _has_object(toks, last))
    return Predicate(start, end, text[start:end], axis, st, direction, entry.lemma,
                     bool(lx.OFFICIAL_ACTORS.search(subject)), finite)


def _has_object(toks: list[Token], last: int) -> bool:
    """A bare -ed form followed by its object is a finite verb ("NHS England launched the register");
    followed by an agent or a phrase it is a participle ("programmes designed jointly by ...")."""
    k = last + 1
    while k < len(toks) and toks[k].low in lx.ADVERBS:
        k += 1
    return k < len(toks) and toks[k].low not in {"by", "in", "on", "at", "for", "with", "from", "to", ",", ".", ";", ":", "as", "and", "or"}


def _status(cls, lemma, negated, yet_to, future, progressive, past, present_simple, passive):
    if cls == "decide":
        if progressive:
            return None  # "a vision is being agreed": neither a decision nor a result yet
        if yet_to or (negated and re.search(r"yet", lemma)):
            return RESPONSE, "under_consideration"
        if negated:
            return RESPONSE, "rejected"
        return RESPONSE, "accepted"
    if cls == "refuse":
        return None if negated or yet_to else (RESPONSE, "rejected")
    if cls == "consider":
        if negated or yet_to:
            return None
        if future or progressive:
            return RESPONSE, "under_consideration"
        return None
    if cls == "implement":
        if present_simple and lemma in {"meet", "fulfil"} and not negated:
            return IMPLEMENTATION, "implemented"  # "the update meets recommendation 19"
        if yet_to:
            return IMPLEMENTATION, "not_started"
        if negated:
            return (RESPONSE, "rejected") if future else (IMPLEMENTATION, "not_started")
        if future:
            return RESPONSE, "accepted"
        if progressive:
            return IMPLEMENTATION, "in_progress"
        if past or passive:
            return IMPLEMENTATION, "implemented"
        return None
    if cls == "progress":
        if yet_to:
            return IMPLEMENTATION, "not_started"
        if negated:
            return (RESPONSE, "rejected") if future else (IMPLEMENTATION, "not_started")
        if future:
            return (RESPONSE, "accepted") if lemma in {"take forward", "pursue", "progress"} else None
        if progressive:
            return IMPLEMENTATION, "in_progress"
        if past:  # "has been developed" is a thing made; "has been taken forward" work going on
            return IMPLEMENTATION, ("implemented" if lemma in {"develop"} else "in_progress")
        if present_simple and lemma == "take forward":
            return IMPLEMENTATION, "in_progress"
        return None
    if cls == "begin":
        if negated or yet_to:
            return IMPLEMENTATION, "not_started"
        if future:
            return None
        return IMPLEMENTATION, "in_progress"
    if cls == "pause":
        if negated or future or yet_to:
            return None
        return IMPLEMENTATION, "paused"
    if cls == "supersede":
        if negated or future:
            return None
        return IMPLEMENTATION, "superseded"
    return None


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
    return status


def link(text: str, predicates: list[Predicate], refs: list[Reference]) -> list[Frame]:
    """Each predicate with the references it governs, clause by clause."""
    frames: list[Frame] = []
    for lo, hi in clauses(text):
        preds = [p for p in predicates if lo <= p.start < hi]
        crefs = [r for r in refs if lo <= r.start < hi]
        local: list[Frame] = []
        for k, p in enumerate(preds):
            if _OWN_SUBORDINATE.search(text[lo:p.start]):
                local.append(Frame(p, [], subordinate=True))  # about its own subject, not a recommendation
                continue
            prev_end = preds[k - 1].end if k else lo
            next_start = preds[k + 1].start if k + 1 < len(preds) else hi
            after = [r for r in crefs if p.end <= r.start < next_start]
            before = [r for r in crefs if prev_end <= r.start and r.end <= p.start + 1]
            after, before = _group(text, after, first=True), _group(text, before, first=False)
            chosen: list[Reference] = []
            if p.direction == "after":
                chosen = after or _relative(text, crefs, p, prev_end) or (before if not p.lemma else [])
                if not chosen and not [q for q in preds if q.start < p.start]:
                    chosen = [r for r in before if _headline(text, r, p)]
            elif p.direction == "before":
                chosen = before or ([r for r in after if _colon_or_leading(text, p, r)])
            else:
                chosen = before or after
            local.append(Frame(p, chosen))
        # coordinated predicates share references: "accepted and has implemented recommendation 3"
        for k, f in enumerate(local):
            if f.refs or f.subordinate:
                continue
            neighbours = [local[k + 1]] if k + 1 < len(local) else []
            neighbours += [local[k - 1]] if k else []
            for n in neighbours:
                between = text[min(f.predicate.end, n.predicate.end):max(f.predicate.start, n.predicate.start)]
                if n.refs and (re.search(r"^\W*(?:and|or|,)?\s*(?:has|have|was|were|is|are|will|now|then|also|since|subsequently|been|,|\s)*$", between, re.I)
                               or re.search(r"^[^.;:]{0,60}?(?:,\s*|\s)(?:and\s+then|and\s+later|then|and\s+has\s+since|before\s+being)\s*(?:been\s+)?$", between, re.I)):
                    f.refs = list(n.refs)
                    break
        for f in local:
            if not f.refs and not f.subordinate:
                f.anaphoric = _anaphor_near(text, f.predicate, lo, hi)
        frames.extend(local)
    return frames


_SUBORDINATE = re.compile(r"\b(?:since|because|after|before|when|until|as|once|whereas)\s+(?:[\w'\u2019-]+\s+){0,8}$", re.I)
# a subordinate clause with its own subject right before the verb: "three years after they began"
_OWN_SUBORDINATE = re.compile(r"\b(?:since|because|after|before|when|until|once|whereas|while)\s+(?:[\w'\u2019-]+\s+){1,6}$", re.I)


def _anaphor_near(text: str, p: Predicate, lo: int, hi: int) -> bool:
    """A pronoun or "the recommendation" where the predicate's subject (passive, state) or object
    (active) is: "work on it has been on hold", "ministers have agreed it". A verb in a subordinate
    clause with its own subject ("since NHS England began ...") is about something else."""
    before = text[max(lo, p.start - 50):p.start]
    after = text[p.end:min(hi, p.end + 40)]
    if _SUBORDINATE.search(text[lo:p.start]):
        return False
    if p.direction == "after":
        return bool(lx.ANAPHORS.search(after)) or bool(re.search(r"\b(?:which|that)\b", before[-40:], re.I) and lx.ANAPHORS.search(before))
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
    if first:
        out = [refs[0]]
        for r in refs[1:]:
            if not _JOINED.match(text[out[-1].end:r.start]):
                break
            out.append(r)
        return out
    out = [refs[-1]]
    for r in reversed(refs[:-1]):
        if not _JOINED.match(text[r.end:out[0].start]):
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
    return []


def _headline(text: str, r: Reference, p: Predicate) -> bool:
    """"Recommendation 4: accepted" - a reference then a colon or dash, then the verb."""
    return bool(re.match(r"^[^\w]*[:\u2013\u2014-]\s*$", text[r.end:p.start])) or bool(
        re.match(r"^\s*(?:\([^)]*\))?\s*[:\u2013\u2014-]?\s*$", text[r.end:p.start]))


def _colon_or_leading(text: str, p: Predicate, r: Reference) -> bool:
    """"Accepted in principle: recommendations 4 and 5" - a passive headline before a colon."""
    gap = text[p.end:r.start]
    return ":" in gap or bool(re.match(r"^\s*(?:in\s+principle|in\s+part|in\s+full)?\s*[:\u2013-]", gap, re.I)) or p.start < 3


_ACCEPT_FAMILY = {"accepted", "accepted_in_principle", "partially_accepted"}
_DONE_FAMILY = {"implemented", "partially_implemented"}


def qualify_for(text: str, p: Predicate, ref: Reference, refs: list[Reference]) -> Predicate:
    """The qualifier that belongs to this reference: "accepted recommendations 1 and 2 in full and
    recommendation 3 'in part'" - in part is recommendation 3's, not 1's and 2's."""
    if p.status not in _ACCEPT_FAMILY | _DONE_FAMILY:
        return p
    def stop_after(pos: int, limit: int) -> int:
        later = [r.start for r in refs if r.start >= pos]
        m = re.search(r"[;.]|\bbut\b", text[pos:])
        return min([pos + limit] + later + ([pos + m.start()] if m else []))

    if ref.start >= p.end:  # "accepted [in principle] recommendation 4 [in part]"
        segment = text[max(0, p.start - 30):ref.start] + " " + text[ref.end:stop_after(ref.end, 70)]
    else:  # "recommendation 4, on X, is accepted in principle"
        segment = text[max(ref.end, p.start - 30):stop_after(p.end, 90)]
    base = "accepted" if p.status in _ACCEPT_FAMILY else "implemented"
    status = _qualified(segment, 0, 0, base) if segment.strip() else p.status
    if status == base and p.status != base and not re.search(r"\b(?:fully|in\s+full)\b", segment, re.I):
        return p  # partial for a reason outside this segment ("A is running, but B has not been built")
    if status == p.status:
        return p
    return Predicate(p.start, p.end, p.text, p.axis, status, p.direction, p.lemma, p.official_subject, p.finite)
