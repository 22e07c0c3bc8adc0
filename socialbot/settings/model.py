"""Typed settings: CLI flag > environment > .env file > defaults (credentials live in platforms/credentials.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialbot.errors import ConfigError
from socialbot.settings.env_file import (
    DEFAULT_CAMPAIGNS_DIR,
    DEFAULT_DATABASE_URL,
    DEFAULT_LOCK_STALE_SECONDS,
    read_env_file,
)


class Settings(BaseSettings):
    """Everything configurable, read from ``SOCIALBOT_*`` variables or ``.env``; see .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="SOCIALBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the database.")
    campaigns_dir: Path = Field(DEFAULT_CAMPAIGNS_DIR, description="Directory of campaign YAML files.")
    media_root: Path | None = Field(
        None,
        description="A folder media files may also come from, besides each campaign file's own folder.",
    )
    log_format: Literal["text", "json"] = Field("text", description="Daemon log format.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    sandbox_seed: int = Field(42, description="Seed of the sandbox platform's simulated audience.")
    sandbox_failure_rate: float = Field(0.0, ge=0.0, le=0.9, description="Share of sandbox calls that fail.")
    rescan_seconds: int = Field(30, ge=1, description="How often the daemon re-reads the campaigns directory.")
    lock_stale_seconds: int = Field(
        DEFAULT_LOCK_STALE_SECONDS,
        ge=3,
        description="Seconds without a heartbeat after which another daemon may take over the lock.",
    )
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
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}  # pydantic validates them
    read_env_file()  # pydantic-settings would hang on a FIFO .env and fail on one that is not UTF-8: refuse them first
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "SOCIALBOT_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid settings:\n  " + "\n  ".join(lines)) from None
