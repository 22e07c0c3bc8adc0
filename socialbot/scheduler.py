"""Thin APScheduler wrapper: in-memory jobs rebuilt from campaigns + ledger, every job run inside one guard.

Each job is a function ``(now) -> next run time | None``; the guard records a job-run row,
classifies errors, parks a job on ``RateLimited`` until the reset (never a blocking sleep), and
never lets one campaign's failure stop the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from socialbot.errors import AuthError, ConfigError, RateLimited, SocialbotError

log = logging.getLogger(__name__)

JobFunc = Callable[[datetime], datetime | None]
ERROR_RETRY = timedelta(minutes=5)
CONFIG_RETRY = timedelta(minutes=15)


class Scheduler:
    """Jobs keyed by id (``publish:<campaign>``, ``collect:<campaign>:<platform>``, ``reconcile``, …)."""

    def __init__(self, app, *, clock: Callable[[], datetime] | None = None, workers: int = 4) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.app = app
        self.clock = clock or (lambda: datetime.now(UTC))
        self._stopping = threading.Event()
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        self._funcs: dict[str, tuple[JobFunc, str | None, str | None]] = {}

    def start(self, *, paused: bool = False) -> None:
        self._scheduler.start(paused=paused)

    def shutdown(self) -> None:
        """Stop taking work, then wait for running jobs to finish."""
        self._stopping.set()
        self._scheduler.shutdown(wait=True)

    def schedule(
        self, job_id: str, func: JobFunc, *, at: datetime, campaign_id: str | None = None, platform: str | None = None
    ) -> None:
        from apscheduler.triggers.date import DateTrigger

        if self._stopping.is_set():
            return
        self._funcs[job_id] = (func, campaign_id, platform)
        self._scheduler.add_job(
            self._guard, trigger=DateTrigger(run_date=at), id=job_id, name=job_id, args=[job_id], replace_existing=True
        )

    def remove(self, job_id: str, *, prefix: bool = False) -> None:
        """Remove one job, or (``prefix=True``) every job whose id starts with ``job_id``."""
        for job in self._scheduler.get_jobs():
            if job.id == job_id or (prefix and job.id.startswith(job_id)):
                job.remove()
                self._funcs.pop(job.id, None)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job else None

    def _guard(self, job_id: str) -> None:
        entry = self._funcs.get(job_id)
        if entry is None or self._stopping.is_set():
            return
        func, campaign_id, platform = entry
        started = self.clock()
        outcome, error_class, message, parked_until, next_at = "ok", None, None, None, None
        try:
            next_at = func(started)
        except RateLimited as exc:
            outcome, error_class, message = "parked", type(exc).__name__, str(exc)
            parked_until = next_at = started + timedelta(seconds=max(exc.retry_after, 1))
            log.warning(
                "job %s (campaign %s) parked until %s: %s",
                job_id,
                campaign_id,
                parked_until.isoformat(timespec="seconds"),
                exc,
            )
        except (ConfigError, AuthError) as exc:
            outcome, error_class, message = "error", type(exc).__name__, str(exc)
            next_at = started + CONFIG_RETRY
            log.error("job %s (campaign %s) cannot run: %s", job_id, campaign_id, exc)
        except SocialbotError as exc:
            outcome, error_class, message = "error", type(exc).__name__, str(exc)
            next_at = started + ERROR_RETRY
            log.warning("job %s (campaign %s) failed: %s", job_id, campaign_id, exc)
        except Exception as exc:
            outcome, error_class, message = "error", type(exc).__name__, str(exc)
            next_at = started + ERROR_RETRY
            log.exception("job %s (campaign %s) crashed; retrying in %s", job_id, campaign_id, ERROR_RETRY)
        finally:
            self._record(job_id, campaign_id, platform, started, outcome, error_class, message, parked_until)
        if next_at is not None and not self._stopping.is_set() and job_id in self._funcs:
            self.schedule(job_id, func, at=max(next_at, self.clock()), campaign_id=campaign_id, platform=platform)

    def _record(self, job_id, campaign_id, platform, started, outcome, error_class, message, parked_until) -> None:
        from socialbot.storage.runtime import record_job_run

        try:
            record_job_run(
                self.app.engine,
                job_id=job_id,
                campaign_id=campaign_id,
                platform=platform,
                started_at=started,
                finished_at=self.clock(),
                outcome=outcome,
                error_class=error_class,
                message=message,
                parked_until=parked_until,
            )
        except Exception:  # bookkeeping must never take the daemon down
            log.exception("could not record the run of job %s", job_id)
