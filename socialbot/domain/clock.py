"""The one clock abstraction: a callable returning an aware UTC ``datetime``; the system's, or a virtual one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class VirtualClock:
    """Time that moves only when told to: the simulation's clock, and the tests'."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a virtual clock starts at an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a ``timedelta(**delta)`` (e.g. ``advance(hours=2)``); returns the new time."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (never backwards)."""
        self.now = max(self.now, when)
