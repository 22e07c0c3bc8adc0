"""Database set-up for the CLI: migrate to the latest schema, and keep rehearsal databases apart from live ones."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from socialbot.errors import ConfigError
from socialbot.storage.db import current_revision, make_engine, sqlite_file, upgrade
from socialbot.storage.locks import REHEARSAL_LOCK_KEY, hold_advisory_lock

LOCK_FRESH_FOR = timedelta(seconds=90)  # a daemon lock younger than this is held by a running daemon (storage.locks)
WHERE_TO_REHEARSE = (
    "give a new file name such as simulation.db, or an empty PostgreSQL database of its own "
    "(createdb socialbot_rehearsal), or the database of an earlier rehearsal"
)


@dataclass(frozen=True)
class Upgraded:
    before: str | None
    after: str | None


def upgrade_database(database_url: str) -> Upgraded:
    """Create or migrate the database at ``database_url`` (safe to run repeatedly)."""
    engine = make_engine(database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        return Upgraded(before=before, after=current_revision(engine))
    finally:
        engine.dispose()


def require_lasting_database(database_url: str) -> None:
    """The daemon's ledger must outlive the process: an in-memory SQLite database is refused."""
    if database_url.startswith("sqlite") and sqlite_file(database_url) is None:
        raise ConfigError(
            "the daemon needs a database file: an in-memory database forgets what was posted, so posts "
            "could go out twice; set --db or SOCIALBOT_DATABASE_URL to a file such as sqlite:///socialbot.db"
        )


# --- where a rehearsal runs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RehearsalTarget:
    """The database a rehearsal (``simulate``, ``run --sandbox``) writes: a SQLite file or a PostgreSQL database."""

    url: str
    file: Path | None = None  # the SQLite file; None for PostgreSQL

    @property
    def shown(self) -> str:
        """How messages name it: the file, or the URL with its password masked."""
        return str(self.file) if self.file is not None else masked_url(self.url)


def rehearsal_target(written: str) -> RehearsalTarget:
    """The rehearsal database ``--db`` names: a file name, a sqlite:/// URL of one, or a PostgreSQL URL."""
    if "://" not in written:
        return RehearsalTarget(url=rehearsal_url(Path(written)), file=Path(written))
    if written.startswith("sqlite:///"):
        path = sqlite_file(written)
        if path is not None:
            return RehearsalTarget(url=written, file=path)
    if _is_postgresql(written):
        return RehearsalTarget(url=written)
    raise ConfigError(
        f"--db {masked_url(written)}: a rehearsal runs in a SQLite file or a PostgreSQL database of its own; "
        "give a file name such as simulation.db or a postgresql:// URL"
    )


def rehearsal_url(db_path: Path) -> str:
    """The URL of the simulation database file ``db_path``."""
    return f"sqlite:///{db_path}"


def rehearsal_database(target: RehearsalTarget, *, live_url: str, fresh: bool) -> str:
    """The URL of the rehearsal database ``target``: never the live one, never one holding live data; emptied first
    when ``fresh`` (a SQLite file is deleted, a PostgreSQL database's tables are emptied)."""
    if same_database(target.url, live_url):
        raise ConfigError(
            f"--db {target.shown} is the live database (SOCIALBOT_DATABASE_URL); rehearse in another database with --db"
        )
    if target.file is None:
        _prepare_postgresql(target, fresh=fresh)
        return target.url
    db_path = target.file
    if db_path.is_dir():
        raise ConfigError(f"--db {db_path} is a directory; give a file name such as simulation.db")
    if db_path.exists() and not _is_rehearsal(db_path, emptying=fresh):
        if fresh:
            raise ConfigError(
                f"--db {db_path} exists and is not a simulation database; simulate empties its --db first, "
                "so give a new file name (or the simulation database of an earlier run)"
            )
        raise ConfigError(
            f"--db {db_path} exists and is not a rehearsal database (it holds live data or is not socialbot's); "
            f"a rehearsal never writes into it: {WHERE_TO_REHEARSE}"
        )
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot empty the rehearsal database {db_path}{suffix} ({exc.strerror or exc}); "
                    "give another --db file, or make that one (and its folder) writable"
                ) from None
    return target.url


@contextmanager
def rehearsal_lock(target: RehearsalTarget) -> Iterator[None]:
    """Held for a whole rehearsal: another one on the same database is refused (it would empty it midway).

    A lock file beside a SQLite file (``<file>.rehearsing``), a session advisory lock on PostgreSQL;
    the operating system or the server releases either when the process ends, however it ends.
    """
    if target.file is None:
        with hold_advisory_lock(target.url, key=REHEARSAL_LOCK_KEY) as held:
            if not held:
                raise ConfigError(f"another rehearsal is running on {target.shown}; wait for it, or give another --db")
            yield
        return
    import fcntl

    try:
        handle = open(f"{target.file}.rehearsing", "a+b")  # noqa: SIM115 (held for the rehearsal)
    except OSError as exc:
        raise ConfigError(
            f"cannot use --db {target.file} ({exc.strerror or exc}); give a file in a writable folder"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another rehearsal is running on {target.file}; wait for it, or give another --db"
            ) from None
        yield


# --- the same database under two URLs ---------------------------------------------------------------------------------


def same_database(url: str, other: str) -> bool:
    """Whether two URLs name one database: the same SQLite file, or the same PostgreSQL host, port and database.

    Generous on purpose (a false "same" only refuses a rehearsal): the user is left out (another role
    still reaches the same data), and a Unix socket, localhost, 127.0.0.1 and ::1 all count as this machine.
    """
    if url.startswith("sqlite") or other.startswith("sqlite"):
        mine = sqlite_file(url)
        return mine is not None and mine == sqlite_file(other)
    if not (_is_postgresql(url) and _is_postgresql(other)):
        return False
    hosts, port, database = _postgresql_identity(url)
    other_hosts, other_port, other_database = _postgresql_identity(other)
    return bool(hosts & other_hosts) and port == other_port and database == other_database


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (in the user part and in a ``password=`` parameter)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    userinfo, at, hosts = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
    tail = re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", tail)
    return f"{scheme}://{netloc}{tail}"


def _is_postgresql(url: str) -> bool:
    scheme = url.partition("://")[0].lower()
    return scheme.split("+", 1)[0] in ("postgresql", "postgres")


_THIS_MACHINE = frozenset({"", "localhost", "127.0.0.1", "::1"})


def _canonical_host(host: str) -> str:
    """One spelling per address written as numbers (2130706433, 127.1, ::ffff:127.0.0.1); names lower-cased.

    Parsed here, never looked up: no name is sent to a resolver.
    """
    import ipaddress
    import socket

    text = host.strip().lower().strip("[]")
    try:
        address = ipaddress.ip_address(int(text)) if text.isdigit() else ipaddress.ip_address(text)
    except ValueError:
        try:
            address = ipaddress.ip_address(socket.inet_aton(text))  # the short forms libpq also takes
        except OSError:
            return text
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return "127.0.0.1" if address.is_loopback else str(address)


def _postgresql_identity(url: str) -> tuple[frozenset[str], str, str]:
    """(hosts, port, database) as libpq would connect: ``host``/``port``/``dbname`` parameters and PG* variables too."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    userinfo, _, hostlist = parts.netloc.rpartition("@")
    user = query.get("user") or unquote(userinfo.split(":", 1)[0]) or os.environ.get("PGUSER") or _os_user()
    written_hosts, ports = [], []
    for entry in filter(None, hostlist.split(",")):
        if entry.startswith("["):  # [::1]:5432
            host, _, port = entry[1:].partition("]")
            port = port.lstrip(":")
        else:
            host, _, port = entry.partition(":")
        written_hosts.append(unquote(host))
        ports.append(port)
    if "host" in query:
        written_hosts = query["host"].split(",")
    if "hostaddr" in query:  # libpq connects to hostaddr whatever host says
        written_hosts = [*written_hosts, *query["hostaddr"].split(",")]
    if "port" in query:
        ports = query["port"].split(",")
    if not written_hosts:
        written_hosts = (os.environ.get("PGHOST") or "").split(",")
    port = next((p for p in ports if p), None) or os.environ.get("PGPORT") or "5432"
    digits = port.strip().lstrip("+")
    port = str(int(digits)) if digits.isdigit() else port  # 055433 and +55433 are 55433, as libpq reads them
    hosts = frozenset(
        "this machine" if h.startswith("/") or _canonical_host(h) in _THIS_MACHINE else _canonical_host(h)
        for h in written_hosts
    )
    database = query.get("dbname") or unquote(parts.path.lstrip("/")) or os.environ.get("PGDATABASE") or user
    return hosts, port, database


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


# --- what a rehearsal database holds ---------------------------------------------------------------------------------


def _prepare_postgresql(target: RehearsalTarget, *, fresh: bool) -> None:
    """Refuse a PostgreSQL database that is not socialbot's or holds live data; empty its tables when ``fresh``.

    The check and the emptying are one transaction holding every socialbot table exclusively, so nothing
    can be written between them. A database is a rehearsal when nothing in it went to a real platform
    (every publication is a sandbox post) and it has sandbox posts or only sandbox campaigns; an empty one is too.
    """
    from socialbot.storage.models import SandboxPostRow

    ours = {t.name for t in SandboxPostRow.metadata.sorted_tables} | {"alembic_version"}
    engine = make_engine(target.url)
    try:
        with engine.begin() as conn:
            tables = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                )
            }
            foreign = sorted(tables - ours)
            if foreign:
                raise ConfigError(
                    f"--db {target.shown} holds tables that are not socialbot's ({', '.join(foreign[:5])}"
                    f"{', …' if len(foreign) > 5 else ''}); a rehearsal never writes into it: {WHERE_TO_REHEARSE}"
                )
            data = sorted(tables - {"alembic_version"})
            if not data:
                return
            names = ", ".join(f'"{t}"' for t in data)
            if fresh:
                conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            live = _live_data(conn, tables)
            if live:
                raise ConfigError(
                    f"--db {target.shown} holds live data ({live}), not a sandbox rehearsal; a rehearsal never "
                    f"writes into it and never empties it (nothing was changed): {WHERE_TO_REHEARSE}"
                )
            if not fresh:
                return
            if "daemon_lock" in tables and _count(
                conn,
                "SELECT count(*) FROM daemon_lock WHERE heartbeat_at > %s",
                ((datetime.now(UTC) - LOCK_FRESH_FOR).replace(tzinfo=None),),  # stored as naive UTC
            ):
                raise ConfigError(
                    f"--db {target.shown}: a daemon is running on it (`socialbot status --db …` shows it); "
                    "stop it before starting a fresh rehearsal there, or use --keep"
                )
            conn.exec_driver_sql(f"TRUNCATE TABLE {names} RESTART IDENTITY")
    finally:
        engine.dispose()


def _live_data(conn: Any, tables: set[str]) -> str | None:
    """What in a socialbot PostgreSQL database is live (went to, or is planned for, a real platform); None if nothing."""
    sandbox_posts = _count(conn, "SELECT count(*) FROM sandbox_posts") if "sandbox_posts" in tables else 0
    if "publications" in tables:
        live = _count(
            conn,
            "SELECT count(*) FROM publications p WHERE NOT EXISTS "
            "(SELECT 1 FROM sandbox_posts s WHERE s.remote_id = p.remote_id)"
            if "sandbox_posts" in tables
            else "SELECT count(*) FROM publications",
        )
        if live:
            return f"{live} publication(s) on real platforms"
    if sandbox_posts or "campaigns" not in tables:
        return None
    real = _count(conn, "SELECT count(*) FROM campaigns WHERE coalesce(platforms, '') <> 'sandbox'")
    if real:
        return f"{real} campaign(s) for real platforms and no sandbox post"
    return None


def _count(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(conn.exec_driver_sql(sql, params).scalar_one())


def _is_rehearsal(path: Path, *, emptying: bool) -> bool:
    """A SQLite file holding only sandbox campaigns, or an empty file; to be emptied, no daemon may hold its lock."""
    import sqlite3

    try:
        with path.open("rb") as handle:
            header = handle.read(16)
        if not header:
            return True
        if header != b"SQLite format 3\x00":
            return False
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "ledger" not in tables:
                return not tables
            platforms = {r[0] for r in conn.execute("SELECT DISTINCT platform FROM publications")}
            held = conn.execute("SELECT count(*) FROM daemon_lock").fetchone()[0] if "daemon_lock" in tables else 0
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    if emptying and held:
        return False
    return platforms <= {"sandbox"} | (platforms if _only_simulated(path) else set())


def _only_simulated(path: Path) -> bool:
    """A simulation database has no live publications: every publication is in the sandbox world."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        live = conn.execute(
            "SELECT count(*) FROM publications WHERE remote_id NOT IN (SELECT remote_id FROM sandbox_posts)"
        ).fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return live == 0
