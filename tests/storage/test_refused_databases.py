"""Databases no migration can fix are refused before anything is written, with what to do; migrations take turns."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from socialbot.errors import ConfigError
from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.revisions import head_revision


def _engine(path: Path):
    return make_engine(f"sqlite:///{path}")


def test_a_view_named_like_a_table_is_refused_and_left_as_it_was(tmp_path: Path):
    path = tmp_path / "v.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE VIEW ledger AS SELECT 1 AS x")
    engine = _engine(path)
    with pytest.raises(ConfigError, match=r"named like socialbot's \(ledger\)"):
        upgrade(engine)
    assert inspect(engine).get_table_names() == []  # nothing created, nothing stamped
    engine.dispose()


def test_a_view_named_like_a_table_is_refused_on_postgresql(fresh_pg_url):
    engine = make_engine(fresh_pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE VIEW ledger AS SELECT 1 AS x"))
    with pytest.raises(ConfigError, match="named like socialbot's"):
        upgrade(engine)
    assert "alembic_version" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_newer_socialbots_database_is_refused_with_both_revisions(tmp_path: Path):
    path = tmp_path / "n.db"
    engine = _engine(path)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    with pytest.raises(
        ConfigError, match=rf"newer socialbot \(revision 0099_future; this version knows up to {head_revision()}\)"
    ):
        upgrade(engine)
    engine.dispose()


def test_a_recorded_head_without_its_tables_is_refused(tmp_path: Path):
    path = tmp_path / "e.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    engine = _engine(path)
    with pytest.raises(ConfigError, match="tables are missing"):
        upgrade(engine)
    engine.dispose()


def test_socialbots_tables_without_a_migration_record_are_refused_untouched(tmp_path: Path):
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY)")
    engine = _engine(path)
    with pytest.raises(ConfigError, match="no record of socialbot's migrations"):
        upgrade(engine)
    assert inspect(engine).get_table_names() == ["ledger"]  # no half-made schema beside it
    engine.dispose()


def test_another_programs_tables_are_kept_and_socialbots_added(tmp_path: Path):
    path = tmp_path / "o.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    engine = _engine(path)
    upgrade(engine)
    assert {"notes", "ledger", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_several_processes_migrating_an_older_database_take_turns(tmp_path: Path):
    path = tmp_path / "old.db"
    engine = _engine(path)
    upgrade(engine, "0004_verified_type")
    engine.dispose()
    errors: list[BaseException] = []

    def migrate() -> None:
        mine = _engine(path)
        try:
            upgrade(mine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = _engine(path)
    with check.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    check.dispose()


def test_a_rehearsal_database_that_cannot_be_emptied_is_a_message_not_a_traceback(tmp_path: Path, monkeypatch):
    from socialbot.app.database import rehearsal_database, rehearsal_target

    path = tmp_path / "sim.db"
    engine = _engine(path)
    upgrade(engine)
    with engine.begin() as conn:  # what a rehearsal records
        conn.execute(text("INSERT INTO database_role (name, role) VALUES ('role', 'rehearsal')"))
    engine.dispose()

    def refused(self, missing_ok=False):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "unlink", refused)
    with pytest.raises(ConfigError, match=r"cannot empty the rehearsal database .*sim\.db \(Operation not permitted\)"):
        rehearsal_database(rehearsal_target(str(path)), live_url=f"sqlite:///{tmp_path / 'live.db'}", fresh=True)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_second_rehearsal_on_the_same_database_is_refused_while_the_first_runs(kind, tmp_path: Path, request):
    from socialbot.app.database import rehearsal_lock, rehearsal_target

    where = str(tmp_path / "sim.db") if kind == "sqlite" else request.getfixturevalue("fresh_pg_url")
    target = rehearsal_target(where)
    refused = pytest.raises(ConfigError, match="another rehearsal is running on")
    with rehearsal_lock(target), refused, rehearsal_lock(rehearsal_target(where)):
        pass
    with rehearsal_lock(target):  # released at the end of the first
        pass
