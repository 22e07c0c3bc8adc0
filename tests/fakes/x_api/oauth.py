"""The three-legged OAuth 1.0a PIN flow: request token, authorize page with the PIN, access token."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, unquote, urlencode

from .protocol import ApiError
from .world import XWorld


def form(payload: dict[str, str]) -> bytes:
    return urlencode(payload).encode()


def _oauth(x: XWorld, method: str, step: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    params = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', headers.get("authorization", ""))}
    html = "text/html; charset=utf-8"
    if method == "POST" and step == "request_token":
        if params.get("oauth_consumer_key") != x.api_key or params.get("oauth_callback") != "oob":
            raise ApiError(401, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})
        token = "req-" + secrets.token_hex(10)
        x._request_tokens[token] = {"secret": secrets.token_hex(12), "pin": None}
        return (
            200,
            form(
                {
                    "oauth_token": token,
                    "oauth_token_secret": x._request_tokens[token]["secret"],
                    "oauth_callback_confirmed": "true",
                }
            ),
            html,
        )
    if method == "GET" and step in ("authorize", "authenticate"):
        pending = x._request_tokens.get(query.get("oauth_token", ""))
        if pending is None:
            raise ApiError(403, {"errors": [{"code": 89, "message": "Invalid or expired token."}]})
        pending["pin"] = f"{secrets.randbelow(10**7):07d}"
        return 200, f'<html><body><code id="oauth_pin">{pending["pin"]}</code></body></html>'.encode(), html
    if method == "POST" and step == "access_token":
        pending = x._request_tokens.pop(params.get("oauth_token", ""), None)
        verifier = params.get("oauth_verifier") or parse_qs(body.decode()).get("oauth_verifier", [""])[0]
        if params.get("oauth_consumer_key") != x.api_key or pending is None or verifier != pending["pin"]:
            raise ApiError(401, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})
        token, secret = x._issue_token(x.account_id)
        return (
            200,
            form(
                {
                    "oauth_token": token,
                    "oauth_token_secret": secret,
                    "user_id": x.account_id,
                    "screen_name": x.users[x.account_id]["username"],
                }
            ),
            html,
        )
    raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
