"""Builds one adapter per (campaign, platform) from settings and a campaign lookup; rate budgets are per account."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from socialbot import __version__
from socialbot.domain.values import CAPABILITIES, X_CAPABILITIES, CallKind
from socialbot.errors import ConfigError
from socialbot.platforms.base import Platform, RateBudget
from socialbot.platforms.credentials import reddit_credentials, x_credentials
from socialbot.platforms.sandbox.platform import SandboxPlatform, SandboxWorld
from socialbot.platforms.sandbox.platform import call_kind as sandbox_call_kind
from socialbot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountUse:
    """What the registry needs to know of a campaign to build its adapters."""

    campaign_id: str
    account: str  # the credentials profile
    subreddits: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()


class PlatformRegistry:
    """Adapters are per campaign so API usage is attributed exactly; rate budgets are shared per account.

    ``lookup`` gives the account use of a campaign id; ``sandbox_world`` gives the stored world of a
    sandbox account; ``on_build`` is told of every new adapter (the app hangs its budget guard there).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        lookup: Callable[[str], AccountUse],
        sandbox_world: Callable[[str], SandboxWorld],
        clock: Callable[[], datetime],
        sandbox: bool = False,
        on_build: Callable[[AccountUse, str, Platform], None] | None = None,
    ) -> None:
        self.settings = settings
        self.sandbox = sandbox
        self._lookup = lookup
        self._world = sandbox_world
        self._clock = clock
        self._on_build = on_build
        self._adapters: dict[tuple[str, str], Platform] = {}
        self._budgets: dict[tuple[str, str], RateBudget] = {}

    def get(self, campaign_id: str, platform: str) -> Platform:
        key = (campaign_id, platform)
        if key not in self._adapters:
            use = self._lookup(campaign_id)
            adapter = self._build(use, platform)
            if self._on_build is not None:
                self._on_build(use, platform, adapter)
            self._adapters[key] = adapter
        return self._adapters[key]

    def built(self, campaign_id: str, platform: str) -> Platform | None:
        """The adapter if one was built (never builds one)."""
        return self._adapters.get((campaign_id, platform))

    def forget(self, campaign_id: str) -> None:
        """Drop a campaign's adapters: they are rebuilt (fresh credentials, account, subreddits) on next use."""
        for key in [k for k in self._adapters if k[0] == campaign_id]:
            del self._adapters[key]

    def budget(self, platform: str, account: str) -> RateBudget:
        key = (platform, account)
        if key not in self._budgets:
            self._budgets[key] = RateBudget(clock=self._epoch)
        return self._budgets[key]

    def _epoch(self) -> float:
        """The app's clock as epoch seconds (rate-limit resets are epoch times)."""
        return self._clock().timestamp()

    def call_kind(self, platform: str, endpoint: str) -> CallKind:
        """How the adapter serving ``platform`` classifies ``endpoint`` (for daily budgets)."""
        if platform == "sandbox" or self.sandbox:
            return sandbox_call_kind(endpoint)
        if platform == "x":
            from socialbot.platforms.x.payloads import call_kind

            return call_kind(endpoint)
        if platform == "reddit":
            from socialbot.platforms.reddit.transport import call_kind as reddit_call_kind

            return reddit_call_kind(endpoint)
        return CallKind.OTHER

    def _build(self, use: AccountUse, platform: str) -> Platform:
        settings = self.settings
        account = use.account
        if platform == "sandbox" or self.sandbox:
            return SandboxPlatform(
                world=self._world(f"{account}:{platform}"),
                seed=settings.sandbox_seed,
                capabilities=CAPABILITIES.get(platform, X_CAPABILITIES),
                failure_rate=settings.sandbox_failure_rate,
                clock=self._clock,
                hashtags=use.hashtags,
            )
        if platform == "x":
            from socialbot.platforms.x import XPlatform  # tweepy is imported only when an X account is used

            x_creds = x_credentials(account)
            if x_creds.missing():
                raise ConfigError(
                    f"X account '{account}' is not configured: set {', '.join(x_creds.missing())} (see .env.example)"
                )
            return XPlatform(
                credentials=x_creds,
                api_url=settings.x_api_url,
                upload_url=settings.x_upload_url,
                budget=self.budget("x", account),
                clock=self._epoch,
            )
        if platform == "reddit":
            from socialbot.platforms.reddit import RedditPlatform, build_user_agent

            r_creds = reddit_credentials(account)
            if r_creds.missing():
                raise ConfigError(
                    f"Reddit account '{account}' is not configured: set {', '.join(r_creds.missing())} (see .env.example)"
                )
            return RedditPlatform(
                credentials=r_creds,
                oauth_url=settings.reddit_oauth_url,
                reddit_url=settings.reddit_url,
                short_url=settings.reddit_short_url,
                user_agent=settings.reddit_user_agent
                or build_user_agent(username=r_creds.username or account, version=__version__),
                budget=self.budget("reddit", account),
                subreddits=use.subreddits,
                clock=self._epoch,
            )
        raise ConfigError(f"unknown platform '{platform}'")
