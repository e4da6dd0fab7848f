"""Status phrases: which words say a recommendation was accepted, rejected, implemented, paused ...

Order matters: the more specific phrase (e.g. "accepted in principle", "will be implemented in part",
"not accepted") is tried before the general one ("accepted") it contains. Tense decides the axis:
"will be implemented" is a decision, "has been implemented" an outcome, "is being implemented" progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RESPONSE = "response"
IMPLEMENTATION = "implementation"

RESPONSE_STATUSES = (
    "accepted", "accepted_in_principle", "partially_accepted", "rejected", "under_consideration", "no_response",
)
IMPLEMENTATION_STATUSES = (
    "implemented", "partially_implemented", "in_progress", "paused", "not_started", "superseded", "unknown",
)

_BE = r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been|being|be|been)"
_HAVE = r"(?:has|have|had)(?:\s+now|\s+already|\s+since)?\s+been"

# (axis, status, pattern); first match at a position wins, so specific phrases come first.
_RULES: list[tuple[str, str, str]] = [
    # --- response: negations and qualified acceptance before plain acceptance
    (RESPONSE, "rejected", r"\b(?:does|do|did|will)\s+not\s+(?:fully\s+)?accept\b|\bnot\s+(?:been\s+)?accepted\b|\brejects?\b|\brejected\b|\bdeclines?\s+to\s+(?:accept|implement)\b|\bwill\s+not\s+be\s+(?:taken\s+forward|implemented)\b"),
    (RESPONSE, "accepted_in_principle", r"\baccept(?:s|ed|ing)?\b(?:\s+[\w,\u2019']+){0,8}?\s+in\s+principle\b|\bin\s+principle\b(?:\s+[\w,]+){0,4}?\s+accept(?:s|ed)?\b|\bagree[sd]?\s+in\s+principle\b"),
    (RESPONSE, "partially_accepted", r"\baccept(?:s|ed)?\b(?:\s+[\w,]+){0,6}?\s+in\s+part\b|\bpartially\s+accept(?:s|ed)?\b|\bpartly\s+accept(?:s|ed)?\b|\bwill\s+be\s+implemented\s+in\s+part\b|\bto\s+be\s+implemented\s+in\s+part\b|\baccept(?:s|ed)?\s+part\s+of\b"),
    (RESPONSE, "under_consideration", r"\b(?:will|to)\s+be\s+considered\s+further\b|\bfurther\s+consideration\b|\bunder\s+(?:active\s+)?consideration\b|\bdecision\s+(?:is\s+|was\s+|remains\s+)?(?:still\s+)?awaited\b|\bawaiting\s+(?:a\s+)?decision\b|\bconsider(?:ing)?\s+(?:them|it|these|this|those)\s+further\b|\byet\s+to\s+(?:respond|decide)\b|\bno\s+decision\s+(?:has\s+been|was)\s+(?:made|taken)\b"),
    # --- implementation: negated and qualified outcomes before plain ones
    (IMPLEMENTATION, "superseded", r"\b(?:overtaken|superseded)\b|\b" + _HAVE + r"\s+replaced\s+by\b|\bno\s+longer\s+(?:relevant|applies|needed)\b"),
    (IMPLEMENTATION, "paused", r"\bpaused\b|\bon\s+hold\b|\bsuspended\b|\bstalled\b"),
    (IMPLEMENTATION, "not_started", r"\bno\s+(?:sign|evidence)\s+of\s+(?:any\s+)?progress\b|\bnot\s+(?:yet\s+)?(?:been\s+)?started\b|\bhas\s+not\s+(?:yet\s+)?(?:started|begun)\b|\bnot\s+yet\s+begun\b|\byet\s+to\s+(?:start|begin)\b|\bno\s+progress\s+(?:has\s+been\s+made|on|with)\b|\bno\s+work\s+has\s+(?:started|begun)\b|\b(?:has|have)\s+not\s+(?:yet\s+)?been\s+implemented\b"),
    (IMPLEMENTATION, "partially_implemented", r"\b(?:partially|partly)\s+(?:implemented|delivered|met|in\s+place)\b|\b" + _HAVE + r"\s+(?:implemented|delivered|met)\s+in\s+part\b|\bpart\s+of\s+(?:it|this|the\s+recommendation)\s+" + _HAVE + r"\s+(?:implemented|delivered)\b"),
    (IMPLEMENTATION, "in_progress", r"\b(?:is|are)\s+(?:now\s+|already\s+|still\s+)?being\s+(?:implemented|taken\s+forward|developed|delivered|rolled\s+out|piloted|put\s+in\s+place|progressed|worked\s+on|acted\s+on|introduced)\b|\bunder\s*way\b|\bunderway\b|\bin\s+progress\b|\bwork\s+(?:is|has)\s+(?:now\s+)?(?:started|begun|ongoing|continuing)\b|\b(?:is|are)\s+progressing\b|\btaking\s+forward\b|\bwork\s+(?:on|towards)\s+(?:this|it|these)\s+(?:continues|is\s+continuing)\b"),
    (IMPLEMENTATION, "implemented", r"\b" + _HAVE + r"\s+(?:fully\s+)?(?:implemented|delivered|completed|met|achieved|introduced|put\s+in\s+place|established|enacted)\b|\b(?:was|were)\s+(?:fully\s+)?(?:implemented|delivered|completed|met|achieved|introduced|established|enacted)\b|\b(?:is|are)\s+now\s+in\s+(?:force|place)\b|\bcame\s+into\s+force\b|\bfully\s+implemented\b|\b(?:is|are)\s+(?:now\s+)?complete\b"),
    # --- response: plain acceptance last (after "not accepted", "accepted in principle", ...)
    (RESPONSE, "accepted", r"\baccept(?:s|ed|ing)?\b(?:\s+in\s+full)?|\bwill\s+be\s+implemented(?:\s+in\s+full)?\b|\bagree[sd]?\s+to\s+implement\b|\bwill\s+implement\b|\bendorse[sd]?\b|\bcommit(?:s|ted)\s+to\s+implement(?:ing)?\b|\bto\s+be\s+implemented\s+in\s+full\b|\bwill\s+be\s+taken\s+forward\b"),
]
_COMPILED = [(axis, status, re.compile(pattern, re.I)) for axis, status, pattern in _RULES]


@dataclass(frozen=True)
class StatusPhrase:
    axis: str
    status: str
    start: int
    end: int
    text: str


def find_statuses(sentence: str) -> list[StatusPhrase]:
    """Status phrases in a sentence, left to right; overlapping weaker matches are dropped."""
    found: list[StatusPhrase] = []
    for axis, status, pattern in _COMPILED:
        for m in pattern.finditer(sentence):
            if any(not (m.end() <= f.start or m.start() >= f.end) for f in found):
                continue
            found.append(StatusPhrase(axis, status, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda p: p.start)
