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


def one_post_campaign(cid: str = "good", name: str = "Good") -> str:
    """The smallest valid campaign file: one sandbox post on 2026-12-02 09:00 UTC."""
    return f"""\
campaign:
  id: {cid}
  name: {name}
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [sandbox]
posts:
  - id: hello
    text: "Hello"
    schedule: {{at: "2026-12-02 09:00"}}
"""


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


# --- PostgreSQL beside SQLite: a throwaway cluster per test session (tests/pg.py) ---------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's throwaway PostgreSQL cluster; FAILS (never skips) with how to install it when it cannot start."""
    import importlib.util
    from contextlib import ExitStack

    from tests.pg import HOW_TO_INSTALL, PostgresUnavailable, cluster

    if importlib.util.find_spec("psycopg") is None:
        pytest.fail("the PostgreSQL tests need psycopg 3: `pip install -e '.[dev]'` (or `make test`)", pytrace=False)
    with ExitStack() as stack:
        try:
            found = stack.enter_context(cluster())
        except PostgresUnavailable as exc:
            problem = str(exc) if HOW_TO_INSTALL in str(exc) else f"{exc}\nIf it is not installed: {HOW_TO_INSTALL}"
        else:
            problem = None
        if problem is not None:
            pytest.fail(f"PostgreSQL could not be started for the tests: {problem}", pytrace=False)
        yield found


@pytest.fixture(scope="session")
def pg_url(pg_cluster) -> str:
    """A SQLAlchemy URL of one empty database in the session's cluster (Unix socket only), shared by the session."""
    return pg_cluster.url(pg_cluster.create_database("session"))


@pytest.fixture
def fresh_pg_url(pg_cluster):
    """A new empty PostgreSQL database for one test (CREATE DATABASE), dropped afterwards: no rows leak between tests."""
    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def _pg_head_template(pg_cluster) -> str:
    """A database migrated to head once per session; each test's PostgreSQL database is a copy of it."""
    from socialbot.storage.db import make_engine, upgrade

    name = pg_cluster.create_database("head")
    engine = make_engine(pg_cluster.url(name))
    upgrade(engine)
    engine.dispose()  # nobody may be connected to a template while it is copied
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path):
    """A fresh database migrated to head, once on SQLite and once on PostgreSQL."""
    from socialbot.storage.db import make_engine, upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'both.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database(template=request.getfixturevalue("_pg_head_template"))
    yield cluster.url(name)
    cluster.drop_database(name)
