"""A local, stateful Reddit API stand-in on 127.0.0.1 that the real praw client talks to (token + OAuth API)."""

from .clients import credentials_for, platform_for
from .server import RedditApiStandIn, endpoint_key
from .world import RATELIMIT_MESSAGE, RedditWorld

__all__ = ["RATELIMIT_MESSAGE", "RedditApiStandIn", "RedditWorld", "credentials_for", "endpoint_key", "platform_for"]
