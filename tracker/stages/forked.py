"""Map a function over a stream of items in forked children, yielding the results in the items' order.

Used by extraction, where every document is read against the same rules and recommendation texts: a
child forked after they are loaded has them already, so only a document goes out and its statements come
back. os.fork rather than multiprocessing, whose processes refuse to start inside a daemonic process
(Celery's prefork children run the `process` task). Few items are in flight per child and results are
held only until their turn comes, so memory stays flat however many items there are.

A child that dies (the OOM killer, a signal) loses nothing: the items it held are done in this process.
The children never touch what the parent holds open (its DuckDB connection): they only compute, and end
with os._exit so that no finaliser of an inherited object runs in them.
"""

from __future__ import annotations

import gc
import logging
import os
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, Pipe, wait

log = logging.getLogger(__name__)

IN_FLIGHT = 1  # a second item would block the send until the child is free, while the other child starves


class ChildFailed(RuntimeError):
    """The function raised in a child (it is expected to catch what a single item may raise)."""


class _Child:
    def __init__(self, fn: Callable) -> None:
        parent_end, child_end = Pipe(duplex=True)
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child, which leaves by os._exit
            parent_end.close()
            _serve(fn, child_end)
        child_end.close()
        self.conn: Connection = parent_end
        self.held: deque[int] = deque()  # indexes sent and not yet answered, in order

    def send(self, index: int, item) -> None:
        self.conn.send((index, item))
        self.held.append(index)

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(fn: Callable, conn: Connection) -> None:  # pragma: no cover - runs in the child
    code = 0
    try:
        while (task := conn.recv()) is not None:
            index, item = task
            try:
                conn.send((index, True, fn(item)))
            except Exception:
                conn.send((index, False, traceback.format_exc(limit=8)))
    except (EOFError, OSError, KeyboardInterrupt):
        code = 1
    finally:
        os._exit(code)


def forked_map(fn: Callable, items: Iterable, workers: int) -> Iterator:
    """fn(item) for each item, in order; in `workers` forked children when there are at least two."""
    if workers < 2 or not hasattr(os, "fork"):
        yield from map(fn, items)
        return
    gc.collect()
    gc.freeze()  # the children share the parent's objects: a collection in them would copy every page
    children: list[_Child] = []
    try:
        children = [_Child(fn) for _ in range(workers)]
        yield from _run(fn, iter(enumerate(items)), children)
    finally:
        for child in children:
            child.close()
        gc.unfreeze()


def _run(fn: Callable, pending: Iterator, children: list[_Child]) -> Iterator:
    done: dict[int, object] = {}
    items: dict[int, object] = {}  # what each child holds, to do here if the child dies
    next_out = 0
    while True:
        _feed(fn, pending, children, items, done)
        if not any(c.held for c in children):
            break
        for conn in wait([c.conn for c in children if c.held]):
            child = next(c for c in children if c.conn is conn)
            _receive(fn, child, children, items, done)
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
    for _, item in pending:  # left only when every child died: the rest is done here
        yield fn(item)


def _feed(fn: Callable, pending: Iterator, children: list[_Child], items: dict, done: dict) -> None:
    """Send items to the children with room, until there are no more."""
    for child in children:
        while len(child.held) < IN_FLIGHT:
            nxt = next(pending, None)
            if nxt is None:
                return
            index, item = nxt
            try:
                child.send(index, item)
            except OSError:  # it has died: its end of the pipe says so when next read
                done[index] = fn(item)
                break
            items[index] = item


def _receive(fn: Callable, child: _Child, children: list[_Child], items: dict, done: dict) -> None:
    try:
        index, ok, value = child.conn.recv()
    except (EOFError, OSError):
        log.warning("an extraction child (pid %d) died; its %d document(s) are read in this process",
                    child.pid, len(child.held))
        for index in child.held:
            done[index] = fn(items.pop(index))
        child.held.clear()
        children.remove(child)
        child.close()
        return
    child.held.popleft()
    items.pop(index, None)
    if not ok:
        raise ChildFailed(value)
    done[index] = value
