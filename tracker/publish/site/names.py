"""The names analysts use for reviews ("Kark review (2019)"), in one place.

The registry may give a review a `short_name`; until it does for every review, the name is derived
from the surname the registry already records and the year the review was published.
"""

from __future__ import annotations

from datetime import date

from tracker.registry import load_reviews


def short_name(review_id: str, title: str, published_on: date | None, given: str | None = None) -> str:
    """'Smith review (2015)'; the registry's or warehouse's short_name when there is one."""
    if given:
        return given
    registered = {r.review_id: r for r in load_reviews()}.get(review_id)
    explicit = getattr(registered, "short_name", None) if registered else None
    if explicit:
        return explicit
    year = f" ({published_on.year})" if published_on else ""
    surname = registered.surname if registered else ""
    if surname:
        return f"{surname} review{year}"
    head = title.split(":")[0].strip() or review_id
    return f"{head}{year}"
