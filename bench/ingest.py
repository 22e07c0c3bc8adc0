"""Prints the interaction ingestion rate: batched upserts (what socialbot does) vs a row-at-a-time SQLModel loop.

Both load the same 100,000 interactions (with their authors) into a fresh SQLite database.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, InteractionKind
from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.interactions import interaction_values, store_batch
from socialbot.storage.models import AuthorRow, InteractionRow

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BATCH = 5_000  # what one collection could bring; store_batch chunks it further


def make_data(n: int) -> tuple[list[Interaction], list[AuthorProfile]]:
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    kinds = list(InteractionKind)
    interactions = [
        Interaction(
            platform="x",
            remote_id=str(10**15 + i),
            kind=kinds[i % len(kinds)],
            author_id=str(5000 + i % 20_000),
            created_at=t0 + timedelta(seconds=i),
            target_id=str(10**12 + i % 100),
            parent_id=str(10**12 + i % 100),
            text=f"reply number {i}" if i % 3 == 0 else None,
        )
        for i in range(n)
    ]
    authors = [AuthorProfile("x", str(5000 + a), f"user{a}", t0, followers=a) for a in range(min(n, 20_000))]
    return interactions, authors


def batched(path: Path, interactions, authors) -> float:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = datetime.now(UTC)
    start = time.perf_counter()
    for i in range(0, len(interactions), BATCH):
        chunk = tuple(interactions[i : i + BATCH])
        people = {a.author_id for a in chunk}
        batch = CollectBatch(
            interactions=chunk, authors=tuple(a for a in authors if a.remote_id in people), cursors={"s": str(i)}
        )
        store_batch(engine, campaign_id="bench", platform="x", batch=batch, now=now)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def row_at_a_time(path: Path, interactions, authors) -> float:
    """The naive loop: look each row up, add it if new, through the ORM (one commit per collection batch)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = datetime.now(UTC)
    by_id = {a.remote_id: a for a in authors}
    start = time.perf_counter()
    for i in range(0, len(interactions), BATCH):
        with Session(engine) as session:
            for item in interactions[i : i + BATCH]:
                author = session.exec(
                    select(AuthorRow).where(AuthorRow.platform == "x", AuthorRow.remote_id == item.author_id)
                ).first()
                if author is None:
                    session.add(
                        AuthorRow(
                            platform="x",
                            remote_id=item.author_id,
                            username=by_id[item.author_id].username,
                            first_seen_at=now,
                        )
                    )
                exists = session.exec(
                    select(InteractionRow).where(
                        InteractionRow.platform == "x", InteractionRow.remote_id == item.remote_id
                    )
                ).first()
                if exists is None:
                    session.add(InteractionRow(**interaction_values(item, campaign_id="bench", now=now)))
                session.flush()
            session.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def main() -> None:
    interactions, authors = make_data(N)
    with tempfile.TemporaryDirectory() as tmp:
        fast = batched(Path(tmp) / "batched.db", interactions, authors)
        slow = row_at_a_time(Path(tmp) / "naive.db", interactions, authors)
    print(f"ingesting {N:,} interactions into SQLite ({BATCH:,} per collection):")
    print(f"  batched upserts (socialbot):   {N / fast:>10,.0f} rows/s  ({fast:.1f} s)")
    print(f"  row-at-a-time SQLModel loop:   {N / slow:>10,.0f} rows/s  ({slow:.1f} s)")
    print(f"  speed-up: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
