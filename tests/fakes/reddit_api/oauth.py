"""OAuth: ``/api/v1/access_token`` (password, refresh-token and code grants), the consent page, and scope checks."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import urlencode

from .world import RedditWorld

#: The scope Reddit requires per endpoint (https://www.reddit.com/dev/api/oauth); anything else needs "read".
SCOPE_NEEDED = {
    "/api/v1/me": "identity",
    "/api/v1/me/karma": "mysubreddits",
    "/api/submit": "submit",
    "/api/submit_poll_post": "submit",
    "/api/comment": "submit",
    "/api/del": "edit",
    "/api/editusertext": "edit",
    "/api/set_suggested_sort": "modposts",
    "/r/{sub}/api/link_flair_v2": "flair",
    "/message/mentions": "privatemessages",
    "/user/{name}/submitted": "history",
    "/user/{name}/comments": "history",
}


class OAuth(RedditWorld):
    """Token grants, the consent page and the scope check of the stand-in."""

    def _token(self, headers, params) -> tuple[int, dict[str, str], Any]:
        basic = (headers.get("Authorization") or "").removeprefix("Basic ")
        try:
            client_id, _, secret = base64.b64decode(basic).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        if client_id != self.client_id or (self.client_secret is not None and secret != self.client_secret):
            return 401, {}, {"message": "Unauthorized", "error": 401}
        grant = params.get("grant_type")
        refresh = None
        scopes = frozenset({"*"})
        if grant == "password":
            user = params.get("username")
            if self._passwords.get(user or "") != params.get("password"):
                return 200, {}, {"error": "invalid_grant"}
        elif grant == "refresh_token":
            user = self._refresh.get(params.get("refresh_token", ""))
            if user is None:  # as the live API does: a revoked or unknown refresh token gets a bare 400
                return 400, {}, {"error": 400}
            scopes = self._scopes.get(params["refresh_token"], scopes)
        elif grant == "authorization_code":
            user, redirect, scopes = self._codes.pop(params.get("code", ""), (None, None, scopes))
            if user is None or redirect != params.get("redirect_uri"):
                return 200, {}, {"error": "invalid_grant"}
            refresh = self.refresh_token_for(user, scopes=tuple(scopes))
        else:
            return 200, {}, {"error": "unsupported_grant_type"}
        access = secrets.token_urlsafe(18)
        with self._lock:
            self._tokens[access] = user
            self._scopes[access] = scopes
        answer = {"access_token": access, "token_type": "bearer", "expires_in": 3600, "scope": " ".join(sorted(scopes))}
        if refresh:
            answer["refresh_token"] = refresh
        return 200, {}, answer

    def _authorize(self, params) -> tuple[int, dict[str, str], Any]:
        """The consent page, auto-approved for the stand-in's account: redirects with ``?code=&state=``."""
        if params.get("client_id") != self.client_id:
            return 400, {}, {"message": "invalid client_id", "error": 400}
        code = secrets.token_urlsafe(12)
        scopes = frozenset(params.get("scope", "").split()) or frozenset({"identity"})
        self._codes[code] = (self.username, params.get("redirect_uri", ""), scopes)
        location = f"{params.get('redirect_uri')}?{urlencode({'state': params.get('state', ''), 'code': code})}"
        return 302, {"Location": location}, {}

    def _scope_refused(self, access: str, key: str) -> tuple[int, dict[str, str], Any] | None:
        """Reddit's 403 for an access token granted without the scope ``key`` needs, else None."""
        granted = self._scopes.get(access, frozenset({"*"}))
        if "*" in granted or SCOPE_NEEDED.get(key, "read") in granted:
            return None
        www = 'Bearer realm="reddit", error="insufficient_scope"'
        return 403, {"www-authenticate": www}, {"message": "Forbidden", "error": 403}
