"""Database engine, sessions and migrations: SQLite (WAL, busy timeout) by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from socialbot.errors import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def sqlite_file(url: str) -> Path | None:
    """The resolved file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:
        return None
    return Path(database).resolve() if database and database != ":memory:" else None


def file_identity(url: str) -> tuple[int, int] | None:
    """(device, inode) of a SQLite database file, to notice it being deleted or replaced; None otherwise.

    A missing file is (0, 0): different from the identity of any file that exists.
    """
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_dev, st.st_ino)


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (the ``.[postgres]`` extra), not SQLAlchemy's
    default psycopg2 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


REHEARSAL_CACHE_KIB = 32 * 1024  # per connection; a rehearsal uses one or two
REHEARSAL_CHECKPOINT_PAGES = 10_000
CONNECT_TIMEOUT = 10  # seconds to reach PostgreSQL, unless the URL says connect_timeout=


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout so the CLI and daemon can share it.

    ``durable=False`` is for rehearsal databases (``simulate``): commits are not forced to disk (SQLite
    ``synchronous=OFF``, PostgreSQL ``synchronous_commit=off``). A power cut may lose the last moments
    of a rehearsal, never live data; the thousands of small transactions of a simulated fortnight
    otherwise spend most of their time waiting for the disk at each WAL checkpoint.
    """
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = normalise_url(url)

    path = sqlite_file(url)
    if path is not None:
        if path.is_dir():
            raise ConfigError(f"the database {path} is a directory; point SOCIALBOT_DATABASE_URL (or --db) at a file")
        if not path.parent.is_dir():
            raise ConfigError(
                f"the folder {path.parent} of the database does not exist; create it or change SOCIALBOT_DATABASE_URL (or --db)"
            )
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas if durable else _sqlite_rehearsal_pragmas)
        else:
            # a server that accepts and never answers must not hang a command (libpq waits forever by default)
            waits = {} if "connect_timeout" in url else {"connect_args": {"connect_timeout": CONNECT_TIMEOUT}}
            engine = create_engine(url, pool_pre_ping=True, **waits)
            if not durable:
                event.listen(engine, "connect", _no_synchronous_commit)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(f"SOCIALBOT_DATABASE_URL is not a usable database URL ({exc})") from None
    except ImportError as exc:
        hint = " (install it with `pip install -e '.[postgres]'`)" if url.startswith("postgresql") else ""
        raise ConfigError(
            f"the database driver for SOCIALBOT_DATABASE_URL is not installed: {exc.name}{hint}"
        ) from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record, *, synchronous: str = "NORMAL") -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_rehearsal_pragmas(dbapi_connection, record) -> None:
    """As a live database, but commits are not forced to disk; a larger page cache (the indexes of a busy
    fortnight's interactions outgrow the 2 MiB default) and WAL checkpoints every 40 MiB, not every 4."""
    _sqlite_pragmas(dbapi_connection, record, synchronous="OFF")
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{REHEARSAL_CACHE_KIB}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={REHEARSAL_CHECKPOINT_PAGES}")
    cursor.close()


def _no_synchronous_commit(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO off")
    cursor.close()
    dbapi_connection.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commits on success, rolls back everything on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def transaction(db: Engine | Connection) -> Iterator[Connection]:
    """A transaction on ``db``: its own for an engine (committed at the end, rolled back on error), or the
    caller's for a connection — so a collection round writes everything it brought in one transaction."""
    if isinstance(db, Connection):
        yield db
    else:
        with db.begin() as conn:
            yield conn


def _alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head", *, step_by_step: bool = False) -> None:
    """Apply migrations up to ``revision`` (programmatic Alembic; safe to run on every start).

    To the head, two cases skip Alembic (whose import and ten migrations cost ~0.5 s, a good part
    of a command): a database already at the head is left alone, and an empty one gets the models'
    tables at once, stamped with the head, in one transaction. Tests hold that schema equal to the
    one the migrations build step by step (``step_by_step=True``, as on PostgreSQL and SQLite).
    A database that cannot be migrated (a newer socialbot's, one whose tables are missing or were
    made without migrations) is refused with what to do, before anything is written. Migrations by
    several processes at once take turns (a lock), so only the first one migrates.
    """
    if revision == "head" and not step_by_step and _at_head_or_created(engine):
        return
    from alembic import command

    with _migration_lock(engine):
        if revision == "head" and not step_by_step and _at_head(engine):
            return  # another process migrated it meanwhile
        command.upgrade(_alembic_config(engine), revision)


_OURS = ("ledger", "campaigns", "interactions", "publications")  # tables that make a database socialbot's


def _at_head(engine: Engine) -> bool:
    from sqlalchemy import text

    from socialbot.storage.revisions import head_revision as head

    with engine.connect() as conn:
        if not conn.dialect.has_table(conn, "alembic_version"):
            return False
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))] == [head()]


def _at_head_or_created(engine: Engine) -> bool:
    """True if the database is at the head, or was empty and now holds the head's schema; False: migrate.

    Refuses (ConfigError) what no migration can fix: a revision this version does not ship, a
    recorded head whose tables are gone, or socialbot's table names without a migration record.
    """
    from sqlalchemy import MetaData, String, inspect, text
    from sqlalchemy.schema import Column, PrimaryKeyConstraint, Table

    from socialbot.storage.revisions import head_revision as head
    from socialbot.storage.revisions import revisions

    with engine.connect() as conn:
        if conn.dialect.has_table(conn, "alembic_version"):
            found = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
            unknown = [v for v in found if v not in revisions()]
            if unknown:
                raise ConfigError(
                    f"this database was migrated by a newer socialbot (revision {unknown[0]}; this version knows up "
                    f"to {head()}): upgrade socialbot, or use this database with the version that made it"
                )
            if found == [head()]:
                if not conn.dialect.has_table(conn, "ledger"):
                    raise ConfigError(
                        f"this database records socialbot's schema at {head()} but its tables are missing (it was "
                        "emptied by hand?): restore it from a backup, or use a new database (--db)"
                    )
                return True
            if found:
                return False  # an older revision: Alembic migrates
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the driver starts none before DDL: one writer, all or nothing
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7201260001)"))  # two first starts: one creates
        inspector = inspect(conn)
        names = set(inspector.get_table_names()) | set(inspector.get_view_names())
        if names & set(_OURS) and "alembic_version" not in names:
            conn.rollback()
            taken = ", ".join(sorted(names & set(_OURS)))
            raise ConfigError(
                f"this database already has tables or views named like socialbot's ({taken}) but no record of "
                "socialbot's migrations (alembic_version): it was not made by `socialbot db upgrade`; "
                "use a database of its own (--db)"
            )
        if names:
            conn.rollback()
            return False  # not empty after all (another program's tables, or created meanwhile): Alembic decides
        from sqlmodel import SQLModel

        import socialbot.storage.models  # noqa: F401  (registers the tables)

        SQLModel.metadata.create_all(conn, checkfirst=False)  # a name taken meanwhile fails the whole transaction
        version = Table(
            "alembic_version",
            MetaData(),
            Column("version_num", String(32), nullable=False),
            PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
        )
        version.create(conn)
        conn.execute(version.insert().values(version_num=head()))
        conn.commit()
    log.debug("created the schema at %s", head())
    return True


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time: a session advisory lock on PostgreSQL, a lock file beside a SQLite file."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7201260002)"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7201260002)"))
                conn.commit()
        return
    path = sqlite_file(str(engine.url))
    if path is None:
        yield
        return
    import fcntl

    try:
        handle = open(f"{path}.migrating", "a+b")  # noqa: SIM115 (held for the whole migration)
    except OSError:
        yield  # a folder we cannot write to: the migration's own error will say so
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def pending(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()
