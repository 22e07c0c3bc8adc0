"""Database set-up for the CLI: migrate to the latest schema, and keep rehearsal databases apart from live ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from socialbot.errors import ConfigError
from socialbot.storage.db import current_revision, make_engine, sqlite_file, upgrade


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


def simulation_file(written: str) -> Path:
    """The SQLite file ``simulate --db`` names: a file name, or a sqlite:/// URL of one."""
    if "://" not in written:
        return Path(written)
    if written.startswith("sqlite:///"):
        path = sqlite_file(written)
        if path is not None:
            return path
    raise ConfigError(
        f"--db {written.split('://', 1)[0]}://…: a simulation runs in a SQLite file of its own; "
        "give a file name such as simulation.db"
    )


def rehearsal_url(db_path: Path) -> str:
    """The URL of the simulation database file ``db_path``."""
    return f"sqlite:///{db_path}"


def rehearsal_database(db_path: Path, *, live_url: str, fresh: bool) -> str:
    """The URL of a simulation database at ``db_path``: never the live one; emptied first when ``fresh``."""
    live_file = sqlite_file(live_url)
    if live_file is not None and live_file == db_path.resolve():
        raise ConfigError(
            f"{db_path} is the live database (SOCIALBOT_DATABASE_URL); simulate into another file with --db"
        )
    if db_path.is_dir():
        raise ConfigError(f"--db {db_path} is a directory; give a file name such as simulation.db")
    if fresh and db_path.exists() and not _is_rehearsal(db_path):
        raise ConfigError(
            f"--db {db_path} exists and is not a simulation database; simulate empties its --db first, "
            "so give a new file name (or the simulation database of an earlier run)"
        )
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return rehearsal_url(db_path)


def _is_rehearsal(path: Path) -> bool:
    """A SQLite file holding only sandbox campaigns (safe to empty), or an empty file."""
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
    return held == 0 and platforms <= {"sandbox"} | (platforms if _only_simulated(path) else set())


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
