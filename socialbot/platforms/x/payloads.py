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
from socialbot.errors import PlatformError, TransientPlatformError

PAGE_SIZE = 100  # max_results allowed by every paginated v2 endpoint we use
BATCH_SIZE = 100  # ids per GET /2/tweets and GET /2/users lookup
LIKERS_CAP = 100  # GET /2/tweets/:id/liking_users never lists more
QUERY_LIMIT = 512  # recent search query length on the self-serve tiers
SEARCH_WINDOW = timedelta(days=7)
WINDOW_MARGIN = timedelta(minutes=1)
TWITTER_EPOCH_MS = 1288834974657
TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "referenced_tweets", "in_reply_to_user_id"]
USER_FIELDS = ["created_at", "public_metrics", "verified", "verified_type", "protected"]
_ID_SEGMENT = re.compile(r"/\d{3,}(?=/|$)")


def snowflake_time(remote_id: str) -> datetime:
    """The creation instant encoded in an X id (ids are time-ordered snowflakes)."""
    try:
        if not (isinstance(remote_id, str) and remote_id.isascii() and remote_id.isdigit()):
            raise ValueError(remote_id)
        return datetime.fromtimestamp(((int(remote_id) >> 22) + TWITTER_EPOCH_MS) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        # a plain PlatformError, never a transient one: a publish whose answer has this id must not be retried
        raise PlatformError(f"X answered with an id that is not a snowflake: {str(remote_id)[:40]!r}") from None


def endpoint_name(method: str, path: str) -> str:
    """The rate-limit family of one request, e.g. ``GET /2/tweets/:id/liking_users``."""
    return f"{method.upper()} {_ID_SEGMENT.sub('/:id', path.rstrip('/') or '/')}"


def parse_time(value: object, *, fallback_id: str | None = None) -> datetime | None:
    """An X timestamp ("2021-05-18T19:24:56.000Z"), else the time encoded in ``fallback_id``; None if neither reads."""
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass  # unreadable: as if missing
    try:
        return snowflake_time(fallback_id) if fallback_id else None
    except PlatformError:
        return None


def _count(value: object) -> int | None:
    """A counter as X sends it (an int); anything else (a bool, a string, a float) is as if missing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: object, *, longest: int) -> str | None:
    """A short label as X sends it (a non-empty string); anything else, or longer, is as if missing."""
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _id_of(obj: object, what: str) -> str:
    """The ``id`` of a tweet, user or poll object; an answer without a readable one cannot be used."""
    value = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise TransientPlatformError(f"X answered with an unreadable {what} (no id): {str(obj)[:80]}")
    return str(value)


def post_id(tweet: object) -> str:
    """The id of a post in an X answer: digits (a snowflake), or the answer is unreadable."""
    value = _id_of(tweet, "post")
    if not (value.isascii() and value.isdigit()) or len(value) > 20:  # "²".isdigit() is True
        raise TransientPlatformError(f"X answered with an unreadable post id: {value[:40]!r}")
    return value


def posts_of(page: object) -> list[dict]:
    """The post objects in one page of an X answer (``data``), each a JSON object, or the answer is unreadable."""
    data = page.get("data") if isinstance(page, dict) else None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TransientPlatformError(f"X answered with unreadable posts: {str(data)[:80]}")
    return data


def parse_profile(user: dict, *, taken_at: datetime) -> AuthorProfile:
    remote_id = _id_of(user, "user")
    counts = _mapping(user.get("public_metrics"))
    return AuthorProfile(
        platform="x",
        remote_id=remote_id,
        username=str(user.get("username") or ""),
        taken_at=taken_at,
        created_at=parse_time(user.get("created_at")),
        followers=_count(counts.get("followers_count")),
        following=_count(counts.get("following_count")),
        verified=_flag(user.get("verified")),
        protected=_flag(user.get("protected")),
        verified_type=_text(user.get("verified_type"), longest=32),  # the snapshot column holds 32 characters
    )


def gone_profile(error: object, *, asked: set[str], taken_at: datetime) -> AuthorProfile | None:
    """The profile of an account a users lookup reports gone in its ``errors`` (suspended or not found), else None.

    X answers ``GET /2/users?ids=`` with ``data`` for the accounts it knows and one ``errors`` entry per other id:
    ``"User has been suspended: [id]."`` (title Forbidden) or ``"Could not find user with ids: [id]."`` (Not Found
    Error). Any other problem (not authorized, a tweet-level error) says nothing about the account.
    """
    if not isinstance(error, dict) or error.get("resource_type") != "user":
        return None
    remote_id = next((str(error[k]) for k in ("resource_id", "value") if isinstance(error.get(k), str | int)), "")
    if remote_id not in asked:
        return None
    detail = str(error.get("detail") or "").lower()
    if "suspended" in detail:
        reason = "suspended"
    elif detail.startswith("could not find user") or error.get("title") == "Not Found Error":
        reason = "not_found"
    else:
        return None
    return AuthorProfile(
        platform="x", remote_id=remote_id, username="", taken_at=taken_at, suspended=True, gone_reason=reason
    )


def referenced(tweet: dict, kind: str) -> str | None:
    """The id this tweet ``replied_to`` / ``quoted`` / ``retweeted``, if any."""
    refs = tweet.get("referenced_tweets") if isinstance(tweet, dict) else None
    for ref in refs if isinstance(refs, list) else ():
        if (
            isinstance(ref, dict)
            and ref.get("type") == kind
            and isinstance(ref.get("id"), str | int)
            and ref["id"] != ""
        ):
            return str(ref["id"])
    return None


def parse_interaction(
    tweet: dict, kind: InteractionKind, *, target_id: str | None, parent_id: str | None
) -> Interaction:
    tweet_id = _id_of(tweet, "post")
    text = tweet.get("text")
    return Interaction(
        platform="x",
        remote_id=tweet_id,
        kind=kind,
        author_id=str(tweet.get("author_id") or ""),
        created_at=parse_time(tweet.get("created_at"), fallback_id=tweet_id) or datetime.now(UTC),
        target_id=target_id,
        parent_id=parent_id,
        text=text if isinstance(text, str) else None,
        raw={k: tweet[k] for k in ("conversation_id", "referenced_tweets", "lang") if k in tweet},
    )


def user_reaction(kind: InteractionKind, *, tweet_id: str, user: dict, now: datetime) -> Interaction:
    """A like or repost: X names the person but gives no id or time, so the id is ``like:<tweet>:<user>``."""
    user_id = _id_of(user, "user")
    return Interaction(
        platform="x",
        remote_id=f"{kind.value}:{tweet_id}:{user_id}",
        kind=kind,
        author_id=user_id,
        created_at=now,
        target_id=tweet_id,
        parent_id=tweet_id,
    )


def parse_poll(poll: dict, *, now: datetime) -> PollResult:
    if not isinstance(poll, dict):
        raise TransientPlatformError(f"X answered with an unreadable poll: {str(poll)[:80]}")
    listed = poll.get("options")
    given = [o for o in listed if isinstance(o, dict)] if isinstance(listed, list) else []
    options = tuple(
        PollOptionResult(label=str(o.get("label", "")), votes=_count(o.get("votes")) or 0)
        for o in sorted(given, key=lambda o: _count(o.get("position")) or 0)
    )
    closes_at = parse_time(poll.get("end_datetime"))
    status = poll.get("voting_status")
    is_open = status == "open" if status else (closes_at is None or closes_at > now)
    return PollResult(options=options, total_votes=sum(o.votes for o in options), closes_at=closes_at, open=is_open)


def parse_metrics(tweet: dict, *, polls: dict[str, dict], now: datetime) -> Metrics:
    remote_id = _id_of(tweet, "post")
    counts = _mapping(tweet.get("public_metrics"))
    poll_ids = _mapping(tweet.get("attachments")).get("poll_ids")
    poll_ids = [p for p in poll_ids if isinstance(p, str)] if isinstance(poll_ids, list) else []
    poll = next((parse_poll(polls[p], now=now) for p in poll_ids if isinstance(polls.get(p), dict)), None)
    return Metrics(
        remote_id=remote_id,
        taken_at=now,
        likes=_count(counts.get("like_count")),
        replies=_count(counts.get("reply_count")),
        reposts=_count(counts.get("retweet_count")),
        quotes=_count(counts.get("quote_count")),
        bookmarks=_count(counts.get("bookmark_count")),
        impressions=_count(counts.get("impression_count")),
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
        for user in users if isinstance(users, list | tuple) else ():
            try:
                profile = parse_profile(user, taken_at=self.now)
            except TransientPlatformError:
                continue  # an expanded user without a readable id names no one: skip it, keep the rest
            self.authors.setdefault(profile.remote_id, profile)

    def add(self, interaction: Interaction) -> None:
        self.interactions.setdefault(interaction.remote_id, interaction)

    def advance(self, key: str, newest: str | None) -> None:
        if newest and str(newest).isascii() and str(newest).isdigit():
            current = self.cursors.get(key)
            if current is None or not (current.isascii() and current.isdigit()) or int(newest) > int(current):
                self.cursors[key] = str(newest)


def call_kind(endpoint: str) -> CallKind:
    """How budgets count one X endpoint: creating a post is a publish, every GET a read."""
    if endpoint == "POST /2/tweets":
        return CallKind.PUBLISH
    return CallKind.READ if endpoint.startswith("GET ") else CallKind.OTHER
