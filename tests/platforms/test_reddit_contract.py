"""The shared platform contract, run against the Reddit adapter talking to the local Reddit stand-in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fakes.reddit_api import RedditApiStandIn, platform_for
from tests.platforms.contract import PlatformContract


class _Harness:
    def __init__(self, standin: RedditApiStandIn) -> None:
        self.standin = standin
        self.platform = platform_for(standin)
        self._people = 0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def add_replies(self, remote_id: str, count: int) -> None:
        for _ in range(count):
            self._people += 1
            self.standin.comment(remote_id, f"person{self._people}", f"reply number {self._people}")

    def advance(self, seconds: float) -> None:
        return None  # the stand-in runs on real time


@pytest.fixture
def harness():
    standin = RedditApiStandIn()
    try:
        yield _Harness(standin)
    finally:
        standin.stop()


class TestRedditContract(PlatformContract):
    pass
