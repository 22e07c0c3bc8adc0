"""Reddit transport: prawcore's HTTP layer with our metering, rate budget and error classification (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import prawcore
import requests

from socialbot.domain.values import CallKind
from socialbot.errors import AuthError, ContentRejected, OutcomeUnknown, RateLimited, TransientPlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import RedditCredentials
from socialbot.platforms.reddit.errors import auth_problem

WINDOW = "reddit"  # Reddit has one rate-limit window per OAuth client + account, shared by every endpoint
_RATELIMIT_HEADERS = ("x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset")
_SIDE_EFFECTS = {"/api/submit", "/api/submit_poll_post", "/api/comment"}  # a lost answer leaves the outcome unknown


def endpoint_of(method: str, url: str) -> str:
    """A stable endpoint name for metering: ``GET /comments/{id}``, ``POST /api/submit``, ``GET /r/{sub}/new``."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and parts[-1].endswith(".json"):
        parts[-1] = parts[-1][: -len(".json")]
    if parts[:1] == ["comments"]:
        parts = ["comments", "{id}"]
    elif parts[:1] == ["r"] and len(parts) > 1:
        parts[1] = "{sub}"
    elif parts[:1] == ["user"] and len(parts) > 1:
        parts[1] = "{name}"
    return f"{method.upper()} /{'/'.join(parts)}"


class Transport(prawcore.Requestor):
    """prawcore's HTTP layer with our metering, budget and error classification (no retries, no sleeps)."""

    def __init__(
        self,
        *,
        budget: RateBudget,
        usage: UsageMeter,
        clock: Callable[[], float],
        credentials: RedditCredentials,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.budget, self.usage, self.clock, self.credentials = budget, usage, clock, credentials

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        """``request(method, url, **options)``, as prawcore calls it; the timeout is always ``self.timeout``."""
        method: str
        url: str
        method, url = args  # the base class's signature; prawcore passes exactly these two positionally
        endpoint = endpoint_of(method, url)
        path = endpoint.split(" ", 1)[1]
        p = self
        p.budget.check(WINDOW)
        p.budget.check(path)
        p.usage.count(endpoint)
        try:
            response = self._http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            never_sent = isinstance(exc, requests.ConnectTimeout) or "NewConnectionError" in repr(exc)
            if method.upper() == "POST" and path in _SIDE_EFFECTS and not never_sent:
                raise OutcomeUnknown(
                    f"Reddit did not answer {endpoint} ({type(exc).__name__}); it may have taken effect"
                ) from exc
            raise TransientPlatformError(f"Reddit unreachable on {endpoint} ({type(exc).__name__})") from exc
        self._read_headers(response)
        status = response.status_code
        if status == 429:
            retry_after = number(response.headers.get("retry-after")) or number(
                response.headers.get("x-ratelimit-reset")
            )
            retry_after = retry_after or 60.0
            p.budget.exhausted(WINDOW, reset_at=p.clock() + retry_after)
            raise RateLimited(f"Reddit answered 429 Too Many Requests on {endpoint}", retry_after=retry_after)
        writes = method.upper() == "POST" and path in _SIDE_EFFECTS
        if status >= 500:
            if writes:  # a gateway error after Reddit took the post: it may exist
                raise OutcomeUnknown(f"Reddit answered {status} on {endpoint}; the post may have been made")
            raise TransientPlatformError(f"Reddit answered {status} on {endpoint}; try again later")
        if status in (401, 403) and path != "/api/v1/access_token":
            detail = f"{status} on {endpoint}"
            if status == 403:
                reason = json_field(response, "reason") or json_field(response, "message")
                if writes:  # banned, private or quarantined subreddit, locked thread: this content will not go
                    raise ContentRejected(f"Reddit refused {endpoint}: {reason or '403 Forbidden'}")
                raise AuthError(f"Reddit forbids {endpoint} for this account ({reason or 403}); check its permissions")
            raise auth_problem(p.credentials, detail)
        if status == 401:
            raise auth_problem(p.credentials, "401 from the token endpoint")
        return response

    def _read_headers(self, response: requests.Response) -> None:
        headers = response.headers
        remaining, used, reset = (
            number(headers.get(h)) for h in ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")
        )
        if remaining is not None and reset is not None:
            limit = int(remaining + used) if used is not None else None
            self.budget.update(WINDOW, limit=limit, remaining=int(remaining), reset_at=self.clock() + reset)
        for name in _RATELIMIT_HEADERS:  # consumed here: prawcore's own limiter would otherwise sleep
            headers.pop(name, None)


def number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def json_field(response: requests.Response, key: str) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get(key)) if isinstance(body, dict) and body.get(key) else None


def call_kind(endpoint: str) -> CallKind:
    """How budgets count one Reddit endpoint: a submission or comment is a publish, every GET a read."""
    method, _, path = endpoint.partition(" ")
    if method == "POST" and path in _SIDE_EFFECTS:
        return CallKind.PUBLISH
    return CallKind.READ if method == "GET" else CallKind.OTHER
