"""How far a run has got, on stderr, for a person running `tracker run`.

On a terminal a long stage (parsing, fetching) draws a progress bar that each step redraws in place;
otherwise (a log file, cron, a pipe) every stage ends in one plain line: "parse: 25 parsed, 0 unchanged,
0 errors (2.1 s)". `tracker -v run` adds the detail lines stages report. Nothing is written until the
command line calls `report_to`: Airflow tasks and library callers keep a silent reporter and their logs.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator, TextIO

from tracker.parse.text import printable

BAR_WIDTH = 24


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """'[#########---------------] 9/25'."""
    filled = width if total <= 0 else min(width, done * width // total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total}"


class Stage:
    """One stage's progress: a total, steps done, detail lines and the closing summary."""

    def __init__(self, reporter: Reporter | None, name: str):
        self.reporter = reporter
        self.name = name
        self.started = time.monotonic()
        self.total = 0
        self.count = 0
        self.summary = ""
        self._drawn = 0.0
        self._lock = threading.Lock()

    def expect(self, total: int) -> None:
        self.total = total

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.count += n
            if self.reporter and self.reporter.tty and self.total:
                now = time.monotonic()
                if now - self._drawn >= 0.1 or self.count >= self.total:
                    self._drawn = now
                    self.reporter.draw(f"{self.name} {bar(self.count, self.total)}")

    def detail(self, message: str) -> None:
        if self.reporter and self.reporter.verbose:  # details quote what sources said: never raw to the terminal
            self.reporter.line(f"  {self.name}: {printable(message)}")

    def done(self, summary: str) -> None:
        self.summary = summary


class Reporter:
    def __init__(self, stream: TextIO, verbose: bool = False):
        self.stream = stream
        self.verbose = verbose
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._bar = False

    def draw(self, text: str) -> None:
        self.stream.write("\r\x1b[K" + text[:200])
        self.stream.flush()
        self._bar = True

    def line(self, text: str) -> None:
        if self._bar:
            self.stream.write("\r\x1b[K")
            self._bar = False
        self.stream.write(text + "\n")
        self.stream.flush()


_reporter: Reporter | None = None


def report_to(stream: TextIO | None = None, verbose: bool = False) -> Reporter:
    """Report stages on `stream` (default stderr) from now on; returns the reporter."""
    global _reporter
    _reporter = Reporter(stream if stream is not None else sys.stderr, verbose)
    return _reporter


def reporting() -> Reporter | None:
    return _reporter


@contextmanager
def stage(name: str) -> Iterator[Stage]:
    """A stage of the run: its closing line (summary and time) is written when it ends without error."""
    st = Stage(_reporter, name)
    yield st
    if _reporter is not None:
        took = time.monotonic() - st.started
        _reporter.line(f"{name}: {st.summary + ' ' if st.summary else ''}({took:.1f} s)")
