"""Read-only queries behind reports and status: publications with their latest metrics and interaction counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from socialbot.storage.db import session_scope
from socialbot.storage.models import (
    METRIC_COUNTERS,
    InteractionRow,
    MetricSnapshotRow,
    PublicationRow,
    table_of,
)

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here
from socialbot.storage.status_queries import last_collections as last_collections


@dataclass(frozen=True)
class PublicationStats:
    item_id: str
    platform: str
    part: int
    remote_id: str
    url: str | None
    published_at: datetime
    collected: dict[str, int]  # interaction kind -> rows collected
    latest: dict[str, int | float | None]  # latest metric snapshot counters (empty if none)


def publication_stats(engine: Engine, *, campaign_id: str) -> list[PublicationStats]:
    with session_scope(engine) as s:
        pubs = s.exec(
            select(PublicationRow)
            .where(PublicationRow.campaign_id == campaign_id)
            .order_by(col(PublicationRow.published_at))
        ).all()
        counts: dict[str, dict[str, int]] = {}
        for target, kind, n in s.exec(
            select(InteractionRow.target_id, InteractionRow.kind, func.count())
            .where(InteractionRow.campaign_id == campaign_id, col(InteractionRow.target_id).is_not(None))
            .group_by(InteractionRow.target_id, InteractionRow.kind)
        ):
            if target is not None:  # always, given the WHERE; tells the type checker
                counts.setdefault(target, {})[kind] = n
        # the newest snapshot of each publication, found through (platform, remote_id, taken_at): one index
        # search per publication instead of grouping the whole snapshot table
        newest = (
            select(MetricSnapshotRow.id)
            .where(
                col(MetricSnapshotRow.platform) == col(PublicationRow.platform),
                col(MetricSnapshotRow.remote_id) == col(PublicationRow.remote_id),
            )
            .order_by(col(MetricSnapshotRow.taken_at).desc())
            .limit(1)
            .correlate(PublicationRow)
            .scalar_subquery()
        )
        newest_ids = select(newest).where(PublicationRow.campaign_id == campaign_id)
        latest: dict[str, dict] = {}
        for m in s.exec(select(MetricSnapshotRow).where(col(MetricSnapshotRow.id).in_(newest_ids))):
            latest[m.remote_id] = {k: getattr(m, k) for k in METRIC_COUNTERS}
    return [
        PublicationStats(
            p.item_id,
            p.platform,
            p.part,
            p.remote_id,
            p.url,
            p.published_at,
            counts.get(p.remote_id, {}),
            latest.get(p.remote_id, {}),
        )
        for p in pubs
    ]


def interaction_totals(engine: Engine, *, campaign_id: str) -> tuple[dict[str, int], int]:
    """(kind -> count, unique people) over every interaction stored for the campaign."""
    with session_scope(engine) as s:
        by_kind: dict[str, int] = dict(
            s.exec(
                select(InteractionRow.kind, func.count())
                .where(InteractionRow.campaign_id == campaign_id)
                .group_by(InteractionRow.kind)
            ).all()
        )
        distinct_people = (
            select(InteractionRow.platform, InteractionRow.author_id)
            .where(InteractionRow.campaign_id == campaign_id)
            .distinct()
            .subquery()
        )
        people = s.exec(select(func.count()).select_from(distinct_people)).one()
    return by_kind, people


# The indexes only the report reads. Each costs every stored interaction a write into a page of its own,
# which in the small transactions of collection rounds tripled what storing costs; a rehearsal, which
# nothing reads while it runs, builds them once at its end instead (``built_after``).
REPORT_INDEXES = (
    "ix_interaction_campaign_kind",
    "ix_interaction_campaign_target_kind",
    "ix_interaction_campaign_author",
)


@contextmanager
def report_indexes_built_after(engine: Engine) -> Iterator[None]:
    """Drop the report's indexes for a bulk load and build them again when it ends (also when it fails)."""
    table = table_of(InteractionRow)
    indexes = [ix for ix in table.indexes if ix.name in REPORT_INDEXES]
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn, checkfirst=True)
    try:
        yield
    finally:
        with engine.begin() as conn:
            for index in indexes:
                index.create(conn, checkfirst=True)
