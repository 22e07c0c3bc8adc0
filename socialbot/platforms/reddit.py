"""The Reddit adapter: the only module (with reddit_auth.py) importing praw/prawcore; returns frozen values only."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import praw
import prawcore
import requests
from praw.const import API_PATH
from praw.exceptions import PRAWException, RedditAPIException
from praw.models import MoreComments

from socialbot.domain.values import (
    REDDIT_CAPABILITIES,
    AuthorProfile,
    CollectBatch,
    Draft,
    Metrics,
    OwnPost,
    PollOptionResult,
    PollResult,
    Published,
    Target,
)
from socialbot.errors import (
    AuthError,
    ContentRejected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    SocialbotError,
    TransientPlatformError,
)
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import RedditCredentials, credential_var
from socialbot.platforms.reddit_collect import Collection, _data, _fullname, _when

__all__ = ["RedditPlatform", "build_user_agent", "parse_ratelimit_message"]

log = logging.getLogger(__name__)

WINDOW = "reddit"  # Reddit has one rate-limit window per OAuth client + account, shared by every endpoint
_RATELIMIT_HEADERS = ("x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset")
_SIDE_EFFECTS = {"/api/submit", "/api/submit_poll_post", "/api/comment"}  # a lost answer leaves the outcome unknown
_WAIT_RE = re.compile(r"(\d+)\s*(milliseconds?|seconds?|minutes?|hours?)", re.IGNORECASE)
_FULLNAME_RE = re.compile(r"^t[13]_[0-9a-z]+$")


def build_user_agent(*, username: str | None, version: str) -> str:
    """Reddit's required user-agent form: ``python:socialbot:<version> (by /u/<name>)``."""
    return f"python:socialbot:{version} (by /u/{username or 'unknown'})"


def parse_ratelimit_message(message: str, *, default: float = 600.0) -> float:
    """Seconds to wait from a RATELIMIT text such as "Take a break for 5 minutes before trying again."."""
    found = _WAIT_RE.search(message or "")
    if not found:
        return default
    amount, unit = int(found.group(1)), found.group(2).lower()
    if unit.startswith("millisecond"):
        return 1.0
    return float(amount * (3600 if unit.startswith("hour") else 60 if unit.startswith("minute") else 1))


def endpoint_of(method: str, url: str) -> str:
    """A stable endpoint name for metering: ``GET /comments/{id}``, ``POST /api/submit``, ``GET /r/{sub}/new``."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and parts[-1].endswith(".json"):
        parts[-1] = parts[-1][: -len(".json")]
    if parts[:1] == ["comments"]:
        parts = ["comments", "{id}"]
    elif parts[:1] == ["r"] and len(parts) > 1:
        parts[1] = "{sub}"
    elif parts[:1] == ["user"] and len(parts) > 1:
        parts[1] = "{name}"
    return f"{method.upper()} /{'/'.join(parts)}"


def _auth_problem(credentials: RedditCredentials, detail: str) -> AuthError:
    profile = credentials.profile
    if credentials.refresh_token is not None:
        names = [credential_var("reddit", profile, k) for k in ("client_id", "client_secret", "refresh_token")]
        fix = "run `socialbot auth reddit` for a new refresh token"
    else:
        names = [credential_var("reddit", profile, k) for k in ("client_id", "client_secret", "username", "password")]
        fix = "check the script app on https://www.reddit.com/prefs/apps"
    return AuthError(f"Reddit rejected the credentials ({detail}); check {', '.join(names)} ({fix})")


class _Transport(prawcore.Requestor):
    """prawcore's HTTP layer with our metering, budget and error classification (no retries, no sleeps)."""

    def __init__(self, *, platform: RedditPlatform, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._platform = platform

    def request(self, method: str, url: str, *args: Any, timeout: float | None = None, **kwargs: Any):
        endpoint = endpoint_of(method, url)
        path = endpoint.split(" ", 1)[1]
        p = self._platform
        p.budget.check(WINDOW)
        p.budget.check(path)
        p.usage.count(endpoint)
        try:
            response = self._http.request(method, url, *args, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            never_sent = isinstance(exc, requests.ConnectTimeout) or "NewConnectionError" in repr(exc)
            if method.upper() == "POST" and path in _SIDE_EFFECTS and not never_sent:
                raise OutcomeUnknown(
                    f"Reddit did not answer {endpoint} ({type(exc).__name__}); it may have taken effect"
                ) from exc
            raise TransientPlatformError(f"Reddit unreachable on {endpoint} ({type(exc).__name__})") from exc
        self._read_headers(response)
        status = response.status_code
        if status == 429:
            retry_after = _number(response.headers.get("retry-after")) or _number(
                response.headers.get("x-ratelimit-reset")
            )
            retry_after = retry_after or 60.0
            p.budget.exhausted(WINDOW, reset_at=p.clock() + retry_after)
            raise RateLimited(f"Reddit answered 429 Too Many Requests on {endpoint}", retry_after=retry_after)
        writes = method.upper() == "POST" and path in _SIDE_EFFECTS
        if status >= 500:
            if writes:  # a gateway error after Reddit took the post: it may exist
                raise OutcomeUnknown(f"Reddit answered {status} on {endpoint}; the post may have been made")
            raise TransientPlatformError(f"Reddit answered {status} on {endpoint}; try again later")
        if status in (401, 403) and path != "/api/v1/access_token":
            detail = f"{status} on {endpoint}"
            if status == 403:
                reason = _json_field(response, "reason") or _json_field(response, "message")
                if writes:  # banned, private or quarantined subreddit, locked thread: this content will not go
                    raise ContentRejected(f"Reddit refused {endpoint}: {reason or '403 Forbidden'}")
                raise AuthError(f"Reddit forbids {endpoint} for this account ({reason or 403}); check its permissions")
            raise _auth_problem(p.credentials, detail)
        if status == 401:
            raise _auth_problem(p.credentials, "401 from the token endpoint")
        return response

    def _read_headers(self, response: requests.Response) -> None:
        headers = response.headers
        remaining, used, reset = (
            _number(headers.get(h)) for h in ("x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset")
        )
        if remaining is not None and reset is not None:
            limit = int(remaining + used) if used is not None else None
            self._platform.budget.update(
                WINDOW, limit=limit, remaining=int(remaining), reset_at=self._platform.clock() + reset
            )
        for name in _RATELIMIT_HEADERS:  # consumed here: prawcore's own limiter would otherwise sleep
            headers.pop(name, None)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json_field(response: requests.Response, key: str) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get(key)) if isinstance(body, dict) and body.get(key) else None


class RedditPlatform:
    """One Reddit account over praw 8, returning frozen values and raising only socialbot errors."""

    name = "reddit"
    capabilities = REDDIT_CAPABILITIES

    def __init__(
        self,
        *,
        credentials: RedditCredentials,
        oauth_url: str = "https://oauth.reddit.com",
        reddit_url: str = "https://www.reddit.com",
        short_url: str = "https://redd.it",
        user_agent: str,
        timeout: float = 30.0,
        usage: UsageMeter | None = None,
        budget: RateBudget | None = None,
        subreddits: Sequence[str] = (),
        replace_more_limit: int | None = 32,
        clock: Callable[[], float] | None = None,
    ) -> None:
        missing = credentials.missing()
        if missing:
            raise AuthError(f"Reddit account {credentials.profile!r} is not configured: set {', '.join(missing)}")
        self.credentials = credentials
        self.clock = clock or time.time
        self.usage = usage or UsageMeter()
        self.budget = budget or RateBudget(clock=self.clock)
        self.subreddits = tuple(subreddits)
        self.replace_more_limit = replace_more_limit
        self._reddit_url = reddit_url.rstrip("/")
        self._flairs: dict[str, dict[str, str]] = {}
        self._me: str | None = None if credentials.refresh_token is not None else credentials.username
        self._reddit = praw.Reddit(**self._praw_settings(oauth_url, reddit_url, short_url, user_agent, timeout))

    def _praw_settings(self, oauth_url: str, reddit_url: str, short_url: str, user_agent: str, timeout: float) -> dict:
        c = self.credentials
        settings: dict[str, Any] = {
            "client_id": c.client_id.get_secret_value(),
            "client_secret": c.client_secret.get_secret_value() if c.client_secret else None,
            "user_agent": user_agent,
            "oauth_url": oauth_url,
            "reddit_url": reddit_url,
            "short_url": short_url,
            "check_for_updates": False,
            "ratelimit_seconds": -1,  # never let praw sleep on a RATELIMIT answer: we raise RateLimited instead
            "requestor_class": _Transport,
            "requestor_kwargs": {"platform": self, "timeout": timeout},
        }
        if c.refresh_token is not None:
            settings["refresh_token"] = c.refresh_token.get_secret_value()
        else:
            settings.update(username=c.username, password=c.password.get_secret_value())
        return settings

    def __repr__(self) -> str:
        return f"RedditPlatform(profile={self.credentials.profile!r})"

    @contextmanager
    def _boundary(self, action: str) -> Iterator[None]:
        """Translate praw/prawcore errors into socialbot errors (``raise … from exc``)."""
        try:
            yield
        except SocialbotError:
            raise
        except RedditAPIException as exc:
            for item in exc.items:
                if item.error_type == "RATELIMIT":
                    retry_after = parse_ratelimit_message(item.message)
                    raise RateLimited(f"Reddit refused to {action}: {item.message}", retry_after=retry_after) from exc
            reasons = "; ".join(
                f"{i.error_type}: {i.message}" + (f" (field {i.field})" if i.field else "") for i in exc.items
            )
            raise ContentRejected(f"Reddit refused to {action}: {reasons}") from exc
        except prawcore.OAuthException as exc:
            raise _auth_problem(self.credentials, exc.error) from exc
        except prawcore.NotFound as exc:
            raise ContentRejected(f"Reddit could not {action}: not found (404)") from exc
        except (prawcore.BadRequest, prawcore.Conflict, prawcore.TooLarge, prawcore.URITooLong) as exc:
            raise ContentRejected(f"Reddit could not {action}: {exc}") from exc
        except prawcore.PrawcoreException as exc:
            raise TransientPlatformError(f"Reddit failed to {action}: {exc}") from exc
        except PRAWException as exc:
            raise PlatformError(f"Reddit failed to {action}: {exc}") from exc

    # -- publishing -------------------------------------------------------------------------

    def me(self) -> str:
        """The account's username (one /api/v1/me call for refresh-token accounts, then cached)."""
        if self._me is None:
            with self._boundary("read the account"):
                self._me = str(_data(self._reddit.get(API_PATH["me"]))["name"])
        return self._me

    def publish(self, draft: Draft) -> Published:
        if draft.reply_to:
            return self._reply(draft)
        if not draft.subreddit or not draft.title:
            raise ContentRejected("a Reddit submission needs a subreddit and a title (set `subreddit:` and `title:`)")
        with self._boundary(f"submit to r/{draft.subreddit}"):
            subreddit = self._reddit.subreddit(draft.subreddit)
            options: dict[str, Any] = {"nsfw": draft.nsfw, "spoiler": draft.spoiler, "send_replies": True}
            if draft.flair:
                options["flair_id"] = self._flair_id(draft.subreddit, draft.flair)
            if draft.poll is not None:
                days = min(7, max(1, math.ceil(draft.poll.duration_minutes / 1440)))
                options.update(poll={"duration": days, "options": list(draft.poll.options)}, selftext=draft.text)
            elif draft.url:
                options.update(url=draft.url, selftext=draft.text or None)
            else:
                options["selftext"] = draft.text
            submission = subreddit.submit(draft.title, **options)
            fullname = f"t3_{_data(submission)['id']}"
        published = Published(
            remote_id=fullname, url=f"{self._reddit.config.short_url}/{fullname[3:]}", created_at=self._now()
        )
        if draft.suggested_sort:
            self._suggest_sort(fullname, draft.suggested_sort)
        return published

    def _suggest_sort(self, fullname: str, sort: str) -> None:
        """Set the suggested sort; the post exists already, so a failure is logged, never raised."""
        try:
            with self._boundary("set the suggested sort"):
                self._reddit.post(API_PATH["suggested_sort"], data={"id": fullname, "sort": sort})
        except PlatformError as exc:
            log.warning("posted %s but could not set suggested sort %r (moderators only): %s", fullname, sort, exc)

    def _flair_id(self, subreddit: str, text: str) -> str:
        wanted = text.strip().casefold()
        for attempt in range(2):
            if attempt or subreddit not in self._flairs:
                templates = self._reddit.subreddit(subreddit).flair.link_templates
                self._flairs[subreddit] = {str(t.get("text") or ""): str(t["id"]) for t in templates}
            for label, template_id in self._flairs[subreddit].items():
                if label.strip().casefold() == wanted:
                    return template_id
        available = ", ".join(repr(label) for label in self._flairs[subreddit]) or "none"
        raise ContentRejected(f"r/{subreddit} has no post flair {text!r}; available flairs: {available}")

    def _reply(self, draft: Draft) -> Published:
        parent = _fullname(draft.reply_to or "")
        with self._boundary(f"reply to {parent}"):
            thing = (
                self._reddit.comment(parent[3:]) if parent.startswith("t1_") else self._reddit.submission(parent[3:])
            )
            data = _data(thing.reply(draft.text))
        permalink = data.get("permalink")
        return Published(
            remote_id=f"t1_{data['id']}",
            url=f"{self._reddit_url}{permalink}" if permalink else None,
            created_at=_when(data.get("created_utc")) or self._now(),
        )

    def delete(self, remote_id: str) -> None:
        if not _FULLNAME_RE.match(remote_id):
            raise ContentRejected(f"{remote_id!r} is not a Reddit post or comment id (expected t3_… or t1_…)")
        with self._boundary(f"delete {remote_id}"):
            self._reddit.post(API_PATH["del"], data={"id": remote_id})

    # -- reading ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _info(self, fullnames: Sequence[str]) -> Iterator[Any]:
        for start in range(0, len(fullnames), 100):
            yield from self._reddit.info(fullnames=list(fullnames[start : start + 100]))

    def fetch_metrics(self, remote_ids: Sequence[str], *, now: datetime) -> list[Metrics]:
        fullnames = [_fullname(r) for r in remote_ids]
        with self._boundary("read metrics"):
            things = [_data(t) for t in self._info(fullnames)]
        return [
            Metrics(
                remote_id=d["name"],
                taken_at=now,
                score=d.get("score"),
                upvote_ratio=d.get("upvote_ratio"),
                comments=d.get("num_comments"),
                poll=_poll(d.get("poll_data"), now=now),
            )
            for d in things
        ]

    def fetch_profiles(self, author_ids: Sequence[str], *, now: datetime) -> list[AuthorProfile]:
        profiles = []
        for username in dict.fromkeys(author_ids):
            try:
                with self._boundary(f"read u/{username}"):
                    data = _data(self._reddit.get(API_PATH["user_about"].format(user=username)))
            except ContentRejected:  # 404: the account was deleted
                profiles.append(AuthorProfile("reddit", username, username, taken_at=now, suspended=True))
                continue
            karma = None
            if "link_karma" in data or "comment_karma" in data:
                karma = int(data.get("link_karma") or 0) + int(data.get("comment_karma") or 0)
            profiles.append(
                AuthorProfile(
                    platform="reddit",
                    remote_id=username,
                    username=str(data.get("name") or username),
                    taken_at=now,
                    created_at=_when(data.get("created_utc")),
                    karma=karma,
                    suspended=bool(data.get("is_suspended")),
                )
            )
        return profiles

    def recent_own_posts(self, *, since: datetime) -> list[OwnPost]:
        me = self.me()
        posts: list[OwnPost] = []
        with self._boundary("read the account's own posts"):
            redditor = self._reddit.redditor(me)
            for listing in (redditor.submissions.new(limit=100), redditor.comments.new(limit=100)):
                for thing in listing:
                    d = _data(thing)
                    created = _when(d["created_utc"])
                    if created is None or created < since:
                        break
                    if d.get("name", "").startswith("t1_"):
                        posts.append(OwnPost(d["name"], d.get("body", ""), created, self._link(d), d.get("parent_id")))
                    else:
                        posts.append(
                            OwnPost(d["name"], d.get("selftext") or d.get("title", ""), created, self._link(d))
                        )
        return sorted(posts, key=lambda p: p.created_at, reverse=True)

    def _link(self, d: Mapping[str, Any]) -> str | None:
        return f"{self._reddit_url}{d['permalink']}" if d.get("permalink") else None

    def fetch_interactions(
        self,
        targets: Sequence[Target],
        *,
        cursors: Mapping[str, str],
        keywords: Sequence[str] = (),
        now: datetime,
    ) -> CollectBatch:
        collection = Collection(platform=self, cursors=cursors, now=now)
        with self._boundary("collect interactions"):
            collection.replies(targets)
            collection.mentions()
            if keywords:
                for subreddit in self.subreddits:
                    collection.keyword_posts(subreddit, keywords)
        return collection.batch()

    # -- used by _Collection ----------------------------------------------------------------

    def _submission_forest(self, submission_id: str) -> tuple[list[Any], list[MoreComments]]:
        submission = self._reddit.submission(submission_id)
        submission.comment_sort = "new"
        left = submission.comments.replace_more(limit=self.replace_more_limit)
        return submission.comments.list(), left

    def _comment_forest(self, comment: Any) -> tuple[list[Any], list[MoreComments]]:
        comment.refresh()
        left = comment.replies.replace_more(limit=self.replace_more_limit)
        return comment.replies.list(), left

    def _listing(self, kind: str, subreddit: str | None = None, query: str | None = None) -> Iterable[Any]:
        if kind == "mentions":
            return self._reddit.inbox.mentions(limit=1000)
        sub = self._reddit.subreddit(subreddit or "all")
        if kind == "new":
            return sub.new(limit=1000)
        return sub.search(query or "", sort="new", time_filter="all", limit=1000)


def _poll(poll_data: Any, *, now: datetime) -> PollResult | None:
    if poll_data is None:
        return None
    d = _data(poll_data)
    options = tuple(
        PollOptionResult(label=str(_data(o).get("text")), votes=int(_data(o).get("vote_count") or 0))
        for o in d.get("options") or ()
    )
    end_ms = d.get("voting_end_timestamp")
    closes_at = _when(end_ms / 1000) if end_ms else None
    total = d.get("total_vote_count")
    return PollResult(
        options=options,
        total_votes=int(total if total is not None else sum(o.votes for o in options)),
        closes_at=closes_at,
        open=closes_at is None or now < closes_at,
    )
