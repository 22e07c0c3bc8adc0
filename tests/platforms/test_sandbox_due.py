"""A round looks only at the posts whose next reaction has come (a heap): it must find what looking at every post finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from socialbot.domain.values import Target
from socialbot.platforms.sandbox import SandboxPlatform

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

rounds = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=240),  # minutes since the last round
        st.booleans(),  # the round's answer is lost: the next one asks again from the same cursor
        st.integers(min_value=0, max_value=3),  # posts published just before the round
        st.booleans(),  # one of them is recorded late, among older ones (another process)
        st.booleans(),  # a scripted reply on an existing post
    ),
    min_size=1,
    max_size=40,
)


class _PostsWithoutPolls:
    """All a collection round asks of the world here: whether a post carries a poll (none does)."""

    def poll(self, remote_id: str) -> None:
        return None


def _pair() -> tuple[SandboxPlatform, SandboxPlatform]:
    heap, every = (SandboxPlatform(world=_PostsWithoutPolls(), seed=5, clock=lambda: T0) for _ in range(2))  # type: ignore[arg-type]
    every._due.to_look_at = lambda targets, **_: targets  # type: ignore[method-assign]
    return heap, every


@settings(max_examples=60, deadline=None)
@given(rounds)
def test_rounds_from_the_heap_find_what_looking_at_every_post_finds(plan):
    heap, every = _pair()
    targets: list[Target] = []
    held: list[Target] = []
    cursors: dict[str, str] = {}
    now, number = T0, 0
    for minutes, lost, posts, out_of_order, scripted in plan:
        for _ in range(posts):
            number += 1
            post = Target(remote_id=str(10**9 + number), published_at=now + timedelta(seconds=number))
            (held if out_of_order and not held else targets).append(post)
        now += timedelta(minutes=minutes)
        if held and not out_of_order:  # the late one shows up among the older posts
            targets.extend(held)
            targets.sort(key=lambda t: t.published_at)
            held.clear()
        if scripted and targets:
            for platform in (heap, every):
                platform.script_reply(targets[0].remote_id, author="fan", text="late reply", after=now - T0)
        live = [t for t in targets if t.published_at <= now]
        a = heap.fetch_interactions(live, cursors=cursors, now=now)
        b = every.fetch_interactions(live, cursors=cursors, now=now)
        assert a == b
        if not lost:
            cursors = a.cursors
    assert number == 0 or heap._due.looked_upto is not None


def test_most_rounds_of_a_busy_day_look_at_few_posts():
    heap, _ = _pair()
    targets = [Target(remote_id=str(10**9 + n), published_at=T0 + timedelta(minutes=4 * n)) for n in range(300)]
    looked: list[int] = []
    original = heap._due.to_look_at

    def counting(targets, **kwargs):
        chosen = original(targets, **kwargs)
        looked.append(len(chosen))
        return chosen

    heap._due.to_look_at = counting  # type: ignore[method-assign]
    cursors: dict[str, str] = {}
    now = T0
    for _ in range(300):
        now += timedelta(minutes=5)
        cursors = heap.fetch_interactions(
            [t for t in targets if t.published_at <= now], cursors=cursors, now=now
        ).cursors
    assert sum(looked[100:]) < 0.5 * sum(min(len(targets), 1 + (5 * (100 + i)) // 4) for i in range(200))
