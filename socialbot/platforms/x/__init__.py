"""X (Twitter) through tweepy: the only package that imports tweepy; see docs/platforms/x.md."""

from socialbot.platforms.x.auth import AccountCheck, check_account, pin_authorize
from socialbot.platforms.x.payloads import endpoint_name, snowflake_time
from socialbot.platforms.x.platform import XPlatform

__all__ = ["AccountCheck", "XPlatform", "check_account", "endpoint_name", "pin_authorize", "snowflake_time"]
