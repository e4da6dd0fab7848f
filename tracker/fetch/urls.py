"""One URL parser for every check and every request.

The allowlist, the address guard, robots.txt, politeness, the crawl state and the request itself all
read a URL through `parse()`, so no check can see one host while the request goes to another (the
`http://10.0.0.1\\@allowed.host/` trick works because `urllib.parse` and urllib3 split that URL
differently). `parse()` reads the URL with urllib3's parser (the one requests sends with), refuses
what the parsers could disagree on (backslashes, user info, control characters, anything outside
RFC 3986 in the authority), and returns the canonical string requests sends unchanged: path dot
segments resolved, illegal characters percent-encoded, no fragment, lower-case scheme and host.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from requests.utils import requote_uri
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
_HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HAS_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class BadUrl(ValueError):
    """A URL the fetcher will not request because it cannot be read one way only."""


@dataclass(frozen=True)
class Url:
    scheme: str
    host: str  # lower case; an IPv6 literal without brackets
    port: int | None  # as written (None: the scheme's default)
    path: str  # percent-encoded, never empty
    query: str  # percent-encoded, without "?"

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS.get(self.scheme, 0)

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port is not None else host

    @property
    def origin(self) -> str:
        """scheme://host:port with the default port made explicit (robots.txt applies per origin)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.effective_port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}" + (f"?{self.query}" if self.query else "")


def parse(url: str) -> Url:
    """The one reading of `url`, or BadUrl saying why there is none."""
    if not isinstance(url, str):
        raise BadUrl("not a string")
    text = url.strip(" \t\n\r\f\v")
    if "\\" in text:
        raise BadUrl("backslash in URL")
    if _CONTROL.search(text):
        raise BadUrl("control character in URL")
    try:
        parts = parse_url(text)
    except (LocationParseError, ValueError) as exc:
        raise BadUrl(f"unreadable URL ({exc})") from None
    scheme = (parts.scheme or "").lower()
    if not scheme or not _SCHEME.match(scheme):
        raise BadUrl("no scheme")
    if parts.auth is not None or "@" in _authority(text):
        raise BadUrl("user info in URL")
    host = _host((parts.host or "").lower())
    port = parts.port
    if port is not None and not 0 < port < 65536:
        raise BadUrl("bad port")
    path = requote_uri(parts.path or "/")
    query = requote_uri(parts.query) if parts.query else ""
    out = Url(scheme, host, port, path, query)
    # The same answer from the standard library's parser, or no answer at all.
    check = urlsplit(str(out))
    try:
        same = (check.hostname or "") == host.lower() and check.port == port
    except ValueError:
        same = False
    if not same:
        raise BadUrl("URL parsers disagree")
    return out


def _host(host: str) -> str:
    """The host as the checks compare it: an IPv6 literal without brackets, else an RFC 3986 name."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return str(ipaddress.IPv6Address(host[1:-1]))
        except ValueError:
            raise BadUrl("bad IPv6 address") from None
    if not _HOST_NAME.match(host):
        raise BadUrl("no host" if not host else "host name outside RFC 3986")
    return host


def normalise(url: str) -> str:
    """The canonical form of `url` (what is requested, archived and keyed in the crawl state)."""
    return str(parse(url))


def http_url(url: str) -> str:
    """The canonical form of a URL given by a person (a setting, `ingest --url`): BadUrl unless it is http(s)."""
    canonical = normalise(url)
    if not canonical.startswith(("http://", "https://")):
        raise BadUrl("not an http(s) URL")
    return canonical


def join(base: str, href: str) -> str:
    """An absolute, canonical http(s) URL for a link; other schemes (mailto:, javascript:) come back
    as written, for the caller's scheme check to drop. BadUrl when the link cannot be read."""
    href = (href or "").strip(" \t\n\r\f\v")
    m = _HAS_SCHEME.match(href)
    if m and m.group(1).lower() not in DEFAULT_PORTS:
        return href
    if "\\" in href:
        raise BadUrl("backslash in URL")
    try:
        joined = urljoin(base, href)
    except ValueError as exc:
        raise BadUrl(f"unreadable URL ({exc})") from None
    return normalise(joined)


def host_of(url: str) -> str:
    """The URL's host name, lower case ('' when it has none); lenient, for deciding ownership, where a
    request would go through `parse()`."""
    return (urlsplit(url).hostname or "").lower()


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _authority(text: str) -> str:
    after = text.split("://", 1)[1] if "://" in text else ""
    return re.split(r"[/?#]", after, maxsplit=1)[0]
