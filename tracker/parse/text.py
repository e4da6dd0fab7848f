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


# C0 controls and DEL, and the C1 controls (U+0080-U+009F: U+009B is a CSI to some terminals)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_LAYOUT = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# What XML 1.0 cannot hold, so neither a workbook's sheet nor an Atom feed: the C0 controls but tab, line feed and
# carriage return, lone surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 refuses dropped."""
    return _NOT_XML.sub("", text)


def printable(text: str | None, multiline: bool = False) -> str | None:
    """Scraped text made safe to store and print: every control character becomes U+FFFD, so an escape
    sequence in a page, a header or a redirect target cannot drive the terminal that shows it (an OSC
    sets the window title or a link, a CSI moves the cursor). `multiline` keeps tab and newline."""
    if text is None:
        return None
    return (_CONTROLS if multiline else _CONTROLS_AND_LAYOUT).sub("\ufffd", text)


def clean(text: str) -> str:
    """Normalise Unicode, collapse white space (non-breaking spaces included) and make control characters
    U+FFFD (`printable`): every parser's text passes here, so a quote or title never carries an escape."""
    if not text.isascii():  # ASCII needs no normalising, and most text is ASCII
        text = unicodedata.normalize("NFKC", text)
    text = _WS.sub(" ", text).strip()
    return text if text.isprintable() else printable(text)


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
