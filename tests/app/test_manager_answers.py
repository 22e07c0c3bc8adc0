"""Answers a manager gets early and right: missing credentials at load, late sends on request, next steps."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

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
ugc: {later: true}
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
    assert "then `socialbot doctor`" not in doctor.output  # doctor does not send you to doctor


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
    assert sim.stderr.count("'ugc' is not yet supported") == 1


def test_unsupported_sections_are_said_once_by_the_daemon(settings, clock, campaigns_dir, caplog):
    write_campaign(campaigns_dir, SANDBOX)
    caplog.set_level(logging.WARNING)
    daemon = make_daemon(settings, clock)
    daemon.start()
    for _ in range(3):
        clock.advance(minutes=1)
        daemon.load_and_sync(now=clock.now)
    daemon.close()
    said = [r for r in caplog.records if "'ugc' is not yet supported" in r.getMessage()]
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
    assert ("FAIL .env is readable by its group and all other users (mode 644)" in doctor.output) is warned


def test_status_of_a_rehearsal_database_says_so_and_asks_for_no_credentials(monkeypatch, tmp_path, campaigns_dir):
    monkeypatch.chdir(tmp_path)
    path = write_campaign(campaigns_dir, NEEDS_BRAND)
    runner = CliRunner()
    rehearsal = runner.invoke(main, ["simulate", str(path), "--db", "sqlite:///rehearsal.db", "--days", "2"])
    assert rehearsal.exit_code == 0, rehearsal.output
    assert (tmp_path / "rehearsal.db").is_file()  # a sqlite:/// URL names the same file a bare name does
    status = runner.invoke(main, ["status", "--db", "rehearsal.db"])
    assert status.exit_code == 0, status.output
    assert "a sandbox rehearsal" in status.output
    assert "credentials" not in status.output  # the rehearsal used no account; nothing to configure for it
    as_json = json.loads(runner.invoke(main, ["status", "--db", "rehearsal.db", "--format", "json"]).stdout)
    assert as_json["rehearsal"] is True and as_json["campaigns"][0]["credentials"] is None
    unreachable = runner.invoke(main, ["simulate", str(path), "--db", "postgresql://bot:secret@localhost:1/none"])
    assert unreachable.exit_code == 2 and "secret" not in unreachable.output  # the password is never shown


def test_status_of_an_unknown_campaign_names_the_ones_there_are(settings, clock, campaigns_dir):
    write_campaign(campaigns_dir, SANDBOX)
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.close()
    runner = CliRunner()
    typo = runner.invoke(main, ["status", "shpo", "--db", settings.database_url], obj={"clock": clock})
    assert typo.exit_code == 2
    assert "no campaign 'shpo'" in typo.output and "did you mean 'shop'?" in typo.output
    assert "this database has: shop" in typo.output
    empty = runner.invoke(main, ["status", "shop", "--db", str(settings.database_url).replace("test.db", "e.db")])
    assert empty.exit_code == 2 and "no campaign 'shop'" in empty.output


def test_a_changed_campaign_id_is_logged_as_a_rename_not_as_a_vanished_file(settings, clock, campaigns_dir, caplog):
    path = write_campaign(campaigns_dir, SANDBOX)
    daemon = make_daemon(settings, clock)
    daemon.start()
    caplog.set_level(logging.INFO)
    path.write_text(path.read_text(encoding="utf-8").replace("id: shop", "id: shop-2026"), encoding="utf-8")
    clock.advance(minutes=1)
    daemon.load_and_sync(now=clock.now)
    daemon.close()
    [retired] = [r.getMessage() for r in caplog.records if "retired" in r.getMessage()]
    assert "campaign shop retired: its file" in retired and "now defines campaign shop-2026" in retired
    assert "is gone" not in retired


def test_plan_from_must_be_a_date_and_says_how_to_write_one(campaigns_dir):
    path = write_campaign(campaigns_dir, SANDBOX)
    result = CliRunner().invoke(main, ["plan", str(path), "--from", "tomorrow"])
    assert result.exit_code == 2
    assert "'tomorrow' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01" in result.output
    assert "HH:MM" not in result.output


def test_a_postgresql_url_without_the_driver_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name.split(".")[0] == "psycopg":
            raise ModuleNotFoundError("No module named 'psycopg'", name="psycopg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    result = CliRunner().invoke(main, ["status", "--db", "postgresql://bot@127.0.0.1:1/socialbot"])
    assert result.exit_code == 2
    assert "pip install -e '.[postgres]'" in result.output and "Traceback" not in result.output


def test_status_before_the_first_run_reads_the_campaign_files_for_missing_accounts(
    monkeypatch, tmp_path, campaigns_dir
):
    """No daemon ran yet: status cannot find the campaigns in the database, so it says what the files need."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALBOT_CAMPAIGNS_DIR", str(campaigns_dir))
    write_campaign(campaigns_dir, NEEDS_BRAND)
    status = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "none.db"), "--format", "json"])
    report = json.loads(status.stdout)
    assert report["campaigns"] == []
    assert report["files"][0].startswith("1 campaign file(s) in")
    assert any("needs account profile 'brand' on x and reddit" in note for note in report["files"])


def test_status_says_a_daemon_with_a_stale_heartbeat_is_not_running(settings, clock, campaigns_dir):
    from socialbot.app import App
    from socialbot.run.daemon import Daemon
    from socialbot.storage.locks import DatabaseLock

    daemon = Daemon(settings, app=App(settings, clock=clock))
    daemon.start()
    daemon.close()
    DatabaseLock(daemon.app.engine, holder="old-host:4242").acquire(now=clock.now)  # then killed: never released
    runner = CliRunner()

    def daemon_line(after: timedelta) -> str:
        shown = runner.invoke(main, ["status", "--db", settings.database_url], obj={"clock": lambda: clock.now + after})
        return " ".join(shown.stdout.split("\n\n")[0].split())  # the daemon's line, unwrapped

    assert daemon_line(timedelta(seconds=30)).startswith("daemon: running as old-host:4242")
    stale = daemon_line(timedelta(minutes=5))
    assert stale.startswith("daemon: not running (the lock of old-host:4242 is stale")
    assert "a new daemon takes over" in stale
