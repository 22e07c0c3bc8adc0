"""`socialbot status` on a SQLite file reads it with the stdlib sqlite3: the ORM layer is never imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import main
from socialbot.storage.campaigns import CampaignHeader, sync_campaigns
from socialbot.storage.db import make_engine, upgrade

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HEAVY = ("sqlmodel", "sqlalchemy", "socialbot.storage.models", "socialbot.storage.db", "pydantic_settings")

# runs the CLI's status in a fresh interpreter, then says which heavy modules it imported
PROBE = """
import json, sys
from socialbot.cli import main
try:
    main(["status", "--db", sys.argv[1], "--format", "json"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps([m for m in sys.argv[2:] if m in sys.modules]))
"""


def small_database(path: Path) -> Path:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    header = CampaignHeader("shop", "Shop", "UTC", "shop.yaml", "d", NOW, NOW, platforms=("sandbox",))
    sync_campaigns(engine, [(header, [])], now=NOW)
    engine.dispose()
    return path


def test_status_of_a_sqlite_file_imports_neither_sqlmodel_nor_sqlalchemy(tmp_path):
    db = small_database(tmp_path / "small.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(db), *HEAVY], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    report, imported = _split(run)
    assert [c["id"] for c in report["campaigns"]] == ["shop"]
    assert imported == []


def _split(run: subprocess.CompletedProcess[str]) -> tuple[dict, list[str]]:
    """The JSON report (all lines but the last) and the list of heavy modules imported (the last line)."""
    *report, imported = run.stdout.strip().splitlines()
    return json.loads("\n".join(report)), json.loads(imported)


def test_status_of_a_database_needing_migrations_says_to_upgrade(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0005_report_indexes")
    engine.dispose()
    result = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "old.db")])
    assert result.exit_code == 0, result.output
    assert "database: not initialised (run `socialbot db upgrade`)" in result.output


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SOCIALBOT_LOCK_STALE_SECONDS", "٣", "invalid settings"),  # a digit, but not one the settings take
        ("SOCIALBOT_LOCK_STALE_SECONDS", "2", "invalid settings"),
        ("SOCIALBOT_DATABASE_URL", "", "is not a usable database URL"),
    ],
)
def test_status_judges_its_settings_as_every_other_command(tmp_path, monkeypatch, name, value, message):
    from click.testing import CliRunner

    from socialbot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    status = CliRunner().invoke(main, ["status"])
    plan = CliRunner().invoke(main, ["report", "x"])
    assert status.exit_code == plan.exit_code == 2
    assert message in status.stderr and message in plan.stderr
