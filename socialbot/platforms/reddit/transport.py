"""Reddit transport: prawcore's HTTP layer with our metering, rate budget and error classification (no sleeps)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import praw
import prawcore
import requests
from praw.exceptions import RedditAPIException
from prawcore.sessions import FiniteRetryStrategy

from socialbot.domain.values import CallKind
from socialbot.errors import AuthError, ContentRejected, OutcomeUnknown, RateLimited, TransientPlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import RedditCredentials
from socialbot.platforms.reddit.errors import auth_problem, missing_scope, refresh_token_refused
from socialbot.platforms.reddit.scopes import scope_for

WINDOW = "reddit"  # Reddit has one rate-limit window per OAuth client + account, shared by every endpoint
_RATELIMIT_HEADERS = ("x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset")
TOKEN_PATH = "/api/v1/access_token"
_BEARER_ERROR_RE = re.compile(r'error="?([A-Za-z_]+)')
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
    """prawcore's HTTP layer with our metering, budget and error classification (no sleeps).

    The one retry left to prawcore is a 401 invalid_token (an expired access token): it refreshes the token and
    sends the request again once (see ``RetryOnceAfterRefresh``); a 401 that persists becomes an ``AuthError``.
    """

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
        # 5xx and 408 are answered here: prawcore would retry them itself, and a retried submit may post twice
        if status >= 500 or status == 408:
            if writes:  # a gateway error after Reddit took the post: it may exist
                raise OutcomeUnknown(f"Reddit answered {status} on {endpoint}; the post may have been made")
            raise TransientPlatformError(f"Reddit answered {status} on {endpoint}; try again later")
        if path == TOKEN_PATH:
            if status == 400:  # Reddit's answer to a revoked or invalid refresh token: 400 {"error": 400}
                raise refresh_token_refused(p.credentials, "400 from the token endpoint")
            if status == 401:
                raise auth_problem(p.credentials, "401 from the token endpoint")
            return response
        challenge = bearer_error(response)
        if status == 401:
            if challenge == "invalid_token":  # an expired access token: prawcore refreshes it and retries once
                return response
            raise auth_problem(p.credentials, f"401 on {endpoint}")
        if status == 403:
            if challenge == "insufficient_scope":  # the account authorized fewer scopes than this call needs
                raise missing_scope(p.credentials, endpoint, scope_for(endpoint))
            reason = json_field(response, "reason") or json_field(response, "message")
            if writes:  # banned, private or quarantined subreddit, locked thread: this content will not go
                raise ContentRejected(f"Reddit refused {endpoint}: {reason or '403 Forbidden'}")
            raise AuthError(f"Reddit forbids {endpoint} for this account ({reason or 403}); check its permissions")
        if status == 400 and (errors := api_errors(response)):  # praw cannot parse this shape of 400 itself
            raise RedditAPIException([*errors])  # translated() words it, like a 200 errors answer
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


def bearer_error(response: requests.Response) -> str | None:
    """The ``error`` of a ``www-authenticate: Bearer realm="reddit", error="invalid_token"`` header, if any."""
    found = _BEARER_ERROR_RE.search(response.headers.get("www-authenticate") or "")
    return found.group(1) if found else None


def api_errors(response: requests.Response) -> list[list[str]]:
    """The ``[type, message, field]`` triples of a ``{"json": {"errors": [...]}}`` body (Reddit sends it with 400 too)."""
    try:
        body = response.json()
    except ValueError:
        return []
    errors = (
        body.get("json", {}).get("errors") if isinstance(body, dict) and isinstance(body.get("json"), dict) else None
    )
    if not isinstance(errors, list):
        return []
    return [[str(part or "") for part in [*e, "", "", ""][:3]] for e in errors if isinstance(e, list) and e]


@dataclass(frozen=True)
class RetryOnceAfterRefresh(FiniteRetryStrategy):
    """prawcore's retry policy narrowed to one retry and no sleep.

    Transport answers every other failure prawcore would retry (5xx, 408, connection errors) itself, so the only
    retry left is the one after a 401 invalid_token, once prawcore has refreshed the access token; Reddit did not
    act on a request it answered 401, so that retry cannot duplicate a post.
    """

    retries: int = 1

    def _sleep_seconds(self) -> float | None:
        return None


def retry_once_after_refresh(reddit: praw.Reddit) -> None:
    """Install ``RetryOnceAfterRefresh`` on the prawcore sessions of ``reddit`` (praw offers no setting for it)."""
    for name in ("_core", "_authorized_core", "_read_only_core"):  # one session may be listed twice: harmless
        core = getattr(reddit, name, None)
        if isinstance(core, prawcore.Session):
            core._retry_strategy_class = RetryOnceAfterRefresh


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
