"""What a Q&A session came to: its questions in queue order, and the figures a report and the summary show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from socialbot.domain.qa import rank_key, response_times
from socialbot.storage import qa as store
from socialbot.storage.db import Engine
from socialbot.storage.qa import Question


@dataclass(frozen=True)
class QuestionLine:
    id: int
    platform: str
    author_id: str
    text: str
    asked_at: datetime
    asked_by: int  # the people who asked it (with its near-duplicates)
    score: int
    status: str  # open | queued | answered | skipped | failed (our answer was refused: see status)
    answered_by: str | None
    answered_at: datetime | None
    faq_confidence: float | None
    note: str | None
    duplicates: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "platform": self.platform,
            "author": self.author_id,
            "question": self.text,
            "asked_at": self.asked_at.isoformat(),
            "asked_by": self.asked_by,
            "score": self.score,
            "status": self.status,
            "answered_by": self.answered_by,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "faq_confidence": self.faq_confidence,
            "note": self.note,
            "duplicates": list(self.duplicates),
        }


def question_lines(engine: Engine, campaign_id: str, session_id: str) -> list[QuestionLine]:
    """The session's questions, one line per group (its duplicates listed), most asked and oldest first."""
    asked = store.questions(engine, campaign_id=campaign_id, session_id=session_id)
    sent = store.answers_sent(engine, [q.answer_key for q in asked if q.answer_key])
    groups: dict[int, list[Question]] = {}
    for q in asked:
        groups.setdefault(q.group_id or q.id, []).append(q)
    lines = []
    for leader_id, members in groups.items():
        leader = next((q for q in members if q.id == leader_id), members[0])
        status, answered_at = leader.status, leader.answered_at if leader.answered_by == "platform" else None
        note = leader.note
        if leader.answer_key:
            ledger_status, sent_at = sent.get(leader.answer_key, ("planned", None))
            if ledger_status == "sent":
                status, answered_at = "answered", sent_at
            elif ledger_status in ("failed", "missed", "cancelled"):
                status, note = "failed", f"our answer was {ledger_status}: `socialbot status` says why"
        lines.append(
            QuestionLine(
                id=leader.id,
                platform=leader.platform,
                author_id=leader.author_id,
                text=leader.text,
                asked_at=leader.asked_at,
                asked_by=len({m.author_id for m in members}),
                score=sum(m.score for m in members),
                status=status,
                answered_by=leader.answered_by,
                answered_at=answered_at,
                faq_confidence=leader.faq_confidence,
                note=note,
                duplicates=tuple(m.id for m in members if m.id != leader.id),
            )
        )
    lines.sort(key=lambda line: rank_key(score=line.score, asked_by=line.asked_by, asked_at=line.asked_at))
    return lines


def session_figures(
    engine: Engine, campaign_id: str, session_id: str, *, platform: str | None = None, now: datetime
) -> dict[str, object]:
    """Questions received, grouped, answered (automatically, by a person, on the platform), and times to answer."""
    lines = [q for q in question_lines(engine, campaign_id, session_id) if platform is None or q.platform == platform]
    received = sum(1 + len(q.duplicates) for q in lines)
    answered = [q for q in lines if q.status == "answered"]
    waits = [q.answered_at - q.asked_at for q in answered if q.answered_at is not None]
    times = response_times([w for w in waits if w >= timedelta(0)])

    def minutes(value: timedelta | None) -> float | None:
        return round(value.total_seconds() / 60, 1) if value is not None else None

    return {
        "questions": received,
        "groups": len(lines),
        "answered": len(answered),
        "auto": sum(1 for q in answered if q.answered_by == "auto"),
        "human": sum(1 for q in answered if q.answered_by == "human"),
        "on_platform": sum(1 for q in answered if q.answered_by == "platform"),
        "queued": sum(1 for q in lines if q.status == "queued"),
        "skipped": sum(1 for q in lines if q.status == "skipped"),
        "unanswered": sum(1 for q in lines if q.status == "open"),
        "median_minutes": minutes(times.median),
        "p90_minutes": minutes(times.p90),
    }


def qa_sessions_report(engine: Engine, campaign_id: str, *, now: datetime) -> list[dict[str, object]]:
    """Each Q&A session of a campaign: its figures and the questions still unanswered (most asked first)."""
    out: list[dict[str, object]] = []
    for record in store.sessions(engine, campaign_id=campaign_id):
        lines = question_lines(engine, campaign_id, record.session_id)
        out.append(
            {
                "session": record.session_id,
                "opens_at": record.opens_at.isoformat(),
                "closes_at": (record.closed_at or record.opens_at + record.runs).isoformat(),
                "figures": session_figures(engine, campaign_id, record.session_id, now=now),
                "unanswered": [q.to_dict() for q in lines if q.status in ("open", "failed")],
            }
        )
    return out
