"""The shared platform contract, run against the sandbox adapter (X-like and Reddit-like) over a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialbot.domain.values import REDDIT_CAPABILITIES, X_CAPABILITIES
from socialbot.platforms.sandbox import SandboxPlatform
from socialbot.platforms.sandbox.audience import Audience
from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.sandbox_world import SandboxWorldStore
from tests.platforms.contract import PlatformContract


class _Harness:
    def __init__(self, engine, capabilities) -> None:
        self.clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        # an empty crowd: only the replies the contract scripts exist, so counts are exact
        self.platform = SandboxPlatform(
            world=SandboxWorldStore(engine, account="contract"),
            capabilities=capabilities,
            clock=self.now,
            audience=Audience(seed=1, size=0),
        )
        self._people = 0

    def now(self) -> datetime:
        return self.clock

    def add_replies(self, remote_id: str, count: int) -> None:
        for _ in range(count):
            self._people += 1
            self.platform.script_reply(
                remote_id,
                author=f"person{self._people}",
                text=f"reply {self._people}",
                after=self.clock - self._published(remote_id) + timedelta(seconds=1),
            )

    def _published(self, remote_id: str) -> datetime:
        return self.platform.world.created_at([remote_id])[remote_id]

    def advance(self, seconds: float) -> None:
        self.clock += timedelta(seconds=seconds)


@pytest.fixture(params=[X_CAPABILITIES, REDDIT_CAPABILITIES], ids=["x-like", "reddit-like"])
def harness(request, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sandbox.db'}")
    upgrade(engine)
    yield _Harness(engine, request.param)
    engine.dispose()


class TestSandboxContract(PlatformContract):
    pass


def test_the_same_seed_gives_the_same_audience_and_failures(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    upgrade(engine)
    a = Audience(seed=7).reactions("1800000001")
    b = Audience(seed=7).reactions("1800000001")
    c = Audience(seed=8).reactions("1800000001")
    assert [(r.persona.id, r.kind, r.delay) for r in a] == [(r.persona.id, r.kind, r.delay) for r in b]
    assert [(r.persona.id, r.kind) for r in a] != [(r.persona.id, r.kind) for r in c]
    assert 100 < len(a) < 400
    early = sum(1 for r in a if r.delay < timedelta(hours=2))
    late = sum(1 for r in a if timedelta(hours=6) <= r.delay < timedelta(hours=8))
    assert early > 4 * late  # reactions decay over the following hours
    engine.dispose()


def test_collecting_round_by_round_over_days_sees_what_one_late_look_sees(tmp_path):
    """Rounds skip posts past their last reaction and forget old posts' single reactions: nothing is lost."""
    from socialbot.domain.values import Draft, Target
    from socialbot.platforms.sandbox.platform import WATERMARK

    engine = make_engine(f"sqlite:///{tmp_path / 'days.db'}")
    upgrade(engine)
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    clock = [t0]
    world = SandboxWorldStore(engine, account="days")
    rounds = SandboxPlatform(world=world, seed=3, clock=lambda: clock[0])
    targets = []
    for day in range(4):  # a post a day, at 09:00
        clock[0] = t0 + timedelta(days=day)
        published = rounds.publish(Draft(text=f"Day {day}"))
        targets.append(Target(remote_id=published.remote_id, published_at=published.created_at))
    end = t0 + timedelta(days=7)
    seen: set[str] = set()
    cursors: dict[str, str] = {}
    now = t0
    while now < end:  # every 20 minutes, with the posts as they exist by then
        now += timedelta(minutes=20)
        live = [t for t in targets if t.published_at <= now]
        batch = rounds.fetch_interactions(live, cursors=cursors, now=now)
        seen.update(i.remote_id for i in batch.interactions)
        cursors = batch.cursors
    late = SandboxPlatform(world=world, seed=3, clock=lambda: end)
    everything = late.fetch_interactions(targets, cursors={}, now=end)
    assert seen == {i.remote_id for i in everything.interactions} and len(seen) > 400
    assert rounds.fetch_metrics([t.remote_id for t in targets], now=end) == late.fetch_metrics(
        [t.remote_id for t in targets], now=end
    )
    assert sum(1 for t in rounds._reactions.values() if not t.delays) >= 1  # old posts kept only their totals
    assert WATERMARK in cursors
    engine.dispose()


def test_an_x_like_sandbox_refuses_the_same_text_within_a_day_as_x_does(tmp_path):
    """Links, spaces and case do not make a text new; a day later, or once the first is deleted, it is accepted."""
    from socialbot.domain.values import Draft
    from socialbot.errors import ContentRejected

    engine = make_engine(f"sqlite:///{tmp_path / 'dup.db'}")
    upgrade(engine)
    clock = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    x = SandboxPlatform(world=SandboxWorldStore(engine, account="dup"), seed=3, clock=lambda: clock[0])
    first = x.publish(Draft(text="Big news today https://example.com/a"))
    clock[0] += timedelta(hours=23)
    with pytest.raises(ContentRejected, match="duplicate content"):
        x.publish(Draft(text="  big NEWS   today https://example.com/b "))
    x.publish(Draft(text="Big news tomorrow"))  # another text
    other = SandboxPlatform(world=SandboxWorldStore(engine, account="other"), seed=3, clock=lambda: clock[0])
    other.publish(Draft(text="Big news today"))  # another account
    x.delete(first.remote_id)
    x.publish(Draft(text="Big news today"))  # the first is gone
    clock[0] += timedelta(hours=24, seconds=1)
    x.publish(Draft(text="Big news today"))  # a day after the second
    reddit = SandboxPlatform(
        world=SandboxWorldStore(engine, account="r"), seed=3, clock=lambda: clock[0], capabilities=REDDIT_CAPABILITIES
    )
    reddit.publish(Draft(text="Same", subreddit="test"))
    reddit.publish(Draft(text="Same", subreddit="test"))  # Reddit does not refuse repeats
    engine.dispose()
