"""Per-profile X and Reddit credentials from the environment or .env: which variables, which are missing; secrets stay SecretStr."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from pydantic import SecretStr

from socialbot.errors import ConfigError
from socialbot.settings.env_file import env_value, read_env_file

PROFILE_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def credential_var(platform: str, profile: str, key: str) -> str:
    """The environment variable holding one credential, e.g. SOCIALBOT_X_BRAND_API_KEY."""
    middle = "" if profile == "default" else f"{profile.upper()}_"
    return f"SOCIALBOT_{platform.upper()}_{middle}{key.upper()}"


def _secret(platform: str, profile: str, key: str) -> SecretStr | None:
    value = env_value(credential_var(platform, profile, key))
    return SecretStr(value) if value else None


@dataclass(frozen=True)
class XCredentials:
    """One X account: OAuth 1.0a user context for posting, optional bearer token for app-only reads."""

    profile: str
    api_key: SecretStr | None
    api_secret: SecretStr | None
    access_token: SecretStr | None
    access_token_secret: SecretStr | None
    bearer_token: SecretStr | None

    def missing(self) -> list[str]:
        """Variables to set before this account can post."""
        keys = ("api_key", "api_secret", "access_token", "access_token_secret")
        return [credential_var("x", self.profile, k) for k in keys if getattr(self, k) is None]


@dataclass(frozen=True)
class RedditCredentials:
    """One Reddit account: a script app (username/password) or an installed/web app with a refresh token."""

    profile: str
    client_id: SecretStr | None
    client_secret: SecretStr | None
    username: str | None
    password: SecretStr | None
    refresh_token: SecretStr | None

    def missing(self) -> list[str]:
        """Variables to set before this account can be used."""
        need = []
        if self.client_id is None:
            need.append(credential_var("reddit", self.profile, "client_id"))
        if self.refresh_token is None:
            for key in ("client_secret", "username", "password"):
                if getattr(self, key) is None:
                    need.append(credential_var("reddit", self.profile, key))
        return need


def _check_profile(profile: str) -> None:
    if not PROFILE_RE.match(profile):
        raise ConfigError(f"account profile {profile!r} must be lower-case letters, digits and _ (e.g. 'brand')")


def x_credentials(profile: str = "default") -> XCredentials:
    _check_profile(profile)
    return XCredentials(
        profile=profile,
        **{
            k: _secret("x", profile, k)
            for k in ("api_key", "api_secret", "access_token", "access_token_secret", "bearer_token")
        },
    )


def reddit_credentials(profile: str = "default") -> RedditCredentials:
    _check_profile(profile)
    return RedditCredentials(
        profile=profile,
        client_id=_secret("reddit", profile, "client_id"),
        client_secret=_secret("reddit", profile, "client_secret"),
        username=env_value(credential_var("reddit", profile, "username")),
        password=_secret("reddit", profile, "password"),
        refresh_token=_secret("reddit", profile, "refresh_token"),
    )


def configured_profiles(platform: str) -> list[str]:
    """Profiles with at least one credential variable set, for `socialbot doctor`."""
    names: set[str] = set()
    prefix = f"SOCIALBOT_{platform.upper()}_"
    keys = (
        ("API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET", "BEARER_TOKEN")
        if platform == "x"
        else ("CLIENT_ID", "CLIENT_SECRET", "USERNAME", "PASSWORD", "REFRESH_TOKEN")
    )
    candidates = {k for k, v in os.environ.items() if v}  # an empty line in .env is "not configured"
    candidates |= {k for k, v in read_env_file().items() if v}
    for var in candidates:
        if not var.startswith(prefix):
            continue
        rest = var[len(prefix) :]
        for key in keys:
            if rest == key:
                names.add("default")
            elif rest.endswith("_" + key):
                profile = rest[: -len(key) - 1].lower()
                if PROFILE_RE.match(profile):
                    names.add(profile)
    return sorted(names)
