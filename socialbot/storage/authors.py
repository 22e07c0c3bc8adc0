"""The authors aggregate: people seen on each platform and their profile snapshots over time (at most daily)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from socialbot.domain.values import AuthorProfile
from socialbot.storage.bulk import BATCH, chunks, insert_ignore
from socialbot.storage.db import transaction
from socialbot.storage.models import AuthorRow, AuthorSnapshotRow, UTCDateTime, table_of


def store_authors(dialect: str, s: Any, authors: Sequence[AuthorProfile], *, now: datetime) -> set[tuple[str, str]]:
    """Record new authors (known ones are skipped) and a profile snapshot of each, at most one a day.

    Returns the (platform, remote id) of the people whose snapshot was written.
    """
    if not authors:
        return set()
    unique = {(a.platform, a.remote_id): a for a in authors}
    rows = [
        {"platform": p, "remote_id": r, "username": a.username, "first_seen_at": now} for (p, r), a in unique.items()
    ]
    for chunk in chunks(rows, BATCH):
        s.execute(_new_authors(dialect), chunk)
    profiled = [a for a in unique.values() if has_profile(a)]
    fresh = _recently_snapshotted(s, profiled)
    snapshots = [_snapshot_values(a) for a in profiled if (a.platform, a.remote_id) not in fresh]
    for chunk in chunks(snapshots, BATCH):
        s.execute(_SNAPSHOT, chunk)
    return {(v["platform"], v["remote_id"]) for v in snapshots}


SNAPSHOT_EVERY = timedelta(hours=24)

_SNAPSHOT = insert(table_of(AuthorSnapshotRow))
_FRESH = (
    select(AuthorSnapshotRow.remote_id)
    .where(
        AuthorSnapshotRow.platform == bindparam("platform"),
        col(AuthorSnapshotRow.remote_id).in_(bindparam("ids", expanding=True)),
        AuthorSnapshotRow.taken_at > bindparam("since", type_=UTCDateTime()),
    )
    .distinct()
)
_HAVE_SNAPSHOT = (
    select(AuthorSnapshotRow.remote_id)
    .where(
        AuthorSnapshotRow.platform == bindparam("platform"),
        col(AuthorSnapshotRow.remote_id).in_(bindparam("ids", expanding=True)),
    )
    .distinct()
)


@cache
def _new_authors(dialect: str) -> Insert:
    return insert_ignore(dialect, table_of(AuthorRow))


def _recently_snapshotted(s: Any, authors: Sequence[AuthorProfile]) -> set[tuple[str, str]]:
    """Authors with a snapshot younger than a day: a profile seen in every reply is stored once a day, not each time."""
    found: set[tuple[str, str]] = set()
    by_platform: dict[str, list[AuthorProfile]] = {}
    for a in authors:
        by_platform.setdefault(a.platform, []).append(a)
    for platform, group in by_platform.items():
        since = min(a.taken_at for a in group) - SNAPSHOT_EVERY
        for chunk in chunks([a.remote_id for a in group], 900):
            rows = s.execute(_FRESH, {"platform": platform, "ids": list(chunk), "since": since})
            found.update((platform, r) for r in rows.scalars())
    return found


class AuthorsSeen:
    """What this process has stored of each person, so a round does not ask the database again.

    Sandbox and X rounds bring the profile of everyone in them: without this, each round looked up
    whether each person's row and today's snapshot existed. Only what was committed is remembered,
    and the database stays the authority: a person not remembered is checked there as before.
    """

    def __init__(self) -> None:
        self._known: set[tuple[str, str]] = set()  # their author row exists
        self._snapshot_at: dict[tuple[str, str], datetime] = {}  # when this process stored their snapshot

    def unseen(self, authors: Sequence[AuthorProfile], *, now: datetime) -> list[AuthorProfile]:
        """The authors with something to store: a new row, or a profile whose daily snapshot is due."""
        out = []
        for a in authors:
            key = (a.platform, a.remote_id)
            if key not in self._known:
                out.append(a)
            elif has_profile(a):
                taken = self._snapshot_at.get(key)
                if taken is None or now - taken >= SNAPSHOT_EVERY:
                    out.append(a)
        return out

    def remember(self, authors: Sequence[AuthorProfile], snapshotted: set[tuple[str, str]], *, now: datetime) -> None:
        self._known.update((a.platform, a.remote_id) for a in authors)
        self._snapshot_at.update(dict.fromkeys(snapshotted, now))


def has_profile(a: AuthorProfile) -> bool:
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


def store_profiles(
    db: Engine | Connection, profiles: Sequence[AuthorProfile], *, now: datetime
) -> set[tuple[str, str]]:
    with transaction(db) as conn:
        return store_authors(conn.dialect.name, conn, profiles, now=now)


def authors_without_snapshot(db: Engine | Connection, *, platform: str, remote_ids: Sequence[str]) -> list[str]:
    """Which of ``remote_ids`` have no profile snapshot yet (so their profiles are fetched once, batched)."""
    if not remote_ids:
        return []
    wanted = sorted(set(remote_ids))
    have: set[str] = set()
    with transaction(db) as conn:
        for chunk in chunks(wanted, 900):
            have.update(conn.execute(_HAVE_SNAPSHOT, {"platform": platform, "ids": list(chunk)}).scalars())
    return [r for r in wanted if r not in have]
