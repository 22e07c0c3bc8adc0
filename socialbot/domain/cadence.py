"""How often to collect: often while publications are fresh, less as they age, never after the grace period."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

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


class _Published(Protocol):
    @property
    def remote_id(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...


def metrics_wanted_ids(
    pubs: Iterable[_Published], *, last_taken: Callable[[str], datetime | None], now: datetime
) -> list[str]:
    """The ids of ``pubs`` whose counters a metrics round reads: ``metrics_wanted`` of each, in their order.

    A collection asks this of every publication of a campaign each half hour (5,000 of them in a busy
    fortnight): the thresholds are worked out once for ``now``, not for each publication.
    """
    steps = [(now - younger_than, now - every) for younger_than, every in METRICS_STEPS]  # newest first
    slow = now - METRICS_SLOW
    wanted = []
    for p in pubs:
        taken = last_taken(p.remote_id)
        if taken is not None:
            published, limit = p.published_at, slow
            for after, taken_by in steps:
                if published > after:  # younger than that step: read once its interval has passed
                    limit = taken_by
                    break
            if taken > limit:
                continue
        wanted.append(p.remote_id)
    return wanted
