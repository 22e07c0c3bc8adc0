"""Estimates the API calls (and X cost) a campaign will need, from its plan and the collection cadence."""

from __future__ import annotations

from datetime import UTC, timedelta

from socialbot.domain.cadence import METRICS_EVERY, collect_interval
from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import localize
from socialbot.settings import Settings
from socialbot.spec.loader import Campaign

# calls per collection round on X: replies search + mentions, plus per fresh target quotes, reposters, likers
X_FIXED_PER_ROUND = 2
X_PER_TARGET_PER_ROUND = 3
REDDIT_FIXED_PER_ROUND = 1  # inbox mentions
REDDIT_PER_TARGET_PER_ROUND = 1  # comment forest (plus "more" expansions in big threads)


def estimate_campaign(campaign: Campaign, actions: list[PlannedAction], *, settings: Settings) -> list[dict]:
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
        rounds = targets_rounds = metrics_calls = 0
        t = roots[0]
        last_metrics = t - METRICS_EVERY
        while True:
            published = [r for r in roots if r <= t]
            interval = collect_interval(
                newest_publication=published[-1] if published else None, now=t, campaign_ends=ends, grace=grace
            )
            if interval is None:
                break
            rounds += 1
            fresh = [r for r in published if t - r <= timedelta(days=7)]
            targets_rounds += len(fresh)
            if t - last_metrics >= METRICS_EVERY:
                metrics_calls += -(-len(published) // 100)
                last_metrics = t
            t += interval
        if platform == "reddit":
            reads = rounds * REDDIT_FIXED_PER_ROUND + targets_rounds * REDDIT_PER_TARGET_PER_ROUND + metrics_calls
        else:
            reads = rounds * X_FIXED_PER_ROUND + targets_rounds * X_PER_TARGET_PER_ROUND + metrics_calls
        days = max(1, (ends + grace - roots[0]).days + 1)
        budget_note = None
        cap = header.x.max_reads_per_day if platform == "x" else None
        if cap is not None and reads > cap * days:
            budget_note = f"needs about {reads // days} reads a day; x.max_reads_per_day ({cap}) will hold collection to {cap * days}"
            reads = cap * days
        post_cap = header.x.max_posts_per_day if platform == "x" else None
        if post_cap is not None:
            busiest = max(sum(1 for a in mine if a.due_at.date() == d) for d in {a.due_at.date() for a in mine})
            if busiest > post_cap:
                budget_note = (
                    budget_note + "; " if budget_note else ""
                ) + f"{busiest} posts on the busiest day exceed x.max_posts_per_day ({post_cap})"
        cost = posts * settings.x_price_post + reads * settings.x_price_read if platform == "x" else None
        out.append(
            {
                "campaign": header.id,
                "platform": platform,
                "calls": posts + reads,
                "posts": posts,
                "reads": reads,
                "collection_rounds": rounds,
                "detail": f"{posts} posts, {reads} reads over {rounds} collection rounds"
                + (f" ({budget_note})" if budget_note else ""),
                "budget_note": budget_note,
                "cost_usd": round(cost, 2) if cost is not None else None,
            }
        )
    return out
