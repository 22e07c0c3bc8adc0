"""Storage and ingestion behave the same on SQLite and on a real PostgreSQL (a throwaway cluster, tests/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from socialbot.domain.ledger import ActionKind, Status
from socialbot.domain.values import AuthorProfile, CollectBatch, Draft, Interaction, InteractionKind, Metrics, Published
from socialbot.storage import ledger
from socialbot.storage.bulk import BATCH
from socialbot.storage.db import current_revision, head_revision, make_engine, upgrade
from socialbot.storage.interactions import cursors, store_batch
from socialbot.storage.metrics import store_metrics
from socialbot.storage.models import AuthorRow, AuthorSnapshotRow, InteractionRow, PublicationRow
from socialbot.storage.reporting import interaction_totals, publication_stats

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """A database with no tables at all, of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_pg_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def interactions(first: int, count: int, *, target: str | None = "p1") -> tuple[Interaction, ...]:
    return tuple(
        Interaction(
            platform="x",
            remote_id=str(10**15 + i),
            kind=InteractionKind.REPLY,
            author_id=f"a{i % 7}",
            created_at=T0 + timedelta(seconds=i),
            target_id=target,
            parent_id=target,
            text=f"reply {i}",
            raw={"n": i},
        )
        for i in range(first, first + count)
    )


def authors(*ids: str) -> tuple[AuthorProfile, ...]:
    return tuple(AuthorProfile("x", a, f"user_{a}", T0, followers=10) for a in ids)


def count(engine: Engine, model: type[SQLModel]) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_migrations_upgrade_an_empty_database_to_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, step_by_step=True)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        assert diff == []
        upgrade(engine)  # idempotent: what the daemon does on every start
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def schema(engine: Engine) -> dict[str, dict[str, object]]:
    """Every table's columns (type, nullability, default), key, indexes, unique sets and foreign keys."""
    found = inspect(engine)
    return {
        table: {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in found.get_columns(table)
            ),
            "key": found.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "foreign": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in found.get_foreign_keys(table)
            ),
        }
        for table in sorted(found.get_table_names())
    }


def test_an_empty_database_gets_at_once_the_schema_the_migrations_build(empty_database_url, request, tmp_path):
    """A first start creates the models' tables and stamps the head, skipping Alembic: it must be the same schema."""
    if empty_database_url.startswith("sqlite"):
        steps_url = f"sqlite:///{tmp_path / 'steps.db'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        steps_url = cluster.url(cluster.create_database())
    at_once, steps = make_engine(empty_database_url), make_engine(steps_url)
    try:
        upgrade(at_once)
        upgrade(steps, step_by_step=True)
        assert current_revision(at_once) == head_revision()
        created, migrated = schema(at_once), schema(steps)
        assert "interactions" in created and created["interactions"]["indexes"]
        assert created == migrated
        upgrade(at_once)  # at the head: left alone
        assert schema(at_once) == created
    finally:
        at_once.dispose()
        steps.dispose()


def test_store_batch_returns_the_number_of_new_interactions(engine):
    first = CollectBatch(interactions=interactions(0, 10), authors=authors("a1", "a2"), cursors={"replies": "c1"})
    assert store_batch(engine, campaign_id="c", platform="x", batch=first, now=T0) == 10
    assert store_batch(engine, campaign_id="c", platform="x", batch=first, now=T0) == 0  # re-sent after a crash
    half_new = CollectBatch(interactions=interactions(5, 10), authors=authors("a2", "a3"), cursors={"replies": "c2"})
    assert store_batch(engine, campaign_id="c", platform="x", batch=half_new, now=T0 + timedelta(minutes=5)) == 5
    assert count(engine, InteractionRow) == 15
    assert count(engine, AuthorRow) == 3
    assert count(engine, AuthorSnapshotRow) == 3  # a2 was snapshotted minutes ago: not again
    assert cursors(engine, campaign_id="c", platform="x") == {"replies": "c2"}  # the cursor moved with the rows


def test_store_batch_counts_new_rows_across_chunks_and_duplicates_within_a_batch(engine):
    def store(items: tuple[Interaction, ...]) -> int:
        return store_batch(engine, campaign_id="c", platform="x", batch=CollectBatch(interactions=items), now=T0)

    many = interactions(0, BATCH + 500)  # two chunks
    assert store(many) == len(many)
    overlapping = interactions(BATCH, BATCH + 200)  # its first 500 are stored already, in its first chunk
    assert store(overlapping) == BATCH - 300
    twice = interactions(10**6, 3) * 2  # the same interaction twice in one batch is one new row
    assert store(twice) == 3
    assert count(engine, InteractionRow) == len(many) + BATCH - 300 + 3
    assert store(()) == 0


def _reactive(engine: Engine, key: str) -> bool:
    return ledger.enqueue(
        engine,
        key=key,
        campaign_id="c",
        item_id="welcome",
        platform="x",
        kind=ActionKind.REPLY,
        draft=Draft(text="Thanks!", reply_to="123"),
        due=T0,
        catch_up_within=timedelta(hours=1),
        reply_to="123",
        now=T0,
    )


def _claim(engine: Engine, key: str) -> bool:
    """What publishing does before the API call: planned -> sending, compare-and-set."""
    return ledger.transition(engine, key, frm=[Status.PLANNED], to=Status.SENDING, now=T0, sending_at=T0, attempts=1)


def test_ledger_enqueue_and_claims_are_compare_and_set(engine):
    assert _reactive(engine, "c/welcome/123") is True
    assert _reactive(engine, "c/welcome/123") is False  # idempotent: the key exists
    assert _claim(engine, "c/welcome/123") is True
    assert _claim(engine, "c/welcome/123") is False  # a second claim of the same entry fails
    assert _claim(engine, "c/nothing/here") is False
    entry = ledger.get_entry(engine, "c/welcome/123")
    assert entry is not None and entry.status == Status.SENDING and entry.attempts == 1
    published = Published(remote_id="999", url="https://x.com/i/999", created_at=T0)
    assert ledger.mark_sent(engine, entry, published, now=T0, frm=[Status.SENDING]) is True
    assert ledger.mark_sent(engine, entry, published, now=T0, frm=[Status.SENDING]) is False  # recorded once
    sent = ledger.get_entry(engine, "c/welcome/123")
    assert sent is not None and sent.status == Status.SENT and sent.remote_id == "999"
    assert count(engine, PublicationRow) == 1


def test_next_wake_is_the_earliest_due_or_parked_until_time_of_planned_rows(engine):
    def add(key: str, due: datetime, *, campaign: str = "c", parked_until: datetime | None = None) -> None:
        ledger.enqueue(
            engine,
            key=key,
            campaign_id=campaign,
            item_id=key,
            platform="x",
            kind=ActionKind.REPLY,
            draft=Draft(text=key, reply_to="1"),
            due=due,
            catch_up_within=timedelta(hours=1),
            reply_to="1",
            now=T0,
        )
        if parked_until is not None:
            park(key, parked_until)

    def park(key: str, until: datetime) -> None:
        assert ledger.transition(engine, key, frm=[Status.PLANNED], to=Status.PLANNED, now=T0, not_before=until)

    def wake(*campaigns: str) -> datetime | None:
        return ledger.next_wake(engine, campaign_ids=list(campaigns or ["c"]))

    hour = timedelta(hours=1)
    assert wake() is None
    add("a", T0 + 2 * hour)
    add("b", T0 + hour, parked_until=T0 + 3 * hour)  # parked past its due time: wakes when the parking ends
    assert wake() == T0 + 2 * hour
    add("c", T0 + 1.5 * hour, parked_until=T0 + 1.2 * hour)  # parked until before its due time: the due time
    assert wake() == T0 + 1.5 * hour
    assert _claim(engine, "c")  # sending: no longer planned
    park("a", T0 + 2.5 * hour)
    assert wake() == T0 + 2.5 * hour
    add("d", T0, campaign="other")
    assert wake() == T0 + 2.5 * hour and wake("c", "other") == T0 and wake("nobody") is None


def _publish(engine: Engine, key: str, remote_id: str, at: datetime) -> None:
    assert _reactive(engine, key) and _claim(engine, key)
    entry = ledger.get_entry(engine, key)
    assert entry is not None
    assert ledger.mark_sent(engine, entry, Published(remote_id, None, at), now=at, frm=[Status.SENDING])


def test_report_queries_give_the_same_numbers(engine):
    _publish(engine, "c/one", "p1", T0)
    _publish(engine, "c/two", "p2", T0 + timedelta(hours=1))
    kinds = [InteractionKind.REPLY, InteractionKind.REPLY, InteractionKind.LIKE, InteractionKind.REPLY]
    people = ["u1", "u2", "u1", "u3"]
    targets = ["p1", "p1", "p1", "p2"]
    rows = [
        Interaction("x", f"r{i}", kind, person, T0 + timedelta(minutes=i), target_id=target)
        for i, (kind, person, target) in enumerate(zip(kinds, people, targets, strict=True))
    ]
    rows.append(Interaction("x", "m1", InteractionKind.MENTION, "u4", T0))  # no target: totals only
    store_batch(engine, campaign_id="c", platform="x", batch=CollectBatch(interactions=tuple(rows)), now=T0)
    other = CollectBatch(interactions=(Interaction("x", "o1", InteractionKind.REPLY, "u9", T0, target_id="p1"),))
    store_batch(engine, campaign_id="other", platform="x", batch=other, now=T0)  # another campaign's: not counted
    store_metrics(
        engine,
        platform="x",
        metrics=[
            Metrics("p1", T0 + timedelta(hours=1), likes=1, replies=0),
            Metrics("p1", T0 + timedelta(hours=2), likes=5, replies=2, upvote_ratio=0.75),
            Metrics("p2", T0 + timedelta(hours=2), likes=2),
        ],
    )

    stats = publication_stats(engine, campaign_id="c")
    assert [(s.remote_id, s.collected) for s in stats] == [("p1", {"reply": 2, "like": 1}), ("p2", {"reply": 1})]
    assert [(s.latest["likes"], s.latest["replies"], s.latest["upvote_ratio"]) for s in stats] == [
        (5, 2, 0.75),
        (2, None, None),
    ]
    assert [s.published_at for s in stats] == [T0, T0 + timedelta(hours=1)]
    assert interaction_totals(engine, campaign_id="c") == ({"reply": 3, "like": 1, "mention": 1}, 4)


def test_publication_refs_read_again_add_only_the_newer_publications(engine):
    from socialbot.storage.publications import publication_refs

    _publish(engine, "c/welcome/1", "101", T0 + timedelta(minutes=5))
    seen = publication_refs(engine, campaign_id="c", platform="x")
    assert [p.remote_id for p in seen.refs] == ["101"]
    again = publication_refs(engine, campaign_id="c", platform="x", seen=seen)
    assert again is seen and [p.remote_id for p in again.refs] == ["101"]  # nothing new: nothing added twice
    _publish(engine, "c/welcome/2", "102", T0 + timedelta(minutes=9))
    _publish(engine, "c/welcome/3", "103", T0 + timedelta(minutes=1))  # recorded later, published earlier
    later = publication_refs(engine, campaign_id="c", platform="x", seen=seen)
    assert [p.remote_id for p in later.refs] == ["103", "101", "102"]  # in publication order
    fresh = publication_refs(engine, campaign_id="c", platform="x")
    assert fresh.refs == later.refs and fresh.last_id == later.last_id
    assert publication_refs(engine, campaign_id="other", platform="x").refs == []
