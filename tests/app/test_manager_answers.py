"""Answers a manager gets early and right: missing credentials at load, late sends on request, next steps."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from sqlmodel import select

from socialbot.cli import main
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow
from tests.conftest import make_daemon, write_campaign

NEEDS_BRAND = """
campaign:
  id: spring-launch
  name: Spring launch
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [x, reddit]
  account: brand
posts:
  - id: hello
    text: "Hello"
    reddit: {subreddit: test}
    schedule: {at: "2026-12-02 09:00"}
"""

SANDBOX = """
campaign:
  id: shop
  name: Shop
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [sandbox]
  defaults: {catch_up_within: 30m}
posts:
  - id: hello
    text: "Hello"
    schedule: {at: "2026-12-01 08:00"}
polls: {later: true}
"""


def test_validate_plan_and_doctor_name_the_missing_account_before_anything_is_due(monkeypatch, tmp_path, campaigns_dir):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALBOT_CAMPAIGNS_DIR", str(campaigns_dir))
    path = write_campaign(campaigns_dir, NEEDS_BRAND)
    runner = CliRunner()
    expected = "campaign spring-launch needs account profile 'brand' on x and reddit: not configured"
    validate = runner.invoke(main, ["validate", str(path)])
    assert validate.exit_code == 0 and expected in validate.output
    assert "SOCIALBOT_X_BRAND_API_KEY" in validate.output and "SOCIALBOT_REDDIT_BRAND_CLIENT_ID" in validate.output
    plan = runner.invoke(main, ["plan", str(path), "--from", "2026-12-01"])
    assert plan.exit_code == 0 and expected in plan.stderr
    doctor = runner.invoke(main, ["doctor"])
    assert doctor.exit_code == 1  # never "no accounts configured" with exit 0 while a campaign needs one
    assert f"FAIL {expected}" in doctor.output


def test_status_and_the_daemon_say_which_account_is_missing(settings, clock, campaigns_dir, caplog):
    write_campaign(campaigns_dir, NEEDS_BRAND)
    caplog.set_level(logging.ERROR)
    from socialbot.app import App
    from socialbot.run.daemon import Daemon

    daemon = Daemon(settings, app=App(settings, clock=clock))
    daemon.start()
    daemon.close()
    assert any("needs account profile 'brand' on x and reddit" in r.getMessage() for r in caplog.records)
    status = CliRunner().invoke(
        main, ["status", "--db", settings.database_url, "--format", "json"], obj={"clock": clock}
    )
    [campaign] = json.loads(status.stdout)["campaigns"]
    assert "needs account profile 'brand'" in campaign["credentials"]


def test_a_missed_post_can_be_sent_late_after_a_confirmation_and_status_says_the_next_step(
    settings, clock, campaigns_dir
):
    write_campaign(campaigns_dir, SANDBOX)
    daemon = make_daemon(settings, clock)
    daemon.start()
    clock.advance(hours=2)
    daemon.run_once()  # 08:00 passed two hours ago: missed
    daemon.close()
    key = "shop/hello/20261201T0800/sandbox/0"
    runner = CliRunner()
    status = runner.invoke(main, ["status", "--db", settings.database_url, "--format", "json"], obj={"clock": clock})
    [problem] = json.loads(status.stdout)["campaigns"][0]["problems"]
    assert problem["status"] == "missed" and f"socialbot resolve {key} --retry" in problem["next_step"]
    declined = runner.invoke(
        main, ["resolve", key, "--retry", "--db", settings.database_url], input="n\n", obj={"clock": clock}
    )
    assert declined.exit_code == 1 and "2h00m after its time" in declined.output
    accepted = runner.invoke(
        main, ["resolve", key, "--retry", "--db", settings.database_url], input="y\n", obj={"clock": clock}
    )
    assert accepted.exit_code == 0, accepted.output
    again = make_daemon(settings, clock)
    again.start()
    totals = again.run_once()
    again.close()
    assert totals["sent"] == 1  # went out late, once, because the manager said so
    with session_scope(again.app.engine) as s:
        row = s.exec(select(LedgerRow).where(LedgerRow.key == key)).one()
    assert row.status == "sent"


def test_unsupported_sections_are_said_once_by_simulate(tmp_path, campaigns_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_campaign(campaigns_dir, SANDBOX)
    sim = CliRunner().invoke(main, ["simulate", str(path), "--days", "1", "--db", str(tmp_path / "sim.db")])
    assert sim.exit_code == 0, sim.output
    assert sim.stderr.count("'polls' is not yet supported") == 1


def test_unsupported_sections_are_said_once_by_the_daemon(settings, clock, campaigns_dir, caplog):
    write_campaign(campaigns_dir, SANDBOX)
    caplog.set_level(logging.WARNING)
    daemon = make_daemon(settings, clock)
    daemon.start()
    for _ in range(3):
        clock.advance(minutes=1)
        daemon.load_and_sync(now=clock.now)
    daemon.close()
    said = [r for r in caplog.records if "'polls' is not yet supported" in r.getMessage()]
    assert len(said) == 1


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o600, False)])
def test_a_readable_env_file_is_warned_about_and_fails_doctor(monkeypatch, tmp_path, mode, warned):
    monkeypatch.chdir(tmp_path)
    env = tmp_path / ".env"
    env.write_text("SOCIALBOT_LOG_LEVEL=INFO\n", encoding="utf-8")
    env.chmod(mode)
    validate = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "none.db")])
    assert ("chmod 600 .env" in validate.output) is warned
    doctor = CliRunner().invoke(main, ["doctor"])
    assert (doctor.exit_code == 1) is warned
    assert ("FAIL .env holds secrets but other users can read it (mode 644)" in doctor.output) is warned
