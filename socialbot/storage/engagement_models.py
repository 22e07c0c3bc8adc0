"""SQLModel tables of the engagement features: polls and their counts, Q&A sessions and their questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from socialbot.storage.columns import _ts


class PollRow(SQLModel, table=True):
    """A poll of a campaign file as last synced: what its results are read against (the file may be gone)."""

    __tablename__ = "polls"

    campaign_id: str = Field(primary_key=True, max_length=64)
    poll_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)  # native | reply
    question: str = Field(sa_column=Column(Text, nullable=False))  # as rendered
    options: list = Field(sa_column=Column(JSON, nullable=False))
    runs_seconds: int
    platforms: list = Field(sa_column=Column(JSON, nullable=False))
    opens_at: datetime = Field(sa_column=_ts(nullable=False))
    announces: bool = False
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class PollSnapshotRow(SQLModel, table=True):
    """A poll's counts on one platform at one instant (the last one, ``final``, at its close); never overwritten."""

    __tablename__ = "poll_snapshots"
    __table_args__ = (UniqueConstraint("campaign_id", "poll_id", "platform", "taken_at", name="uq_poll_snapshot_time"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=64)
    poll_id: str = Field(max_length=64)
    platform: str = Field(max_length=32)
    remote_id: str = Field(max_length=64)
    taken_at: datetime = Field(sa_column=_ts(nullable=False))
    counts: list = Field(sa_column=Column(JSON, nullable=False))
    total: int
    final: bool = False
    detail: dict | None = Field(default=None, sa_column=Column(JSON))  # a reply poll's tally: what was left out


class QaSessionRow(SQLModel, table=True):
    """A Q&A session of a campaign file as last synced, and whether a manager closed it early."""

    __tablename__ = "qa_sessions"

    campaign_id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(primary_key=True, max_length=64)
    platforms: list = Field(sa_column=Column(JSON, nullable=False))
    opens_at: datetime = Field(sa_column=_ts(nullable=False))
    runs_seconds: int
    closed_at: datetime | None = Field(default=None, sa_column=_ts())  # `socialbot qa close` (or None)
    finished: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # platforms done with
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class QaQuestionRow(SQLModel, table=True):
    """A question asked in a Q&A session: who, what, its group of near-duplicates, and how it was answered."""

    __tablename__ = "qa_questions"
    __table_args__ = (
        UniqueConstraint("platform", "remote_id", name="uq_qa_question_remote"),
        Index("ix_qa_questions_session", "campaign_id", "session_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=64)
    session_id: str = Field(max_length=64)
    platform: str = Field(max_length=32)  # the campaign's platform name (sandbox, x, reddit)
    remote_id: str = Field(max_length=120)  # the question's own id on the platform
    author_id: str = Field(max_length=120)
    text: str = Field(sa_column=Column(Text, nullable=False))
    asked_at: datetime = Field(sa_column=_ts(nullable=False))
    score: int = 0  # the platform's score or likes when it reports them
    group_id: int | None = None  # the id of the question this one repeats (None: it leads its group)
    status: str = Field(default="open", max_length=16)  # open | queued | answered | skipped
    answered_by: str | None = Field(default=None, max_length=16)  # auto | human | platform
    answer_key: str | None = Field(default=None, max_length=300)  # the ledger entry of our answer
    answered_at: datetime | None = Field(default=None, sa_column=_ts())  # set for an answer seen on the platform
    faq_confidence: float | None = None  # the best FAQ match, when one was looked for
    note: str | None = Field(default=None, sa_column=Column(Text))  # why skipped, or why not answered automatically
    updated_at: datetime = Field(sa_column=_ts(nullable=False))
