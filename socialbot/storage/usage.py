"""The usage aggregate: API calls per campaign, platform, account and endpoint, per UTC day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Engine

from socialbot.storage.bulk import upsert
from socialbot.storage.models import ApiUsageRow, table_of


def record_usage(
    engine: Engine, *, campaign_id: str, platform: str, account: str, calls: Mapping[str, int], day: date
) -> None:
    if not calls:
        return
    stmt = upsert(
        engine.dialect.name,
        table_of(ApiUsageRow),
        keys=("day", "campaign_id", "platform", "account", "endpoint"),
        add=("calls",),
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


@dataclass(frozen=True)
class Usage:
    """API calls of one campaign to one endpoint on one UTC day."""

    day: date
    campaign_id: str
    platform: str
    account: str
    endpoint: str
    calls: int


def usage_for(engine: Engine, *, campaign_id: str | None = None, day: date | None = None) -> list[Usage]:
    t = table_of(ApiUsageRow)
    q = select(t.c.day, t.c.campaign_id, t.c.platform, t.c.account, t.c.endpoint, t.c.calls)
    if campaign_id:
        q = q.where(t.c.campaign_id == campaign_id)
    if day:
        q = q.where(t.c.day == day)
    with engine.connect() as conn:
        return [Usage(*r) for r in conn.execute(q)]
