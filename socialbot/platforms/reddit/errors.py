"""Reddit error translation: praw and prawcore exceptions become socialbot's PlatformError types, with the fix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import prawcore
from praw.exceptions import PRAWException, RedditAPIException

from socialbot.errors import (
    AuthError,
    ContentRejected,
    PlatformError,
    RateLimited,
    SocialbotError,
    TransientPlatformError,
)
from socialbot.platforms.credentials import RedditCredentials, credential_var
from socialbot.platforms.reddit.scopes import SCOPES

_WAIT_RE = re.compile(r"(\d+)\s*(milliseconds?|seconds?|minutes?|hours?)", re.IGNORECASE)


def parse_ratelimit_message(message: str | None, *, default: float = 600.0) -> float:
    """Seconds to wait from a RATELIMIT text such as "Take a break for 5 minutes before trying again."."""
    found = _WAIT_RE.search(message or "")
    if not found:
        return default
    amount, unit = int(found.group(1)), found.group(2).lower()
    if unit.startswith("millisecond"):
        return 1.0
    return float(amount * (3600 if unit.startswith("hour") else 60 if unit.startswith("minute") else 1))


def reauthorize_command(profile: str) -> str:
    """The command that stores a new refresh token (with every scope in SCOPES) for ``profile``."""
    return f"socialbot auth reddit --profile {profile}"


def auth_problem(credentials: RedditCredentials, detail: str) -> AuthError:
    profile = credentials.profile
    if credentials.refresh_token is not None:
        names = [credential_var("reddit", profile, k) for k in ("client_id", "client_secret", "refresh_token")]
        fix = f"run `{reauthorize_command(profile)}` for a new refresh token"
    else:
        names = [credential_var("reddit", profile, k) for k in ("client_id", "client_secret", "username", "password")]
        fix = "check the script app on https://www.reddit.com/prefs/apps"
    return AuthError(f"Reddit rejected the credentials ({detail}); check {', '.join(names)} ({fix})")


def refresh_token_refused(credentials: RedditCredentials, detail: str) -> AuthError:
    """The token endpoint refused the grant: for a refresh-token account, the token was revoked or is invalid."""
    if credentials.refresh_token is None:
        return auth_problem(credentials, detail)
    variable = credential_var("reddit", credentials.profile, "refresh_token")
    return AuthError(
        f"Reddit refused the refresh token in {variable} ({detail}): it was revoked or is not valid; "
        f"run `{reauthorize_command(credentials.profile)}` again to store a new one"
    )


def missing_scope(credentials: RedditCredentials, endpoint: str, scope: str) -> AuthError:
    """A 403 insufficient_scope: the account authorized socialbot without ``scope``, which ``endpoint`` needs."""
    return AuthError(
        f"Reddit refused {endpoint}: the authorization of Reddit profile {credentials.profile!r} lacks the "
        f"OAuth scope {scope!r} (403 insufficient_scope); run `{reauthorize_command(credentials.profile)}` "
        f"again to grant the scopes socialbot asks for ({', '.join(SCOPES)})"
    )


@contextmanager
def translated(action: str, *, credentials: RedditCredentials) -> Iterator[None]:
    """Translate praw/prawcore errors into socialbot errors (``raise … from exc``)."""
    try:
        yield
    except SocialbotError:
        raise
    except RedditAPIException as exc:
        for item in exc.items:
            if item.error_type == "RATELIMIT":
                retry_after = parse_ratelimit_message(item.message)
                raise RateLimited(f"Reddit refused to {action}: {item.message}", retry_after=retry_after) from exc
        reasons = "; ".join(
            f"{i.error_type}: {i.message}" + (f" (field {i.field})" if i.field else "") for i in exc.items
        )
        raise ContentRejected(f"Reddit refused to {action}: {reasons}") from exc
    except prawcore.OAuthException as exc:  # a 200 {"error": "invalid_grant"} from the token endpoint
        raise refresh_token_refused(credentials, exc.error) from exc
    except prawcore.InvalidToken as exc:  # prawcore already refreshed the token once and retried
        raise auth_problem(credentials, "401 invalid_token again after a token refresh") from exc
    except (prawcore.InsufficientScope, prawcore.Forbidden) as exc:  # the transport names the scope first
        raise AuthError(
            f"Reddit forbids this account to {action} ({type(exc).__name__}); "
            f"run `{reauthorize_command(credentials.profile)}` again or check its permissions"
        ) from exc
    except prawcore.NotFound as exc:
        raise ContentRejected(f"Reddit could not {action}: not found (404)") from exc
    except (prawcore.BadRequest, prawcore.Conflict, prawcore.TooLarge, prawcore.URITooLong) as exc:
        raise ContentRejected(f"Reddit could not {action}: {exc}") from exc
    except prawcore.PrawcoreException as exc:
        raise TransientPlatformError(f"Reddit failed to {action}: {exc}") from exc
    except PRAWException as exc:
        raise PlatformError(f"Reddit failed to {action}: {exc}") from exc
