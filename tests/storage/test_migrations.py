"""Migrations: `upgrade head` on an empty database equals the models; an older head upgrades with its data."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from socialbot.storage.db import current_revision, head_revision, make_engine, upgrade


def test_upgrade_head_on_empty_database_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []
    engine.dispose()


def test_database_at_an_older_head_upgrades_and_keeps_its_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001_core")
    assert current_revision(engine) == "0001_core"
    now = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO campaigns (id, name, timezone, file_path, digest, starts_at, ends_at, active, updated_at) "
                "VALUES ('old', 'Old', 'UTC', 'c.yaml', 'x', :t, :t, 1, :t)"
            ),
            {"t": now},
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM campaigns")).scalar_one() == "Old"
        assert conn.execute(text("SELECT count(*) FROM job_runs")).scalar_one() == 0  # the newer tables exist
    upgrade(engine)  # idempotent
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 30000
    engine.dispose()
