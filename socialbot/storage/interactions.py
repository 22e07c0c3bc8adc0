"""The interactions aggregate: collected interactions and collection cursors, stored together in one transaction."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from socialbot.domain.values import CollectBatch, Interaction
from socialbot.storage.authors import store_authors
from socialbot.storage.bulk import BATCH, insert_ignore, insert_rows, upsert
from socialbot.storage.db import transaction
from socialbot.storage.models import CursorRow, InteractionRow, table_of


def interaction_values(i: Interaction, *, campaign_id: str | None, now: datetime) -> dict[str, Any]:
    return {
        "platform": i.platform,
        "remote_id": i.remote_id,
        "kind": i.kind.value,
        "campaign_id": campaign_id,
        "target_id": i.target_id,
        "parent_id": i.parent_id,
        "author_id": i.author_id,
        "text": i.text,
        "created_at": i.created_at,
        "collected_at": now,
        "raw": i.raw or None,
    }


def store_batch(db: Engine | Connection, *, campaign_id: str, platform: str, batch: CollectBatch, now: datetime) -> int:
    """Store interactions, authors, snapshots and the new cursors in ONE transaction; returns new interactions.

    Duplicates (same platform and remote id) are ignored, so a re-fetch after a crash is harmless. Given
    a connection, the rows join the caller's transaction (a collection round stores everything at once).
    """
    interactions = [interaction_values(i, campaign_id=campaign_id, now=now) for i in batch.interactions]
    with transaction(db) as conn:
        dialect = conn.dialect.name
        store_authors(dialect, conn, batch.authors, now=now)
        inserted = insert_rows(conn, _new_interactions(dialect), interactions, size=BATCH)  # only the new rows
        if batch.cursors:
            conn.execute(
                _set_cursor(dialect),
                [
                    {"campaign_id": campaign_id, "platform": platform, "stream": k, "value": v, "updated_at": now}
                    for k, v in batch.cursors.items()
                ],
            )
    return inserted


@cache
def _new_interactions(dialect: str) -> Insert:
    return insert_ignore(dialect, table_of(InteractionRow))


@cache
def _set_cursor(dialect: str) -> Insert:
    keys = ("campaign_id", "platform", "stream")
    return upsert(dialect, table_of(CursorRow), keys=keys, update=("value", "updated_at"))


_CURSORS = select(col(CursorRow.stream), col(CursorRow.value)).where(
    col(CursorRow.campaign_id) == bindparam("campaign_id"), col(CursorRow.platform) == bindparam("platform")
)


def cursors(db: Engine | Connection, *, campaign_id: str, platform: str) -> dict[str, str]:
    with transaction(db) as conn:
        return {
            stream: value
            for stream, value in conn.execute(_CURSORS, {"campaign_id": campaign_id, "platform": platform})
        }
