"""The lookups publishing makes for every post cost the same with 20 rows as with 5,000.

SQLite counts the virtual-machine steps of every statement (its progress handler); a lookup that walks
an index stays flat as the table grows, one that reads every planned row or every post of the day
grows with it. A fortnight of a busy campaign makes these lookups for each of its thousands of posts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from socialbot.domain.ledger import Status
from socialbot.storage import ledger
from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.models import LedgerRow, SandboxPostRow, table_of
from socialbot.storage.sandbox_world import SandboxWorldStore, text_key

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _steps(engine, lookup: Callable[[], object]) -> int:
    """SQLite virtual-machine steps (in hundreds) that ``lookup`` costs."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # go on

    def on_checkout(dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.set_progress_handler(count, 100)

    event.listen(engine, "checkout", on_checkout)
    try:
        lookup()
    finally:
        event.remove(engine, "checkout", on_checkout)
    return steps[0]


def _planned(engine, first: int, count: int) -> None:
    rows = [
        {
            "key": f"c/p{i}/0",
            "campaign_id": "c",
            "item_id": f"p{i}",
            "occurrence": 0,
            "platform": "x",
            "part": 0,
            "origin": "schedule",
            "kind": "post",
            "due_at": T0 + timedelta(minutes=i),
            "local_time": "",
            "status": Status.PLANNED.value,
            "content_hash": "h",
            "draft": '{"text": "x"}',
            "catch_up_seconds": 3600,
            "attempts": 0,
            "not_before": T0 + timedelta(days=30) if i % 50 == 7 else None,  # a few parked
            "updated_at": T0,
        }
        for i in range(first, first + count)
    ]
    with engine.begin() as conn:
        conn.execute(insert(table_of(LedgerRow)), rows)


def test_the_next_wake_up_time_does_not_read_every_planned_row(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wake.db'}")
    upgrade(engine)
    _planned(engine, 0, 20)
    wake = lambda: ledger.next_wake(engine, campaign_ids=["c"])  # noqa: E731
    assert wake() == T0
    few = _steps(engine, wake)
    _planned(engine, 20, 5000)
    assert wake() == T0
    many = _steps(engine, wake)
    assert many <= few + 2, (few, many)  # reading the 5,000 planned rows takes hundreds of steps more
    engine.dispose()


def test_the_sandbox_duplicate_check_does_not_read_every_post_of_the_day(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'dup.db'}")
    upgrade(engine)
    world = SandboxWorldStore(engine, account="a")

    def posts(first: int, count: int) -> None:
        rows = [
            {
                "account": "a",
                "remote_id": str(10**9 + i),
                "text": f"post {i}",
                "text_key": text_key(f"post {i}"),
                "created_at": T0 + timedelta(seconds=i),
                "deleted": False,
            }
            for i in range(first, first + count)
        ]
        with engine.begin() as conn:
            conn.execute(insert(table_of(SandboxPostRow)), rows)

    posts(0, 20)
    check = lambda: world.has_text_since("POST 3", T0)  # noqa: E731
    assert check() and not world.has_text_since("post 3", T0 + timedelta(hours=1))
    few = _steps(engine, check)
    posts(20, 5000)
    assert check() and world.has_text_since("post 4999", T0)
    many = _steps(engine, check)
    assert many <= few + 2, (few, many)
    engine.dispose()
