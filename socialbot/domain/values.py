"""Plain frozen values exchanged between platforms, storage and the app: drafts, publications, interactions, profiles, metrics."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from operator import attrgetter


class InteractionKind(StrEnum):
    """What a person did in reaction to us (or with our hashtag)."""

    REPLY = "reply"  # a reply / comment to one of our publications (or to a reply under it)
    MENTION = "mention"  # a post that mentions our account
    QUOTE = "quote"  # a quote post of one of ours
    REPOST = "repost"  # a repost / retweet / crosspost
    LIKE = "like"  # a like / upvote where the platform names the person
    HASHTAG = "hashtag"  # a post found by the campaign's hashtag or keyword search


class CallKind(StrEnum):
    """What an API call does, as budgets see it: each platform classifies its own endpoints."""

    PUBLISH = "publish"  # creates a post, reply or comment: counts against daily post budgets
    READ = "read"  # reads: counts against daily read budgets
    OTHER = "other"  # deletes, uploads, sign-in: counted, never budgeted


@dataclass(frozen=True)
class PollLimits:
    """What a platform's native polls allow."""

    min_options: int
    max_options: int
    max_option_length: int
    min_duration_minutes: int
    max_duration_minutes: int


@dataclass(frozen=True)
class MediaSizeLimits:
    """The largest file, in bytes, a platform takes for each kind of media."""

    image: int  # JPEG, PNG, WEBP
    gif: int
    video: int  # MP4

    def for_kind(self, kind: str) -> int:
        """The limit for ``kind`` ("image", "gif" or "video")."""
        return {"image": self.image, "gif": self.gif, "video": self.video}[kind]


_MB = 1024 * 1024  # the platforms' "MB", read as MiB


@dataclass(frozen=True)
class Capabilities:
    """What one platform can do and read; campaign specs are checked against it at load time."""

    platform: str  # "x" | "reddit" (a sandbox emulates one of them)
    max_text_length: int  # X: weighted length; Reddit: self-post body
    weighted_length: bool  # True where X's weighted counting applies (URLs 23, wide chars 2)
    max_title_length: int | None  # Reddit titles; None where posts have no title
    threads: bool  # reply chains of our own posts
    max_thread_parts: int
    polls: PollLimits | None
    max_media: int
    media_types: tuple[str, ...]  # lower-case file suffixes
    media_max_bytes: MediaSizeLimits
    needs_subreddit: bool
    reads_likers: bool
    likers_cap: int | None  # the API returns at most this many likers per post
    reads_reposters: bool
    reads_quotes: bool
    search_window_days: int | None  # how far back keyword search reaches; None = no limit


X_CAPABILITIES = Capabilities(
    platform="x",
    max_text_length=280,
    weighted_length=True,
    max_title_length=None,
    threads=True,
    max_thread_parts=25,
    polls=PollLimits(2, 4, 25, 5, 10080),
    max_media=4,
    media_types=(".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp4"),
    # docs.x.com/x-api/media, "Media types & size restrictions" (upload via API): image 5 MB,
    # GIF 15 MB, video 512 MB (the video figure is for media_category=amplify_video; X refuses
    # anything it will not take at upload, with its own message)
    media_max_bytes=MediaSizeLimits(image=5 * _MB, gif=15 * _MB, video=512 * _MB),
    needs_subreddit=False,
    reads_likers=True,
    likers_cap=100,
    reads_reposters=True,
    reads_quotes=True,
    search_window_days=7,
)

REDDIT_CAPABILITIES = Capabilities(
    platform="reddit",
    max_text_length=40000,
    weighted_length=False,
    max_title_length=300,
    threads=True,  # follow-up parts become comment replies under the submission
    max_thread_parts=20,
    polls=PollLimits(2, 6, 120, 1440, 10080),
    max_media=1,
    media_types=(".jpg", ".jpeg", ".png", ".gif", ".mp4"),
    # Reddit publishes no API media limits; what it announced and others document: images 20 MB and
    # GIFs 100 MB (techcrunch.com/2016/05/25/reddit-image-uploads; docs.getlate.dev media guidelines:
    # images 20 MB), videos 1 GB and 15 minutes (Reddit's video specs, MP4 or MOV)
    media_max_bytes=MediaSizeLimits(image=20 * _MB, gif=100 * _MB, video=1024 * _MB),
    needs_subreddit=True,
    reads_likers=False,  # Reddit never says who voted
    likers_cap=None,
    reads_reposters=False,
    reads_quotes=False,
    search_window_days=None,
)

CAPABILITIES = {"x": X_CAPABILITIES, "reddit": REDDIT_CAPABILITIES}


@dataclass(frozen=True)
class MediaItem:
    """A media file to attach, with its alt text."""

    path: str
    alt_text: str | None = None


@dataclass(frozen=True)
class PollDraft:
    """A native poll to attach to a post."""

    options: tuple[str, ...]
    duration_minutes: int


@dataclass(frozen=True)
class Draft:
    """Exactly what to publish: rendered text plus the platform options that apply to it."""

    text: str
    title: str | None = None  # Reddit submission title (part 0 only)
    reply_to: str | None = None  # remote id of the post / comment this one answers
    media: tuple[MediaItem, ...] = ()
    poll: PollDraft | None = None
    subreddit: str | None = None
    flair: str | None = None  # flair text; the Reddit adapter resolves it to a template id
    url: str | None = None  # Reddit link post
    reply_settings: str | None = None  # X: "everyone" | "following" | "mentionedUsers"
    suggested_sort: str | None = None  # Reddit: e.g. "qa" for AMAs
    nsfw: bool = False
    spoiler: bool = False


@dataclass(frozen=True)
class Published:
    """What the platform answered when it accepted a draft."""

    remote_id: str
    url: str | None
    created_at: datetime


@dataclass(frozen=True)
class OwnPost:
    """One of the account's own recent posts, used to reconcile unconfirmed sends."""

    remote_id: str
    text: str
    created_at: datetime
    url: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True)
class Target:
    """One of our publications whose reactions are collected."""

    remote_id: str
    published_at: datetime


@dataclass(frozen=True)
class AuthorProfile:
    """A snapshot of a person's public profile, taken at ``taken_at``."""

    platform: str
    remote_id: str
    username: str
    taken_at: datetime
    created_at: datetime | None = None
    followers: int | None = None
    following: int | None = None
    verified: bool | None = None
    protected: bool | None = None
    karma: int | None = None  # Reddit: link + comment karma
    suspended: bool = False  # the account is gone: suspended, deleted or not found
    verified_type: str | None = None  # X: "blue", "business", "government" or "none"
    gone_reason: str | None = None  # why ``suspended``, when the platform says: "suspended" or "not_found"


@dataclass(frozen=True)
class Interaction:
    """One reaction by one person, unique per (platform, remote_id)."""

    platform: str
    remote_id: str
    kind: InteractionKind
    author_id: str
    created_at: datetime
    target_id: str | None = None  # our publication this belongs to (None for mentions / hashtag posts)
    parent_id: str | None = None  # what it directly answers (a post or a comment)
    text: str | None = None
    raw: dict = field(default_factory=dict, compare=False)  # small subset of the payload, for audit


@dataclass(frozen=True)
class PollOptionResult:
    label: str
    votes: int


@dataclass(frozen=True)
class PollResult:
    """Native poll totals (no platform says who voted what)."""

    options: tuple[PollOptionResult, ...]
    total_votes: int
    closes_at: datetime | None
    open: bool


@dataclass(frozen=True)
class Metrics:
    """Public counters of one publication at one instant; stored as a time series."""

    remote_id: str
    taken_at: datetime
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None
    score: int | None = None  # Reddit
    upvote_ratio: float | None = None  # Reddit
    comments: int | None = None  # Reddit
    poll: PollResult | None = None

    def counters(self) -> tuple[object, ...]:
        """Everything this reading says about the publication (not when it was taken): equal means unchanged."""
        return _COUNTERS(self)


# the fields read by Metrics.counters, looked up once (a collection compares hundreds of readings a round)
_COUNTERS = attrgetter(*(f.name for f in fields(Metrics) if f.name not in ("remote_id", "taken_at")))


@dataclass(frozen=True)
class CollectBatch:
    """What one incremental collection returned; ``cursors`` are stored with the rows, in one transaction."""

    interactions: tuple[Interaction, ...] = ()
    authors: tuple[AuthorProfile, ...] = ()
    cursors: dict[str, str] = field(default_factory=dict)  # stream name -> opaque cursor
    notes: tuple[str, ...] = ()  # e.g. "likers of 123 capped at 100", "gap older than the 7-day search window"
