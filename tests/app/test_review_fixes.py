"""Defects found by the fresh-clone review: a FIFO named *.yaml, and simulate --db on a file that is not its own."""

from __future__ import annotations

import os
import time

from click.testing import CliRunner

from socialbot.cli import main
from socialbot.spec.loader import load_paths
from tests.conftest import write_campaign

GOOD = """
campaign: {id: good, name: Good, timezone: UTC, starts: 2026-12-01, ends: 2026-12-03, platforms: [sandbox]}
posts:
  - id: hello
    text: "Hello"
    schedule: {at: "2026-12-02 09:00"}
"""


def test_a_fifo_named_like_a_campaign_is_a_problem_not_a_hang(tmp_path):
    write_campaign(tmp_path, GOOD, name="good.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    started = time.monotonic()
    result = load_paths([tmp_path])
    assert time.monotonic() - started < 5
    assert [c.id for c in result.campaigns] == ["good"]
    [problem] = result.problems
    assert problem.file.endswith("pipe.yaml") and "not a regular file" in problem.message


def test_simulate_never_empties_a_file_that_is_not_a_simulation_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    campaign = write_campaign(tmp_path, GOOD, name="good.yaml")
    notes = tmp_path / "notes.txt"
    notes.write_text("precious\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["simulate", str(campaign), "--db", str(notes)])
    assert refused.exit_code == 2 and "not a simulation database" in refused.output
    assert notes.read_text(encoding="utf-8") == "precious\n"
    itself = runner.invoke(main, ["simulate", str(campaign), "--db", str(campaign)])
    assert itself.exit_code == 2 and campaign.exists()
    typo = runner.invoke(main, ["simulate", str(tmp_path / "nope.yaml"), "--db", str(notes)])
    assert typo.exit_code == 2 and notes.exists()
    ok = runner.invoke(main, ["simulate", str(campaign), "--db", "sim.db", "--days", "1"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(main, ["simulate", str(campaign), "--db", "sim.db", "--days", "1"])
    assert again.exit_code == 0, again.output  # its own earlier simulation database may be emptied


def test_run_refuses_an_in_memory_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "--once", "--db", "sqlite://"])
    assert result.exit_code == 2 and "in-memory database forgets what was posted" in result.output


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    junk = tmp_path / "notdb.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    for args in (["status"], ["db", "upgrade"], ["report", "x"], ["resolve", "a/b", "--drop"]):
        result = CliRunner().invoke(main, [*args, "--db", str(junk)])
        assert result.exit_code == 2, (args, result.output)
        assert "the database cannot be used (file is not a database)" in result.output, args
        assert "internal error" not in result.output


def test_run_once_exits_1_when_a_campaign_file_is_invalid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    (campaigns / "bad.yaml").write_text("campaign: {id: Bad!}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "--once", "--sandbox", "--campaigns", str(campaigns), "--db", str(tmp_path / "s.db")]
    )
    assert result.exit_code == 1 and "errors=1" in result.output
