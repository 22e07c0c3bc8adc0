"""The plan, schema and help surfaces of the CLI, run through click on the shipped campaigns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from socialbot import __version__
from socialbot.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables wrap at 80 columns otherwise


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_plan_demo_shows_local_times():
    result = invoke("plan", "campaigns/demo.yaml", "--days", "14")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Plan: " in result.output


def test_plan_from_a_date_lists_local_times_and_notes():
    result = invoke("plan", "campaigns/demo.yaml", "--from", "2026-12-01", "--days", "14")
    assert result.exit_code == 0, result.output
    assert "Tue 2026-12-01 09:00 CET" in result.output
    assert "morning-tip" in result.output and "launch-thread" in result.output
    assert "demo-winter-launch on sandbox, whole campaign: about" in result.output  # API estimate line


def test_plan_json_has_utc_and_local_times_for_every_action():
    result = invoke("plan", "campaigns/demo.yaml", "--from", "2026-12-01", "--days", "14", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["actions"], "the demo plans actions in its first two weeks"
    for action in data["actions"]:
        assert action["due_utc"].endswith("+00:00")
        assert re.fullmatch(r"2026-12-\d\dT\d\d:\d\d:00\+01:00", action["due_local"]), action
        assert {"key", "item", "platform", "text"} <= action.keys()
    first = data["actions"][0]
    assert (first["due_utc"], first["due_local"]) == ("2026-12-01T08:00:00+00:00", "2026-12-01T09:00:00+01:00")
    assert {e["campaign"] for e in data["api_estimates"]} == {"demo-winter-launch"}
    assert all(isinstance(e["calls"], int) for e in data["api_estimates"])


def test_plan_json_of_the_example_campaign_shows_reddit_titles_and_skips():
    result = invoke("plan", "campaigns/example-launch.yaml", "--from", "2027-03-15", "--days", "21", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    titles = {a["title"] for a in data["actions"] if a["platform"] == "reddit" and a["item"] == "launch-announcement"}
    assert titles == {"Spring Launch: the new colours are here"}
    assert {e["platform"] for e in data["api_estimates"]} == {"x", "reddit"}
    assert data["skipped"] == [
        {"item": "last-call", "scheduled_local": "2027-03-28T19:00:00", "reason": "2027-03-28 is a blackout date"}
    ]
    assert all(a["over_limit_by"] == 0 for a in data["actions"])


def test_plan_of_a_broken_file_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("campaign: {id: x}\n", encoding="utf-8")
    result = invoke("plan", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output and "required key 'name' is missing" in result.output


def test_schema_is_json_schema_with_campaign_and_posts():
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"campaign", "posts"} <= schema["properties"].keys()
    assert schema["required"] == ["campaign"]
    assert "CampaignHeader" in schema["$defs"] and "Schedule" in schema["$defs"]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"socialbot, version {__version__}"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    """Every runnable (leaf) command; groups such as `db` only list their subcommands."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("command", [(), *_commands(main)], ids=lambda c: " ".join(c) or "socialbot")
def test_every_command_help_has_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`socialbot {' '.join(command)} --help` needs an Example"


def test_plan_table_shows_texts_with_brackets_as_written(tmp_path: Path):
    """Cells are plain text, not rich markup: a campaign's [brackets] are printed, never read as styles."""
    path = tmp_path / "brackets.yaml"
    path.write_text(
        "campaign: {id: brackets, name: Brackets, timezone: UTC, starts: 2027-01-04, ends: 2027-01-05,"
        " platforms: [sandbox]}\n"
        "posts:\n"
        "  - id: tip\n"
        '    text: "Use [bold]this[/bold] code: [NOW]"\n'
        '    schedule: {at: "2027-01-04 09:00"}\n',
        encoding="utf-8",
    )
    result = invoke("plan", str(path), "--from", "2027-01-04", "--days", "1")
    assert result.exit_code == 0, result.output
    assert "Use [bold]this[/bold] code: [NOW]" in result.output


def test_plan_days_is_that_many_days_and_not_the_next_midnight(tmp_path: Path):
    path = tmp_path / "hourly.yaml"
    path.write_text(
        "campaign: {id: hourly, name: Hourly, timezone: UTC, starts: 2027-01-04, ends: 2027-01-10,"
        " platforms: [sandbox]}\n"
        "posts:\n"
        "  - id: tick\n"
        '    text: "Tick {{ occurrence }}"\n'
        '    schedule: {every: 1h, starting: "2027-01-04 00:00"}\n',
        encoding="utf-8",
    )
    result = invoke("plan", str(path), "--from", "2027-01-05", "--days", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    due = [a["due_utc"] for a in json.loads(result.stdout)["actions"]]
    assert len(due) == 24 and due[0] == "2027-01-05T00:00:00+00:00" and due[-1] == "2027-01-05T23:00:00+00:00"
