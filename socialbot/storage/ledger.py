"""The ledger aggregate: planning sync of schedule rows, reactive enqueueing, compare-and-set moves, ledger queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
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
from socialbot.storage.bulk import chunks, insert_ignore, plain_insert
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow, PublicationRow, table_of


@dataclass(frozen=True)
class SyncSummary:
    """What a sync did to a campaign's schedule rows."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} changed, {self.cancelled} cancelled, {self.unchanged} unchanged"


def sync_ledger(engine: Engine, campaign_id: str, actions: Sequence[PlannedAction], *, now: datetime) -> SyncSummary:
    """Make the campaign's planned *schedule* rows match ``actions``; reactive rows are never touched.

    New occurrences are inserted, changed ones (text, due time) updated while still planned, and
    planned schedule rows that the file no longer produces are cancelled. Sent, failed or in-flight
    rows are never changed. One transaction.
    """
    wanted = {a.key: a for a in actions}
    updated = cancelled = unchanged = 0
    with session_scope(engine) as s:
        existing = {
            r.key: r
            for r in s.exec(
                select(LedgerRow).where(LedgerRow.campaign_id == campaign_id, LedgerRow.origin == Origin.SCHEDULE.value)
            )
        }
        sent = [r for r in existing.values() if r.status == Status.SENT]
        new_rows = []
        for key, action in wanted.items():
            row = existing.get(key)
            if row is None:
                values = _row_values(action, now)
                twin = _already_sent(sent, action)
                if twin is not None:  # renamed item or nudged time: the same text already went out
                    values.update(
                        status=Status.CANCELLED.value, last_error=f"already published as {twin.key} ({twin.remote_id})"
                    )
                new_rows.append(values)
                continue
            revived = row.status == Status.CANCELLED
            if revived:
                row.status = Status.PLANNED  # re-added to the file: planned again
                row.last_error = None
            elif row.status != Status.PLANNED:
                unchanged += 1
                continue
            if (
                not revived
                and row.content_hash == action.content_hash
                and row.due_at == action.due_at
                and row.note == action.note
            ):
                unchanged += 1
                continue
            row.content_hash, row.draft = action.content_hash, draft_to_json(action.draft)
            row.due_at, row.local_time, row.note = action.due_at, action.local.isoformat(), action.note
            row.catch_up_seconds, row.occurrence = int(action.catch_up_within.total_seconds()), action.occurrence
            row.kind = action.kind.value
            row.updated_at = now
            s.add(row)
            updated += 1
        for key, row in existing.items():
            if key not in wanted and row.status == Status.PLANNED:
                row.status, row.last_error, row.updated_at = (
                    Status.CANCELLED,
                    "removed or rescheduled in the campaign file",
                    now,
                )
                s.add(row)
                cancelled += 1
        for chunk in chunks(new_rows, 500):
            s.execute(plain_insert(table_of(LedgerRow)), list(chunk))
    return SyncSummary(len(new_rows), updated, cancelled, unchanged)


def _already_sent(sent: Sequence[LedgerRow], action: PlannedAction) -> LedgerRow | None:
    """A sent row with the same text, platform and part due within the action's catch-up window."""
    for row in sent:
        if (
            row.platform == action.platform
            and row.part == action.part
            and row.content_hash == action.content_hash
            and abs(row.due_at - action.due_at) <= action.catch_up_within
        ):
            return row
    return None


def _row_values(action: PlannedAction, now: datetime) -> dict[str, Any]:
    return {
        "key": action.key,
        "campaign_id": action.campaign_id,
        "item_id": action.item_id,
        "occurrence": action.occurrence,
        "platform": action.platform,
        "part": action.part,
        "origin": Origin.SCHEDULE.value,
        "kind": action.kind.value,
        "parent_key": action.parent_key,
        "reply_to": None,
        "due_at": action.due_at,
        "local_time": action.local.isoformat(),
        "status": Status.PLANNED.value,
        "content_hash": action.content_hash,
        "draft": draft_to_json(action.draft),
        "catch_up_seconds": int(action.catch_up_within.total_seconds()),
        "note": action.note,
        "attempts": 0,
        "last_error": None,
        "updated_at": now,
    }


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
        result = conn.execute(insert_ignore(conn.dialect.name, table_of(LedgerRow)), [values])
        return result.rowcount == 1


def to_entry(row: LedgerRow) -> LedgerEntry:
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


def entries_with_status(
    engine: Engine,
    statuses: Sequence[Status],
    *,
    campaign_ids: Sequence[str] | None = None,
    due_before: datetime | None = None,
    limit: int | None = None,
) -> list[LedgerEntry]:
    """Entries in one of ``statuses``, in due order (then item, platform, part: a thread's parts in order)."""
    with session_scope(engine) as s:
        q = select(LedgerRow).where(col(LedgerRow.status).in_([st.value for st in statuses]))
        if campaign_ids is not None:
            q = q.where(col(LedgerRow.campaign_id).in_(list(campaign_ids)))
        if due_before is not None:
            q = q.where(LedgerRow.due_at <= due_before)
        q = q.order_by(col(LedgerRow.due_at), col(LedgerRow.item_id), col(LedgerRow.platform), col(LedgerRow.part))
        if limit is not None:
            q = q.limit(limit)
        return [to_entry(r) for r in s.exec(q)]


def get_entry(engine: Engine, key: str) -> LedgerEntry | None:
    with session_scope(engine) as s:
        row = s.exec(select(LedgerRow).where(LedgerRow.key == key)).first()
        return to_entry(row) if row is not None else None


def transition(engine: Engine, key: str, *, frm: Sequence[Status], to: Status, now: datetime, **values: Any) -> bool:
    """Compare-and-set: move ``key`` from one of ``frm`` to ``to`` in its own committed transaction."""
    with session_scope(engine) as s:
        result = s.exec(
            update(LedgerRow)
            .where(col(LedgerRow.key) == key, col(LedgerRow.status).in_([f.value for f in frm]))
            .values(status=to.value, updated_at=now, **values)
        )
        return result.rowcount == 1


def mark_sent(
    engine: Engine, entry: LedgerEntry, published: Published, *, now: datetime, frm: Sequence[Status]
) -> bool:
    """Record the remote id and the publication in one transaction."""
    with session_scope(engine) as s:
        result = s.exec(
            update(LedgerRow)
            .where(col(LedgerRow.key) == entry.key, col(LedgerRow.status).in_([f.value for f in frm]))
            .values(
                status=Status.SENT.value,
                remote_id=published.remote_id,
                remote_url=published.url,
                sent_at=published.created_at,
                last_error=None,
                not_before=None,
                updated_at=now,
            )
        )
        if result.rowcount != 1:
            return False
        s.add(
            PublicationRow(
                ledger_key=entry.key,
                campaign_id=entry.campaign_id,
                item_id=entry.item_id,
                platform=entry.platform,
                part=entry.part,
                remote_id=published.remote_id,
                url=published.url,
                published_at=published.created_at,
            )
        )
        return True


def status_counts(engine: Engine, *, campaign_id: str | None = None) -> dict[str, Counter[str]]:
    """campaign id -> Counter of ledger statuses."""
    with session_scope(engine) as s:
        q = select(LedgerRow.campaign_id, LedgerRow.status, func.count()).group_by(
            LedgerRow.campaign_id, LedgerRow.status
        )
        if campaign_id:
            q = q.where(LedgerRow.campaign_id == campaign_id)
        out: dict[str, Counter[str]] = {}
        for cid, status, n in s.exec(q):
            out.setdefault(cid, Counter())[status] = n
        return out


def next_wake(engine: Engine, *, campaign_ids: Sequence[str]) -> datetime | None:
    """The earliest time a planned row may be acted on (its due time, or later if parked)."""
    with session_scope(engine) as s:
        rows = s.exec(
            select(LedgerRow.due_at, LedgerRow.not_before).where(
                LedgerRow.status == Status.PLANNED.value, col(LedgerRow.campaign_id).in_(list(campaign_ids))
            )
        ).all()
    times = [max(due, nb) if nb else due for due, nb in rows]
    return min(times) if times else None


def count_with_status(engine: Engine, status: Status, *, campaign_ids: Sequence[str]) -> int:
    with session_scope(engine) as s:
        q = (
            select(func.count())
            .select_from(LedgerRow)
            .where(LedgerRow.status == status.value, col(LedgerRow.campaign_id).in_(list(campaign_ids)))
        )
        return int(s.exec(q).one())


@dataclass(frozen=True)
class Upcoming:
    """A planned entry as `status` lists it."""

    key: str
    platform: str
    local_time: str
    due_at: datetime


def upcoming(engine: Engine, *, campaign_id: str | None, limit: int = 5) -> list[Upcoming]:
    with session_scope(engine) as s:
        q = select(LedgerRow.key, LedgerRow.platform, LedgerRow.local_time, LedgerRow.due_at).where(
            LedgerRow.status == Status.PLANNED.value
        )
        if campaign_id:
            q = q.where(LedgerRow.campaign_id == campaign_id)
        return [Upcoming(*r) for r in s.exec(q.order_by(col(LedgerRow.due_at)).limit(limit)).all()]
