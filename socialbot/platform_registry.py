"""Builds one platform adapter per (campaign, platform), shares rate budgets per account, meters usage and budgets."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from socialbot.domain.values import CAPABILITIES, X_CAPABILITIES
from socialbot.errors import ConfigError, RateLimited
from socialbot.platforms.base import Platform, RateBudget

if TYPE_CHECKING:
    from socialbot.app import App
    from socialbot.spec.loader import Campaign

log = logging.getLogger(__name__)

X_POST_ENDPOINTS = ("POST /2/tweets",)


class PlatformRegistry:
    """Adapters are per campaign so API usage is attributed exactly; rate budgets are per account."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._adapters: dict[tuple[str, str], Platform] = {}
        self._budgets: dict[tuple[str, str], RateBudget] = {}

    def get(self, campaign_id: str, platform: str) -> Platform:
        key = (campaign_id, platform)
        if key not in self._adapters:
            self._adapters[key] = self._build(self.app.campaigns[campaign_id], platform)
        return self._adapters[key]

    def forget(self, campaign_id: str) -> None:
        for key in [k for k in self._adapters if k[0] == campaign_id]:
            del self._adapters[key]

    def budget(self, platform: str, account: str) -> RateBudget:
        return self._budgets.setdefault((platform, account), RateBudget())

    def _build(self, campaign: Campaign, platform: str) -> Platform:
        settings = self.app.settings
        account = campaign.spec.campaign.account
        if platform == "sandbox" or self.app.sandbox:
            from socialbot.platforms.sandbox import SandboxPlatform
            from socialbot.storage.runtime import SandboxWorldStore

            return SandboxPlatform(
                world=SandboxWorldStore(self.app.engine, account=f"{account}:{platform}"),
                seed=settings.sandbox_seed,
                capabilities=CAPABILITIES.get(platform, X_CAPABILITIES),
                failure_rate=settings.sandbox_failure_rate,
                clock=self.app.clock,
                hashtags=campaign.spec.campaign.hashtags,
            )
        if platform == "x":
            from socialbot.platforms.credentials import x_credentials
            from socialbot.platforms.x import XPlatform

            creds = x_credentials(account)
            if creds.missing():
                raise ConfigError(
                    f"X account '{account}' is not configured: set {', '.join(creds.missing())} (see .env.example)"
                )
            adapter = XPlatform(
                credentials=creds,
                api_url=settings.x_api_url,
                upload_url=settings.x_upload_url,
                budget=self.budget("x", account),
            )
            adapter.usage.guard = lambda endpoint, pending: self.check_budget(
                campaign, "x", endpoint, now=self.app.clock(), pending=pending
            )
            return adapter
        if platform == "reddit":
            from socialbot import __version__
            from socialbot.platforms.credentials import reddit_credentials
            from socialbot.platforms.reddit import RedditPlatform, build_user_agent

            creds = reddit_credentials(account)
            if creds.missing():
                raise ConfigError(
                    f"Reddit account '{account}' is not configured: set {', '.join(creds.missing())} (see .env.example)"
                )
            subreddits = sorted({p.reddit.subreddit for p in campaign.spec.posts if p.reddit.subreddit})
            return RedditPlatform(
                credentials=creds,
                oauth_url=settings.reddit_oauth_url,
                reddit_url=settings.reddit_url,
                short_url=settings.reddit_short_url,
                user_agent=settings.reddit_user_agent
                or build_user_agent(username=creds.username or account, version=__version__),
                budget=self.budget("reddit", account),
                subreddits=subreddits,
            )
        raise ConfigError(f"unknown platform '{platform}'")

    def drain_usage(self, campaign_id: str, platform: str, *, now: datetime) -> None:
        adapter = self._adapters.get((campaign_id, platform))
        if adapter is None:
            return
        calls = adapter.usage.drain()
        if calls:
            from socialbot.storage.ingest import record_usage

            account = (
                self.app.campaigns[campaign_id].spec.campaign.account
                if campaign_id in self.app.campaigns
                else "default"
            )
            record_usage(
                self.app.engine,
                campaign_id=campaign_id,
                platform=platform,
                account=account,
                calls=calls,
                day=now.date(),
            )

    def _today(self, campaign_id: str, platform: str, *, now: datetime, pending: Mapping[str, int]) -> tuple[int, int]:
        """(posts, reads) today (UTC) for the campaign on the platform: stored usage plus calls not yet drained."""
        from socialbot.storage.ingest import usage_for

        calls: dict[str, int] = dict(pending)
        for row in usage_for(self.app.engine, campaign_id=campaign_id, day=now.date()):
            if row.platform == platform:
                calls[row.endpoint] = calls.get(row.endpoint, 0) + row.calls
        posts = sum(n for e, n in calls.items() if e in X_POST_ENDPOINTS)
        reads = sum(n for e, n in calls.items() if e.startswith("GET "))
        return posts, reads

    def check_budget(
        self,
        campaign: Campaign,
        platform: str,
        endpoint: str,
        *,
        now: datetime,
        pending: Mapping[str, int] | None = None,
    ) -> None:
        """Refuse an X call that would go past the campaign's x.max_posts_per_day / x.max_reads_per_day."""
        budget = campaign.spec.campaign.x
        if platform != "x" or (budget.max_posts_per_day is None and budget.max_reads_per_day is None):
            return
        posts, reads = self._today(campaign.id, platform, now=now, pending=pending or {})
        if endpoint in X_POST_ENDPOINTS and budget.max_posts_per_day is not None and posts >= budget.max_posts_per_day:
            raise RateLimited(
                f"daily X post budget of {budget.max_posts_per_day} reached (x.max_posts_per_day)",
                retry_after=_to_midnight(now),
            )
        if endpoint.startswith("GET ") and budget.max_reads_per_day is not None and reads >= budget.max_reads_per_day:
            raise RateLimited(
                f"daily X read budget of {budget.max_reads_per_day} calls reached (x.max_reads_per_day)",
                retry_after=_to_midnight(now),
            )


def _to_midnight(now: datetime) -> float:
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()
