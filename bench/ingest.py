"""Prints the ingestion rate of ``store_batch`` beside raw DBAPI ``executemany`` of the same rows, on SQLite and PostgreSQL.

Each side loads the same N interactions (default 100,000) into a fresh database migrated to head, in
collection-sized batches: one ``store_batch`` per collection round, as ``app/collecting.py`` does (it stores
a round's whole fetch in one call, with its cursor; there is no smaller batch size). The raw side is the
floor: the stdlib ``sqlite3`` module (or psycopg's ``executemany``) running the same ``INSERT … ON CONFLICT
DO NOTHING`` over rows already converted to DBAPI tuples (before the clock starts), one transaction per
batch, counting nothing. A second line per database adds each round's authors (20,000 people, each with a
profile): socialbot's ``store_authors`` then ``store_batch`` in one transaction, as a collection round does,
against raw inserts of the same author and first-snapshot rows. PostgreSQL is a throwaway cluster started
like the tests do (tests/pg.py). Best of a few runs each, taken in turn.

    .venv/bin/python bench/ingest.py [N]
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.dialects import sqlite  # noqa: E402

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, InteractionKind  # noqa: E402
from socialbot.storage.authors import store_authors  # noqa: E402
from socialbot.storage.db import make_engine, upgrade  # noqa: E402
from socialbot.storage.interactions import COLUMNS as INTERACTION_COLUMNS  # noqa: E402
from socialbot.storage.interactions import store_batch  # noqa: E402
from socialbot.storage.models import AuthorSnapshotRow, InteractionRow, UTCDateTime  # noqa: E402
from tests.pg import SUPERUSER, Cluster, cluster  # noqa: E402

PER_COLLECTION = 5_000  # interactions one collection round brings (and stores in one store_batch call)
PEOPLE = 20_000  # distinct authors among them
RUNS = 3  # best of
T0 = datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
AUTHOR_COLUMNS = ("platform", "remote_id", "username", "first_seen_at")
SNAPSHOT_COLUMNS = (
    *("platform", "remote_id", "taken_at", "account_created_at", "followers", "following", "verified"),
    *("protected", "karma", "suspended", "verified_type", "gone_reason"),
)


def make_interactions(n: int) -> list[Interaction]:
    """X-shaped interactions: a third with text (some of it not ASCII), most with a small raw subset."""
    kinds = list(InteractionKind)
    return [
        Interaction(
            platform="x",
            remote_id=str(10**15 + i),
            kind=kinds[i % len(kinds)],
            author_id=str(5000 + i % PEOPLE),
            created_at=T0 + timedelta(seconds=i, microseconds=i % 1000),
            target_id=str(10**12 + i % 100),
            parent_id=str(10**12 + i % 100),
            text=(f"reply number {i} — merci ✨" if i % 2 else f"reply number {i}") if i % 3 == 0 else None,
            raw={"conversation_id": str(10**12 + i % 100), "lang": "en"} if i % 4 else {},
        )
        for i in range(n)
    ]


def make_authors() -> dict[str, AuthorProfile]:
    return {
        str(5000 + a): AuthorProfile("x", str(5000 + a), f"user{a}", T0, created_at=T0 - timedelta(days=a), followers=a)
        for a in range(PEOPLE)
    }


def batches(items: Sequence, size: int = PER_COLLECTION) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def rounds(interactions: list[Interaction], authors: dict[str, AuthorProfile] | None) -> list[CollectBatch]:
    """What each collection round brings: its interactions, a cursor, and (when given) the profile of each author."""
    out = []
    for i, chunk in enumerate(batches(interactions)):
        people = tuple(authors[a] for a in dict.fromkeys(x.author_id for x in chunk)) if authors else ()
        out.append(CollectBatch(interactions=tuple(chunk), authors=people, cursors={"replies": str(i)}))
    return out


def best_of(ours: Callable[[], float], raw: Callable[[], float]) -> tuple[float, float]:
    """The fastest of RUNS runs of each, taken in turn (ours, raw, ours, …) so a busy machine slows both alike."""
    times = [(ours(), raw()) for _ in range(RUNS)]
    return min(t[0] for t in times), min(t[1] for t in times)


# --- socialbot ---------------------------------------------------------------------------------------------------


def socialbot_seconds(url: str, batches_: list[CollectBatch]) -> float:
    """store_authors (when the rounds have authors) and store_batch of each round, in one transaction a round."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        new = 0
        start = time.perf_counter()
        for batch in batches_:
            with engine.begin() as conn:
                if batch.authors:
                    store_authors(conn.dialect.name, conn, batch.authors, now=NOW)
                new += store_batch(conn, campaign_id="bench", platform="x", batch=batch, now=NOW)
        elapsed = time.perf_counter() - start
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(InteractionRow)).scalar_one()
            snapshots = conn.execute(select(func.count()).select_from(AuthorSnapshotRow)).scalar_one()
        expected = sum(len(b.interactions) for b in batches_)
        assert new == stored == expected, (new, stored, expected)
        assert snapshots == (PEOPLE if batches_[0].authors else 0), snapshots
        return elapsed
    finally:
        engine.dispose()


# --- raw DBAPI ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRound:
    """One round as DBAPI tuples: its interactions, its authors, and the snapshots of people first seen in it."""

    interactions: list[tuple]
    authors: list[tuple]
    snapshots: list[tuple]


def _insert_sql(table: str, columns: Sequence[str], placeholder: str, *, ignore: bool = True) -> str:
    values = ", ".join([placeholder] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})" + (
        " ON CONFLICT DO NOTHING" if ignore else ""
    )


def raw_rounds(batches_: list[CollectBatch], *, when: Callable, as_json: Callable) -> list[RawRound]:
    seen: set[str] = set()
    out = []
    now = when(NOW)
    for b in batches_:
        first = [a for a in b.authors if a.remote_id not in seen]
        seen.update(a.remote_id for a in first)
        out.append(
            RawRound(
                interactions=[
                    (
                        *(i.platform, i.remote_id, i.kind.value, "bench", i.target_id, i.parent_id, i.author_id),
                        *(i.text, when(i.created_at), now, as_json(i.raw) if i.raw else None),
                    )
                    for i in b.interactions
                ],
                authors=[(a.platform, a.remote_id, a.username, now) for a in b.authors],
                snapshots=[
                    (
                        *(a.platform, a.remote_id, when(a.taken_at), when(a.created_at), a.followers, a.following),
                        *(a.verified, a.protected, a.karma, a.suspended, a.verified_type, a.gone_reason),
                    )
                    for a in first
                ],
            )
        )
    return out


def sqlite_rounds(batches_: list[CollectBatch]) -> list[RawRound]:
    """Datetimes in the text form socialbot stores on SQLite (UTCDateTime), JSON as text, an empty raw as NULL."""
    return raw_rounds(batches_, when=UTCDateTime().bind_processor(sqlite.dialect()), as_json=json.dumps)


def postgres_rounds(batches_: list[CollectBatch]) -> list[RawRound]:
    """Naive UTC datetimes (the columns are TIMESTAMP WITHOUT TIME ZONE), JSON wrapped for psycopg."""
    from psycopg.types.json import Json

    def utc(t: datetime) -> datetime:
        return t.astimezone(UTC).replace(tzinfo=None)

    return raw_rounds(batches_, when=utc, as_json=Json)


def _statements(placeholder: str) -> tuple[str, str, str]:
    return (
        _insert_sql("interactions", INTERACTION_COLUMNS, placeholder),
        _insert_sql("authors", AUTHOR_COLUMNS, placeholder),
        _insert_sql("author_snapshots", SNAPSHOT_COLUMNS, placeholder, ignore=False),
    )


def raw_sqlite_seconds(path: Path, rounds_: list[RawRound]) -> float:
    """The stdlib module with the pragmas socialbot's engine sets (WAL, synchronous=NORMAL), a commit per round."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        interactions, authors, snapshots = _statements("?")
        start = time.perf_counter()
        for r in rounds_:
            with conn:
                conn.executemany(interactions, r.interactions)
                if r.authors:
                    conn.executemany(authors, r.authors)
                if r.snapshots:
                    conn.executemany(snapshots, r.snapshots)
        elapsed = time.perf_counter() - start
        assert conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == sum(
            len(r.interactions) for r in rounds_
        )
        return elapsed
    finally:
        conn.close()


def raw_postgres_seconds(pg: Cluster, rounds_: list[RawRound]) -> float:
    """psycopg 3's ``executemany`` (pipelined) over the same rows, a commit per round."""
    import psycopg

    name = pg.create_database("raw")
    try:
        engine = make_engine(pg.url(name))
        upgrade(engine)
        engine.dispose()
        with psycopg.connect(host=str(pg.socket_dir), user=SUPERUSER, dbname=name) as conn:
            interactions, authors, snapshots = _statements("%s")
            start = time.perf_counter()
            for r in rounds_:
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(interactions, r.interactions)
                    if r.authors:
                        cur.executemany(authors, r.authors)
                    if r.snapshots:
                        cur.executemany(snapshots, r.snapshots)
            elapsed = time.perf_counter() - start
            stored = conn.execute("SELECT count(*) FROM interactions").fetchone()
            assert stored == (sum(len(r.interactions) for r in rounds_),), stored
        return elapsed
    finally:
        pg.drop_database(name)


def socialbot_postgres_seconds(pg: Cluster, batches_: list[CollectBatch]) -> float:
    name = pg.create_database("socialbot")
    try:
        return socialbot_seconds(pg.url(name), batches_)
    finally:
        pg.drop_database(name)


# --- the table ---------------------------------------------------------------------------------------------------


def main(n: int) -> None:
    interactions = make_interactions(n)
    plain, with_authors = rounds(interactions, None), rounds(interactions, make_authors())
    results: list[tuple[str, str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = (Path(tmp) / f"run{k}.db" for k in itertools.count())
        for what, batches_ in (("interactions", plain), ("+ authors", with_authors)):
            raw_rows = sqlite_rounds(batches_)
            ours, raw = best_of(
                lambda b=batches_: socialbot_seconds(f"sqlite:///{next(files)}", b),
                lambda r=raw_rows: raw_sqlite_seconds(next(files), r),
            )
            results.append(("SQLite", what, ours, raw))
    with cluster() as pg:
        for what, batches_ in (("interactions", plain), ("+ authors", with_authors)):
            raw_rows = postgres_rounds(batches_)
            ours, raw = best_of(
                lambda b=batches_: socialbot_postgres_seconds(pg, b), lambda r=raw_rows: raw_postgres_seconds(pg, r)
            )
            results.append(("PostgreSQL", what, ours, raw))

    print(f"ingesting {n:,} interactions, {PER_COLLECTION:,} a collection round, best of {RUNS} (interactions/s):")
    print(f"  {'database':<12}{'rows':<14}{'store_batch':>12}{'raw executemany':>17}{'ratio':>8}")
    for database, what, ours, raw in results:
        print(f"  {database:<12}{what:<14}{n / ours:>12,.0f}{n / raw:>17,.0f}{raw / ours:>7.2f}x")
    print("  ratio: socialbot's throughput / raw throughput of the same rows (goal for interactions: >= 0.60x)")
    print(f"  + authors: each round also stores its {PER_COLLECTION:,} authors' rows and first profile snapshots")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
