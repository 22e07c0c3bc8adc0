"""Plan sync: making the schedule rows of many campaigns match their compiled plans, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row

from socialbot.domain.ledger import Origin, PlannedAction, Status
from socialbot.storage.bulk import chunks, plain_insert
from socialbot.storage.models import LedgerRow, table_of

REMOVED = "removed or rescheduled in the campaign file"
_IDS_PER_QUERY = 500  # campaign ids per IN (…): far below any database's limit on bound parameters
_READ = ("id", "key", "campaign_id", "status", "content_hash", "due_at", "note", "platform", "part", "remote_id")


@dataclass(frozen=True)
class SyncSummary:
    """What a sync did to a campaign's schedule rows."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} changed, {self.cancelled} cancelled, {self.unchanged} unchanged"


def sync_schedule_rows(
    conn: Connection, plans: Mapping[str, Sequence[PlannedAction]], *, now: datetime
) -> dict[str, SyncSummary]:
    """Make each campaign's planned *schedule* rows match its actions; reactive rows are never touched.

    New occurrences are inserted (cancelled at once when the same text already went out within
    its catch-up window), changed ones (text, due time) updated while still planned, cancelled ones
    the file produces again planned anew, and planned schedule rows the file no longer produces
    cancelled. Sent, failed or in-flight rows are never changed. One read of the existing rows per
    500 campaigns, one statement per kind of write.
    """
    table = table_of(LedgerRow)
    existing: dict[str, dict[str, Row[Any]]] = {cid: {} for cid in plans}
    for ids in chunks(list(plans), _IDS_PER_QUERY):
        query = select(*(table.c[name] for name in _READ)).where(
            table.c.campaign_id.in_(list(ids)), table.c.origin == Origin.SCHEDULE.value
        )
        for found in conn.execute(query):
            existing[found.campaign_id][found.key] = found
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    revived: list[dict[str, Any]] = []
    cancelled: list[dict[str, Any]] = []
    summaries: dict[str, SyncSummary] = {}
    for cid, actions in plans.items():
        rows = existing[cid]
        wanted = {a.key: a for a in actions}
        sent = [r for r in rows.values() if r.status == Status.SENT]
        created = updated = unchanged = 0
        for key, action in wanted.items():
            row = rows.get(key)
            if row is None:
                values = _row_values(action, now)
                twin = _already_sent(sent, action)
                if twin is not None:  # renamed item or nudged time: the same text already went out
                    values.update(
                        status=Status.CANCELLED.value, last_error=f"already published as {twin.key} ({twin.remote_id})"
                    )
                new_rows.append(values)
                created += 1
            elif row.status == Status.CANCELLED:  # re-added to the file: planned again
                revived.append({**_content(action, now), "row_id": row.id, "status": Status.PLANNED.value})
                updated += 1
            elif row.status != Status.PLANNED or _same(row, action):  # sent, failed, in flight: never changed
                unchanged += 1
            else:
                changed.append({**_content(action, now), "row_id": row.id})
                updated += 1
        gone = [r for key, r in rows.items() if key not in wanted and r.status == Status.PLANNED]
        cancelled.extend({"row_id": r.id} for r in gone)
        summaries[cid] = SyncSummary(created, updated, len(gone), unchanged)
    by_id = table.c.id == bindparam("row_id")
    if changed:
        conn.execute(update(table).where(by_id), changed)
    if revived:
        conn.execute(update(table).where(by_id).values(last_error=None), revived)
    if cancelled:
        conn.execute(
            update(table).where(by_id).values(status=Status.CANCELLED.value, last_error=REMOVED, updated_at=now),
            cancelled,
        )
    for chunk in chunks(new_rows, 500):
        conn.execute(plain_insert(table), list(chunk))
    return summaries


def _same(row: Row[Any], action: PlannedAction) -> bool:
    return row.content_hash == action.content_hash and row.due_at == action.due_at and row.note == action.note


def _already_sent(sent: Sequence[Row[Any]], action: PlannedAction) -> Row[Any] | None:
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


def _content(action: PlannedAction, now: datetime) -> dict[str, Any]:
    """What a changed occurrence rewrites of its planned row."""
    return {
        "content_hash": action.content_hash,
        "draft": action.draft_json,
        "due_at": action.due_at,
        "local_time": action.local.isoformat(),
        "note": action.note,
        "catch_up_seconds": int(action.catch_up_within.total_seconds()),
        "occurrence": action.occurrence,
        "kind": action.kind.value,
        "updated_at": now,
    }


def _row_values(action: PlannedAction, now: datetime) -> dict[str, Any]:
    return {
        "key": action.key,
        "campaign_id": action.campaign_id,
        "item_id": action.item_id,
        "platform": action.platform,
        "part": action.part,
        "origin": Origin.SCHEDULE.value,
        "parent_key": action.parent_key,
        "reply_to": None,
        "status": Status.PLANNED.value,
        "attempts": 0,
        "last_error": None,
        **_content(action, now),
    }
