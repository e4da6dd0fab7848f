"""The network end of the fetcher: which addresses it may connect to, a connection that checks the
address it actually connected to, and a wall-clock bound on one whole exchange.

- `AddressPolicy`: only globally routable addresses, unless the settings allow some private ones (a
  test's own server). The check runs on every address a name resolves to *before* connecting (so a
  refused internal port is never probed: no port-scan oracle) and on the connected socket's peer
  *before* any byte is sent (so DNS rebinding between a check and the connection cannot slip by).
- `Deadline`: a watchdog for one exchange, headers included: when it fires, the exchange's sockets are
  shut down, so a read blocked on a server that trickles one byte at a time returns at once.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Non-public ranges Python's `is_global` (3.11) still calls global.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "2002::/16",  # 6to4: carries any IPv4 address, internal ones included
    "fec0::/10",  # deprecated site-local
    "::/96",  # deprecated IPv4-compatible (::10.0.0.1)
    "192.88.99.0/24",  # deprecated 6to4 relay anycast
))
_NAT64 = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48"))


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address; an address embedding IPv4 is judged by that IPv4."""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if any(ip in net for net in _NAT64):
            return is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if not ip.is_global or ip.is_multicast:
        return False
    return not any(ip.version == net.version and ip in net for net in _NOT_PUBLIC)


class AddressRefused(Exception):
    """The address guard refused a connection: nothing was sent. Deliberately not an OSError, so
    urllib3 neither retries nor rewords it."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_all: bool = False  # TRACKER_ALLOW_PRIVATE_ADDRESSES=1: the guard is off (tests only)
    allowed: tuple[IPNetwork, ...] = ()  # non-public networks allowed anyway (a test's own server)

    @classmethod
    def from_settings(cls, settings) -> "AddressPolicy":
        return cls(
            allow_all=bool(settings.allow_private_addresses),
            allowed=tuple(ipaddress.ip_network(n, strict=False) for n in settings.allowed_private_networks),
        )

    def permits(self, ip: IPAddress) -> bool:
        if self.allow_all or is_public(ip):
            return True
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.allowed)

    def refusal(self, host: str) -> str:
        return f"{host} resolves to a non-public address"


def _ip(address: str) -> IPAddress:
    return ipaddress.ip_address(address.split("%", 1)[0])


# --- the exchange deadline ----------------------------------------------------------------------

_current = threading.local()


class Deadline:
    """`with Deadline(s):` bounds everything the guarded connections of this thread do inside it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Deadline":
        self._previous = getattr(_current, "deadline", None)
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.deadline = self._previous
        with self._lock:
            self._socks.clear()

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._socks.append(sock)
                return
        _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            socks, self._socks = self._socks, []
        for sock in socks:
            _shutdown(sock)


def current_deadline() -> Deadline | None:
    return getattr(_current, "deadline", None)


def _shutdown(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown, also under TLS: wakes a blocked read in another thread
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


# --- guarded connections ------------------------------------------------------------------------


class _Guarded:
    """Mixed into urllib3's connections; `policy` is set on a subclass per adapter."""

    policy: AddressPolicy

    def _new_conn(self) -> socket.socket:
        deadline = current_deadline()
        host = self.host  # (urllib3 derives `host` from `_dns_host`, which is swapped below)
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, allowed_gai_family(), socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(host, self, exc) from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        permitted = [a for a in addresses if self.policy.permits(_ip(a))]
        if not permitted:
            log.warning("not connecting to %s: it resolves to %s", host, ", ".join(addresses))
            raise AddressRefused(self.policy.refusal(host))
        name, timeout, error = self._dns_host, self.timeout, None
        try:
            for address in permitted:  # connect to a checked address literally: no second lookup
                self._dns_host = address
                if deadline is not None and isinstance(timeout, (int, float)):
                    if deadline.remaining() <= 0:
                        raise ConnectTimeoutError(self, f"Connection to {host}: exchange deadline passed")
                    self.timeout = min(timeout, deadline.remaining())
                try:
                    sock = super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as exc:
                    error = exc
                    continue
                peer = sock.getpeername()[0]
                if not self.policy.permits(_ip(peer)):  # before any byte is sent
                    sock.close()
                    log.warning("connected to %s at %s: refused before sending", host, peer)
                    raise AddressRefused(self.policy.refusal(host))
                if deadline is not None:
                    deadline.watch(sock)
                return sock
        finally:
            self._dns_host, self.timeout = name, timeout
        raise error

    def request(self, *args, **kwargs):
        deadline = current_deadline()
        if deadline is not None and self.sock is not None:  # a kept-alive connection, reused
            deadline.watch(self.sock)
        return super().request(*args, **kwargs)


class GuardedAdapter(HTTPAdapter):
    """requests' HTTPAdapter whose connections go through `_Guarded`."""

    def __init__(self, policy: AddressPolicy, **kwargs):
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"policy": self.policy}
        http = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), attrs)
        https = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }
