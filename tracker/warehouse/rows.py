"""Rows in and out of DuckDB by column name, from dataclasses (sqlite-utils' habit).

A dataclass whose fields are named for a table's columns is the row: `insert` builds
`INSERT INTO t (cols) VALUES (...)`, one placeholder per field, `select` builds the dataclass back from the same
names. No positional placeholder list written by hand and no `Row(*tuple)`: adding or reordering a
column cannot shift a value into the wrong one. The dataclasses hold tuples (they are frozen); they go
in as lists, the tables' `VARCHAR[]` columns, whatever type DuckDB would infer for a tuple.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import TypeVar

import duckdb
import pyarrow as pa

T = TypeVar("T")

# From this many rows an insert is one INSERT ... SELECT over an Arrow table: executemany runs a statement
# per row (2,000 archive records took 4.5 s that way, a few hundredths of a second this way).
BULK = 16
_names = itertools.count()


def column_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _value(value):
    return list(value) if isinstance(value, tuple) else value


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable, *, columns: Sequence[str] | None = None,
           replace: bool = False, on_conflict: str | None = None, updating: Sequence[str] | None = None) -> int:
    """Insert dataclass rows into `table` by column name (all their fields, or only `columns`); returns how
    many. `replace`: INSERT OR REPLACE, for tables keyed by a primary key. `on_conflict` (a key column): a
    row whose key is already there updates the stored row's other columns, or only the columns `updating`
    names, and leaves the rest (a first-seen time, say) as they were."""
    rows = list(rows)
    if not rows:
        return 0
    names = tuple(columns) if columns else column_names(rows[0])
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    into = f"{verb} INTO {table} ({', '.join(names)})"
    upsert = _upsert_clause(names, on_conflict, updating)
    values = [[_value(getattr(row, name)) for name in names] for row in rows]
    bulk = _arrow_table(names, values) if len(rows) >= BULK else None
    if bulk is not None and (replace or on_conflict):
        keys = [on_conflict] if on_conflict else _key_columns(con, table)
        if not keys or not set(keys) <= set(names) or _repeats(values, [names.index(k) for k in keys]):
            bulk = None  # one statement may not touch a row twice: row by row, the last one wins
    if bulk is None:
        con.executemany(f"{into} VALUES ({', '.join('?' for _ in names)}){upsert}", values)
        return len(rows)
    view = f"_insert_rows_{next(_names)}"
    con.register(view, bulk)
    try:
        con.execute(f"{into} SELECT {', '.join(names)} FROM {view}{upsert}")
    finally:
        con.unregister(view)
    return len(rows)


def _arrow_table(names: Sequence[str], values: list[list]) -> pa.Table | None:
    """The rows as an Arrow table, or None when a column's values have no one Arrow type, or one executemany
    would bind otherwise (a time zone DuckDB would convert into a TIMESTAMP column): those go in row by row."""
    try:
        table = pa.table({name: pa.array([row[i] for row in values]) for i, name in enumerate(names)})
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    return table if all(_plain(t) for t in table.schema.types) else None


def _plain(kind: pa.DataType) -> bool:
    """A type that goes into its column as executemany's value would: no time zone, no struct or map."""
    if pa.types.is_list(kind):
        return _plain(kind.value_type)
    if pa.types.is_timestamp(kind):
        return kind.tz is None
    return not (pa.types.is_nested(kind) or pa.types.is_dictionary(kind))


def _key_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute("SELECT constraint_column_names FROM duckdb_constraints() "
                       "WHERE database_name = current_database() AND table_name = ? "
                       "AND constraint_type = 'PRIMARY KEY'",
                       [table]).fetchall()
    return list(rows[0][0]) if len(rows) == 1 else []


def _repeats(values: list[list], positions: list[int]) -> bool:
    return len({tuple(row[i] for i in positions) for row in values}) < len(values)


def _upsert_clause(names: Sequence[str], key: str | None, updating: Sequence[str] | None) -> str:
    if key is None:
        return ""
    changed = [name for name in (updating or names) if name != key]
    return f" ON CONFLICT ({key}) DO UPDATE SET {', '.join(f'{name} = excluded.{name}' for name in changed)}"


def select(con: duckdb.DuckDBPyConnection, cls: type[T], source: str, rest: str = "", params: Sequence = ()) -> list[T]:
    """`SELECT <cls's fields> FROM source rest` as instances of cls, each value passed by name."""
    names = column_names(cls)
    cursor = con.execute(f"SELECT {', '.join(names)} FROM {source} {rest}", list(params))
    return [cls(**dict(zip(names, row))) for row in cursor.fetchall()]


def update(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable, *, key: str) -> int:
    """`UPDATE table SET <every other field> = ? WHERE key = ?` for each dataclass row; returns how many rows given."""
    rows = list(rows)
    if not rows:
        return 0
    names = [name for name in column_names(rows[0]) if name != key]
    con.executemany(
        f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in names)} WHERE {key} = ?",
        [[_value(getattr(row, name)) for name in names] + [getattr(row, key)] for row in rows],
    )
    return len(rows)
