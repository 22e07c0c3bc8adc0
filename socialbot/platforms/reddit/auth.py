"""Reddit account set-up: the OAuth authorization-code flow for `socialbot auth reddit` and the `doctor` check."""

from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import praw
import prawcore

from socialbot.errors import AuthError, SocialbotError
from socialbot.platforms.credentials import RedditCredentials, credential_var
from socialbot.platforms.reddit.platform import RedditPlatform
from socialbot.platforms.reddit.scopes import SCOPES

__all__ = ["SCOPES", "AccountCheck", "check_account", "code_flow"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountCheck:
    """What `socialbot doctor` reports for one Reddit account."""

    ok: bool
    username: str | None
    problem: str | None


def check_account(
    credentials: RedditCredentials,
    *,
    user_agent: str,
    oauth_url: str = "https://oauth.reddit.com",
    reddit_url: str = "https://www.reddit.com",
    short_url: str = "https://redd.it",
    timeout: float = 15.0,
) -> AccountCheck:
    """Log in and call ``/api/v1/me``; never raises for a credential problem, it reports it."""
    try:
        platform = RedditPlatform(
            credentials=credentials,
            oauth_url=oauth_url,
            reddit_url=reddit_url,
            short_url=short_url,
            user_agent=user_agent,
            timeout=timeout,
        )
        me = platform.identify()
    except SocialbotError as exc:
        return AccountCheck(ok=False, username=None, problem=str(exc))
    name = str(me.get("name"))
    if me.get("is_suspended"):
        return AccountCheck(ok=False, username=name, problem=f"u/{name} is suspended by Reddit")
    return AccountCheck(ok=True, username=name, problem=None)


class _Callback(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if "code" in query or "error" in query:
            self.server.answer = query
            self.server.done.set()
        body = b"socialbot: authorization received, you can close this tab."
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the query holds the one-time code
        return


class _CallbackServer(HTTPServer):
    """The redirect server: the handler leaves the redirect's query in ``answer`` and sets ``done``."""

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Callback)
        self.done = threading.Event()
        self.answer: dict[str, str] = {}


def code_flow(
    credentials: RedditCredentials,
    *,
    redirect_port: int = 8080,
    user_agent: str,
    open_browser: bool = False,
    show_url: Callable[[str], None] | None = None,
    oauth_url: str = "https://oauth.reddit.com",
    reddit_url: str = "https://www.reddit.com",
    scopes: tuple[str, ...] = SCOPES,
    wait_seconds: float = 300.0,
) -> dict[str, str]:
    """Authorization-code flow with a redirect server on 127.0.0.1; returns the env lines to store.

    The Reddit app's redirect URI must be ``http://127.0.0.1:<redirect_port>/``. ``show_url`` receives the
    consent URL (the CLI prints it); ``redirect_port=0`` picks a free port (tests).
    """
    if credentials.client_id is None:
        raise AuthError(f"set {credential_var('reddit', credentials.profile, 'client_id')} before authorizing")
    server = _CallbackServer(("127.0.0.1", redirect_port))
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="reddit-oauth-callback", daemon=True)
    thread.start()
    try:
        reddit = praw.Reddit(
            client_id=credentials.client_id.get_secret_value(),
            client_secret=credentials.client_secret.get_secret_value() if credentials.client_secret else None,
            redirect_uri=redirect_uri,
            user_agent=user_agent,
            oauth_url=oauth_url,
            reddit_url=reddit_url,
            check_for_updates=False,
        )
        state = secrets.token_urlsafe(16)
        url = reddit.auth.url(scopes=list(scopes), state=state, duration="permanent")
        if show_url is not None:
            show_url(url)
        if open_browser:
            webbrowser.open(url)
        if not server.done.wait(wait_seconds):
            raise AuthError(f"no answer from Reddit's consent page within {wait_seconds:.0f}s; run the command again")
        answer: dict[str, str] = server.answer
        if answer.get("state") != state:
            raise AuthError("the OAuth state did not match (a stale or forged redirect); run the command again")
        if "error" in answer:
            raise AuthError(f"Reddit refused the authorization: {answer['error']}")
        try:
            refresh_token = reddit.auth.authorize(answer["code"])
            username = str(reddit.user.me())
        except (prawcore.PrawcoreException, praw.exceptions.PRAWException) as exc:
            raise AuthError(
                f"Reddit did not exchange the code ({type(exc).__name__}); check "
                f"{credential_var('reddit', credentials.profile, 'client_id')} and "
                f"{credential_var('reddit', credentials.profile, 'client_secret')} and the app's redirect URI "
                f"{redirect_uri}"
            ) from exc
    finally:
        server.shutdown()
        server.server_close()
    log.info("authorized u/%s for profile %s", username, credentials.profile)
    return {
        credential_var("reddit", credentials.profile, "refresh_token"): str(refresh_token),
        credential_var("reddit", credentials.profile, "username"): username,
    }
