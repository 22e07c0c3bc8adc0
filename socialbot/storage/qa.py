"""The Q&A aggregate: sessions as last synced, the questions asked in them, and how each was answered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import col

from socialbot.storage.db import Engine, transaction
from socialbot.storage.models import LedgerRow, QaQuestionRow, QaSessionRow, table_of


@dataclass(frozen=True)
class SessionRecord:
    campaign_id: str
    session_id: str
    platforms: tuple[str, ...]
    opens_at: datetime
    runs: timedelta
    closed_at: datetime | None
    finished: tuple[str, ...] = ()  # the platforms whose last look after the close is done


@dataclass(frozen=True)
class Asked:
    """A collected reply or mention that is a new question of a session."""

    remote_id: str
    author_id: str
    text: str
    asked_at: datetime
    score: int


@dataclass(frozen=True)
class Question:
    id: int
    campaign_id: str
    session_id: str
    platform: str
    remote_id: str
    author_id: str
    text: str
    asked_at: datetime
    score: int
    group_id: int | None
    status: str
    answered_by: str | None
    answer_key: str | None
    answered_at: datetime | None
    faq_confidence: float | None
    note: str | None


def sync_sessions(engine: Engine, sessions: Mapping[str, Sequence[SessionRecord]], *, now: datetime) -> None:
    """Make the stored sessions of each campaign in ``sessions`` the ones given; a session's early close and
    finished platforms are kept, and a campaign whose sessions are stored as given is not written again."""
    table = table_of(QaSessionRow)
    with transaction(engine) as conn:
        stored: dict[str, dict[str, tuple]] = {}
        for r in conn.execute(select(table)):
            opens = r.opens_at.astimezone(UTC)
            stored.setdefault(r.campaign_id, {})[r.session_id] = (
                (tuple(r.platforms), opens, r.runs_seconds),
                r.closed_at,
                list(r.finished or []),
            )
        for campaign_id, defined in sessions.items():
            kept = stored.get(campaign_id, {})
            wanted = {
                s.session_id: (s.platforms, s.opens_at.astimezone(UTC), int(s.runs.total_seconds())) for s in defined
            }
            if wanted == {sid: v[0] for sid, v in kept.items()}:
                continue
            conn.execute(delete(table).where(table.c.campaign_id == campaign_id))
            if defined:
                conn.execute(
                    insert(table),
                    [
                        {
                            "campaign_id": s.campaign_id,
                            "session_id": s.session_id,
                            "platforms": list(s.platforms),
                            "opens_at": s.opens_at,
                            "runs_seconds": int(s.runs.total_seconds()),
                            "closed_at": kept.get(s.session_id, (None, None, []))[1],
                            "finished": kept.get(s.session_id, (None, None, []))[2],
                            "updated_at": now,
                        }
                        for s in defined
                    ],
                )


def sessions(engine: Engine, *, campaign_id: str | None = None, session_id: str | None = None) -> list[SessionRecord]:
    query = select(QaSessionRow)
    if campaign_id is not None:
        query = query.where(col(QaSessionRow.campaign_id) == campaign_id)
    if session_id is not None:
        query = query.where(col(QaSessionRow.session_id) == session_id)
    with transaction(engine) as conn:
        rows = conn.execute(query.order_by(col(QaSessionRow.opens_at))).all()
    return [
        SessionRecord(
            r.campaign_id,
            r.session_id,
            tuple(r.platforms),
            r.opens_at,
            timedelta(seconds=r.runs_seconds),
            r.closed_at,
            tuple(r.finished or ()),
        )
        for r in rows
    ]


def close_session(engine: Engine, *, campaign_id: str, session_id: str, now: datetime) -> bool:
    """Close a session now (no more questions taken, no more automatic answers); False if it was closed before."""
    with transaction(engine) as conn:
        done = conn.execute(
            update(table_of(QaSessionRow))
            .where(
                col(QaSessionRow.campaign_id) == campaign_id,
                col(QaSessionRow.session_id) == session_id,
                col(QaSessionRow.closed_at).is_(None),
            )
            .values(closed_at=now)
        )
        return done.rowcount == 1


def finish(engine: Engine, *, campaign_id: str, session_id: str, platform: str, now: datetime) -> None:
    """Record that a session's last look on ``platform`` is done (its summary, if any, is queued)."""
    with transaction(engine) as conn:
        row = conn.execute(
            select(col(QaSessionRow.finished)).where(
                col(QaSessionRow.campaign_id) == campaign_id, col(QaSessionRow.session_id) == session_id
            )
        ).first()
        if row is None or platform in (row[0] or []):
            return
        conn.execute(
            update(table_of(QaSessionRow))
            .where(col(QaSessionRow.campaign_id) == campaign_id, col(QaSessionRow.session_id) == session_id)
            .values(finished=[*(row[0] or []), platform], updated_at=now)
        )


def add_questions(engine: Engine, rows: Sequence[Mapping[str, object]]) -> None:
    if rows:
        with transaction(engine) as conn:
            conn.execute(insert(table_of(QaQuestionRow)), list(rows))


def questions(engine: Engine, *, campaign_id: str, session_id: str | None = None) -> list[Question]:
    query = select(QaQuestionRow).where(col(QaQuestionRow.campaign_id) == campaign_id)
    if session_id is not None:
        query = query.where(col(QaQuestionRow.session_id) == session_id)
    with transaction(engine) as conn:
        rows = conn.execute(query.order_by(col(QaQuestionRow.id))).all()
    return [_question(r) for r in rows]


def question(engine: Engine, question_id: int) -> Question | None:
    with transaction(engine) as conn:
        row = conn.execute(select(QaQuestionRow).where(col(QaQuestionRow.id) == question_id)).first()
    return _question(row) if row is not None else None


def set_status(
    engine: Engine,
    question_id: int,
    *,
    status: str,
    now: datetime,
    expect: Sequence[str] = ("open",),
    **values: object,
) -> bool:
    """Move a question to ``status`` if it is in one of ``expect`` (compare-and-set); False when it was not."""
    with transaction(engine) as conn:
        done = conn.execute(
            update(table_of(QaQuestionRow))
            .where(col(QaQuestionRow.id) == question_id, col(QaQuestionRow.status).in_(list(expect)))
            .values(status=status, updated_at=now, **values)
        )
        return done.rowcount == 1


def answers_sent(engine: Engine, keys: Sequence[str]) -> dict[str, tuple[str, datetime | None]]:
    """Ledger key → (status, sent_at) of our answers."""
    if not keys:
        return {}
    with transaction(engine) as conn:
        rows = conn.execute(
            select(col(LedgerRow.key), col(LedgerRow.status), col(LedgerRow.sent_at)).where(
                col(LedgerRow.key).in_(list(keys))
            )
        ).all()
    return {k: (s, t) for k, s, t in rows}


def _question(r: Any) -> Question:  # a row of qa_questions (its columns by name)
    assert r.id is not None
    return Question(
        id=r.id,
        campaign_id=r.campaign_id,
        session_id=r.session_id,
        platform=r.platform,
        remote_id=r.remote_id,
        author_id=r.author_id,
        text=r.text,
        asked_at=r.asked_at,
        score=r.score,
        group_id=r.group_id,
        status=r.status,
        answered_by=r.answered_by,
        answer_key=r.answer_key,
        answered_at=r.answered_at,
        faq_confidence=r.faq_confidence,
        note=r.note,
    )


def ledger_texts(engine: Engine, *, key_prefix: str) -> list[str]:
    """The texts of the ledger entries whose key starts with ``key_prefix`` (the answers of one session)."""
    import json

    with transaction(engine) as conn:
        drafts = conn.execute(
            select(col(LedgerRow.draft)).where(col(LedgerRow.key).startswith(key_prefix, autoescape=True))
        ).scalars()
        return [str(json.loads(d).get("text", "")) for d in drafts]


def our_remote_ids(engine: Engine, *, campaign_id: str) -> set[str]:
    """Every remote id the campaign's ledger entries went out as (what an on-platform answer is not)."""
    with transaction(engine) as conn:
        found = conn.execute(
            select(col(LedgerRow.remote_id)).where(
                col(LedgerRow.campaign_id) == campaign_id, col(LedgerRow.remote_id).is_not(None)
            )
        ).scalars()
        return {r for r in found if r}


def opening(engine: Engine, *, campaign_id: str, session_id: str, platform: str) -> tuple[str, datetime] | None:
    """(remote id, sent time) of a session's opening post on one platform, once it went out."""
    with transaction(engine) as conn:
        row = conn.execute(
            select(col(LedgerRow.remote_id), col(LedgerRow.sent_at)).where(
                col(LedgerRow.campaign_id) == campaign_id,
                col(LedgerRow.item_id) == session_id,
                col(LedgerRow.platform) == platform,
                col(LedgerRow.part) == 0,
                col(LedgerRow.origin) == "schedule",
                col(LedgerRow.status) == "sent",
            )
        ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]
