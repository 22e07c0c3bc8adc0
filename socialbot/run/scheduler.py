"""The real-time driver: APScheduler 3 runs the named jobs in a thread pool, each run inside the one guard.

APScheduler keeps jobs in memory only; the database is the source of truth and the jobs are rebuilt
from campaigns and ledger at start. Every run is recorded (``job_runs``), and a job is rescheduled
at the time it asks for; wake-up requests from use cases (``app.wake``) bring a job forward.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.date import DateTrigger

from socialbot.app import App
from socialbot.run.guard import JobRun, run_guarded
from socialbot.run.jobs import Job
from socialbot.storage.runs import record_job_run

log = logging.getLogger(__name__)


class _Background(BackgroundScheduler):
    """APScheduler's background scheduler, whose loop never dies of one bad pass.

    An exception out of ``_process_jobs`` would end APScheduler's thread (no job would ever run again);
    while stopping it is expected (jobs end as the executor shuts down) and only logged at debug level.
    """

    def _process_jobs(self) -> float | None:
        try:
            return cast(float | None, super()._process_jobs())
        except Exception:
            if self.state == STATE_STOPPED:
                log.debug("scheduler pass ended by the shutdown", exc_info=True)
                return None
            log.exception("the job scheduler's pass failed; trying again in 1 s")
            return 1.0


class Scheduler:
    """Jobs keyed by name; ``known`` finds a job by name for wake-ups of jobs not scheduled yet."""

    def __init__(self, app: App, *, workers: int = 4, known: Callable[[str], Job | None] | None = None) -> None:
        self.app = app
        self._known = known or (lambda _name: None)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._running = 0  # runs inside run_now: shutdown waits for them before APScheduler's own shutdown
        self._scheduler = _Background(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        self._jobs: dict[str, Job] = {}

    def start(self, *, paused: bool = False) -> None:
        self._scheduler.start(paused=paused)

    def shutdown(self) -> None:
        """Stop taking work, then wait for running jobs to finish.

        The wait for running jobs happens here, before APScheduler's ``shutdown``: that one joins the
        workers while holding its job-store lock, so a worker still scheduling its next run (or a
        wake-up) would wait on that lock forever and the daemon would never exit.
        """
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.pause()  # no new submissions while the running jobs finish
            with self._idle:
                self._idle.wait_for(lambda: self._running == 0)
            self._scheduler.shutdown(wait=True)

    def add(self, job: Job, *, at: datetime) -> None:
        """Schedule ``job`` at ``at`` (replacing any run of the same name)."""
        if self._stopping.is_set():
            return
        with self._lock:
            self._jobs[job.name] = job
            self._scheduler.add_job(
                self.run_now,
                trigger=DateTrigger(run_date=at),
                id=job.name,
                name=job.name,
                args=[job.name],
                replace_existing=True,
            )

    def wake(self, name: str, at: datetime) -> None:
        """Run ``name`` no later than ``at``: brought forward if scheduled later, added if not scheduled."""
        if self._stopping.is_set():
            return
        job = self._jobs.get(name) or self._known(name)
        if job is None:
            return
        current = self.next_run(name)
        if current is None or at < current:
            self.add(job, at=at)

    def remove(self, name: str, *, prefix: bool = False) -> None:
        """Remove one job, or (``prefix=True``) every job whose name starts with ``name``."""
        with self._lock:
            for scheduled in self._scheduler.get_jobs():
                if scheduled.id == name or (prefix and scheduled.id.startswith(name)):
                    with contextlib.suppress(JobLookupError):  # it ran (and was dropped) since the listing
                        scheduled.remove()
                    self._jobs.pop(scheduled.id, None)

    def job_names(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def next_run(self, name: str) -> datetime | None:
        scheduled = self._scheduler.get_job(name)
        return scheduled.next_run_time if scheduled else None

    def run_now(self, name: str) -> JobRun | None:
        """Run one job inside the guard, record the run, and schedule it again when it asks to be."""
        with self._idle:
            self._running += 1
        try:
            return self._run(name)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _run(self, name: str) -> JobRun | None:
        job = self._jobs.get(name)
        if job is None or self._stopping.is_set():
            return None
        run = run_guarded(job, self.app, self.app.clock())
        self._record(run)
        if run.next_at is not None and not self._stopping.is_set() and name in self._jobs:
            self.add(job, at=max(run.next_at, self.app.clock()))
        elif run.next_at is None:
            with self._lock:
                self._jobs.pop(name, None)
        self._drain_wakeups()
        return run

    def _drain_wakeups(self) -> None:
        if self._stopping.is_set():
            return
        for name, at in self.app.take_wakeups():
            self.wake(name, max(at, self.app.clock()))

    def _record(self, run: JobRun) -> None:
        try:
            record_job_run(
                self.app.engine,
                job_id=run.job.name,
                campaign_id=run.job.campaign_id,
                platform=run.job.platform,
                started_at=run.started,
                finished_at=self.app.clock(),
                outcome=run.outcome,
                error_class=run.error_class,
                message=run.message,
                parked_until=run.parked_until,
            )
        except Exception:  # bookkeeping must never take the daemon down
            log.exception("could not record the run of job %s", run.job.name)
