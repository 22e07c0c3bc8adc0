"""Collection: what is new on a campaign's publications, stored with its cursors in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from socialbot.app.context import Context
from socialbot.domain.batching import chunks
from socialbot.domain.cadence import metrics_wanted_ids
from socialbot.domain.values import CallKind, Metrics
from socialbot.platforms.base import Platform
from socialbot.storage.authors import (
    authors_without_snapshot,
    recent_authors_without_profile,
    store_authors,
    store_profiles,
)
from socialbot.storage.interactions import cursors, store_batch
from socialbot.storage.metrics import store_metrics
from socialbot.storage.publications import PublicationRef, PublicationsSeen, publication_refs

API_BATCH = 100  # ids per counters or profiles call (both X and Reddit take 100)
# Reddit reads one person's profile a call: a busy thread (a live Q&A: 1,000 new people an hour) would spend the
# whole rate budget on profiles and leave the replies unread; the rest are read in the next rounds
PROFILES_PER_ROUND = {"reddit": 30}
FULL_READ_EVERY = timedelta(hours=1)  # on PostgreSQL, all publications are read again this often (below)


@dataclass
class CollectReport:
    new_interactions: int = 0
    notes: list[str] = field(default_factory=list)
    newest_publication: datetime | None = None


def collect(
    ctx: Context, campaign_id: str, platform_name: str, *, now: datetime, metrics: bool = True
) -> CollectReport:
    """Fetch what is new on the campaign's publications and store all of it with the cursors, in one transaction.

    The platform is asked first (nothing is held open while it answers); then the interactions, their
    authors, the counters, the new cursors and the calls made are written together, so a crash
    leaves either the whole round or none of it. Profiles of people seen without one follow in a
    second, smaller transaction (a failure there keeps the round).
    """
    campaign = ctx.campaign(campaign_id)
    report = CollectReport()
    key = (campaign_id, platform_name)
    with ctx.engine.connect() as conn:
        seen = ctx.publications_seen.get(key)
        # SQLite has one writer at a time, so ids commit in order and the rows after the last id read are
        # all that is new; PostgreSQL may commit a smaller id after a larger one was read: read all again
        stale = seen is not None and conn.dialect.name != "sqlite"
        if seen is None or (stale and (seen.read_at is None or now - seen.read_at >= FULL_READ_EVERY)):
            seen = PublicationsSeen(refs=[], read_at=now)
        seen = ctx.publications_seen[key] = publication_refs(
            conn, campaign_id=campaign_id, platform=platform_name, seen=seen
        )
        pubs = seen.refs
        known_cursors = ctx.cursors_seen.get(key)
        if known_cursors is None and pubs:
            known_cursors = cursors(conn, campaign_id=campaign_id, platform=platform_name)
    if not pubs or known_cursors is None:
        return report
    report.newest_publication = pubs[-1].published_at  # in publication order
    platform = ctx.platforms.get(campaign_id, platform_name)
    try:
        ctx.usage.check(campaign_id, platform_name, CallKind.READ, now=now)
        roots = seen.roots()  # in publication order
        batch = platform.fetch_interactions(
            roots, cursors=known_cursors, keywords=campaign.spec.campaign.hashtags, now=now
        )
        snapshots = _read_counters(ctx, platform, platform_name, pubs, now=now) if metrics else []
        authors = ctx.authors_seen.unseen(batch.authors, now=now)
        with ctx.engine.begin() as conn:
            snapshotted = store_authors(conn.dialect.name, conn, authors, now=now)
            moved = {stream: value for stream, value in batch.cursors.items() if known_cursors.get(stream) != value}
            report.new_interactions = store_batch(
                conn,
                campaign_id=campaign_id,
                platform=platform_name,
                batch=replace(batch, authors=(), cursors=moved),  # a cursor that did not move is not written again
                now=now,
            )
            store_metrics(conn, platform=platform_name, metrics=snapshots)  # as the publications say
            ctx.usage.drain(campaign_id, platform_name, now=now, db=conn)
        ctx.authors_seen.remember(authors, snapshotted, now=now)  # committed: safe to rely on
        ctx.cursors_seen[key] = {**known_cursors, **moved}
        ctx.metrics_seen.update(((platform_name, m.remote_id), (now, m.counters())) for m in snapshots)
        ctx.stats["interactions"] += report.new_interactions
        report.notes.extend(batch.notes)
        ctx.notes.extend(n for n in batch.notes if n not in ctx.notes and len(ctx.notes) < 100)
        profiled = {
            a.remote_id
            for a in batch.authors
            if a.created_at is not None or a.followers is not None or a.karma is not None
        }
        unprofiled = sorted({i.author_id for i in batch.interactions} - profiled)
        missing = authors_without_snapshot(ctx.engine, platform=platform.capabilities.platform, remote_ids=unprofiled)
        pending = ctx.profiles_pending.get(key)
        if pending is None and key[1] in PROFILES_PER_ROUND:  # a new process: what an earlier one left unread
            since = now - timedelta(days=1)
            pending = set(
                recent_authors_without_profile(ctx.engine, platform=platform.capabilities.platform, since=since)
            )
        pending = ctx.profiles_pending[key] = (pending or set()) | set(missing)
        cap = PROFILES_PER_ROUND.get(platform.capabilities.platform)
        for batch_ids in chunks(sorted(pending)[:cap], API_BATCH):
            profiles = platform.fetch_profiles(batch_ids, now=now)
            with ctx.engine.begin() as conn:
                snapshotted = store_profiles(conn, profiles, now=now)
                ctx.usage.drain(campaign_id, platform_name, now=now, db=conn)
            ctx.authors_seen.remember(profiles, snapshotted, now=now)
            pending.difference_update(batch_ids)
    finally:
        ctx.usage.drain(campaign_id, platform_name, now=now)  # the calls of a round that failed count too
    return report


def _read_counters(
    ctx: Context, platform: Platform, platform_name: str, pubs: Sequence[PublicationRef], *, now: datetime
) -> list[Metrics]:
    """The counters worth storing this round: of publications due a reading (dense while fresh, sparse later),
    those that changed since the last stored snapshot (an unchanged counter adds nothing to the series)."""
    seen_of = ctx.metrics_seen.get

    def last_taken(remote_id: str) -> datetime | None:
        seen = seen_of((platform_name, remote_id))
        return seen[0] if seen else None

    due = metrics_wanted_ids(pubs, last_taken=last_taken, now=now)
    fetched: list[Metrics] = []
    for ids in chunks(due, API_BATCH):
        fetched.extend(platform.fetch_metrics(ids, now=now))
    changed = []
    for m in fetched:
        seen = ctx.metrics_seen.get((platform_name, m.remote_id))
        if seen is None or seen[1] != m.counters():
            changed.append(m)
        else:
            ctx.metrics_seen[(platform_name, m.remote_id)] = (now, seen[1])  # read, unchanged: not stored again
    return changed


def collection_targets(ctx: Context) -> list[tuple[str, str]]:
    """(campaign, platform) pairs collected from, one per platform of each loaded campaign."""
    return [(cid, p) for cid, c in ctx.campaigns.items() for p in c.spec.campaign.platforms]
