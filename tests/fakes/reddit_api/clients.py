"""Real socialbot clients pointed at the Reddit stand-in: ``credentials_for`` and ``platform_for``."""

from __future__ import annotations

from typing import Any

from .server import RedditApiStandIn


def credentials_for(standin: RedditApiStandIn, *, profile: str = "default", refresh_token: str | None = None):
    """Script-app credentials (or refresh-token ones) that log in to ``standin``."""
    from pydantic import SecretStr

    from socialbot.platforms.credentials import RedditCredentials

    return RedditCredentials(
        profile=profile,
        client_id=SecretStr(standin.client_id),
        client_secret=SecretStr(standin.client_secret) if standin.client_secret else None,
        username=None if refresh_token else standin.username,
        password=None if refresh_token else SecretStr(standin._passwords[standin.username]),
        refresh_token=SecretStr(refresh_token) if refresh_token else None,
    )


def platform_for(standin: RedditApiStandIn, **options: Any):
    """A real ``RedditPlatform`` (real praw) pointed at ``standin``."""
    from socialbot.platforms.reddit import RedditPlatform

    options.setdefault("credentials", credentials_for(standin))
    options.setdefault("timeout", 5.0)
    return RedditPlatform(
        oauth_url=standin.base_url,
        reddit_url=standin.base_url,
        short_url=standin.base_url,
        user_agent="python:socialbot:tests (by /u/socialbot_test)",
        **options,
    )
