"""Flag values are checked as flags: nan and inf are refused naming the flag typed, before anything is changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import main

DEMO = str(Path(__file__).resolve().parents[2] / "campaigns" / "demo.yaml")


@pytest.mark.parametrize("flag", ["--failure-rate", "--days"])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_simulate_refuses_a_flag_that_is_not_a_number(flag, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sim.db").write_bytes(b"")  # an earlier rehearsal: a refused flag must not empty it
    result = CliRunner().invoke(main, ["simulate", DEMO, "--db", "sim.db", flag, value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}'" in result.stderr
    assert "SOCIALBOT_" not in result.output and "Traceback" not in result.output
    assert (tmp_path / "sim.db").exists()


def test_a_finite_failure_rate_out_of_range_names_the_flag_and_its_range(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["simulate", DEMO, "--failure-rate", "0.95"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--failure-rate': 0.95 is not in the range 0<=x<=0.9" in result.stderr


def test_nan_says_it_is_not_a_number(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["simulate", DEMO, "--failure-rate", "nan"])
    assert "'--failure-rate': nan is not a number; give one in the range 0<=x<=0.9" in result.stderr


def test_a_valid_failure_rate_still_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["simulate", DEMO, "--days", "0.5", "--failure-rate", "0.3", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["simulation"]["database"] == "simulation.db"
