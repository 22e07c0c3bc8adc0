"""The plain-SQL reader `status` uses: which URLs it opens itself, that it never creates a database, and
that it knows a database needing migrations without asking Alembic."""

from __future__ import annotations

import re
import sqlite3

import pytest

from socialbot.errors import ConfigError
from socialbot.storage import reader, revisions
from socialbot.storage.db import head_revision, make_engine, sqlite_file, upgrade
from socialbot.storage.reader import SQLiteReader, in_list, needs_migrating, open_reader, plain_sqlite_file, sqlite_path


def test_migrations_are_named_after_their_files_so_the_newest_file_is_alembics_head():
    files = sorted(revisions.VERSIONS.glob("[0-9]*.py"))
    assert files
    for path in files:
        assert re.search(rf'^revision = "{re.escape(path.stem)}"$', path.read_text(encoding="utf-8"), re.M), path
    assert revisions.head_revision() == reader.head_revision() == head_revision()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///socialbot.db",
        "sqlite:///sub/dir/x.db",
        "sqlite:////tmp/abs.db",
        "sqlite+pysqlite:///x.db",
        "sqlite:///with space.db",
        "sqlite:///x.db?timeout=5",
        "sqlite:///a%20b.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://bot@localhost/socialbot",
    ],
)
def test_the_sqlite_file_of_a_url_is_the_one_sqlalchemy_opens(url):
    assert sqlite_path(url) == sqlite_file(url)
    plain = plain_sqlite_file(url)
    assert plain is None or plain == sqlite_file(url)  # what it does not open itself goes through SQLAlchemy


def test_only_plain_file_urls_are_opened_without_sqlalchemy():
    assert plain_sqlite_file("sqlite:///x.db") is not None
    for url in ("sqlite:///x.db?timeout=5", "sqlite:///a%20b.db", "sqlite://", "postgresql://h/db", "sqlite+foo:///x"):
        assert plain_sqlite_file(url) is None


def test_a_missing_file_is_never_created_and_a_directory_is_named(tmp_path):
    missing = tmp_path / "none.db"
    with pytest.raises(sqlite3.OperationalError), open_reader(f"sqlite:///{missing}"):
        pass
    assert not missing.exists()
    with pytest.raises(ConfigError, match="is a directory"), open_reader(f"sqlite:///{tmp_path}"):
        pass


def test_a_database_needs_migrating_until_it_is_at_head(tmp_path, database_url):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    upgrade(engine, "0005_report_indexes")
    engine.dispose()
    for path in (empty, old):
        with open_reader(f"sqlite:///{path}") as r:
            assert isinstance(r, SQLiteReader) and needs_migrating(r) is True
    with open_reader(database_url) as r:
        assert needs_migrating(r) is False
    engine = make_engine(f"sqlite:///{old}")
    upgrade(engine)
    with engine.begin() as conn:  # a newer socialbot's revision: read as it is
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    engine.dispose()
    with open_reader(f"sqlite:///{old}") as r:
        assert needs_migrating(r) is False


def test_an_in_list_binds_each_value_and_an_empty_one_matches_nothing():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("a",), ("b",), ("c",)])
    sql, binds = in_list("v", ["a", "c"])
    assert sorted(conn.execute(f"SELECT v FROM t WHERE v IN {sql}", binds)) == [("a",), ("c",)]
    sql, binds = in_list("v", [])
    assert list(conn.execute(f"SELECT v FROM t WHERE v IN {sql}", binds)) == []
    conn.close()
