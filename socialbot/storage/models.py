"""SQLModel tables: campaigns, the ledger, publications, authors, interactions, metrics, cursors, runs, usage, locks.

The engagement features' tables are in engagement_models.py (imported here, so this module names them all).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from socialbot.storage.columns import UTCDateTime, _sqlite_datetime, _sqlite_text, _ts, table_of
from socialbot.storage.engagement_models import PollRow, PollSnapshotRow, QaQuestionRow, QaSessionRow

__all__ = [  # importing this module registers every table, the engagement features' too
    "PollRow",
    "PollSnapshotRow",
    "QaQuestionRow",
    "QaSessionRow",
    "UTCDateTime",
    "_sqlite_datetime",
    "_sqlite_text",
    "table_of",
]


class CampaignRow(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: str = Field(primary_key=True, max_length=64)
    name: str
    timezone: str = Field(max_length=64)
    file_path: str
    digest: str = Field(max_length=64)
    starts_at: datetime = Field(sa_column=_ts(nullable=False))
    ends_at: datetime = Field(sa_column=_ts(nullable=False))
    active: bool = True
    updated_at: datetime = Field(sa_column=_ts(nullable=False))
    x_max_posts_per_day: int | None = None  # the campaign's daily X budgets, recorded at sync for `status`
    x_max_reads_per_day: int | None = None
    account: str | None = Field(default=None, max_length=32)  # credentials profile, recorded for `status`
    platforms: str | None = Field(default=None, max_length=100)  # comma-separated
    plan_digest: str | None = Field(default=None, max_length=64)  # of the plan its schedule rows match (plan_sync)


class LedgerRow(SQLModel, table=True):
    """One outward action; written before the API call (exactly-once publishing)."""

    __tablename__ = "ledger"
    __table_args__ = (
        Index("ix_ledger_status_due", "status", "due_at"),
        Index("ix_ledger_campaign_status_due", "campaign_id", "status", "due_at"),  # one campaign's rows by status
        Index("ix_ledger_campaign_status_parked", "campaign_id", "status", "not_before"),  # next_wake
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)
    campaign_id: str = Field(index=True, max_length=64)
    item_id: str = Field(max_length=64)
    occurrence: int
    platform: str = Field(max_length=32)
    part: int = 0
    origin: str = Field(default="schedule", max_length=16)  # schedule: from a campaign file; reactive: at run time
    kind: str = Field(default="post", max_length=32)  # post, thread_part, poll, reply, answer, announcement, …
    parent_key: str | None = Field(default=None, index=True, max_length=300)  # the thread part this one follows
    reply_to: str | None = Field(default=None, max_length=120)  # remote id a reactive reply answers
    due_at: datetime = Field(sa_column=_ts(nullable=False))
    local_time: str = Field(max_length=40)
    status: str = Field(max_length=16)
    content_hash: str = Field(max_length=32)
    draft: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the Draft
    catch_up_seconds: int
    note: str | None = None
    attempts: int = 0
    not_before: datetime | None = Field(default=None, sa_column=_ts())
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sending_at: datetime | None = Field(default=None, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts())
    remote_id: str | None = Field(default=None, max_length=64)
    remote_url: str | None = None
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class PublicationRow(SQLModel, table=True):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("platform", "remote_id", name="uq_publication_remote"),)

    id: int | None = Field(default=None, primary_key=True)
    ledger_key: str = Field(index=True, max_length=300)
    campaign_id: str = Field(index=True, max_length=64)
    item_id: str = Field(max_length=64)
    platform: str = Field(max_length=32)
    part: int = 0
    remote_id: str = Field(max_length=64)
    url: str | None = None
    published_at: datetime = Field(sa_column=_ts(nullable=False))


class AuthorRow(SQLModel, table=True):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform", "remote_id", name="uq_author_remote"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    remote_id: str = Field(max_length=64)
    username: str = Field(max_length=100)
    first_seen_at: datetime = Field(sa_column=_ts(nullable=False))


class AuthorSnapshotRow(SQLModel, table=True):
    """A profile as it was at ``taken_at`` (eligibility is judged from these, as of a time)."""

    __tablename__ = "author_snapshots"
    __table_args__ = (Index("ix_author_snapshot_author", "platform", "remote_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    remote_id: str = Field(max_length=64)
    taken_at: datetime = Field(sa_column=_ts(nullable=False))
    account_created_at: datetime | None = Field(default=None, sa_column=_ts())
    followers: int | None = None
    following: int | None = None
    verified: bool | None = None
    protected: bool | None = None
    karma: int | None = None
    suspended: bool = False
    verified_type: str | None = Field(default=None, max_length=32)  # X: blue, business, government, none
    gone_reason: str | None = Field(default=None, max_length=16)  # suspended | not_found, when suspended is set


class InteractionRow(SQLModel, table=True):
    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("platform", "remote_id", name="uq_interaction_remote"),
        Index("ix_interaction_campaign_kind", "campaign_id", "kind"),
        Index("ix_interaction_campaign_target_kind", "campaign_id", "target_id", "kind"),  # report: per post
        Index("ix_interaction_campaign_author", "campaign_id", "platform", "author_id"),  # report: people
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    remote_id: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    campaign_id: str | None = Field(default=None, max_length=64)
    target_id: str | None = Field(default=None, max_length=64)  # looked up by campaign first (campaign_target_kind)
    parent_id: str | None = Field(default=None, max_length=120)
    author_id: str = Field(max_length=64)
    text: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    collected_at: datetime = Field(sa_column=_ts(nullable=False))
    raw: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))  # None is SQL NULL, not 'null'


METRIC_COUNTERS = (
    "likes",
    "replies",
    "reposts",
    "quotes",
    "bookmarks",
    "impressions",
    "score",
    "upvote_ratio",
    "comments",
)


class MetricSnapshotRow(SQLModel, table=True):
    """Public counters of one publication at one instant: a time series, never overwritten."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (Index("ix_metric_remote_time", "platform", "remote_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    remote_id: str = Field(max_length=64)
    taken_at: datetime = Field(sa_column=_ts(nullable=False))
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None
    score: int | None = None
    upvote_ratio: float | None = None
    comments: int | None = None
    poll: dict | None = Field(default=None, sa_column=Column(JSON))


class CursorRow(SQLModel, table=True):
    """Where an incremental collection stream resumes; written in the same transaction as its rows."""

    __tablename__ = "collection_cursors"

    campaign_id: str = Field(primary_key=True, max_length=64)
    platform: str = Field(primary_key=True, max_length=32)
    stream: str = Field(primary_key=True, max_length=200)
    value: str
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class JobRunRow(SQLModel, table=True):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_time", "job_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=200)
    campaign_id: str | None = Field(default=None, max_length=64)
    platform: str | None = Field(default=None, max_length=32)
    started_at: datetime = Field(sa_column=_ts(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_ts())
    outcome: str = Field(max_length=16)  # ok | parked | error
    error_class: str | None = Field(default=None, max_length=64)
    message: str | None = Field(default=None, sa_column=Column(Text))
    parked_until: datetime | None = Field(default=None, sa_column=_ts())


class ApiUsageRow(SQLModel, table=True):
    """API calls per campaign, platform, account and endpoint, per UTC day."""

    __tablename__ = "api_usage"

    day: date = Field(primary_key=True)
    campaign_id: str = Field(primary_key=True, max_length=64)
    platform: str = Field(primary_key=True, max_length=32)
    account: str = Field(primary_key=True, max_length=32)
    endpoint: str = Field(primary_key=True, max_length=120)
    calls: int = 0


class DaemonLockRow(SQLModel, table=True):
    """The single-instance lock: one row; a stale heartbeat means the holder died and may be taken over."""

    __tablename__ = "daemon_lock"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=200)
    token: str = Field(max_length=64)
    acquired_at: datetime = Field(sa_column=_ts(nullable=False))
    heartbeat_at: datetime = Field(sa_column=_ts(nullable=False))


class DatabaseRoleRow(SQLModel, table=True):
    """What the database is for: one row, ``rehearsal`` once a sandbox run used it, ``live`` once a live daemon did."""

    __tablename__ = "database_role"

    name: str = Field(primary_key=True, max_length=32)
    role: str = Field(max_length=16)


class SandboxPostRow(SQLModel, table=True):
    """The sandbox platform's world: posts made on it (so reconciliation sees them across restarts)."""

    __tablename__ = "sandbox_posts"
    __table_args__ = (Index("ix_sandbox_posts_text_key", "account", "text_key", "created_at"),)  # duplicates

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=64, index=True)
    remote_id: str = Field(unique=True, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    reply_to: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    deleted: bool = False
    text_key: str | None = Field(default=None, max_length=32)  # the text as duplicates are judged (text_key)
    poll: dict | None = Field(default=None, sa_column=Column(JSON))  # a native poll: options, duration_minutes
