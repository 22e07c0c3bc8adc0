"""Accounts: the checks of `socialbot doctor` and the sign-in flows of `socialbot auth`, over the platform adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from socialbot.app.credentials import CredentialGap, credential_gaps
from socialbot.app.loading import load_files
from socialbot.platforms.credentials import configured_profiles, reddit_credentials, x_credentials
from socialbot.settings import Settings


@dataclass(frozen=True)
class AccountStatus:
    platform: str
    profile: str
    ok: bool
    detail: str


def check_all(settings: Settings) -> list[AccountStatus]:
    """Every configured account, checked with one cheap authenticated call (never printing a secret)."""
    out: list[AccountStatus] = []
    for profile in configured_profiles("x"):
        creds = x_credentials(profile)
        if creds.missing():
            out.append(AccountStatus("x", profile, False, f"missing {', '.join(creds.missing())}"))
            continue
        from socialbot.platforms.x import check_account

        result = check_account(creds, api_url=settings.x_api_url)
        out.append(AccountStatus("x", profile, result.ok, f"@{result.username}" if result.ok else str(result.problem)))
    for profile in configured_profiles("reddit"):
        reddit_creds = reddit_credentials(profile)
        if reddit_creds.missing():
            out.append(AccountStatus("reddit", profile, False, f"missing {', '.join(reddit_creds.missing())}"))
            continue
        from socialbot import __version__
        from socialbot.platforms.reddit import build_user_agent
        from socialbot.platforms.reddit import check_account as check_reddit_account

        checked = check_reddit_account(
            reddit_creds,
            oauth_url=settings.reddit_oauth_url,
            reddit_url=settings.reddit_url,
            user_agent=settings.reddit_user_agent
            or build_user_agent(username=reddit_creds.username or profile, version=__version__),
        )
        out.append(
            AccountStatus(
                "reddit", profile, checked.ok, f"u/{checked.username}" if checked.ok else str(checked.problem)
            )
        )
    return out


def campaign_gaps(settings: Settings) -> list[CredentialGap]:
    """The campaigns in the campaigns directory that need account profiles not configured yet."""
    if not settings.campaigns_dir.is_dir():
        return []
    loaded = load_files([settings.campaigns_dir])
    return credential_gaps((c.id, c.spec.campaign.account, c.spec.campaign.platforms) for c in loaded.campaigns)


def authorize_x(settings: Settings, *, profile: str, prompt: Callable[[str], str]) -> dict[str, str]:
    from socialbot.platforms.x import pin_authorize

    return pin_authorize(x_credentials(profile), api_url=settings.x_api_url, prompt_pin=prompt)


def authorize_reddit(settings: Settings, *, profile: str, port: int, show: Callable[[str], None]) -> dict[str, str]:
    from socialbot import __version__
    from socialbot.platforms.reddit import build_user_agent, code_flow

    creds = reddit_credentials(profile)
    return code_flow(
        creds,
        redirect_port=port,
        user_agent=settings.reddit_user_agent
        or build_user_agent(username=creds.username or profile, version=__version__),
        show_url=show,
        reddit_url=settings.reddit_url,
        oauth_url=settings.reddit_oauth_url,
    )
