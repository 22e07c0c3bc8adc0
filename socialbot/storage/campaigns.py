"""The campaigns aggregate: which campaigns the database knows, from which file, active or retired."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import col, select

from socialbot.domain.ledger import Origin, Status
from socialbot.storage.db import session_scope
from socialbot.storage.models import CampaignRow, LedgerRow


@dataclass(frozen=True)
class CampaignRecord:
    """A campaign as recorded at its last sync."""

    id: str
    name: str
    timezone: str
    file_path: str
    digest: str
    starts_at: datetime
    ends_at: datetime
    active: bool
    updated_at: datetime
    x_max_posts_per_day: int | None = None
    x_max_reads_per_day: int | None = None
    account: str | None = None
    platforms: tuple[str, ...] = ()


def _record(row: CampaignRow) -> CampaignRecord:
    return CampaignRecord(
        row.id,
        row.name,
        row.timezone,
        row.file_path,
        row.digest,
        row.starts_at,
        row.ends_at,
        row.active,
        row.updated_at,
        row.x_max_posts_per_day,
        row.x_max_reads_per_day,
        row.account,
        tuple(p for p in (row.platforms or "").split(",") if p),
    )


def upsert_campaign(
    engine: Engine,
    *,
    id: str,
    name: str,
    timezone: str,
    file_path: str,
    digest: str,
    starts_at: datetime,
    ends_at: datetime,
    x_max_posts_per_day: int | None = None,
    x_max_reads_per_day: int | None = None,
    account: str | None = None,
    platforms: tuple[str, ...] = (),
    now: datetime,
) -> None:
    with session_scope(engine) as s:
        row = s.get(CampaignRow, id)
        if row is None:
            row = CampaignRow(
                id=id,
                name=name,
                timezone=timezone,
                file_path=file_path,
                digest=digest,
                starts_at=starts_at,
                ends_at=ends_at,
                updated_at=now,
            )
        row.name, row.timezone, row.file_path, row.digest = name, timezone, file_path, digest
        row.starts_at, row.ends_at, row.active, row.updated_at = starts_at, ends_at, True, now
        row.x_max_posts_per_day, row.x_max_reads_per_day = x_max_posts_per_day, x_max_reads_per_day
        row.account, row.platforms = account, ",".join(platforms)
        s.add(row)


def deactivate_campaigns(engine: Engine, *, keep: Iterable[str], now: datetime) -> list[str]:
    """Campaigns whose file disappeared: marked inactive, their planned schedule rows cancelled. Returns their ids."""
    keep = set(keep)
    with session_scope(engine) as s:
        gone = [r for r in s.exec(select(CampaignRow).where(CampaignRow.active)) if r.id not in keep]
        for row in gone:
            row.active, row.updated_at = False, now
            s.add(row)
            s.exec(
                update(LedgerRow)
                .where(
                    col(LedgerRow.campaign_id) == row.id,
                    col(LedgerRow.status) == Status.PLANNED,
                    col(LedgerRow.origin) == Origin.SCHEDULE.value,
                )
                .values(status=Status.CANCELLED, last_error="campaign file removed", updated_at=now)
            )
        return [r.id for r in gone]


def campaign_record(engine: Engine, campaign_id: str) -> CampaignRecord | None:
    with session_scope(engine) as s:
        row = s.get(CampaignRow, campaign_id)
        return _record(row) if row is not None else None


def campaign_records(engine: Engine, *, campaign_id: str | None = None) -> list[CampaignRecord] | None:
    """Campaigns recorded in the database (None when the database has no schema yet)."""
    q = select(CampaignRow).order_by(col(CampaignRow.id))
    if campaign_id:
        q = q.where(CampaignRow.id == campaign_id)
    try:
        with session_scope(engine) as s:
            return [_record(r) for r in s.exec(q)]
    except (OperationalError, ProgrammingError):
        return None
