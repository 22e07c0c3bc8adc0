"""The campaign file format as frozen pydantic models; `socialbot schema` prints their JSON Schema."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialbot.domain.planning import QuietHours, Rule, parse_clock, parse_duration, parse_local

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
PLATFORMS = ("x", "reddit", "sandbox")
RESERVED_SECTIONS = ("contests", "ugc", "scoring")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value))


Duration = Annotated[str, Field(description="A duration such as 30m, 1h, 1h30m, 2d, 1w.")]
LocalTime = Annotated[str, Field(description="Local wall-clock time in the campaign's timezone: YYYY-MM-DD HH:MM.")]


class QuietHoursSpec(_Frozen):
    """Nothing is posted between ``start`` and ``end`` (local time); due posts move to ``end``."""

    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str) -> str:
        parse_clock(v)
        return v

    def to_domain(self) -> QuietHours:
        return QuietHours(parse_clock(self.start), parse_clock(self.end))


class Defaults(_Frozen):
    """Defaults for every item of the campaign."""

    catch_up_within: Duration = Field(
        "1h",
        description="An occurrence overdue by more than this (e.g. after downtime) is marked missed, never posted late.",
    )
    quiet_hours: QuietHoursSpec | None = None
    blackout_dates: list[date] = Field(default_factory=list, description="Dates (local) on which nothing is posted.")

    @field_validator("catch_up_within")
    @classmethod
    def _check_duration(cls, v: str) -> str:
        _duration(v)
        return v


class XBudget(_Frozen):
    """Per-campaign X API budget; the daemon stays within it."""

    max_reads_per_day: int | None = Field(
        None, ge=0, description="X API read calls per day (collection, metrics, profiles)."
    )
    max_posts_per_day: int | None = Field(None, ge=0, description="X posts created per day.")


class CampaignHeader(_Frozen):
    """The `campaign:` section."""

    id: str = Field(pattern=SLUG, description="Unique slug across all campaign files, e.g. winter-launch.")
    name: str = Field(min_length=1)
    timezone: str = Field(description="IANA timezone, e.g. Europe/Madrid.")
    starts: date | datetime
    ends: date | datetime
    platforms: list[Literal["x", "reddit", "sandbox"]] = Field(min_length=1)
    account: str = Field("default", description="Account profile whose credentials are used (SOCIALBOT_X_<PROFILE>_…).")
    hashtags: list[str] = Field(default_factory=list, description="Hashtags / keywords whose posts are collected.")
    countdowns: dict[str, date] = Field(
        default_factory=dict, description="Named dates for {{ days_to.NAME }} in texts."
    )
    defaults: Defaults = Field(default_factory=Defaults)
    x: XBudget = Field(default_factory=XBudget)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        shown = v if len(v) <= 60 else v[:60] + "…"
        if len(v) > 100:  # the longest IANA name is ~30 characters; never hand a long text to the file system
            raise ValueError(f"unknown timezone '{shown}'")
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown timezone '{shown}'") from None
        from socialbot.spec.timezones import refusal

        if refusal(v):  # loads, but is no place: the machine's own zone, or tz internals
            raise ValueError(f"unknown timezone '{shown}'")
        return v

    @field_validator("account")
    @classmethod
    def _account(cls, v: str) -> str:
        if not re.match(r"^[a-z][a-z0-9_]{0,30}$", v):
            raise ValueError("an account profile is lower-case letters, digits and _ (e.g. default, brand)")
        return v

    @field_validator("platforms")
    @classmethod
    def _unique_platforms(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a platform is listed twice")
        return v

    @model_validator(mode="after")
    def _window(self) -> CampaignHeader:
        if self.window()[1] < self.window()[0]:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts}); swap them or fix the dates")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def window(self) -> tuple[datetime, datetime]:
        """Naive local [start, end]; a bare ``ends`` date includes that whole day."""
        start = self.starts if isinstance(self.starts, datetime) else datetime.combine(self.starts, time(0))
        end = self.ends if isinstance(self.ends, datetime) else datetime.combine(self.ends, time(23, 59, 59))
        return start.replace(tzinfo=None), end.replace(tzinfo=None)


class Schedule(_Frozen):
    """When an item is posted: exactly one of `at`, `cron` or `every`."""

    at: LocalTime | list[LocalTime] | None = Field(None, description="One or more local times.")
    cron: str | None = Field(None, description="A cron expression in local time, e.g. '0 9 * * 1-5'.")
    every: Duration | None = Field(None, description="Repeat interval, e.g. 1d or 12h.")
    starting: LocalTime | None = Field(None, description="First occurrence for `every` (default: campaign start).")
    until: LocalTime | None = None
    count: int | None = Field(None, ge=1)
    catch_up_within: Duration | None = Field(None, description="Overrides the campaign default.")

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        kinds = [k for k in ("at", "cron", "every") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one of 'at', 'cron' or 'every'" + (f" (found {', '.join(kinds)})" if kinds else "")
            )
        return self

    @field_validator("at")
    @classmethod
    def _at(cls, v: str | list[str] | None) -> str | list[str] | None:
        for item in [v] if isinstance(v, str) else v or []:
            parse_local(item)
        return v

    @field_validator("starting", "until")
    @classmethod
    def _local(cls, v: str | None) -> str | None:
        if v is not None:
            parse_local(v)
        return v

    @field_validator("cron")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from croniter import croniter

        if not croniter.is_valid(v) or len(v.split()) != 5:
            raise ValueError(
                f"invalid cron expression '{v}'; use five fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * 1-5'"
            )
        return v

    @field_validator("every", "catch_up_within")
    @classmethod
    def _durations(cls, v: str | None) -> str | None:
        if v is not None:
            _duration(v)
        return v

    def to_rule(self) -> Rule:
        at = [self.at] if isinstance(self.at, str) else self.at or []
        return Rule(
            at=tuple(parse_local(a) for a in at),
            cron=self.cron,
            every=_duration(self.every) if self.every else None,
            starting=parse_local(self.starting) if self.starting else None,
            until=parse_local(self.until) if self.until else None,
            count=self.count,
        )


class MediaSpec(_Frozen):
    path: str = Field(description="Path relative to the campaign file.")
    alt: str | None = Field(None, max_length=1000, description="Alt text for screen readers.")


class XOptions(_Frozen):
    """X-only options of a post."""

    reply_settings: Literal["everyone", "following", "mentionedUsers"] | None = None


class RedditOptions(_Frozen):
    """Reddit-only options of a post."""

    subreddit: str | None = Field(None, pattern=r"^[A-Za-z0-9_]{2,21}$", description="Without the r/ prefix.")
    title: str | None = Field(None, description="Submission title (a template, like text); default: the first line.")
    flair: str | None = Field(None, description="Flair text, as the subreddit shows it.")
    kind: Literal["self", "link"] = "self"
    url: str | None = Field(None, description="Target of a link post.")
    suggested_sort: Literal["confidence", "top", "new", "controversial", "old", "random", "qa", "live"] | None = None
    nsfw: bool = False
    spoiler: bool = False

    @model_validator(mode="after")
    def _link(self) -> RedditOptions:
        if self.kind == "link" and not self.url:
            raise ValueError("a link post needs 'url'")
        return self


class PollSpec(_Frozen):
    """A native poll attached to the post (X: 2–4 options of ≤ 25 characters, 5 min–7 days; Reddit: 2–6 options, 1–7 days)."""

    options: list[str] = Field(min_length=2, description="The answers people can pick.")
    duration: Duration = Field("1d", description="How long voting stays open, e.g. 30m, 1d, 7d.")

    @field_validator("duration")
    @classmethod
    def _check_duration(cls, v: str) -> str:
        _duration(v)
        return v

    def minutes(self) -> int:
        return int(_duration(self.duration).total_seconds() // 60)


class Post(_Frozen):
    """A planned post: one text, rotating variants, or a thread of parts."""

    id: str = Field(pattern=SLUG, description="Unique within the file; part of every idempotency key.")
    text: str | None = Field(None, description="The text (a Jinja2 template).")
    variants: list[str] | None = Field(None, min_length=2, description="Texts rotated across occurrences.")
    thread: list[str] | None = Field(None, min_length=2, description="Parts posted as a reply chain.")
    media: list[MediaSpec | str] = Field(default_factory=list)
    poll: PollSpec | None = Field(None, description="A native poll on the post (on the first part of a thread).")
    schedule: Schedule
    platforms: list[Literal["x", "reddit", "sandbox"]] | None = Field(
        None, description="Default: all of the campaign's."
    )
    x: XOptions = Field(default_factory=XOptions)
    reddit: RedditOptions = Field(default_factory=RedditOptions)

    @model_validator(mode="after")
    def _one_body(self) -> Post:
        bodies = [k for k in ("text", "variants", "thread") if getattr(self, k) is not None]
        if len(bodies) != 1:
            raise ValueError(
                "give exactly one of 'text', 'variants' or 'thread'"
                + (f" (found {', '.join(bodies)})" if bodies else "")
            )
        return self

    def media_specs(self) -> list[MediaSpec]:
        return [m if isinstance(m, MediaSpec) else MediaSpec(path=m) for m in self.media]


class _OneTime(_Frozen):
    """What a poll and a Q&A session share: posted once at ``opens``, open for ``runs``, on some platforms
    (each declares ``opens`` and ``runs`` again, with its own wording and default)."""

    opens: LocalTime = Field(description="When it is posted (local time).")
    runs: Duration = Field("1d", description="How long it stays open.")
    platforms: list[Literal["x", "reddit", "sandbox"]] | None = Field(
        None, description="Default: all of the campaign's."
    )
    catch_up_within: Duration | None = Field(None, description="Overrides the campaign default.")
    reddit: RedditOptions = Field(default_factory=RedditOptions)

    @field_validator("runs", "catch_up_within")
    @classmethod
    def _durations(cls, v: str | None) -> str | None:
        if v is not None:
            _duration(v)
        return v

    @field_validator("opens")
    @classmethod
    def _opens(cls, v: str) -> str:
        parse_local(v)
        return v

    def duration(self) -> timedelta:
        return _duration(self.runs)


class PollItem(_OneTime):
    """A poll of the ``polls:`` section: native where the platform has polls, or a reply poll ("reply A, B or C")."""

    id: str = Field(pattern=SLUG, description="Unique within the file (among posts and polls).")
    question: str = Field(min_length=1, description="The poll's text (a Jinja2 template, like a post's).")
    options: list[str] = Field(min_length=2, description="The answers people can pick (a reply poll takes up to 10).")
    opens: LocalTime = Field(description="When the poll is posted (local time).")
    runs: Duration = Field("1d", description="How long voting stays open, e.g. 30m, 1d, 7d.")
    kind: Literal["native", "reply"] = Field(
        "native", description="native: the platform's own poll (totals only); reply: votes counted from replies."
    )
    announce_results: str | None = Field(
        None,
        min_length=1,
        description="Posted as a reply to the poll once it closed: a template with {{ poll.winner }}, "
        "{{ poll.winner_percent }}, {{ poll.results }}, {{ poll.total }}.",
    )


class QaSession(_OneTime):
    """A Q&A session (AMA) of the ``qa:`` section: an opening post, a live window, FAQ answers, a human queue."""

    id: str = Field(pattern=SLUG, description="Unique within the file (among posts, polls and sessions).")
    opening: str | None = Field(None, description="The opening post (a template); or 'thread' on X.")
    thread: list[str] | None = Field(
        None, min_length=2, description="An opening thread; on Reddit the later parts are comments under the post."
    )
    opens: LocalTime = Field(description="When the session opens (local time).")
    runs: Duration = Field("1h", description="The live window: questions asked in it are collected and answered.")
    faq: str | None = Field(None, description="A knowledge base file (YAML), relative to the campaign file.")
    min_confidence: int = Field(85, ge=50, le=100, description="FAQ match (0-100) needed for an automatic answer.")
    auto_answers_per_hour: int = Field(10, ge=0, le=60, description="At most this many automatic answers an hour.")
    tag: str | None = Field(
        None, min_length=2, description="Mentions carrying this text (e.g. #AskCozy) in the window are questions."
    )
    summary: str | None = Field(
        None,
        min_length=1,
        description="Posted as a reply to the opening when the session closes: a template with {{ qa.questions }}, "
        "{{ qa.answered }}, {{ qa.unanswered }}, {{ qa.median_minutes }}.",
    )

    @model_validator(mode="after")
    def _one_opening(self) -> QaSession:
        if (self.opening is None) == (self.thread is None):
            raise ValueError("give exactly one of 'opening' or 'thread'")
        return self

    def parts(self) -> list[str]:
        return list(self.thread) if self.thread is not None else [self.opening or ""]


class CampaignFile(_Frozen):
    """A whole campaign file."""

    campaign: CampaignHeader
    posts: list[Post] = Field(default_factory=list)
    polls: list[PollItem] = Field(default_factory=list, description="Polls: posted, harvested, announced.")
    qa: list[QaSession] = Field(default_factory=list, description="Q&A sessions: questions, FAQ answers, a queue.")
    contests: object | None = Field(None, description="Reserved: not yet supported.")
    ugc: object | None = Field(None, description="Reserved: not yet supported.")
    scoring: object | None = Field(None, description="Reserved: not yet supported.")

    def catch_up(self, post: Post) -> timedelta:
        return _duration(post.schedule.catch_up_within or self.campaign.defaults.catch_up_within)
