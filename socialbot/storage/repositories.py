"""The ledger and campaign rows: planning sync, compare-and-set status changes, and queries for status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from socialbot.domain.ledger import PlannedAction, Status, draft_to_json
from socialbot.domain.values import Published
from socialbot.storage.db import session_scope
from socialbot.storage.models import CampaignRow, LedgerRow, PublicationRow


@dataclass(frozen=True)
class SyncSummary:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0


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
    now: datetime,
) -> None:
    with session_scope(engine) as s:
        row = s.get(CampaignRow, id)
        if row is None:
            row = CampaignRow(id=id)
        row.name, row.timezone, row.file_path, row.digest = name, timezone, file_path, digest
        row.starts_at, row.ends_at, row.active, row.updated_at = starts_at, ends_at, True, now
        s.add(row)


def deactivate_campaigns(engine: Engine, *, keep: Iterable[str], now: datetime) -> list[str]:
    """Campaigns whose file disappeared: marked inactive and their planned rows cancelled. Returns their ids."""
    keep = set(keep)
    with session_scope(engine) as s:
        gone = [r for r in s.exec(select(CampaignRow).where(CampaignRow.active)) if r.id not in keep]
        for row in gone:
            row.active, row.updated_at = False, now
            s.add(row)
            s.exec(
                update(LedgerRow)
                .where(LedgerRow.campaign_id == row.id, LedgerRow.status == Status.PLANNED)
                .values(status=Status.CANCELLED, last_error="campaign file removed", updated_at=now)
            )
    return [r.id for r in gone]


def sync_ledger(engine: Engine, campaign_id: str, actions: Sequence[PlannedAction], *, now: datetime) -> SyncSummary:
    """Make the campaign's planned rows match ``actions``; sent, failed or in-flight rows are never touched.

    New occurrences are inserted, changed ones (text, due time) updated while still planned, and
    planned rows that the file no longer produces are cancelled. One transaction.
    """
    wanted = {a.key: a for a in actions}
    created = updated = cancelled = unchanged = 0
    with session_scope(engine) as s:
        existing = {r.key: r for r in s.exec(select(LedgerRow).where(LedgerRow.campaign_id == campaign_id))}
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
                and row.status == Status.PLANNED
                and row.note == action.note
            ):
                unchanged += 1
                continue
            row.content_hash, row.draft = action.content_hash, draft_to_json(action.draft)
            row.due_at, row.local_time, row.note = action.due_at, action.local.isoformat(), action.note
            row.catch_up_seconds, row.occurrence = int(action.catch_up_within.total_seconds()), action.occurrence
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
        for chunk in _chunks(new_rows, 500):
            s.exec(insert(LedgerRow), params=chunk)
        created = len(new_rows)
    return SyncSummary(created, updated, cancelled, unchanged)


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


def _row_values(action: PlannedAction, now: datetime) -> dict:
    return {
        "key": action.key,
        "campaign_id": action.campaign_id,
        "item_id": action.item_id,
        "occurrence": action.occurrence,
        "platform": action.platform,
        "part": action.part,
        "due_at": action.due_at,
        "local_time": action.local.isoformat(),
        "status": Status.PLANNED.value,
        "content_hash": action.content_hash,
        "draft": draft_to_json(action.draft),
        "catch_up_seconds": int(action.catch_up_within.total_seconds()),
        "note": action.note,
        "attempts": 0,
        "updated_at": now,
    }


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rows_with_status(
    engine: Engine,
    statuses: Sequence[Status],
    *,
    campaign_ids: Sequence[str] | None = None,
    due_before: datetime | None = None,
) -> list[LedgerRow]:
    with session_scope(engine) as s:
        q = select(LedgerRow).where(LedgerRow.status.in_([st.value for st in statuses]))
        if campaign_ids is not None:
            q = q.where(LedgerRow.campaign_id.in_(list(campaign_ids)))
        if due_before is not None:
            q = q.where(LedgerRow.due_at <= due_before)
        return list(s.exec(q.order_by(LedgerRow.due_at, LedgerRow.item_id, LedgerRow.platform, LedgerRow.part)))


def get_row(engine: Engine, key: str) -> LedgerRow | None:
    with session_scope(engine) as s:
        return s.exec(select(LedgerRow).where(LedgerRow.key == key)).first()


def transition(engine: Engine, key: str, *, frm: Sequence[Status], to: Status, now: datetime, **values) -> bool:
    """Compare-and-set: move ``key`` from one of ``frm`` to ``to`` in its own committed transaction."""
    with session_scope(engine) as s:
        result = s.exec(
            update(LedgerRow)
            .where(LedgerRow.key == key, LedgerRow.status.in_([f.value for f in frm]))
            .values(status=to.value, updated_at=now, **values)
        )
        return result.rowcount == 1


def mark_sent(engine: Engine, row: LedgerRow, published: Published, *, now: datetime, frm: Sequence[Status]) -> bool:
    """Record the remote id and the publication in one transaction."""
    with session_scope(engine) as s:
        result = s.exec(
            update(LedgerRow)
            .where(LedgerRow.key == row.key, LedgerRow.status.in_([f.value for f in frm]))
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
                ledger_key=row.key,
                campaign_id=row.campaign_id,
                item_id=row.item_id,
                platform=row.platform,
                part=row.part,
                remote_id=published.remote_id,
                url=published.url,
                published_at=published.created_at,
            )
        )
        return True


def thread_parent(engine: Engine, row: LedgerRow) -> tuple[Status, str | None, datetime | None] | None:
    """Status, remote id and send time of the previous part of ``row``'s thread (None for part 0)."""
    if row.part == 0:
        return None
    prev_key = row.key.rsplit("/", 1)[0] + f"/{row.part - 1}"
    prev = get_row(engine, prev_key)
    if prev is None:
        return (Status.CANCELLED, None, None)
    return (Status(prev.status), prev.remote_id, prev.sent_at)


def status_counts(engine: Engine, *, campaign_id: str | None = None) -> dict[str, Counter]:
    """campaign id -> Counter of ledger statuses."""
    with session_scope(engine) as s:
        q = select(LedgerRow.campaign_id, LedgerRow.status, func.count()).group_by(
            LedgerRow.campaign_id, LedgerRow.status
        )
        if campaign_id:
            q = q.where(LedgerRow.campaign_id == campaign_id)
        out: dict[str, Counter] = {}
        for cid, status, n in s.exec(q):
            out.setdefault(cid, Counter())[status] = n
        return out


def next_due(engine: Engine, *, campaign_id: str | None, limit: int = 5) -> list[LedgerRow]:
    with session_scope(engine) as s:
        q = select(LedgerRow).where(LedgerRow.status == Status.PLANNED.value)
        if campaign_id:
            q = q.where(LedgerRow.campaign_id == campaign_id)
        return list(s.exec(q.order_by(LedgerRow.due_at).limit(limit)))


def campaign_row(engine: Engine, campaign_id: str) -> CampaignRow | None:
    with session_scope(engine) as s:
        return s.get(CampaignRow, campaign_id)


def known_remote_ids(engine: Engine, *, platform: str, remote_ids: Sequence[str]) -> set[str]:
    """Which of ``remote_ids`` are already recorded as our publications (so reconciliation never reuses one)."""
    if not remote_ids:
        return set()
    with session_scope(engine) as s:
        q = select(PublicationRow.remote_id).where(
            PublicationRow.platform == platform, PublicationRow.remote_id.in_(list(remote_ids))
        )
        return set(s.exec(q))


def next_wake(engine: Engine, *, campaign_ids: Sequence[str]) -> datetime | None:
    """The earliest time a planned row may be acted on (its due time, or later if parked)."""
    with session_scope(engine) as s:
        rows = s.exec(
            select(LedgerRow.due_at, LedgerRow.not_before).where(
                LedgerRow.status == Status.PLANNED.value, LedgerRow.campaign_id.in_(list(campaign_ids))
            )
        ).all()
    times = [max(due, nb) if nb else due for due, nb in rows]
    return min(times) if times else None


def newest_publication(engine: Engine, *, campaign_id: str, platform: str) -> datetime | None:
    with session_scope(engine) as s:
        q = select(func.max(PublicationRow.published_at)).where(
            PublicationRow.campaign_id == campaign_id, PublicationRow.platform == platform
        )
        value = s.exec(q).one()
    if value is not None and value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)  # func.max bypasses the column type on SQLite
    return value


def count_with_status(engine: Engine, status: Status, *, campaign_ids: Sequence[str]) -> int:
    with session_scope(engine) as s:
        q = (
            select(func.count())
            .select_from(LedgerRow)
            .where(LedgerRow.status == status.value, LedgerRow.campaign_id.in_(list(campaign_ids)))
        )
        return s.exec(q).one()


@dataclass(frozen=True)
class PublicationRef:
    remote_id: str
    part: int
    published_at: datetime


def publication_refs(engine: Engine, *, campaign_id: str, platform: str) -> list[PublicationRef]:
    """What collection needs of each publication, without loading ORM objects (this runs every few minutes)."""
    from datetime import UTC

    with session_scope(engine) as s:
        q = (
            select(PublicationRow.remote_id, PublicationRow.part, PublicationRow.published_at)
            .where(PublicationRow.campaign_id == campaign_id, PublicationRow.platform == platform)
            .order_by(PublicationRow.published_at)
        )
        return [PublicationRef(r, p, t if t.tzinfo else t.replace(tzinfo=UTC)) for r, p, t in s.exec(q).all()]
