"""Job runs: one row per run of a named job (outcome, error, parking), for status and diagnosis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from socialbot.storage.db import session_scope
from socialbot.storage.models import JobRunRow

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here, by their aggregate
from socialbot.storage.status_queries import ParkedJob as ParkedJob
from socialbot.storage.status_queries import parked_jobs as parked_jobs


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
