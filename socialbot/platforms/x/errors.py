"""X error translation: tweepy and transport failures become socialbot's PlatformError types, with how to fix them."""

from __future__ import annotations

from collections.abc import Callable

import requests
import tweepy

from socialbot.errors import (
    AuthError,
    ContentRejected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TransientPlatformError,
)
from socialbot.platforms.credentials import XCredentials, credential_var
from socialbot.platforms.x.transport import to_int

OAUTH_KEYS = ("api_key", "api_secret", "access_token", "access_token_secret")
_AUTH_PROBLEMS = ("oauth1-permissions", "client-forbidden", "unsupported-authentication", "not-authorized-for-resource")


def _problem(response: requests.Response | None) -> tuple[str, str]:
    """(detail, type) of an X error response, whichever of its formats it uses."""
    if response is None:
        return "no response", ""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} {response.reason or ''}".strip(), ""
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", ""
    errors = [e for e in body.get("errors") or () if isinstance(e, dict)]
    detail = body.get("detail") or "; ".join(str(e.get("detail") or e.get("message") or "") for e in errors)
    kind = str(body.get("type") or body.get("reason") or (errors[0].get("type") if errors else "") or "")
    return str(detail or body.get("title") or f"HTTP {response.status_code}"), kind


def translate(
    exc: BaseException, *, action: str, write: bool, credentials: XCredentials, clock: Callable[[], float]
) -> PlatformError | None:
    """The socialbot error for an SDK or transport failure, or None when it is not a platform failure."""
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, tweepy.TooManyRequests):
        reset = to_int(exc.response.headers.get("x-rate-limit-reset")) if exc.response is not None else None
        retry_after = (reset - clock() + 1) if reset is not None else 900.0
        return RateLimited(f"X rate limit reached during {action}", retry_after=retry_after)
    if isinstance(exc, tweepy.HTTPException):
        detail, kind = _problem(exc.response)
        status = exc.response.status_code if exc.response is not None else 0
        if status == 401 or (status == 403 and any(p in kind for p in _AUTH_PROBLEMS)):
            return AuthError(_auth_message(credentials, status=status, detail=detail, kind=kind))
        if status in (400, 403, 404, 409, 422):
            return ContentRejected(f"X refused {action}: {detail}")
        if write and status >= 500:
            return OutcomeUnknown(f"X failed during {action} ({status}: {detail}); the post may exist")
        return TransientPlatformError(f"X failed during {action} ({status}: {detail})")
    if isinstance(exc, requests.exceptions.ConnectTimeout) or (
        isinstance(exc, requests.exceptions.ConnectionError)
        and "NewConnectionError" in repr(exc.args[0] if exc.args else exc)
    ):
        return TransientPlatformError(f"cannot reach X during {action}: {type(exc).__name__}")
    if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError):
        if write:
            return OutcomeUnknown(f"X did not answer {action} ({type(exc).__name__}); it may have taken effect")
        return TransientPlatformError(f"X did not answer {action} ({type(exc).__name__})")
    if isinstance(exc, ValueError):  # requests' JSONDecodeError, a broken body
        if write:
            return OutcomeUnknown(f"X answered {action} with an unreadable body; it may have taken effect")
        return TransientPlatformError(f"X answered {action} with an unreadable body")
    if isinstance(exc, tweepy.TweepyException):  # tweepy.API / OAuth wrap transport errors: look inside
        inner = exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None)
        if inner is not None and inner is not exc:
            return translate(inner, action=action, write=write, credentials=credentials, clock=clock)
        return TransientPlatformError(f"X failed during {action}: {exc}")
    return None


def _auth_message(credentials: XCredentials, *, status: int, detail: str, kind: str) -> str:
    names = ", ".join(credential_var("x", credentials.profile, k) for k in OAUTH_KEYS)
    if "oauth1-permissions" in kind:
        tokens = ", ".join(credential_var("x", credentials.profile, k) for k in OAUTH_KEYS[2:])
        return (
            f"X says the app of profile '{credentials.profile}' may not do this ({detail}); set the app's "
            f"permissions to 'Read and write' in the developer portal, then regenerate {tokens}"
        )
    if "client-forbidden" in kind:
        return (
            f"X refused the app of profile '{credentials.profile}' ({detail}); attach it to a project with "
            f"API v2 access (see docs/platforms/x.md), then check {names}"
        )
    return f"X rejected the credentials of profile '{credentials.profile}' ({status}: {detail}); check {names}"
