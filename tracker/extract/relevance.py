"""Relevance: is a publication about NHS leadership, management, talent, boards or a tracked review?"""

from __future__ import annotations

import re


_TOPIC = re.compile(r"\b(leadership|leaders?|management|managers?|talent|boards?|governance|fit and proper)\b", re.I)
_KEYWORDS = re.compile(
    r"\b(NHS leadership|leadership development|senior leaders?|board members?|talent management|"
    r"fit and proper persons?|leadership review|management training|NHS managers?)\b",
    re.I,
)


def relevance(
    title: str, topics: list[str] | tuple[str, ...], body: str, owner: str | None, named_reviews: set[str]
) -> tuple[bool, str]:
    """(relevant, reason): the reason names what decided it, so an analyst can audit the filter.

    `body` is the publisher's own text; `named_reviews` the tracked reviews its title or body names.
    """
    if owner:
        return True, f"review document: {owner}"
    named = sorted(named_reviews)
    if named:
        return True, "mentions review: " + ", ".join(named)
    for topic in topics:
        if _TOPIC.search(topic):
            return True, f"topic: {topic}"
    m = _KEYWORDS.search(title) or _KEYWORDS.search(body)
    if m:
        return True, f"keyword: {m.group(0).lower()}"
    return False, "no leadership topic, keyword or review mention"
