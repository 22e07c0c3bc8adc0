"""Bulk ingestion: interactions, authors, profile and metric snapshots, cursors and API usage, as batched upserts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, Metrics
from socialbot.storage.db import session_scope
from socialbot.storage.models import (
    METRIC_COUNTERS,
    ApiUsageRow,
    AuthorRow,
    AuthorSnapshotRow,
    CursorRow,
    InteractionRow,
    MetricSnapshotRow,
)

BATCH = 1000


def _insert_ignore(engine: Engine, table):
    """INSERT … ON CONFLICT DO NOTHING for the engine's dialect."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table).prefix_with("IGNORE")


def _upsert(engine: Engine, table, keys: Sequence[str], update_cols: Sequence[str]):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_cols})


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def interaction_values(i: Interaction, *, campaign_id: str | None, now: datetime) -> dict:
    return {
        "platform": i.platform,
        "remote_id": i.remote_id,
        "kind": i.kind.value,
        "campaign_id": campaign_id,
        "target_id": i.target_id,
        "parent_id": i.parent_id,
        "author_id": i.author_id,
        "text": i.text,
        "created_at": i.created_at,
        "collected_at": now,
        "raw": i.raw or None,
    }


def store_batch(engine: Engine, *, campaign_id: str, platform: str, batch: CollectBatch, now: datetime) -> int:
    """Store interactions, authors, snapshots and the new cursors in ONE transaction; returns new interactions.

    Duplicates (same platform and remote id) are ignored, so a re-fetch after a crash is harmless.
    """
    interactions = [interaction_values(i, campaign_id=campaign_id, now=now) for i in batch.interactions]
    inserted = 0
    with session_scope(engine) as s:
        _store_authors(engine, s, batch.authors, now=now)
        stmt = _insert_ignore(engine, InteractionRow.__table__)
        for chunk in _chunks(interactions):
            inserted += max(0, s.exec(stmt, params=chunk).rowcount)
        if batch.cursors:
            cursor_stmt = _upsert(
                engine, CursorRow.__table__, ("campaign_id", "platform", "stream"), ("value", "updated_at")
            )
            s.exec(
                cursor_stmt,
                params=[
                    {"campaign_id": campaign_id, "platform": platform, "stream": k, "value": v, "updated_at": now}
                    for k, v in batch.cursors.items()
                ],
            )
    return inserted


def _store_authors(engine: Engine, s, authors: Sequence[AuthorProfile], *, now: datetime) -> None:
    if not authors:
        return
    unique = {(a.platform, a.remote_id): a for a in authors}
    stmt = _insert_ignore(engine, AuthorRow.__table__)
    rows = [
        {"platform": p, "remote_id": r, "username": a.username, "first_seen_at": now} for (p, r), a in unique.items()
    ]
    for chunk in _chunks(rows):
        s.execute(stmt, chunk)
    fresh = _recently_snapshotted(s, [a for a in unique.values() if _has_profile(a)])
    snapshots = [
        _snapshot_values(a) for a in unique.values() if _has_profile(a) and (a.platform, a.remote_id) not in fresh
    ]
    for chunk in _chunks(snapshots):
        s.execute(insert(AuthorSnapshotRow.__table__), chunk)


SNAPSHOT_EVERY = timedelta(hours=24)


def _recently_snapshotted(s, authors: Sequence[AuthorProfile]) -> set[tuple[str, str]]:
    """Authors with a snapshot younger than a day: a profile seen in every reply is stored once a day, not each time."""
    from sqlalchemy import func

    found: set[tuple[str, str]] = set()
    by_platform: dict[str, list[AuthorProfile]] = {}
    for a in authors:
        by_platform.setdefault(a.platform, []).append(a)
    for platform, group in by_platform.items():
        oldest_fresh = min(a.taken_at for a in group) - SNAPSHOT_EVERY
        ids = [a.remote_id for a in group]
        for chunk in _chunks(ids, 900):
            q = (
                select(AuthorSnapshotRow.remote_id)
                .where(
                    AuthorSnapshotRow.platform == platform,
                    AuthorSnapshotRow.remote_id.in_(chunk),
                    AuthorSnapshotRow.taken_at > oldest_fresh,
                )
                .group_by(AuthorSnapshotRow.remote_id)
                .having(func.count() > 0)
            )
            found.update((platform, r) for r in s.execute(q).scalars())
    return found


def _has_profile(a: AuthorProfile) -> bool:
    return any(v is not None for v in (a.created_at, a.followers, a.karma, a.verified))


def _snapshot_values(a: AuthorProfile) -> dict:
    return {
        "platform": a.platform,
        "remote_id": a.remote_id,
        "taken_at": a.taken_at,
        "account_created_at": a.created_at,
        "followers": a.followers,
        "following": a.following,
        "verified": a.verified,
        "protected": a.protected,
        "karma": a.karma,
        "suspended": a.suspended,
    }


def store_profiles(engine: Engine, profiles: Sequence[AuthorProfile], *, now: datetime) -> None:
    with engine.begin() as s:
        _store_authors(engine, s, profiles, now=now)


def authors_without_snapshot(engine: Engine, *, platform: str, remote_ids: Sequence[str]) -> list[str]:
    """Which of ``remote_ids`` have no profile snapshot yet (so their profiles are fetched once, batched)."""
    if not remote_ids:
        return []
    wanted = sorted(set(remote_ids))
    with session_scope(engine) as s:
        q = select(AuthorSnapshotRow.remote_id).where(
            AuthorSnapshotRow.platform == platform, AuthorSnapshotRow.remote_id.in_(wanted)
        )
        have = set(s.exec(q).scalars())
    return [r for r in wanted if r not in have]


def store_metrics(engine: Engine, *, platform: str, metrics: Sequence[Metrics]) -> None:
    rows = []
    for m in metrics:
        values = {k: getattr(m, k) for k in ("remote_id", "taken_at", *METRIC_COUNTERS)}
        values["platform"] = platform
        values["poll"] = _poll_json(m)
        rows.append(values)
    if not rows:
        return
    with engine.begin() as conn:
        for chunk in _chunks(rows):
            conn.execute(insert(MetricSnapshotRow.__table__), chunk)


def _poll_json(m: Metrics) -> dict | None:
    if m.poll is None:
        return None
    data = asdict(m.poll)
    data["closes_at"] = m.poll.closes_at.isoformat() if m.poll.closes_at else None
    return data


def cursors(engine: Engine, *, campaign_id: str, platform: str) -> dict[str, str]:
    q = select(CursorRow.stream, CursorRow.value).where(
        CursorRow.campaign_id == campaign_id, CursorRow.platform == platform
    )
    with engine.connect() as conn:
        return {stream: value for stream, value in conn.execute(q)}


def record_usage(
    engine: Engine, *, campaign_id: str, platform: str, account: str, calls: Mapping[str, int], day: date
) -> None:
    if not calls:
        return
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(ApiUsageRow.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "campaign_id", "platform", "account", "endpoint"],
        set_={"calls": ApiUsageRow.__table__.c.calls + stmt.excluded.calls},
    )
    with engine.begin() as conn:
        conn.execute(
            stmt,
            [
                {
                    "day": day,
                    "campaign_id": campaign_id,
                    "platform": platform,
                    "account": account,
                    "endpoint": e,
                    "calls": n,
                }
                for e, n in calls.items()
            ],
        )


def usage_for(engine: Engine, *, campaign_id: str | None = None, day: date | None = None) -> list[ApiUsageRow]:
    with session_scope(engine) as s:
        q = select(ApiUsageRow)
        if campaign_id:
            q = q.where(ApiUsageRow.campaign_id == campaign_id)
        if day:
            q = q.where(ApiUsageRow.day == day)
        return list(s.exec(q).scalars())
