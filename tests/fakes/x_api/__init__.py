"""A local, stateful stand-in of the X API v2 (plus v1.1 media upload and OAuth 1.0a) on 127.0.0.1 for the real tweepy."""

from .harness import Clock, XHarness
from .media import parse_multipart
from .oauth import form
from .protocol import JSON, LIMITS, SEARCH_DAYS, TWITTER_EPOCH_MS, WINDOW_SECONDS, ApiError, Fault, endpoint_of
from .server import XApiStandIn
from .world import XWorld

__all__ = [
    "JSON",
    "LIMITS",
    "SEARCH_DAYS",
    "TWITTER_EPOCH_MS",
    "WINDOW_SECONDS",
    "ApiError",
    "Clock",
    "Fault",
    "XApiStandIn",
    "XHarness",
    "XWorld",
    "endpoint_of",
    "form",
    "parse_multipart",
]
