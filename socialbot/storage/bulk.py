"""One place for bulk writes: batches, and the dialect's INSERT … ON CONFLICT (ignore, update or add)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Insert, String, Table, Text, TypeDecorator, bindparam, func, insert, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeEngine

from socialbot.domain.batching import chunks

__all__ = [
    "BATCH",
    "ONE_OF_MAX",
    "NewRows",
    "chunks",
    "driver_rows",
    "driver_value",
    "insert_ignore",
    "insert_rows",
    "new_rows",
    "one_of",
    "plain_insert",
    "storable_int",
    "storable_json",
    "storable_text",
    "store_new",
    "upsert",
]

BATCH = 1000


def _dialect_insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise NotImplementedError(f"bulk upserts are written for SQLite and PostgreSQL, not {dialect}")


def insert_ignore(dialect: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING: a row whose unique key exists is skipped (idempotent re-fetches)."""
    return _dialect_insert(dialect, table).on_conflict_do_nothing()


def upsert(
    dialect: str, table: Table, *, keys: Sequence[str], update: Sequence[str] = (), add: Sequence[str] = ()
) -> Insert:
    """INSERT … ON CONFLICT (keys) DO UPDATE: ``update`` columns take the new value, ``add`` columns are summed."""
    stmt = _dialect_insert(dialect, table)
    values: dict[str, Any] = {c: stmt.excluded[c] for c in update}
    values |= {c: table.c[c] + stmt.excluded[c] for c in add}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=values)


def insert_rows(conn: Connection, stmt: Insert, rows: Sequence[Mapping[str, Any]], *, size: int = BATCH) -> int:
    """Execute ``stmt`` over ``rows`` in batches; returns the rows written (for ``insert_ignore``: the new ones).

    SQLite's driver adds up the rows each execution changed. psycopg reports no row count for an executemany,
    nor for any INSERT once SQLAlchemy has closed its cursor (-1), so on PostgreSQL the statement returns the
    primary key of each row it wrote and those are counted; SQLAlchemy sends the batch as multi-row INSERTs
    ("insertmanyvalues"), no slower than the executemany.
    """
    if not rows:
        return 0
    counted = stmt.returning(*stmt.table.primary_key) if conn.dialect.name == "postgresql" else None
    written = 0
    for chunk in chunks(rows, size):  # SQLite caps the bound parameters of one statement
        if counted is not None:
            written += len(conn.execute(counted, list(chunk)).all())
        else:
            written += max(0, conn.execute(stmt, list(chunk)).rowcount)
    return written


def plain_insert(table: Table) -> Insert:
    return insert(table)


# --- the fast path: driver SQL over rows already converted to what the driver takes -----------------------------


@dataclass(frozen=True)
class NewRows:
    """INSERT … ON CONFLICT DO NOTHING of ``columns`` of a table, written once as the driver's own SQL.

    The rows it takes are tuples of driver values in ``columns`` order (``driver_value`` and ``driver_rows`` convert), so
    SQLAlchemy does no per-row work: on SQLite the driver's ``executemany`` runs it (its row count adds up
    the rows each execution changed); on PostgreSQL it is ONE statement inserting from ``unnest`` of one
    array per column, which counts the rows it wrote (psycopg has no row count for an ``executemany``).
    """

    dialect: str
    columns: tuple[str, ...]
    sql: str


def new_rows(dialect: Dialect, table: Table, columns: Sequence[str]) -> NewRows:
    """The statement for ``columns`` of ``table`` on ``dialect`` (SQLite or PostgreSQL), built once per dialect."""
    return _new_rows(dialect.name, table, tuple(columns))


@cache
def _new_rows(dialect: str, table: Table, columns: tuple[str, ...]) -> NewRows:
    names = ", ".join(table.c[c].name for c in columns)
    if dialect == "sqlite":
        values = ", ".join(["?"] * len(columns))
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING"
    elif dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.dialect()
        # untyped arrays would not convert to timestamps; a VARCHAR(n) cast would cut long text silently, so
        # strings go as TEXT and the column itself refuses what is too long, as it does for any insert; %b:
        # the arrays travel in psycopg's binary format (its text format escapes each element with a regex)
        arrays = ", ".join(f"CAST(%b AS {_array_element(table.c[c].type, pg)}[])" for c in columns)
        sql = (
            f"WITH new AS (INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM new"
        )
    else:
        raise NotImplementedError(f"bulk inserts are written for SQLite and PostgreSQL, not {dialect}")
    return NewRows(dialect, columns, sql)


def _array_element(type_: TypeEngine, dialect: Dialect) -> str:
    """The element type of the array a PostgreSQL column's values travel in: its own, or TEXT for any string."""
    base = type_.impl_instance if isinstance(type_, TypeDecorator) else type_  # sqlmodel's AutoString decorates one
    return "TEXT" if isinstance(base, String) else type_.compile(dialect)


def store_new(conn: Connection, stmt: NewRows, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (driver values, in ``stmt.columns`` order) on ``conn``, in its transaction; returns the new ones.

    A row whose unique key exists already, in the table or earlier in ``rows``, is skipped and not counted.
    """
    if not rows:
        return 0
    if stmt.dialect == "postgresql":
        arrays = tuple(list(column) for column in zip(*rows, strict=True))
        return int(conn.exec_driver_sql(stmt.sql, arrays).scalar_one())
    return max(0, conn.exec_driver_sql(stmt.sql, list(rows)).rowcount)


def driver_value(dialect: Dialect, table: Table, column: str) -> Callable[[Any], Any]:
    """What SQLAlchemy turns a value of ``column`` into for ``dialect``'s driver (the type's bind processor)."""
    return table.c[column].type.dialect_impl(dialect).bind_processor(dialect) or _same


def _same(value: Any) -> Any:
    return value


def driver_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` of Python values in ``columns`` order, each value converted by its column's bind processor."""
    processors = [
        (k, p) for k, c in enumerate(columns) if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    out = []
    for row in rows:
        values = list(row)
        for k, process in processors:
            values[k] = process(values[k])
        out.append(tuple(values))
    return out


# --- what every database can store: text from the internet is data, but PostgreSQL refuses some of it -------------

INT_MAX = 2**31 - 1  # an INTEGER column's largest value on PostgreSQL (SQLite would take any)


def storable_text(value: str | None) -> str | None:
    """``value`` with what no database column can hold replaced by U+FFFD: NUL (PostgreSQL refuses it in text)
    and lone surrogates (not UTF-8 at all). Everything else is kept verbatim; ASCII text costs one check."""
    if value is None or (value.isascii() and "\x00" not in value):
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    return value


def storable_int(value: int | None) -> int | None:
    """A count an INTEGER column holds, or None (unknown) for one no platform really reports (negative or ≥ 2³¹)."""
    if value is None or 0 <= value <= INT_MAX:
        return value
    return None


def storable_json(value: Any) -> Any:
    """A JSON payload every database takes: non-finite numbers (NaN, Infinity) become null, texts as ``storable_text``."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(str(k)): storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value


#: How many values ``one_of`` takes in one statement (SQLite caps the bound parameters of a statement).
ONE_OF_MAX = {"sqlite": 900, "postgresql": 10_000}


def one_of(dialect: str, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``name``: an IN list on SQLite; on PostgreSQL IN (SELECT unnest(array)).

    One array parameter, which the planner can hash or probe an index with: an IN list of parameters, once
    psycopg has prepared the statement, is a generic plan that compares each row with each value in turn
    (a hundred such lookups over 20,000 snapshots took 74 s).
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        values = select(func.unnest(bindparam(name, type_=ARRAY(Text())))).scalar_subquery()
        return column.in_(values)
    return column.in_(bindparam(name, expanding=True))
