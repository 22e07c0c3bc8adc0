"""Benchmark: Reddit API calls per 1,000 comments collected, next to the minimum the API allows (local stand-in)."""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialbot.domain.values import Draft, Target
from tests.fakes.reddit_api import RedditApiStandIn, platform_for

INLINE = 500  # comments Reddit returns inline in one /comments/<id> call
PER_MORE = 100  # comments one /api/morechildren call returns


def main() -> None:
    print(f"{'comments':>9} {'calls':>6} {'minimum':>8} {'calls/1000':>11} {'min/1000':>9}")
    for total in (1000, 2000, 5000):
        standin = RedditApiStandIn()
        try:
            reddit = platform_for(standin, replace_more_limit=None)
            post = reddit.publish(Draft(text="bench", title="bench", subreddit="bench"))
            for n in range(total):
                standin.comment(post.remote_id, f"fan{n % 500}", f"comment {n}")
            reddit.usage.drain()
            batch = reddit.fetch_interactions(
                [Target(post.remote_id, post.created_at)], cursors={}, now=datetime.now(UTC)
            )
            used = reddit.usage.drain()
            reads = used.get("GET /comments/{id}", 0) + used.get("POST /api/morechildren", 0)
            calls = sum(used.values())
            minimum = 1 + math.ceil(max(0, total - INLINE) / PER_MORE)
            assert len(batch.interactions) == total
            print(
                f"{total:>9} {calls:>6} {minimum:>8} {calls * 1000 / total:>11.1f} {minimum * 1000 / total:>9.1f}"
                f"   (comment reads {reads}, other: {calls - reads} = mentions inbox)"
            )
        finally:
            standin.stop()


if __name__ == "__main__":
    main()
