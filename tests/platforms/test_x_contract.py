"""The shared platform contract, run against the X adapter talking to the local X API stand-in."""

from __future__ import annotations

import pytest

from tests.fakes.x_api import Clock, XApiStandIn, XHarness
from tests.platforms.contract import PlatformContract


@pytest.fixture
def harness():
    clock = Clock()
    with XApiStandIn(clock=clock) as standin:
        yield XHarness(standin, clock)


class TestXContract(PlatformContract):
    pass
