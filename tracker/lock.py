"""A lock file so two runs on the same TRACKER_HOME never interleave their writes."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import TrackerError


class RunLocked(TrackerError, RuntimeError):
    """Another process holds the run lock."""


def _holder(fd: int) -> str:
    return os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"


@contextmanager
def _exclusive(path: Path, wait_s: float, busy):
    """Hold an exclusive lock on `path` (the OS releases it if the process dies), waiting up to `wait_s`;
    past that, raise busy(holder pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy(_holder(fd)) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


@contextmanager
def run_lock(path: Path):
    """Hold an exclusive, non-blocking lock for the duration; the OS releases it if the process dies."""
    def busy(holder):
        return RunLocked(f"another tracker run (pid {holder}) is using {path.parent}; try again when it ends")

    with _exclusive(path, 0, busy):
        yield


OUTPUTS_WAIT_S = 600.0  # writing the exports and the briefing takes seconds; a holder this long is stuck


@contextmanager
def outputs_lock(path: Path, wait_s: float = OUTPUTS_WAIT_S):
    """One writer at a time for exports/ and site/: a second writer waits for the first, then writes
    from the newest warehouse itself. Separate from the run lock, which `tracker run` already holds
    when it writes its outputs (lock order: run lock, then this; never the other way round)."""
    def busy(holder):
        return RunLocked(f"another tracker process (pid {holder}) has been writing the exports and briefing in "
                         f"{path.parent} for over {wait_s:g} s")

    with _exclusive(path, wait_s, busy):
        yield
