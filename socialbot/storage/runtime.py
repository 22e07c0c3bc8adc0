"""Daemon bookkeeping in the database: job runs, the single-instance lock, and the sandbox platform's world."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from socialbot.domain.values import OwnPost
from socialbot.errors import LockHeld
from socialbot.storage.db import session_scope
from socialbot.storage.models import DaemonLockRow, JobRunRow, SandboxPostRow

LOCK_NAME = "daemon"


def record_job_run(
    engine: Engine,
    *,
    job_id: str,
    campaign_id: str | None,
    platform: str | None,
    started_at: datetime,
    finished_at: datetime,
    outcome: str,
    error_class: str | None = None,
    message: str | None = None,
    parked_until: datetime | None = None,
) -> None:
    with session_scope(engine) as s:
        s.add(
            JobRunRow(
                job_id=job_id,
                campaign_id=campaign_id,
                platform=platform,
                started_at=started_at,
                finished_at=finished_at,
                outcome=outcome,
                error_class=error_class,
                message=message,
                parked_until=parked_until,
            )
        )


class DatabaseLock:
    """One daemon per database: a row with a heartbeat; a holder silent for ``stale_after`` is presumed dead."""

    def __init__(self, engine: Engine, *, holder: str, stale_after: timedelta = timedelta(seconds=90)) -> None:
        self.engine = engine
        self.holder = holder
        self.stale_after = stale_after
        self.token = secrets.token_hex(16)

    def acquire(self, *, now: datetime) -> bool:
        """Take the lock; returns True if it took over from a dead holder. Raises LockHeld if one is alive."""
        with session_scope(self.engine) as s:
            row = s.get(DaemonLockRow, LOCK_NAME)
            if row is not None and now - row.heartbeat_at < self.stale_after and row.token != self.token:
                raise LockHeld(holder=row.holder, heartbeat_at=row.heartbeat_at)
        took_over = row is not None
        try:
            with session_scope(self.engine) as s:
                if row is not None:
                    # take over only if nobody refreshed it meanwhile (compare-and-set on the old token)
                    result = s.exec(
                        update(DaemonLockRow)
                        .where(DaemonLockRow.name == LOCK_NAME, DaemonLockRow.token == row.token)
                        .values(holder=self.holder, token=self.token, acquired_at=now, heartbeat_at=now)
                    )
                    if result.rowcount != 1:
                        raise LockHeld(holder="another daemon", heartbeat_at=now)
                else:
                    s.add(
                        DaemonLockRow(
                            name=LOCK_NAME, holder=self.holder, token=self.token, acquired_at=now, heartbeat_at=now
                        )
                    )
        except IntegrityError:
            raise LockHeld(holder="another daemon", heartbeat_at=now) from None
        return took_over

    def heartbeat(self, *, now: datetime) -> bool:
        """Refresh the lock; False if another process took it (then this daemon must stop)."""
        with session_scope(self.engine) as s:
            result = s.exec(
                update(DaemonLockRow)
                .where(DaemonLockRow.name == LOCK_NAME, DaemonLockRow.token == self.token)
                .values(heartbeat_at=now)
            )
            return result.rowcount == 1

    def release(self) -> None:
        with session_scope(self.engine) as s:
            s.exec(delete(DaemonLockRow).where(DaemonLockRow.name == LOCK_NAME, DaemonLockRow.token == self.token))


def lock_holder(engine: Engine) -> DaemonLockRow | None:
    with session_scope(engine) as s:
        return s.get(DaemonLockRow, LOCK_NAME)


class SandboxWorldStore:
    """The sandbox platform's posts, kept in the same database so a restarted daemon can reconcile against them."""

    def __init__(self, engine: Engine, *, account: str) -> None:
        self.engine = engine
        self.account = account

    def add(self, *, text: str, reply_to: str | None, created_at: datetime, id_base: int) -> str:
        """Store a post and return its remote id (``id_base`` + row id), allocated in the same transaction."""
        with session_scope(self.engine) as s:
            row = SandboxPostRow(
                account=self.account,
                remote_id=f"pending-{secrets.token_hex(8)}",
                text=text,
                reply_to=reply_to,
                created_at=created_at,
            )
            s.add(row)
            s.flush()
            row.remote_id = str(id_base + row.id)
            s.add(row)
            return row.remote_id

    def exists(self, remote_id: str) -> bool:
        with session_scope(self.engine) as s:
            row = s.exec(select(SandboxPostRow).where(SandboxPostRow.remote_id == remote_id)).first()
            return row is not None and not row.deleted

    def delete(self, remote_id: str) -> bool:
        with session_scope(self.engine) as s:
            result = s.exec(
                update(SandboxPostRow)
                .where(SandboxPostRow.remote_id == remote_id, ~SandboxPostRow.deleted)
                .values(deleted=True)
            )
            return result.rowcount == 1

    def posts_since(self, since: datetime) -> list[OwnPost]:
        with session_scope(self.engine) as s:
            rows = s.exec(
                select(SandboxPostRow)
                .where(
                    SandboxPostRow.account == self.account, SandboxPostRow.created_at >= since, ~SandboxPostRow.deleted
                )
                .order_by(SandboxPostRow.created_at.desc())
            )
            return [
                OwnPost(remote_id=r.remote_id, text=r.text, created_at=r.created_at, reply_to=r.reply_to) for r in rows
            ]

    def created_at(self, remote_ids: list[str]) -> dict[str, datetime]:
        with session_scope(self.engine) as s:
            rows = s.exec(
                select(SandboxPostRow.remote_id, SandboxPostRow.created_at).where(
                    SandboxPostRow.remote_id.in_(remote_ids)
                )
            )
            return dict(rows.all())
