"""Why a request failed, in plain words: "name not resolved", "connection refused", never a traceback.

The fetch chain classifies a failure where it happens: a `Failure` carries a `FailureKind` (an enum)
and the full text the WARC metadata keeps. Source health and the run's notes show `Failure.phrase`,
the short words below, which are exactly what `plain_reason` has always made of the same text.

`plain_reason` stays for text that has no kind: an exception raised elsewhere (its chain -- cause,
context, urllib3's `reason` -- is read by class) and errors persisted by older runs (crawl state's
`last_error`, read by the watchlist).
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass
from enum import Enum

from tracker.fetch.urls import BadUrl
from tracker.parse.text import printable


class FailureKind(Enum):
    """What went wrong with a request; the value is the plain-words phrase shown to people."""

    NAME_NOT_RESOLVED = "name not resolved"
    CONNECTION_REFUSED = "connection refused"
    ADDRESS_NOT_ALLOWED = "address not allowed (private network)"
    TLS = "TLS failure"
    TIMED_OUT = "timed out"
    CONNECTION_DROPPED = "connection dropped"
    NETWORK_UNREACHABLE = "network unreachable"
    CONNECTION_FAILED = "connection failed"
    TOO_LARGE = "response too large"
    REDIRECT_REFUSED = "redirect refused"
    HOST_NOT_ALLOWED = "host not allowed"
    SCHEME_NOT_ALLOWED = "scheme not allowed"  # phrased "request failed", as before kinds existed
    BAD_URL = "bad URL"  # phrased "request failed", as before kinds existed
    ROBOTS_DISALLOWED = "disallowed by robots.txt"
    ROBOTS_UNREACHABLE = "robots.txt unreachable"  # phrase: "robots.txt unreachable: <why>"
    HTTP_STATUS = "HTTP"  # phrase: "HTTP 503"
    HOST_STOPPED = "host stopped"  # the host asked for a wait longer than the run; phrase: its "HTTP 429"
    NOT_IN_ARCHIVE = "not in archive"  # replay; phrased "request failed", as before kinds existed
    REQUEST_FAILED = "request failed"


@dataclass(frozen=True)
class Failure:
    """One failure: its kind, the whole text (for the archive and crawl state) and what the phrase needs."""

    kind: FailureKind
    text: str
    status: int = 0  # the HTTP status behind HTTP_STATUS and HOST_STOPPED
    cause: str = ""  # ROBOTS_UNREACHABLE: why robots.txt could not be read, in plain words

    @property
    def phrase(self) -> str:
        if self.kind in (FailureKind.HTTP_STATUS, FailureKind.HOST_STOPPED):
            return f"HTTP {self.status}"
        if self.kind is FailureKind.ROBOTS_UNREACHABLE:
            return f"robots.txt unreachable: {self.cause}"
        if self.kind in _WORDED_AS_FAILED:
            return FailureKind.REQUEST_FAILED.value
        return self.kind.value

    def redirected(self, target: str) -> "Failure":
        """This refusal met on a redirect hop: the earlier hop fails with it. An address or robots.txt
        refusal keeps its kind (it says more than "redirect refused")."""
        keep = self.kind in (FailureKind.ADDRESS_NOT_ALLOWED, FailureKind.ROBOTS_UNREACHABLE)
        kind = self.kind if keep else FailureKind.REDIRECT_REFUSED
        return Failure(kind, f"redirect to {printable(target)} refused: {self.text}", self.status, self.cause)


# Kinds source health has always shown as "request failed" (kept so its reasons read as before).
_WORDED_AS_FAILED = (FailureKind.NOT_IN_ARCHIVE, FailureKind.SCHEME_NOT_ALLOWED, FailureKind.BAD_URL)
_PHRASE_KINDS = {kind.value: kind for kind in FailureKind}


def kind_of_exception(exc: BaseException, default: FailureKind = FailureKind.REQUEST_FAILED) -> FailureKind:
    """The kind of a network exception, read from its class chain (its text only where classes are silent)."""
    phrase = _from_exception(exc)
    kind = _PHRASE_KINDS.get(phrase)
    return default if kind is None or kind is FailureKind.REQUEST_FAILED else kind

# Checked in order: the first phrase whose pattern occurs in the recorded error wins.
_TEXT = [
    (re.compile(r"NameResolutionError|Name or service not known|nodename nor servname|name resolution|"
                r"getaddrinfo|No address associated|cannot resolve|Failed to resolve", re.I), "name not resolved"),
    (re.compile(r"Connection ?refused|Errno 111\b|Errno 61\b", re.I), "connection refused"),
    (re.compile(r"non-public address", re.I), "address not allowed (private network)"),
    (re.compile(r"\bSSL|\bTLS|CERTIFICATE_VERIFY", re.I), "TLS failure"),
    (re.compile(r"timed? ?out|timeout|deadline exceeded", re.I), "timed out"),
    (re.compile(r"Connection reset|Connection aborted|RemoteDisconnected|connection broken|truncated body", re.I),
     "connection dropped"),
    (re.compile(r"Network is unreachable|No route to host|Errno 101\b|Errno 113\b", re.I), "network unreachable"),
    (re.compile(r"body over cap", re.I), "response too large"),
    (re.compile(r"redirect", re.I), "redirect refused"),
    (re.compile(r"host not allowed", re.I), "host not allowed"),
    (re.compile(r"robots\.txt disallows", re.I), "disallowed by robots.txt"),
]
_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_ROBOTS_UNREACHABLE = re.compile(r"robots\.txt unreachable \((?P<why>[^)]*)\)")


def plain_reason(error: BaseException | str | None) -> str:
    """A short phrase for why a request (or a crawl) failed."""
    if error is None:
        return "unknown failure"
    if isinstance(error, BaseException):
        return _from_exception(error)
    text = str(error)
    m = _ROBOTS_UNREACHABLE.search(text)
    if m:  # a page skipped because its host's robots.txt could not be read
        return f"robots.txt unreachable: {plain_reason(m.group('why'))}"
    for pattern, phrase in _TEXT:
        if pattern.search(text):
            return phrase
    m = _HTTP.search(text)
    if m:
        return f"HTTP {m.group(1)}"
    return "request failed"


def _chain(exc: BaseException):
    """The exception, its causes and contexts, and urllib3's wrapped `reason`, each once."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        reason = getattr(e, "reason", None)
        todo += [e.__cause__, e.__context__, reason if isinstance(reason, BaseException) else None]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]


def _from_exception(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "interrupted"
    chain = list(_chain(exc))
    names = {type(e).__name__ for e in chain}
    if bad_url := next((e for e in chain if isinstance(e, BadUrl)), None):
        return f"bad URL ({bad_url})"
    if any(isinstance(e, socket.gaierror) for e in chain) or "NameResolutionError" in names:
        return "name not resolved"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSLError" in names:
        return "TLS failure"
    if any(isinstance(e, TimeoutError) for e in chain) or names & {"Timeout", "ReadTimeout", "ConnectTimeout",
                                                                   "ReadTimeoutError", "ConnectTimeoutError"}:
        return "timed out"
    if any(isinstance(e, ConnectionError) for e in chain) or names & {"ConnectionError", "ProtocolError"}:
        # requests' ConnectionError is no builtin ConnectionError: its text says what happened
        text = plain_reason(" ".join(str(e) for e in chain))
        return text if text != "request failed" else "connection failed"
    if any(isinstance(e, OSError) for e in chain):
        text = plain_reason(" ".join(str(e) for e in chain))
        return text if text != "request failed" else "connection failed"
    return f"internal error ({type(exc).__name__})"  # a bug: its traceback is in the log
