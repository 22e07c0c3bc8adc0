"""Rescans parse only the campaign files whose bytes changed, and sync only the campaigns that changed.

Ids are still checked across every file, an invalid edit keeps the last valid version running, a
deleted file retires its campaign, and a restart with no file changed re-plans nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import select

from socialbot.spec import loader
from socialbot.storage.db import session_scope
from socialbot.storage.models import CampaignRow, LedgerRow
from tests.conftest import make_daemon, write_campaign

CAMPAIGN = """
campaign:
  id: {id}
  name: Campaign {id}
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-10
  platforms: [sandbox]
posts:
  - id: daily
    text: "{text} from {id}"
    schedule:
      every: 1d
      starting: "2026-12-02 09:00"
"""


def campaign(directory: Path, name: str, *, cid: str | None = None, text: str = "Hello") -> Path:
    return write_campaign(directory, CAMPAIGN.format(id=cid or name, text=text), name=f"{name}.yaml")


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files the loader parses, in order."""
    names: list[str] = []
    real = loader.load_file

    def counting(file, **kwargs):
        names.append(Path(file).name)
        return real(file, **kwargs)

    monkeypatch.setattr(loader, "load_file", counting)
    return names


@pytest.fixture
def daemon(settings, clock, campaigns_dir, parsed):
    for name in ("alpha", "beta", "gamma"):
        campaign(campaigns_dir, name)
    d = make_daemon(settings, clock)
    d.start()
    assert sorted(parsed) == ["alpha.yaml", "beta.yaml", "gamma.yaml"]
    parsed.clear()
    yield d
    d.close()


def planned_texts(daemon, cid: str) -> set[str]:
    with session_scope(daemon.app.engine) as s:
        rows = s.exec(select(LedgerRow).where(LedgerRow.campaign_id == cid, LedgerRow.status == "planned"))
        return {r.draft for r in rows}


def test_editing_one_file_parses_only_that_file_and_syncs_only_its_campaign(daemon, campaigns_dir, clock, parsed):
    kept = {cid: daemon.app.campaigns[cid] for cid in ("alpha", "gamma")}
    campaign(campaigns_dir, "beta", text="Changed")
    changed = daemon.load_and_sync(now=clock.now)
    assert parsed == ["beta.yaml"]
    assert changed == ["beta"]
    assert all(daemon.app.campaigns[cid] is c for cid, c in kept.items())  # the compiled campaigns are reused
    assert all("Changed from beta" in t for t in planned_texts(daemon, "beta"))


def test_a_rescan_with_nothing_changed_reads_nothing(daemon, clock, parsed):
    assert daemon.load_and_sync(now=clock.now) == []
    assert parsed == []


def test_a_file_touched_but_not_changed_is_not_parsed_again(daemon, campaigns_dir, clock, parsed):
    path = campaigns_dir / "alpha.yaml"
    path.write_bytes(path.read_bytes())  # same bytes, a new modification time
    campaign(campaigns_dir, "delta")
    assert daemon.load_and_sync(now=clock.now) == ["delta"]
    assert parsed == ["delta.yaml"]


def test_an_edit_that_takes_another_files_id_is_still_reported(daemon, campaigns_dir, clock, parsed, caplog):
    campaign(campaigns_dir, "alpha", cid="beta")  # alpha.yaml now claims beta's id; beta.yaml is not parsed again
    with caplog.at_level(logging.ERROR, logger="socialbot.app.rescan"):
        daemon.load_and_sync(now=clock.now)
    assert parsed == ["alpha.yaml"]
    assert "campaign id 'beta' is already used by" in caplog.text
    assert daemon.watcher.invalid_files == 1
    # the running file keeps its id (not the file that sorts first), and alpha runs on as it was
    assert daemon.app.campaigns["beta"].file.name == "beta.yaml"
    assert daemon.app.campaigns["alpha"].file.name == "alpha.yaml"
    assert "alpha.yaml" in caplog.text.split("campaign id 'beta' is already used by")[0].splitlines()[-1]


def test_a_duplicate_id_in_the_edited_file_keeps_its_last_valid_version(daemon, campaigns_dir, clock, parsed, caplog):
    campaign(campaigns_dir, "gamma", cid="alpha")  # sorted after alpha.yaml: gamma.yaml is the duplicate
    with caplog.at_level(logging.ERROR, logger="socialbot.app.rescan"):
        daemon.load_and_sync(now=clock.now)
    assert parsed == ["gamma.yaml"]
    assert "campaign id 'alpha' is already used by" in caplog.text
    assert {"alpha", "gamma"} <= set(daemon.app.campaigns)  # gamma runs on as it was
    assert all("Hello from gamma" in t for t in planned_texts(daemon, "gamma"))
    campaign(campaigns_dir, "gamma", text="Fixed")
    assert daemon.load_and_sync(now=clock.now) == ["gamma"]
    assert all("Fixed from gamma" in t for t in planned_texts(daemon, "gamma"))


def test_an_invalid_edit_keeps_the_last_valid_version_and_is_checked_again(daemon, campaigns_dir, clock, parsed):
    path = campaign(campaigns_dir, "beta", text="Broken")
    path.write_text(path.read_text().replace("timezone: UTC", "timezone: Mars/Olympus"))
    assert daemon.load_and_sync(now=clock.now) == []
    assert "beta" in daemon.app.campaigns
    assert all("Hello from beta" in t for t in planned_texts(daemon, "beta"))
    campaign(campaigns_dir, "delta")  # another change: the invalid file is parsed again, the valid ones are not
    parsed.clear()
    assert daemon.load_and_sync(now=clock.now) == ["delta"]
    assert sorted(parsed) == ["beta.yaml", "delta.yaml"]
    campaign(campaigns_dir, "beta", text="Repaired")
    assert daemon.load_and_sync(now=clock.now) == ["beta"]
    assert all("Repaired from beta" in t for t in planned_texts(daemon, "beta"))


def test_a_deleted_file_retires_its_campaign_and_a_new_one_with_those_bytes_is_parsed(
    daemon, campaigns_dir, clock, parsed
):
    (campaigns_dir / "gamma.yaml").unlink()
    daemon.load_and_sync(now=clock.now)
    assert "gamma" not in daemon.app.campaigns
    assert parsed == []
    assert planned_texts(daemon, "gamma") == set()  # its planned posts are cancelled
    campaign(campaigns_dir, "gamma")  # back, with the very same bytes
    assert daemon.load_and_sync(now=clock.now) == ["gamma"]
    assert parsed == ["gamma.yaml"]
    assert all("Hello from gamma" in t for t in planned_texts(daemon, "gamma"))  # planned again


def test_a_restart_with_no_file_changed_re_plans_nothing(settings, clock, campaigns_dir, caplog):
    for name in ("alpha", "beta"):
        campaign(campaigns_dir, name)
    first = make_daemon(settings, clock)
    first.start()
    first.close()
    with session_scope(first.app.engine) as s:
        digests = {r.id: r.plan_digest for r in s.exec(select(CampaignRow))}
    assert all(digests.values())
    restarted = make_daemon(settings, clock)
    with caplog.at_level(logging.INFO, logger="socialbot.app.rescan"):
        restarted.start()
    assert set(restarted.app.campaigns) == {"alpha", "beta"}  # running, with their jobs
    assert "campaign alpha synced: 0 new, 0 changed, 0 cancelled, 9 unchanged" in caplog.text
    restarted.close()
