"""The Platform protocol every adapter implements, plus the rate-limit budget and call meter adapters share."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from socialbot.domain.values import (
    AuthorProfile,
    Capabilities,
    CollectBatch,
    Draft,
    Metrics,
    OwnPost,
    Published,
    Target,
)
from socialbot.errors import RateLimited

__all__ = ["Capabilities", "Platform", "RateBudget", "UsageMeter"]


class Platform(Protocol):
    """One account on one platform. Adapters return plain frozen values and raise only socialbot.errors types.

    Errors: ``RateLimited(retry_after=…)``, ``TransientPlatformError`` (certainly no effect: retry),
    ``OutcomeUnknown`` (may have taken effect: reconcile), ``AuthError``, ``ContentRejected``.
    """

    name: str  # "x" | "reddit" | "sandbox"
    capabilities: Capabilities
    usage: UsageMeter

    def publish(self, draft: Draft) -> Published:
        """Publish a post, a thread part or a reply (``draft.reply_to``)."""
        ...

    def delete(self, remote_id: str) -> None:
        """Delete one of our own posts or comments."""
        ...

    def fetch_interactions(
        self,
        targets: Sequence[Target],
        *,
        cursors: Mapping[str, str],
        keywords: Sequence[str] = (),
        now: datetime,
    ) -> CollectBatch:
        """Everything new since ``cursors`` on our publications, mentions of the account and keyword posts.

        ``targets`` come in publication order, oldest first (an adapter may skip the old ones quickly).
        """
        ...

    def fetch_metrics(self, remote_ids: Sequence[str], *, now: datetime) -> list[Metrics]:
        """Public counters (and poll totals) of many publications, batched as the API allows."""
        ...

    def fetch_profiles(self, author_ids: Sequence[str], *, now: datetime) -> list[AuthorProfile]:
        """Profile snapshots of many people, batched as the API allows."""
        ...

    def recent_own_posts(self, *, since: datetime) -> list[OwnPost]:
        """The account's own posts since ``since``, newest first (used to reconcile unconfirmed sends)."""
        ...


@dataclass
class _Window:
    limit: int | None
    remaining: int
    reset_at: float  # epoch seconds


class RateBudget:
    """Remaining calls per endpoint, read from response headers; parks work *before* the budget hits zero.

    ``reserve`` is how many calls per endpoint are kept back (so other jobs are not starved); a call
    is refused with ``RateLimited`` when the remaining budget is at or below it and the window has
    not reset yet.
    """

    def __init__(self, *, reserve: int = 1, clock: Callable[[], float] | None = None) -> None:
        import time

        self._reserve = reserve
        self._clock = clock or time.time
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def update(self, endpoint: str, *, limit: int | None, remaining: int | None, reset_at: float | None) -> None:
        if remaining is None or reset_at is None:
            return
        with self._lock:
            self._windows[endpoint] = _Window(limit=limit, remaining=int(remaining), reset_at=float(reset_at))

    def exhausted(self, endpoint: str, *, reset_at: float) -> None:
        """Record a 429: nothing left until ``reset_at``."""
        with self._lock:
            self._windows[endpoint] = _Window(limit=None, remaining=0, reset_at=float(reset_at))

    def check(self, endpoint: str) -> None:
        """Raise ``RateLimited`` if calling ``endpoint`` now would eat into the reserve."""
        with self._lock:
            window = self._windows.get(endpoint)
            if window is None:
                return
            now = self._clock()
            if now >= window.reset_at:
                del self._windows[endpoint]
                return
            if window.remaining <= self._reserve:
                raise RateLimited(f"rate-limit budget for {endpoint} is spent", retry_after=window.reset_at - now + 1)

    def snapshot(self) -> dict[str, tuple[int | None, int, float]]:
        """endpoint -> (limit, remaining, reset epoch), for `socialbot status`."""
        with self._lock:
            return {k: (w.limit, w.remaining, w.reset_at) for k, w in self._windows.items()}


class UsageMeter:
    """Counts API calls per endpoint; the app drains it after each job into the usage table.

    Adapters call ``count`` just before each request; an optional ``guard(endpoint, counted_so_far)``
    may raise ``RateLimited`` to stop a call that would overrun a daily budget.
    """

    def __init__(self) -> None:
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.guard: Callable[[str, Mapping[str, int]], None] | None = None

    def count(self, endpoint: str, n: int = 1) -> None:
        if self.guard is not None:
            self.guard(endpoint, self.peek())
        with self._lock:
            self._calls[endpoint] += n

    def drain(self) -> dict[str, int]:
        with self._lock:
            calls, self._calls = dict(self._calls), Counter()
        return calls

    def peek(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)
