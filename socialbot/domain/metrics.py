"""Engagement arithmetic: engagements per publication and engagement rates, with the formula named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ENGAGING_KINDS = ("reply", "like", "repost", "quote")
COUNTER_FOR_KIND = {"reply": ("replies", "comments"), "like": ("likes",), "repost": ("reposts",), "quote": ("quotes",)}

RATE_BY_IMPRESSIONS = "engagement rate = engagements / impressions"
NO_RATE = "no impressions reported: engagements per publication"


@dataclass(frozen=True)
class Engagement:
    """Engagements of one publication by kind: the larger of what we collected and the platform's own counter."""

    by_kind: dict[str, int]
    impressions: int | None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def rate(self) -> float | None:
        return self.total / self.impressions if self.impressions else None


def engagement(collected: Mapping[str, int], counters: Mapping[str, int | float | None]) -> Engagement:
    """Counters may exceed what an API lets us list (X likers are capped at 100), so take the larger."""
    by_kind = {}
    for kind in ENGAGING_KINDS:
        counted = max((int(v) for c in COUNTER_FOR_KIND[kind] if (v := counters.get(c)) is not None), default=0)
        by_kind[kind] = max(collected.get(kind, 0), counted)
    impressions = counters.get("impressions")
    return Engagement(by_kind, int(impressions) if impressions is not None else None)


def overall_rate(items: list[Engagement]) -> tuple[float | None, str]:
    """Weighted: total engagements over total impressions of the publications that report impressions."""
    with_impressions = [e for e in items if e.impressions]
    if not with_impressions:
        return None, NO_RATE
    impressions = sum(e.impressions or 0 for e in with_impressions)  # all set (filtered above); `or 0` narrows the type
    return sum(e.total for e in with_impressions) / impressions, RATE_BY_IMPRESSIONS
