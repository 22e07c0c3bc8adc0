"""How often to collect: often while publications are fresh, less as they age, never after the grace period."""

from __future__ import annotations

from datetime import datetime, timedelta

STEPS = (
    (timedelta(hours=1), timedelta(minutes=2)),
    (timedelta(days=1), timedelta(minutes=15)),
)
SLOW = timedelta(hours=1)


def collect_interval(
    *, newest_publication: datetime | None, now: datetime, campaign_ends: datetime, grace: timedelta
) -> timedelta | None:
    """The wait before the next collection, or None when collection is over for this campaign."""
    if now > campaign_ends + grace:
        return None
    if newest_publication is None:
        return timedelta(minutes=15)
    age = now - newest_publication
    for younger_than, interval in STEPS:
        if age < younger_than:
            return interval
    return SLOW


METRICS_EVERY = timedelta(minutes=30)


def metrics_due(last: datetime | None, now: datetime) -> bool:
    """Whether a collection round also reads the publications' counters (every METRICS_EVERY)."""
    return last is None or now - last >= METRICS_EVERY


METRICS_STEPS = (
    (timedelta(days=1), METRICS_EVERY),  # a fresh publication: every round that reads counters
    (timedelta(days=7), timedelta(hours=3)),
)
METRICS_SLOW = timedelta(hours=12)


def metrics_wanted(*, published_at: datetime, last_taken: datetime | None, now: datetime) -> bool:
    """Whether one publication's counters are read in a metrics round: dense while it is fresh, sparse later."""
    if last_taken is None:
        return True
    age = now - published_at
    every = next((interval for younger_than, interval in METRICS_STEPS if age < younger_than), METRICS_SLOW)
    return now - last_taken >= every
