"""Files written whole or not at all, through a staging file no one else can have put there.

A staging file with a fixed name (`.tracker.xlsx.part` beside the output) can be planted: a symlink
there made the writer overwrite whatever it points to, in a folder others can write (`export --out`).
Every staging file is created new under a random name, with O_CREAT|O_EXCL|O_NOFOLLOW, so nothing at
that name is ever followed or reused; it is renamed over the output when complete and removed in
`finally` when writing fails, so a full disk leaves no half-written file behind.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _create(path: Path) -> tuple[int, Path]:
    """A new, empty staging file beside `path` (mode 0666 less the umask, as open() would give)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    return os.open(tmp, _NEW, 0o666), tmp


@contextmanager
def staged(path: Path, mode: str = "wb", **open_kwargs) -> Iterator[IO]:
    """The staging file of `path`, open for writing; it replaces `path` when the block ends, else is removed."""
    fd, tmp = _create(path)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # after a rename there is nothing left to remove


@contextmanager
def staged_path(path: Path) -> Iterator[Path]:
    """The staging file of `path` by name, for writers that open it themselves (DuckDB's COPY); created
    here first, so the name is one no one else had; it replaces `path` when the block ends, else is removed."""
    fd, tmp = _create(path)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def new_folder(path: Path) -> Path:
    """A new staging folder beside `path` (mkdir refuses anything already there, a symlink included)."""
    folder = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    folder.mkdir(parents=False)
    return folder


def new_file(path: Path) -> IO:
    """Create `path` new for binary writing, following no symlink (the WARC writer's own staging file)."""
    return os.fdopen(os.open(path, _NEW, 0o666), "wb")
