"""Polls and Q&A sessions are recorded at sync: written when they changed, left alone when not, removed with the file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.models import PollRow, QaSessionRow
from socialbot.storage.polls import PollDefinition, poll_definitions, sync_polls
from socialbot.storage.qa import SessionRecord, close_session, sessions, sync_sessions

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def poll(options=("Tea", "Cocoa")) -> PollDefinition:
    return PollDefinition("c", "vote", "native", "Which?", tuple(options), timedelta(days=1), ("x",), T0, False)


def written(engine, model) -> list[datetime]:
    with engine.connect() as conn:
        return [r.updated_at for r in conn.execute(select(model))]


def test_unchanged_polls_are_not_written_again_changed_ones_are_and_gone_ones_go(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    sync_polls(engine, {"c": [poll()]}, now=T0)
    sync_polls(engine, {"c": [poll()]}, now=T0 + timedelta(hours=1))
    assert written(engine, PollRow) == [T0]
    sync_polls(engine, {"c": [poll(("Tea", "Cider"))]}, now=T0 + timedelta(hours=2))
    assert written(engine, PollRow) == [T0 + timedelta(hours=2)]
    assert poll_definitions(engine, campaign_id="c")[0].options == ("Tea", "Cider")
    sync_polls(engine, {"c": []}, now=T0 + timedelta(hours=3))
    assert poll_definitions(engine, campaign_id="c") == []
    engine.dispose()


def test_a_session_closed_early_stays_closed_across_syncs(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    upgrade(engine)
    record = SessionRecord("c", "ama", ("x",), T0, timedelta(hours=1), None)
    sync_sessions(engine, {"c": [record]}, now=T0)
    assert close_session(engine, campaign_id="c", session_id="ama", now=T0 + timedelta(minutes=20))
    sync_sessions(engine, {"c": [record]}, now=T0 + timedelta(minutes=30))  # unchanged: not written
    longer = SessionRecord("c", "ama", ("x",), T0, timedelta(hours=2), None)
    sync_sessions(engine, {"c": [longer]}, now=T0 + timedelta(minutes=40))  # changed: written, close kept
    (kept,) = sessions(engine, campaign_id="c")
    assert kept.runs == timedelta(hours=2) and kept.closed_at == T0 + timedelta(minutes=20)
    assert written(engine, QaSessionRow) == [T0 + timedelta(minutes=40)]
    engine.dispose()
