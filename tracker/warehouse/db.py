"""DuckDB connections, migrations (sql/migrations/NNN_name.sql, one transaction each) and views."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import duckdb

from tracker.errors import TrackerError
from tracker.settings import SettingsError
from tracker.vocabulary import AXES, speaker_rows, status_rows, statuses_on
from tracker.warehouse.rows import insert

log = logging.getLogger(__name__)
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_PER_STATUS = re.compile(r"\{(" + "|".join(AXES) + r")\}")

# Every database is opened with extension auto-install off. DuckDB binds some DDL while it replays a WAL and
# reaches for the network to install an extension it has statically linked (duckdb/duckdb#18259): on a worker
# without internet the first run after a crash would fail. Loading what is linked in needs no network.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": True}


def sql_literal(value) -> str:
    """A string or path as a SQL literal, for the few statements that take no parameters (ATTACH, COPY ... TO).

    Only our own file paths go through here; scraped values always go in as parameters.
    """
    return "'" + str(value).replace("'", "''") + "'"


class WarehouseInfo(NamedTuple):
    run_id: str
    published_at: datetime
    version_file: str


def warehouse_info(con: duckdb.DuckDBPyConnection, attached: str | None = None) -> WarehouseInfo | None:
    """Which run published the file `con` reads (or the database attached as `attached`), and when."""
    table = f"{attached}.main.warehouse_info" if attached else "warehouse_info"
    try:
        row = con.execute(f"SELECT run_id, published_at, version_file FROM {table}").fetchone()
    except duckdb.Error:
        return None
    return WarehouseInfo(run_id=row[0], published_at=row[1], version_file=row[2]) if row else None


@dataclass(frozen=True)
class Migration:
    """One schema_migrations row."""

    version: int
    name: str
    applied_at: datetime


@dataclass(frozen=True)
class AppliedViews:
    """The applied_views row: a digest of sql/views/ as last created in the working database."""

    digest: str


class DatabaseUnavailable(TrackerError):
    """A database file another process holds open for writing, or a file that is not DuckDB's."""


def _unavailable(path, exc: duckdb.IOException) -> DatabaseUnavailable:
    reason = str(exc).removeprefix("IO Error: ").split(". See also")[0]
    if _LOCKED in reason:  # an analyst's plain `duckdb FILE` takes the write lock; -readonly shares the file
        reason += f"; open it with `duckdb -readonly {path}`, which leaves it to other readers"
    return DatabaseUnavailable(f"cannot open {path}: {reason}")


def attach_read_only(path: Path | str, alias: str = "warehouse") -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at `path` as it is now.

    The file is attached to a fresh in-memory database rather than opened with duckdb.connect(path):
    DuckDB caches database instances by path within a process, so a long-lived process (the
    api-server, a notebook) still holding an earlier connection would be handed the version that
    connection pinned, not the one renamed into place since."""
    con = duckdb.connect(":memory:", config=OFFLINE)
    try:
        con.execute(f"ATTACH {sql_literal(path)} AS {alias} (READ_ONLY)")
    except duckdb.IOException as exc:  # not a DuckDB file, or one another process holds for writing
        con.close()
        raise _unavailable(path, exc) from exc
    con.execute(f"USE {alias}")
    return con


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database has the table (a version published before it existed does not)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def connect(path: Path | str = ":memory:", read_only: bool = False,
            memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection; `memory_limit` caps DuckDB's buffer pool (it spills to disk beyond it)."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = {**OFFLINE, "memory_limit": memory_limit} if memory_limit else dict(OFFLINE)
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        if _LOCKED in str(exc):  # e.g. an analyst has the file open read-write in the DuckDB shell
            raise _unavailable(path, exc) from exc
        raise DatabaseDamaged(path, exc) from exc
    except duckdb.Error as exc:  # a WAL that cannot be replayed, a file that is not DuckDB's
        if memory_limit:
            _check_memory_limit(memory_limit)  # a bad setting is the setting's fault, never the file's
        raise DatabaseDamaged(path, exc) from exc


_LOCKED = "Could not set lock on file"


class DatabaseDamaged(DatabaseUnavailable):
    """A database file (or its WAL) that DuckDB cannot open: not a lock held by another process."""

    def __init__(self, path, exc: Exception):
        self.path = Path(path)
        reason = str(exc).splitlines()[0].removeprefix("IO Error: ")
        super().__init__(f"cannot open {path}: {reason}")


def _check_memory_limit(memory_limit: str) -> None:
    try:
        duckdb.connect(":memory:", config={**OFFLINE, "memory_limit": memory_limit}).close()
    except (duckdb.ParserException, duckdb.InvalidInputException) as exc:
        raise SettingsError(
            f"TRACKER_DUCKDB_MEMORY_LIMIT={memory_limit!r} is not a memory size (e.g. 64MB): {exc}") from exc


def migrations(sql_dir: Path) -> list[tuple[int, str, Path]]:
    """(version, name, path) of every migration file, in order; a malformed name is an error."""
    found = []
    for path in sorted((sql_dir / "migrations").glob("*.sql")):
        m = _MIGRATION.match(path.name)
        if not m:
            raise ValueError(f"migration file name must be NNN_name.sql: {path.name}")
        found.append((int(m.group(1)), m.group(2), path))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise ValueError("two migrations share a version number")
    return found


def migrate(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Apply pending migrations, each in its own transaction, and record them; returns names applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    con.execute(
        "COMMENT ON TABLE schema_migrations IS 'Migrations (sql/migrations/NNN_name.sql) applied to this file, one row "
        "each, in order.'"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, path in migrations(sql_dir):
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            insert(con, "schema_migrations",
                   [Migration(version, name, datetime.now(timezone.utc).replace(tzinfo=None))])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(f"{version:03d}_{name}")
    return applied


def apply_views(con: duckdb.DuckDBPyConnection, sql_dir: Path, *, remember: bool = False, force: bool = False
                ) -> None:
    """(Re)create every view in sql/views/, in file-name order (later views may use earlier ones), their
    columns per status written from the vocabulary (_per_status).

    remember: the working database keeps a digest of the views' text as written (table `applied_views`), so
    of the vocabulary too, and skips recreating them when it is unchanged (unless `force`: a migration just
    ran): every open of it did so, about 0.2 s each, several times a run."""
    texts = [_per_status(path.read_text(encoding="utf-8")) for path in sorted((sql_dir / "views").glob("*.sql"))]
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    if remember:
        con.execute("CREATE TABLE IF NOT EXISTS applied_views (digest VARCHAR NOT NULL)")
        if not force and con.execute("SELECT count(*) FROM applied_views WHERE digest = ?", [digest]).fetchone()[0]:
            return
    for text in texts:
        con.execute(text)
    if remember:
        con.execute("DELETE FROM applied_views")
        insert(con, "applied_views", [AppliedViews(digest)])
        con.execute("COMMENT ON TABLE applied_views IS 'A digest of sql/views/ as last created in this working "
                    "database: unchanged views are not created again.'")


def _per_status(text: str) -> str:
    """A view's text with each line that names {response} or {implementation} written once per status of that
    axis, in the vocabulary's order: a view's columns per status come from tracker/vocabulary.py, and a DuckDB
    view cannot take them from the data (a PIVOT in a view must list its values)."""
    lines = []
    for line in text.splitlines(keepends=True):
        m = _PER_STATUS.search(line)
        lines += [line.replace(m.group(0), status) for status in statuses_on(m.group(1))] if m else [line]
    return "".join(lines)


def write_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    """status_vocabulary and speaker_vocabulary from tracker/vocabulary.py, their one home: the views read
    the speakers' stances and the default statuses from them."""
    con.execute("DELETE FROM status_vocabulary")
    insert(con, "status_vocabulary", status_rows())
    con.execute("DELETE FROM speaker_vocabulary")
    insert(con, "speaker_vocabulary", speaker_rows())


def open_work_db(path: Path | str, sql_dir: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The pipeline's working database, migrated and with current views (the extract stage writes the
    vocabularies they read, with everything else it writes: a write here, on every open, would cost a
    small buffer pool room that a large document needs later).

    The working database is derived from the archive: a file that cannot be opened (a WAL a crash left that
    will not replay, a torn file) is set aside with its bytes, said in one line, and a new one is built.
    After the migrations and views, a checkpoint: a WAL left by a crash then never holds DDL."""
    try:
        con = connect(path, memory_limit=memory_limit)
    except DatabaseDamaged as exc:
        kept = set_aside(Path(path))
        log.warning("%s; set aside as %s, rebuilding the working database from the archive", exc, kept.name)
        con = connect(path, memory_limit=memory_limit)
    migrated = migrate(con, sql_dir)
    apply_views(con, sql_dir, remember=True, force=bool(migrated))
    con.execute("CHECKPOINT")
    return con


def set_aside(path: Path) -> Path:
    """Move a database file and its WAL out of the way (kept, never deleted); returns the file's new path."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.replace(wal, kept.with_name(kept.name + ".wal"))
    if path.exists():
        os.replace(path, kept)
    return kept
