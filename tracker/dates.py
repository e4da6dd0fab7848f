"""Dates that cannot poison the picture: none before 1990 and none more than a day in the future.

A date in the future would make its statement the "latest" word on a recommendation for years (and a
capture dated 2999 the newest capture of its URL for ever, whatever is ingested after it); a date
before 1990 (an epoch default, a mistyped year) would bury it. Every date that enters goes through
`implausible` (or `plausible_or_none`): `tracker ingest --published` and `import-warc` refuse such a
date; a corrections row with one is reported, not applied; a WARC record dated so is not indexed; a
date read from a page, a listing or a record's publication header is treated as missing (and counted
with the pages without a date).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

EARLIEST = date(1990, 1, 1)
# A page dated today in a time zone ahead of UTC is already tomorrow in UTC: one day's grace.
GRACE = timedelta(days=1)


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def implausible(value: date | datetime | None, today: date | None = None) -> str | None:
    """Why a date (or a moment, read in UTC) cannot be right ("is in the future", "is before 1990"), or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = (value.astimezone(timezone.utc) if value.tzinfo else value).date()
    if value > (today or today_utc()) + GRACE:
        return "is in the future"
    if value < EARLIEST:
        return f"is before {EARLIEST.year}"
    return None


def plausible_or_none(value: date | None, today: date | None = None) -> date | None:
    """The date, or None when it cannot be right."""
    return None if implausible(value, today) else value
