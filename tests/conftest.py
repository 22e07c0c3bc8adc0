"""Shared fixtures: temporary databases and campaigns, a virtual clock, and daemons built on them."""

from __future__ import annotations

import socket
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialbot.domain.clock import VirtualClock
from socialbot.settings import Settings

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real-api"


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Tests talk to 127.0.0.1 only: any other address fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise AssertionError(f"test tried to reach {address}: only 127.0.0.1 is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    for var in list(__import__("os").environ):
        if var.startswith("SOCIALBOT_"):
            monkeypatch.delenv(var, raising=False)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def campaigns_dir(tmp_path: Path) -> Path:
    d = tmp_path / "campaigns"
    d.mkdir()
    return d


def write_campaign(directory: Path, body: str, name: str = "test.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path, campaigns_dir: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'test.db'}", campaigns_dir=campaigns_dir, _env_file=None)


def make_daemon(settings: Settings, clock: VirtualClock, *, failure_rate: float = 0.0):
    from socialbot.app import App
    from socialbot.run.daemon import Daemon

    if failure_rate:
        settings = settings.model_copy(update={"sandbox_failure_rate": failure_rate})
    app = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    return Daemon(settings, sandbox=True, app=app)
