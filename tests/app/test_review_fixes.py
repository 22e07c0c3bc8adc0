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
