"""A lock file so two runs on the same TRACKER_HOME never interleave their writes."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import TrackerError


class RunLocked(TrackerError, RuntimeError):
    """Another process holds the run lock."""


@contextmanager
def run_lock(path: Path):
    """Hold an exclusive, non-blocking lock for the duration; the OS releases it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise RunLocked(f"another tracker run (pid {holder}) is using {path.parent}; try again when it ends")
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
