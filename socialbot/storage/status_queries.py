"""The reads behind `socialbot status`, in plain SQL on a Reader (no ORM imported): each covers every campaign at once.

Each function takes an engine (as the rest of storage does) or a Reader (``reader.open_reader``: the
stdlib sqlite3 on a SQLite file, which is what keeps `socialbot status` fast); its aggregate's
module re-exports it (``campaigns.campaign_records``, ``ledger.entry_states``, ``locks.lock_holder``…).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from socialbot.domain.ledger import Status
from socialbot.storage.reader import Reader, as_date, in_list, reading, utc, utc_or_none

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

LOCK_NAME = "daemon"  # the single-daemon lock's row (storage.locks)


@dataclass(frozen=True)
class CampaignHeader:
    """What is recorded of a campaign file at sync: where it came from, its window, what `status` shows of it."""

    id: str
    name: str
    timezone: str
    file_path: str
    digest: str
    starts_at: datetime
    ends_at: datetime
    x_max_posts_per_day: int | None = None
    x_max_reads_per_day: int | None = None
    account: str | None = None
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CampaignRecord(CampaignHeader):
    """A campaign as recorded at its last sync: its header, whether it is active, and when it was synced."""

    active: bool
    updated_at: datetime


def campaign_records(db: Engine | Reader, *, campaign_id: str | None = None) -> list[CampaignRecord] | None:
    """Campaigns recorded in the database (None when the database has no schema yet)."""
    sql = (
        "SELECT id, name, timezone, file_path, digest, starts_at, ends_at, active, updated_at,"
        " x_max_posts_per_day, x_max_reads_per_day, account, platforms FROM campaigns"
    )
    params = {}
    if campaign_id:
        sql += " WHERE id = :id"
        params["id"] = campaign_id
    with reading(db) as r:
        try:
            rows = list(r.rows(sql + " ORDER BY id", params))
        except r.schema_errors:
            return None
    return [
        CampaignRecord(
            id=cid,
            name=name,
            timezone=tz,
            file_path=file_path,
            digest=digest,
            starts_at=utc(starts),
            ends_at=utc(ends),
            active=bool(active),
            updated_at=utc(updated),
            x_max_posts_per_day=max_posts,
            x_max_reads_per_day=max_reads,
            account=account,
            platforms=tuple(p for p in (platforms or "").split(",") if p),
        )
        for cid, name, tz, file_path, digest, starts, ends, active, updated, max_posts, max_reads, account, platforms in rows
    ]


def status_counts(db: Engine | Reader, *, campaign_id: str | None = None) -> dict[str, Counter[str]]:
    """campaign id -> Counter of ledger statuses."""
    where, params = ("WHERE campaign_id = :cid", {"cid": campaign_id}) if campaign_id else ("", {})
    out: dict[str, Counter[str]] = {}
    with reading(db) as r:
        for cid, status, n in r.rows(
            f"SELECT campaign_id, status, count(*) FROM ledger {where} GROUP BY campaign_id, status", params
        ):
            out.setdefault(cid, Counter())[status] = n
    return out


@dataclass(frozen=True)
class Upcoming:
    """A planned entry as `status` lists it."""

    key: str
    platform: str
    local_time: str
    due_at: datetime


def upcoming_by_campaign(
    db: Engine | Reader, *, campaign_ids: Sequence[str] | None = None, limit: int = 5
) -> dict[str, list[Upcoming]]:
    """The next ``limit`` planned entries of each campaign (all, or ``campaign_ids``), in due order then key order.

    Planned entries are read in that order only until every campaign has its ``limit``, or all it
    has: a count per campaign and status (read from its index) says how many that is.
    """
    among, params = ("", {}) if campaign_ids is None else in_list("cid", campaign_ids)
    counting = "SELECT campaign_id, status, count(*) FROM ledger"
    listing = "SELECT campaign_id, key, platform, local_time, due_at FROM ledger WHERE status = :planned"
    if campaign_ids is not None:
        counting += f" WHERE campaign_id IN {among}"
        listing += f" AND campaign_id IN {among}"
    out: dict[str, list[Upcoming]] = {}
    with reading(db) as r:
        counts = r.rows(counting + " GROUP BY campaign_id, status", params)
        missing = {cid: min(limit, n) for cid, status, n in counts if status == Status.PLANNED}
        waiting = sum(missing.values())
        if not waiting:
            return out
        for cid, key, platform, local_time, due_at in r.rows(
            listing + " ORDER BY due_at, key", {**params, "planned": Status.PLANNED.value}
        ):
            if missing.get(cid, 0) <= 0:
                continue
            out.setdefault(cid, []).append(Upcoming(key, platform, local_time, utc(due_at)))
            missing[cid] -= 1
            waiting -= 1
            if not waiting:
                break
    return out


@dataclass(frozen=True)
class EntryState:
    """Where one entry stands, without its draft: what `status` lists of a problem or a parked entry."""

    key: str
    campaign_id: str
    status: Status
    last_error: str | None
    not_before: datetime | None


def entry_states(
    db: Engine | Reader,
    statuses: Sequence[Status],
    *,
    campaign_ids: Sequence[str] | None = None,
    parked_after: datetime | None = None,
) -> list[EntryState]:
    """Entries in one of ``statuses`` in due order, as ``ledger.entries_with_status`` orders them, without
    reading drafts. With ``parked_after``, only entries parked (``not_before``) past that time."""
    among, params = in_list("st", [st.value for st in statuses])
    sql = f"SELECT key, campaign_id, status, last_error, not_before FROM ledger WHERE status IN {among}"
    if campaign_ids is not None:
        ids, id_params = in_list("cid", campaign_ids)
        sql += f" AND campaign_id IN {ids}"
        params.update(id_params)
    with reading(db) as r:
        if parked_after is not None:
            sql += " AND not_before > :after"
            params["after"] = r.time(parked_after)
        rows = r.rows(sql + " ORDER BY due_at, item_id, platform, part", params)
        return [EntryState(k, cid, Status(st), err, utc_or_none(nb)) for k, cid, st, err, nb in rows]


def last_collections(db: Engine | Reader, *, campaign_id: str | None = None) -> list[tuple[str, str, datetime]]:
    """(campaign, platform, last cursor update) per collection stream owner."""
    where, params = ("WHERE campaign_id = :cid", {"cid": campaign_id}) if campaign_id else ("", {})
    sql = (
        f"SELECT campaign_id, platform, max(updated_at) FROM collection_cursors {where} GROUP BY campaign_id, platform"
    )
    with reading(db) as r:
        return [(c, p, utc(t)) for c, p, t in r.rows(sql, params)]


@dataclass(frozen=True)
class LockHolder:
    """Who holds the single-daemon lock, and when it last said it is alive."""

    holder: str
    heartbeat_at: datetime


def lock_holder(db: Engine | Reader) -> LockHolder | None:
    with reading(db) as r:
        for holder, heartbeat_at in r.rows(
            "SELECT holder, heartbeat_at FROM daemon_lock WHERE name = :name", {"name": LOCK_NAME}
        ):
            return LockHolder(holder, utc(heartbeat_at))
    return None


@dataclass(frozen=True)
class Usage:
    """API calls of one campaign to one endpoint on one UTC day."""

    day: date
    campaign_id: str
    platform: str
    account: str
    endpoint: str
    calls: int


def usage_for(db: Engine | Reader, *, campaign_id: str | None = None, day: date | None = None) -> list[Usage]:
    with reading(db) as r:
        conditions, params = [], {}
        if campaign_id:
            conditions.append("campaign_id = :cid")
            params["cid"] = campaign_id
        if day:
            conditions.append("day = :day")
            params["day"] = r.day(day)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = r.rows(f"SELECT day, campaign_id, platform, account, endpoint, calls FROM api_usage{where}", params)
        return [Usage(as_date(d), cid, p, a, e, n) for d, cid, p, a, e, n in rows]


@dataclass(frozen=True)
class ParkedJob:
    job_id: str
    campaign_id: str | None
    parked_until: datetime
    message: str | None


def parked_jobs(db: Engine | Reader, *, now: datetime) -> list[ParkedJob]:
    with reading(db) as r:
        rows = r.rows(
            "SELECT job_id, campaign_id, parked_until, message FROM job_runs"
            " WHERE parked_until > :now ORDER BY parked_until DESC",
            {"now": r.time(now)},
        )
        return [ParkedJob(job, cid, utc(until), message) for job, cid, until, message in rows]


def is_rehearsal(db: Engine | Reader) -> bool:
    """The database holds a sandbox rehearsal (``simulate`` or ``run --sandbox``): it has sandbox posts and
    every publication it records is one of them (nothing went to a real platform)."""
    with reading(db) as r:
        recorded = list(r.rows("SELECT role FROM database_role WHERE name = 'role'"))
        if recorded:  # what the database was used for, since migration 0007
            return bool(recorded[0][0] == "rehearsal")
        if not list(r.rows("SELECT id FROM sandbox_posts LIMIT 1")):
            return False
        live = r.rows(
            "SELECT p.id FROM publications p WHERE NOT EXISTS"
            " (SELECT 1 FROM sandbox_posts s WHERE s.remote_id = p.remote_id) LIMIT 1"
        )
        return not list(live)
