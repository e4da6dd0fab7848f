"""Rows in and out of DuckDB by column name, from dataclasses (sqlite-utils' habit).

A dataclass whose fields are named for a table's columns is the row: `insert` builds
`INSERT INTO t (cols) VALUES (...)`, one placeholder per field, `select` builds the dataclass back from the same
names. No positional placeholder list written by hand and no `Row(*tuple)`: adding or reordering a
column cannot shift a value into the wrong one. The dataclasses hold tuples (they are frozen); they go
in as lists, the tables' `VARCHAR[]` columns, whatever type DuckDB would infer for a tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import TypeVar

import duckdb

T = TypeVar("T")


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
    con.executemany(
        f"{verb} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        + _upsert_clause(names, on_conflict, updating),
        [[_value(getattr(row, name)) for name in names] for row in rows],
    )
    return len(rows)


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
