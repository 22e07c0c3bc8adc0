"""The publications aggregate: what of ours is live on each platform, as collection and reconciliation need it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from socialbot.domain.values import Target
from socialbot.storage.db import session_scope, transaction
from socialbot.storage.models import PublicationRow


@dataclass(frozen=True)
class PublicationRef:
    remote_id: str
    part: int
    published_at: datetime


_REFS = (
    select(PublicationRow.id, PublicationRow.remote_id, PublicationRow.part, PublicationRow.published_at)
    .where(
        PublicationRow.campaign_id == bindparam("campaign_id"),
        PublicationRow.platform == bindparam("platform"),
        col(PublicationRow.id) > bindparam("after"),
    )
    .order_by(col(PublicationRow.id))
)


@dataclass
class PublicationsSeen:
    """One campaign's publications on one platform, as far as read: each round asks only for newer rows.

    Publications are only ever added (by this process, or by ``resolve --sent`` in another one), so
    the rows after the last id read are all that can be new. On PostgreSQL two transactions may commit
    their ids out of order, so the caller reads everything again now and then (``read_at``).
    """

    refs: list[PublicationRef]
    last_id: int = 0
    read_at: datetime | None = None  # when everything was last read
    _roots: list[Target] | None = None

    def roots(self) -> list[Target]:
        """The first part of each publication as a collection target, in publication order (built once)."""
        if self._roots is None:
            self._roots = _roots(self.refs)
        return self._roots

    def add(self, rows: Sequence[tuple[int, str, int, datetime]]) -> None:
        """Publications recorded after the last id read; the usual case (all newer) only appends."""
        new = [PublicationRef(r, p, t) for _, r, p, t in rows]
        new.sort(key=_published)
        in_order = not self.refs or not new or self.refs[-1].published_at <= new[0].published_at
        self.refs.extend(new)
        if not in_order:  # published before one already read (another process, out of order): sort again
            self.refs.sort(key=_published)
            self._roots = None
        elif self._roots is not None:
            self._roots.extend(_roots(new))
        if rows:
            self.last_id = rows[-1][0]


def _published(ref: PublicationRef) -> datetime:
    return ref.published_at


def _roots(refs: Sequence[PublicationRef]) -> list[Target]:
    return [Target(remote_id=p.remote_id, published_at=p.published_at) for p in refs if p.part == 0]


def publication_refs(
    db: Engine | Connection, *, campaign_id: str, platform: str, seen: PublicationsSeen | None = None
) -> PublicationsSeen:
    """What collection needs of each publication, without loading ORM objects (this runs every few minutes).

    With ``seen`` (the previous answer), only the publications recorded since are read and added to it.
    """
    seen = seen if seen is not None else PublicationsSeen(refs=[])
    with transaction(db) as conn:
        rows = conn.execute(_REFS, {"campaign_id": campaign_id, "platform": platform, "after": seen.last_id}).all()
    if rows:
        seen.add(rows)
    return seen


def newest_publication(engine: Engine, *, campaign_id: str, platform: str) -> datetime | None:
    with session_scope(engine) as s:
        q = select(func.max(PublicationRow.published_at)).where(
            PublicationRow.campaign_id == campaign_id, PublicationRow.platform == platform
        )
        value = s.exec(q).one()
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # func.max bypasses the column type on SQLite
    return value


def known_remote_ids(engine: Engine, *, platform: str, remote_ids: Sequence[str]) -> set[str]:
    """Which of ``remote_ids`` are already recorded as our publications (so reconciliation never reuses one)."""
    if not remote_ids:
        return set()
    with session_scope(engine) as s:
        q = select(PublicationRow.remote_id).where(
            PublicationRow.platform == platform, col(PublicationRow.remote_id).in_(list(remote_ids))
        )
        return set(s.exec(q))
