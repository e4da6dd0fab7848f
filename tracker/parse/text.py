"""Small text helpers shared by the parsers and extractors."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_WS = re.compile(r"\s+")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_TEXT_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d\d)\b"
)
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)")


def clean(text: str) -> str:
    """Normalise Unicode and collapse white space (non-breaking spaces included)."""
    if not text.isascii():  # ASCII needs no normalising, and most text is ASCII
        text = unicodedata.normalize("NFKC", text)
    return _WS.sub(" ", text).strip()


def parse_date(value: str | None) -> date | None:
    """Read an ISO timestamp or an English text date ("8 June 2022"); None when there is none."""
    if not value:
        return None
    value = value.strip()
    m = _ISO_DATE.search(value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = _TEXT_DATE.search(value)
    if m and m[2].lower() in _MONTHS:
        try:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        except ValueError:
            return None
    return None
