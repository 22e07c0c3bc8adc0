"""The queries `status` makes once for every campaign give what the per-campaign ones give, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from socialbot.domain.ledger import Status
from socialbot.spec.loader import load_file
from socialbot.storage.campaigns import CampaignHeader, sync_campaigns
from socialbot.storage.db import make_engine
from socialbot.storage.ledger import entries_with_status, entry_states, upcoming, upcoming_by_campaign
from socialbot.storage.models import LedgerRow, table_of
from tests.conftest import write_campaign

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = """
campaign:
  id: {id}
  name: Campaign {id}
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-{end:02d}
  platforms: [sandbox]
posts:
  - id: daily
    text: "Day {{{{ occurrence }}}} of {id}"
    schedule: {{every: 1d, starting: "2026-12-01 09:00"}}
  - id: thread
    thread: ["One of {id}", "Two of {id}"]
    schedule: {{at: "2026-12-01 09:00"}}
"""


@pytest.fixture
def engine(database_url, tmp_path):
    engine = make_engine(database_url)
    plans = []
    for cid, end in (("a", 9), ("b", 2), ("c", 1)):
        campaign, problems = load_file(write_campaign(tmp_path, CAMPAIGN.format(id=cid, end=end), name=f"{cid}.yaml"))
        assert campaign is not None and problems == []
        header = CampaignHeader(cid, cid, "UTC", str(campaign.file), campaign.digest, NOW, NOW, platforms=("sandbox",))
        plans.append((header, campaign.compiled.actions))
    sync_campaigns(engine, plans, now=NOW)
    yield engine
    engine.dispose()


def test_the_next_entries_of_every_campaign_are_each_campaigns_own(engine):
    table = table_of(LedgerRow)
    with engine.begin() as conn:  # campaign c has nothing planned any more
        conn.execute(update(table).where(table.c.campaign_id == "c").values(status=Status.SENT.value))
    every = upcoming_by_campaign(engine, limit=4)
    assert set(every) == {"a", "b"}
    for cid in ("a", "b"):  # the first three share 09:00 on the first day: in key order
        assert [u.key for u in every[cid]] == [
            f"{cid}/daily/20261201T0900/sandbox/0",
            f"{cid}/thread/20261201T0900/sandbox/0",
            f"{cid}/thread/20261201T0900/sandbox/1",
            f"{cid}/daily/20261202T0900/sandbox/0",
        ]
        assert set(every[cid]) <= set(upcoming(engine, campaign_id=cid, limit=10))
    only_b = upcoming_by_campaign(engine, campaign_ids=["b"], limit=2)
    assert {cid: [u.key for u in us] for cid, us in only_b.items()} == {
        "b": ["b/daily/20261201T0900/sandbox/0", "b/thread/20261201T0900/sandbox/0"]
    }


def test_parked_entries_are_those_waiting_past_now(engine):
    table = table_of(LedgerRow)
    keys = [e.key for e in entries_with_status(engine, [Status.PLANNED], campaign_ids=["a"])]
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.key == keys[0]).values(not_before=NOW + timedelta(hours=1)))
        conn.execute(update(table).where(table.c.key == keys[1]).values(not_before=NOW - timedelta(hours=1)))
    parked = entry_states(engine, [Status.PLANNED], parked_after=NOW)
    assert [(e.key, e.not_before) for e in parked] == [(keys[0], NOW + timedelta(hours=1))]
    assert entry_states(engine, [Status.PLANNED], campaign_ids=["b"], parked_after=NOW) == []
