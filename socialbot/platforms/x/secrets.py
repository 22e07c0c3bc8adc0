"""Keeps X credentials out of logs: tweepy, requests-oauthlib, oauthlib and urllib3 print tokens at DEBUG."""

from __future__ import annotations

import logging
import re

from socialbot.platforms.credentials import XCredentials

_SECRET_FIELD = re.compile(
    r"(?P<key>oauth_(?:token_secret|token|verifier|consumer_key|signature)|client_key|client_secret|"
    r"resource_owner_key|resource_owner_secret|verifier|Bearer)"
    r"(?P<sep>%3D|%253D|['\"]?\s*[:=]\s*['\"]?|\s+)(?P<value>[^\s'\"&,>%]{3,})"
)
_SCRUBBED_LOGGERS = (
    "tweepy.client",
    "tweepy.api",
    "tweepy.auth",
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth1_session",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "urllib3.connectionpool",
)


class _SecretScrubber(logging.Filter):
    """Masks credential values (and anything shaped like an OAuth token) in the SDKs' debug records."""

    def __init__(self) -> None:
        super().__init__()
        self.values: set[str] = set()

    def scrub(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***")
        return _SECRET_FIELD.sub(lambda m: f"{m['key']}{m['sep']}***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_scrubber = _SecretScrubber()


def protect(credentials: XCredentials) -> None:
    """Register an account's secrets and make sure every logger that could print them masks them."""
    for key in ("api_key", "api_secret", "access_token", "access_token_secret", "bearer_token"):
        secret = getattr(credentials, key)
        if secret is not None and len(secret.get_secret_value()) >= 3:
            _scrubber.values.add(secret.get_secret_value())
    for name in (*_SCRUBBED_LOGGERS, "socialbot.platforms.x"):
        logger = logging.getLogger(name)
        if _scrubber not in logger.filters:
            logger.addFilter(_scrubber)


def mask(*values: str | None) -> None:
    """Also mask these values (a PIN, freshly issued tokens)."""
    _scrubber.values.update(v for v in values if v and len(v) >= 3)
