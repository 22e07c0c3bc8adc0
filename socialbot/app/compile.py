"""Campaign files into the ledger: load and compile every file, then make the ledger match their plans."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from socialbot.app.context import Context
from socialbot.app.polls import sync_polls
from socialbot.app.qa import sync_sessions
from socialbot.spec.campaign import Campaign, LoadResult
from socialbot.spec.loader import LoadCache

__all__ = ["load", "load_files", "sync", "utc_window"]
from socialbot.app.loading import load_files, utc_window
from socialbot.storage.campaigns import CampaignHeader, campaign_records, deactivate_campaigns, sync_campaigns
from socialbot.storage.ledger import SyncSummary

log = logging.getLogger(__name__)


def load(ctx: Context, paths: Sequence[Path] | None = None, *, cache: LoadCache | None = None) -> LoadResult:
    """Every campaign under ``paths`` (default: the campaigns directory), validated and compiled once.

    With ``cache`` (a watcher's), only files whose bytes changed since its last load are parsed.
    """
    return load_files(list(paths) if paths else [ctx.settings.campaigns_dir], settings=ctx.settings, cache=cache)


def sync(
    ctx: Context,
    campaigns: Sequence[Campaign],
    *,
    now: datetime,
    prune: bool = True,
    active: Sequence[str] | None = None,
) -> dict[str, SyncSummary]:
    """Record campaigns and make their schedule rows match their compiled plans (one transaction).

    A campaign whose plan is the one its rows were last made to match is not re-planned.

    With ``prune``, every campaign not in ``active`` (default: the ones given) is retired: its
    planned schedule rows are cancelled, what was sent stays. Reactive rows are never touched.
    """
    summaries = sync_campaigns(ctx.engine, [(_header(c), c.compiled.actions) for c in campaigns], now=now)
    sync_polls(ctx, campaigns, now=now)
    sync_sessions(ctx, campaigns, now=now)
    for campaign in campaigns:
        ctx.platforms.forget(campaign.id)  # the account, subreddits or hashtags may have changed
        ctx.campaigns[campaign.id] = campaign
    if prune:
        keep = list(active) if active is not None else [c.id for c in campaigns]
        for gone in deactivate_campaigns(ctx.engine, keep=keep, now=now):
            ctx.campaigns.pop(gone, None)
            ctx.platforms.forget(gone)
            log.info("campaign %s retired: %s; planned posts cancelled", gone, _why_retired(ctx, gone))
    return summaries


def _header(campaign: Campaign) -> CampaignHeader:
    header = campaign.spec.campaign
    starts, ends = utc_window(campaign)
    return CampaignHeader(
        id=header.id,
        name=header.name,
        timezone=header.timezone,
        file_path=str(campaign.file),
        digest=campaign.digest,
        starts_at=starts,
        ends_at=ends,
        x_max_posts_per_day=header.x.max_posts_per_day,
        x_max_reads_per_day=header.x.max_reads_per_day,
        account=header.account,
        platforms=tuple(header.platforms),
    )


def _why_retired(ctx: Context, campaign_id: str) -> str:
    """A retired campaign's file is gone, or now defines another campaign (its id was changed)."""
    records = campaign_records(ctx.engine, campaign_id=campaign_id)
    if not records:
        return "its file is gone"
    record = records[0]
    renamed = next((c.id for c in ctx.campaigns.values() if str(c.file) == record.file_path), None)
    if renamed is not None:
        return f"its file {record.file_path} now defines campaign {renamed} (the id was changed)"
    if Path(record.file_path).exists():
        return f"its file {record.file_path} no longer defines it"
    return f"its file {record.file_path} is gone"
