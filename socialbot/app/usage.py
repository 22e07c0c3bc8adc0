"""API usage: calls metered per campaign, platform and endpoint, and the campaign's daily X budgets enforced."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from socialbot.domain.clock import Clock
from socialbot.domain.values import CallKind
from socialbot.errors import RateLimited
from socialbot.platforms.base import Platform
from socialbot.platforms.registry import PlatformRegistry
from socialbot.spec.campaign import Campaign
from socialbot.storage.db import Connection, Engine
from socialbot.storage.usage import record_usage, usage_for

log = logging.getLogger(__name__)


class UsageBudgets:
    """Drains each adapter's call meter into the usage table; refuses calls past ``x.max_*_per_day``."""

    def __init__(
        self, *, engine: Engine, platforms: PlatformRegistry, campaign: Callable[[str], Campaign], clock: Clock
    ) -> None:
        self._engine = engine
        self._platforms = platforms
        self._campaign = campaign
        self._clock = clock

    def install_guard(self, campaign_id: str, platform: str, adapter: Platform) -> None:
        """Each counted call is checked first, with the calls not yet drained (so a long collection stops in time)."""
        adapter.usage.guard = lambda endpoint, pending: self.check(
            campaign_id, platform, self._platforms.call_kind(platform, endpoint), now=self._clock(), pending=pending
        )

    def drain(self, campaign_id: str, platform: str, *, now: datetime, db: Engine | Connection | None = None) -> None:
        """Record what the campaign's adapter called since the last drain (in ``db``'s transaction when given)."""
        adapter = self._platforms.built(campaign_id, platform)
        if adapter is None:
            return
        calls = adapter.usage.drain()
        if not calls:
            return
        try:
            account = self._campaign(campaign_id).spec.campaign.account
        except Exception:  # the campaign was retired meanwhile: its calls still count
            account = "default"
        record_usage(
            db if db is not None else self._engine,
            campaign_id=campaign_id,
            platform=platform,
            account=account,
            calls=calls,
            day=now.date(),
        )

    def today(
        self, campaign_id: str, platform: str, *, now: datetime, pending: Mapping[str, int] | None = None
    ) -> dict[CallKind, int]:
        """Calls today (UTC) by kind: stored usage plus calls not yet drained."""
        calls: dict[str, int] = dict(pending or {})
        for row in usage_for(self._engine, campaign_id=campaign_id, day=now.date()):
            if row.platform == platform:
                calls[row.endpoint] = calls.get(row.endpoint, 0) + row.calls
        out = dict.fromkeys(CallKind, 0)
        for endpoint, n in calls.items():
            out[self._platforms.call_kind(platform, endpoint)] += n
        return out

    def check(
        self,
        campaign_id: str,
        platform: str,
        kind: CallKind,
        *,
        now: datetime,
        pending: Mapping[str, int] | None = None,
    ) -> None:
        """Refuse an X call that would go past the campaign's x.max_posts_per_day / x.max_reads_per_day."""
        budget = self._campaign(campaign_id).spec.campaign.x
        if platform != "x" or kind == CallKind.OTHER:
            return
        cap = budget.max_posts_per_day if kind == CallKind.PUBLISH else budget.max_reads_per_day
        if cap is None:
            return
        used = self.today(campaign_id, platform, now=now, pending=pending)[kind]
        if used >= cap:
            what, key = ("post", "x.max_posts_per_day") if kind == CallKind.PUBLISH else ("read", "x.max_reads_per_day")
            unit = "" if kind == CallKind.PUBLISH else " calls"
            raise RateLimited(f"daily X {what} budget of {cap}{unit} reached ({key})", retry_after=until_midnight(now))


def until_midnight(now: datetime) -> float:
    """Seconds until the next UTC midnight, when daily budgets start again."""
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()
