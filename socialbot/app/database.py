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


def rehearsal_database(db_path: Path, *, live_url: str, fresh: bool) -> str:
    """The URL of a simulation database at ``db_path``: never the live one; emptied first when ``fresh``."""
    live_file = sqlite_file(live_url)
    if live_file is not None and live_file == db_path.resolve():
        raise ConfigError(
            f"{db_path} is the live database (SOCIALBOT_DATABASE_URL); simulate into another file with --db"
        )
    if db_path.is_dir():
        raise ConfigError(f"--db {db_path} is a directory; give a file name such as simulation.db")
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{db_path}"
