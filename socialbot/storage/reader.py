"""Plain-SQL reads without the ORM: stdlib sqlite3 for a SQLite file, an SQLAlchemy connection otherwise.

The same SQL text (named ``:name`` binds, which both sqlite3 and SQLAlchemy's ``text()`` take) runs
on either, so a read written once works on SQLite and PostgreSQL. Importing this module costs no
SQLAlchemy: `socialbot status` on a SQLite file never loads it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialbot.errors import ConfigError
from socialbot.storage.revisions import head_revision, revisions

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# URLs meaning a plain SQLite file through the stdlib driver; any other form goes through SQLAlchemy
_PLAIN_SQLITE = ("sqlite:///", "sqlite+pysqlite:///")


class Reader:
    """One read session over a database: SQL text in, rows (tuples of the driver's values) out."""

    dialect: str
    #: what a read of a table or column the database does not have raises
    schema_errors: tuple[type[Exception], ...]

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def time(self, value: datetime) -> Any:
        """An aware datetime as a bind value compared with stored times (stored as UTC without zone)."""
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.dialect == "sqlite" else naive

    def day(self, value: date) -> Any:
        """A date as a bind value (SQLite stores dates as ISO text)."""
        return value.isoformat() if self.dialect == "sqlite" else value


class SQLiteReader(Reader):
    """A stdlib sqlite3 connection to an existing file (never creates one), all reads in one snapshot."""

    dialect = "sqlite"
    schema_errors = (sqlite3.OperationalError,)

    def __init__(self, path: Path) -> None:
        # mode=rw: a missing file is an error, not a new empty database; timeout: SQLite's busy wait
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=30, isolation_level=None)
        self._conn.execute("BEGIN")  # deferred: the first read takes the snapshot every later read sees

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
        return iter(self._conn.execute(sql, dict(params or {})))

    def close(self) -> None:
        self._conn.rollback()
        self._conn.close()


class EngineReader(Reader):
    """Reads on an SQLAlchemy connection (PostgreSQL, or an engine a caller already has)."""

    def __init__(self, conn: Connection) -> None:
        from sqlalchemy import exc

        self._conn = conn
        self.dialect = conn.dialect.name
        self.schema_errors = (exc.OperationalError, exc.ProgrammingError)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
        from sqlalchemy import text

        return iter(self._conn.execute(text(sql), dict(params or {})))


@contextmanager
def reading(db: Engine | Reader) -> Iterator[Reader]:
    """A Reader over ``db``: the Reader itself, or a connection of the engine's for the time of the block."""
    if isinstance(db, Reader):
        yield db
        return
    with db.connect() as conn:
        yield EngineReader(conn)


@contextmanager
def open_reader(database_url: str) -> Iterator[Reader]:
    """A Reader over the database at ``database_url``, closed after: sqlite3 for a plain SQLite file
    (no SQLAlchemy imported), an engine of its own (disposed after) for anything else."""
    path = plain_sqlite_file(database_url)
    if path is None:
        from socialbot.storage.db import make_engine

        engine = make_engine(database_url)
        try:
            with engine.connect() as conn:
                yield EngineReader(conn)
        finally:
            engine.dispose()
        return
    if path.is_dir():
        raise ConfigError(f"the database {path} is a directory; point SOCIALBOT_DATABASE_URL (or --db) at a file")
    reader = SQLiteReader(path)
    try:
        yield reader
    finally:
        reader.close()


def plain_sqlite_file(url: str) -> Path | None:
    """The resolved file of a plain SQLite URL (``sqlite:///relative.db``, ``sqlite:////absolute.db``) with
    no query, escape or fragment; None for any other URL, which ``storage.db`` reads through SQLAlchemy."""
    for prefix in _PLAIN_SQLITE:
        if url.startswith(prefix):
            database = url[len(prefix) :]
            if not database or database == ":memory:" or any(c in database for c in "?%#"):
                return None
            return Path(database).resolve()
    return None


def sqlite_path(url: str) -> Path | None:
    """The resolved file behind a SQLite URL (None for other databases and in-memory SQLite), as
    ``storage.db.sqlite_file`` says, without importing SQLAlchemy for a plain file URL."""
    if not url.startswith("sqlite"):
        return None
    path = plain_sqlite_file(url)
    if path is not None:
        return path
    from socialbot.storage.db import sqlite_file

    return sqlite_file(url)


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name_0, :name_1, …)`` and its binds, for ``column IN …`` (``(NULL)``, matching nothing, when empty)."""
    binds = {f"{name}_{n}": v for n, v in enumerate(values)}
    return "(" + (", ".join(f":{b}" for b in binds) or "NULL") + ")", binds


def utc(value: str | datetime) -> datetime:
    """A stored time as an aware UTC datetime: SQLite gives ISO text, PostgreSQL a naive datetime."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_or_none(value: str | datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def as_date(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def needs_migrating(reader: Reader) -> bool:
    """The database has no schema yet, or one older than this version of socialbot migrates to.

    A revision this version does not know is a newer socialbot's: it is read as it is.
    """
    try:
        versions = [row[0] for row in reader.rows("SELECT version_num FROM alembic_version")]
    except reader.schema_errors:
        return True
    if not versions:
        return True
    return versions != [head_revision()] and all(v in revisions() for v in versions)
