"""The polls aggregate: each campaign poll as last synced, where it was published, and its counts over time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlmodel import col

from socialbot.domain.ledger import ActionKind
from socialbot.storage.db import Engine, transaction
from socialbot.storage.models import LedgerRow, PollRow, PollSnapshotRow, table_of


@dataclass(frozen=True)
class PollDefinition:
    """A poll as its campaign file defines it (the question as rendered)."""

    campaign_id: str
    poll_id: str
    kind: str  # native | reply
    question: str
    options: tuple[str, ...]
    runs: timedelta
    platforms: tuple[str, ...]
    opens_at: datetime
    announces: bool


@dataclass(frozen=True)
class PollPublication:
    """Where a poll stands on one platform, from its ledger row."""

    status: str
    due_at: datetime
    remote_id: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class PollSnapshot:
    campaign_id: str
    poll_id: str
    platform: str
    remote_id: str
    taken_at: datetime
    counts: tuple[int, ...]
    final: bool
    detail: Mapping[str, int] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts)


def sync_polls(engine: Engine, polls: Mapping[str, Sequence[PollDefinition]], *, now: datetime) -> None:
    """Make the stored polls of each campaign in ``polls`` exactly the ones given (one transaction); a campaign
    whose polls are stored as given is not written again (a restart with 500 unchanged files writes nothing)."""
    table = table_of(PollRow)
    fields = (
        "campaign_id",
        "poll_id",
        "kind",
        "question",
        "options",
        "runs_seconds",
        "platforms",
        "opens_at",
        "announces",
    )
    with transaction(engine) as conn:
        stored: dict[str, set[tuple]] = {}
        for row in conn.execute(select(*(table.c[f] for f in fields))):
            stored.setdefault(row[0], set()).add(_frozen(tuple(row)))
        for campaign_id, defined in polls.items():
            rows = [
                {
                    "campaign_id": p.campaign_id,
                    "poll_id": p.poll_id,
                    "kind": p.kind,
                    "question": p.question,
                    "options": list(p.options),
                    "runs_seconds": int(p.runs.total_seconds()),
                    "platforms": list(p.platforms),
                    "opens_at": p.opens_at,
                    "announces": p.announces,
                }
                for p in defined
            ]
            if {_frozen(tuple(r[f] for f in fields)) for r in rows} == stored.get(campaign_id, set()):
                continue
            conn.execute(delete(table).where(table.c.campaign_id == campaign_id))
            if rows:
                conn.execute(insert(table), [r | {"updated_at": now} for r in rows])


def _frozen(values: tuple) -> tuple:
    """A row's values, comparable as a set member (lists as tuples, times in UTC)."""
    return tuple(
        tuple(v) if isinstance(v, list) else v.astimezone(UTC) if isinstance(v, datetime) else v for v in values
    )


def poll_definitions(engine: Engine, *, campaign_id: str) -> list[PollDefinition]:
    with transaction(engine) as conn:
        rows = conn.execute(
            select(PollRow).where(col(PollRow.campaign_id) == campaign_id).order_by(col(PollRow.opens_at))
        ).all()
    return [
        PollDefinition(
            campaign_id=r.campaign_id,
            poll_id=r.poll_id,
            kind=r.kind,
            question=r.question,
            options=tuple(r.options),
            runs=timedelta(seconds=r.runs_seconds),
            platforms=tuple(r.platforms),
            opens_at=r.opens_at,
            announces=r.announces,
        )
        for r in rows
    ]


def poll_publications(engine: Engine, *, campaign_id: str) -> dict[tuple[str, str], PollPublication]:
    """(poll id, platform) → its ledger row's status, due time and, once sent, remote id and time."""
    query = select(
        col(LedgerRow.item_id),
        col(LedgerRow.platform),
        col(LedgerRow.status),
        col(LedgerRow.due_at),
        col(LedgerRow.remote_id),
        col(LedgerRow.sent_at),
    ).where(
        col(LedgerRow.campaign_id) == campaign_id,
        col(LedgerRow.kind) == ActionKind.POLL.value,
        col(LedgerRow.origin) == "schedule",
    )
    with transaction(engine) as conn:
        return {(i, p): PollPublication(s, d, r, t) for i, p, s, d, r, t in conn.execute(query)}


def latest_snapshots(engine: Engine, *, campaign_id: str) -> dict[tuple[str, str], tuple[PollSnapshot, int]]:
    """(poll id, platform) → its latest snapshot and how many were taken."""
    out: dict[tuple[str, str], tuple[PollSnapshot, int]] = {}
    for snap in snapshots(engine, campaign_id=campaign_id):
        key = (snap.poll_id, snap.platform)
        _, taken = out.get(key, (snap, 0))
        out[key] = (snap, taken + 1)  # in time order: the last one read is the latest
    return out


def snapshots(engine: Engine, *, campaign_id: str, poll_id: str | None = None) -> list[PollSnapshot]:
    """Every snapshot of the campaign's polls (or of one), in time order."""
    query = select(PollSnapshotRow).where(col(PollSnapshotRow.campaign_id) == campaign_id)
    if poll_id is not None:
        query = query.where(col(PollSnapshotRow.poll_id) == poll_id)
    with transaction(engine) as conn:
        rows = conn.execute(query.order_by(col(PollSnapshotRow.taken_at), col(PollSnapshotRow.id))).all()
    return [
        PollSnapshot(
            campaign_id=r.campaign_id,
            poll_id=r.poll_id,
            platform=r.platform,
            remote_id=r.remote_id,
            taken_at=r.taken_at,
            counts=tuple(r.counts),
            final=r.final,
            detail=r.detail,
        )
        for r in rows
    ]


def store_snapshot(engine: Engine, snap: PollSnapshot) -> bool:
    """Store one snapshot; False when one was already stored at that instant (nothing changes)."""
    table = table_of(PollSnapshotRow)
    with transaction(engine) as conn:
        exists = conn.execute(
            select(col(PollSnapshotRow.id)).where(
                col(PollSnapshotRow.campaign_id) == snap.campaign_id,
                col(PollSnapshotRow.poll_id) == snap.poll_id,
                col(PollSnapshotRow.platform) == snap.platform,
                (col(PollSnapshotRow.taken_at) == snap.taken_at) | col(PollSnapshotRow.final),
            )
        ).first()
        if exists is not None:
            return False
        conn.execute(
            insert(table).values(
                campaign_id=snap.campaign_id,
                poll_id=snap.poll_id,
                platform=snap.platform,
                remote_id=snap.remote_id,
                taken_at=snap.taken_at,
                counts=list(snap.counts),
                total=snap.total,
                final=snap.final,
                detail=dict(snap.detail) if snap.detail is not None else None,
            )
        )
    return True
