"""Test plumbing over the X stand-in: a virtual ``Clock`` and ``XHarness`` for ``PlatformContract``."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .server import XApiStandIn


class Clock:
    """Virtual epoch seconds shared by the stand-in, the adapter's budget and the test."""

    def __init__(self, start: float | None = None) -> None:
        self.t = float(int(start if start is not None else time.time()))

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class XHarness:
    """What ``PlatformContract`` needs, over the X stand-in."""

    def __init__(self, standin: XApiStandIn, clock: Clock, *, timeout: float = 5.0, reserve: int = 1) -> None:
        self.standin = standin
        self.clock = clock
        from socialbot.platforms.base import RateBudget, UsageMeter
        from socialbot.platforms.x import XPlatform

        self.platform = XPlatform(
            credentials=standin.credentials(),
            api_url=standin.base_url,
            upload_url=standin.upload_url,
            timeout=timeout,
            usage=UsageMeter(),
            budget=RateBudget(reserve=reserve, clock=clock),
            clock=clock,
        )

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def add_replies(self, remote_id: str, count: int) -> None:
        self.standin.reply_many(remote_id, count)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
