"""The daemon process: signals, the job guard, parking on rate limits, picking up campaign changes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from socialbot.errors import RateLimited
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import DaemonLockRow, JobRunRow, LedgerRow
from tests.conftest import make_daemon, write_campaign

NOW_CAMPAIGN = """
campaign:
  id: {id}
  name: Live {id}
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [sandbox]
posts:
  - id: ping
    text: "Ping {{{{ occurrence }}}} from {id}"
    schedule:
      every: 1m
      starting: "{first}"
      count: 100
"""


def live_campaign(directory: Path, cid: str, *, first: datetime) -> Path:
    return write_campaign(
        directory,
        NOW_CAMPAIGN.format(
            id=cid,
            start=(first - timedelta(days=1)).date().isoformat(),
            end=(first + timedelta(days=2)).date().isoformat(),
            first=first.strftime("%Y-%m-%d %H:%M"),
        ),
        name=f"{cid}.yaml",
    )


def test_sigterm_mid_run_exits_zero_and_loses_nothing(tmp_path, campaigns_dir):
    first = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    live_campaign(campaigns_dir, "sig", first=first)
    db = tmp_path / "live.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
    env.update(
        SOCIALBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'the-live-one.db'}",  # never the rehearsal's --db
        SOCIALBOT_CAMPAIGNS_DIR=str(campaigns_dir),
        SOCIALBOT_LOG_FORMAT="json",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "socialbot", "run", "--sandbox", "--db", str(db)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = make_engine(f"sqlite:///{db}")
    deadline = time.monotonic() + 60
    sent = 0
    try:
        while time.monotonic() < deadline and sent < 2:
            time.sleep(0.2)
            try:
                with session_scope(engine) as s:
                    sent = len(list(s.exec(select(LedgerRow).where(LedgerRow.status == "sent"))))
            except Exception:  # the daemon may still be creating the schema
                continue
        assert sent >= 2, "the daemon did not publish the due posts"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert '"stopped cleanly"' in err or "stopped cleanly" in err
    with session_scope(engine) as s:
        statuses = {r.status for r in s.exec(select(LedgerRow))}
        lock = s.exec(select(DaemonLockRow)).first()
    assert "sending" not in statuses and "unconfirmed" not in statuses
    assert lock is None  # released on the way out
    engine.dispose()


def test_a_failing_campaign_does_not_stop_the_others(settings, clock, campaigns_dir):
    live_campaign(campaigns_dir, "good", first=clock.now)
    live_campaign(campaigns_dir, "bad", first=clock.now)
    daemon = make_daemon(settings, clock)
    daemon.start()
    bad = daemon.app.platforms.get("bad", "sandbox")

    def broken(draft):
        raise ValueError("adapter bug")

    bad.publish = broken
    totals = daemon.run_once()
    daemon.close()
    with session_scope(daemon.app.engine) as s:
        ledger = {r.key: r.status for r in s.exec(select(LedgerRow).where(LedgerRow.occurrence == 1))}
    assert ledger["good/ping/20261201T0800/sandbox/0"] == "sent"
    assert ledger["bad/ping/20261201T0800/sandbox/0"] == "unconfirmed"  # unknown outcome: never retried blindly
    assert totals["sent"] == 1


def test_guard_parks_a_rate_limited_job_until_the_reset_and_records_it(settings, clock, campaigns_dir):
    from socialbot.run.jobs import Job
    from socialbot.run.scheduler import Scheduler

    live_campaign(campaigns_dir, "guarded", first=clock.now)
    daemon = make_daemon(settings, clock)
    daemon.start()
    scheduler = Scheduler(daemon.app)
    scheduler.start(paused=True)  # jobs are run by hand below

    def limited(app, now):
        raise RateLimited("429 from X", retry_after=900)

    def fine(app, now):
        return now + timedelta(minutes=5)

    scheduler.add(Job("collect:guarded:sandbox", limited, "guarded", "sandbox"), at=clock.now)
    scheduler.add(Job("publish:other", fine, "other"), at=clock.now)
    scheduler.run_now("collect:guarded:sandbox")
    scheduler.run_now("publish:other")
    assert scheduler.next_run("collect:guarded:sandbox") == clock.now + timedelta(seconds=900)
    assert scheduler.next_run("publish:other") == clock.now + timedelta(minutes=5)
    with session_scope(daemon.app.engine) as s:
        runs = {r.job_id: r for r in s.exec(select(JobRunRow))}
    assert runs["collect:guarded:sandbox"].outcome == "parked"
    assert runs["collect:guarded:sandbox"].parked_until == clock.now + timedelta(seconds=900)
    assert runs["publish:other"].outcome == "ok"
    scheduler.shutdown()
    daemon.close()


def test_invalid_edit_keeps_the_last_valid_version_running(settings, clock, campaigns_dir):
    path = live_campaign(campaigns_dir, "steady", first=clock.now + timedelta(hours=1))
    daemon = make_daemon(settings, clock)
    daemon.start()
    assert "steady" in daemon.app.campaigns
    path.write_text(path.read_text().replace("timezone: UTC", "timezone: Mars/Olympus"))
    daemon.load_and_sync(now=clock.now)
    assert "steady" in daemon.app.campaigns  # still running; the error is logged
    with session_scope(daemon.app.engine) as s:
        planned = len(list(s.exec(select(LedgerRow).where(LedgerRow.status == "planned"))))
    assert planned == 100
    live_campaign(campaigns_dir, "added", first=clock.now + timedelta(hours=1))
    changed = daemon.load_and_sync(now=clock.now)
    assert changed == ["added"]
    daemon.close()


def test_a_second_file_with_the_same_id_does_not_take_over_while_the_first_is_broken(
    settings, clock, campaigns_dir, caplog
):
    first = live_campaign(campaigns_dir, "twin", first=clock.now + timedelta(hours=1))
    copy = campaigns_dir / "z-copy.yaml"  # read after the first: refused as a duplicate id while the first is valid
    copy.write_text(first.read_text().replace("Ping ", "Other text "), encoding="utf-8")
    daemon = make_daemon(settings, clock)
    daemon.start()
    assert daemon.app.campaigns["twin"].file == first
    first.write_text("campaign: [unclosed\n", encoding="utf-8")  # broken: the copy is no duplicate any more
    caplog.set_level("WARNING")
    assert daemon.load_and_sync(now=clock.now) == []  # nothing re-synced: the copy does not take over
    assert daemon.app.campaigns["twin"].file == first
    assert any(
        "campaign id 'twin' is already used by" in r.getMessage() and str(copy) in r.getMessage()
        for r in caplog.records
    )
    with session_scope(daemon.app.engine) as s:
        texts = {r.key: r.status for r in s.exec(select(LedgerRow))}
    assert len(texts) == 100 and set(texts.values()) == {"planned"}
    daemon.close()


def test_an_invalid_file_at_start_up_does_not_cancel_its_planned_posts(settings, clock, campaigns_dir):
    path = live_campaign(campaigns_dir, "paused", first=clock.now + timedelta(hours=1))
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.close()
    path.write_text(path.read_text().replace("timezone: UTC", "timezone: Mars/Olympus"))
    restarted = make_daemon(settings, clock)
    restarted.start()
    assert "paused" not in restarted.app.campaigns  # nothing to run it with until the file is fixed
    restarted.run_once()
    restarted.close()
    with session_scope(restarted.app.engine) as s:
        statuses = {r.status for r in s.exec(select(LedgerRow))}
    assert statuses == {"planned"}
    path.unlink()  # an empty campaigns directory (an unmounted volume, a typo) changes nothing
    empty = make_daemon(settings, clock)
    empty.start()
    assert empty.run_once()["errors"] == 1
    empty.close()
    with session_scope(empty.app.engine) as s:
        assert {r.status for r in s.exec(select(LedgerRow))} == {"planned"}
    live_campaign(
        campaigns_dir, "other", first=clock.now + timedelta(hours=1)
    )  # a file that is gone retires its campaign
    gone = make_daemon(settings, clock)
    gone.start()
    gone.close()
    with session_scope(gone.app.engine) as s:
        statuses = {r.status for r in s.exec(select(LedgerRow).where(LedgerRow.campaign_id == "paused"))}
    assert statuses == {"cancelled"}


def _daemon_process(tmp_path, campaigns_dir, db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
    env.update(SOCIALBOT_DATABASE_URL=f"sqlite:///{db}.live", SOCIALBOT_CAMPAIGNS_DIR=str(campaigns_dir))
    return subprocess.Popen(
        [sys.executable, "-m", "socialbot", "run", "--sandbox", "--db", str(db)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_database_file_deleted_under_the_daemon_stops_it_with_a_clear_message(tmp_path, campaigns_dir):
    first = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    live_campaign(campaigns_dir, "gone", first=first)
    db = tmp_path / "live.db"
    proc = _daemon_process(tmp_path, campaigns_dir, db)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not db.exists():
            time.sleep(0.1)
        time.sleep(3)  # running: schema, lock and campaign synced
        db.unlink()  # deleted while the daemon runs: its writes would go to an unlinked file
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert "the database file was deleted or replaced while the daemon ran" in err
    assert "Traceback" not in err


def test_sigterm_at_any_moment_of_start_up_never_leaves_the_lock_behind(tmp_path, campaigns_dir):
    first = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    live_campaign(campaigns_dir, "early", first=first)
    for delay in (0.3, 0.6, 0.9, 1.2, 1.6):
        db = tmp_path / f"start-{delay}.db"
        proc = _daemon_process(tmp_path, campaigns_dir, db)
        try:
            time.sleep(delay)
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode in (0, -signal.SIGTERM), err  # -15 only before Python installed any handler
        assert "Traceback" not in err
        if db.exists():
            engine = make_engine(f"sqlite:///{db}")
            try:
                with session_scope(engine) as s:
                    assert s.exec(select(DaemonLockRow)).first() is None, (delay, err)
            except Exception as exc:  # stopped before the schema existed: no lock table, no lock
                assert "no such table" in str(exc), exc
            engine.dispose()


def test_a_stop_while_a_job_runs_waits_for_it_and_never_hangs(settings, clock, campaigns_dir):
    """A job still running at shutdown finishes, asks for a wake-up and a next run, and the stop completes.

    APScheduler's own shutdown joins the workers while holding its job-store lock: a worker that
    schedules anything after that point waits forever (the daemon never exited on SIGTERM).
    """
    import threading

    from socialbot.run.jobs import Job
    from socialbot.run.scheduler import Scheduler

    daemon = make_daemon(settings, clock)
    daemon.start()
    scheduler = Scheduler(daemon.app)
    started, release = threading.Event(), threading.Event()

    def slow(app, now):
        started.set()
        release.wait(10)
        app.wake("other", now)  # a wake-up requested while the daemon stops
        return now + timedelta(minutes=1)

    scheduler.add(Job("other", lambda app, now: None), at=datetime.now(UTC) + timedelta(days=1))
    scheduler.add(Job("slow", slow), at=datetime.now(UTC))
    scheduler.start()
    assert started.wait(10)
    stopper = threading.Thread(target=scheduler.shutdown)
    stopper.start()
    time.sleep(0.3)  # the stop is under way while the job still runs
    assert stopper.is_alive()  # it waits for the running job
    release.set()
    stopper.join(10)
    assert not stopper.is_alive(), "shutdown hung behind a job that was still scheduling"
    with session_scope(daemon.app.engine) as s:
        assert [r.outcome for r in s.exec(select(JobRunRow).where(JobRunRow.job_id == "slow"))] == ["ok"]
    daemon.close()


BACKLOG = """
campaign:
  id: backlog
  name: Backlog
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [sandbox]
  defaults: {{catch_up_within: 1h}}
posts:
{posts}
"""


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_during_a_backlog_stops_between_two_posts(tmp_path, campaigns_dir, signals):
    """A thousand posts due at once: a stop request is honoured at the next post, not after the last one."""
    first = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=55)
    posts = "\n".join(
        f'  - id: p{i}\n    text: "Backlog {i} #{{{{ occurrence }}}}"\n'
        f'    schedule: {{every: 1m, starting: "{first:%Y-%m-%d %H:%M}", count: 60}}'
        for i in range(20)
    )
    start, end = (first - timedelta(days=1)).date(), (first + timedelta(days=2)).date()
    write_campaign(campaigns_dir, BACKLOG.format(start=start, end=end, posts=posts), name="backlog.yaml")
    db = tmp_path / "backlog.db"
    proc = _daemon_process(tmp_path, campaigns_dir, db)
    engine = make_engine(f"sqlite:///{db}")

    def sent() -> int:
        with session_scope(engine) as s:
            return len(list(s.exec(select(LedgerRow).where(LedgerRow.status == "sent"))))

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.1)
            try:
                if sent() >= 5:
                    break
            except Exception:  # the schema is still being created
                continue
        proc.send_signal(signal.SIGSTOP)  # frozen, so a second signal can be pending beside the first
        proc.send_signal(signal.SIGTERM)
        if signals == 2:  # a second signal (Ctrl-C after SIGTERM; both pending): exit at once, post in flight or not
            proc.send_signal(signal.SIGINT)
        proc.send_signal(signal.SIGCONT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == (0 if signals == 1 else 1), err
    # the handler sets the stop before it logs: after that line only the post in flight may go out
    # (posts are ~1 ms apart, so a count taken beside the signal would measure the machine's load)
    lines = err.splitlines()
    received = next(i for i, line in enumerate(lines) if "received SIGTERM" in line or "received SIGINT" in line)
    late = [line for line in lines[received:] if "socialbot.app.publishing: sent " in line]
    assert len(late) <= 1, f"the daemon went on publishing its backlog after the signal: {late}"
    assert 5 <= sent() < 500  # most of the backlog is still planned, for the next start
    with session_scope(engine) as s:
        assert s.exec(select(DaemonLockRow)).first() is None  # a restart is not refused
    engine.dispose()
