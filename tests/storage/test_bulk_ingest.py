"""Bulk ingestion (store_batch, store_authors) on SQLite and PostgreSQL: new-row counts and values read back as given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, InteractionKind
from socialbot.storage.authors import authors_without_snapshot, store_authors, store_profiles
from socialbot.storage.db import make_engine
from socialbot.storage.interactions import store_batch
from socialbot.storage.models import AuthorRow, AuthorSnapshotRow, InteractionRow

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def reply(n: int, *, text: str | None = None, raw: dict | None = None, platform: str = "x") -> Interaction:
    return Interaction(
        platform=platform,
        remote_id=str(10**15 + n),
        kind=InteractionKind.REPLY,
        author_id=f"a{n % 3}",
        created_at=T0 + timedelta(seconds=n),
        target_id="p1",
        parent_id="p1",
        text=text if text is not None else f"reply {n}",
        raw={"n": n} if raw is None else raw,
    )


def store(engine: Engine, *items: Interaction, now: datetime = T0) -> int:
    return store_batch(engine, campaign_id="c", platform="x", batch=CollectBatch(interactions=items), now=now)


def count(engine: Engine, model: type[SQLModel]) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def stored(engine: Engine) -> dict[str, InteractionRow]:
    with Session(engine) as session:
        return {r.remote_id: r for r in session.exec(select(InteractionRow)).scalars()}


def test_new_rows_are_counted_once_with_duplicates_inside_and_across_batches(engine):
    a, b, c = reply(1), reply(2), reply(3)
    assert store(engine, a, b, a, a) == 2  # the same interaction three times in one batch: one new row
    assert store(engine, b, c, c) == 1  # b is stored already; c twice is one
    assert store(engine, a, b, c) == 0  # all re-fetched
    assert store(engine, reply(1, platform="reddit")) == 1  # the same remote id elsewhere is someone else's
    assert store(engine) == 0
    assert count(engine, InteractionRow) == 4


def test_the_first_copy_of_an_interaction_is_kept(engine):
    assert store(engine, reply(1, text="first"), reply(1, text="second in the batch")) == 1
    assert store(engine, reply(1, text="re-fetched, edited"), now=T0 + timedelta(hours=1)) == 0
    row = stored(engine)[str(10**15 + 1)]
    assert row.text == "first"
    assert row.collected_at == T0


def test_stored_values_read_back_identical_through_the_orm(engine):
    when = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=PARIS)  # not UTC, with microseconds
    unicode_text = "Merci ✨ — naïve café, 東京, עברית, e\u0301, 👩🏽‍💻"
    raw = {"lang": "fr", "nested": {"ids": [1, 2, 3], "ok": True, "none": None}, "t": "✨"}
    items = (
        Interaction(
            "x", "1", InteractionKind.QUOTE, "u1", when, target_id=None, parent_id="p", text=unicode_text, raw=raw
        ),
        Interaction("x", "2", InteractionKind.MENTION, "u2", T0, text=None, raw={}),  # no raw: SQL NULL
        Interaction("x", "3", InteractionKind.REPLY, "u3", T0 - timedelta(days=400), text="", raw={"x": []}),
    )
    now = datetime(2026, 12, 2, 1, 2, 3, 4, tzinfo=UTC)
    assert store_batch(engine, campaign_id="camp", platform="x", batch=CollectBatch(interactions=items), now=now) == 3
    rows = stored(engine)
    first = rows["1"]
    assert first.created_at == when and first.created_at.tzinfo == UTC  # the same instant, read back as UTC
    assert first.created_at.microsecond == 123456
    assert (first.kind, first.author_id, first.campaign_id) == ("quote", "u1", "camp")
    assert (first.target_id, first.parent_id, first.text, first.raw) == (None, "p", unicode_text, raw)
    assert first.collected_at == now and first.collected_at.tzinfo == UTC
    assert (rows["2"].text, rows["2"].raw) == (None, None)
    assert (rows["3"].text, rows["3"].raw, rows["3"].created_at) == ("", {"x": []}, T0 - timedelta(days=400))
    with engine.connect() as conn:  # an empty raw is SQL NULL, not the JSON text 'null'
        nulls = conn.execute(text("SELECT remote_id FROM interactions WHERE raw IS NULL")).scalars().all()
    assert nulls == ["2"]


def test_rows_are_stored_in_the_text_sqlalchemy_writes(engine):
    """A datetime stored by the bulk path compares in SQL with one bound by SQLAlchemy (same stored form)."""
    store(engine, reply(1), reply(2))
    later = (
        select(func.count()).select_from(InteractionRow).where(InteractionRow.created_at > T0 + timedelta(seconds=1))
    )
    with engine.connect() as conn:
        assert conn.execute(later).scalar_one() == 1


def test_store_batch_joins_the_callers_transaction(engine):
    with engine.connect() as conn:
        assert store_batch(conn, campaign_id="c", platform="x", batch=CollectBatch(interactions=(reply(1),)), now=T0)
        conn.rollback()  # the caller's round failed: nothing of it stays
    assert count(engine, InteractionRow) == 0
    with engine.begin() as conn:
        store_batch(conn, campaign_id="c", platform="x", batch=CollectBatch(interactions=(reply(1),)), now=T0)
    assert count(engine, InteractionRow) == 1


def test_a_value_longer_than_its_column_is_never_cut(engine):
    too_long = Interaction("x", "9" * 121, InteractionKind.REPLY, "u", T0)  # remote_id is VARCHAR(120)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="too long"):
            store(engine, too_long)
        assert count(engine, InteractionRow) == 0
    else:  # SQLite does not enforce lengths: it keeps the whole value
        assert store(engine, too_long) == 1
        assert list(stored(engine)) == ["9" * 121]


def profile(n: int, *, taken_at: datetime = T0, **changes) -> AuthorProfile:
    values = {"created_at": datetime(2020, 1, 2, 3, 4, 5, tzinfo=PARIS), "followers": n, "verified": n % 2 == 0}
    return AuthorProfile("x", f"a{n}", f"user_{n}", taken_at, **(values | changes))


def test_authors_and_snapshots_are_stored_in_bulk_and_read_back_identical(engine):
    gone = AuthorProfile("x", "gone", "gone_user", T0, suspended=True, gone_reason="suspended")
    bare = AuthorProfile("x", "bare", "bare_user", T0)  # a name only: a row, no snapshot
    rich = profile(1, following=7, protected=False, karma=None, verified_type="blue")
    with engine.begin() as conn:
        snapshotted = store_authors(conn.dialect.name, conn, [rich, rich, gone, bare], now=T0)
    assert snapshotted == {("x", "a1"), ("x", "gone")}
    with Session(engine) as session:
        people = {r.remote_id: r for r in session.exec(select(AuthorRow)).scalars()}
        snapshots = {r.remote_id: r for r in session.exec(select(AuthorSnapshotRow)).scalars()}
    assert sorted(people) == ["a1", "bare", "gone"]
    assert (people["a1"].username, people["a1"].first_seen_at) == ("user_1", T0)
    s = snapshots["a1"]
    assert (s.taken_at, s.account_created_at) == (T0, datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC))
    assert s.account_created_at is not None and s.account_created_at.tzinfo == UTC
    assert (s.followers, s.following, s.verified, s.protected, s.karma) == (1, 7, False, False, None)
    assert (s.suspended, s.verified_type, s.gone_reason) == (False, "blue", None)
    assert (snapshots["gone"].suspended, snapshots["gone"].gone_reason, snapshots["gone"].followers) == (
        True,
        "suspended",
        None,
    )


def test_snapshots_are_daily_across_more_authors_than_one_statement_takes(engine):
    many = [profile(n) for n in range(2_500)]  # more than SQLite's 900 values a statement
    assert len(store_profiles(engine, many, now=T0)) == 2_500
    hour_later = [profile(n, taken_at=T0 + timedelta(hours=1)) for n in range(2_600)]
    assert store_profiles(engine, hour_later, now=T0 + timedelta(hours=1)) == {
        ("x", f"a{n}") for n in range(2_500, 2_600)
    }
    next_day = [profile(n, taken_at=T0 + timedelta(days=1, hours=1)) for n in range(0, 2_600, 2)]
    assert len(store_profiles(engine, next_day, now=T0 + timedelta(days=1, hours=1))) == 1_300
    assert count(engine, AuthorRow) == 2_600
    assert count(engine, AuthorSnapshotRow) == 2_600 + 1_300


def test_authors_without_snapshot_over_many_ids(engine):
    store_profiles(engine, [profile(n) for n in range(0, 3_000, 3)], now=T0)
    wanted = [f"a{n}" for n in range(3_000)]
    assert authors_without_snapshot(engine, platform="x", remote_ids=wanted) == sorted(
        f"a{n}" for n in range(3_000) if n % 3
    )
    assert authors_without_snapshot(engine, platform="reddit", remote_ids=wanted[:5]) == sorted(wanted[:5])


def test_text_and_payloads_no_database_holds_are_stored_as_near_as_they_can_be(engine):
    """A NUL byte, a lone surrogate, NaN or an impossible count from the internet never stalls a round: the round
    is stored on both databases, the odd characters as U+FFFD, the odd numbers as unknown (NULL)."""
    odd = [
        reply(1, text="a\x00b"),
        reply(2, text="half a pair \ud800 here"),
        reply(3, raw={"score": float("nan"), "big": float("inf"), "list": [float("-inf"), "x\x00"]}),
        reply(4, text="plain, and ✨ fine"),
    ]
    people = (
        AuthorProfile("x", "a\x00z", "name\x00", T0, created_at=T0, followers=2**31, following=-5, karma=-(2**40)),
        AuthorProfile("x", "ok", "fine", T0, followers=2**31 - 1),
    )
    new = store_batch(
        engine, campaign_id="c", platform="x", batch=CollectBatch(interactions=tuple(odd), authors=people), now=T0
    )
    assert new == 4
    rows = stored(engine)
    assert rows[str(10**15 + 1)].text == "a\ufffdb"
    assert rows[str(10**15 + 2)].text == "half a pair \ufffd here"
    assert rows[str(10**15 + 3)].raw == {"score": None, "big": None, "list": [None, "x\ufffd"]}
    assert rows[str(10**15 + 4)].text == "plain, and ✨ fine"  # everything else verbatim
    with Session(engine) as session:
        snaps = {s.remote_id: s for s in session.exec(select(AuthorSnapshotRow)).scalars()}
        names = {a.remote_id: a.username for a in session.exec(select(AuthorRow)).scalars()}
    assert names == {"a\ufffdz": "name\ufffd", "ok": "fine"}
    assert (snaps["a\ufffdz"].followers, snaps["a\ufffdz"].following, snaps["a\ufffdz"].karma) == (None, None, None)
    assert snaps["ok"].followers == 2**31 - 1
