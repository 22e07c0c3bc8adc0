"""The usage aggregate: API calls per campaign, platform, account and endpoint, per UTC day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache

from sqlalchemy import Insert
from sqlalchemy.engine import Connection, Engine

from socialbot.storage.bulk import upsert
from socialbot.storage.db import transaction
from socialbot.storage.models import ApiUsageRow, table_of

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here, by their aggregate
from socialbot.storage.status_queries import Usage as Usage
from socialbot.storage.status_queries import usage_for as usage_for


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
