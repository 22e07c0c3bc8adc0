"""The X (Twitter) adapter: publishes and collects through tweepy's API v2 client and returns only frozen values."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter

from socialbot.domain.values import (
    X_CAPABILITIES,
    Draft,
    MediaItem,
    Published,
)
from socialbot.errors import (
    AuthError,
    ContentRejected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TransientPlatformError,
)
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import XCredentials, credential_var
from socialbot.platforms.x_collect import XCollector
from socialbot.platforms.x_payloads import endpoint_name, snowflake_time
from socialbot.platforms.x_secrets import mask, protect

__all__ = ["AccountCheck", "XPlatform", "check_account", "endpoint_name", "pin_authorize", "snowflake_time"]

log = logging.getLogger(__name__)

API_HOSTS = ("api.twitter.com", "api.x.com")
UPLOAD_HOSTS = ("upload.twitter.com", "upload.x.com")
_OAUTH_KEYS = ("api_key", "api_secret", "access_token", "access_token_secret")
_AUTH_PROBLEMS = ("oauth1-permissions", "client-forbidden", "unsupported-authentication", "not-authorized-for-resource")


# -- transport: base-URL rewriting, timeout, metering, rate-limit headers --------------------------


class _Route(HTTPAdapter):
    """Sends X requests to the configured base URLs with a default timeout, metering and reading rate limits."""

    def __init__(self, *, api_url: str, upload_url: str, timeout: float, usage: UsageMeter, budget: RateBudget):
        super().__init__()
        self._bases = {host: urlsplit(api_url.rstrip("/")) for host in API_HOSTS}
        self._bases |= {host: urlsplit(upload_url.rstrip("/")) for host in UPLOAD_HOSTS}
        self._timeout = timeout
        self._usage = usage
        self._budget = budget

    def mount_on(self, session: requests.Session) -> None:
        for host in self._bases:
            session.mount(f"https://{host}/", self)

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        base = self._bases.get(parts.hostname or "")
        if base is None:
            return url
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        endpoint = endpoint_name(request.method or "GET", urlsplit(request.url).path)
        self._budget.check(endpoint)  # raises RateLimited without touching the network
        self._usage.count(endpoint)
        request.url = self.rewrite(request.url)
        response = super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )
        headers = response.headers
        reset = _int(headers.get("x-rate-limit-reset"))
        if response.status_code == 429 and reset is not None:
            self._budget.exhausted(endpoint, reset_at=reset)
        else:
            self._budget.update(
                endpoint,
                limit=_int(headers.get("x-rate-limit-limit")),
                remaining=_int(headers.get("x-rate-limit-remaining")),
                reset_at=reset,
            )
        return response


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# -- error translation -----------------------------------------------------------------------------


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


def _translate(
    exc: BaseException, *, action: str, write: bool, credentials: XCredentials, clock: Callable[[], float]
) -> PlatformError | None:
    """The socialbot error for an SDK or transport failure, or None when it is not a platform failure."""
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, tweepy.TooManyRequests):
        reset = _int(exc.response.headers.get("x-rate-limit-reset")) if exc.response is not None else None
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
            return _translate(inner, action=action, write=write, credentials=credentials, clock=clock)
        return TransientPlatformError(f"X failed during {action}: {exc}")
    return None


def _auth_message(credentials: XCredentials, *, status: int, detail: str, kind: str) -> str:
    names = ", ".join(credential_var("x", credentials.profile, k) for k in _OAUTH_KEYS)
    if "oauth1-permissions" in kind:
        tokens = ", ".join(credential_var("x", credentials.profile, k) for k in _OAUTH_KEYS[2:])
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


@dataclass(frozen=True)
class _Me:
    id: str
    username: str


class XPlatform(XCollector):
    """One X account through tweepy.Client (API v2, OAuth 1.0a user context); see docs/platforms/x.md."""

    name = "x"
    capabilities = X_CAPABILITIES

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
        self._credentials = credentials
        self._clock = clock or time.time
        self.usage = usage or UsageMeter()
        self.budget = budget or RateBudget(clock=self._clock)
        self._route = _Route(
            api_url=api_url, upload_url=upload_url, timeout=timeout, usage=self.usage, budget=self.budget
        )
        secret = {
            k: (getattr(credentials, k).get_secret_value() if getattr(credentials, k) else None)
            for k in (*_OAUTH_KEYS, "bearer_token")
        }
        self._user_auth = not credentials.missing() or secret["bearer_token"] is None
        self._client = tweepy.Client(
            bearer_token=secret["bearer_token"],
            consumer_key=secret["api_key"],
            consumer_secret=secret["api_secret"],
            access_token=secret["access_token"],
            access_token_secret=secret["access_token_secret"],
            return_type=dict,
            wait_on_rate_limit=False,
        )
        self._route.mount_on(self._client.session)
        self._api: tweepy.API | None = None  # v1.1 media upload, built on first use
        self._timeout = timeout
        self._me_cache: _Me | None = None

    def __repr__(self) -> str:
        return f"XPlatform(profile={self._credentials.profile!r})"

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _translated(self, action: str, *, write: bool = False) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            error = _translate(exc, action=action, write=write, credentials=self._credentials, clock=self._clock)
            if error is None:
                raise
            if error is exc:
                raise
            log.debug("X %s failed: %s", action, error)
            raise error from exc

    def _call(self, action: str, method: Callable[..., object], *, write: bool = False, **params) -> dict:
        with self._translated(action, write=write):
            body = method(**params)
        if not isinstance(body, dict):
            error = OutcomeUnknown if write else TransientPlatformError
            raise error(f"X answered {action} with an unexpected body")
        return body

    def _pages(self, action: str, method: Callable[..., object], *, token_param: str, **params) -> Iterator[dict]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self._call(action, method, **params, **({token_param: token} if token else {}))
            yield page
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return
            if token in seen:
                raise TransientPlatformError(f"X repeated a pagination token during {action}")
            seen.add(token)

    def _require_user_context(self) -> None:
        missing = self._credentials.missing()
        if missing:
            raise AuthError(f"X profile '{self._credentials.profile}' cannot post: set {', '.join(missing)}")

    def _me(self) -> _Me:
        if self._me_cache is None:
            self._require_user_context()
            data = self._call("identify the account", self._client.get_me, user_auth=True).get("data") or {}
            if "id" not in data:
                raise TransientPlatformError("X answered GET /2/users/me without the account id")
            self._me_cache = _Me(id=str(data["id"]), username=str(data.get("username") or ""))
        return self._me_cache

    def _url(self, remote_id: str) -> str:
        username = self._me_cache.username if self._me_cache else "i/web"
        return f"https://x.com/{username}/status/{remote_id}"

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, draft: Draft) -> Published:
        self._require_user_context()
        media_ids = [self._upload(item) for item in draft.media] or None
        body = self._call(
            "publish",
            self._client.create_tweet,
            write=True,
            text=draft.text,
            in_reply_to_tweet_id=draft.reply_to,
            media_ids=media_ids,
            poll_options=list(draft.poll.options) if draft.poll else None,
            poll_duration_minutes=draft.poll.duration_minutes if draft.poll else None,
            reply_settings=draft.reply_settings,
            user_auth=True,
        )
        data = body.get("data") or {}
        if not str(data.get("id", "")).isdigit():
            raise OutcomeUnknown("X accepted the post but its answer has no id; reconcile with recent own posts")
        remote_id = str(data["id"])
        log.info("published X post %s", remote_id)
        return Published(remote_id=remote_id, url=self._url(remote_id), created_at=snowflake_time(remote_id))

    def _upload(self, item: MediaItem) -> str:
        if self._api is None:
            c = self._credentials
            auth = tweepy.OAuth1UserHandler(
                *(getattr(c, k).get_secret_value() for k in _OAUTH_KEYS)  # type: ignore[union-attr]
            )
            self._api = tweepy.API(auth, timeout=self._timeout, retry_count=0, wait_on_rate_limit=False)
            self._route.mount_on(self._api.session)
        path = Path(item.path)
        if not path.is_file():
            raise ContentRejected(f"media file {item.path} does not exist")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with self._translated(f"upload of {path.name}"):
            if mime.startswith("video/") or mime == "image/gif":
                category = "tweet_video" if mime.startswith("video/") else "tweet_gif"
                media = self._api.chunked_upload(str(path), file_type=mime, media_category=category)
            else:
                media = self._api.simple_upload(str(path), media_category="tweet_image")
            media_id = str(getattr(media, "media_id_string", "") or getattr(media, "media_id", ""))
            if item.alt_text:
                self._api.create_media_metadata(media_id, item.alt_text[:1000])
        if not media_id.isdigit():
            raise TransientPlatformError(f"X answered the upload of {path.name} without a media id")
        return media_id

    def delete(self, remote_id: str) -> None:
        self._require_user_context()
        body = self._call(f"delete of {remote_id}", self._client.delete_tweet, write=True, id=remote_id)
        if not (body.get("data") or {}).get("deleted"):
            raise ContentRejected(f"X did not delete post {remote_id}")


# -- account set-up: PIN-based OAuth 1.0a and `socialbot doctor` ----------------------------------


class _PinHandler(tweepy.OAuth1UserHandler):
    """tweepy's OAuth 1.0a handler whose sessions (it makes a new one per step) all go through our route."""

    def __init__(self, api_key: str, api_secret: str, *, route: _Route) -> None:
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
    need = [credential_var("x", profile, k) for k in ("api_key", "api_secret") if getattr(credentials, k) is None]
    if need:
        raise AuthError(f"set {', '.join(need)} (the app's consumer keys) before authorizing an account")
    protect(credentials)
    route = _Route(
        api_url=api_url, upload_url=api_url, timeout=timeout, usage=usage or UsageMeter(), budget=RateBudget()
    )
    handler = _PinHandler(
        credentials.api_key.get_secret_value(),  # type: ignore[union-attr]
        credentials.api_secret.get_secret_value(),  # type: ignore[union-attr]
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
        error = _translate(exc, action=action, write=False, credentials=credentials, clock=_epoch)
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
        me = platform._me()
    except PlatformError as exc:
        return AccountCheck(ok=False, problem=str(exc))
    return AccountCheck(ok=True, username=me.username, user_id=me.id)
