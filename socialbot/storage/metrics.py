"""The metrics aggregate: time series of each publication's public counters and poll totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine

from socialbot.domain.values import Metrics
from socialbot.storage.bulk import BATCH, chunks
from socialbot.storage.db import transaction
from socialbot.storage.models import METRIC_COUNTERS, MetricSnapshotRow, table_of

_INSERT = insert(table_of(MetricSnapshotRow))


def store_metrics(db: Engine | Connection, *, platform: str, metrics: Sequence[Metrics]) -> None:
    rows = []
    for m in metrics:
        values = {k: getattr(m, k) for k in ("remote_id", "taken_at", *METRIC_COUNTERS)}
        values["platform"] = platform
        values["poll"] = _poll_json(m)
        rows.append(values)
    if not rows:
        return
    with transaction(db) as conn:
        for chunk in chunks(rows, BATCH):
            conn.execute(_INSERT, chunk)


def _poll_json(m: Metrics) -> dict[str, Any] | None:
    if m.poll is None:
        return None
    data = asdict(m.poll)
    data["closes_at"] = m.poll.closes_at.isoformat() if m.poll.closes_at else None
    return data
