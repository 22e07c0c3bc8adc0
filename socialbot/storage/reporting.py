"""Read-only queries behind reports and status: publications with their latest metrics and interaction counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from socialbot.storage.db import session_scope
from socialbot.storage.models import (
    METRIC_COUNTERS,
    CursorRow,
    InteractionRow,
    MetricSnapshotRow,
    PublicationRow,
)


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
        pubs = (
            s.exec(
                select(PublicationRow)
                .where(PublicationRow.campaign_id == campaign_id)
                .order_by(PublicationRow.published_at)
            )
            .scalars()
            .all()
        )
        counts: dict[str, dict[str, int]] = {}
        for target, kind, n in s.exec(
            select(InteractionRow.target_id, InteractionRow.kind, func.count())
            .where(InteractionRow.campaign_id == campaign_id, InteractionRow.target_id.is_not(None))
            .group_by(InteractionRow.target_id, InteractionRow.kind)
        ):
            counts.setdefault(target, {})[kind] = n
        latest_time = (
            select(MetricSnapshotRow.remote_id, func.max(MetricSnapshotRow.taken_at).label("t"))
            .where(MetricSnapshotRow.remote_id.in_([p.remote_id for p in pubs]))
            .group_by(MetricSnapshotRow.remote_id)
            .subquery()
        )
        latest: dict[str, dict] = {}
        for m in s.exec(
            select(MetricSnapshotRow).join(
                latest_time,
                (MetricSnapshotRow.remote_id == latest_time.c.remote_id)
                & (MetricSnapshotRow.taken_at == latest_time.c.t),
            )
        ).scalars():
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
        by_kind = dict(
            s.exec(
                select(InteractionRow.kind, func.count())
                .where(InteractionRow.campaign_id == campaign_id)
                .group_by(InteractionRow.kind)
            ).all()
        )
        people = s.exec(
            select(func.count(func.distinct(InteractionRow.platform + ":" + InteractionRow.author_id))).where(
                InteractionRow.campaign_id == campaign_id
            )
        ).scalar_one()
    return by_kind, people


def last_collections(engine: Engine, *, campaign_id: str | None = None) -> list[tuple[str, str, datetime]]:
    """(campaign, platform, last cursor update) per collection stream owner."""
    with session_scope(engine) as s:
        q = select(CursorRow.campaign_id, CursorRow.platform, func.max(CursorRow.updated_at)).group_by(
            CursorRow.campaign_id, CursorRow.platform
        )
        if campaign_id:
            q = q.where(CursorRow.campaign_id == campaign_id)
        return [tuple(r) for r in s.exec(q).all()]
