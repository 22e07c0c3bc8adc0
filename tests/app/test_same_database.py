"""A rehearsal never writes into the live database, however its URL is spelt; a live run refuses a rehearsal's."""

from __future__ import annotations

import pytest

from socialbot.app import App
from socialbot.app.database import same_database
from socialbot.errors import ConfigError
from socialbot.run.daemon import Daemon
from tests.conftest import write_campaign

LIVE = "postgresql://bot@127.0.0.1:55433/live"


@pytest.mark.parametrize(
    "other",
    [
        "postgresql://bot@127.0.0.1:055433/live",  # a leading zero in the port
        "postgresql://bot@[::ffff:127.0.0.1]:55433/live",  # IPv4 mapped in IPv6
        "postgresql://bot@2130706433:55433/live",  # the address as one number
        "postgresql://other@127.1:55433/live",  # the short form, another user
        "postgresql://bot:pw@localhost:55433/live",
        "postgresql+psycopg://bot@[::1]:55433/live",
        "postgresql://bot@127.0.0.1:+55433/live",  # libpq reads +55433 as 55433
        "postgresql://bot@nohost.invalid:55433/live?hostaddr=127.0.0.1",  # hostaddr is where it connects
    ],
)
def test_other_spellings_of_the_live_database_are_the_live_database(other):
    assert same_database(LIVE, other)


@pytest.mark.parametrize(
    "other", ["postgresql://bot@10.0.0.1:55433/live", "postgresql://bot@127.0.0.1:55434/live", LIVE + "2"]
)
def test_another_server_port_or_database_is_another_database(other):
    assert not same_database(LIVE, other)


def _live_daemon_is_refused(settings, clock) -> None:
    live = Daemon(settings, app=App(settings, clock=clock))
    with pytest.raises(ConfigError, match="holds a sandbox rehearsal"):
        live.start()
    live.close()


def test_a_live_daemon_refuses_a_database_that_holds_a_rehearsal(settings, clock, campaigns_dir):
    from tests.conftest import one_post_campaign

    write_campaign(campaigns_dir, one_post_campaign())
    rehearsal = Daemon(settings, app=App(settings, sandbox=True, clock=clock))
    rehearsal.start()
    clock.now = clock.now.replace(day=2, hour=9, minute=1)
    assert rehearsal.run_once()["sent"] == 1  # a sandbox post is now recorded
    rehearsal.close()
    _live_daemon_is_refused(settings, clock)


def test_a_rehearsal_that_published_nothing_still_marks_its_database(settings, clock, campaigns_dir):
    """All its posts missed or planned, none sent: a live daemon must still refuse the database."""
    from tests.conftest import one_post_campaign

    write_campaign(campaigns_dir, one_post_campaign())
    rehearsal = Daemon(settings, app=App(settings, sandbox=True, clock=clock))
    rehearsal.start()  # nothing is due yet: no sandbox post at all
    rehearsal.close()
    _live_daemon_is_refused(settings, clock)


def test_a_rehearsal_refuses_a_database_a_live_daemon_used(settings, clock, campaigns_dir):
    from tests.conftest import one_post_campaign

    write_campaign(campaigns_dir, one_post_campaign())
    live = Daemon(settings, app=App(settings, clock=clock))
    live.start()
    live.close()
    rehearsal = Daemon(settings, app=App(settings, sandbox=True, clock=clock))
    with pytest.raises(ConfigError, match="used by a live daemon"):
        rehearsal.start()
    rehearsal.close()
