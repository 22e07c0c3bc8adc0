"""Typed settings and per-profile credentials: CLI flag > environment > .env file > defaults; secrets stay SecretStr."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialbot.errors import ConfigError

PROFILE_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class Settings(BaseSettings):
    """Everything configurable, read from ``SOCIALBOT_*`` variables or ``.env``; see .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="SOCIALBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = Field("sqlite:///socialbot.db", description="SQLAlchemy URL of the database.")
    campaigns_dir: Path = Field(Path("campaigns"), description="Directory of campaign YAML files.")
    log_format: Literal["text", "json"] = Field("text", description="Daemon log format.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    sandbox_seed: int = Field(42, description="Seed of the sandbox platform's simulated audience.")
    sandbox_failure_rate: float = Field(0.0, ge=0.0, le=0.9, description="Share of sandbox calls that fail.")
    rescan_seconds: int = Field(30, ge=1, description="How often the daemon re-reads the campaigns directory.")
    collect_grace_days: int = Field(7, ge=0, description="Days after a campaign ends during which collection goes on.")
    x_api_url: str = Field("https://api.twitter.com", description="Base URL of the X API (a proxy or stand-in).")
    x_upload_url: str = Field("https://upload.twitter.com", description="Base URL of X media upload.")
    x_price_read: float = Field(0.005, ge=0, description="USD per X post read (pay-per-use).")
    x_price_post: float = Field(0.01, ge=0, description="USD per X post created (pay-per-use).")
    x_price_user: float = Field(0.01, ge=0, description="USD per X user profile read (pay-per-use).")
    reddit_oauth_url: str = Field("https://oauth.reddit.com", description="Reddit OAuth API base URL.")
    reddit_url: str = Field("https://www.reddit.com", description="Reddit base URL (token endpoint).")
    reddit_short_url: str = Field("https://redd.it", description="Reddit short-link base URL.")
    reddit_user_agent: str | None = Field(None, description="Overrides the built Reddit user agent.")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and .env, with CLI overrides (None means "not given")."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "SOCIALBOT_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid settings:\n  " + "\n  ".join(lines)) from None


def _env(name: str) -> str | None:
    """A variable from the environment, else from .env (never printed)."""
    value = os.environ.get(name)
    if value is None and Path(".env").is_file():
        from dotenv import dotenv_values

        value = dotenv_values(".env").get(name)
    return value or None


def credential_var(platform: str, profile: str, key: str) -> str:
    """The environment variable holding one credential, e.g. SOCIALBOT_X_BRAND_API_KEY."""
    middle = "" if profile == "default" else f"{profile.upper()}_"
    return f"SOCIALBOT_{platform.upper()}_{middle}{key.upper()}"


def _secret(platform: str, profile: str, key: str) -> SecretStr | None:
    value = _env(credential_var(platform, profile, key))
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
        username=_env(credential_var("reddit", profile, "username")),
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
    if Path(".env").is_file():
        from dotenv import dotenv_values

        candidates |= {k for k, v in dotenv_values(".env").items() if v}
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
