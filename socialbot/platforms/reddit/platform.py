"""The Reddit adapter: publishes and reads one account through praw 8, returning frozen values only."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import praw
from praw.const import API_PATH

from socialbot.domain.values import (
    REDDIT_CAPABILITIES,
    AuthorProfile,
    CollectBatch,
    Draft,
    Metrics,
    OwnPost,
    Published,
    Target,
)
from socialbot.errors import AuthError, ContentRejected, PlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import RedditCredentials
from socialbot.platforms.reddit.collect import Collection
from socialbot.platforms.reddit.errors import translated
from socialbot.platforms.reddit.payloads import FULLNAME_RE, data_of, from_epoch, poll_result, to_fullname
from socialbot.platforms.reddit.reads import RedditReads
from socialbot.platforms.reddit.transport import Transport, retry_once_after_refresh

log = logging.getLogger(__name__)


def build_user_agent(*, username: str | None, version: str) -> str:
    """Reddit's required user-agent form: ``python:socialbot:<version> (by /u/<name>)``."""
    return f"python:socialbot:{version} (by /u/{username or 'unknown'})"


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
        self._reddit_url = reddit_url.rstrip("/")
        self._flairs: dict[str, dict[str, str]] = {}
        self._me: str | None = None if credentials.refresh_token is not None else credentials.username
        self._reddit = praw.Reddit(**self._praw_settings(oauth_url, reddit_url, short_url, user_agent, timeout))
        retry_once_after_refresh(self._reddit)  # an expired token: refreshed and the call resent once, no sleep
        self._reads = RedditReads(self._reddit, replace_more_limit=replace_more_limit)

    def _praw_settings(self, oauth_url: str, reddit_url: str, short_url: str, user_agent: str, timeout: float) -> dict:
        c = self.credentials
        assert c.client_id is not None  # __init__ refused credentials with anything missing()
        settings: dict[str, Any] = {
            "client_id": c.client_id.get_secret_value(),
            "client_secret": c.client_secret.get_secret_value() if c.client_secret else None,
            "user_agent": user_agent,
            "oauth_url": oauth_url,
            "reddit_url": reddit_url,
            "short_url": short_url,
            "check_for_updates": False,
            "ratelimit_seconds": -1,  # never let praw sleep on a RATELIMIT answer: we raise RateLimited instead
            "requestor_class": Transport,
            "requestor_kwargs": {
                "budget": self.budget,
                "usage": self.usage,
                "clock": self.clock,
                "credentials": self.credentials,
                "timeout": timeout,
            },
        }
        if c.refresh_token is not None:
            settings["refresh_token"] = c.refresh_token.get_secret_value()
        else:
            assert c.password is not None  # required without a refresh token (see missing())
            settings.update(username=c.username, password=c.password.get_secret_value())
        return settings

    def __repr__(self) -> str:
        return f"RedditPlatform(profile={self.credentials.profile!r})"

    # -- publishing -------------------------------------------------------------------------

    def me(self) -> str:
        """The account's username (one /api/v1/me call for refresh-token accounts, then cached)."""
        if self._me is None:
            with translated("read the account", credentials=self.credentials):
                self._me = str(data_of(self._reddit.get(API_PATH["me"]))["name"])
        return self._me

    def identify(self) -> dict[str, Any]:
        """The account as ``/api/v1/me`` shows it now (always a call: it proves the credentials work)."""
        with translated("read the account", credentials=self.credentials):
            return dict(vars(self._reddit.user.me()))

    def publish(self, draft: Draft) -> Published:
        if draft.reply_to:
            return self._reply(draft)
        if not draft.subreddit or not draft.title:
            raise ContentRejected("a Reddit submission needs a subreddit and a title (set `subreddit:` and `title:`)")
        with translated(f"submit to r/{draft.subreddit}", credentials=self.credentials):
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
            fullname = f"t3_{data_of(submission)['id']}"
        published = Published(
            remote_id=fullname, url=f"{self._reddit.config.short_url}/{fullname[3:]}", created_at=self._now()
        )
        if draft.suggested_sort:
            self._suggest_sort(fullname, draft.suggested_sort)
        return published

    def _suggest_sort(self, fullname: str, sort: str) -> None:
        """Set the suggested sort; the post exists already, so a failure is logged, never raised."""
        try:
            with translated("set the suggested sort", credentials=self.credentials):
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
        parent = to_fullname(draft.reply_to or "")
        with translated(f"reply to {parent}", credentials=self.credentials):
            thing = (
                self._reddit.comment(parent[3:]) if parent.startswith("t1_") else self._reddit.submission(parent[3:])
            )
            data = data_of(thing.reply(draft.text))
        permalink = data.get("permalink")
        return Published(
            remote_id=f"t1_{data['id']}",
            url=f"{self._reddit_url}{permalink}" if permalink else None,
            created_at=from_epoch(data.get("created_utc")) or self._now(),
        )

    def delete(self, remote_id: str) -> None:
        if not FULLNAME_RE.match(remote_id):
            raise ContentRejected(f"{remote_id!r} is not a Reddit post or comment id (expected t3_… or t1_…)")
        with translated(f"delete {remote_id}", credentials=self.credentials):
            self._reddit.post(API_PATH["del"], data={"id": remote_id})

    # -- reading ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def fetch_metrics(self, remote_ids: Sequence[str], *, now: datetime) -> list[Metrics]:
        fullnames = [to_fullname(r) for r in remote_ids]
        with translated("read metrics", credentials=self.credentials):
            things = [data_of(t) for t in self._reads.info(fullnames)]
        return [
            Metrics(
                remote_id=d["name"],
                taken_at=now,
                score=d.get("score"),
                upvote_ratio=d.get("upvote_ratio"),
                comments=d.get("num_comments"),
                poll=poll_result(d.get("poll_data"), now=now),
            )
            for d in things
        ]

    def fetch_profiles(self, author_ids: Sequence[str], *, now: datetime) -> list[AuthorProfile]:
        profiles = []
        for username in dict.fromkeys(author_ids):
            try:
                with translated(f"read u/{username}", credentials=self.credentials):
                    data = data_of(self._reddit.get(API_PATH["user_about"].format(user=username)))
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
                    created_at=from_epoch(data.get("created_utc")),
                    karma=karma,
                    suspended=bool(data.get("is_suspended")),
                )
            )
        return profiles

    def recent_own_posts(self, *, since: datetime) -> list[OwnPost]:
        me = self.me()
        posts: list[OwnPost] = []
        with translated("read the account's own posts", credentials=self.credentials):
            redditor = self._reddit.redditor(me)
            for listing in (redditor.submissions.new(limit=100), redditor.comments.new(limit=100)):
                for thing in listing:
                    d = data_of(thing)
                    created = from_epoch(d["created_utc"])
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
        collection = Collection(reads=self._reads, me=self.me(), cursors=cursors, now=now)
        with translated("collect interactions", credentials=self.credentials):
            collection.replies(targets)
            collection.mentions()
            if keywords:
                for subreddit in self.subreddits:
                    collection.keyword_posts(subreddit, keywords)
        return collection.batch()
