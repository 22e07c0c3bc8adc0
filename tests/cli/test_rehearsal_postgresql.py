"""Rehearsals on PostgreSQL: `simulate --db postgresql://…` and `run --sandbox --db postgresql://…`, never the live database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest
from click.testing import CliRunner

from socialbot.app.database import masked_url, same_database
from socialbot.cli import main
from socialbot.domain.clock import VirtualClock
from socialbot.storage.db import make_engine, upgrade
from tests.conftest import write_campaign

LAUNCH = """
campaign: {id: launch, name: Launch, timezone: UTC, starts: 2026-12-01, ends: 2026-12-03, platforms: [x]}
posts:
  - id: hello
    text: "Hello"
    schedule: {at: "2026-12-01 09:00"}
"""


def rows(url: str, sql: str) -> list[tuple]:
    """Rows of one query, read with psycopg directly (not through the code under test)."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo) as conn:
        return list(conn.execute(sql).fetchall())


def execute(url: str, sql: str) -> None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def live_database(url: str) -> None:
    """A socialbot database the live daemon used: a campaign for X and one post that went out there."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    execute(
        url,
        "INSERT INTO campaigns (id, name, timezone, file_path, digest, starts_at, ends_at, active, updated_at, "
        "platforms) VALUES ('live', 'Live', 'UTC', 'live.yaml', 'd', now(), now(), true, now(), 'x')",
    )
    execute(
        url,
        "INSERT INTO publications (ledger_key, campaign_id, item_id, platform, part, remote_id, published_at) "
        "VALUES ('live:hello:0:x', 'live', 'hello', 'x', 0, '1790000000000000001', now())",
    )


@pytest.fixture
def campaign(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write_campaign(tmp_path, LAUNCH, name="launch.yaml")


def test_simulate_into_postgresql_is_a_rehearsal_and_fresh_empties_it_first(campaign, fresh_pg_url):
    runner = CliRunner()
    first = runner.invoke(main, ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url])
    assert first.exit_code == 0, first.output
    assert "1 sent" in first.output and f"Database: {fresh_pg_url}" in first.output
    status = runner.invoke(main, ["status", "--db", fresh_pg_url])
    assert status.exit_code == 0, status.output
    assert "a sandbox rehearsal" in status.output
    [(posts,)] = rows(fresh_pg_url, "SELECT count(*) FROM sandbox_posts")
    assert posts == 1

    execute(
        fresh_pg_url,
        "INSERT INTO sandbox_posts (account, remote_id, text, created_at, deleted) "
        "VALUES ('default:x', 'leftover', 'from before', now(), false)",
    )
    kept = runner.invoke(main, ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url, "--keep"])
    assert kept.exit_code == 0, kept.output
    assert rows(fresh_pg_url, "SELECT count(*) FROM sandbox_posts WHERE remote_id = 'leftover'") == [(1,)]

    again = runner.invoke(main, ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url, "--format", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["simulation"]["sent"] == 1
    assert rows(fresh_pg_url, "SELECT remote_id FROM sandbox_posts WHERE remote_id = 'leftover'") == []
    assert rows(fresh_pg_url, "SELECT count(*), min(id) FROM sandbox_posts") == [(1, 1)]  # emptied, ids restarted
    assert rows(fresh_pg_url, "SELECT count(*) FROM campaigns") == [(1,)]


def test_a_postgresql_database_with_live_data_is_refused_and_left_intact(campaign, fresh_pg_url, tmp_path):
    live_database(fresh_pg_url)
    runner = CliRunner()
    for args in (
        ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url],
        ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url, "--keep"],
        ["run", "--sandbox", "--once", "--campaigns", str(tmp_path), "--db", fresh_pg_url],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "holds live data (1 publication(s) on real platforms)" in result.output, args
        assert "nothing was changed" in result.output
    assert rows(fresh_pg_url, "SELECT id FROM campaigns") == [("live",)]
    assert rows(fresh_pg_url, "SELECT remote_id FROM publications") == [("1790000000000000001",)]
    assert rows(fresh_pg_url, "SELECT count(*) FROM sandbox_posts") == [(0,)]


def test_live_campaigns_that_have_not_posted_yet_are_refused_too(campaign, fresh_pg_url):
    live_database(fresh_pg_url)
    execute(fresh_pg_url, "DELETE FROM publications")
    result = CliRunner().invoke(main, ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url])
    assert result.exit_code == 2
    assert "1 campaign(s) for real platforms and no sandbox post" in result.output
    assert rows(fresh_pg_url, "SELECT id FROM campaigns") == [("live",)]


def test_a_database_of_another_application_is_refused(campaign, fresh_pg_url):
    execute(fresh_pg_url, "CREATE TABLE invoices (id int primary key)")
    execute(fresh_pg_url, "INSERT INTO invoices VALUES (7)")
    result = CliRunner().invoke(main, ["simulate", str(campaign), "--days", "1", "--db", fresh_pg_url])
    assert result.exit_code == 2
    assert "holds tables that are not socialbot's (invoices)" in result.output
    assert rows(fresh_pg_url, "SELECT id FROM invoices") == [(7,)]
    assert rows(fresh_pg_url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger'") == [(0,)]


def test_the_live_database_is_refused_however_its_url_is_written(campaign, fresh_pg_url, tmp_path, monkeypatch):
    socket_dir = fresh_pg_url.rsplit("host=", 1)[1]
    database = fresh_pg_url.split("@/", 1)[1].split("?", 1)[0]
    monkeypatch.setenv("SOCIALBOT_DATABASE_URL", f"postgresql+psycopg://postgres:s3cret@/{database}?host={socket_dir}")
    written = f"postgres://other:hunter2@localhost:5432/{database}"  # another role, over TCP: still the same database
    runner = CliRunner()
    for args in (
        ["simulate", str(campaign), "--days", "1", "--db", written],
        ["run", "--sandbox", "--once", "--campaigns", str(tmp_path), "--db", written],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "is the live database (SOCIALBOT_DATABASE_URL)" in result.output
        assert "hunter2" not in result.output and "s3cret" not in result.output
        assert "postgres://other:***@localhost:5432/" in result.output
    assert rows(fresh_pg_url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger'") == [(0,)]


def test_run_sandbox_once_works_on_postgresql(campaign, fresh_pg_url, tmp_path):
    clock = VirtualClock(datetime(2026, 12, 1, 9, 0, 30, tzinfo=UTC))
    runner = CliRunner()
    args = ["run", "--sandbox", "--once", "--campaigns", str(tmp_path), "--db", fresh_pg_url]
    first = runner.invoke(main, args, obj={"clock": clock})
    assert first.exit_code == 0, first.output
    assert rows(fresh_pg_url, "SELECT count(*) FROM sandbox_posts") == [(1,)]
    status = runner.invoke(main, ["status", "--db", fresh_pg_url], obj={"clock": clock})
    assert status.exit_code == 0 and "a sandbox rehearsal" in status.output, status.output
    clock.advance(minutes=5)
    second = runner.invoke(main, args, obj={"clock": clock})  # its own rehearsal database: used again, not refused
    assert second.exit_code == 0, second.output
    assert rows(fresh_pg_url, "SELECT count(*) FROM sandbox_posts") == [(1,)]


def test_run_sandbox_keeps_its_own_default_database(campaign, tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'live.db'}")
    result = CliRunner().invoke(main, ["run", "--sandbox", "--once", "--campaigns", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sandbox.db").is_file() and not (tmp_path / "live.db").exists()
    live = CliRunner().invoke(main, ["run", "--sandbox", "--once", "--campaigns", str(tmp_path), "--db", "live.db"])
    assert live.exit_code == 2 and "is the live database" in live.output
    assert not (tmp_path / "live.db").exists()


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("postgresql://bot@localhost/socialbot", "postgresql+psycopg://bot:pw@127.0.0.1:5432/socialbot", True),
        ("postgres://bot@db.example/socialbot", "postgresql://other@DB.example/socialbot", True),
        ("postgresql://bot@/socialbot?host=/var/run/postgresql", "postgresql://bot@%2Ftmp/socialbot", True),
        ("postgresql:///bot?host=/tmp&user=bot", "postgresql://bot@/", True),  # dbname defaults to the user
        ("postgresql://bot@localhost/socialbot", "postgresql://bot@localhost/socialbot_rehearsal", False),
        ("postgresql://bot@localhost:5433/socialbot", "postgresql://bot@localhost/socialbot", False),
        ("postgresql://bot@db1.example/socialbot", "postgresql://bot@db2.example/socialbot", False),
        ("postgresql://bot@db1.example,db2.example/socialbot", "postgresql://bot@db2.example/socialbot", True),
        ("sqlite:///a.db", "sqlite:///./a.db", True),
        ("sqlite:///a.db", "postgresql://bot@localhost/a.db", False),
    ],
)
def test_same_database_compares_what_libpq_would_connect_to(one, other, same, monkeypatch):
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    assert same_database(one, other) is same
    assert same_database(other, one) is same


def test_passwords_are_masked():
    assert masked_url("postgresql://bot:p%40ss@db.example:5432/sb") == "postgresql://bot:***@db.example:5432/sb"
    assert masked_url("postgresql://bot@db/sb?password=x&sslmode=require") == (
        "postgresql://bot@db/sb?password=***&sslmode=require"
    )
    assert masked_url("postgresql://bot:a@b@db/sb") == "postgresql://bot:***@db/sb"
    assert masked_url("sqlite:///simulation.db") == "sqlite:///simulation.db"


def test_other_databases_are_not_rehearsal_targets(campaign):
    result = CliRunner().invoke(main, ["simulate", str(campaign), "--db", "mysql://bot:secret@localhost/sb"])
    assert result.exit_code == 2
    assert "a SQLite file or a PostgreSQL database of its own" in result.output and "secret" not in result.output
