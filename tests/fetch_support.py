"""Shared pieces of the fetch tests (no tests here): local servers, settings, reading back the archive."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from werkzeug.wrappers import Response

from tracker.fetch.archive import ArchiveWriter
from tracker.fetch.client import Fetcher
from tracker.fetch.download import Limits
from tracker.fetch.state import CrawlState
from tracker.settings import Settings


def local_settings(home: Path, **extra: str) -> Settings:
    env = {
        "TRACKER_HOME": str(home),
        "TRACKER_MIN_DELAY_S": "0.05",
        "TRACKER_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",  # the test servers; 127.0.0.2 stays internal
        "TRACKER_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRACKER_TIMEOUT_S": "5",
    }
    env.update(extra)
    return Settings.from_env(env)


def start_server(host: str = "127.0.0.1", port: int = 0) -> HTTPServer:
    """A local server; on 127.0.0.2 it stands in for an internal host the fetcher must never reach."""
    server = HTTPServer(host=host, port=port, threaded=True)
    server.start()
    return server


def robots(server: HTTPServer, text: str | None = None, status: int = 200) -> None:
    """Every test server answers robots.txt (a missing handler would answer 500: disallow all)."""
    if text is None:
        server.expect_request("/robots.txt").respond_with_data("not found", status=404)
    else:
        server.expect_request("/robots.txt").respond_with_data(text, status=status, content_type="text/plain")


class Stamped:
    """A handler that records when each request arrived (and left) and answers with `respond`."""

    def __init__(self, respond=None, hold_s: float = 0.0):
        self.respond = respond or (lambda request: Response("ok", content_type="text/html"))
        self.hold_s = hold_s
        self.calls: list[tuple[float, float, dict]] = []
        self._lock = threading.Lock()

    def __call__(self, request):
        start = time.monotonic()
        if self.hold_s:
            time.sleep(self.hold_s)
        response = self.respond(request)
        with self._lock:
            self.calls.append((start, time.monotonic(), dict(request.headers)))
        return response


def make_fetcher(settings: Settings, source: str = "test", **options) -> tuple[Fetcher, ArchiveWriter, CrawlState]:
    """A Fetcher with a short backoff; `options` are the Fetcher's own and the fields of its Limits (max_attempts=2)."""
    writer = ArchiveWriter(settings.archive_dir, prefix=source)
    state = CrawlState.for_source(settings, source)
    limits = Limits(**{"backoff_base_s": 0.05} | {name: options.pop(name) for name in Limits.__dataclass_fields__
                                                   if name in options})
    return Fetcher(settings, writer, state, limits=limits, **options), writer, state


def warc_records(path: Path) -> list[dict]:
    """Every record of one WARC file about a URL (the warcinfo record is not): type, URL, HTTP status,
    headers, body, record id and the record it is concurrent to."""
    out = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "warcinfo":
                continue
            http = record.http_headers
            out.append(
                {
                    "type": record.rec_type,
                    "url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "status": (int(http.get_statuscode())
                               if http is not None and record.rec_type == "response" else None),
                    "headers": {k.lower(): v for k, v in http.headers} if http is not None else {},
                    "body": record.content_stream().read(),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "concurrent_to": record.rec_headers.get_header("WARC-Concurrent-To"),
                }
            )
    return out


def of_url(records: list[dict], url: str) -> list[tuple[str, int | None]]:
    return [(r["type"], r["status"]) for r in records if r["url"] == url]


class RawServer:
    """A bare socket server for misbehaviour werkzeug will not produce (resets, short bodies).

    `behaviour(path) -> bytes | None`: the raw bytes to send then close; None = reset the connection;
    a callable: it is given the connection to drive (e.g. trickle bytes), then the connection closes.
    """

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.paths: list[str] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if not data:
                    continue
                path = data.split(b" ", 2)[1].decode()
                self.paths.append(path)
                if path == "/robots.txt":
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    continue
                out = self.behaviour(path)
                if out is None:  # RST instead of FIN
                    import struct

                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    continue
                if callable(out):
                    try:
                        out(conn)
                    except OSError:  # the client hung up
                        pass
                    continue
                conn.sendall(out)

    def close(self) -> None:
        self._stop = True
        self.sock.close()
