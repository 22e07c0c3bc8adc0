"""The authors aggregate: people seen on each platform and their profile snapshots over time (at most daily)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from socialbot.domain.values import AuthorProfile
from socialbot.storage.bulk import (
    INT_MAX,
    ONE_OF_MAX,
    chunks,
    driver_rows,
    new_rows,
    one_of,
    storable_int,
    storable_text,
    store_new,
)
from socialbot.storage.db import transaction
from socialbot.storage.models import AuthorRow, AuthorSnapshotRow, UTCDateTime, table_of


def store_authors(dialect: str, s: Any, authors: Sequence[AuthorProfile], *, now: datetime) -> set[tuple[str, str]]:
    """Record new authors (known ones are skipped) and a profile snapshot of each, at most one a day.

    ``s`` is a connection (or a session) whose transaction the rows join (its own dialect is used: ``dialect`` is
    what callers pass, kept for them); both inserts go to the driver
    in one precompiled statement each (bulk.store_new). Returns the (platform, remote id) of the people
    whose snapshot was written.
    """
    if not authors:
        return set()
    conn: Connection = s if isinstance(s, Connection) else s.connection()
    unique = {(a.platform, a.remote_id): a for a in map(_storable, authors)}
    people = [(p, r, a.username, now) for (p, r), a in unique.items()]
    store_new(
        conn,
        new_rows(conn.dialect, _AUTHORS, _AUTHOR_COLUMNS),
        driver_rows(conn.dialect, _AUTHORS, _AUTHOR_COLUMNS, people),
    )
    profiled = [a for a in unique.values() if has_profile(a)]
    fresh = _recently_snapshotted(conn, profiled)
    snapshots = [_snapshot_values(a) for a in profiled if (a.platform, a.remote_id) not in fresh]
    rows = driver_rows(conn.dialect, _SNAPSHOTS, _SNAPSHOT_COLUMNS, snapshots)
    store_new(conn, new_rows(conn.dialect, _SNAPSHOTS, _SNAPSHOT_COLUMNS), rows)  # no unique key: all are new
    return {(v[0], v[1]) for v in snapshots}


SNAPSHOT_EVERY = timedelta(hours=24)

_AUTHORS = table_of(AuthorRow)
_AUTHOR_COLUMNS = ("platform", "remote_id", "username", "first_seen_at")
_SNAPSHOTS = table_of(AuthorSnapshotRow)
_SNAPSHOT_COLUMNS = (
    "platform",
    "remote_id",
    "taken_at",
    "account_created_at",
    "followers",
    "following",
    "verified",
    "protected",
    "karma",
    "suspended",
    "verified_type",
    "gone_reason",
)


@cache
def _have_snapshot(dialect: str) -> Select:
    return (
        select(AuthorSnapshotRow.remote_id)
        .where(
            AuthorSnapshotRow.platform == bindparam("platform"),
            one_of(dialect, _SNAPSHOTS.c.remote_id, "ids"),
        )
        .distinct()
    )


@cache
def _fresh(dialect: str) -> Select:
    """Who of ``ids`` has a snapshot taken after ``since``."""
    return _have_snapshot(dialect).where(AuthorSnapshotRow.taken_at > bindparam("since", type_=UTCDateTime()))


def _recently_snapshotted(conn: Connection, authors: Sequence[AuthorProfile]) -> set[tuple[str, str]]:
    """Authors with a snapshot younger than a day: a profile seen in every reply is stored once a day, not each time."""
    found: set[tuple[str, str]] = set()
    by_platform: dict[str, list[AuthorProfile]] = {}
    for a in authors:
        by_platform.setdefault(a.platform, []).append(a)
    dialect = conn.dialect.name
    for platform, group in by_platform.items():
        since = min(a.taken_at for a in group) - SNAPSHOT_EVERY
        for chunk in chunks([a.remote_id for a in group], ONE_OF_MAX.get(dialect, 900)):
            rows = conn.execute(_fresh(dialect), {"platform": platform, "ids": chunk, "since": since})
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


def _snapshot_values(a: AuthorProfile) -> tuple[Any, ...]:
    """A snapshot row of ``a``, in ``_SNAPSHOT_COLUMNS`` order."""
    return (
        a.platform,
        a.remote_id,
        a.taken_at,
        a.created_at,
        a.followers,
        a.following,
        a.verified,
        a.protected,
        a.karma,
        a.suspended,
        a.verified_type,
        a.gone_reason,
    )


def _storable(a: AuthorProfile) -> AuthorProfile:
    """``a`` as every database stores it (bulk.storable_*): the same object unless something had to change."""
    texts = (a.remote_id, a.username, a.verified_type, a.gone_reason)
    karma = a.karma if a.karma is None or -INT_MAX <= a.karma <= INT_MAX else None  # karma may be negative
    fixed = tuple(storable_text(t) for t in texts)
    counts = (storable_int(a.followers), storable_int(a.following), karma)
    if fixed == texts and counts == (a.followers, a.following, a.karma):
        return a
    remote_id, username, verified_type, gone_reason = fixed
    return replace(
        a,
        remote_id=remote_id or "",
        username=username or "",
        verified_type=verified_type,
        gone_reason=gone_reason,
        followers=counts[0],
        following=counts[1],
        karma=karma,
    )


def store_profiles(
    db: Engine | Connection, profiles: Sequence[AuthorProfile], *, now: datetime
) -> set[tuple[str, str]]:
    with transaction(db) as conn:
        return store_authors(conn.dialect.name, conn, profiles, now=now)


def authors_without_snapshot(db: Engine | Connection, *, platform: str, remote_ids: Sequence[str]) -> list[str]:
    """Which of ``remote_ids`` have no profile snapshot yet (so their profiles are fetched once, batched)."""
    if not remote_ids:
        return []
    wanted = sorted({storable_text(r) or "" for r in remote_ids})
    have: set[str] = set()
    with transaction(db) as conn:
        dialect = conn.dialect.name
        for chunk in chunks(wanted, ONE_OF_MAX.get(dialect, 900)):
            have.update(conn.execute(_have_snapshot(dialect), {"platform": platform, "ids": chunk}).scalars())
    return [r for r in wanted if r not in have]


def recent_authors_without_profile(db: Engine | Connection, *, platform: str, since: datetime) -> list[str]:
    """People first seen on ``platform`` since ``since`` who have no profile snapshot yet (a round that read
    only part of a busy thread's new people leaves the rest here, for the next round, in any process)."""
    query = (
        select(AuthorRow.remote_id)
        .where(
            col(AuthorRow.platform) == platform,
            col(AuthorRow.first_seen_at) >= since,
            ~col(AuthorRow.remote_id).in_(
                select(AuthorSnapshotRow.remote_id).where(col(AuthorSnapshotRow.platform) == platform)
            ),
        )
        .order_by(col(AuthorRow.id))
    )
    with transaction(db) as conn:
        return list(conn.execute(query).scalars())
