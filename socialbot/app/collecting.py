"""Collection: what is new on a campaign's publications, stored with its cursors in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from socialbot.app.context import Context
from socialbot.domain.batching import chunks
from socialbot.domain.values import CallKind, Target
from socialbot.storage.authors import authors_without_snapshot, store_profiles
from socialbot.storage.interactions import cursors, store_batch
from socialbot.storage.metrics import store_metrics
from socialbot.storage.publications import publication_refs

API_BATCH = 100  # ids per counters or profiles call (both X and Reddit take 100)


@dataclass
class CollectReport:
    new_interactions: int = 0
    notes: list[str] = field(default_factory=list)
    newest_publication: datetime | None = None


def collect(
    ctx: Context, campaign_id: str, platform_name: str, *, now: datetime, metrics: bool = True
) -> CollectReport:
    """Fetch what is new on the campaign's publications and store it with the cursors, in one transaction."""
    campaign = ctx.campaign(campaign_id)
    report = CollectReport()
    pubs = publication_refs(ctx.engine, campaign_id=campaign_id, platform=platform_name)
    if not pubs:
        return report
    report.newest_publication = max(p.published_at for p in pubs)
    platform = ctx.platforms.get(campaign_id, platform_name)
    try:
        ctx.usage.check(campaign_id, platform_name, CallKind.READ, now=now)
        roots = [Target(remote_id=p.remote_id, published_at=p.published_at) for p in pubs if p.part == 0]
        batch = platform.fetch_interactions(
            roots,
            cursors=cursors(ctx.engine, campaign_id=campaign_id, platform=platform_name),
            keywords=campaign.spec.campaign.hashtags,
            now=now,
        )
        report.new_interactions = store_batch(
            ctx.engine, campaign_id=campaign_id, platform=platform_name, batch=batch, now=now
        )
        ctx.stats["interactions"] += report.new_interactions
        report.notes.extend(batch.notes)
        ctx.notes.extend(n for n in batch.notes if n not in ctx.notes and len(ctx.notes) < 100)
        if metrics:
            snapshots = []
            for ids in chunks([p.remote_id for p in pubs], API_BATCH):
                snapshots.extend(platform.fetch_metrics(ids, now=now))
            store_metrics(ctx.engine, platform=platform_name, metrics=snapshots)  # as the publications say
        profiled = {
            a.remote_id
            for a in batch.authors
            if a.created_at is not None or a.followers is not None or a.karma is not None
        }
        unprofiled = {i.author_id for i in batch.interactions} - profiled
        missing = authors_without_snapshot(
            ctx.engine, platform=platform.capabilities.platform, remote_ids=sorted(unprofiled)
        )
        for batch_ids in chunks(missing, API_BATCH):
            store_profiles(ctx.engine, platform.fetch_profiles(batch_ids, now=now), now=now)
    finally:
        ctx.usage.drain(campaign_id, platform_name, now=now)
    return report


def collection_targets(ctx: Context) -> list[tuple[str, str]]:
    """(campaign, platform) pairs collected from, one per platform of each loaded campaign."""
    return [(cid, p) for cid, c in ctx.campaigns.items() for p in c.spec.campaign.platforms]
