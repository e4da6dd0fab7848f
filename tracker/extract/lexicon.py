"""The lexicon of status statements: verb lemmas by class, their generated inflections, state phrases,
qualifiers and the small closed word classes the grammar (frames.py) reads.

Words live here and nowhere else; frames.py decides what a tense, voice or negation does to them.
A verb is listed once, as a lemma (with any particle: "take forward", "roll out"); every inflection
("takes", "took", "taken", "taking") is generated, so a new verb is one word in one list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- verb classes -----------------------------------------------------------------------------
# decide:    a decision to do what was recommended           -> response accepted
# refuse:    a decision not to                                -> response rejected
# consider:  a decision still to be made (future/ongoing only) -> response under_consideration
# implement: the recommended thing done (perfect), doing (progressive), to be done (future)
# progress:  work towards it (ongoing; past means ongoing too)
# begin:     work starting ("consultation has begun")         -> implementation in_progress
# pause:     work stopped                                     -> implementation paused
# supersede: overtaken by something else                      -> implementation superseded
VERBS: dict[str, tuple[str, ...]] = {
    "decide": (
        "accept", "agree", "endorse", "support", "adopt", "approve", "back", "commit", "sign up to",
        "take up", "embrace", "uphold",
    ),
    "refuse": ("reject", "decline", "drop", "scrap", "abandon", "turn down", "rule out", "dismiss", "decide against"),
    "consider": ("consider", "look at", "look into", "revisit", "reconsider"),
    "implement": (
        "implement", "deliver", "complete", "introduce", "establish", "enact", "put in place", "put into effect",
        "give effect to", "bring into force", "set up",
        "roll out", "carry out", "fulfil", "meet", "achieve", "launch", "action", "create", "bring in",
        "bring together", "merge", "legislate for", "build", "embed", "expand", "extend",
    ),
    "progress": (
        "take forward", "develop", "pilot", "progress", "work on", "trial", "consult on", "pursue", "advance", "draft",
        "negotiate", "finalise", "prepare",
    ),
    "begin": ("begin", "start", "commence", "get under way", "kick off", "restart", "resume"),
    "pause": ("pause", "shelve", "stall", "suspend", "halt", "put on hold", "freeze", "park", "mothball"),
    "supersede": ("supersede", "overtake", "replace", "overtake by events"),
}

_IRREGULAR = {
    "take": ("takes", "took", "taken", "taking"),
    "overtake": ("overtakes", "overtook", "overtaken", "overtaking"),
    "undertake": ("undertakes", "undertook", "undertaken", "undertaking"),
    "begin": ("begins", "began", "begun", "beginning"),
    "set": ("sets", "set", "set", "setting"),
    "put": ("puts", "put", "put", "putting"),
    "meet": ("meets", "met", "met", "meeting"),
    "bring": ("brings", "brought", "brought", "bringing"),
    "get": ("gets", "got", "got", "getting"),
    "freeze": ("freezes", "froze", "frozen", "freezing"),
    "rule": ("rules", "ruled", "ruled", "ruling"),
    "sign": ("signs", "signed", "signed", "signing"),
    "turn": ("turns", "turned", "turned", "turning"),
    "look": ("looks", "looked", "looked", "looking"),
    "kick": ("kicks", "kicked", "kicked", "kicking"),
    "decide": ("decides", "decided", "decided", "deciding"),
    "build": ("builds", "built", "built", "building"),
}
_DOUBLE = {"drop", "scrap", "commit", "stop", "plan", "ship"}  # stressed final syllable: final consonant doubles


def inflections(verb: str) -> dict[str, str]:
    """Every form of a one-word verb: {form: kind}, kind one of base, s, past, pp, ing (past+pp share 'ed')."""
    if verb in _IRREGULAR:
        s, past, pp, ing = _IRREGULAR[verb]
    else:
        if verb in _DOUBLE:
            stem_ed, stem_ing = verb + verb[-1], verb + verb[-1]
        elif verb.endswith("ee"):
            stem_ed, stem_ing = verb[:-1], verb
        elif verb.endswith("e"):
            stem_ed, stem_ing = verb[:-1], verb[:-1]
        elif verb.endswith("y") and verb[-2] not in "aeiou":
            stem_ed, stem_ing = verb[:-1] + "i", verb
        else:
            stem_ed, stem_ing = verb, verb
        if verb.endswith(("s", "sh", "ch", "x", "z")):
            s = verb + "es"
        elif verb.endswith("y") and verb[-2] not in "aeiou":
            s = verb[:-1] + "ies"
        else:
            s = verb + "s"
        past = pp = stem_ed + "ed"
        ing = stem_ing + "ing"
    forms = {verb: "base", s: "s", ing: "ing"}
    if past == pp:
        forms[past] = "ed"
    else:
        forms[past], forms[pp] = "past", "pp"
    if verb == "fulfil":
        forms.update({"fulfill": "base", "fulfills": "s", "fulfilled": "ed", "fulfilling": "ing"})
    return forms


@dataclass(frozen=True)
class VerbEntry:
    lemma: str  # "take forward"
    cls: str  # decide | refuse | ...
    words: tuple[str, ...]  # the lemma's words after the verb ("forward",)


def _verb_table() -> dict[str, list[tuple[VerbEntry, str]]]:
    table: dict[str, list[tuple[VerbEntry, str]]] = {}
    for cls, lemmas in VERBS.items():
        for lemma in lemmas:
            head, *rest = lemma.split()
            entry = VerbEntry(lemma, cls, tuple(rest))
            for form, kind in inflections(head).items():
                table.setdefault(form, []).append((entry, kind))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0].words))  # "take forward" before "take"
    return table


VERB_FORMS = _verb_table()

# Bare verbs that say nothing about a recommendation unless a particle follows ("take" alone).
NEEDS_PARTICLE = {"take", "sign", "turn", "rule", "look", "put", "bring", "get", "kick", "set", "carry", "legislate",
                  "decide"}

# --- state phrases (no verb of their own, or a fixed idiom) ------------------------------------
# (pattern, axis, status, direction); direction says where the target usually is:
# "before" (subject: "X is in place"), "after" ("no sign of X"), "both".
STATES: list[tuple[str, str, str, str]] = [
    (r"(?:little\s+or\s+)?no\s+(?:clear\s+)?(?:sign|evidence|indication)s?(?:\s+(?:yet|so\s+far|as\s+yet))?"
     r"(?:\s+(?:of|that))?(?:\s+any)?(?:\s+(?:progress|movement|action|work))?|nothing\s+to\s+(?:suggest|show|indicate)"
     r"(?:\s+that)?",
     "implementation", "not_started", "after"),
    (r"nothing\s+(?:has\s+|had\s+)?(?:yet\s+)?(?:happened|been\s+done|changed)",
     "implementation", "not_started", "after"),
    (r"no\s+(?:real\s+|further\s+|visible\s+|concrete\s+|discernible\s+)?(?:progress|action|movement)(?:\s+"
     r"(?:has\s+been\s+(?:made|taken)|on|with|towards|against))?",
     "implementation", "not_started", "after"),
    (r"no\s+work\s+(?:has\s+)?(?:yet\s+)?(?:started|begun|been\s+done)", "implementation", "not_started", "after"),
    (r"(?:(?:has|have|had)\s+(?:still\s+)?)?never\s+(?:happened|materiali[sz]ed|appeared|arrived|"
     r"got\s+off\s+the\s+ground|been\s+(?:done|delivered|implemented|set\s+up|created|introduced|established))|"
     r"(?:is|are)\s+yet\s+to\s+(?:happen|materiali[sz]e)",
     "implementation", "not_started", "before"),
    (r"yet\s+to\s+(?:start|begin|be\s+(?:started|implemented|introduced|delivered|set\s+up|established|acted\s+on|"
     r"taken\s+forward|created|launched|rolled\s+out))",
     "implementation", "not_started", "before"),
    (r"not\s+(?:yet\s+)?(?:been\s+)?(?:started|begun)", "implementation", "not_started", "before"),
    (r"(?:is|are|was|were|remains?|(?:has|have)\s+(?:also\s+|now\s+|since\s+)?been)\s+(?:now\s+|already\s+|fully\s+|"
     r"firmly\s+|also\s+|partly\s+|partially\s+|largely\s+)*in\s+(?:place|force|effect|operation)",
     "implementation", "implemented", "before"),
    (r"(?:came|come|comes|coming|brought)\s+into\s+(?:force|effect|operation)",
     "implementation", "implemented", "before"),
    (r"(?:is|are|was|were|has\s+been|have\s+been)\s+(?:now\s+)?(?:fully\s+)?complete",
     "implementation", "implemented", "before"),
    (r"(?:is|are|remains?)\s+(?:now\s+|already\s+|still\s+|well\s+)*(?:under\s*way|in\s+(?:progress|train|hand|"
     r"development|preparation))",
     "implementation", "in_progress", "both"),
    (r"(?:work|progress|preparations?|development|planning|engagement|consultation)\s+(?:is|are|has\s+been)\s+"
     r"(?:now\s+|well\s+)?(?:under\s*way|ongoing|continuing)",
     "implementation", "in_progress", "both"),
    (r"under\s*way", "implementation", "in_progress", "both"),
    (r"(?:is|are|remains?)\s+(?:still\s+)?ongoing", "implementation", "in_progress", "before"),
    (r"(?:is|are|was|were|remains?|been|be)\s+(?:now\s+|still\s+)?(?:on\s+hold|in\s+abeyance|on\s+ice|"
     r"in\s+the\s+long\s+grass)",
     "implementation", "paused", "before"),
    (r"on\s+hold", "implementation", "paused", "both"),
    (r"no\s+longer\s+(?:relevant|needed|necessary|applies|required|being\s+pursued)",
     "implementation", "superseded", "before"),
    (r"overtaken\s+by\s+events", "implementation", "superseded", "before"),
    (r"under\s+(?:active\s+|further\s+)?consideration", "response", "under_consideration", "both"),
    (r"(?:further|more)\s+consideration", "response", "under_consideration", "both"),
    (r"(?:a\s+|the\s+)?decision\s+(?:on\s+[^.;]{1,80}?\s+)?(?:is\s+|was\s+|remains\s+|are\s+)?(?:still\s+)?"
     r"(?:awaited|pending|expected)",
     "response", "under_consideration", "both"),
    (r"(?:awaiting|waiting\s+for|await|awaits)\s+(?:a\s+|the\s+|further\s+|more\s+)?(?:decision|detail|details|"
     r"response|clarity|news|information)",
     "response", "under_consideration", "both"),
    (r"(?:has|have)\s+yet\s+to\s+(?:respond|decide|say|set\s+out\s+(?:its|their)\s+position)|yet\s+to\s+(?:respond|"
     r"decide)",
     "response", "under_consideration", "after"),
    (r"no\s+decision\s+(?:has\s+(?:yet\s+)?been|was|had\s+been)\s+(?:made|taken|reached)",
     "response", "under_consideration", "both"),
    (r"(?:is|are|remains?)\s+(?:still\s+)?undecided", "response", "under_consideration", "before"),
    (r"(?:due|set|expected|scheduled)\s+to\s+be\s+(?:considered|reviewed|looked\s+at|discussed|decided)",
     "response", "under_consideration", "before"),
]

# --- qualifiers ----------------------------------------------------------------------------------
# Inside the predicate's clause, after or just before the verb. "in principle" moves acceptance to
# accepted_in_principle; a partial qualifier makes acceptance or implementation partial.
PRINCIPLE = re.compile(r"\bin\s+principle\b|\bsubject\s+to\s+(?:funding|consultation|further\s+work|legislation|"
                       r"(?:an?\s+|the\s+|further\s+|parliamentary\s+)?(?:[\w-]+\s+){0,2}?(?:assessment|approval|"
                       r"agreement|affordability|resources|the\s+spending\s+review|spending\s+review|budget))\b"
                       r"|\bthe\s+(?:aims?|intent(?:ion)?s?|spirit|principles?|objectives?|ambitions?|direction|thrust|"
                       r"goals?|purpose)\s+(?:of|behind)\b",
                       re.I)
PARTIAL = re.compile(
    r"\bin\s+part\b|\bpartly\b|\bpartially\b|\blargely\b|\bsome\s+(?:elements|parts|aspects)\s+of\b|"
    r"\bwith\s+(?:some\s+)?(?:reservations|caveats|modifications|amendments)\b|\bnot\s+in\s+full\b|"
    r"\bin\s+a\s+(?:modified|amended|different)\s+form\b|\bto\s+some\s+extent\b|\bonly\s+part\s+of\b|"
    r"\b(?:agree[sd]?|accept(?:s|ed)?|support(?:s|ed)?|endorse[sd]?|back(?:s|ed)?)\s+(?:to\s+|with\s+)?(?:only\s+)?"
    r"(?:part|parts|elements?|aspects?|some)\s+of\b",
    re.I,
)

# --- closed word classes ---------------------------------------------------------------------------
NEGATORS = {"not", "n't", "never", "no", "neither", "nor", "cannot"}
MODAL_FUTURE = {"will", "shall", "would", "'ll"}
MODAL_HYPOTHETICAL = {"should", "could", "might", "may", "must", "ought", "can"}
HAVE = {"has", "have", "had", "having", "'ve"}
BE = {"is", "are", "was", "were", "be", "been", "being", "am", "'re"}  # "'s" is nearly always possessive here
# adverbs and particles that may sit between an auxiliary and its verb
ADVERBS = {
    "now", "later", "already", "also", "since", "so", "far", "fully", "formally", "largely", "partly", "partially",
    "broadly", "still", "yet", "just", "recently", "finally", "quickly", "successfully", "subsequently",
    "in", "principle", "part", "full", "effectively", "duly", "then", "originally", "initially", "previously",
    "officially", "quietly", "largely", "mostly", "explicitly", "publicly", "both", "all", "each", "only",
    "eventually", "belatedly", "instead", "therefore", "however", "further", "swiftly", "rapidly", "either",
    "reportedly", "apparently", "clearly", "actually", "indeed", "once", "again", "subsequently", "generally",
    "firmly", "largely", "simply", "gradually", "slowly", "steadily", "widely",
}
# "plans to implement", "is due to publish": a verb after these reads as a future commitment
FUTURE_LEADS = {"plans", "planned", "plan", "intends", "intend", "intended", "aims", "aim", "due", "set", "expected",
                "going", "committed", "commits", "pledged", "pledges", "promised", "promises", "agreed", "agrees",
                "decided", "decides", "undertook", "undertakes", "proposes", "proposed", "wants", "hopes", "hope",
                "ready", "preparing", "prepared", "determined", "resolved", "seeks"}
# leads that do not make a commitment: "called for it to be implemented", "asked NHS England to ..."
NON_COMMITTAL_LEADS = {"hopes", "hope", "wants", "want", "proposes", "proposed", "seeks", "urged", "urges", "called",
                       "calls", "asked", "asks", "wished", "wish", "recommended", "recommends", "expected"}
REPORTING_VERBS = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|argued|argues|warned|warns|claimed|claims|commented|comments|"
    r"believes|believe|thinks|think|stressed|stresses|insisted|insists|noted|notes|suggested|suggests|according\s+to|"
    r"wrote|writes|explained|explains|acknowledged|acknowledges|admitted|admits)\b",
    re.I,
)
# Who the owning body is, when a sentence reports it (the subject of a decision, or a speaker)
OFFICIAL_ACTORS = re.compile(
    r"\b(?:government|ministers?|department|dhsc|department\s+of\s+health(?:\s+and\s+social\s+care)?|"
    r"secretary\s+of\s+state|health\s+secretary|minister|nhs\s+england|nhs\s+improvement|"
    r"spokes(?:person|man|woman)|officials?|the\s+state|whitehall|treasury|cabinet)\b",
    re.I,
)
# Bodies whose support or opposition is an opinion on a recommendation, never its owner's decision ("the BMA
# supports all seven", "endorsed by NHS Providers"); the independent publishers of tracker/speakers.py are added.
NON_OWNERS = (r"bma|british\s+medical\s+association|rcn|royal\s+college\s+of\s+nursing|royal\s+colleges?|unison|"
              r"unite|gmb|unions?|campaigners?|critics?|commentators?|think\s+tanks?|the\s+opposition|"
              r"opposition\s+parties|mps|peers|health\s+service\s+journal|nhs\s+providers|nhs\s+confederation|"
              r"nhs\s+employers|king['\u2019]s\s+fund|health\s+foundation|nuffield\s+trust|fmlm|hfma|ihm|mip|"
              r"managers\s+in\s+partnership|patient\s+groups?|whistle-?blowers?|charities|charity")
ANAPHORS = re.compile(
    r"\b(?:it|its|this|these|they|them|their|those|both|which|each\s+of\s+(?:them|these|those|which)|"
    r"all\s+of\s+(?:them|these|those|which)|(?:the|this|that|these|those)\s+(?:recommendations?|proposals?|"
    r"commitments?|measures?|ideas?|changes?|plans?|work|one|register|database|scheme|framework|standards?|decision|"
    r"function|network|programme|review\s+recommendations?))\b",
    re.I,
)

# A table cell or heading that is only a status ("Accepted", "Complete", "Not started")
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("response", "accepted"), "agreed": ("response", "accepted"), "supported": ("response", "accepted"),
    "accepted in principle": ("response", "accepted_in_principle"),
    "agreed in principle": ("response", "accepted_in_principle"),
    "partially accepted": ("response", "partially_accepted"), "accepted in part": ("response", "partially_accepted"),
    "partly accepted": ("response", "partially_accepted"), "not accepted": ("response", "rejected"),
    "rejected": ("response", "rejected"), "under consideration": ("response", "under_consideration"),
    "implemented": ("implementation", "implemented"), "complete": ("implementation", "implemented"),
    "completed": ("implementation", "implemented"), "delivered": ("implementation", "implemented"),
    "done": ("implementation", "implemented"), "in place": ("implementation", "implemented"),
    "partially implemented": ("implementation", "partially_implemented"),
    "partly implemented": ("implementation", "partially_implemented"),
    "partially delivered": ("implementation", "partially_implemented"),
    "partly complete": ("implementation", "partially_implemented"),
    "partially complete": ("implementation", "partially_implemented"),
    "in progress": ("implementation", "in_progress"), "ongoing": ("implementation", "in_progress"),
    "under way": ("implementation", "in_progress"), "underway": ("implementation", "in_progress"),
    "on track": ("implementation", "in_progress"), "paused": ("implementation", "paused"),
    "on hold": ("implementation", "paused"), "stalled": ("implementation", "paused"),
    "not started": ("implementation", "not_started"), "not yet started": ("implementation", "not_started"),
    "no progress": ("implementation", "not_started"), "superseded": ("implementation", "superseded"),
}

# Nouns that name a recommendation: "recommendation 4", "Rec 5", "proposal 3", "action 2"
REC_NOUNS = r"(?:recommendations?|recs?\.?|proposals?|commitments?)"
