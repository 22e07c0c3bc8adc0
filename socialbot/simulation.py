"""Rehearses campaigns on the sandbox with a virtual clock: the same use cases as the daemon, in seconds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from socialbot.app import RECONCILE_AFTER, App
from socialbot.domain.cadence import METRICS_EVERY, collect_interval
from socialbot.domain.ledger import Status
from socialbot.errors import CampaignError, PlatformError
from socialbot.settings import Settings
from socialbot.storage import repositories as repo

log = logging.getLogger(__name__)

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class VirtualClock:
    """Time that only moves when the simulation says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SimulationResult:
    campaign_ids: list[str]
    started: datetime
    ended: datetime
    steps: int = 0
    sent: int = 0
    missed: int = 0
    failed: int = 0
    interactions: int = 0
    parked: int = 0
    notes: list[str] = field(default_factory=list)


def simulate(
    settings: Settings,
    paths: Sequence[Path],
    *,
    days: float | None = None,
    progress: Callable[[datetime, SimulationResult], None] | None = None,
) -> tuple[App, SimulationResult]:
    """Run every campaign in ``paths`` on sandboxes (each platform emulated with its own capabilities).

    The clock jumps from one event to the next (a due post, a parked retry, a collection), so two
    weeks take seconds. Returns the app (for reporting) and a summary.
    """
    loaded = App(settings, sandbox=True).load(paths)
    loaded.raise_for_problems()
    if not loaded.campaigns:
        raise CampaignError([])
    starts = []
    ends = []
    for c in loaded.campaigns:
        from socialbot.domain.planning import localize

        s, e = c.spec.campaign.window()
        starts.append(localize(s, c.spec.campaign.tz).astimezone(UTC))
        ends.append(localize(e, c.spec.campaign.tz).astimezone(UTC))
    start = min(starts)
    end = start + timedelta(days=days) if days is not None else max(ends) + timedelta(days=2)
    clock = VirtualClock(start - timedelta(minutes=1))
    app = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    app.migrate()
    app.sync(loaded.campaigns, now=clock.now)
    app.recover_in_flight(now=clock.now)
    result = SimulationResult([c.id for c in loaded.campaigns], start, end)
    grace = timedelta(days=settings.collect_grace_days)
    next_collect: dict[tuple[str, str], datetime] = {}
    last_metrics: dict[tuple[str, str], datetime] = {}
    campaign_end = dict(zip(result.campaign_ids, ends, strict=True))
    day_marker = clock.now.date()
    ids = result.campaign_ids
    wake = repo.next_wake(app.engine, campaign_ids=ids)
    unconfirmed = 0
    newest: dict[tuple[str, str], datetime | None] = {}
    while clock.now <= end:
        now = clock.now
        if wake is not None and now >= wake:
            report = app.publish_due(now=now)
            result.sent += report.sent
            result.missed += report.missed
            result.failed += report.failed
            result.parked += report.parked
            unconfirmed += report.unconfirmed
            if report.sent or report.unconfirmed:
                for key in next_collect:
                    next_collect[key] = min(next_collect[key], now + timedelta(minutes=2))
            wake = repo.next_wake(app.engine, campaign_ids=ids)
        if unconfirmed:
            settled = app.reconcile(now=now)
            result.sent += settled["confirmed"]  # went out, answer lost, found among our own posts
            unconfirmed = repo.count_with_status(app.engine, Status.UNCONFIRMED, campaign_ids=ids)
            if settled["requeued"]:
                wake = repo.next_wake(app.engine, campaign_ids=ids)
        for cid, platform in app.collection_targets():
            key = (cid, platform)
            if now < next_collect.get(key, now):
                continue
            interval = collect_interval(
                newest_publication=newest.get(key), now=now, campaign_ends=campaign_end[cid], grace=grace
            )
            if interval is None:
                next_collect[key] = FAR_FUTURE
                continue
            try:
                with_metrics = now - last_metrics.get(key, now - METRICS_EVERY) >= METRICS_EVERY
                collected = app.collect(cid, platform, now=now, metrics=with_metrics)
                if with_metrics:
                    last_metrics[key] = now
                newest[key] = collected.newest_publication
                interval = collect_interval(
                    newest_publication=newest[key], now=now, campaign_ends=campaign_end[cid], grace=grace
                )
                result.interactions += collected.new_interactions
                result.notes.extend(n for n in collected.notes if n not in result.notes)
                next_collect[key] = now + interval if interval else FAR_FUTURE
            except PlatformError as exc:  # the daemon's guard does the same: park, try again later
                retry = getattr(exc, "retry_after", 60.0)
                next_collect[key] = now + timedelta(seconds=max(retry, 30))
        result.steps += 1
        if progress and now.date() != day_marker:
            day_marker = now.date()
            progress(now, result)
        candidates = [t for t in (*next_collect.values(), wake) if t is not None and t < FAR_FUTURE]
        if unconfirmed:
            candidates.append(now + RECONCILE_AFTER)
        if not candidates or min(candidates) > end:
            break
        clock.now = max(min(candidates), now + timedelta(seconds=1))
    return app, result
