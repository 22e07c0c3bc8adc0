"""A local, stateful stand-in of the X API v2 (plus v1.1 media upload and OAuth 1.0a) on 127.0.0.1 for the real tweepy."""

from __future__ import annotations

import email.parser
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from pydantic import SecretStr

from socialbot.platforms.credentials import XCredentials

TWITTER_EPOCH_MS = 1288834974657
WINDOW_SECONDS = 900
SEARCH_DAYS = 7
LIMITS = {  # requests per 15-minute window, as documented for the Basic tier / seen in recorded headers
    "POST /2/tweets": 200,
    "DELETE /2/tweets/:id": 50,
    "GET /2/tweets/search/recent": 450,
    "GET /2/tweets/search/all": 300,
    "GET /2/users/:id/mentions": 450,
    "GET /2/users/:id/tweets": 900,
    "GET /2/tweets/:id/liking_users": 75,
    "GET /2/tweets/:id/retweeted_by": 75,
    "GET /2/tweets/:id/quote_tweets": 75,
    "GET /2/tweets": 300,
    "GET /2/tweets/:id": 300,
    "GET /2/users": 300,
    "GET /2/users/me": 75,
}
_ID = re.compile(r"/\d{3,}(?=/|$)")
_PROBLEM = "https://api.twitter.com/2/problems/"


def endpoint_of(method: str, path: str) -> str:
    """``GET /2/tweets/:id/liking_users`` for ``GET /2/tweets/123/liking_users``."""
    return f"{method} {_ID.sub('/:id', path.rstrip('/') or '/')}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"


def _parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclass
class Fault:
    """One injected failure: ``kind`` is "status", "timeout", "disconnect" or "malformed"."""

    kind: str = "status"
    status: int = 503
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class ApiError(Exception):
    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _invalid(message: str, **parameters: list[str]) -> ApiError:
    return ApiError(
        400,
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": f"{_PROBLEM}invalid-request",
        },
    )


class XApiStandIn:
    """The X API as tweepy sees it: ``with XApiStandIn() as x: XPlatform(credentials=x.credentials(), api_url=x.base_url)``.

    The audience acts through ``add_user``, ``reply``, ``mention``, ``like``, ``repost``, ``quote``, ``post``
    and ``vote``; ``fail`` injects faults per endpoint; ``calls`` counts requests per endpoint.
    """

    def __init__(self, *, clock: Callable[[], float] | None = None, username: str = "socialbot_brand") -> None:
        self.clock = clock or time.time
        self.calls: Counter[str] = Counter()
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.likes: dict[str, list[str]] = {}
        self.retweets: dict[str, list[str]] = {}
        self.polls: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.windows: dict[str, list[float]] = {}  # endpoint -> [remaining, reset epoch]
        self.api_key, self.api_secret = "standin-key-" + secrets.token_hex(8), "standin-secret-" + secrets.token_hex(12)
        self.bearer_token = "standin-bearer-" + secrets.token_hex(16)
        self._tokens: dict[str, tuple[str, str]] = {}  # access token -> (secret, user id)
        self._request_tokens: dict[str, dict] = {}
        self._last_id = 0
        self._lock = threading.RLock()
        self._release = threading.Event()
        self.account_id = self.add_user(username, name="Socialbot Brand", followers=1200, verified=True)
        self.access_token, self.access_token_secret = self._issue_token(self.account_id)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="x-api-stand-in", daemon=True
        )
        self._thread.start()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    upload_url = base_url

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> XApiStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def credentials(self, profile: str = "default", *, bearer: bool = False) -> XCredentials:
        return XCredentials(
            profile=profile,
            api_key=SecretStr(self.api_key),
            api_secret=SecretStr(self.api_secret),
            access_token=SecretStr(self.access_token),
            access_token_secret=SecretStr(self.access_token_secret),
            bearer_token=SecretStr(self.bearer_token) if bearer else None,
        )

    # -- the world -----------------------------------------------------------------------------

    def _next_id(self) -> str:
        with self._lock:
            candidate = (int(self.clock() * 1000) - TWITTER_EPOCH_MS) << 22
            self._last_id = max(candidate, self._last_id + 1)
            return str(self._last_id)

    def _issue_token(self, user_id: str) -> tuple[str, str]:
        token = f"{user_id}-{secrets.token_hex(12)}"
        secret = secrets.token_hex(20)
        self._tokens[token] = (secret, user_id)
        return token, secret

    def add_user(
        self,
        username: str,
        *,
        name: str | None = None,
        followers: int = 10,
        following: int = 20,
        verified: bool = False,
        protected: bool = False,
        created_at: float | None = None,
        description: str = "Fan of #socialbot",
        url: str = "https://example.org",
        location: str = "Lyon",
    ) -> str:
        user_id = self._next_id()
        self.users[user_id] = {
            "id": user_id,
            "username": username,
            "name": name or username.title(),
            "created_at": created_at if created_at is not None else self.clock() - 400 * 86400,
            "followers": followers,
            "following": following,
            "verified": verified,
            "protected": protected,
            "description": description,
            "url": url,
            "location": location,
        }
        return user_id

    def post(
        self,
        user_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        quote_of: str | None = None,
        retweet_of: str | None = None,
        **extra,
    ) -> str:
        """A post by anyone (used by the helpers and by POST /2/tweets)."""
        with self._lock:
            tweet_id = self._next_id()
            parent = self.tweets.get(reply_to) if reply_to else None
            self.tweets[tweet_id] = {
                "id": tweet_id,
                "text": text,
                "author_id": user_id,
                "created_at": self.clock(),
                "conversation_id": parent["conversation_id"] if parent else tweet_id,
                "in_reply_to": reply_to,
                "in_reply_to_user_id": parent["author_id"] if parent else None,
                "quote_of": quote_of,
                "retweet_of": retweet_of,
                "reply_settings": "everyone",
                **extra,
            }
            return tweet_id

    def reply(self, tweet_id: str, user_id: str, text: str) -> str:
        return self.post(user_id, text, reply_to=tweet_id)

    def reply_many(self, tweet_id: str, count: int, *, prefix: str = "fan") -> list[str]:
        """``count`` distinct new people reply once each to ``tweet_id``."""
        ids = []
        for n in range(count):
            user = self.add_user(f"{prefix}{len(self.users)}_{n}")
            ids.append(self.reply(tweet_id, user, f"Reply {n} from a fan"))
        return ids

    def mention(self, user_id: str, text: str) -> str:
        return self.post(user_id, f"@{self.users[self.account_id]['username']} {text}")

    def quote(self, tweet_id: str, user_id: str, text: str) -> str:
        return self.post(user_id, text, quote_of=tweet_id)

    def like(self, tweet_id: str, user_id: str) -> None:
        with self._lock:
            self.likes.setdefault(tweet_id, []).insert(0, user_id)

    def repost(self, tweet_id: str, user_id: str) -> None:
        with self._lock:
            self.retweets.setdefault(tweet_id, []).insert(0, user_id)

    def vote(self, tweet_id: str, option: int, *, votes: int = 1) -> None:
        """``votes`` people pick option ``option`` (1-based) of the poll on ``tweet_id``; refused once closed."""
        with self._lock:
            poll = self.polls[self.tweets[tweet_id]["poll_id"]]
            if self.clock() >= poll["end"]:
                raise ValueError("this poll is closed")
            poll["votes"][option - 1] += votes

    # -- fault injection and rate limits -------------------------------------------------------

    def fail(self, endpoint: str, fault: Fault | None = None, **kw) -> None:
        """Make the next ``times`` calls to ``endpoint`` (e.g. "POST /2/tweets") fail as described."""
        self.faults.setdefault(endpoint, []).append(fault or Fault(**kw))

    def set_budget(self, endpoint: str, *, remaining: int, reset_in: float = WINDOW_SECONDS) -> None:
        self.windows[endpoint] = [remaining, self.clock() + reset_in]

    def _rate(self, endpoint: str) -> tuple[dict[str, str], bool]:
        limit = LIMITS.get(endpoint, 900)
        now = self.clock()
        window = self.windows.get(endpoint)
        if window is None or now >= window[1]:
            window = self.windows[endpoint] = [limit, now + WINDOW_SECONDS]
        allowed = window[0] > 0
        if allowed:
            window[0] -= 1
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(int(window[0])),
            "x-rate-limit-reset": str(int(window[1])),
        }
        return headers, allowed

    # -- rendering -----------------------------------------------------------------------------

    def _counts(self, tweet: dict) -> dict:
        tid = tweet["id"]
        replies = sum(1 for t in self.tweets.values() if t["in_reply_to"] == tid)
        quotes = sum(1 for t in self.tweets.values() if t["quote_of"] == tid)
        likes, reposts = len(self.likes.get(tid, ())), len(self.retweets.get(tid, ()))
        return {
            "retweet_count": reposts,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": quotes,
            "bookmark_count": 0,
            "impression_count": 25 * (1 + replies + likes + reposts + quotes),
        }

    def render_tweet(self, tweet: dict, fields: set[str]) -> dict:
        out = {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}
        refs = [{"type": "replied_to", "id": tweet["in_reply_to"]}] if tweet["in_reply_to"] else []
        refs += [{"type": "quoted", "id": tweet["quote_of"]}] if tweet["quote_of"] else []
        refs += [{"type": "retweeted", "id": tweet["retweet_of"]}] if tweet.get("retweet_of") else []
        attachments = {}
        if tweet.get("poll_id"):
            attachments["poll_ids"] = [tweet["poll_id"]]
        if tweet.get("media_keys"):
            attachments["media_keys"] = list(tweet["media_keys"])
        values = {
            "created_at": _iso(tweet["created_at"]),
            "author_id": tweet["author_id"],
            "conversation_id": tweet["conversation_id"],
            "in_reply_to_user_id": tweet["in_reply_to_user_id"],
            "referenced_tweets": refs or None,
            "public_metrics": self._counts(tweet),
            "attachments": attachments or None,
            "reply_settings": tweet["reply_settings"],
            "lang": "en",
            "source": "Twitter Web App",
            "possibly_sensitive": False,
            "entities": _entities(tweet["text"]) or None,
            "context_annotations": [
                {
                    "domain": {
                        "id": "131",
                        "name": "Unified Twitter Taxonomy",
                        "description": "A taxonomy of user interests.",
                    },
                    "entity": {
                        "id": "848920371311001600",
                        "name": "Technology",
                        "description": "Technology and computing",
                    },
                }
            ],
            "edit_controls": {
                "edits_remaining": 5,
                "is_edit_eligible": True,
                "editable_until": _iso(tweet["created_at"] + 3600),
            },
        }
        out |= {k: v for k, v in values.items() if k in fields and v is not None}
        return out

    def render_user(self, user: dict, fields: set[str]) -> dict:
        out = {"id": user["id"], "name": user["name"], "username": user["username"]}
        entities = {}
        if user["url"]:
            entities["url"] = {
                "urls": [
                    {
                        "start": 0,
                        "end": 23,
                        "url": "https://t.co/standin1",
                        "expanded_url": user["url"],
                        "display_url": user["url"].split("://", 1)[-1],
                    }
                ]
            }
        tags = _entities(user["description"]).get("hashtags")
        if tags:
            entities["description"] = {"hashtags": tags}
        values = {
            "created_at": _iso(user["created_at"]),
            "description": user["description"],
            "entities": entities or None,
            "location": user["location"] or None,
            "profile_image_url": "https://pbs.twimg.com/profile_images/0/standin_normal.jpg",
            "protected": user["protected"],
            "public_metrics": {
                "followers_count": user["followers"],
                "following_count": user["following"],
                "tweet_count": sum(1 for t in self.tweets.values() if t["author_id"] == user["id"]),
                "listed_count": 0,
            },
            "url": "https://t.co/standin1" if user["url"] else "",
            "verified": user["verified"],
            "verified_type": "business" if user["verified"] else "none",
        }
        out |= {k: v for k, v in values.items() if k in fields and v is not None}
        return out

    def render_poll(self, poll_id: str, fields: set[str]) -> dict:
        poll = self.polls[poll_id]
        out = {
            "id": poll_id,
            "options": [
                {"position": n + 1, "label": label, "votes": poll["votes"][n]}
                for n, label in enumerate(poll["options"])
            ],
        }
        values = {
            "duration_minutes": poll["duration"],
            "end_datetime": _iso(poll["end"]),
            "voting_status": "open" if self.clock() < poll["end"] else "closed",
        }
        out |= {k: v for k, v in values.items() if k in fields}
        return out

    def envelope(self, tweets: list[dict], query: dict[str, str], *, single: bool = False) -> dict:
        """``data`` + ``includes`` for a list of tweets, honouring tweet.fields / user.fields / expansions."""
        fields = _set(query.get("tweet.fields"))
        user_fields = _set(query.get("user.fields"))
        expansions = _set(query.get("expansions"))
        data = [self.render_tweet(t, fields) for t in tweets]
        includes: dict[str, list] = {}
        users: dict[str, dict] = {}
        for tweet in tweets:
            wanted = []
            if "author_id" in expansions:
                wanted.append(tweet["author_id"])
            if "in_reply_to_user_id" in expansions and tweet["in_reply_to_user_id"]:
                wanted.append(tweet["in_reply_to_user_id"])
            for uid in wanted:
                if uid in self.users:
                    users.setdefault(uid, self.render_user(self.users[uid], user_fields))
        if users:
            includes["users"] = list(users.values())
        if "referenced_tweets.id" in expansions:
            refs = [
                self.tweets[r]
                for t in tweets
                for r in (t["in_reply_to"], t["quote_of"], t.get("retweet_of"))
                if r in self.tweets
            ]
            if refs:
                includes["tweets"] = [self.render_tweet(t, fields) for t in refs]
        if "edit_history_tweet_ids" in expansions:
            includes.setdefault("tweets", []).extend(self.render_tweet(t, fields) for t in tweets)
        if "attachments.poll_ids" in expansions:
            polls = [self.render_poll(t["poll_id"], _set(query.get("poll.fields"))) for t in tweets if t.get("poll_id")]
            if polls:
                includes["polls"] = polls
        body: dict = {}
        if data:
            body["data"] = data[0] if single else data
        if includes:
            body["includes"] = includes
        return body

    # -- request handling (called from the server threads) --------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        endpoint = endpoint_of(method, path)
        with self._lock:
            self.calls[endpoint] += 1
            faults = self.faults.get(endpoint)
            fault = faults[0] if faults else None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
            rate_headers, allowed = self._rate(endpoint)
        if fault is not None and fault.kind in ("timeout", "disconnect"):
            return -1 if fault.kind == "disconnect" else -2, {}, b""
        if fault is not None and fault.kind == "malformed":
            return 200, {**rate_headers, "content-type": "application/json"}, b'{"data": {"id": "1", "te'
        if fault is not None:
            status_body = fault.body or {
                "title": "Service Unavailable",
                "detail": "Service Unavailable",
                "type": "about:blank",
                "status": fault.status,
            }
            hdrs = {**rate_headers, **fault.headers}
            if fault.status == 429:
                hdrs["x-rate-limit-remaining"] = "0"
            return fault.status, hdrs, json.dumps(status_body).encode()
        if not allowed:
            return (
                429,
                rate_headers,
                json.dumps(
                    {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
                ).encode(),
            )
        try:
            with self._lock:
                status, payload, content_type = self._route(method, path, query, headers, body)
        except ApiError as exc:
            return (
                exc.status,
                {**rate_headers, **exc.headers, "content-type": "application/json; charset=utf-8"},
                (json.dumps(exc.body).encode()),
            )
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return status, {**rate_headers, "content-type": content_type}, raw

    def _caller(self, headers: dict[str, str], *, user_context: bool) -> str | None:
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer ") and not user_context:
            if auth[7:] == self.bearer_token:
                return None
        elif auth.startswith("OAuth "):
            params = dict(re.findall(r'(\w+)="([^"]*)"', auth))
            token = unquote(params.get("oauth_token", ""))
            if unquote(params.get("oauth_consumer_key", "")) == self.api_key and token in self._tokens:
                return self._tokens[token][1]
        if auth.startswith("Bearer ") and user_context:
            raise ApiError(
                403,
                {
                    "title": "Unsupported Authentication",
                    "detail": "Authenticating with OAuth 2.0 "
                    "Application-Only is forbidden for this endpoint.  Supported authentication types "
                    "are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                    "type": f"{_PROBLEM}unsupported-authentication",
                    "status": 403,
                },
            )
        raise ApiError(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})

    def _route(self, method, path, query, headers, body):
        return _route(self, method, path, query, headers, body)


def _set(value: str | None) -> set[str]:
    return set(filter(None, (value or "").split(",")))


def _entities(text: str) -> dict:
    out: dict[str, list] = {}
    for key, pattern, name in (("hashtags", r"#(\w+)", "tag"), ("mentions", r"@(\w+)", "username")):
        found = [{"start": m.start(), "end": m.end(), name: m.group(1)} for m in re.finditer(pattern, text)]
        if found:
            out[key] = found
    urls = [
        {
            "start": m.start(),
            "end": m.end(),
            "url": m.group(0),
            "expanded_url": m.group(0),
            "display_url": m.group(0).split("://", 1)[-1],
        }
        for m in re.finditer(r"https?://\S+", text)
    ]
    if urls:
        out["urls"] = urls
    annotations = [
        {"start": m.start(), "end": m.end() - 1, "probability": 0.5, "type": "Other", "normalized_text": m.group(0)}
        for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text)
    ]
    if annotations:
        out["annotations"] = annotations
    return out


def form(payload: dict[str, str]) -> bytes:
    return urlencode(payload).encode()


def parse_multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields = {}
    for part in message.get_payload() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = part.get_payload(decode=True) or b""
    return fields


def _handler_for(standin: XApiStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests capture logs
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out_headers, payload = standin.handle(self.command, self.path, headers, body)
            if status < 0:  # -1 disconnect, -2 hold then disconnect (the client's read timeout fires first)
                if status == -2:
                    standin._release.wait(5)
                self.close_connection = True
                return
            self.send_response(status)
            for key, value in out_headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

    return Handler


# -- routes ---------------------------------------------------------------------------------------

JSON = "application/json; charset=utf-8"


def _not_found(kind: str, value: str, parameter: str = "id") -> ApiError:
    return ApiError(
        404 if kind == "tweet-delete" else 200,
        {
            "errors": [
                {
                    "value": value,
                    "detail": f"Could not find tweet with {parameter}: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": parameter,
                    "resource_id": value,
                    "type": f"{_PROBLEM}resource-not-found",
                }
            ]
        },
    )


def _max_results(query: dict[str, str], *, low: int, high: int, default: int) -> int:
    value = int(query.get("max_results", default))
    if not low <= value <= high:
        raise _invalid(
            f"The `max_results` query parameter value [{value}] is not between {low} and {high}",
            max_results=[str(value)],
        )
    return value


def _page(items: list, query: dict[str, str], *, size: int, token_name: str) -> tuple[list, dict]:
    """Offset pagination with an opaque token; items are already newest first."""
    token = query.get(token_name)
    start = int(token[1:], 36) if token else 0
    chunk = items[start : start + size]
    meta: dict = {"result_count": len(chunk)}
    if start + size < len(items):
        meta["next_token"] = "b" + _b36(start + size)
    return chunk, meta


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _timeline(x: XApiStandIn, tweets: list[dict], query: dict[str, str], *, size: int, token_name: str) -> dict:
    tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
    if "since_id" in query:
        tweets = [t for t in tweets if int(t["id"]) > int(query["since_id"])]
    if "until_id" in query:
        tweets = [t for t in tweets if int(t["id"]) < int(query["until_id"])]
    if "start_time" in query:
        tweets = [t for t in tweets if t["created_at"] >= _parse_iso(query["start_time"])]
    if "end_time" in query:
        tweets = [t for t in tweets if t["created_at"] < _parse_iso(query["end_time"])]
    chunk, meta = _page(tweets, query, size=size, token_name=token_name)
    body = x.envelope(chunk, query)
    if chunk:
        meta = {"newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"], **meta}
    body["meta"] = meta
    return body


def _route(x: XApiStandIn, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    segments = path.strip("/").split("/")
    if segments[0] == "oauth":
        return _oauth(x, method, segments[1], query, headers, body)
    if segments[:2] == ["1.1", "media"]:
        x._caller(headers, user_context=True)
        return _media(x, method, path, query, headers, body)
    if segments[0] != "2":
        raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
    rest = segments[1:]
    write = method != "GET"
    me = x._caller(headers, user_context=write or rest == ["users", "me"])
    match method, rest:
        case "POST", ["tweets"]:
            return 201, _create(x, me, json.loads(body or b"{}")), JSON
        case "DELETE", ["tweets", tweet_id]:
            tweet = x.tweets.get(tweet_id)
            if tweet is None:
                raise _not_found("tweet-delete", tweet_id)
            if tweet["author_id"] != me:
                raise ApiError(
                    403,
                    {
                        "title": "Forbidden",
                        "type": "about:blank",
                        "status": 403,
                        "detail": "You are not allowed to delete this Tweet.",
                    },
                )
            del x.tweets[tweet_id]
            return 200, {"data": {"deleted": True}}, JSON
        case "GET", ["tweets", "search", ("recent" | "all") as scope]:
            return 200, _search(x, scope, query), JSON
        case "GET", ["tweets"]:
            ids = [i for i in query.get("ids", "").split(",") if i]
            if not 1 <= len(ids) <= 100:
                raise _invalid(
                    "The number of values in the `ids` query parameter list must be between 1 and 100",
                    ids=[query.get("ids", "")],
                )
            found = [x.tweets[i] for i in ids if i in x.tweets]
            out = x.envelope(found, query)
            errors = [_not_found("tweet", i, "ids").body["errors"][0] for i in ids if i not in x.tweets]
            if errors:
                out["errors"] = errors
            return 200, out, JSON
        case "GET", ["tweets", tweet_id]:
            if tweet_id not in x.tweets:
                return 200, _not_found("tweet", tweet_id).body, JSON
            return 200, x.envelope([x.tweets[tweet_id]], query, single=True), JSON
        case "GET", ["tweets", tweet_id, ("liking_users" | "retweeted_by") as kind]:
            people = (x.likes if kind == "liking_users" else x.retweets).get(tweet_id, [])
            if kind == "liking_users":
                people = people[:100]  # X lists only the 100 most recent likers
            size = _max_results(query, low=1, high=100, default=100)
            chunk, meta = _page(people, query, size=size, token_name="pagination_token")
            out: dict = {"meta": meta}
            if chunk:
                out = {"data": [x.render_user(x.users[u], _set(query.get("user.fields"))) for u in chunk], "meta": meta}
            return 200, out, JSON
        case "GET", ["tweets", tweet_id, "quote_tweets"]:
            quotes = [t for t in x.tweets.values() if t["quote_of"] == tweet_id]
            size = _max_results(query, low=10, high=100, default=10)
            return 200, _timeline(x, quotes, query, size=size, token_name="pagination_token"), JSON
        case "GET", ["users", "me"]:
            return 200, {"data": x.render_user(x.users[me], _set(query.get("user.fields")))}, JSON
        case "GET", ["users"]:
            ids = [i for i in query.get("ids", "").split(",") if i]
            out = {"data": [x.render_user(x.users[i], _set(query.get("user.fields"))) for i in ids if i in x.users]}
            missing = [i for i in ids if i not in x.users]
            if missing:
                out["errors"] = [
                    {
                        "value": i,
                        "detail": f"Could not find user with ids: [{i}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "ids",
                        "resource_id": i,
                        "type": f"{_PROBLEM}resource-not-found",
                    }
                    for i in missing
                ]
            return 200, out, JSON
        case "GET", ["users", "by", "username", username]:
            user = next((u for u in x.users.values() if u["username"].lower() == username.lower()), None)
            if user is None:
                raise ApiError(
                    200,
                    {
                        "errors": [
                            {
                                "value": username,
                                "detail": f"Could not find user with username: [{username}].",
                                "title": "Not Found Error",
                                "resource_type": "user",
                                "parameter": "username",
                                "resource_id": username,
                                "type": f"{_PROBLEM}resource-not-found",
                            }
                        ]
                    },
                )
            return 200, {"data": x.render_user(user, _set(query.get("user.fields")))}, JSON
        case "GET", ["users", user_id, "mentions"]:
            handle = "@" + x.users[user_id]["username"].lower()
            found = [t for t in x.tweets.values() if handle in t["text"].lower() and t["author_id"] != user_id]
            found = sorted(found, key=lambda t: int(t["id"]), reverse=True)[:800]
            size = _max_results(query, low=5, high=100, default=10)
            return 200, _timeline(x, found, query, size=size, token_name="pagination_token"), JSON
        case "GET", ["users", user_id, "tweets"]:
            own = [t for t in x.tweets.values() if t["author_id"] == user_id]
            size = _max_results(query, low=5, high=100, default=10)
            return 200, _timeline(x, own, query, size=size, token_name="pagination_token"), JSON
    raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})


def _create(x: XApiStandIn, me: str, payload: dict) -> dict:
    text = str(payload.get("text") or "")
    reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
    if not text and not payload.get("media"):
        raise _invalid("text or media is required", text=[""])
    if len(text) > 280:
        raise ApiError(
            403,
            {
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "Your Tweet text is too long. For more information on how Twitter determines "
                "text length see https://github.com/twitter/twitter-text.",
            },
        )
    if any(t["author_id"] == me and t["text"] == text for t in x.tweets.values()):
        raise ApiError(
            403,
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        )
    if reply_to and reply_to not in x.tweets:
        raise ApiError(
            403,
            {
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
            },
        )
    extra: dict = {}
    poll = payload.get("poll")
    if poll:
        options, duration = poll.get("options") or [], int(poll.get("duration_minutes") or 0)
        if not 2 <= len(options) <= 4 or any(len(o) > 25 for o in options) or not 5 <= duration <= 10080:
            raise _invalid("poll: 2 to 4 options of at most 25 characters, 5 to 10080 minutes", poll=[str(poll)])
        poll_id = x._next_id()
        x.polls[poll_id] = {
            "options": list(options),
            "votes": [0] * len(options),
            "duration": duration,
            "end": x.clock() + duration * 60,
        }
        extra["poll_id"] = poll_id
    media_ids = (payload.get("media") or {}).get("media_ids") or []
    for media_id in media_ids:
        if str(media_id) not in x.media:
            raise _invalid(f"Your media IDs are invalid: [{media_id}]", media=[str(media_id)])
    if media_ids:
        extra["media_keys"] = [f"3_{m}" for m in media_ids]
    tweet_id = x.post(me, text, reply_to=reply_to, **extra)
    x.tweets[tweet_id]["reply_settings"] = payload.get("reply_settings") or "everyone"
    return {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}


_TOKEN = re.compile(r'\(|\)|"[^"]*"|[^\s()]+')


def _query_predicate(query: str) -> Callable[[dict, XApiStandIn], bool]:
    """A tiny parser of X search queries: terms, "phrases", -negation, OR, (groups), field:value operators."""
    tokens = _TOKEN.findall(query)
    pos = 0

    def expr():
        nonlocal pos
        alternatives = [sequence()]
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            alternatives.append(sequence())
        return lambda t, x: any(a(t, x) for a in alternatives)

    def sequence():
        nonlocal pos
        factors = []
        while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
            factors.append(factor())
        return lambda t, x: all(f(t, x) for f in factors)

    def factor():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            inner = expr()
            pos += 1  # ")"
            return inner
        if token.startswith("-") and len(token) > 1:
            atom = _atom(token[1:])
            return lambda t, x: not atom(t, x)
        return _atom(token)

    predicate = expr()
    if pos != len(tokens):
        raise _invalid(f"There were errors processing your request: Ambiguous use of ')' in {query!r}", query=[query])
    return predicate


def _atom(token: str) -> Callable[[dict, XApiStandIn], bool]:
    key, _, value = token.partition(":")
    if value and key == "conversation_id":
        return lambda t, x: t["conversation_id"] == value
    if value and key == "from":
        return lambda t, x: x.users[t["author_id"]]["username"].lower() == value.lower()
    if value and key == "is":
        tests = {
            "reply": lambda t: bool(t["in_reply_to"]),
            "quote": lambda t: bool(t["quote_of"]),
            "retweet": lambda t: bool(t.get("retweet_of")),
        }
        return lambda t, x: tests.get(value, lambda _t: False)(t)
    needle = token.strip('"').lower()
    return lambda t, x: needle in t["text"].lower()


def _search(x: XApiStandIn, scope: str, query: dict[str, str]) -> dict:
    text = query.get("query", "")
    if not text or len(text) > 512:
        raise _invalid(
            f"There were errors processing your request: Query is too long or empty ({len(text)} > 512)",
            query=[text[:40]],
        )
    size = _max_results(query, low=10, high=100 if scope == "recent" else 500, default=10)
    now = x.clock()
    floor = now - SEARCH_DAYS * 86400
    if scope == "recent":
        if "start_time" in query and _parse_iso(query["start_time"]) < floor:
            raise _invalid(
                f"Invalid 'start_time':'{query['start_time']}'. 'start_time' must be on or after {_iso(floor)}",
                start_time=[query["start_time"]],
            )
        since = query.get("since_id")
        if since and ((int(since) >> 22) + TWITTER_EPOCH_MS) / 1000 < floor:
            raise _invalid(
                f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after {_iso(floor)}.",
                since_id=[since],
            )
    predicate = _query_predicate(text)
    tweets = [t for t in x.tweets.values() if (scope == "all" or t["created_at"] >= floor) and predicate(t, x)]
    return _timeline(x, tweets, query, size=size, token_name="next_token")


def _oauth(x: XApiStandIn, method: str, step: str, query: dict[str, str], headers: dict[str, str], body: bytes):
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


def _media(x: XApiStandIn, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    content_type = headers.get("content-type", "")
    if path.endswith("/metadata/create.json"):
        payload = json.loads(body or b"{}")
        media = x.media.get(str(payload.get("media_id")))
        if media is None:
            raise ApiError(400, {"errors": [{"code": 324, "message": "Invalid media id."}]})
        media["alt_text"] = (payload.get("alt_text") or {}).get("text")
        return 200, b"", "text/plain"
    fields = (
        parse_multipart(content_type, body)
        if content_type.startswith("multipart/")
        else {k: v[-1].encode() for k, v in parse_qs(body.decode() or "").items()}
    )
    if method == "GET":
        fields = {k: v.encode() for k, v in query.items()}
    command = fields.get("command", b"").decode()
    if command == "INIT":
        media_id = x._next_id()
        x.media[media_id] = {"data": b"", "type": fields.get("media_type", b"").decode(), "alt_text": None}
        return 202, {"media_id": int(media_id), "media_id_string": media_id, "expires_after_secs": 86400}, JSON
    if command in ("APPEND", "FINALIZE", "STATUS"):
        media_id = fields.get("media_id", b"").decode()
        media = x.media.get(media_id)
        if media is None:
            raise ApiError(400, {"errors": [{"code": 324, "message": "Invalid media id."}]})
        if command == "APPEND":
            media["data"] += fields.get("media", b"")
            return 204, b"", "text/plain"
        return (
            201,
            {
                "media_id": int(media_id),
                "media_id_string": media_id,
                "size": len(media["data"]),
                "expires_after_secs": 86400,
                "video": {"video_type": media["type"]},
            },
            JSON,
        )
    data = fields.get("media")
    if not data:
        raise ApiError(400, {"errors": [{"code": 38, "message": "media parameter is missing."}]})
    media_id = x._next_id()
    x.media[media_id] = {"data": data, "type": "image/png", "alt_text": None}
    return (
        200,
        {
            "media_id": int(media_id),
            "media_id_string": media_id,
            "size": len(data),
            "expires_after_secs": 86400,
            "image": {"image_type": "image/png", "w": 1, "h": 1},
        },
        JSON,
    )


# -- test plumbing --------------------------------------------------------------------------------


class Clock:
    """Virtual epoch seconds shared by the stand-in, the adapter's budget and the test."""

    def __init__(self, start: float | None = None) -> None:
        self.t = float(int(start if start is not None else time.time()))

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class XHarness:
    """What ``PlatformContract`` needs, over the X stand-in."""

    def __init__(self, standin: XApiStandIn, clock: Clock, *, timeout: float = 5.0, reserve: int = 1) -> None:
        self.standin = standin
        self.clock = clock
        from socialbot.platforms.base import RateBudget, UsageMeter
        from socialbot.platforms.x import XPlatform

        self.platform = XPlatform(
            credentials=standin.credentials(),
            api_url=standin.base_url,
            upload_url=standin.upload_url,
            timeout=timeout,
            usage=UsageMeter(),
            budget=RateBudget(reserve=reserve, clock=clock),
            clock=clock,
        )

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def add_replies(self, remote_id: str, count: int) -> None:
        self.standin.reply_many(remote_id, count)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
