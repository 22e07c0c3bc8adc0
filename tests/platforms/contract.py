"""The platform contract: one test suite every adapter (sandbox, X, Reddit) must pass.

Use it by subclassing ``PlatformContract`` in a test module and providing a ``harness`` fixture
that returns an object with:

- ``platform``: the adapter under test (a ``socialbot.platforms.base.Platform``);
- ``now() -> datetime``: the current (possibly virtual) time, timezone-aware UTC;
- ``add_replies(remote_id, count) -> None``: makes ``count`` distinct people reply to our
  publication ``remote_id`` (through the stand-in / simulated world, not through the adapter);
- ``advance(seconds) -> None``: moves the harness clock forward (a no-op for real-time stand-ins).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialbot.domain.values import Draft, InteractionKind, Target
from socialbot.errors import PlatformError


def _draft(harness, text: str, **kw) -> Draft:
    caps = harness.platform.capabilities
    if caps.needs_subreddit:
        kw.setdefault("subreddit", "socialbot_test")
        kw.setdefault("title", text[:80])
    return Draft(text=text, **kw)


class PlatformContract:
    """Behaviour every adapter shares; subclasses provide the ``harness`` fixture."""

    def test_publish_returns_id_and_time(self, harness):
        before = harness.now() - timedelta(minutes=5)
        published = harness.platform.publish(_draft(harness, "Contract test: hello world"))
        assert published.remote_id
        assert published.created_at.tzinfo is not None
        assert published.created_at >= before

    def test_published_post_is_in_recent_own_posts(self, harness):
        since = harness.now() - timedelta(minutes=5)
        published = harness.platform.publish(_draft(harness, "Contract test: find me again"))
        harness.advance(1)
        own = harness.platform.recent_own_posts(since=since)
        ids = [p.remote_id for p in own]
        assert published.remote_id in ids
        match = next(p for p in own if p.remote_id == published.remote_id)
        assert "find me again" in match.text

    def test_reply_chain_links_to_parent(self, harness):
        first = harness.platform.publish(_draft(harness, "Contract test: thread 1/2"))
        second = harness.platform.publish(Draft(text="Contract test: thread 2/2", reply_to=first.remote_id))
        assert second.remote_id != first.remote_id
        own = harness.platform.recent_own_posts(since=harness.now() - timedelta(minutes=5))
        by_id = {p.remote_id: p for p in own}
        assert second.remote_id in by_id
        assert by_id[second.remote_id].reply_to == first.remote_id

    def test_collect_is_incremental_and_complete(self, harness):
        published = harness.platform.publish(_draft(harness, "Contract test: tell us what you think"))
        harness.add_replies(published.remote_id, 7)
        harness.advance(60)
        target = Target(remote_id=published.remote_id, published_at=published.created_at)

        first = harness.platform.fetch_interactions([target], cursors={}, now=harness.now())
        replies = [
            i for i in first.interactions if i.kind == InteractionKind.REPLY and i.target_id == published.remote_id
        ]
        assert len({i.remote_id for i in replies}) == 7
        authors = {a.remote_id for a in first.authors}
        assert {i.author_id for i in replies} <= authors
        assert first.cursors, "a collection must return cursors to resume from"

        again = harness.platform.fetch_interactions([target], cursors=first.cursors, now=harness.now())
        new_replies = [
            i for i in again.interactions if i.kind == InteractionKind.REPLY and i.target_id == published.remote_id
        ]
        assert new_replies == []

        harness.add_replies(published.remote_id, 2)
        harness.advance(60)
        merged = {**first.cursors, **again.cursors}
        third = harness.platform.fetch_interactions([target], cursors=merged, now=harness.now())
        later = [
            i for i in third.interactions if i.kind == InteractionKind.REPLY and i.target_id == published.remote_id
        ]
        assert len(later) == 2
        assert not ({i.remote_id for i in later} & {i.remote_id for i in replies})

    def test_metrics_for_many_publications(self, harness):
        ids = [harness.platform.publish(_draft(harness, f"Contract test: metrics {n}")).remote_id for n in range(3)]
        harness.add_replies(ids[0], 2)
        harness.advance(60)
        metrics = harness.platform.fetch_metrics(ids, now=harness.now())
        assert {m.remote_id for m in metrics} == set(ids)
        first = next(m for m in metrics if m.remote_id == ids[0])
        counted = first.replies if first.replies is not None else first.comments
        assert counted == 2

    def test_profiles_of_repliers(self, harness):
        published = harness.platform.publish(_draft(harness, "Contract test: who are you"))
        harness.add_replies(published.remote_id, 3)
        harness.advance(60)
        target = Target(remote_id=published.remote_id, published_at=published.created_at)
        batch = harness.platform.fetch_interactions([target], cursors={}, now=harness.now())
        author_ids = sorted({i.author_id for i in batch.interactions if i.target_id == published.remote_id})
        profiles = harness.platform.fetch_profiles(author_ids, now=harness.now())
        assert {p.remote_id for p in profiles} == set(author_ids)
        assert all(p.username for p in profiles)

    def test_delete_removes_from_own_posts(self, harness):
        published = harness.platform.publish(_draft(harness, "Contract test: delete me"))
        harness.platform.delete(published.remote_id)
        own = harness.platform.recent_own_posts(since=harness.now() - timedelta(minutes=5))
        assert published.remote_id not in {p.remote_id for p in own}

    def test_errors_are_socialbot_errors(self, harness):
        with pytest.raises(PlatformError):
            harness.platform.delete("does-not-exist-0000")

    def test_usage_is_metered(self, harness):
        harness.platform.usage.drain()
        harness.platform.publish(_draft(harness, "Contract test: count me"))
        assert sum(harness.platform.usage.drain().values()) >= 1
