"""Parse untrusted documents in worker processes held to memory, CPU-time and wall-clock limits.

Every document is parsed in a worker, however few there are: a 1 MB PDF can inflate to gigabytes,
and a parser that dies must take only its worker with it. Each worker is a fresh interpreter that
caps its own address space (RLIMIT_AS, as `prlimit --as` would) and, per document, its CPU time
(RLIMIT_CPU); the parent holds each document to a wall-clock deadline and kills a worker that
overruns it. A breach (out of memory, out of time, or a crash of
the parser) is reported as a `Parsed` with `breach` set, and the worker is replaced.

Workers are plain subprocesses talking over pipes (not a multiprocessing pool), so they also run
inside a daemonic Celery worker, which may not start multiprocessing children. This module imports
nothing heavy at the top, so a worker starts small.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path

MEMORY = "memory"
TIME = "time"
CRASH = "crash"
WINDOW = 256  # results held back at most, to hand them over in job order
READY = "ready"
# A worker imports the same tracker package as its parent, and runs the loop of the module imported by
# name, so what it sends unpickles as tracker.stages.sandbox.Parsed.
_BOOT = ("import sys\n"
         "if sys.argv[1] not in sys.path: sys.path.insert(0, sys.argv[1])\n"
         "from tracker.stages.sandbox import _serve\n"
         "_serve(int(sys.argv[2]), int(sys.argv[3]))\n")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024  # address space of one worker
    seconds: float = 120.0  # per document: wall clock, and (rounded up) CPU time

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(settings.parse_memory_mb, settings.parse_seconds)


@dataclass(frozen=True)
class SandboxJob:
    url: str
    warc_path: str
    offset: int
    sha256: str = ""
    published_hint: date | None = None  # recorded with the capture (`tracker ingest --published`)


@dataclass
class Parsed:
    job: SandboxJob
    publication: object = None  # tracker.items.Publication
    error: str | None = None
    breach: str | None = None  # memory | time | crash: a limit was hit; retried only when the bytes change
    fetched_at: object = None
    error_class: str | None = None  # the parser's exception class (e.g. NotGovukContent), when it raised one


# -- the worker side ----------------------------------------------------------------------------


def parse_one(job: SandboxJob) -> Parsed:
    """Read one capture and parse it; any failure is returned, never raised."""
    from tracker.fetch.archive import read_capture
    from tracker.sources import parse_capture

    capture = None
    try:
        capture = read_capture(Path(job.warc_path), job.offset)
        return Parsed(job, publication=parse_capture(capture))
    except MemoryError:
        return Parsed(job, error="out of memory", breach=MEMORY, fetched_at=capture.fetched_at if capture else None)
    except Exception as exc:  # one bad document never stops the run
        return Parsed(job, error=f"{type(exc).__name__}: {exc}", fetched_at=capture.fetched_at if capture else None,
                      error_class=type(exc).__name__)


def _serve(memory_mb: int, cpu_seconds: int) -> None:
    """The worker's loop: a SandboxJob in on stdin, a Parsed out on the original stdout, until stdin closes."""
    import resource

    import tracker.fetch.archive  # noqa: F401  (import before the cap: imports are not the document's cost)
    import tracker.sources  # noqa: F401

    jobs = Connection(os.dup(0), writable=False)
    results = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the results pipe
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed worker leaves no core file
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    results.send(READY)
    while True:
        try:
            job = jobs.recv()
        except EOFError:
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime) + cpu_seconds
        if cpu_hard == resource.RLIM_INFINITY or soft <= cpu_hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))  # SIGXCPU ends this worker past it
        result = parse_one(job)
        try:
            results.send(result)
        except MemoryError:
            results.send(Parsed(job, error="out of memory sending the result", breach=MEMORY,
                                fetched_at=result.fetched_at))


# -- the parent side ----------------------------------------------------------------------------


class WorkersUnavailable(RuntimeError):
    """A parse worker could not start: a fault of the installation, never of a document."""


class _Worker:
    def __init__(self, limits: Limits) -> None:
        job_r, job_w = os.pipe()
        res_r, res_w = os.pipe()
        self.stderr = tempfile.TemporaryFile()
        root = str(Path(__file__).resolve().parents[2])  # the folder this tracker package was imported from
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, root, str(limits.memory_mb), str(math.ceil(limits.seconds))],
                stdin=job_r, stdout=res_w, stderr=self.stderr, close_fds=True,
            )
        finally:
            os.close(job_r)
            os.close(res_w)
        self.jobs = Connection(job_w, readable=False)
        self.results = Connection(res_r, writable=False)
        self.done = 0  # documents parsed: a worker that has parsed none is fresh
        self.current: tuple[int, SandboxJob] | None = None
        self.deadline = math.inf

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait for the worker's hello (sent once its imports are done and its limits are set)."""
        try:
            if self.results.poll(timeout) and self.results.recv() == READY:
                return
        except (EOFError, OSError):
            pass
        self.close(kill=True, keep_stderr=True)
        raise WorkersUnavailable(f"a parse worker did not start: {self.stderr_tail() or 'no output'}")

    def submit(self, index: int, job: SandboxJob, seconds: float) -> bool:
        self.current = (index, job)
        self.deadline = time.monotonic() + seconds
        try:
            self.jobs.send(job)
            return True
        except OSError:
            return False

    def stderr_tail(self) -> str:
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 400))
        return " | ".join(self.stderr.read().decode(errors="replace").split("\n")).strip(" |")

    def close(self, kill: bool = False, keep_stderr: bool = False) -> None:
        for conn in (self.jobs, self.results):
            conn.close()  # the worker reads end of input and leaves
        if kill and self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if not keep_stderr:
            self.stderr.close()


def _death(returncode: int | None, limits: Limits, tail: str) -> tuple[str, str]:
    """(breach, message) for a worker that died while parsing."""
    if returncode == -signal.SIGXCPU:
        return TIME, f"the parser used more than {math.ceil(limits.seconds)} s of CPU time"
    detail = f": {tail}" if tail else ""
    if returncode in (-signal.SIGABRT, -signal.SIGKILL):
        # the PDF library aborts when an allocation fails under the cap; the kernel's OOM killer sends SIGKILL
        name = signal.Signals(-returncode).name
        return MEMORY, (f"the parser was stopped ({name}), most likely out of memory under the {limits.memory_mb} MB "
                        f"limit{detail}")
    how = f"signal {signal.Signals(-returncode).name}" if returncode and returncode < 0 else f"exit status {returncode}"
    return CRASH, f"the parser crashed ({how}){detail}"


class WorkerPool:
    """Up to `size` workers; `parse` yields one Parsed per job, in job order."""

    def __init__(self, limits: Limits, size: int) -> None:
        self.limits = limits
        self.size = max(1, size)
        self.workers: list[_Worker] = []
        self.started = 0  # workers started in all, replacements included

    def _start(self, count: int = 1) -> list[_Worker]:
        started = [_Worker(self.limits) for _ in range(count)]
        self.started += count
        self.workers.extend(started)
        for worker in started:  # they start side by side; wait for each in turn
            try:
                worker.wait_ready()
            except WorkersUnavailable:
                self.workers.remove(worker)
                raise
        return started

    def _retire(self, worker: _Worker, kill: bool) -> None:
        self.workers.remove(worker)
        worker.close(kill=kill)

    def parse(self, jobs: list[SandboxJob]):
        # (index, job, retry): a retry goes to a fresh worker, and its outcome is final
        queue: deque[tuple[int, SandboxJob, bool]] = deque((i, job, False) for i, job in enumerate(jobs))
        ready: dict[int, Parsed] = {}
        following = 0  # the next result to hand over
        self._start(min(self.size, len(jobs)))
        while following < len(jobs):
            self._dispatch(queue, following)
            for index, parsed, retry in self._collect():
                if retry:
                    queue.appendleft((index, parsed.job, True))
                else:
                    ready[index] = parsed
            while following in ready:
                yield ready.pop(following)
                following += 1

    def _dispatch(self, queue: deque, following: int) -> None:
        while queue and queue[0][0] - following < WINDOW:
            idle = next((w for w in self.workers if w.current is None), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                [idle] = self._start()
            index, job, retry = queue.popleft()
            if retry and idle.done:
                self._retire(idle, kill=False)
                [idle] = self._start()
            if not idle.submit(index, job, self.limits.seconds):
                self._retire(idle, kill=True)  # it died between documents: another takes this one
                queue.appendleft((index, job, retry))

    def _collect(self):
        """Wait for a result or a deadline; yields (index, Parsed, whether to retry in a fresh worker)."""
        busy = [w for w in self.workers if w.current is not None]
        if not busy:
            return
        timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        readable = wait([w.results for w in busy], timeout=timeout)
        for worker in busy:
            index, job = worker.current
            if worker.results in readable:
                try:
                    parsed = worker.results.recv()
                except (EOFError, OSError):
                    parsed = None
                if parsed is not None:
                    worker.current, worker.deadline = None, math.inf
                    worker.done += 1
                    if parsed.breach:  # caught inside the worker (MemoryError): its heap is suspect
                        self._retire(worker, kill=True)
                    yield index, parsed, bool(parsed.breach) and worker.done > 1
                    continue
                worker.proc.wait()
                breach, message = _death(worker.proc.returncode, self.limits, worker.stderr_tail())
                # a worker that parsed other documents first may have died of their leftovers:
                # the document gets one more try in a fresh worker before the breach is recorded
                retry = breach != TIME and worker.done > 0
                self._retire(worker, kill=True)
                yield index, Parsed(job, error=message, breach=breach), retry
            elif time.monotonic() >= worker.deadline:
                self._retire(worker, kill=True)
                yield index, Parsed(job, error=f"parsing took longer than {self.limits.seconds:g} s",
                                    breach=TIME), False

    def close(self) -> None:
        for worker in list(self.workers):
            self._retire(worker, kill=True)


def parse_in_workers(jobs: list[SandboxJob], limits: Limits, workers: int):
    """Parsed results in job order, every document parsed in a limited worker process."""
    if not jobs:
        return
    pool = WorkerPool(limits, min(workers, len(jobs)))
    try:
        yield from pool.parse(jobs)
    finally:
        pool.close()
