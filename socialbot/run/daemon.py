"""The daemon: migrate, take the lock, sync campaigns, run the jobs until SIGINT/SIGTERM; or run once and exit.

Start-up order: migrate → take the single-instance lock (and start renewing it) → load and sync
campaigns → settle entries left in flight → start the jobs. Shutdown order: stop taking work → wait
for running jobs → stop renewing and release the lock → close the database.

The lock is renewed by a thread of its own from the moment it is taken: a long start-up (hundreds of
campaigns to plan) or a pool of workers all busy never lets the lease run out behind the daemon's back.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

from socialbot.app import App
from socialbot.app.credentials import credential_gaps
from socialbot.app.rescan import CampaignWatcher
from socialbot.errors import LockLost, StartupInterrupted
from socialbot.run import jobs
from socialbot.run.guard import run_guarded
from socialbot.run.jobs import Job
from socialbot.run.lease import Lease
from socialbot.run.scheduler import Scheduler
from socialbot.settings import Settings
from socialbot.storage.db import file_identity
from socialbot.storage.locks import DatabaseLock

log = logging.getLogger(__name__)

ONCE_TOTALS = ("sent", "missed", "failed", "unconfirmed", "parked", "interactions", "errors")


class Daemon:
    """One running instance over one database."""

    def __init__(
        self, settings: Settings, *, sandbox: bool = False, paths: list[Path] | None = None, app: App | None = None
    ) -> None:
        self.settings = settings
        self.app = app or App(settings, sandbox=sandbox)
        self.watcher = CampaignWatcher(paths=paths or [settings.campaigns_dir])
        self.lock = DatabaseLock(
            self.app.engine,
            holder=f"{socket.gethostname()}:{os.getpid()}",
            stale_after=timedelta(seconds=settings.lock_stale_seconds),
        )
        self.lease: Lease | None = None  # taken at start, once the database file exists
        self.stop_event = threading.Event()
        self.rescan_event = threading.Event()
        self.scheduler: Scheduler | None = None
        self._started = False
        self._keeper: threading.Thread | None = None
        self._keeper_done = threading.Event()

    @property
    def campaigns_missing(self) -> bool:
        return self.watcher.missing

    # --- campaigns ---------------------------------------------------------------------------
    def load_and_sync(self, *, now: datetime) -> list[str]:
        """Re-read the campaign files (see ``CampaignWatcher``); returns the campaigns (re)synced."""
        result = self.watcher.rescan(self.app, now=now)
        if self.scheduler is not None:
            for cid in result.gone:
                self.scheduler.remove(f"publish:{cid}")
                self.scheduler.remove(f"collect:{cid}:", prefix=True)  # the colon ends the id: "a" never takes "a-2"
            for cid in result.changed:
                for job in jobs.campaign_jobs(self.app, cid):
                    self.scheduler.add(job, at=now)
        return list(result.changed)

    def job(self, name: str) -> Job | None:
        """The job of that name, for the campaigns loaded now (wake-ups may name jobs not scheduled yet)."""
        return next((j for j in self._jobs() if j.name == name), None)

    def _jobs(self) -> list[Job]:
        return [
            *jobs.all_campaign_jobs(self.app),
            Job("reconcile", jobs.reconcile),
            Job("rescan", self._rescan),
        ]

    def _rescan(self, app: App, now: datetime) -> datetime:
        self.load_and_sync(now=now)
        return now + timedelta(seconds=self.settings.rescan_seconds)

    def _lease(self) -> Lease:
        if self.lease is None:
            raise RuntimeError("the daemon has not started: no lease yet")
        return self.lease

    # --- run ---------------------------------------------------------------------------------
    def _interrupted(self, step: str) -> None:
        if self.stop_event.is_set():
            raise StartupInterrupted(f"stopped during start-up (before {step}); nothing was left half done")

    def start(self) -> None:
        """Migrate, take the lock (and the lease), sync the campaigns, settle what was in flight.

        A stop signal between two steps ends start-up cleanly (StartupInterrupted); ``close``
        then releases the lock if this daemon took it.
        """
        now = self.app.clock()
        self._interrupted("migrating")
        self.app.migrate()
        self._interrupted("taking the lock")
        took_over = self.lock.acquire(now=now)
        self._started = True
        self.lease = Lease(self.lock, identity=lambda: file_identity(self.settings.database_url))
        self.app.may_publish = self.lease.held
        self.app.stopping = self.stop_event.is_set
        self._keeper = threading.Thread(target=self._keep_lock_alive, name="lock-heartbeat", daemon=True)
        self._keeper.start()
        if took_over:
            log.warning("took over the lock from a daemon that stopped without releasing it")
        self._interrupted("reading the campaigns")
        self.load_and_sync(now=now)
        if not self.app.sandbox:
            uses = [(c.id, c.spec.campaign.account, c.spec.campaign.platforms) for c in self.app.campaigns.values()]
            for gap in credential_gaps(uses):
                log.error("%s; its posts wait (parked) until the account is configured", gap)
        recovered = self.app.recover_in_flight(now=now)
        if recovered:
            log.warning("%d action(s) were in flight when the last run stopped; reconciling them", recovered)
        self._interrupted("running the jobs")

    def run_once(self) -> dict[str, int]:
        """Every job once, then exit: reconcile, publish, collect (for cron and tests).

        The lock's heartbeat is kept alive in the background (as for the daemon), so a long run is
        never taken for a dead daemon; if another process takes the lock anyway, this run stops publishing.
        """
        return self._run_once()

    def _keep_lock_alive(self) -> None:
        """The lease's own thread: renew every 20 s, retry in 5 s after a failure, stop the daemon when it ends."""
        wait = self._lease().renew_every
        while not self._keeper_done.wait(wait.total_seconds()):
            now = self.app.clock()
            next_at = jobs.heartbeat(self.app, now, lease=self._lease(), lost=self.stop_event.set)
            if next_at is None:
                return
            wait = next_at - now  # 20 s after a renewal, 5 s after a failed one

    def _run_once(self) -> dict[str, int]:
        before = Counter(self.app.stats)
        errors = 1 if self.campaigns_missing or self.watcher.invalid_files else 0  # cron should notice
        parked_jobs = 0
        campaign_jobs = jobs.all_campaign_jobs(self.app)
        publishing = [Job("reconcile", jobs.reconcile), *(j for j in campaign_jobs if j.platform is None)]
        collecting = [j for j in campaign_jobs if j.platform is not None]
        stopped = False
        for job in publishing + collecting:
            if self.stop_event.is_set() and job in publishing:
                stopped = True  # the lock was taken over: publish nothing more
                continue
            run = run_guarded(job, self.app, self.app.clock())
            if run.outcome == "parked":
                parked_jobs += 1  # a rate limit or daily budget: expected, the next run goes on
            elif run.outcome == "error":
                errors += 1
        errors += stopped
        self.app.take_wakeups()  # one pass: nothing runs again
        done = Counter(self.app.stats)
        done.subtract(before)
        totals = {k: done.get(k, 0) for k in ONCE_TOTALS}
        totals["parked"] += done.get("blocked", 0) + parked_jobs
        totals["errors"] = errors + done.get("blocked", 0)  # a credential problem needs a person: cron should notice
        return totals

    def serve(self) -> None:
        """Run jobs until stopped (SIGINT/SIGTERM, or ``stop_event`` set by a test)."""
        self.scheduler = Scheduler(self.app, known=self.job)
        now = self.app.clock()
        for job in self._jobs():
            if job.name == "rescan":
                self.scheduler.add(job, at=now + timedelta(seconds=self.settings.rescan_seconds))
            else:
                self.scheduler.add(job, at=now)
        self.scheduler.start()
        log.info("daemon running: %d campaign(s); stop with Ctrl-C or SIGTERM", len(self.app.campaigns))
        with _woken_by_signals(fallback=self.rescan_event.wait) as wait:
            while not self.stop_event.is_set():
                if not self._lease().held():  # checked here too: a heartbeat may be stuck on a locked database
                    self.stop_event.set()
                    break
                wait(1.0)
                if self.rescan_event.is_set():
                    self.rescan_event.clear()
                    log.info("SIGHUP: re-reading campaign files")
                    self.scheduler.wake("rescan", self.app.clock())
        log.info("stopping: no new jobs; waiting for running jobs to finish")
        self.scheduler.shutdown()
        if self.lease is not None and self.lease.lost:
            raise LockLost(f"the daemon stopped: {self.lease.lost}")

    def close(self) -> None:
        self._keeper_done.set()
        if self._keeper is not None:
            self._keeper.join()  # a renewal in flight finishes before the lock is released
        try:
            self.lock.release()
        finally:
            self.app.close()
        if self._started:
            log.info("stopped cleanly")

    def _release_quietly(self) -> None:
        try:
            self.lock.release()
        except Exception:  # exiting anyway: the lock goes stale and is taken over
            log.debug("could not release the lock on the way out", exc_info=True)

    def install_signal_handlers(self) -> None:
        signals: list[str] = []

        def stop(signum: int, _frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            signals.append(name)
            if len(signals) > 1:  # a second signal: the operator will not wait for the running call
                log.warning(
                    "received %s again: exiting at once (a post in flight is reconciled at the next start)", name
                )
                releasing = threading.Thread(target=self._release_quietly, daemon=True)
                releasing.start()
                releasing.join(2)  # so a restart is not refused; a database that hangs does not hold the exit
                logging.shutdown()
                os._exit(1)
            self.stop_event.set()  # first: a worker checks it before its next post, logging can wait
            log.info("received %s", name)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self.rescan_event.set())


@contextmanager
def _woken_by_signals(fallback: Callable[[float], object]) -> Iterator[Callable[[float], object]]:
    """A wait of at most N seconds that a SIGTERM, SIGINT or SIGHUP ends at once.

    The kernel hands a signal to any thread of the process, often the worker busy publishing; Python
    runs the handler in the main thread only, and a main thread asleep in a timed wait sleeps on
    until its timeout (a backlog went on publishing hundreds of posts for that second). With a
    wakeup fd the C-level handler writes a byte whatever thread it interrupted, and the main thread
    waits on that. Outside the main thread (tests serving from a thread) there are no handlers: ``fallback``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield fallback
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def wait(timeout: float) -> object:
        ready, _, _ = select.select([reader], [], [], timeout)
        if ready:
            with suppress(BlockingIOError):
                reader.recv(512)
        return bool(ready)

    try:
        yield wait
    finally:
        signal.set_wakeup_fd(previous)
        reader.close()
        writer.close()


def run(
    settings: Settings,
    *,
    once: bool = False,
    sandbox: bool = False,
    paths: list[Path] | None = None,
    app: App | None = None,
) -> dict[str, int] | None:
    """The daemon in the foreground (``once``: one pass and exit). ``app`` lets tests pass a clock."""
    daemon = Daemon(settings, sandbox=sandbox, paths=paths, app=app)
    if threading.current_thread() is threading.main_thread():
        daemon.install_signal_handlers()  # before start-up: a SIGTERM while migrating stops cleanly too
    try:
        daemon.start()
    except StartupInterrupted as exc:
        daemon.close()
        log.info("%s", exc)
        return None
    except BaseException:
        daemon.close()  # releases the lock only if this daemon holds it
        raise
    try:
        if once:
            return daemon.run_once()
        daemon.serve()
        return None
    finally:
        daemon.close()
