"""The daemon's lease on its database: renewed by the heartbeat, it ends before another daemon may take over.

The lock row is stale (another daemon may take it) ``stale_after`` (90 s) after its last heartbeat.
This daemon stops publishing ``MARGIN`` (30 s) before that: the moment its last successful renewal
is ``stale_after - MARGIN`` (60 s) old, whatever made the renewals fail (a database locked by
another process, a full disk, a network partition to PostgreSQL). The margin covers one publish
call in flight (its timeouts) and clock skew between machines. A SQLite file that was deleted or
replaced under the daemon ends the lease at once: writes would go to an unlinked file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from socialbot.storage.locks import DatabaseLock

log = logging.getLogger(__name__)

MARGIN = timedelta(seconds=30)
RENEW_EVERY = timedelta(seconds=20)
RETRY_EVERY = timedelta(seconds=5)


class Lease:
    """Whether this process may still publish: ``held()`` is cheap and safe to call from any thread."""

    def __init__(
        self,
        lock: DatabaseLock,
        *,
        identity: Callable[[], object | None] = lambda: None,
        margin: timedelta = MARGIN,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lock = lock
        margin = min(margin, lock.stale_after / 3)  # a short lock (tests, soak) keeps proportional margins
        self.valid_for = (lock.stale_after - margin).total_seconds()
        self.renew_every = min(RENEW_EVERY, lock.stale_after / 6)  # several tries before the lease can run out
        self.retry_every = min(RETRY_EVERY, self.renew_every / 2)
        self._identity = identity
        self._opened = identity()  # the database file as it was when the daemon opened it
        self._monotonic = monotonic
        self._renewed = monotonic()
        self.lost: str | None = None  # why the lease ended for good
        self._failure: str | None = None  # why the last renewal failed (None after a success)

    def held(self) -> bool:
        if self.lost is not None:
            return False
        if self._identity() != self._opened:
            self.lost = (
                "the database file was deleted or replaced while the daemon ran; restore it from a backup before "
                "restarting (a new, empty database sends again every post still within its catch_up_within)"
            )
            log.error("%s", self.lost)
            return False
        if self._monotonic() - self._renewed >= self.valid_for:
            why = f"the last try failed: {self._failure}" if self._failure else "the process was too busy or stalled"
            self.lost = (
                f"the lock was not renewed for {self.valid_for:.0f} s ({why}); "
                "publishing stopped before another daemon may take over"
            )
            log.error("%s", self.lost)
            return False
        return True

    def renew(self, *, now: datetime) -> bool:
        """One heartbeat: True when renewed. A failure is logged; the lease ends only when it runs out."""
        if self.lost is not None:
            return False
        if not self.held():
            return False
        try:
            renewed = self.lock.heartbeat(now=now)
        except Exception as exc:  # locked, full, unreachable: retried soon by the heartbeat job
            self._failure = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            log.warning("could not renew the lock (%s); retrying", self._failure)
            self.held()
            return False
        if not renewed:
            self.lost = "another daemon took over the lock on this database"
            log.error("%s; stopping", self.lost)
            return False
        self._renewed = self._monotonic()
        self._failure = None
        return True
