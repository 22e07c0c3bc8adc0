"""The single-daemon lock: one row with a heartbeat; a holder silent for too long is presumed dead. And the
PostgreSQL advisory lock a rehearsal holds on its database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from socialbot.errors import LockHeld
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import DaemonLockRow

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here, by their aggregate
from socialbot.storage.status_queries import LOCK_NAME
from socialbot.storage.status_queries import LockHolder as LockHolder
from socialbot.storage.status_queries import lock_holder as lock_holder


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
                        .where(col(DaemonLockRow.name) == LOCK_NAME, col(DaemonLockRow.token) == row.token)
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
                .where(col(DaemonLockRow.name) == LOCK_NAME, col(DaemonLockRow.token) == self.token)
                .values(heartbeat_at=now)
            )
            return result.rowcount == 1

    def release(self) -> None:
        with session_scope(self.engine) as s:
            s.exec(
                delete(DaemonLockRow).where(
                    col(DaemonLockRow.name) == LOCK_NAME, col(DaemonLockRow.token) == self.token
                )
            )


REHEARSAL_LOCK_KEY = 7201260003  # one rehearsal at a time on a PostgreSQL database


@contextmanager
def hold_advisory_lock(url: str, *, key: int) -> Iterator[bool]:
    """Try a PostgreSQL session advisory lock on ``url``'s database; yields whether it is held (released at the end).

    A database that cannot be reached yields True: nothing else can be using it, and the caller's own
    connection then says what is wrong.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    engine = make_engine(url)
    try:
        try:
            conn = engine.connect()
        except OperationalError:
            yield True
            return
        with conn:
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
    finally:
        engine.dispose()
