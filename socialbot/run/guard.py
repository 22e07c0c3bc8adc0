"""One guard around every job run: classifies errors, parks on rate limits, never lets a job take the driver down."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialbot.app import App
from socialbot.errors import AuthError, ConfigError, RateLimited, SocialbotError
from socialbot.run.jobs import Job

log = logging.getLogger(__name__)

ERROR_RETRY = timedelta(minutes=5)
CONFIG_RETRY = timedelta(minutes=15)


@dataclass(frozen=True)
class JobRun:
    """How one run of a job ended and when it runs next (None: not again)."""

    job: Job
    started: datetime
    outcome: str  # ok | parked | error
    next_at: datetime | None
    error_class: str | None = None
    message: str | None = None
    parked_until: datetime | None = None


def run_guarded(job: Job, app: App, now: datetime, *, quiet: bool = False) -> JobRun:
    """Run ``job``; a rate limit parks it until the reset, a configuration problem waits 15 minutes, any other
    error 5 minutes. Errors are logged with the job's name and campaign, never raised (``quiet``: expected
    platform errors, as a rehearsal with injected failures has, are logged at debug level)."""
    expected = logging.DEBUG if quiet else logging.WARNING
    try:
        return JobRun(job, now, "ok", job.run(app, now))
    except RateLimited as exc:
        until = now + timedelta(seconds=max(exc.retry_after, 1))
        log.log(
            expected,
            "job %s (campaign %s) parked until %s: %s",
            job.name,
            job.campaign_id,
            until.isoformat(timespec="seconds"),
            exc,
        )
        return JobRun(job, now, "parked", until, type(exc).__name__, str(exc), until)
    except (ConfigError, AuthError) as exc:
        log.error("job %s (campaign %s) cannot run: %s", job.name, job.campaign_id, exc)
        return JobRun(job, now, "error", now + CONFIG_RETRY, type(exc).__name__, str(exc))
    except SocialbotError as exc:
        log.log(expected, "job %s (campaign %s) failed: %s", job.name, job.campaign_id, exc)
        return JobRun(job, now, "error", now + ERROR_RETRY, type(exc).__name__, str(exc))
    except Exception as exc:
        log.exception("job %s (campaign %s) crashed; retrying in %s", job.name, job.campaign_id, ERROR_RETRY)
        return JobRun(job, now, "error", now + ERROR_RETRY, type(exc).__name__, str(exc))
