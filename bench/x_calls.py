"""Prints X API calls per 1,000 interactions collected, stream by stream, next to the minimum the API allows.

Run: python bench/x_calls.py   (against the local X API stand-in; no network, no credentials)
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialbot.domain.values import Draft, InteractionKind, Target
from tests.fakes.x_api import Clock, XApiStandIn, XHarness

N = 1000


def scenario(name: str, act) -> tuple[str, int, int, int]:
    clock = Clock()
    with XApiStandIn(clock=clock) as x:
        harness = XHarness(x, clock)
        posts = [harness.platform.publish(Draft(text=f"Bench post {n}")) for n in range(10)]
        targets = [Target(remote_id=p.remote_id, published_at=p.created_at) for p in posts]
        kind, minimum = act(x, targets)
        clock.advance(60)
        harness.platform.fetch_interactions(targets[:1], cursors={}, now=harness.now())  # warm the account id
        x.calls.clear()
        batch = harness.platform.fetch_interactions(targets, cursors={}, keywords=["#benchtag"], now=harness.now())
        collected = sum(1 for i in batch.interactions if i.kind is kind)
        return name, collected, sum(x.calls.values()), minimum


def replies_on_one(x, targets):
    x.reply_many(targets[0].remote_id, N)
    return InteractionKind.REPLY, math.ceil(N / 100)


def replies_on_ten(x, targets):
    for t in targets:
        x.reply_many(t.remote_id, N // 10)
    return InteractionKind.REPLY, math.ceil(N / 100)


def mentions(x, targets):
    for n in range(N):
        x.mention(x.add_user(f"m{n}"), f"hello {n}")
    return InteractionKind.MENTION, math.ceil(N / 100)


def likers(x, targets):
    for t in targets:
        for n in range(N // 10):
            x.like(t.remote_id, x.add_user(f"l{t.remote_id[-4:]}{n}"))
    return InteractionKind.LIKE, len(targets) * math.ceil(N / 10 / 100)


def reposters(x, targets):
    for n in range(N):
        x.repost(targets[0].remote_id, x.add_user(f"r{n}"))
    return InteractionKind.REPOST, math.ceil(N / 100)


def hashtag(x, targets):
    for n in range(N):
        x.post(x.add_user(f"h{n}"), f"#benchtag number {n}")
    return InteractionKind.HASHTAG, math.ceil(N / 100)


def main() -> None:
    print(f"X API calls to collect {N} interactions (stand-in; every collection also reads mentions,")
    print("counters of the 10 target posts and one keyword search, so the floor is the streams' own pages).")
    print(f"{'scenario':<28}{'collected':>10}{'calls':>8}{'minimum':>9}{'calls/1000':>12}")
    rows = [
        scenario("replies, 1 post", replies_on_one),
        scenario("replies, 10 posts x 100", replies_on_ten),
        scenario("mentions", mentions),
        scenario("likers, 10 posts x 100", likers),
        scenario("reposters, 1 post", reposters),
        scenario("hashtag search", hashtag),
    ]
    for name, collected, calls, minimum in rows:
        per = calls * 1000 / collected if collected else float("nan")
        print(f"{name:<28}{collected:>10}{calls:>8}{minimum:>9}{per:>12.1f}")
    fixed = Counter({"GET /2/users/:id/mentions": 1, "GET /2/tweets": 1, "GET /2/tweets/search/recent": 2})
    print(f"fixed cost per collection when nothing is new: {sum(fixed.values())} calls ({', '.join(fixed)})")


if __name__ == "__main__":
    main()
