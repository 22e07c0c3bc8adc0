"""The lease: a daemon that cannot renew its lock stops publishing before another daemon may take it over."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from socialbot.app import App
from socialbot.run.lease import Lease
from socialbot.storage.db import session_scope
from socialbot.storage.locks import DatabaseLock
from socialbot.storage.models import LedgerRow
from tests.conftest import write_campaign

EVERY_MINUTE = """
campaign:
  id: busy
  name: Busy
  timezone: UTC
  starts: 2026-11-30
  ends: 2026-12-03
  platforms: [sandbox]
  defaults: {catch_up_within: 1h}
posts:
  - id: tick
    text: "Tick {{ occurrence }}"
    schedule: {every: 1m, starting: "2026-12-01 08:00", until: "2026-12-01 08:10"}
"""


class Monotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def sent_minutes(engine) -> dict[str, set[str]]:
    with session_scope(engine) as s:
        rows = [r for r in s.exec(select(LedgerRow)) if r.status == "sent"]
    return {r.key: r.sent_at.strftime("%H:%M") for r in rows}


@pytest.mark.parametrize("trouble", ["database is locked", "database or disk is full"])
def test_two_daemons_never_publish_in_the_same_minute_when_renewals_fail(settings, clock, campaigns_dir, trouble):
    """A renews every 20 s; from 08:01 its renewals fail for 3 minutes (a lock held by another process, or a
    full disk). A must stop publishing before B, starting meanwhile, finds the lock stale and takes over."""
    write_campaign(campaigns_dir, EVERY_MINUTE)
    mono = Monotonic()
    a = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    a.migrate()
    lock_a = DatabaseLock(a.engine, holder="A")
    lock_a.acquire(now=clock.now)
    lease_a = Lease(lock_a, monotonic=mono)
    a.may_publish = lease_a.held
    a.sync(a.load().campaigns, now=clock.now)
    b = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    lock_b = DatabaseLock(b.engine, holder="B")
    b_took_over_at = None
    a_published: dict[str, str] = {}
    b_published: dict[str, str] = {}
    blocker = None
    real_heartbeat = lock_a.heartbeat

    def failing_heartbeat(*, now):
        raise OperationalError("UPDATE daemon_lock …", {}, sqlite3.OperationalError(trouble))

    for step in range(0, 10 * 60, 5):  # ten minutes in 5-second steps
        clock.now = clock.now.replace(hour=8, minute=0, second=0) + timedelta(seconds=step)
        mono.t = 1000.0 + step
        troubled = 60 <= step < 240
        lock_a.heartbeat = failing_heartbeat if troubled else real_heartbeat
        if trouble == "database is locked" and troubled and blocker is None:
            blocker = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), timeout=0)
            blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database
        if not troubled and blocker is not None:
            blocker.rollback()
            blocker.close()
            blocker = None
        if step % 20 == 0:
            lease_a.renew(now=clock.now)
        if blocker is None:
            before = set(sent_minutes(a.engine))
            a.publish_due(now=clock.now)
            a_published |= {k: v for k, v in sent_minutes(a.engine).items() if k not in before}
            if b_took_over_at is None:
                try:
                    lock_b.acquire(now=clock.now)
                    b_took_over_at = clock.now
                    b.sync(b.load().campaigns, now=clock.now)
                except Exception:
                    pass
            else:
                before = set(sent_minutes(b.engine))
                b.publish_due(now=clock.now)
                b_published |= {k: v for k, v in sent_minutes(b.engine).items() if k not in before}
    a.close()
    b.close()
    assert not lease_a.held() and "was not renewed" in (lease_a.lost or "")
    assert b_took_over_at is not None  # the lock was stale: B took over
    assert a_published and b_published  # both published, one after the other
    assert set(a_published.values()).isdisjoint(b_published.values())
    assert max(a_published.values()) < b_took_over_at.strftime("%H:%M")  # A had stopped before B began
    assert len(a_published) + len(b_published) == len(set(a_published) | set(b_published))  # none twice


def test_a_replaced_database_file_ends_the_lease_at_once(settings, clock, tmp_path):
    app = App(settings, sandbox=True, clock=clock)
    app.migrate()
    lock = DatabaseLock(app.engine, holder="A")
    lock.acquire(now=clock.now)
    path = tmp_path / "test.db"
    identity = {"value": path.stat().st_ino}
    lease = Lease(lock, identity=lambda: identity["value"])
    assert lease.renew(now=clock.now) and lease.held()
    identity["value"] = -1  # the file was deleted or replaced
    assert not lease.renew(now=clock.now)
    assert not lease.held() and "deleted or replaced" in (lease.lost or "")
    app.close()


def test_a_lock_taken_over_by_another_daemon_ends_the_lease(settings, clock):
    app = App(settings, sandbox=True, clock=clock)
    app.migrate()
    lock = DatabaseLock(app.engine, holder="A")
    lock.acquire(now=clock.now)
    lease = Lease(lock)
    other = DatabaseLock(app.engine, holder="B")
    other.acquire(now=clock.now + timedelta(minutes=5))  # A's heartbeat looked dead
    assert not lease.renew(now=clock.now + timedelta(minutes=5))
    assert "took over" in (lease.lost or "")
    app.close()


def test_one_failed_pass_of_the_job_scheduler_does_not_end_its_thread(monkeypatch, caplog):
    """An exception out of APScheduler's pass used to kill its thread: no job would have run again."""
    import threading

    from apscheduler.schedulers.background import BackgroundScheduler

    from socialbot.run.scheduler import _Background

    real = BackgroundScheduler._process_jobs
    failures = iter([RuntimeError("one bad pass")])

    def flaky(self):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(self)

    monkeypatch.setattr(BackgroundScheduler, "_process_jobs", flaky)
    ran = threading.Event()
    scheduler = _Background()
    scheduler.add_job(ran.set, trigger="date", misfire_grace_time=None)
    scheduler.start()
    try:
        assert ran.wait(10), "no job ran after the failed pass"
    finally:
        scheduler.shutdown(wait=True)
    assert any("pass failed" in r.getMessage() for r in caplog.records)
