"""The X API client of one account: tweepy.Client through our transport, with translated errors and paging."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import tweepy

from socialbot.errors import AuthError, OutcomeUnknown, TransientPlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import XCredentials
from socialbot.platforms.x.errors import OAUTH_KEYS, translate
from socialbot.platforms.x.secrets import protect
from socialbot.platforms.x.transport import Route

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Me:
    id: str
    username: str


class XClient:
    """tweepy.Client for one account, routed through our transport; calls and pages with errors translated."""

    def __init__(
        self,
        *,
        credentials: XCredentials,
        api_url: str = "https://api.twitter.com",
        upload_url: str = "https://upload.twitter.com",
        timeout: float = 30.0,
        usage: UsageMeter | None = None,
        budget: RateBudget | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        protect(credentials)
        self.credentials = credentials
        self.clock = clock or time.time
        self.usage = usage or UsageMeter()
        self.budget = budget or RateBudget(clock=self.clock)
        self.route = Route(
            api_url=api_url, upload_url=upload_url, timeout=timeout, usage=self.usage, budget=self.budget
        )
        secret = {
            k: (getattr(credentials, k).get_secret_value() if getattr(credentials, k) else None)
            for k in (*OAUTH_KEYS, "bearer_token")
        }
        self.user_auth = not credentials.missing() or secret["bearer_token"] is None
        self.tweepy = tweepy.Client(
            bearer_token=secret["bearer_token"],
            consumer_key=secret["api_key"],
            consumer_secret=secret["api_secret"],
            access_token=secret["access_token"],
            access_token_secret=secret["access_token_secret"],
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self.route.mount_on(self.tweepy.session)
        self.timeout = timeout
        self._me_cache: Me | None = None

    def __repr__(self) -> str:
        return f"XClient(profile={self.credentials.profile!r})"

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def translated(self, action: str, *, write: bool = False) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            error = translate(exc, action=action, write=write, credentials=self.credentials, clock=self.clock)
            if error is None:
                raise
            if error is exc:
                raise
            log.debug("X %s failed: %s", action, error)
            raise error from exc

    def call(self, action: str, method: Callable[..., object], *, write: bool = False, **params) -> dict:
        with self.translated(action, write=write):
            body = method(**params)
        if not isinstance(body, dict):
            error = OutcomeUnknown if write else TransientPlatformError
            raise error(f"X answered {action} with an unexpected body")
        return body

    def pages(self, action: str, method: Callable[..., object], *, token_param: str, **params) -> Iterator[dict]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.call(action, method, write=False, **params, **({token_param: token} if token else {}))
            yield page
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return
            if token in seen:
                raise TransientPlatformError(f"X repeated a pagination token during {action}")
            seen.add(token)

    def require_user_context(self) -> None:
        missing = self.credentials.missing()
        if missing:
            raise AuthError(f"X profile '{self.credentials.profile}' cannot post: set {', '.join(missing)}")

    def me(self) -> Me:
        if self._me_cache is None:
            self.require_user_context()
            data = self.call("identify the account", self.tweepy.get_me, user_auth=True).get("data") or {}
            if "id" not in data:
                raise TransientPlatformError("X answered GET /2/users/me without the account id")
            self._me_cache = Me(id=str(data["id"]), username=str(data.get("username") or ""))
        return self._me_cache

    def url(self, remote_id: str) -> str:
        username = self._me_cache.username if self._me_cache else "i/web"
        return f"https://x.com/{username}/status/{remote_id}"
