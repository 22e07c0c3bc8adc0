"""The usage aggregate: API calls per campaign, platform, account and endpoint, per UTC day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Insert, select
from sqlalchemy.engine import Connection, Engine

from socialbot.storage.bulk import upsert
from socialbot.storage.db import transaction
from socialbot.storage.models import ApiUsageRow, table_of


def record_usage(
    db: Engine | Connection, *, campaign_id: str, platform: str, account: str, calls: Mapping[str, int], day: date
) -> None:
    if not calls:
        return
    with transaction(db) as conn:
        conn.execute(
            _add_calls(conn.dialect.name),
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


@cache
def _add_calls(dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO UPDATE calls = calls + excluded.calls, built once per dialect."""
    keys = ("day", "campaign_id", "platform", "account", "endpoint")
    return upsert(dialect, table_of(ApiUsageRow), keys=keys, add=("calls",))


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
