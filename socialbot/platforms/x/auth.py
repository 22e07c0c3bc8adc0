"""X account set-up: the PIN-based OAuth 1.0a sign-in and the credential check of `socialbot doctor`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
import tweepy

from socialbot.errors import AuthError, ContentRejected, PlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import XCredentials, credential_var
from socialbot.platforms.x.errors import translate
from socialbot.platforms.x.platform import XPlatform
from socialbot.platforms.x.secrets import mask, protect
from socialbot.platforms.x.transport import Route

log = logging.getLogger(__name__)


class _PinHandler(tweepy.OAuth1UserHandler):
    """tweepy's OAuth 1.0a handler whose sessions (it makes a new one per step) all go through our route."""

    def __init__(self, api_key: str, api_secret: str, *, route: Route) -> None:
        self._route = route
        super().__init__(api_key, api_secret, callback="oob")

    @property
    def oauth(self) -> requests.Session:
        return self._oauth

    @oauth.setter
    def oauth(self, session: requests.Session) -> None:
        self._route.mount_on(session)
        self._oauth = session


def pin_authorize(
    credentials: XCredentials,
    *,
    api_url: str = "https://api.twitter.com",
    prompt_pin: Callable[[str], str],
    timeout: float = 30.0,
    usage: UsageMeter | None = None,
) -> dict[str, str]:
    """Run the PIN-based 3-legged OAuth 1.0a flow; returns the .env lines (variable name -> value) for the tokens.

    ``prompt_pin`` receives the authorization URL to open in a browser (logged in as the bot's account)
    and returns the PIN X shows after "Authorize app".
    """
    profile = credentials.profile
    api_key, api_secret = credentials.api_key, credentials.api_secret
    if api_key is None or api_secret is None:
        need = [credential_var("x", profile, k) for k in ("api_key", "api_secret") if getattr(credentials, k) is None]
        raise AuthError(f"set {', '.join(need)} (the app's consumer keys) before authorizing an account")
    protect(credentials)
    route = Route(
        api_url=api_url, upload_url=api_url, timeout=timeout, usage=usage or UsageMeter(), budget=RateBudget()
    )
    handler = _PinHandler(
        api_key.get_secret_value(),
        api_secret.get_secret_value(),
        route=route,
    )
    action = "authorization (PIN flow)"
    with _pin_errors(credentials, action=action):
        url = route.rewrite(handler.get_authorization_url())
    pin = prompt_pin(url).strip()
    if not pin:
        raise AuthError("no PIN given: open the authorization URL, click 'Authorize app' and type the PIN shown")
    mask(pin)
    with _pin_errors(credentials, action=action):
        token, secret = handler.get_access_token(pin)
    mask(token, secret)
    log.info("X account authorized for profile %s", profile)
    return {
        credential_var("x", profile, "access_token"): token,
        credential_var("x", profile, "access_token_secret"): secret,
    }


@contextmanager
def _pin_errors(credentials: XCredentials, *, action: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        error = translate(exc, action=action, write=False, credentials=credentials, clock=_epoch)
        if error is None:
            raise
        if isinstance(error, ContentRejected):  # the OAuth endpoints answer 401 for a wrong PIN or key
            error = AuthError(
                f"X refused the {action}: check the PIN and {credential_var('x', credentials.profile, 'api_key')}"
            )
        if isinstance(exc, tweepy.TweepyException) and "401" in str(exc):
            names = ", ".join(credential_var("x", credentials.profile, k) for k in ("api_key", "api_secret"))
            error = AuthError(f"X refused the {action} (401): check the PIN, {names}")
        raise error from exc


def _epoch() -> float:
    import time

    return time.time()


@dataclass(frozen=True)
class AccountCheck:
    """Whether one X profile's credentials work, for `socialbot doctor`."""

    ok: bool
    username: str | None = None
    user_id: str | None = None
    problem: str | None = None


def check_account(
    credentials: XCredentials, *, api_url: str = "https://api.twitter.com", timeout: float = 10.0
) -> AccountCheck:
    """Call GET /2/users/me with the profile's credentials; never raises for a platform problem."""
    missing = credentials.missing()
    if missing:
        return AccountCheck(ok=False, problem=f"set {', '.join(missing)}")
    platform = XPlatform(credentials=credentials, api_url=api_url, timeout=timeout)
    try:
        me = platform.client.me()
    except PlatformError as exc:
        return AccountCheck(ok=False, problem=str(exc))
    return AccountCheck(ok=True, username=me.username, user_id=me.id)
