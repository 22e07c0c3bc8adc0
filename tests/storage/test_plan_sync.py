"""Campaign sync: many campaigns in one transaction; a plan already recorded is not re-planned, and
anything that changes the rows without recording a plan (a retirement, ``sync_ledger``) forgets it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from socialbot.domain.ledger import plan_digest
from socialbot.spec.loader import load_file
from socialbot.storage import campaigns as campaigns_module
from socialbot.storage.campaigns import CampaignHeader, deactivate_campaigns, sync_campaigns
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.ledger import sync_ledger
from socialbot.storage.models import CampaignRow, LedgerRow
from tests.conftest import write_campaign

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = """
campaign:
  id: {id}
  name: Campaign {id}
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-05
  platforms: [sandbox]
posts:
  - id: daily
    text: "{text}"
    schedule: {{every: 1d, starting: "2026-12-01 09:00"}}
"""


@pytest.fixture
def engine(database_url):
    """A migrated database, once SQLite and once PostgreSQL."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def planned(monkeypatch) -> list[list[str]]:
    """The campaign ids each sync_campaigns call re-planned."""
    calls: list[list[str]] = []
    real = campaigns_module.sync_schedule_rows

    def recording(conn, plans, **kwargs):
        calls.append(sorted(plans))
        return real(conn, plans, **kwargs)

    monkeypatch.setattr(campaigns_module, "sync_schedule_rows", recording)
    return calls


def plan(tmp_path, cid: str, text: str = "Hello"):
    path = write_campaign(tmp_path, CAMPAIGN.format(id=cid, text=text), name=f"{cid}.yaml")
    campaign, problems = load_file(path)
    assert campaign is not None and problems == []
    header = CampaignHeader(
        id=cid,
        name=f"Campaign {cid}",
        timezone="UTC",
        file_path=str(path),
        digest=campaign.digest,
        starts_at=NOW,
        ends_at=NOW,
        platforms=("sandbox",),
    )
    return header, campaign.compiled.actions


def statuses(engine, cid: str) -> set[str]:
    with session_scope(engine) as s:
        return {r.status for r in s.exec(select(LedgerRow).where(LedgerRow.campaign_id == cid))}


def test_many_campaigns_are_recorded_and_planned_in_one_call(engine, tmp_path, planned):
    summaries = sync_campaigns(engine, [plan(tmp_path, "a"), plan(tmp_path, "b")], now=NOW)
    assert {cid: s.created for cid, s in summaries.items()} == {"a": 5, "b": 5}
    assert planned == [["a", "b"]]
    with session_scope(engine) as s:
        rows = {r.id: r for r in s.exec(select(CampaignRow))}
    assert rows["a"].active and rows["a"].plan_digest == plan_digest(plan(tmp_path, "a")[1])


def test_a_plan_already_recorded_is_not_planned_again_and_a_changed_one_is(engine, tmp_path, planned):
    sync_campaigns(engine, [plan(tmp_path, "a"), plan(tmp_path, "b")], now=NOW)
    again = sync_campaigns(engine, [plan(tmp_path, "a"), plan(tmp_path, "b", text="Changed")], now=NOW)
    assert planned[-1] == ["b"]
    assert str(again["a"]) == "0 new, 0 changed, 0 cancelled, 5 unchanged"
    assert again["b"].updated == 5


def test_a_retired_campaign_forgets_its_plan_and_is_planned_again_when_it_returns(engine, tmp_path, planned):
    sync_campaigns(engine, [plan(tmp_path, "a")], now=NOW)
    assert deactivate_campaigns(engine, keep=[], now=NOW) == ["a"]
    assert statuses(engine, "a") == {"cancelled"}
    back = sync_campaigns(engine, [plan(tmp_path, "a")], now=NOW)
    assert planned[-1] == ["a"]
    assert back["a"].updated == 5
    assert statuses(engine, "a") == {"planned"}


def test_sync_ledger_alone_forgets_the_recorded_plan(engine, tmp_path, planned):
    header, actions = plan(tmp_path, "a")
    sync_campaigns(engine, [(header, actions)], now=NOW)
    sync_ledger(engine, "a", actions[:2], now=NOW)  # three occurrences cancelled outside sync_campaigns
    with session_scope(engine) as s:
        assert s.get(CampaignRow, "a").plan_digest is None
    sync_campaigns(engine, [(header, actions)], now=NOW)
    assert planned[-1] == ["a"]
    assert statuses(engine, "a") == {"planned"}
