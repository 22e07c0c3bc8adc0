"""The X stand-in's state: users, tweets, likes, polls, media, tokens, injected faults and rate budgets."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import unquote

from pydantic import SecretStr

from socialbot.platforms.credentials import XCredentials

from .protocol import _PROBLEM, LIMITS, TWITTER_EPOCH_MS, WINDOW_SECONDS, ApiError, Fault
from .render import Rendering


class XWorld(Rendering):
    """What the X API knows, without the HTTP server (``XApiStandIn`` serves it).

    The audience acts through ``add_user``, ``reply``, ``mention``, ``like``, ``repost``, ``quote``, ``retweet``,
    ``post`` and ``vote``; X itself through ``suspend``; ``fail`` injects faults per endpoint; ``calls`` counts
    requests per endpoint and ``queries`` keeps each request's (endpoint, query parameters).
    """

    def __init__(self, *, clock: Callable[[], float] | None = None, username: str = "socialbot_brand") -> None:
        self.clock = clock or time.time
        self.calls: Counter[str] = Counter()
        self.queries: list[tuple[str, dict[str, str]]] = []
        self.honour_exclude = True  # False: answer quote_tweets as if ``exclude`` had not been sent
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
        self.account_id = self.add_user(username, name="Socialbot Brand", followers=1200, verified=True)
        self.access_token, self.access_token_secret = self._issue_token(self.account_id)

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
        verified_type: str | None = None,
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
            "verified_type": verified_type or ("business" if verified else "none"),
            "protected": protected,
            "suspended": False,
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

    def retweet(self, tweet_id: str, user_id: str) -> str:
        """``user_id`` retweets ``tweet_id``: a post "RT @author: text" referencing it as ``retweeted``."""
        original = self.tweets[tweet_id]
        author = self.users[original["author_id"]]["username"]
        with self._lock:
            self.retweets.setdefault(tweet_id, []).insert(0, user_id)
            return self.post(user_id, f"RT @{author}: {original['text']}"[:280], retweet_of=tweet_id)

    def suspend(self, user_id: str) -> None:
        """X suspends the account: lookups answer "User has been suspended" instead of the profile."""
        with self._lock:
            self.users[user_id]["suspended"] = True

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
