"""The wire vocabulary shared by every part of the X stand-in: limits, endpoint names, timestamps, faults, errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

TWITTER_EPOCH_MS = 1288834974657
WINDOW_SECONDS = 900
SEARCH_DAYS = 7
LIMITS = {  # requests per 15-minute window, as documented for the Basic tier / seen in recorded headers
    "POST /2/tweets": 200,
    "DELETE /2/tweets/:id": 50,
    "GET /2/tweets/search/recent": 450,
    "GET /2/tweets/search/all": 300,
    "GET /2/users/:id/mentions": 450,
    "GET /2/users/:id/tweets": 900,
    "GET /2/tweets/:id/liking_users": 75,
    "GET /2/tweets/:id/retweeted_by": 75,
    "GET /2/tweets/:id/quote_tweets": 75,
    "GET /2/tweets": 300,
    "GET /2/tweets/:id": 300,
    "GET /2/users": 300,
    "GET /2/users/me": 75,
}
_ID = re.compile(r"/\d{3,}(?=/|$)")
_PROBLEM = "https://api.twitter.com/2/problems/"
JSON = "application/json; charset=utf-8"


def endpoint_of(method: str, path: str) -> str:
    """``GET /2/tweets/:id/liking_users`` for ``GET /2/tweets/123/liking_users``."""
    return f"{method} {_ID.sub('/:id', path.rstrip('/') or '/')}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"


def _parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclass
class Fault:
    """One injected failure: ``kind`` is "status", "timeout", "disconnect" or "malformed"."""

    kind: str = "status"
    status: int = 503
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class ApiError(Exception):
    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _invalid(message: str, **parameters: list[str]) -> ApiError:
    return ApiError(
        400,
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": f"{_PROBLEM}invalid-request",
        },
    )


def _set(value: str | None) -> set[str]:
    return set(filter(None, (value or "").split(",")))
