"""Reddit OAuth scopes: the ones `socialbot auth reddit` asks for, and which scope each API endpoint needs."""

from __future__ import annotations

__all__ = ["SCOPES", "scope_for"]

SCOPES = ("identity", "submit", "read", "history", "privatemessages", "edit", "flair", "modposts", "mysubreddits")

_BY_PATH = {
    "/api/submit": "submit",
    "/api/submit_poll_post": "submit",
    "/api/comment": "submit",
    "/api/editusertext": "edit",
    "/api/del": "edit",
    "/api/selectflair": "flair",
    "/api/flairselector": "flair",
    "/api/link_flair": "flair",
    "/api/link_flair_v2": "flair",
    "/api/set_suggested_sort": "modposts",
    "/api/v1/me": "identity",
    "/api/v1/me/prefs": "identity",
    "/api/v1/me/karma": "mysubreddits",
    "/user/{name}/about": "read",
}


def scope_for(endpoint: str) -> str:
    """The OAuth scope Reddit requires for an endpoint as ``endpoint_of`` names it (``POST /api/submit`` → submit)."""
    path = endpoint.partition(" ")[2] or endpoint
    if path.startswith("/r/{sub}/api/"):  # subreddit-scoped actions need the same scope as the bare ones
        path = path[len("/r/{sub}") :]
    if path in _BY_PATH:
        return _BY_PATH[path]
    if path.startswith("/message/") or path in ("/api/read_message", "/api/compose"):
        return "privatemessages"
    if path.startswith("/user/{name}/"):
        return "history"
    return "read"
