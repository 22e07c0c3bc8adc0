"""The Reddit stand-in's state: users, passwords, subreddits, flairs, things and their trees, tokens, faults."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from .things import _b36, _Thing

RATELIMIT_MESSAGE = "Looks like you've been doing that a lot. Take a break for {wait} before trying again."


@dataclass
class _Fault:
    kind: str  # "status" | "timeout" | "api_error" (the status is its HTTP status, 200 or 400)
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    error: tuple[str, str, str] | None = None  # (ERROR_TYPE, message, field)


class RedditWorld:
    """What Reddit knows, without the HTTP server (``RedditApiStandIn`` serves it); the helpers act for tests."""

    def __init__(
        self,
        *,
        client_id: str = "standin-client-id",
        client_secret: str | None = "standin-client-secret",
        username: str = "socialbot_test",
        password: str = "standin-password",
        clock=None,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.username = username
        self.clock = clock or time.time
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, params) for assertions
        self.more_threshold = 500  # comments returned inline by /comments/<id> before "more" objects
        self.ratelimit_limit, self.ratelimit_used, self.ratelimit_window = 1000, 0, 600
        self._lock = threading.RLock()
        self._ids = int("abc000", 36)
        self._users: dict[str, dict[str, Any]] = {}
        self._passwords: dict[str, str] = {username: password}
        self._things: dict[str, _Thing] = {}
        self._children: dict[str, list[str]] = defaultdict(list)
        self._subs: dict[str, dict[str, Any]] = {}
        self._mentions: dict[str, list[str]] = defaultdict(list)
        self._tokens: dict[str, str] = {}  # access token -> user
        self._scopes: dict[str, frozenset[str]] = {}  # access or refresh token -> granted scopes ("*": all)
        self._refresh: dict[str, str] = {}  # refresh token -> user
        self._codes: dict[str, tuple[str, str, frozenset[str]]] = {}  # code -> (user, redirect_uri, scopes)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self.add_user(username, karma=(1, 1))

    # -- helpers for tests --------------------------------------------------------------------

    def _new_id(self) -> str:
        with self._lock:
            self._ids += 1
            return _b36(self._ids)

    def add_user(
        self, name: str, *, karma: tuple[int, int] = (10, 20), created: float = 1.5e9, suspended: bool = False
    ):
        self._users[name] = {"id": self._new_id(), "created": created, "karma": karma, "suspended": suspended}

    def remove_user(self, name: str) -> None:
        self._users.pop(name, None)

    def add_subreddit(self, name: str, *, flair_required: bool = False, banned: bool = False) -> None:
        self._sub(name).update(flair_required=flair_required, banned=banned)

    def _sub(self, name: str) -> dict[str, Any]:
        key = name.lower()
        if key not in self._subs:
            self._subs[key] = {
                "name": name,
                "id": self._new_id(),
                "flairs": [],
                "flair_required": False,
                "banned": False,
            }
        return self._subs[key]

    def add_flair(self, subreddit: str, text: str, *, template_id: str | None = None) -> str:
        template_id = template_id or str(uuid.uuid4())
        self._sub(subreddit)["flairs"].append({"id": template_id, "text": text})
        return template_id

    def set_more_threshold(self, count: int) -> None:
        self.more_threshold = count

    def submit(self, author: str, subreddit: str, title: str, text: str = "", **kw: Any) -> str:
        """A submission by someone else (keyword search, /new), returned as its fullname."""
        self._users.setdefault(author, {"id": self._new_id(), "created": 1.5e9, "karma": (1, 1), "suspended": False})
        thing = _Thing(
            "t3", self._new_id(), author, self._sub(subreddit)["name"], self.clock(), text=text, title=title, **kw
        )
        self._things[thing.name] = thing
        return thing.name

    def comment(self, parent_fullname: str, author: str, text: str) -> str:
        """A comment by ``author`` under a submission or comment; returns its fullname."""
        if author not in self._users:
            self.add_user(author)
        parent = self._things[parent_fullname]
        link = parent.name if parent.kind == "t3" else parent.link
        thing = _Thing(
            "t1", self._new_id(), author, parent.subreddit, self.clock(), text=text, parent=parent.name, link=link
        )
        with self._lock:
            self._things[thing.name] = thing
            self._children[parent.name].append(thing.name)
        return thing.name

    def mention(self, author: str, text: str | None = None, *, under: str | None = None) -> str:
        """A comment by ``author`` mentioning the account (under ``under`` or a fresh submission)."""
        under = under or self.submit(author, "socialbot_elsewhere", "A thread elsewhere")
        fullname = self.comment(under, author, text or f"hey /u/{self.username} look at this")
        self._mentions[self.username].append(fullname)
        return fullname

    def fail(self, endpoint: str, *, status: int = 500, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """The next ``times`` calls to ``endpoint`` (e.g. ``/api/submit``) answer with HTTP ``status``."""
        for _ in range(times):
            self._faults[endpoint].append(_Fault("status", status=status, headers=headers or {}))

    def hang(self, endpoint: str, *, times: int = 1) -> None:
        """The next calls to ``endpoint`` take effect but never answer (until ``stop``): a client timeout."""
        for _ in range(times):
            self._faults[endpoint].append(_Fault("timeout"))

    def api_error(
        self, endpoint: str, error_type: str, message: str, field_name: str = "", *, times: int = 1, status: int = 200
    ) -> None:
        """The next calls answer ``{"json": {"errors": [[type, message, field]]}}``, as Reddit does.

        With HTTP 200 (RATELIMIT, most validation) or 400 (``SUBMIT_VALIDATION_ERROR`` on ``/api/submit``).
        """
        for _ in range(times):
            self._faults[endpoint].append(_Fault("api_error", status=status, error=(error_type, message, field_name)))

    def ratelimit(self, endpoint: str = "/api/submit", *, wait: str = "5 minutes", times: int = 1) -> None:
        self.api_error(endpoint, "RATELIMIT", RATELIMIT_MESSAGE.format(wait=wait), "ratelimit", times=times)

    def refresh_token_for(self, username: str | None = None, *, scopes: tuple[str, ...] = ("*",)) -> str:
        """A refresh token for ``username`` granting ``scopes`` (``*``: every scope, as a script app has)."""
        token = secrets.token_urlsafe(24)
        self._refresh[token] = username or self.username
        self._scopes[token] = frozenset(scopes)
        return token

    def revoke_refresh_token(self, token: str) -> None:
        """The user removed the app's access: the token endpoint now answers 400 ``{"error": 400}`` for it."""
        self._refresh.pop(token, None)

    def expire_access_tokens(self) -> int:
        """Every access token issued so far expires: the API answers 401 invalid_token until a new one is fetched."""
        with self._lock:
            expired = len(self._tokens)
            for token in self._tokens:
                self._scopes.pop(token, None)
            self._tokens.clear()
        return expired

    def vote(self, fullname: str, option: str, *, n: int = 1) -> None:
        for opt in self._things[fullname].poll["options"]:
            if opt["text"] == option:
                opt["vote_count"] += n

    def thing(self, fullname: str) -> _Thing:
        return self._things[fullname]

    def thing_list(self) -> list[_Thing]:
        """Every submission and comment, oldest first."""
        with self._lock:
            return sorted(self._things.values(), key=lambda t: int(t.id, 36))

    def _newest(self) -> list[_Thing]:
        return sorted(self._things.values(), key=lambda t: int(t.id, 36), reverse=True)

    def _alive(self, fullname: str) -> bool:
        return not self._things[fullname].deleted or bool(self._children[fullname])

    def _subtree(self, fullname: str) -> list[str]:
        found = [fullname]
        for child in reversed(self._children[fullname]):
            if self._alive(child):
                found.extend(self._subtree(child))
        return found
