"""The authors aggregate: people seen on each platform and their profile snapshots over time (at most daily)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from socialbot.domain.values import AuthorProfile
from socialbot.storage.bulk import BATCH, chunks, insert_ignore
from socialbot.storage.db import session_scope
from socialbot.storage.models import AuthorRow, AuthorSnapshotRow, table_of


def store_authors(dialect: str, s: Any, authors: Sequence[AuthorProfile], *, now: datetime) -> None:
    if not authors:
        return
    unique = {(a.platform, a.remote_id): a for a in authors}
    stmt = insert_ignore(dialect, table_of(AuthorRow))
    rows = [
        {"platform": p, "remote_id": r, "username": a.username, "first_seen_at": now} for (p, r), a in unique.items()
    ]
    for chunk in chunks(rows, BATCH):
        s.execute(stmt, chunk)
    fresh = _recently_snapshotted(s, [a for a in unique.values() if _has_profile(a)])
    snapshots = [
        _snapshot_values(a) for a in unique.values() if _has_profile(a) and (a.platform, a.remote_id) not in fresh
    ]
    for chunk in chunks(snapshots, BATCH):
        s.execute(insert(table_of(AuthorSnapshotRow)), chunk)


SNAPSHOT_EVERY = timedelta(hours=24)


def _recently_snapshotted(s: Any, authors: Sequence[AuthorProfile]) -> set[tuple[str, str]]:
    """Authors with a snapshot younger than a day: a profile seen in every reply is stored once a day, not each time."""
    found: set[tuple[str, str]] = set()
    by_platform: dict[str, list[AuthorProfile]] = {}
    for a in authors:
        by_platform.setdefault(a.platform, []).append(a)
    for platform, group in by_platform.items():
        oldest_fresh = min(a.taken_at for a in group) - SNAPSHOT_EVERY
        ids = [a.remote_id for a in group]
        for chunk in chunks(ids, 900):
            q = (
                select(AuthorSnapshotRow.remote_id)
                .where(
                    AuthorSnapshotRow.platform == platform,
                    col(AuthorSnapshotRow.remote_id).in_(chunk),
                    AuthorSnapshotRow.taken_at > oldest_fresh,
                )
                .group_by(AuthorSnapshotRow.remote_id)
                .having(func.count() > 0)
            )
            found.update((platform, r) for r in s.execute(q).scalars())
    return found


def _has_profile(a: AuthorProfile) -> bool:
    """Whether ``a`` says anything about the person (an account known to be gone does); a bare name does not."""
    return a.suspended or any(v is not None for v in (a.created_at, a.followers, a.karma, a.verified, a.verified_type))


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
        "verified_type": a.verified_type,
        "gone_reason": a.gone_reason,
    }


def store_profiles(engine: Engine, profiles: Sequence[AuthorProfile], *, now: datetime) -> None:
    with engine.begin() as s:
        store_authors(engine.dialect.name, s, profiles, now=now)


def authors_without_snapshot(engine: Engine, *, platform: str, remote_ids: Sequence[str]) -> list[str]:
    """Which of ``remote_ids`` have no profile snapshot yet (so their profiles are fetched once, batched)."""
    if not remote_ids:
        return []
    wanted = sorted(set(remote_ids))
    with session_scope(engine) as s:
        q = select(AuthorSnapshotRow.remote_id).where(
            AuthorSnapshotRow.platform == platform, col(AuthorSnapshotRow.remote_id).in_(wanted)
        )
        have = set(s.exec(q))
    return [r for r in wanted if r not in have]
