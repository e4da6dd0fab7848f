"""Which tracked review a piece of text names ("the Kark review", "Lord Rose's review")."""

from __future__ import annotations

import re

from tracker.items import Review


class ReviewNamer:
    """Finds mentions of tracked reviews by title or alias, longest name first."""

    def __init__(self, reviews: tuple[Review, ...]):
        names: list[tuple[str, str]] = []
        for review in reviews:
            for name in (review.title, *review.aliases):
                names.append((name, review.review_id))
        names.sort(key=lambda n: len(n[0]), reverse=True)
        self._ids = {}
        parts = []
        for i, (name, review_id) in enumerate(names):
            words = [re.escape(w) for w in re.split(r"[\s\u2019']+", name) if w]
            parts.append(rf"(?P<n{i}>\b" + r"[\s\u2019']*".join(words) + r"(?:[\u2019']s)?\b)")
            self._ids[f"n{i}"] = review_id
        for review in reviews:
            if review.surname:
                i = len(self._ids)
                # case-sensitive: "Rose recommendation 4" names the review, "rose by 4%" does not
                parts.append(
                    rf"(?P<n{i}>\b(?-i:{re.escape(review.surname)})(?:[\u2019']s)?(?=\s+(?:review|report|recommendations?)\b))"
                )
                self._ids[f"n{i}"] = review.review_id
        self._pattern = re.compile("|".join(parts), re.I) if parts else None

    def mentions(self, text: str) -> list[tuple[int, str]]:
        """(position, review_id) for each mention, left to right."""
        if not self._pattern:
            return []
        return [(m.start(), self._ids[m.lastgroup]) for m in self._pattern.finditer(text)]

    def only(self, text: str) -> str | None:
        """The one review the text names, or None when it names none or several."""
        ids = {rid for _, rid in self.mentions(text)}
        return ids.pop() if len(ids) == 1 else None
