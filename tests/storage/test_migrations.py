"""Migrations: `upgrade head` on an empty database equals the models; an older head upgrades with its data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from socialbot.storage.db import current_revision, head_revision, make_engine, upgrade


def test_upgrade_head_on_empty_database_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, step_by_step=True)
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


def test_the_general_ledger_migration_carries_existing_rows_over(tmp_path):
    """0002 → 0003: rows become schedule rows with a kind; thread parts get their parent key as a column."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    upgrade(engine, "0002_daemon")
    now = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    rows = [
        ("c/hello/20261201T0900/x/0", "hello", 0, '{"text": "Hi", "poll": null}', "sent"),
        ("c/story/20261201T0930/x/0", "story", 0, '{"text": "One", "poll": null}', "sent"),
        ("c/story/20261201T0930/x/1", "story", 1, '{"text": "Two", "poll": null}', "planned"),
        ("c/vote/20261202T1200/x/0", "vote", 0, '{"text": "Pick", "poll": {"options": ["a", "b"]}}', "planned"),
    ]
    with engine.begin() as conn:
        for key, item, part, draft, status in rows:
            conn.execute(
                text(
                    "INSERT INTO ledger (key, campaign_id, item_id, occurrence, platform, part, due_at, local_time,"
                    " status, content_hash, draft, catch_up_seconds, attempts, updated_at)"
                    " VALUES (:key, 'c', :item, 1, 'x', :part, :t, '', :status, 'h', :draft, 3600, 0, :t)"
                ),
                {"key": key, "item": item, "part": part, "draft": draft, "status": status, "t": now},
            )
    upgrade(engine)
    with engine.connect() as conn:
        got = {
            key: (origin, kind, parent, reply_to, status)
            for key, origin, kind, parent, reply_to, status in conn.execute(
                text("SELECT key, origin, kind, parent_key, reply_to, status FROM ledger")
            )
        }
    assert got == {
        "c/hello/20261201T0900/x/0": ("schedule", "post", None, None, "sent"),
        "c/story/20261201T0930/x/0": ("schedule", "post", None, None, "sent"),
        "c/story/20261201T0930/x/1": ("schedule", "thread_part", "c/story/20261201T0930/x/0", None, "planned"),
        "c/vote/20261202T1200/x/0": ("schedule", "poll", None, None, "planned"),
    }
    engine.dispose()


def test_sandbox_posts_from_before_the_text_key_are_keyed_so_duplicates_are_still_refused(tmp_path):
    """0007 → 0008: existing sandbox posts get the key the duplicate check looks up."""
    from socialbot.domain.values import Draft
    from socialbot.errors import ContentRejected
    from socialbot.platforms.sandbox import SandboxPlatform
    from socialbot.storage.sandbox_world import SandboxWorldStore

    engine = make_engine(f"sqlite:///{tmp_path / 'world.db'}")
    upgrade(engine, "0007_database_role")
    created = datetime(2026, 12, 1, 9, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sandbox_posts (account, remote_id, text, reply_to, created_at, deleted) "
                "VALUES ('acct', '1800000001', 'Launch day https://t.co/x', NULL, :t, 0)"
            ),
            {"t": created},
        )
    upgrade(engine)
    clock = datetime(2026, 12, 1, 10, tzinfo=UTC)
    sandbox = SandboxPlatform(world=SandboxWorldStore(engine, account="acct"), seed=1, clock=lambda: clock)
    with pytest.raises(ContentRejected, match="duplicate content"):
        sandbox.publish(Draft(text="launch DAY"))
    engine.dispose()
