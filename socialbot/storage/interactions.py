"""The interactions aggregate: collected interactions and collection cursors, stored together in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlmodel import col

from socialbot.domain.values import CollectBatch, Interaction
from socialbot.storage.authors import store_authors
from socialbot.storage.bulk import driver_value, new_rows, storable_json, storable_text, store_new, upsert
from socialbot.storage.db import transaction
from socialbot.storage.models import CursorRow, InteractionRow, table_of

COLUMNS = (  # of an interaction row, in the order the fast insert takes them
    "platform",
    "remote_id",
    "kind",
    "campaign_id",
    "target_id",
    "parent_id",
    "author_id",
    "text",
    "created_at",
    "collected_at",
    "raw",
)


def interaction_rows(
    dialect: Dialect, interactions: Sequence[Interaction], *, campaign_id: str | None, now: datetime
) -> list[tuple[Any, ...]]:
    """The interactions as driver-ready tuples in ``COLUMNS`` order, converted as SQLAlchemy would (datetimes in
    the stored UTC form, an empty ``raw`` as SQL NULL): once per value, in one pass; texts and payloads made
    storable on every database first (bulk.storable_text, storable_json), so one odd reply never stalls a round."""
    table = table_of(InteractionRow)
    when = driver_value(dialect, table, "created_at")
    as_json = driver_value(dialect, table, "raw")
    collected = when(now)
    text = storable_text
    return [
        (
            i.platform,
            text(i.remote_id),
            i.kind.value,
            campaign_id,
            text(i.target_id),
            text(i.parent_id),
            text(i.author_id),
            text(i.text),
            when(i.created_at),
            collected,
            as_json(storable_json(i.raw)) if i.raw else None,
        )
        for i in interactions
    ]


_INTERACTIONS = table_of(InteractionRow)


def store_batch(db: Engine | Connection, *, campaign_id: str, platform: str, batch: CollectBatch, now: datetime) -> int:
    """Store interactions, authors, snapshots and the new cursors in ONE transaction; returns new interactions.

    Duplicates (same platform and remote id, stored before or twice in the batch) are ignored and not
    counted, so a re-fetch after a crash is harmless. Given a connection, the rows join the caller's
    transaction (a collection round stores everything at once). The interactions go to the driver in one
    precompiled statement (bulk.store_new), with no per-row SQLAlchemy work.
    """
    with transaction(db) as conn:
        dialect = conn.dialect
        store_authors(dialect.name, conn, batch.authors, now=now)
        rows = interaction_rows(dialect, batch.interactions, campaign_id=campaign_id, now=now)
        inserted = store_new(conn, new_rows(dialect, table_of(InteractionRow), COLUMNS), rows)
        if batch.cursors:
            conn.execute(
                _set_cursor(dialect.name),
                [
                    {"campaign_id": campaign_id, "platform": platform, "stream": k, "value": v, "updated_at": now}
                    for k, v in batch.cursors.items()
                ],
            )
    return inserted


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


@dataclass(frozen=True)
class Answered:
    """A collected reply or mention as the engagement features read it (a vote, a question)."""

    row_id: int
    kind: str
    remote_id: str
    parent_id: str | None
    author_id: str
    text: str | None
    created_at: datetime
    raw: dict | None


def replies_after(
    db: Engine | Connection,
    *,
    campaign_id: str,
    parents: Sequence[str],
    after_id: int = 0,
    mentions: bool = False,
) -> list[Answered]:
    """The campaign's replies directly under one of ``parents`` (and, with ``mentions``, its mentions) stored after
    row ``after_id``, in row order: a feature that keeps the last row id reads only what is new (a range of
    rowids, also while a rehearsal has set the campaign indexes aside).

    On PostgreSQL a smaller id can commit after a larger one was read, so callers there read from 0.
    """
    if not parents:
        return []
    t = _INTERACTIONS
    wanted = (t.c.kind == "reply") & t.c.parent_id.in_(list(parents))
    if mentions:
        wanted = wanted | (t.c.kind == "mention")
    query = (
        select(t.c.id, t.c.kind, t.c.remote_id, t.c.parent_id, t.c.author_id, t.c.text, t.c.created_at, t.c.raw)
        .where(t.c.id > after_id, t.c.campaign_id == campaign_id, wanted)
        .order_by(t.c.id)
    )
    with transaction(db) as conn:
        return [Answered(*row) for row in conn.execute(query)]
