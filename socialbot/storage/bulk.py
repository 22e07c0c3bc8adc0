"""One place for bulk writes: batches, and the dialect's INSERT … ON CONFLICT (ignore, update or add)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table, insert
from sqlalchemy.engine import Connection

from socialbot.domain.batching import chunks

__all__ = ["BATCH", "chunks", "insert_ignore", "insert_rows", "plain_insert", "upsert"]

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
