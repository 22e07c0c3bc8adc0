"""The interactions aggregate: collected interactions and collection cursors, stored together in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col

from socialbot.domain.values import CollectBatch, Interaction
from socialbot.storage.authors import store_authors
from socialbot.storage.bulk import BATCH, chunks, insert_ignore, upsert
from socialbot.storage.db import session_scope
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


def store_batch(engine: Engine, *, campaign_id: str, platform: str, batch: CollectBatch, now: datetime) -> int:
    """Store interactions, authors, snapshots and the new cursors in ONE transaction; returns new interactions.

    Duplicates (same platform and remote id) are ignored, so a re-fetch after a crash is harmless.
    """
    interactions = [interaction_values(i, campaign_id=campaign_id, now=now) for i in batch.interactions]
    inserted = 0
    with session_scope(engine) as s:
        store_authors(engine.dialect.name, s, batch.authors, now=now)
        stmt = insert_ignore(engine.dialect.name, table_of(InteractionRow))
        for chunk in chunks(interactions, BATCH):
            result = cast(CursorResult[Any], s.execute(stmt, list(chunk)))  # an INSERT: a cursor result
            inserted += max(0, result.rowcount)
        if batch.cursors:
            cursor_stmt = upsert(
                engine.dialect.name,
                table_of(CursorRow),
                keys=("campaign_id", "platform", "stream"),
                update=("value", "updated_at"),
            )
            s.execute(
                cursor_stmt,
                [
                    {"campaign_id": campaign_id, "platform": platform, "stream": k, "value": v, "updated_at": now}
                    for k, v in batch.cursors.items()
                ],
            )
    return inserted


def cursors(engine: Engine, *, campaign_id: str, platform: str) -> dict[str, str]:
    q = select(col(CursorRow.stream), col(CursorRow.value)).where(
        col(CursorRow.campaign_id) == campaign_id, col(CursorRow.platform) == platform
    )
    with engine.connect() as conn:
        return {stream: value for stream, value in conn.execute(q)}
