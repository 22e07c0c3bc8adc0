"""The named jobs: each is ``(app, now) -> next due time | None`` with plain arguments, run by every driver.

The drivers (APScheduler in the daemon, the virtual clock in ``simulate``, one pass in ``run --once``)
decide *when* to call a job; the job decides what to do and when it wants to run again. A use case
may ask for a job to run sooner through ``app.wake(name, at)``; the drivers honour those requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from socialbot.app import App, polls, qa
from socialbot.app.compile import utc_window
from socialbot.app.rescan import CampaignWatcher
from socialbot.domain.cadence import collect_interval, metrics_due
from socialbot.run.lease import Lease
from socialbot.storage.ledger import next_wake

log = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=60)
IDLE_RECHECK = timedelta(minutes=5)

JobFunc = Callable[[App, datetime], datetime | None]


@dataclass(frozen=True)
class Job:
    """A job with its name (``publish:<campaign>``, ``collect:<campaign>:<platform>``, ``reconcile`` …)."""

    name: str
    run: JobFunc
    campaign_id: str | None = None
    platform: str | None = None


def publish_due(app: App, now: datetime, *, campaign_id: str, idle: timedelta | None = IDLE_RECHECK) -> datetime | None:
    """Publish the campaign's due entries; next: its next due time (looked at again after ``idle`` at most)."""
    if campaign_id not in app.campaigns:
        return None  # retired
    app.publish_due(now=now, campaign_ids=[campaign_id])
    wake = next_wake(app.engine, campaign_ids=[campaign_id])
    if wake is None:
        return now + idle if idle is not None else None
    if wake <= now:  # a due entry still planned waits on something (an unconfirmed thread part)
        return now + RECONCILE_EVERY
    return min(wake, now + idle) if idle is not None else wake


def collect(app: App, now: datetime, *, campaign_id: str, platform: str) -> datetime | None:
    """Collect one campaign on one platform (metrics every METRICS_EVERY); next: by the age of its newest post."""
    if campaign_id not in app.campaigns:
        return None
    key = (campaign_id, platform)
    with_metrics = metrics_due(app.last_metrics.get(key), now)
    report = app.collect(campaign_id, platform, now=now, metrics=with_metrics)
    if with_metrics:
        app.last_metrics[key] = now
    for note in report.notes:
        log.info("collect %s/%s: %s", campaign_id, platform, note)
    interval = collect_interval(
        newest_publication=report.newest_publication,
        now=now,
        campaign_ends=utc_window(app.campaigns[campaign_id])[1],
        grace=timedelta(days=app.settings.collect_grace_days),
    )
    return now + interval if interval else None


def harvest_polls(app: App, now: datetime, *, campaign_id: str) -> datetime | None:
    """Snapshot the campaign's open polls and harvest the closed ones; next: the next snapshot or close."""
    if campaign_id not in app.campaigns:
        return None
    return polls.harvest(app, campaign_id, now=now)


def run_qa(app: App, now: datetime, *, campaign_id: str) -> datetime | None:
    """Gather, group and answer the questions of the campaign's live Q&A sessions; next: in 2 minutes while live."""
    if campaign_id not in app.campaigns:
        return None
    return qa.run_sessions(app, campaign_id, now=now)


def reconcile(app: App, now: datetime, *, idle: timedelta | None = RECONCILE_EVERY) -> datetime | None:
    """Settle unconfirmed entries; reconciliation asks to run again itself while some are still waiting."""
    app.reconcile(now=now)
    return now + idle if idle is not None else None


def rescan(app: App, now: datetime, *, watcher: CampaignWatcher) -> datetime:
    """Re-read the campaign files; the jobs of changed campaigns run at once."""
    result = watcher.rescan(app, now=now)
    for cid in result.changed:
        for job in campaign_jobs(app, cid):
            app.wake(job.name, now)
    return now + timedelta(seconds=app.settings.rescan_seconds)


def heartbeat(app: App, now: datetime, *, lease: Lease, lost: Callable[[], None]) -> datetime | None:
    """Renew the daemon's lease (every 20 s); a failed renewal is retried in 5 s; a lease that ended stops the daemon."""
    if lease.renew(now=now):
        return now + lease.renew_every
    if not lease.held():
        lost()
        return None
    return now + lease.retry_every


def campaign_jobs(app: App, campaign_id: str, *, idle: timedelta | None = IDLE_RECHECK) -> list[Job]:
    """The jobs one campaign needs: publishing, and collection on each of its platforms."""
    campaign = app.campaigns.get(campaign_id)
    if campaign is None:
        return []
    jobs = [Job(f"publish:{campaign_id}", partial(publish_due, campaign_id=campaign_id, idle=idle), campaign_id)]
    jobs += [
        Job(f"collect:{campaign_id}:{p}", partial(collect, campaign_id=campaign_id, platform=p), campaign_id, p)
        for p in campaign.spec.campaign.platforms
    ]
    if campaign.spec.polls:
        jobs.append(Job(f"polls:{campaign_id}", partial(harvest_polls, campaign_id=campaign_id), campaign_id))
    if campaign.spec.qa:
        jobs.append(Job(f"qa:{campaign_id}", partial(run_qa, campaign_id=campaign_id), campaign_id))
    return jobs


def all_campaign_jobs(app: App, *, idle: timedelta | None = IDLE_RECHECK) -> list[Job]:
    return [job for cid in app.campaigns for job in campaign_jobs(app, cid, idle=idle)]
