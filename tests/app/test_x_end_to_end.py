"""An X campaign end to end: the real CLI and tweepy against the local X API v2 stand-in on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from socialbot.app import App
from socialbot.cli import main
from socialbot.domain.clock import VirtualClock
from socialbot.run import jobs
from socialbot.run.daemon import Daemon
from socialbot.run.scheduler import Scheduler
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import ApiUsageRow, InteractionRow, JobRunRow, LedgerRow, PublicationRow
from tests.conftest import write_campaign
from tests.fakes.x_api import Fault, XApiStandIn

CAMPAIGN = """
campaign:
  id: x-launch
  name: X launch
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [x]
  hashtags: ["#CozyWinter"]
posts:
  - id: hello
    text: "The winter line is here. What do you think? #CozyWinter"
    schedule: {{at: "{at}"}}
  - id: story
    thread: ["How we made it, a thread 1/3", "Recycled wool, spun nearby 2/3", "Free repairs for two winters 3/3"]
    schedule: {{at: "{at}"}}
  - id: vote
    text: "Which colour should come next?"
    poll: {{options: [Forest green, Midnight blue, Rust], duration: 1d}}
    schedule: {{at: "{at}"}}
"""

SANDBOX_CAMPAIGN = """
campaign: {{id: sandboxed, name: Sandboxed, timezone: UTC, starts: {start}, ends: {end}, platforms: [sandbox]}}
posts:
  - id: tick
    text: "Tick {{{{ occurrence }}}}"
    schedule: {{every: 10m, starting: "{at}", count: 20}}
"""


@pytest.fixture
def vclock() -> VirtualClock:
    """One virtual clock for the stand-in and for `run --once` (passed as the CLI's obj): no wall-clock time."""
    return VirtualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def standin(vclock):
    server = XApiStandIn(clock=lambda: vclock.now.timestamp())
    yield server
    server.stop()


@pytest.fixture
def x_env(standin, monkeypatch, tmp_path, campaigns_dir):
    monkeypatch.chdir(tmp_path)
    env = {
        "SOCIALBOT_X_API_KEY": standin.api_key,
        "SOCIALBOT_X_API_SECRET": standin.api_secret,
        "SOCIALBOT_X_ACCESS_TOKEN": standin.access_token,
        "SOCIALBOT_X_ACCESS_TOKEN_SECRET": standin.access_token_secret,
        "SOCIALBOT_X_API_URL": standin.base_url,
        "SOCIALBOT_X_UPLOAD_URL": standin.base_url,
        "SOCIALBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
        "SOCIALBOT_CAMPAIGNS_DIR": str(campaigns_dir),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def campaign_at(directory, body: str, when: datetime, name: str) -> None:
    write_campaign(
        directory,
        body.format(
            start=(when - timedelta(days=1)).date(),
            end=(when + timedelta(days=3)).date(),
            at=when.strftime("%Y-%m-%d %H:%M"),
        ),
        name=name,
    )


def test_run_once_posts_a_thread_and_a_poll_and_stores_every_interaction_once(
    standin, x_env, campaigns_dir, caplog, vclock
):
    caplog.set_level(logging.DEBUG)
    campaign_at(campaigns_dir, CAMPAIGN, vclock.now - timedelta(minutes=2), "x.yaml")
    runner = CliRunner()
    first = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert first.exit_code == 0, first.output
    assert "sent=5" in first.output  # one post, three thread parts, one poll
    engine = make_engine(x_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        pubs = {(p.item_id, p.part): p.remote_id for p in s.exec(select(PublicationRow))}
    thread = [standin.tweets[pubs[("story", i)]] for i in range(3)]
    assert thread[1]["in_reply_to"] == pubs[("story", 0)] and thread[2]["in_reply_to"] == pubs[("story", 1)]
    assert {t["conversation_id"] for t in thread} == {pubs[("story", 0)]}
    poll = standin.polls[standin.tweets[pubs[("vote", 0)]]["poll_id"]]
    assert poll["options"] == ["Forest green", "Midnight blue", "Rust"]

    hello = pubs[("hello", 0)]
    fans = [standin.add_user(f"fan{n}", followers=n) for n in range(30)]
    for n, fan in enumerate(fans[:12]):
        standin.reply(hello, fan, f"Love it {n}")
    standin.reply(pubs[("story", 2)], fans[12], "Great thread")
    for fan in fans[13:20]:
        standin.like(hello, fan)
    for fan in fans[20:23]:
        standin.repost(hello, fan)
    standin.quote(hello, fans[23], "Look at this")
    standin.mention(fans[24], "when do you ship to Lisbon?")
    standin.post(fans[25], "Wearing mine today #CozyWinter")

    vclock.advance(minutes=5)
    second = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert second.exit_code == 0, second.output
    with session_scope(engine) as s:
        kinds = dict(s.exec(select(InteractionRow.kind, func.count()).group_by(InteractionRow.kind)).all())
        usage = {u.endpoint: u.calls for u in s.exec(select(ApiUsageRow))}
    assert kinds == {"reply": 13, "like": 7, "repost": 3, "quote": 1, "mention": 1, "hashtag": 1}
    assert usage["POST /2/tweets"] == 5  # every call is metered per campaign, account and endpoint

    vclock.advance(minutes=5)
    third = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert third.exit_code == 0 and "interactions=0" in third.output and "sent=0" in third.output
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(InteractionRow)).one() == 26
    engine.dispose()
    secrets = [standin.api_key, standin.api_secret, standin.access_token, standin.access_token_secret]
    for record in caplog.records:
        assert not any(secret in record.getMessage() for secret in secrets)


def test_a_429_storm_parks_the_x_job_and_the_daemon_keeps_serving_other_campaigns(standin, x_env, campaigns_dir):
    from socialbot.settings import load_settings

    class Clock:
        now = datetime.now(UTC).replace(microsecond=0)

        def __call__(self):
            return self.now

    clock = Clock()
    campaign_at(campaigns_dir, CAMPAIGN, clock.now - timedelta(minutes=1), "x.yaml")
    campaign_at(campaigns_dir, SANDBOX_CAMPAIGN, clock.now - timedelta(minutes=1), "sandbox.yaml")
    settings = load_settings()
    daemon = Daemon(settings, app=App(settings, clock=clock, sleep=lambda _s: None))
    daemon.start()
    daemon.run_once()
    reset = int(clock.now.timestamp()) + 900
    for endpoint in ("GET /2/tweets/search/recent", "GET /2/users/:id/mentions"):
        standin.fail(
            endpoint,
            Fault(status=429, headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"}, times=50),
        )
    scheduler = Scheduler(daemon.app, known=daemon.job)
    scheduler.start(paused=True)
    daemon.scheduler = scheduler
    for job in jobs.all_campaign_jobs(daemon.app):
        scheduler.add(job, at=clock.now)
    clock.now += timedelta(minutes=10)
    scheduler.run_now("collect:x-launch:x")
    scheduler.run_now("publish:sandboxed")
    parked = scheduler.next_run("collect:x-launch:x")
    # until X's x-rate-limit-reset (on the app's clock, 10 minutes on), not a blind backoff
    assert 0 <= (parked - datetime.fromtimestamp(reset, UTC)).total_seconds() <= 1
    with session_scope(daemon.app.engine) as s:
        runs = {r.job_id: r for r in s.exec(select(JobRunRow))}
        ticks = s.exec(
            select(func.count())
            .select_from(LedgerRow)
            .where(LedgerRow.campaign_id == "sandboxed", LedgerRow.status == "sent")
        ).one()
    assert runs["collect:x-launch:x"].outcome == "parked"
    assert runs["publish:sandboxed"].outcome == "ok"
    assert ticks == 2  # the sandbox campaign kept publishing while X was parked
    scheduler.shutdown()
    daemon.close()


def test_daily_read_budget_stops_collection_at_the_cap_and_status_says_so(standin, x_env, campaigns_dir, vclock):
    budgeted = CAMPAIGN.replace(
        '  hashtags: ["#CozyWinter"]',
        '  hashtags: ["#CozyWinter"]\n  x: {{max_reads_per_day: 3, max_posts_per_day: 4}}',
    )
    campaign_at(campaigns_dir, budgeted, vclock.now - timedelta(minutes=2), "x.yaml")
    runner = CliRunner()
    first = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert first.exit_code == 0, first.output
    assert "sent=4" in first.output  # the fifth post waits for tomorrow's budget
    engine = make_engine(x_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        usage = {u.endpoint: u.calls for u in s.exec(select(ApiUsageRow))}
        waiting = [r for r in s.exec(select(LedgerRow)) if r.status == "planned"]
    engine.dispose()
    assert usage["POST /2/tweets"] == 4
    reads = {e: n for e, n in usage.items() if e.startswith("GET ")}
    assert sum(reads.values()) <= 3, reads  # never past the cap, even mid-collection
    assert len(waiting) == 1 and "max_posts_per_day" in waiting[0].last_error
    status = runner.invoke(main, ["status"], obj={"clock": vclock})
    assert "X budget today: 4/4 posts" in status.output and "limit reached" in status.output
