"""A Reddit campaign end to end: the real CLI and praw against the local Reddit stand-in on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from socialbot.app import App
from socialbot.cli import main
from socialbot.domain.clock import VirtualClock
from socialbot.domain.ledger import Status
from socialbot.run.daemon import Daemon
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import InteractionRow, LedgerRow, PublicationRow
from tests.conftest import write_campaign
from tests.fakes.reddit_api import RedditApiStandIn

CAMPAIGN = """
campaign:
  id: reddit-launch
  name: Reddit launch
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [reddit]
posts:
  - id: ama
    text: "We are the team behind the winter line. Ask us anything!"
    reddit: {{subreddit: socialbot_test, title: "AMA: the winter line team", suggested_sort: qa}}
    schedule: {{at: "{at}"}}
  - id: link
    text: "Our launch page"
    reddit: {{subreddit: socialbot_test, title: "The winter line is out", kind: link, url: "https://example.com/winter", flair: Announcement}}
    schedule: {{at: "{at}"}}
  - id: vote
    text: "Help us pick the next colour."
    reddit: {{subreddit: socialbot_test, title: "Which colour next?"}}
    poll: {{options: [Forest green, Midnight blue, Rust], duration: 3d}}
    schedule: {{at: "{at}"}}
"""


@pytest.fixture
def vclock() -> VirtualClock:
    """One virtual clock for the stand-in and for `run --once` (passed as the CLI's obj): no wall-clock time."""
    return VirtualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def standin(vclock):
    server = RedditApiStandIn(clock=lambda: vclock.now.timestamp())
    server.add_subreddit("socialbot_test")
    server.add_flair("socialbot_test", "Announcement")
    yield server
    server.stop()


@pytest.fixture
def reddit_env(standin, monkeypatch, tmp_path, campaigns_dir):
    monkeypatch.chdir(tmp_path)
    env = {
        "SOCIALBOT_REDDIT_CLIENT_ID": standin.client_id,
        "SOCIALBOT_REDDIT_CLIENT_SECRET": standin.client_secret,
        "SOCIALBOT_REDDIT_USERNAME": standin.username,
        "SOCIALBOT_REDDIT_PASSWORD": "standin-password",
        "SOCIALBOT_REDDIT_OAUTH_URL": standin.base_url,
        "SOCIALBOT_REDDIT_URL": standin.base_url,
        "SOCIALBOT_REDDIT_SHORT_URL": standin.base_url,
        "SOCIALBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
        "SOCIALBOT_CAMPAIGNS_DIR": str(campaigns_dir),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def campaign_due_at(directory, when: datetime):
    write_campaign(
        directory,
        CAMPAIGN.format(
            start=(when - timedelta(days=1)).date(),
            end=(when + timedelta(days=3)).date(),
            at=when.strftime("%Y-%m-%d %H:%M"),
        ),
    )


def test_run_once_publishes_and_collects_every_comment_exactly_once(standin, reddit_env, campaigns_dir, vclock):
    campaign_due_at(campaigns_dir, vclock.now - timedelta(minutes=2))
    runner = CliRunner()
    first = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert first.exit_code == 0, first.output
    assert "sent=3" in first.output
    engine = make_engine(reddit_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        pubs = {p.item_id: p for p in s.exec(select(PublicationRow))}
    assert set(pubs) == {"ama", "link", "vote"}
    link = standin.thing(pubs["link"].remote_id)
    assert link.flair is not None and link.flair["text"] == "Announcement" and link.url == "https://example.com/winter"
    vote = standin.thing(pubs["vote"].remote_id)
    assert [o["text"] for o in vote.poll["options"]] == ["Forest green", "Midnight blue", "Rust"]

    ama = pubs["ama"].remote_id
    top = [standin.comment(ama, f"fan{n}", f"Question {n}?") for n in range(150)]
    for n, parent in enumerate(top[:40]):
        standin.comment(parent, f"fan{n + 200}", f"Follow-up {n}")
    standin.set_more_threshold(60)  # most of the thread sits behind "load more comments"
    vclock.advance(minutes=5)
    second = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert second.exit_code == 0, second.output
    with session_scope(engine) as s:
        stored = s.exec(select(func.count()).select_from(InteractionRow).where(InteractionRow.target_id == ama)).one()
    assert stored == 190
    vclock.advance(minutes=5)
    third = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert third.exit_code == 0 and "interactions=0" in third.output and "sent=0" in third.output
    engine.dispose()


def test_ratelimit_on_submit_parks_until_reddits_time_then_publishes_once(standin, reddit_env, campaigns_dir):
    from socialbot.settings import load_settings

    class Clock:
        now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

        def __call__(self):
            return self.now

    clock = Clock()
    campaign_due_at(campaigns_dir, clock.now)
    settings = load_settings()
    daemon = Daemon(settings, app=App(settings, clock=clock, sleep=lambda _s: None))
    daemon.start()
    standin.ratelimit("/api/submit", wait="5 minutes")
    daemon.run_once()
    with session_scope(daemon.app.engine) as s:
        rows = {r.item_id: r for r in s.exec(select(LedgerRow))}
    limited = [r for r in rows.values() if r.status == Status.PLANNED]
    assert len(limited) == 1
    assert limited[0].not_before == clock.now + timedelta(minutes=5)
    assert "RATELIMIT" in limited[0].last_error or "break" in limited[0].last_error
    clock.now += timedelta(minutes=3)
    assert daemon.run_once()["sent"] == 0  # still parked
    clock.now += timedelta(minutes=3)
    assert daemon.run_once()["sent"] == 1
    daemon.close()
    with session_scope(daemon.app.engine) as s:
        assert {r.status for r in s.exec(select(LedgerRow))} == {Status.SENT}
    titles = [t.title for t in standin._things.values() if t.kind == "t3" and not t.deleted]
    assert sorted(titles) == sorted(["AMA: the winter line team", "The winter line is out", "Which colour next?"])
