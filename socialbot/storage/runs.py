"""Job runs: one row per run of a named job (outcome, error, parking), for status and diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from socialbot.storage.db import session_scope
from socialbot.storage.models import JobRunRow


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


@dataclass(frozen=True)
class ParkedJob:
    job_id: str
    campaign_id: str | None
    parked_until: datetime
    message: str | None


def parked_jobs(engine: Engine, *, now: datetime) -> list[ParkedJob]:
    with session_scope(engine) as s:
        rows = s.exec(
            select(JobRunRow).where(col(JobRunRow.parked_until) > now).order_by(col(JobRunRow.parked_until).desc())
        )
        # parked_until > now leaves out NULLs; the check only tells the type checker so
        return [
            ParkedJob(r.job_id, r.campaign_id, r.parked_until, r.message) for r in rows if r.parked_until is not None
        ]
