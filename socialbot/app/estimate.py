"""Estimates the API calls (and X cost) a campaign will need, from its plan and the jobs' collection cadence."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from socialbot.domain.cadence import collect_interval, metrics_due
from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import localize
from socialbot.settings import Settings
from socialbot.spec.campaign import Campaign

X_CONVERSATIONS_PER_SEARCH = 12  # conversation_id:… OR … terms that fit X's 512-character query
X_LISTS_PER_LIVELY_POST = 3  # likers, reposters, quotes: listed when a post's counters moved (assumed in its first day)


def _round_calls(platform: str, *, searchable: int, lively: int, published: int, keywords: int) -> int:
    """API calls of one collection round, following what the adapters do (see docs/platforms/)."""
    if platform == "reddit":
        return 1 + searchable + 2 * keywords  # inbox mentions, one comment forest per post, search + new per keyword
    replies = -(-searchable // X_CONVERSATIONS_PER_SEARCH)
    counters = -(-published // 100)
    return replies + 1 + counters + keywords + X_LISTS_PER_LIVELY_POST * lively  # + mentions


@dataclass(frozen=True)
class ApiEstimate:
    """The calls one campaign needs on one platform, and what they cost on X's pay-per-use pricing."""

    campaign: str
    platform: str
    calls: int
    posts: int
    reads: int
    collection_rounds: int
    detail: str
    budget_note: str | None
    cost_usd: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SEARCHABLE_FOR = timedelta(days=7)  # a round reads the replies of the posts published this recently
LIVELY_FOR = timedelta(days=1)  # ... and, on X, the lists of the posts published this recently (see above)


def _collection(
    platform: str, roots: list[datetime], *, ends: datetime, grace: timedelta, keywords: int
) -> tuple[int, int]:
    """(collection rounds, read calls) from the first publication until collection stops.

    ``roots`` (the due times of the first parts, UTC) are sorted and each round is later than the
    last, so the published posts are a prefix of ``roots`` and the searchable and lively ones are
    windows at its end: three indexes that only move forward, linear in rounds + posts.
    """
    rounds = reads = 0
    t = roots[0]
    last_metrics: datetime | None = None
    published = searchable_from = lively_from = 0  # roots[:published] are out; [searchable_from:published] searchable
    while True:
        while published < len(roots) and roots[published] <= t:
            published += 1
        interval = collect_interval(
            newest_publication=roots[published - 1] if published else None, now=t, campaign_ends=ends, grace=grace
        )
        if interval is None:
            break
        rounds += 1
        while searchable_from < published and t - roots[searchable_from] > SEARCHABLE_FOR:
            searchable_from += 1
        while lively_from < published and t - roots[lively_from] > LIVELY_FOR:
            lively_from += 1
        reads += _round_calls(
            platform,
            searchable=published - searchable_from,
            lively=published - lively_from,
            published=published,
            keywords=keywords,
        )
        if metrics_due(last_metrics, t):
            reads += -(-published // 100)
            last_metrics = t
        t += interval
    return rounds, reads


def estimate_campaign(campaign: Campaign, actions: list[PlannedAction], *, settings: Settings) -> list[ApiEstimate]:
    """The calls each of the campaign's platforms needs for ``actions`` (its whole plan), in time linear in them."""
    header = campaign.spec.campaign
    _, end_local = header.window()
    ends = localize(end_local, header.tz).astimezone(UTC)
    grace = timedelta(days=settings.collect_grace_days)
    out = []
    for platform in header.platforms:
        mine = [a for a in actions if a.platform == platform]
        if not mine:
            continue
        posts = len(mine)
        roots = sorted(a.due_at for a in mine if a.part == 0)
        rounds, reads = _collection(platform, roots, ends=ends, grace=grace, keywords=len(header.hashtags))
        days = max(1, (ends + grace - roots[0]).days + 1)
        budget_note = None
        cap = header.x.max_reads_per_day if platform == "x" else None
        if cap is not None and reads > cap * days:
            budget_note = f"needs about {reads // days} reads a day; x.max_reads_per_day ({cap}) will hold collection to {cap * days}"
            reads = cap * days
        post_cap = header.x.max_posts_per_day if platform == "x" else None
        if post_cap is not None:
            busiest = max(Counter(a.due_at.date() for a in mine).values())  # posts on the busiest (UTC) day
            if busiest > post_cap:
                budget_note = (
                    budget_note + "; " if budget_note else ""
                ) + f"{busiest} posts on the busiest day exceed x.max_posts_per_day ({post_cap})"
        cost = posts * settings.x_price_post + reads * settings.x_price_read if platform == "x" else None
        out.append(
            ApiEstimate(
                campaign=header.id,
                platform=platform,
                calls=posts + reads,
                posts=posts,
                reads=reads,
                collection_rounds=rounds,
                detail=f"{posts} posts, {reads} reads over {rounds} collection rounds"
                + (f" ({budget_note})" if budget_note else ""),
                budget_note=budget_note,
                cost_usd=round(cost, 2) if cost is not None else None,
            )
        )
    return out
