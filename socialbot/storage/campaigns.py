"""The campaigns aggregate: which campaigns the database knows, from which file, active or retired."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from socialbot.domain.ledger import Origin, PlannedAction, Status, plan_digest
from socialbot.storage.bulk import chunks
from socialbot.storage.db import session_scope
from socialbot.storage.models import CampaignRow, LedgerRow, table_of
from socialbot.storage.plan_sync import SyncSummary, sync_schedule_rows

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here, by their aggregate
from socialbot.storage.status_queries import CampaignHeader as CampaignHeader
from socialbot.storage.status_queries import CampaignRecord
from socialbot.storage.status_queries import campaign_records as campaign_records


def _record(row: CampaignRow) -> CampaignRecord:
    return CampaignRecord(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        file_path=row.file_path,
        digest=row.digest,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        active=row.active,
        updated_at=row.updated_at,
        x_max_posts_per_day=row.x_max_posts_per_day,
        x_max_reads_per_day=row.x_max_reads_per_day,
        account=row.account,
        platforms=tuple(p for p in (row.platforms or "").split(",") if p),
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
        row.plan_digest = None  # its rows are not synced here: the next sync_campaigns plans it again
        s.add(row)


def sync_campaigns(
    engine: Engine, plans: Sequence[tuple[CampaignHeader, Sequence[PlannedAction]]], *, now: datetime
) -> dict[str, SyncSummary]:
    """Record each campaign (active) and make its schedule rows match its actions, all in one transaction.

    The digest of each plan is recorded with its rows; a campaign recorded active with the same
    digest already has the rows that plan makes, so they are not read again (a restart with no
    file changed re-plans nothing).
    """
    latest = {header.id: (header, actions) for header, actions in plans}  # one id twice: the last one counts
    table = table_of(CampaignRow)
    with engine.begin() as conn:
        recorded: dict[str, tuple[bool, str | None]] = {}
        for ids in chunks(list(latest), 500):
            query = core_select(table.c.id, table.c.active, table.c.plan_digest).where(table.c.id.in_(list(ids)))
            recorded.update((r.id, (r.active, r.plan_digest)) for r in conn.execute(query))
        new: list[dict[str, Any]] = []
        known: list[dict[str, Any]] = []
        to_plan: dict[str, Sequence[PlannedAction]] = {}
        summaries: dict[str, SyncSummary] = {}
        for cid, (header, actions) in latest.items():
            digest = plan_digest(actions)
            values = _header_values(header, plan_digest=digest, now=now)
            if cid in recorded:
                known.append({**values, "row_id": cid})
            else:
                new.append({"id": cid, **values})
            if recorded.get(cid) == (True, digest):
                summaries[cid] = SyncSummary(unchanged=len(actions))
            else:
                to_plan[cid] = actions
        if known:
            conn.execute(update(table).where(table.c.id == bindparam("row_id")), known)
        if new:
            conn.execute(insert(table), new)
        summaries.update(sync_schedule_rows(conn, to_plan, now=now))
    return {cid: summaries[cid] for cid in latest}


def _header_values(header: CampaignHeader, *, plan_digest: str, now: datetime) -> dict[str, Any]:
    return {
        "name": header.name,
        "timezone": header.timezone,
        "file_path": header.file_path,
        "digest": header.digest,
        "starts_at": header.starts_at,
        "ends_at": header.ends_at,
        "active": True,
        "updated_at": now,
        "x_max_posts_per_day": header.x_max_posts_per_day,
        "x_max_reads_per_day": header.x_max_reads_per_day,
        "account": header.account,
        "platforms": ",".join(header.platforms),
        "plan_digest": plan_digest,
    }


def deactivate_campaigns(engine: Engine, *, keep: Iterable[str], now: datetime) -> list[str]:
    """Campaigns whose file disappeared: marked inactive, their planned schedule rows cancelled. Returns their ids."""
    keep = set(keep)
    with session_scope(engine) as s:
        gone = [r for r in s.exec(select(CampaignRow).where(CampaignRow.active)) if r.id not in keep]
        for row in gone:
            row.active, row.updated_at = False, now
            row.plan_digest = None  # its planned rows are cancelled below: no plan describes them any more
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
