"""Pure parsing of X API v2 payloads (tweets, users, polls, ids) into socialbot's frozen values; no I/O, no SDK."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from socialbot.domain.values import (
    AuthorProfile,
    CallKind,
    Interaction,
    InteractionKind,
    Metrics,
    PollOptionResult,
    PollResult,
)

PAGE_SIZE = 100  # max_results allowed by every paginated v2 endpoint we use
BATCH_SIZE = 100  # ids per GET /2/tweets and GET /2/users lookup
LIKERS_CAP = 100  # GET /2/tweets/:id/liking_users never lists more
QUERY_LIMIT = 512  # recent search query length on the self-serve tiers
SEARCH_WINDOW = timedelta(days=7)
WINDOW_MARGIN = timedelta(minutes=1)
TWITTER_EPOCH_MS = 1288834974657
TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "referenced_tweets", "in_reply_to_user_id"]
USER_FIELDS = ["created_at", "public_metrics", "verified", "protected"]
_ID_SEGMENT = re.compile(r"/\d{3,}(?=/|$)")


def snowflake_time(remote_id: str) -> datetime:
    """The creation instant encoded in an X id (ids are time-ordered snowflakes)."""
    return datetime.fromtimestamp(((int(remote_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)


def endpoint_name(method: str, path: str) -> str:
    """The rate-limit family of one request, e.g. ``GET /2/tweets/:id/liking_users``."""
    return f"{method.upper()} {_ID_SEGMENT.sub('/:id', path.rstrip('/') or '/')}"


def parse_time(value: object, *, fallback_id: str | None = None) -> datetime | None:
    """An X timestamp ("2021-05-18T19:24:56.000Z"), else the time encoded in ``fallback_id``."""
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return snowflake_time(fallback_id) if fallback_id and fallback_id.isdigit() else None


def parse_profile(user: dict, *, taken_at: datetime) -> AuthorProfile:
    counts = user.get("public_metrics") or {}
    return AuthorProfile(
        platform="x",
        remote_id=str(user["id"]),
        username=str(user.get("username") or ""),
        taken_at=taken_at,
        created_at=parse_time(user.get("created_at")),
        followers=counts.get("followers_count"),
        following=counts.get("following_count"),
        verified=user.get("verified"),
        protected=user.get("protected"),
    )


def referenced(tweet: dict, kind: str) -> str | None:
    """The id this tweet ``replied_to`` / ``quoted`` / ``retweeted``, if any."""
    for ref in tweet.get("referenced_tweets") or ():
        if isinstance(ref, dict) and ref.get("type") == kind:
            return str(ref.get("id"))
    return None


def parse_interaction(
    tweet: dict, kind: InteractionKind, *, target_id: str | None, parent_id: str | None
) -> Interaction:
    tweet_id = str(tweet["id"])
    return Interaction(
        platform="x",
        remote_id=tweet_id,
        kind=kind,
        author_id=str(tweet.get("author_id") or ""),
        created_at=parse_time(tweet.get("created_at"), fallback_id=tweet_id) or datetime.now(UTC),
        target_id=target_id,
        parent_id=parent_id,
        text=tweet.get("text"),
        raw={k: tweet[k] for k in ("conversation_id", "referenced_tweets", "lang") if k in tweet},
    )


def user_reaction(kind: InteractionKind, *, tweet_id: str, user: dict, now: datetime) -> Interaction:
    """A like or repost: X names the person but gives no id or time, so the id is ``like:<tweet>:<user>``."""
    return Interaction(
        platform="x",
        remote_id=f"{kind.value}:{tweet_id}:{user['id']}",
        kind=kind,
        author_id=str(user["id"]),
        created_at=now,
        target_id=tweet_id,
        parent_id=tweet_id,
    )


def parse_poll(poll: dict, *, now: datetime) -> PollResult:
    options = tuple(
        PollOptionResult(label=str(o.get("label", "")), votes=int(o.get("votes") or 0))
        for o in sorted(poll.get("options") or (), key=lambda o: o.get("position", 0))
    )
    closes_at = parse_time(poll.get("end_datetime"))
    status = poll.get("voting_status")
    is_open = status == "open" if status else (closes_at is None or closes_at > now)
    return PollResult(options=options, total_votes=sum(o.votes for o in options), closes_at=closes_at, open=is_open)


def parse_metrics(tweet: dict, *, polls: dict[str, dict], now: datetime) -> Metrics:
    counts = tweet.get("public_metrics") or {}
    poll_ids = (tweet.get("attachments") or {}).get("poll_ids") or ()
    poll = next((parse_poll(polls[p], now=now) for p in poll_ids if p in polls), None)
    return Metrics(
        remote_id=str(tweet["id"]),
        taken_at=now,
        likes=counts.get("like_count"),
        replies=counts.get("reply_count"),
        reposts=counts.get("retweet_count"),
        quotes=counts.get("quote_count"),
        bookmarks=counts.get("bookmark_count"),
        impressions=counts.get("impression_count"),
        poll=poll,
    )


def or_queries(terms: Sequence[str], *, limit: int = QUERY_LIMIT) -> Iterator[list[str]]:
    """Groups of ``terms`` whose ``a OR b OR …`` query fits in ``limit`` characters."""
    group: list[str] = []
    length = 0
    for term in terms:
        extra = len(term) + (4 if group else 0)
        if group and length + extra > limit:
            yield group
            group, length = [], 0
            extra = len(term)
        group.append(term)
        length += extra
    if group:
        yield group


@dataclass
class Collected:
    """Accumulates one collection: interactions deduplicated by remote id, authors, cursors, notes."""

    now: datetime
    cursors: dict[str, str]
    interactions: dict[str, Interaction]
    authors: dict[str, AuthorProfile]
    notes: list[str]

    def users(self, users: Sequence[dict]) -> None:
        for user in users:
            if isinstance(user, dict) and "id" in user:
                self.authors.setdefault(str(user["id"]), parse_profile(user, taken_at=self.now))

    def add(self, interaction: Interaction) -> None:
        self.interactions.setdefault(interaction.remote_id, interaction)

    def advance(self, key: str, newest: str | None) -> None:
        if newest and str(newest).isdigit():
            current = self.cursors.get(key)
            if current is None or not current.isdigit() or int(newest) > int(current):
                self.cursors[key] = str(newest)


def call_kind(endpoint: str) -> CallKind:
    """How budgets count one X endpoint: creating a post is a publish, every GET a read."""
    if endpoint == "POST /2/tweets":
        return CallKind.PUBLISH
    return CallKind.READ if endpoint.startswith("GET ") else CallKind.OTHER
