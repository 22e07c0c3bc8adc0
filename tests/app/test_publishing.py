"""Exactly-once publishing from the ledger: restarts, crashes, failures, missed posts, re-planning, threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from socialbot.domain.ledger import Status
from socialbot.errors import LockHeld
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow, PublicationRow, SandboxPostRow
from tests.conftest import make_daemon, write_campaign

CAMPAIGN = """
campaign:
  id: shop
  name: Shop
  timezone: Europe/Madrid
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [sandbox]
  defaults:
    catch_up_within: 1h
posts:
  - id: hello
    text: "Hello number {{ occurrence }}"
    schedule:
      every: 1d
      starting: "2026-12-01 09:00"
  - id: story
    thread: ["Part one of the story", "Part two of the story", "Part three of the story"]
    schedule:
      at: "2026-12-01 09:30"
"""


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the app catches it."""


class CrashingPlatform:
    """Wraps a platform; the first publish dies before (or after) the real call."""

    def __init__(self, inner, *, when: str) -> None:
        self.inner, self.when, self.crashed = inner, when, False
        self.name, self.capabilities, self.usage = inner.name, inner.capabilities, inner.usage

    def publish(self, draft):
        if not self.crashed:
            self.crashed = True
            if self.when == "before":
                raise Crash
            self.inner.publish(draft)
            raise Crash
        return self.inner.publish(draft)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def rows(daemon) -> dict[str, LedgerRow]:
    with session_scope(daemon.app.engine) as s:
        return {r.key: r for r in s.exec(select(LedgerRow))}


def posts_on_platform(daemon) -> list[SandboxPostRow]:
    with session_scope(daemon.app.engine) as s:
        return list(s.exec(select(SandboxPostRow).where(~SandboxPostRow.deleted)))


def publications(daemon) -> list[PublicationRow]:
    with session_scope(daemon.app.engine) as s:
        return list(s.exec(select(PublicationRow)))


@pytest.fixture
def campaign(campaigns_dir):
    return write_campaign(campaigns_dir, CAMPAIGN)


def test_second_run_once_publishes_nothing_new(settings, clock, campaign):
    clock.now = clock.now.replace(hour=8, minute=45)  # 09:45 Madrid: hello + the 3 thread parts are due
    first = make_daemon(settings, clock)
    first.start()
    totals = first.run_once()
    first.close()
    assert totals["sent"] == 4
    second = make_daemon(settings, clock)
    second.start()
    assert second.run_once()["sent"] == 0
    second.close()
    texts = sorted(p.text for p in posts_on_platform(second))
    assert texts == sorted(
        ["Hello number 1", "Part one of the story", "Part two of the story", "Part three of the story"]
    )


@pytest.mark.parametrize("when", ["before", "after"])
def test_crash_around_the_platform_call_ends_with_exactly_one_publication(settings, clock, campaign, when):
    clock.now = clock.now.replace(hour=8, minute=5)  # 09:05 Madrid: only "hello" is due
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.app.platforms._adapters[("shop", "sandbox")] = CrashingPlatform(
        daemon.app.platforms.get("shop", "sandbox"), when=when
    )
    with pytest.raises(Crash):
        daemon.run_once()
    key = "shop/hello/20261201T0900/sandbox/0"
    assert rows(daemon)[key].status == Status.SENDING  # the process "died" here; the lock is never released
    daemon.app.close()

    clock.advance(minutes=3)  # the dead daemon's heartbeat is stale: the restart takes over
    restarted = make_daemon(settings, clock)
    restarted.start()
    restarted.run_once()
    restarted.close()
    assert rows(restarted)[key].status == Status.SENT
    hellos = [p for p in posts_on_platform(restarted) if p.text == "Hello number 1"]
    assert len(hellos) == 1
    assert [p.remote_id for p in publications(restarted) if p.ledger_key == key] == [hellos[0].remote_id]


def test_overdue_beyond_catch_up_after_restart_is_missed_not_posted(settings, clock, campaign):
    clock.now = clock.now.replace(hour=10, minute=30)  # 11:30 Madrid: hello (09:00) is 2h30 late, past 1h
    daemon = make_daemon(settings, clock)
    daemon.start()
    totals = daemon.run_once()
    daemon.close()
    ledger = rows(daemon)
    assert ledger["shop/hello/20261201T0900/sandbox/0"].status == Status.MISSED
    assert "catch_up_within" in ledger["shop/hello/20261201T0900/sandbox/0"].last_error
    assert ledger["shop/story/20261201T0930/sandbox/0"].status == Status.MISSED  # 2h late too
    assert totals["sent"] == 0
    assert posts_on_platform(daemon) == []


def test_two_daemons_on_one_database_the_second_refuses(settings, clock, campaign):
    first = make_daemon(settings, clock)
    first.start()
    second = make_daemon(settings, clock)
    with pytest.raises(LockHeld) as caught:
        second.start()
    assert "another socialbot daemon" in str(caught.value)
    second.app.close()
    first.close()
    third = make_daemon(settings, clock)  # released cleanly: the next one starts
    third.start()
    third.close()


def test_thirty_percent_failures_every_post_published_once_or_missed(settings, clock, campaigns_dir):
    write_campaign(
        campaigns_dir,
        """
        campaign:
          id: flaky
          name: Flaky
          timezone: UTC
          starts: 2026-12-01
          ends: 2026-12-02
          platforms: [sandbox]
          defaults: {catch_up_within: 2h}
        posts:
          - id: tick
            text: "Tick {{ occurrence }} at {{ time }}"
            schedule: {every: 1h, starting: "2026-12-01 08:00", count: 30}
          - id: saga
            thread: ["Saga {{ occurrence }} part A", "Saga {{ occurrence }} part B", "Saga {{ occurrence }} part C"]
            schedule: {every: 6h, starting: "2026-12-01 08:30", count: 4}
        """,
    )
    daemon = make_daemon(settings, clock, failure_rate=0.3)
    daemon.start()
    end = clock.now + timedelta(hours=48)
    while clock.now < end:  # a daemon ticking every minute
        daemon.app.reconcile(now=clock.now)
        daemon.app.publish_due(now=clock.now)
        clock.advance(minutes=1)
    daemon.close()
    ledger = rows(daemon)
    assert len(ledger) == 30 + 12
    statuses = {r.status for r in ledger.values()}
    assert statuses <= {Status.SENT, Status.MISSED, Status.FAILED}, statuses
    sent = [r for r in ledger.values() if r.status == Status.SENT]
    assert len(sent) >= 30  # retries got most of them out
    assert sum(r.attempts > 1 for r in ledger.values()) >= 5  # the failures really happened
    texts = [p.text for p in posts_on_platform(daemon)]
    for r in ledger.values():
        expected = 1 if r.status == Status.SENT else 0
        from socialbot.domain.ledger import draft_from_json

        assert texts.count(draft_from_json(r.draft).text) == expected, (r.key, r.status, r.last_error)
    for r in ledger.values():  # a thread part only goes out after the part before it
        if r.status == Status.SENT and r.part > 0:
            prev = ledger[r.key.rsplit("/", 1)[0] + f"/{r.part - 1}"]
            assert prev.status == Status.SENT and prev.sent_at <= r.sent_at


def test_editing_the_file_replans_future_posts_and_never_touches_sent(settings, clock, campaigns_dir, campaign):
    clock.now = clock.now.replace(hour=8, minute=5)
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()
    sent_key = "shop/hello/20261201T0900/sandbox/0"
    assert rows(daemon)[sent_key].status == Status.SENT
    edited = CAMPAIGN.replace('"Hello number {{ occurrence }}"', '"Good morning number {{ occurrence }}"').replace(
        '      at: "2026-12-01 09:30"', '      at: "2026-12-02 18:00"'
    )
    write_campaign(campaigns_dir, edited)
    daemon.load_and_sync(now=clock.now)
    ledger = rows(daemon)
    assert ledger[sent_key].status == Status.SENT and "Hello number 1" in ledger[sent_key].draft
    assert "Good morning number 2" in ledger["shop/hello/20261202T0900/sandbox/0"].draft
    assert ledger["shop/story/20261201T0930/sandbox/0"].status == Status.CANCELLED
    assert ledger["shop/story/20261202T1800/sandbox/2"].status == Status.PLANNED
    write_campaign(campaigns_dir, CAMPAIGN.replace("id: shop", "id: other-shop"), name="other.yaml")
    campaign.unlink()  # removing the file retires the campaign: planned rows cancelled, sent kept
    daemon.load_and_sync(now=clock.now)
    ledger = rows(daemon)
    assert ledger[sent_key].status == Status.SENT
    assert all(r.status in (Status.SENT, Status.CANCELLED) for r in ledger.values() if r.campaign_id == "shop")
    daemon.close()


def test_thread_resumes_from_the_last_confirmed_part(settings, clock, campaign):
    clock.now = clock.now.replace(hour=8, minute=31)  # 09:31 Madrid
    daemon = make_daemon(settings, clock)
    daemon.start()
    inner = daemon.app.platforms.get("shop", "sandbox")
    calls = {"n": 0}
    original = inner.publish

    def fail_third_call(draft):
        calls["n"] += 1
        if draft.text == "Part two of the story" and calls["n"] < 10:
            from socialbot.errors import RateLimited

            raise RateLimited("slow down", retry_after=120)
        return original(draft)

    inner.publish = fail_third_call
    daemon.run_once()
    ledger = rows(daemon)
    part = "shop/story/20261201T0930/sandbox/{}"
    assert ledger[part.format(0)].status == Status.SENT
    assert ledger[part.format(1)].status == Status.PLANNED and ledger[part.format(1)].not_before is not None
    assert ledger[part.format(2)].status == Status.PLANNED
    calls["n"] = 10
    clock.advance(minutes=3)
    daemon.run_once()
    daemon.close()
    ledger = rows(daemon)
    assert all(ledger[part.format(i)].status == Status.SENT for i in range(3))
    by_text = {p.text: p for p in posts_on_platform(daemon)}
    assert by_text["Part two of the story"].reply_to == ledger[part.format(0)].remote_id
    assert by_text["Part three of the story"].reply_to == ledger[part.format(1)].remote_id
    assert sum(1 for p in posts_on_platform(daemon) if p.text == "Part one of the story") == 1


def test_the_repeated_fall_back_hour_keeps_both_occurrences_in_the_ledger(settings, clock, campaigns_dir):
    write_campaign(
        campaigns_dir,
        """
        campaign: {id: fold, name: Fold, timezone: Europe/Madrid, starts: 2026-10-24, ends: 2026-10-26, platforms: [sandbox]}
        posts:
          - id: half-hourly
            text: "Half-hourly {{ occurrence }}"
            schedule: {every: 30m, starting: "2026-10-25 02:00", count: 4}
        """,
    )
    daemon = make_daemon(settings, clock)
    daemon.start()
    keys = sorted(rows(daemon))
    daemon.close()
    assert len(keys) == 4
    assert "fold/half-hourly/20261025T0200/sandbox/0" in keys and "fold/half-hourly/20261025T0200b/sandbox/0" in keys


def test_an_operator_settles_an_unconfirmed_post_by_hand(settings, clock, campaign):
    from click.testing import CliRunner

    from socialbot.cli import main

    clock.now = clock.now.replace(hour=8, minute=5)
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.app.platforms._adapters[("shop", "sandbox")] = CrashingPlatform(
        daemon.app.platforms.get("shop", "sandbox"), when="before"
    )
    with pytest.raises(Crash):
        daemon.run_once()
    daemon.app.recover_in_flight(now=clock.now)
    daemon.app.close()
    key = "shop/hello/20261201T0900/sandbox/0"
    runner = CliRunner()
    both = runner.invoke(main, ["resolve", key, "--retry", "--drop", "--db", settings.database_url])
    assert both.exit_code == 2 and "exactly one" in both.output
    unknown = runner.invoke(main, ["resolve", "shop/nope", "--drop", "--db", settings.database_url])
    assert unknown.exit_code == 2 and "no ledger entry" in unknown.output
    for bad in ("", "   ", "x" * 5000, "12 34", "../../etc"):
        refused = runner.invoke(main, ["resolve", key, "--sent", bad, "--db", settings.database_url])
        assert refused.exit_code == 2, (bad, refused.output)
        assert "is not a sandbox id" in refused.output and len(refused.output) < 500
    assert rows(daemon)[key].status == Status.UNCONFIRMED  # nothing recorded by a refused id
    done = runner.invoke(main, ["resolve", key, "--sent", "1800000042", "--db", settings.database_url])
    assert done.exit_code == 0, done.output
    ledger = rows(daemon)
    assert ledger[key].status == Status.SENT and ledger[key].remote_id == "1800000042"
    assert [p.remote_id for p in publications(daemon) if p.ledger_key == key] == ["1800000042"]
    again = runner.invoke(main, ["resolve", key, "--drop", "--db", settings.database_url])
    assert again.exit_code == 2 and "is sent" in again.output


def test_a_started_thread_is_finished_even_past_its_first_catch_up_window(settings, clock, campaign):
    from socialbot.errors import RateLimited

    clock.now = clock.now.replace(hour=8, minute=31)  # 09:31 Madrid; catch_up_within is 1h
    daemon = make_daemon(settings, clock)
    daemon.start()
    inner = daemon.app.platforms.get("shop", "sandbox")
    original, limited = inner.publish, {"Part one of the story": 1, "Part two of the story": 1}

    def slow(draft):
        if limited.get(draft.text):
            limited[draft.text] -= 1
            raise RateLimited("slow down", retry_after=50 * 60 if "one" in draft.text else 40 * 60)
        return original(draft)

    inner.publish = slow
    part = "shop/story/20261201T0930/sandbox/{}"
    daemon.run_once()  # part one parked until 10:21 Madrid
    clock.now = clock.now.replace(hour=9, minute=22)  # 10:22 Madrid: part one goes out, part two parked until 11:02
    daemon.run_once()
    clock.now = clock.now.replace(hour=10, minute=3)  # 11:03 Madrid: 93 min after the thread was due, 41 after part one
    daemon.run_once()
    daemon.close()
    ledger = rows(daemon)
    assert [ledger[part.format(i)].status for i in range(3)] == [Status.SENT] * 3


def test_renaming_an_item_or_nudging_its_time_does_not_post_it_again(settings, clock, campaigns_dir, campaign):
    clock.now = clock.now.replace(hour=8, minute=5)  # 09:05 Madrid: "hello" goes out
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()
    renamed = CAMPAIGN.replace("id: hello", "id: greeting")
    write_campaign(campaigns_dir, renamed)
    daemon.load_and_sync(now=clock.now)
    nudged = renamed.replace('starting: "2026-12-01 09:00"', 'starting: "2026-12-01 09:03"')
    write_campaign(campaigns_dir, nudged + "\n")  # a different size, so the rescan sees the change
    daemon.load_and_sync(now=clock.now)
    daemon.run_once()
    daemon.close()
    assert [p.text for p in posts_on_platform(daemon)].count("Hello number 1") == 1
    ledger = rows(daemon)
    twin = ledger["shop/greeting/20261201T0903/sandbox/0"]
    assert (
        twin.status == Status.CANCELLED and "already published as shop/hello/20261201T0900/sandbox/0" in twin.last_error
    )
    assert ledger["shop/greeting/20261202T0903/sandbox/0"].status == Status.PLANNED  # tomorrow's is a new post


class RefusingPlatform(CrashingPlatform):
    """Refuses every post itself, before anything is sent (a media file changed since validation)."""

    def publish(self, draft):
        from socialbot.errors import RefusedBeforeUpload

        raise RefusedBeforeUpload("media file /x.png is now a symbolic link; refusing to upload it")


def test_a_post_refused_before_upload_is_not_said_to_be_rejected_by_the_platform(settings, clock, campaign, caplog):
    clock.now = clock.now.replace(hour=8, minute=5)  # only "hello" is due
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.app.platforms._adapters[("shop", "sandbox")] = RefusingPlatform(
        daemon.app.platforms.get("shop", "sandbox"), when="never"
    )
    caplog.set_level("ERROR")
    daemon.run_once()
    daemon.close()
    key = "shop/hello/20261201T0900/sandbox/0"
    assert rows(daemon)[key].status == Status.FAILED
    [message] = [r.getMessage() for r in caplog.records if key in r.getMessage()]
    assert message.startswith(f"{key} refused before upload to sandbox: media file /x.png is now a symbolic link")
    assert "rejected by" not in message
