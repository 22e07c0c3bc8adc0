"""Column types every table uses: UTC datetimes (converted once per value on SQLite), and a table's Core object."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Table, TypeDecorator
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes; SQLite returns naive ones, so tzinfo is put back on the way out.

    On SQLite each value is converted once, by one function each way, in the text form SQLAlchemy's
    SQLite dialect writes (``2026-12-01 08:00:00.000000``) — its generic path costs a regular
    expression per value read and three processors per value written, which dominated ingestion.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect):
        return _sqlite_text if dialect.name == "sqlite" else super().bind_processor(dialect)

    def result_processor(self, dialect, coltype):
        return _sqlite_datetime if dialect.name == "sqlite" else super().result_processor(dialect, coltype)


def _sqlite_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # the common case, a fifth cheaper: the text without its "+00:00"
        return value.isoformat(" ", "microseconds")[:-6]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_datetime(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _ts(*, nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model (its ``__table__``, which SQLModel's type stubs do not declare)."""
    return sa_inspect(model).local_table
