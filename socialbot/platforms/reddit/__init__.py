"""Reddit through praw: the only package that imports praw and prawcore; see docs/platforms/reddit.md."""

from socialbot.platforms.reddit.auth import SCOPES, AccountCheck, check_account, code_flow
from socialbot.platforms.reddit.errors import parse_ratelimit_message
from socialbot.platforms.reddit.platform import RedditPlatform, build_user_agent

__all__ = [
    "SCOPES",
    "AccountCheck",
    "RedditPlatform",
    "build_user_agent",
    "check_account",
    "code_flow",
    "parse_ratelimit_message",
]
