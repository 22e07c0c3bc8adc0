"""X (Twitter) through tweepy: the only package that imports tweepy; see docs/platforms/x.md.

The names below are imported when first used, so reading a payload module (``payloads``: pure
parsing, endpoint classes) does not import tweepy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialbot.platforms.x.auth import AccountCheck, check_account, pin_authorize
    from socialbot.platforms.x.payloads import endpoint_name, snowflake_time
    from socialbot.platforms.x.platform import XPlatform

__all__ = ["AccountCheck", "XPlatform", "check_account", "endpoint_name", "pin_authorize", "snowflake_time"]

_HOMES = {
    "AccountCheck": "auth",
    "check_account": "auth",
    "pin_authorize": "auth",
    "endpoint_name": "payloads",
    "snowflake_time": "payloads",
    "XPlatform": "platform",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'socialbot.platforms.x' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"socialbot.platforms.x.{home}"), name)
