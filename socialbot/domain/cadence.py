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
