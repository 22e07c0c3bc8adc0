"""`socialbot plan` as a typed value: what will go out where and when over a window, and the API calls it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from socialbot.app.estimate import ApiEstimate, estimate_campaign
from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import Skipped, localize
from socialbot.errors import Problem
from socialbot.settings import Settings
from socialbot.spec.actions import window_filter
from socialbot.spec.campaign import LoadResult


@dataclass(frozen=True)
class PlanView:
    days: int
    actions: list[PlannedAction] = field(default_factory=list)
    skipped: list[tuple[str, Skipped]] = field(default_factory=list)
    estimates: list[ApiEstimate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def plan_view(
    loaded: LoadResult, *, settings: Settings, days: int, first_day: datetime | None, now: datetime
) -> PlanView:
    """The timeline of every loaded campaign from ``first_day`` (local; default today or its start) for ``days``.

    Each campaign's compiled plan (from load) is reused: nothing is expanded or rendered again.
    """
    actions: list[PlannedAction] = []
    skipped: list[tuple[str, Skipped]] = []
    estimates: list[ApiEstimate] = []
    for campaign in loaded.campaigns:
        header = campaign.spec.campaign
        begin = (
            localize(first_day, header.tz).astimezone(UTC)
            if first_day
            else max(now, localize(header.window()[0], header.tz).astimezone(UTC))
        )
        compiled = campaign.compiled
        actions.extend(window_filter(compiled.actions, start=begin, end=begin + timedelta(days=days)))
        skipped.extend(s for s in compiled.skipped if localize(s[1].scheduled, header.tz) >= begin)
        estimates.extend(estimate_campaign(campaign, compiled.actions, settings=settings))
    actions.sort(key=lambda a: a.due_at)
    return PlanView(
        days=days,
        actions=actions,
        skipped=skipped,
        estimates=estimates,
        problems=list(loaded.problems),
        warnings=list(loaded.warnings),
    )
