"""`tracker sql`: read-only SQL on a published warehouse with the project's own DuckDB, one query or a prompt.

Read-only twice over: the file is opened read-only (INSERT, CREATE, UPDATE ... fail), and file-system
access is switched off and the configuration locked, so no statement can write a file either (COPY TO
over the warehouse, ATTACH another file for writing, EXPORT DATABASE). Temporary tables still work.
A read-only connection never blocks a run: publishing builds a new file and renames it into place,
and the open connection keeps reading the version it opened.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import duckdb

from tracker.errors import TrackerError
from tracker.publish.exports import neutralise
from tracker.warehouse.db import connect

FORMATS = ("table", "csv", "json")
# Statements whose result is a row count or nothing: run quietly, like the DuckDB shell.
_QUIET = {duckdb.StatementType.SET, duckdb.StatementType.VARIABLE_SET, duckdb.StatementType.TRANSACTION,
          duckdb.StatementType.CREATE, duckdb.StatementType.DROP, duckdb.StatementType.PREPARE,
          duckdb.StatementType.ATTACH, duckdb.StatementType.DETACH}


class QueryError(TrackerError):
    """A statement DuckDB refused: a syntax error, an unknown column, or a write to the read-only warehouse."""


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse for queries: read-only, no file access, settings locked."""
    con = connect(path, read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


# DuckDB ends an error with a line of the statement and a caret: `LINE 2: ...text...` over `   ^^^`. It places
# the caret by the fault's offset in the whole text given to extract_statements, but measures it from the start of
# the statement's own line: after the first statement it points at nothing. The offset itself is sound.
_CARET = re.compile(r"\n\s*LINE (\d+): (.*)\n( *)\^+\s*$")
_TOKEN = re.compile(r'"[^"]*"?|\'[^\']*\'?|\w+|\S|\s*')


def _where(message: str, sql: str, start: int, length: int) -> tuple[str, str]:
    """The message without DuckDB's caret, and where in the user's query (`sql`; the statement at
    sql[start:start + length]) the fault is: ' (line 2, column 8 of the query: "nonsense")'."""
    m = _CARET.search(message)
    if not m:
        return message, ""
    line, shown, pad = int(m.group(1)), m.group(2), m.group(3)
    if shown.startswith("...") or not sql:  # DuckDB cut a long line short around the fault: no offset to trust
        return message[:m.start()], ""
    statement_lines = sql[start:start + length].split("\n")
    offset = sum(len(text) + 1 for text in statement_lines[:line - 1]) + len(pad) - len(f"LINE {line}: ")
    if not 0 <= offset < len(sql):
        return message[:m.start()], ""
    before = sql[:offset].split("\n")
    token = _TOKEN.match(sql, offset).group()  # the caret's length is measured where it was misplaced
    return message[:m.start()], f' (line {len(before)}, column {len(before[-1]) + 1} of the query: "{token}")'


def _one_line(exc: duckdb.Error, sql: str = "", start: int = 0, length: int | None = None) -> str:
    message, where = _where(str(exc), sql, start, len(sql) if length is None else length)
    text = " ".join(message.split()) + where
    if "read-only mode" in text:
        return f"the warehouse is read-only: {text}"
    if "file system operations are disabled" in text:
        return f"tracker sql reads the warehouse only, never files: {text} (use --format csv > FILE to save a result)"
    return text


def _text(value) -> str:
    if value is None:
        return "NULL"
    return str(value).replace("\r\n", "\\n").replace("\n", "\\n")


def render_table(columns: list[str], rows: list[tuple]) -> str:
    """Columns padded to their widest value, a dashed rule under the header, NULL spelt out, then the row count."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    lines = [line(columns), "  ".join("-" * w for w in widths)] + [line(r) for r in cells]
    return "\n".join(lines) + f"\n\n({len(rows)} row{'' if len(rows) == 1 else 's'})\n"


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    return value


def render_csv(columns: list[str], rows: list[tuple]) -> str:
    """RFC 4180 CSV with a header; NULL is empty, dates ISO, text that would run as a formula neutralised
    (as in the exports)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # as the exports: a CR inside a cell is then quoted
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def jsonable(value):
    """A value (or dict or list of them) JSON can write: dates and times as ISO strings, timestamps in UTC with
    their zone (+00:00; the warehouse's plain TIMESTAMPs are UTC), decimals as numbers."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
                ).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def render_json(columns: list[str], rows: list[tuple]) -> str:
    """One JSON array of objects, keys in column order; dates as ISO strings."""
    return json.dumps([{c: jsonable(v) for c, v in zip(columns, row)} for row in rows],
                      ensure_ascii=False, indent=1) + "\n"


RENDER = {"table": render_table, "csv": render_csv, "json": render_json}


class _BomFirst:
    """A stream whose first output is preceded by a UTF-8 byte-order mark (nothing written, no mark)."""

    def __init__(self, out: TextIO) -> None:
        self._out, self._started = out, False

    def write(self, text: str) -> int:
        if text and not self._started:
            self._started = True
            self._out.write("\ufeff")
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


def output_for(out: TextIO, fmt: str) -> TextIO:
    """Where results go: CSV into a file or a pipe starts with a byte-order mark, as the CSV exports do, so
    Excel reads ’ and £ right; a terminal gets none."""
    return _BomFirst(out) if fmt == "csv" and not out.isatty() else out


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: TextIO) -> int:
    """Run every statement in `sql`, printing each result in `fmt`; returns how many gave results."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_one_line(exc, sql)) from exc
    if not statements:
        raise QueryError("no SQL statement given")
    shown = 0
    start = 0  # where the statement begins in `sql`: the statements' texts tile it
    for statement in statements:
        try:
            cursor = con.execute(statement)
            if statement.type in _QUIET or cursor.description is None:
                continue
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            raise QueryError(_one_line(exc, sql, start, len(statement.query))) from exc
        finally:
            start += len(statement.query)
        if shown and fmt == "table":
            out.write("\n")
        out.write(RENDER[fmt](columns, rows))
        shown += 1
    return shown


HELP = """Statements end with ';' and may span lines. Commands:
  .tables            the tables and views, with what each holds
  .format FORMAT     table, csv or json
  .help              this text
  .quit              leave (or Ctrl-D)"""


def _tables(con: duckdb.DuckDBPyConnection, out: TextIO) -> None:
    rows = con.execute(
        """SELECT table_name AS name, 'table' AS kind, coalesce(comment, '') AS about FROM duckdb_tables()
           UNION ALL SELECT view_name, 'view', coalesce(comment, '') FROM duckdb_views() WHERE NOT internal
           UNION ALL SELECT DISTINCT function_name || '(DATE)', 'table macro', coalesce(description, '')
               FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal
           ORDER BY kind DESC, name"""
    ).fetchall()
    out.write(render_table(["name", "kind", "about"], [(n, k, a[:100]) for n, k, a in rows]))


def interactive(con: duckdb.DuckDBPyConnection, banner: str, fmt: str, stdin: TextIO, out: TextIO) -> int:
    """A prompt: read statements until ';', print each result; an error is one line and the prompt goes on.

    Without a terminal (statements piped in) there is no prompt, and the first error ends it (exit 1).
    Returns the number of statements that failed.
    """
    tty = stdin.isatty()
    if tty:
        _greet(banner, out)
    failed = 0
    buffer: list[str] = []
    while True:
        try:
            line = _next_line(stdin, tty, bool(buffer))
        except EOFError:
            if tty:
                out.write("\n")
            break
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, as in the DuckDB shell
            buffer = []
            out.write("\n")
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            fmt = _command(con, stripped, fmt, out)
            if fmt is None:
                break
            continue
        if not stripped and not buffer:
            continue
        buffer.append(line)
        if not stripped.endswith(";"):
            continue
        sql, buffer = "\n".join(buffer), []
        failed += _run_prompted(con, sql, fmt, out, tty)
        out.flush()
    if buffer and not tty:  # a last statement without its ';' still runs
        run_sql(con, "\n".join(buffer), fmt, out)
    return failed


def _greet(banner: str, out: TextIO) -> None:
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    out.write(banner + "\n" + HELP.splitlines()[0] + " .help for commands, .quit to leave.\n")


def _next_line(stdin: TextIO, tty: bool, continuing: bool) -> str:
    """The next line typed (with a prompt) or piped in; EOFError at the end."""
    if tty:
        return input("    ...> " if continuing else "tracker> ")
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def _command(con: duckdb.DuckDBPyConnection, stripped: str, fmt: str, out: TextIO) -> str | None:
    """Run a dot command; the output format after it, or None to leave."""
    word, _, arg = stripped.partition(" ")
    if word in (".quit", ".exit", ".q"):
        return None
    if word == ".help":
        out.write(HELP + "\n")
    elif word == ".tables":
        _tables(con, out)
    elif word == ".format":
        if arg.strip() in FORMATS:
            fmt = arg.strip()
        else:
            said = f"unknown format {arg.strip()!r}" if arg.strip() else f"the format is {fmt}"
            out.write(f"error: {said}; .format takes one of {', '.join(FORMATS)}\n")
    else:
        out.write(f"error: unknown command {stripped!r}; .help lists them\n")
    return fmt


def _run_prompted(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: TextIO, tty: bool) -> int:
    """Run one statement at the prompt: 1 if it failed (shown as one line), 0 if not; piped, a failure ends it."""
    try:
        run_sql(con, sql, fmt, out)
    except QueryError as exc:
        if not tty:
            raise
        out.write(f"error: {exc}\n")
        return 1
    return 0


def banner(path: Path, con: duckdb.DuckDBPyConnection) -> str:
    from tracker.warehouse.db import warehouse_info

    info = warehouse_info(con)
    if info is None:
        return f"{path} (read-only)"
    return (f"{path}: version {info.version_file} (run {info.run_id}, "
            f"published {info.published_at:%Y-%m-%d %H:%M} UTC), read-only")

