"""OAuth: ``/api/v1/access_token`` (password, refresh-token and code grants) and the auto-approved consent page."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import urlencode

from .world import RedditWorld


class OAuth(RedditWorld):
    """Token grants and the consent page of the stand-in."""

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
        if grant == "password":
            user = params.get("username")
            if self._passwords.get(user or "") != params.get("password"):
                return 200, {}, {"error": "invalid_grant"}
        elif grant == "refresh_token":
            user = self._refresh.get(params.get("refresh_token", ""))
            if user is None:
                return 200, {}, {"error": "invalid_grant"}
        elif grant == "authorization_code":
            user, redirect = self._codes.pop(params.get("code", ""), (None, None))
            if user is None or redirect != params.get("redirect_uri"):
                return 200, {}, {"error": "invalid_grant"}
            refresh = self.refresh_token_for(user)
        else:
            return 200, {}, {"error": "unsupported_grant_type"}
        access = secrets.token_urlsafe(18)
        self._tokens[access] = user
        answer = {"access_token": access, "token_type": "bearer", "expires_in": 3600, "scope": "*"}
        if refresh:
            answer["refresh_token"] = refresh
        return 200, {}, answer

    def _authorize(self, params) -> tuple[int, dict[str, str], Any]:
        """The consent page, auto-approved for the stand-in's account: redirects with ``?code=&state=``."""
        if params.get("client_id") != self.client_id:
            return 400, {}, {"message": "invalid client_id", "error": 400}
        code = secrets.token_urlsafe(12)
        self._codes[code] = (self.username, params.get("redirect_uri", ""))
        location = f"{params.get('redirect_uri')}?{urlencode({'state': params.get('state', ''), 'code': code})}"
        return 302, {"Location": location}, {}
