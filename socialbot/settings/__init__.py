"""Typed settings: CLI flag > environment > .env file > defaults (credentials live in platforms/credentials.py).

The .env half (``env_file``) imports no pydantic; ``Settings`` and ``load_settings`` are imported on
first use, so `status`, which needs only three values, never pays for pydantic-settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialbot.settings.env_file import (
    DEFAULT_CAMPAIGNS_DIR,
    DEFAULT_DATABASE_URL,
    DEFAULT_LOCK_STALE_SECONDS,
    ENV_FILE,
    ENV_FILE_MAX_BYTES,
    env_file_warning,
    env_value,
    read_env_file,
    setting_value,
)

if TYPE_CHECKING:
    from socialbot.settings.model import Settings, load_settings

__all__ = [
    "DEFAULT_CAMPAIGNS_DIR",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_LOCK_STALE_SECONDS",
    "ENV_FILE",
    "ENV_FILE_MAX_BYTES",
    "Settings",
    "env_file_warning",
    "env_value",
    "load_settings",
    "read_env_file",
    "setting_value",
]


def __getattr__(name: str) -> Any:
    if name in ("Settings", "load_settings"):
        from socialbot.settings import model

        return getattr(model, name)
    raise AttributeError(f"module 'socialbot.settings' has no attribute {name!r}")
