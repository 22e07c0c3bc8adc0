"""Which campaigns need credentials that are not configured: found at load, not when a post is due."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from socialbot.errors import ConfigError
from socialbot.platforms.credentials import reddit_credentials, x_credentials

REAL_PLATFORMS = ("x", "reddit")


@dataclass(frozen=True)
class CredentialGap:
    """A campaign's account profile has no usable credentials on some of its platforms."""

    campaign_id: str
    account: str
    platforms: tuple[str, ...]
    missing: tuple[tuple[str, ...], ...]  # per platform, the variables to set

    def __str__(self) -> str:
        return self.describe(then="then `socialbot doctor`")

    def describe(self, *, then: str = "") -> str:
        """The gap and the variables to set; ``then`` is the step after setting them (none inside doctor)."""
        shown = " and ".join(", ".join(names[:2]) + (", …" if len(names) > 2 else "") for names in self.missing)
        after = f", {then}" if then else ""
        return (
            f"campaign {self.campaign_id} needs account profile '{self.account}' on {' and '.join(self.platforms)}: "
            f"not configured (set {shown}; see .env.example{after})"
        )


def missing_for(platform: str, account: str) -> list[str]:
    """The variables to set before ``account`` can be used on ``platform`` (empty when configured)."""
    try:
        creds = x_credentials(account) if platform == "x" else reddit_credentials(account)
    except ConfigError as exc:
        return [str(exc)]
    return creds.missing()


def credential_gaps(uses: Iterable[tuple[str, str, Sequence[str]]]) -> list[CredentialGap]:
    """For each (campaign id, account, platforms): the real platforms it cannot use yet, with what to set."""
    gaps = []
    for campaign_id, account, platforms in uses:
        lacking: list[str] = []
        missing: list[tuple[str, ...]] = []
        for platform in platforms:
            if platform not in REAL_PLATFORMS:
                continue
            need = missing_for(platform, account)
            if need:
                lacking.append(platform)
                missing.append(tuple(need))
        if lacking:
            gaps.append(CredentialGap(campaign_id, account, tuple(lacking), tuple(missing)))
    return gaps
