"""Estimates the API calls (and X cost) a campaign will need, from its plan and the jobs' collection cadence."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from socialbot.domain.cadence import METRICS_EVERY, SLOW, STEPS
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


US = timedelta(microseconds=1)


def _collection(
    platform: str, roots: list[datetime], *, ends: datetime, grace: timedelta, keywords: int
) -> tuple[int, int]:
    """(collection rounds, read calls) from the first publication until collection stops.

    ``roots`` (the due times of the first parts, UTC) are sorted and each round is later than the
    last, so the published posts are a prefix of ``roots`` and the searchable and lively ones are
    windows at its end: three indexes that only move forward. Between two changes (a publication,
    a post leaving a window, the cadence slowing, the end) every round waits as long and makes as
    many calls, so such a stretch is counted at once. Times are whole microseconds from the first
    publication (integers: a 10,000-post plan has tens of thousands of stretches); the cadence is
    ``collect_interval``'s (STEPS, SLOW; tests hold the two to the same answers).
    """
    at = [(r - roots[0]) // US for r in roots]
    stop = (ends + grace - roots[0]) // US
    steps = [(younger // US, interval // US) for younger, interval in STEPS]
    slow, metrics_every = SLOW // US, METRICS_EVERY // US
    searchable_for, lively_for = SEARCHABLE_FOR // US, LIVELY_FOR // US
    rounds = reads = 0
    t = 0
    last_metrics: int | None = None
    published = searchable_from = lively_from = 0  # at[:published] are out; [searchable_from:published] searchable
    while t <= stop:
        while published < len(at) and at[published] <= t:
            published += 1
        while searchable_from < published and t - at[searchable_from] > searchable_for:
            searchable_from += 1
        while lively_from < published and t - at[lively_from] > lively_for:
            lively_from += 1
        calls = _round_calls(
            platform,
            searchable=published - searchable_from,
            lively=published - lively_from,
            published=published,
            keywords=keywords,
        )
        age = t - at[published - 1]
        interval, slower = next(((iv, t - age + younger) for younger, iv in steps if age < younger), (slow, None))
        # the rounds t, t + interval, ... alike: before the next publication, a post leaving a window,
        # the cadence slowing or the end (-(-d // interval): rounds strictly before d from now)
        same = (stop - t) // interval + 1
        if published < len(at):
            same = min(same, -(-(at[published] - t) // interval))
        if searchable_from < published:
            same = min(same, (at[searchable_from] + searchable_for - t) // interval + 1)
        if lively_from < published:
            same = min(same, (at[lively_from] + lively_for - t) // interval + 1)
        if slower is not None:
            same = min(same, -(-(slower - t) // interval))
        rounds += same
        reads += same * calls
        # the metrics rounds among them: the first one due, then one every METRICS_EVERY (in whole rounds)
        first = 0 if last_metrics is None else max(0, -(-(last_metrics + metrics_every - t) // interval))
        if first < same:
            every = -(-metrics_every // interval)
            taken = 1 + (same - 1 - first) // every
            reads += taken * -(-published // 100)
            last_metrics = t + (first + (taken - 1) * every) * interval
        t += same * interval
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
