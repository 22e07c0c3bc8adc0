"""The ledger aggregate: planning sync of schedule rows, reactive enqueueing, compare-and-set moves, ledger queries."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, Update, bindparam, func, insert, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col, select

from socialbot.domain.ledger import (
    ActionKind,
    LedgerEntry,
    Origin,
    PlannedAction,
    Status,
    content_hash,
    draft_from_json,
    draft_to_json,
)
from socialbot.domain.values import Draft, Published
from socialbot.storage.bulk import insert_ignore, insert_rows
from socialbot.storage.db import session_scope
from socialbot.storage.models import CampaignRow, LedgerRow, PublicationRow, table_of
from socialbot.storage.plan_sync import SyncSummary, sync_schedule_rows

# what `status` reads of the ledger, in plain SQL with its other reads (status_queries); re-exported here
from socialbot.storage.status_queries import EntryState as EntryState
from socialbot.storage.status_queries import Upcoming
from socialbot.storage.status_queries import entry_states as entry_states
from socialbot.storage.status_queries import status_counts as status_counts
from socialbot.storage.status_queries import upcoming_by_campaign as upcoming_by_campaign


def sync_ledger(engine: Engine, campaign_id: str, actions: Sequence[PlannedAction], *, now: datetime) -> SyncSummary:
    """Make the campaign's planned *schedule* rows match ``actions``; reactive rows are never touched.

    New occurrences are inserted, changed ones (text, due time) updated while still planned, and
    planned schedule rows that the file no longer produces are cancelled. Sent, failed or in-flight
    rows are never changed. One transaction (see ``plan_sync``); the campaign's recorded plan digest
    is cleared, so the next ``sync_campaigns`` plans it again rather than trusting it.
    """
    with engine.begin() as conn:
        summary = sync_schedule_rows(conn, {campaign_id: actions}, now=now)[campaign_id]
        campaigns = table_of(CampaignRow)
        conn.execute(update(campaigns).where(campaigns.c.id == campaign_id).values(plan_digest=None))
    return summary


def enqueue(
    engine: Engine,
    *,
    key: str,
    campaign_id: str,
    item_id: str,
    platform: str,
    kind: ActionKind,
    draft: Draft,
    due: datetime,
    catch_up_within: timedelta,
    reply_to: str | None,
    now: datetime,
) -> bool:
    """Insert one reactive row unless ``key`` exists (idempotent); True when this call created it."""
    values = {
        "key": key,
        "campaign_id": campaign_id,
        "item_id": item_id,
        "occurrence": 0,
        "platform": platform,
        "part": 0,
        "origin": Origin.REACTIVE.value,
        "kind": kind.value,
        "parent_key": None,
        "reply_to": reply_to,
        "due_at": due,
        "local_time": due.astimezone(UTC).isoformat(),
        "status": Status.PLANNED.value,
        "content_hash": content_hash(draft),
        "draft": draft_to_json(draft),
        "catch_up_seconds": int(catch_up_within.total_seconds()),
        "note": None,
        "attempts": 0,
        "updated_at": now,
    }
    with engine.begin() as conn:
        # counted by the bulk helper: PostgreSQL's driver reports no row count for an INSERT once it is closed
        return insert_rows(conn, insert_ignore(conn.dialect.name, table_of(LedgerRow)), [values]) == 1


def to_entry(row: Any) -> LedgerEntry:
    """A ledger row (ORM object or Core row of the whole table) as the domain's entry."""
    return LedgerEntry(
        key=row.key,
        campaign_id=row.campaign_id,
        item_id=row.item_id,
        platform=row.platform,
        part=row.part,
        origin=Origin(row.origin),
        kind=ActionKind(row.kind),
        status=Status(row.status),
        due_at=row.due_at,
        catch_up_within=timedelta(seconds=row.catch_up_seconds),
        draft=draft_from_json(row.draft),
        attempts=row.attempts,
        not_before=row.not_before,
        last_error=row.last_error,
        parent_key=row.parent_key,
        reply_to=row.reply_to,
        sending_at=row.sending_at,
        sent_at=row.sent_at,
        remote_id=row.remote_id,
        updated_at=row.updated_at,
    )


# The publishing path runs these for every post: built once, with bound parameters, so SQLAlchemy
# compiles each a single time (building a statement per call cost more than running it).
_LEDGER = table_of(LedgerRow)
_PUBLICATIONS = table_of(PublicationRow)
_BY_KEY = _LEDGER.select().where(_LEDGER.c.key == bindparam("key"))
_PUBLICATION = insert(_PUBLICATIONS)
_FIRST_DUE = (  # the earliest planned row not parked past its due time (an index walk: the first usually is)
    select(_LEDGER.c.due_at)
    .where(
        _LEDGER.c.campaign_id == bindparam("campaign_id"),
        _LEDGER.c.status == Status.PLANNED.value,
        or_(_LEDGER.c.not_before.is_(None), _LEDGER.c.not_before <= _LEDGER.c.due_at),
    )
    .order_by(_LEDGER.c.due_at)
    .limit(1)
)
_FIRST_PARKED = (  # the earliest end of a parking past the due time (ix_ledger_campaign_status_parked)
    select(_LEDGER.c.not_before)
    .where(
        _LEDGER.c.campaign_id == bindparam("campaign_id"),
        _LEDGER.c.status == Status.PLANNED.value,
        _LEDGER.c.not_before.is_not(None),  # so the walk starts past the unparked rows
        _LEDGER.c.not_before > _LEDGER.c.due_at,
    )
    .order_by(_LEDGER.c.not_before)
    .limit(1)
)


@functools.lru_cache(maxsize=64)
def _entries_query(by_campaign: bool, due_before: bool, limit: int | None) -> Select:
    q = _LEDGER.select().where(_LEDGER.c.status.in_(bindparam("statuses", expanding=True)))
    if by_campaign:
        q = q.where(_LEDGER.c.campaign_id.in_(bindparam("campaign_ids", expanding=True)))
    if due_before:
        q = q.where(_LEDGER.c.due_at <= bindparam("due_before"))
    q = q.order_by(_LEDGER.c.due_at, _LEDGER.c.item_id, _LEDGER.c.platform, _LEDGER.c.part)
    return q.limit(limit) if limit is not None else q


@functools.lru_cache(maxsize=64)
def _transition_statement(columns: tuple[str, ...]) -> Update:
    """Compare-and-set of ``key`` from one of ``frm`` to ``to``, setting ``columns`` (bound as ``v_<column>``)."""
    return (
        update(_LEDGER)
        .where(_LEDGER.c.key == bindparam("k"), _LEDGER.c.status.in_(bindparam("frm", expanding=True)))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )


def entries_with_status(
    engine: Engine,
    statuses: Sequence[Status],
    *,
    campaign_ids: Sequence[str] | None = None,
    due_before: datetime | None = None,
    limit: int | None = None,
) -> list[LedgerEntry]:
    """Entries in one of ``statuses``, in due order (then item, platform, part: a thread's parts in order)."""
    params: dict[str, Any] = {"statuses": [st.value for st in statuses]}
    if campaign_ids is not None:
        params["campaign_ids"] = list(campaign_ids)
    if due_before is not None:
        params["due_before"] = due_before
    query = _entries_query(campaign_ids is not None, due_before is not None, limit)
    with engine.connect() as conn:
        return [to_entry(r) for r in conn.execute(query, params)]


def get_entry(engine: Engine, key: str) -> LedgerEntry | None:
    with engine.connect() as conn:
        row = conn.execute(_BY_KEY, {"key": key}).first()
    return to_entry(row) if row is not None else None


def _compare_and_set(conn: Connection, key: str, frm: Sequence[Status], values: dict[str, Any]) -> bool:
    params = {f"v_{c}": v for c, v in values.items()}
    params.update(k=key, frm=[f.value for f in frm])
    return conn.execute(_transition_statement(tuple(values)), params).rowcount == 1


def transition(engine: Engine, key: str, *, frm: Sequence[Status], to: Status, now: datetime, **values: Any) -> bool:
    """Compare-and-set: move ``key`` from one of ``frm`` to ``to`` in its own committed transaction."""
    with engine.begin() as conn:
        return _compare_and_set(conn, key, frm, {"status": to.value, "updated_at": now, **values})


def mark_sent(
    engine: Engine, entry: LedgerEntry, published: Published, *, now: datetime, frm: Sequence[Status]
) -> bool:
    """Record the remote id and the publication in one transaction."""
    sent = {
        "status": Status.SENT.value,
        "remote_id": published.remote_id,
        "remote_url": published.url,
        "sent_at": published.created_at,
        "last_error": None,
        "not_before": None,
        "updated_at": now,
    }
    with engine.begin() as conn:
        if not _compare_and_set(conn, entry.key, frm, sent):
            return False
        conn.execute(
            _PUBLICATION,
            {
                "ledger_key": entry.key,
                "campaign_id": entry.campaign_id,
                "item_id": entry.item_id,
                "platform": entry.platform,
                "part": entry.part,
                "remote_id": published.remote_id,
                "url": published.url,
                "published_at": published.created_at,
            },
        )
        return True


def next_wake(engine: Engine, *, campaign_ids: Sequence[str]) -> datetime | None:
    """The earliest time a planned row may be acted on (its due time, or later if parked)."""
    times = []
    with engine.connect() as conn:
        for campaign_id in campaign_ids:  # two index walks each, however many rows are planned
            for query in (_FIRST_DUE, _FIRST_PARKED):
                if (when := conn.execute(query, {"campaign_id": campaign_id}).scalar()) is not None:
                    times.append(when)
    return min(times) if times else None


def count_with_status(engine: Engine, status: Status, *, campaign_ids: Sequence[str]) -> int:
    with session_scope(engine) as s:
        q = (
            select(func.count())
            .select_from(LedgerRow)
            .where(LedgerRow.status == status.value, col(LedgerRow.campaign_id).in_(list(campaign_ids)))
        )
        return int(s.exec(q).one())


def upcoming(engine: Engine, *, campaign_id: str | None, limit: int = 5) -> list[Upcoming]:
    with session_scope(engine) as s:
        q = select(LedgerRow.key, LedgerRow.platform, LedgerRow.local_time, LedgerRow.due_at).where(
            LedgerRow.status == Status.PLANNED.value
        )
        if campaign_id:
            q = q.where(LedgerRow.campaign_id == campaign_id)
        return [Upcoming(*r) for r in s.exec(q.order_by(col(LedgerRow.due_at)).limit(limit)).all()]
