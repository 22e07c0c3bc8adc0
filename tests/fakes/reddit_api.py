"""A local, stateful Reddit API stand-in on 127.0.0.1 that the real praw client talks to (token + OAuth API)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

RATELIMIT_MESSAGE = "Looks like you've been doing that a lot. Take a break for {wait} before trying again."

_T3_DEFAULTS: dict[str, Any] = {
    "all_awardings": [],
    "allow_live_comments": False,
    "approved": False,
    "approved_at_utc": None,
    "approved_by": None,
    "archived": False,
    "author": "",
    "author_flair_background_color": "",
    "author_flair_css_class": None,
    "author_flair_richtext": [],
    "author_flair_template_id": None,
    "author_flair_text": None,
    "author_flair_text_color": "",
    "author_flair_type": "",
    "author_fullname": "",
    "author_patreon_flair": False,
    "author_premium": False,
    "awarders": [],
    "banned_at_utc": None,
    "banned_by": None,
    "can_gild": False,
    "can_mod_post": False,
    "category": None,
    "clicked": False,
    "content_categories": None,
    "contest_mode": False,
    "created": 0.0,
    "created_utc": 0.0,
    "discussion_type": None,
    "distinguished": None,
    "domain": "",
    "downs": 0,
    "edited": False,
    "from": None,
    "from_id": None,
    "from_kind": None,
    "gilded": 0,
    "gildings": {},
    "hidden": False,
    "hide_score": False,
    "id": "",
    "ignore_reports": False,
    "is_crosspostable": False,
    "is_meta": False,
    "is_original_content": False,
    "is_reddit_media_domain": False,
    "is_robot_indexable": False,
    "is_self": False,
    "is_video": False,
    "likes": False,
    "link_flair_background_color": "",
    "link_flair_css_class": None,
    "link_flair_richtext": [],
    "link_flair_text": None,
    "link_flair_text_color": "",
    "link_flair_type": "",
    "locked": False,
    "media": None,
    "media_embed": {},
    "media_only": False,
    "mod_note": None,
    "mod_reason_by": None,
    "mod_reason_title": None,
    "mod_reports": [],
    "name": "",
    "no_follow": False,
    "num_comments": 0,
    "num_crossposts": 0,
    "num_duplicates": 0,
    "num_reports": None,
    "over_18": False,
    "parent_whitelist_status": None,
    "permalink": "",
    "pinned": False,
    "pwls": None,
    "quarantine": False,
    "removal_reason": None,
    "removed": False,
    "removed_by": None,
    "removed_by_category": None,
    "report_reasons": None,
    "rte_mode": "",
    "saved": False,
    "score": 0,
    "secure_media": None,
    "secure_media_embed": {},
    "selftext": "",
    "selftext_html": None,
    "send_replies": False,
    "spam": False,
    "spoiler": False,
    "stickied": False,
    "subreddit": "",
    "subreddit_id": "",
    "subreddit_name_prefixed": "",
    "subreddit_subscribers": 0,
    "subreddit_type": "",
    "suggested_sort": None,
    "thumbnail": "",
    "thumbnail_height": None,
    "thumbnail_width": None,
    "title": "",
    "total_awards_received": 0,
    "treatment_tags": [],
    "ups": 0,
    "upvote_ratio": 0.0,
    "url": "",
    "user_reports": [],
    "view_count": None,
    "visited": False,
    "whitelist_status": None,
    "wls": None,
}

_T1_DEFAULTS: dict[str, Any] = {
    "all_awardings": [],
    "approved_by": None,
    "archived": False,
    "author": "",
    "author_flair_css_class": None,
    "author_flair_text": None,
    "author_fullname": "",
    "awarders": [],
    "banned_by": None,
    "body": "",
    "body_html": "",
    "collapsed": False,
    "controversiality": 0,
    "created": 0.0,
    "created_utc": 0.0,
    "depth": 0,
    "distinguished": None,
    "downs": 0,
    "edited": False,
    "gilded": 0,
    "gildings": {},
    "id": "",
    "is_submitter": False,
    "likes": False,
    "link_id": "",
    "link_title": "",
    "locked": False,
    "mod_reports": [],
    "name": "",
    "num_reports": None,
    "parent_id": "",
    "permalink": "",
    "removal_reason": None,
    "replies": {},
    "report_reasons": None,
    "saved": False,
    "score": 0,
    "score_hidden": False,
    "send_replies": True,
    "stickied": False,
    "subreddit": "",
    "subreddit_id": "",
    "subreddit_name_prefixed": "",
    "subreddit_type": "public",
    "total_awards_received": 0,
    "unrepliable_reason": None,
    "ups": 0,
    "user_reports": [],
}


@dataclass
class _Fault:
    kind: str  # "status" | "timeout" | "api_error"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    error: tuple[str, str, str] | None = None  # (ERROR_TYPE, message, field)


@dataclass
class _Thing:
    kind: str  # "t3" | "t1"
    id: str
    author: str
    subreddit: str
    created_utc: float
    text: str = ""
    title: str = ""
    url: str | None = None
    parent: str | None = None  # fullname (comments)
    link: str | None = None  # submission fullname (comments)
    flair: dict | None = None
    poll: dict | None = None
    nsfw: bool = False
    spoiler: bool = False
    suggested_sort: str | None = None
    score: int = 1
    deleted: bool = False

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.id}"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def endpoint_key(path: str) -> str:
    """``/comments/abc/_/def`` → ``/comments/{id}``, ``/r/x/new`` → ``/r/{sub}/new``, ``/user/u/about`` → …"""
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1].endswith(".json"):
        parts[-1] = parts[-1][:-5]
    if parts[:1] == ["comments"]:
        parts = ["comments", "{id}"]
    elif parts[:1] in (["r"], ["user"]) and len(parts) > 1:
        parts[1] = "{sub}" if parts[0] == "r" else "{name}"
    return "/" + "/".join(parts)


class RedditApiStandIn:
    """Serves ``/api/v1/access_token`` and the OAuth API on one ephemeral port; ``base_url`` is both endpoints."""

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
        self._tokens: dict[str, str] = {}
        self._refresh: dict[str, str] = {}
        self._codes: dict[str, tuple[str, str]] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._release = threading.Event()
        self.add_user(username, karma=(1, 1))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="reddit-standin", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

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

    def api_error(self, endpoint: str, error_type: str, message: str, field_name: str = "", *, times: int = 1) -> None:
        """The next calls answer 200 with ``{"json": {"errors": [[type, message, field]]}}``, as Reddit does."""
        for _ in range(times):
            self._faults[endpoint].append(_Fault("api_error", error=(error_type, message, field_name)))

    def ratelimit(self, endpoint: str = "/api/submit", *, wait: str = "5 minutes", times: int = 1) -> None:
        self.api_error(endpoint, "RATELIMIT", RATELIMIT_MESSAGE.format(wait=wait), "ratelimit", times=times)

    def refresh_token_for(self, username: str | None = None) -> str:
        token = secrets.token_urlsafe(24)
        self._refresh[token] = username or self.username
        return token

    def vote(self, fullname: str, option: str, *, n: int = 1) -> None:
        for opt in self._things[fullname].poll["options"]:
            if opt["text"] == option:
                opt["vote_count"] += n

    def thing(self, fullname: str) -> _Thing:
        return self._things[fullname]

    # -- HTTP ----------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers, body: bytes) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(raw_path)
        path = split.path.rstrip("/") or "/"
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if method == "POST":
            if (headers.get("Content-Type") or "").startswith("application/json"):
                params.update(json.loads(body or b"{}"))
            else:
                params.update({k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()})
        key = endpoint_key(path)
        with self._lock:
            self.calls[key] += 1
            self.requests.append((method, path, params))
            fault = self._faults[key].popleft() if self._faults[key] else None
        if key == "/api/v1/access_token":
            return self._token(headers, params)
        if key == "/api/v1/authorize":
            return self._authorize(params)
        user = self._tokens.get((headers.get("Authorization") or "").removeprefix("bearer "))
        if user is None:
            www = 'Bearer realm="reddit", error="invalid_token"'
            return 401, {"www-authenticate": www}, {"message": "Unauthorized", "error": 401}
        extra = self._ratelimit_headers()
        if fault and fault.kind == "status":
            body_out = {"message": "Too Many Requests" if fault.status == 429 else "error", "error": fault.status}
            return fault.status, {**extra, **fault.headers}, body_out
        if fault and fault.kind == "api_error":
            return 200, extra, {"json": {"errors": [list(fault.error)]}}
        status, answer = self._route(method, path, key, params, user)
        if fault and fault.kind == "timeout":
            self._release.wait(30)
            return 504, extra, {"message": "too late", "error": 504}
        return status, extra, answer

    def _ratelimit_headers(self) -> dict[str, str]:
        with self._lock:
            self.ratelimit_used += 1
            remaining = max(0, self.ratelimit_limit - self.ratelimit_used)
        reset = self.ratelimit_window - int(self.clock()) % self.ratelimit_window
        return {
            "x-ratelimit-used": str(self.ratelimit_used),
            "x-ratelimit-remaining": f"{remaining:.1f}",
            "x-ratelimit-reset": str(reset),
        }

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

    # -- API -----------------------------------------------------------------------------------

    def _route(self, method: str, path: str, key: str, p: dict, user: str) -> tuple[int, Any]:
        parts = [x for x in path.split("/") if x]
        if key == "/api/v1/me":
            return 200, self._about(user)["data"]
        if key == "/api/v1/me/karma":
            link, comment = self._users[user]["karma"]
            return 200, {
                "kind": "KarmaList",
                "data": [{"sr": "socialbot_test", "comment_karma": comment, "link_karma": link}],
            }
        if key in ("/api/submit", "/api/submit_poll_post"):
            return 200, self._submit(p, user, poll=key.endswith("poll_post"))
        if key == "/api/comment":
            return 200, self._reply(p, user)
        if key == "/api/del":
            thing = self._things.get(p.get("id", ""))
            if thing is not None and thing.author == user:
                thing.deleted = True
            return 200, {}
        if key == "/api/set_suggested_sort":
            self._things[p["id"]].suggested_sort = p.get("sort") or None
            return 200, {"json": {"errors": []}}
        if key == "/api/info":
            names = [n for n in p.get("id", "").split(",") if n in self._things]
            return 200, self._listing([self._things[n] for n in names], {"limit": "100"})
        if key == "/api/morechildren":
            return 200, self._morechildren(p)
        if key == "/comments/{id}":
            return self._comments(parts, p)
        if key == "/message/mentions":
            inbox = [self._things[n] for n in reversed(self._mentions[user]) if not self._things[n].deleted]
            return 200, self._listing(inbox, p, inbox=True)
        if key == "/user/{name}/about":
            return (
                (200, self._about(parts[1]))
                if parts[1] in self._users
                else (404, {"message": "Not Found", "error": 404})
            )
        if key in ("/user/{name}/submitted", "/user/{name}/comments"):
            kind = "t3" if parts[2] == "submitted" else "t1"
            mine = [t for t in self._newest() if t.kind == kind and t.author == parts[1] and not t.deleted]
            return 200, self._listing(mine, p)
        if key == "/r/{sub}/api/link_flair_v2":
            return 200, [self._flair_template(f) for f in self._sub(parts[1])["flairs"]]
        if key in ("/r/{sub}/new", "/r/{sub}/search"):
            sub = parts[1].lower()
            found = [
                t for t in self._newest() if t.kind == "t3" and not t.deleted and sub in ("all", t.subreddit.lower())
            ]
            if key.endswith("search"):
                query = p.get("q", "").lower()
                found = [t for t in found if query in f"{t.title}\n{t.text}".lower()]
            listing = self._listing(found, p)
            if key.endswith("search"):
                listing["data"]["facets"] = {}
            return 200, listing
        return 404, {"message": "Not Found", "error": 404}

    def _newest(self) -> list[_Thing]:
        return sorted(self._things.values(), key=lambda t: int(t.id, 36), reverse=True)

    def _submit(self, p: dict, user: str, *, poll: bool) -> dict:
        sub = self._sub(p.get("sr", ""))
        title = str(p.get("title", ""))
        errors = []
        if sub["banned"]:
            errors.append(["SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr"])
        if not title:
            errors.append(["NO_TEXT", "we need something here", "title"])
        if len(title) > 300:
            errors.append(["TOO_LONG", "this is too long (max: 300)", "title"])
        flair = None
        if p.get("flair_id"):
            flair = next((f for f in sub["flairs"] if f["id"] == p["flair_id"]), None)
            if flair is None:
                errors.append(["BAD_FLAIR_TEMPLATE_ID", "That flair template ID is invalid.", "flair"])
        elif sub["flair_required"]:
            errors.append(["SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair"])
        if errors:
            return {"json": {"errors": errors}}
        truthy = lambda v: v in (True, "True", "true", "1")  # noqa: E731 - form and JSON bodies differ
        thing = _Thing(
            "t3",
            self._new_id(),
            user,
            sub["name"],
            self.clock(),
            text=str(p.get("text", "")),
            title=title,
            url=p.get("url") if p.get("kind") == "link" else None,
            flair=flair,
            nsfw=truthy(p.get("nsfw")),
            spoiler=truthy(p.get("spoiler")),
        )
        if poll:
            end_ms = int((self.clock() + int(p.get("duration", 3)) * 86400) * 1000)
            options = [{"text": o, "vote_count": 0, "id": str(600000 + i)} for i, o in enumerate(p.get("options", []))]
            thing.poll = {
                "user_selection": None,
                "options": options,
                "voting_end_timestamp": end_ms,
                "total_vote_count": 0,
            }
        self._things[thing.name] = thing
        url = f"{self.base_url}/r/{sub['name']}/comments/{thing.id}/post/"
        if poll:  # recorded traffic: the poll endpoint calls the fullname "id" and sends no "name"
            return {"json": {"errors": [], "data": {"url": url, "id": thing.name}}}
        return {"json": {"errors": [], "data": {"url": url, "drafts_count": 0, "id": thing.id, "name": thing.name}}}

    def _reply(self, p: dict, user: str) -> dict:
        parent = self._things.get(p.get("thing_id", ""))
        if parent is None or parent.deleted:
            return {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
        fullname = self.comment(parent.name, user, str(p.get("text", "")))
        return {"json": {"errors": [], "data": {"things": [self._wrap(self._things[fullname])]}}}

    def _comments(self, parts: list[str], p: dict) -> tuple[int, Any]:
        link = self._things.get(f"t3_{parts[1]}")
        if link is None:
            return 404, {"message": "Not Found", "error": 404}
        budget = [min(self.more_threshold, int(p.get("limit") or 500))]
        if len(parts) >= 4 and parts[2] == "_":
            focus = self._things.get(f"t1_{parts[3]}")
            if focus is None:
                return 404, {"message": "Not Found", "error": 404}
            tree = [self._wrap(focus, replies=self._tree(focus.name, budget, depth=1))]
        else:
            tree = self._tree(link.name, budget, depth=0)
        comments = {"kind": "Listing", "data": self._listing_data(tree, after=None)}
        return 200, [self._listing([link], {}), comments]

    def _alive(self, fullname: str) -> bool:
        return not self._things[fullname].deleted or bool(self._children[fullname])

    def _tree(self, parent: str, budget: list[int], *, depth: int) -> list[dict]:
        out, hidden = [], []
        for name in [n for n in reversed(self._children[parent]) if self._alive(n)]:  # sort=new
            if budget[0] > 0:
                budget[0] -= 1
                out.append(
                    self._wrap(self._things[name], replies=self._tree(name, budget, depth=depth + 1), depth=depth)
                )
            else:
                hidden.append(name)
        chunk: list[str] = []
        for name in hidden:  # whole sibling subtrees, pre-order, at most 100 ids per "more" object
            for fullname in self._subtree(name):
                chunk.append(fullname[3:])
                if len(chunk) == 100:
                    out.append(self._more(parent, chunk, depth))
                    chunk = []
        if chunk:
            out.append(self._more(parent, chunk, depth))
        return out

    def _subtree(self, fullname: str) -> list[str]:
        found = [fullname]
        for child in reversed(self._children[fullname]):
            if self._alive(child):
                found.extend(self._subtree(child))
        return found

    @staticmethod
    def _more(parent: str, ids: list[str], depth: int) -> dict:
        data = {
            "count": len(ids),
            "name": f"t1_{ids[0]}",
            "id": ids[0],
            "parent_id": parent,
            "depth": depth,
            "children": list(ids),
        }
        return {"kind": "more", "data": data}

    def _morechildren(self, p: dict) -> dict:
        ids = [i for i in p.get("children", "").split(",") if f"t1_{i}" in self._things]
        things = [self._wrap(self._things[f"t1_{i}"]) for i in ids[:100]]
        if len(ids) > 100:
            things.append(self._more(self._things[f"t1_{ids[100]}"].parent, ids[100:], 0))
        return {"json": {"errors": [], "data": {"things": things}}}

    def _listing(self, things: list[_Thing], p: dict, *, inbox: bool = False) -> dict:
        limit = max(1, min(100, int(p.get("limit") or 25)))
        names = [t.name for t in things]
        start = 0
        if p.get("after") in names:
            start = names.index(p["after"]) + 1
        end = len(things)
        if p.get("before") in names:
            end = names.index(p["before"])
            start = max(start, end - limit)
        page = things[start : min(end, start + limit)]
        after = page[-1].name if page and start + limit < end else None
        children = [self._wrap(t, inbox=inbox) for t in page]
        return {"kind": "Listing", "data": self._listing_data(children, after=after, before=None)}

    @staticmethod
    def _listing_data(children: list[dict], *, after: str | None, before: str | None = None) -> dict:
        return {
            "after": after,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": before,
        }

    def _about(self, name: str) -> dict:
        u = self._users[name]
        if u["suspended"]:
            return {"kind": "t2", "data": {"name": name, "is_suspended": True}}
        link, comment = u["karma"]
        data = {
            "is_employee": False,
            "has_mail": False,
            "name": name,
            "created": u["created"],
            "hide_from_robots": False,
            "is_suspended": False,
            "created_utc": u["created"],
            "has_mod_mail": False,
            "link_karma": link,
            "in_beta": False,
            "comment_karma": comment,
            "total_karma": link + comment,
            "over_18": False,
            "is_gold": False,
            "is_mod": True,
            "id": u["id"],
            "gold_expiration": None,
            "inbox_count": 0,
            "has_verified_email": True,
            "gold_creddits": 0,
            "suspension_expiration_utc": None,
            "verified": True,
            "icon_img": "",
            "awardee_karma": 0,
            "awarder_karma": 0,
        }
        return {"kind": "t2", "data": data}

    @staticmethod
    def _flair_template(f: dict) -> dict:
        return {
            "type": "text",
            "text_editable": False,
            "allowable_content": "all",
            "text": f["text"],
            "max_emojis": 10,
            "text_color": "dark",
            "mod_only": False,
            "css_class": "",
            "richtext": [],
            "background_color": "",
            "id": f["id"],
        }

    def _wrap(self, t: _Thing, *, replies: list[dict] | None = None, depth: int = 0, inbox: bool = False) -> dict:
        author = "[deleted]" if t.deleted else t.author
        author_id = self._users.get(t.author, {}).get("id", "0")
        common = {
            "id": t.id,
            "name": t.name,
            "author": author,
            "author_fullname": f"t2_{author_id}",
            "score": t.score,
            "ups": t.score,
            "created": t.created_utc,
            "created_utc": t.created_utc,
            "subreddit": t.subreddit,
            "subreddit_id": f"t5_{self._sub(t.subreddit)['id']}",
            "subreddit_name_prefixed": f"r/{t.subreddit}",
        }
        if t.kind == "t3":
            kids = [n for n in self._children[t.name] if self._alive(n)]
            count = sum(len(self._subtree(n)) for n in kids)
            data = (
                _T3_DEFAULTS
                | common
                | {
                    "title": t.title,
                    "selftext": "[deleted]" if t.deleted else t.text,
                    "url": t.url or f"/r/{t.subreddit}/comments/{t.id}/",
                    "is_self": t.url is None,
                    "domain": f"self.{t.subreddit}" if t.url is None else urlsplit(t.url).netloc,
                    "permalink": f"/r/{t.subreddit}/comments/{t.id}/post/",
                    "num_comments": count,
                    "upvote_ratio": 1.0,
                    "over_18": t.nsfw,
                    "spoiler": t.spoiler,
                    "suggested_sort": t.suggested_sort,
                    "link_flair_text": t.flair["text"] if t.flair else None,
                    "link_flair_template_id": t.flair["id"] if t.flair else None,
                }
            )
            if t.poll is not None:
                total = sum(o["vote_count"] for o in t.poll["options"])
                data["poll_data"] = json.loads(json.dumps(t.poll)) | {"total_vote_count": total}
            return {"kind": "t3", "data": data}
        link = self._things[t.link]
        data = (
            _T1_DEFAULTS
            | common
            | {
                "body": "[deleted]" if t.deleted else t.text,
                "body_html": f'<div class="md"><p>{t.text}</p></div>',
                "parent_id": t.parent,
                "link_id": t.link,
                "depth": depth,
                "link_title": link.title,
                "permalink": f"/r/{t.subreddit}/comments/{link.id}/post/{t.id}/",
                "replies": {"kind": "Listing", "data": self._listing_data(replies, after=None)} if replies else "",
            }
        )
        if inbox:
            data |= {
                "context": f"/r/{t.subreddit}/comments/{link.id}/post/{t.id}/?context=3",
                "new": True,
                "type": "username_mention",
                "subject": "username mention",
                "was_comment": True,
                "dest": self.username,
            }
        return {"kind": "t1", "data": data}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # and one write per answer: no 40 ms delayed-ACK stalls on keep-alive

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests capture logs, and URLs may hold codes
        return

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, answer = self.server.standin.handle(method, self.path, self.headers, body)  # type: ignore[attr-defined]
        payload = json.dumps(answer).encode()
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Content-Type: application/json; charset=UTF-8"]
        lines += [f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
        if self.close_connection:  # prawcore asks "Connection: close" on token calls; say so, as real servers do
            lines.append("Connection: close")
        lines += ["", ""]
        self.wfile.write("\r\n".join(lines).encode() + payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


def credentials_for(standin: RedditApiStandIn, *, profile: str = "default", refresh_token: str | None = None):
    """Script-app credentials (or refresh-token ones) that log in to ``standin``."""
    from pydantic import SecretStr

    from socialbot.platforms.credentials import RedditCredentials

    return RedditCredentials(
        profile=profile,
        client_id=SecretStr(standin.client_id),
        client_secret=SecretStr(standin.client_secret) if standin.client_secret else None,
        username=None if refresh_token else standin.username,
        password=None if refresh_token else SecretStr(standin._passwords[standin.username]),
        refresh_token=SecretStr(refresh_token) if refresh_token else None,
    )


def platform_for(standin: RedditApiStandIn, **options: Any):
    """A real ``RedditPlatform`` (real praw) pointed at ``standin``."""
    from socialbot.platforms.reddit import RedditPlatform

    options.setdefault("credentials", credentials_for(standin))
    options.setdefault("timeout", 5.0)
    return RedditPlatform(
        oauth_url=standin.base_url,
        reddit_url=standin.base_url,
        short_url=standin.base_url,
        user_agent="python:socialbot:tests (by /u/socialbot_test)",
        **options,
    )
