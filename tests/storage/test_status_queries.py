"""The queries `status` makes once for every campaign give what the per-campaign ones give, on both databases,
and the same through the connection of its own `status` opens (the stdlib sqlite3 on a SQLite file)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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


@pytest.fixture
def busy(engine):
    """The three campaigns, plus a row in every other table `status` reads."""
    from sqlalchemy import insert

    from socialbot.storage.locks import DatabaseLock
    from socialbot.storage.models import CursorRow, PublicationRow
    from socialbot.storage.runs import record_job_run
    from socialbot.storage.sandbox_world import SandboxWorldStore
    from socialbot.storage.usage import record_usage

    DatabaseLock(engine, holder="host:1").acquire(now=NOW)
    record_usage(engine, campaign_id="a", platform="x", account="default", calls={"publish": 2}, day=NOW.date())
    record_usage(engine, campaign_id="a", platform="x", account="default", calls={"read": 1}, day=date(2026, 11, 30))
    record_job_run(
        engine,
        job_id="collect:a",
        campaign_id="a",
        platform="x",
        started_at=NOW,
        finished_at=NOW,
        outcome="parked",
        message="rate limited",
        parked_until=NOW + timedelta(hours=1),
    )
    record_job_run(
        engine,
        job_id="collect:b",
        campaign_id="b",
        platform="x",
        started_at=NOW,
        finished_at=NOW,
        outcome="parked",
        parked_until=NOW - timedelta(hours=1),
    )
    remote = SandboxWorldStore(engine, account="default").add(text="hi", reply_to=None, created_at=NOW, id_base=100)
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(CursorRow)),
            [
                {"campaign_id": "a", "platform": "sandbox", "stream": s, "value": "1", "updated_at": NOW - ago}
                for s, ago in (("replies", timedelta(0)), ("mentions", timedelta(hours=2)))
            ],
        )
        conn.execute(
            insert(table_of(PublicationRow)),
            [
                {
                    "ledger_key": "k",
                    "campaign_id": "a",
                    "item_id": "i",
                    "platform": "sandbox",
                    "remote_id": remote,
                    "published_at": NOW,
                }
            ],
        )
    return engine


def _every_read(db):
    from socialbot.storage import status_queries as q

    return {
        "campaigns": q.campaign_records(db),
        "one campaign": q.campaign_records(db, campaign_id="b"),
        "counts": q.status_counts(db),
        "counts of a": q.status_counts(db, campaign_id="a"),
        "upcoming": q.upcoming_by_campaign(db, limit=3),
        "problems": q.entry_states(db, [Status.FAILED, Status.MISSED], campaign_ids=["b", "c"]),
        "parked": q.entry_states(db, [Status.PLANNED], parked_after=NOW),
        "collections": q.last_collections(db),
        "lock": q.lock_holder(db),
        "usage today": q.usage_for(db, day=NOW.date()),
        "usage of a": q.usage_for(db, campaign_id="a"),
        "parked jobs": q.parked_jobs(db, now=NOW),
        "rehearsal": q.is_rehearsal(db),
    }


def test_status_reads_give_the_same_through_its_own_connection_as_through_the_engine(busy, database_url):
    """`status` reads through the stdlib sqlite3 on a SQLite file (SQLAlchemy elsewhere): same values, UTC times."""
    from socialbot.storage.reader import SQLiteReader, open_reader

    table = table_of(LedgerRow)
    key = next(iter(upcoming_by_campaign(busy, campaign_ids=["a"], limit=1)["a"])).key
    with busy.begin() as conn:
        conn.execute(update(table).where(table.c.key == key).values(not_before=NOW + timedelta(minutes=5)))
        conn.execute(
            update(table).where(table.c.campaign_id == "c").values(status=Status.FAILED.value, last_error="no")
        )
    through_engine = _every_read(busy)
    with open_reader(database_url) as reader:
        assert isinstance(reader, SQLiteReader) is database_url.startswith("sqlite")
        assert _every_read(reader) == through_engine
    read = through_engine
    assert [c.id for c in read["campaigns"]] == ["a", "b", "c"] and [c.id for c in read["one campaign"]] == ["b"]
    a = read["campaigns"][0]
    assert (a.starts_at, a.updated_at, a.active, a.platforms) == (NOW, NOW, True, ("sandbox",))
    assert a.starts_at.tzinfo is UTC and a.updated_at.tzinfo is UTC
    assert read["counts"]["c"] == {"failed": 3} and set(read["counts of a"]) == {"a"}
    assert {cid: len(us) for cid, us in read["upcoming"].items()} == {"a": 3, "b": 3}
    assert all(u.due_at.tzinfo is UTC for us in read["upcoming"].values() for u in us)
    assert {(e.campaign_id, e.status, e.last_error) for e in read["problems"]} == {("c", Status.FAILED, "no")}
    assert len(read["problems"]) == 3
    [parked] = read["parked"]
    assert (parked.key, parked.not_before) == (key, NOW + timedelta(minutes=5)) and parked.not_before.tzinfo is UTC
    assert read["collections"] == [("a", "sandbox", NOW)] and read["collections"][0][2].tzinfo is UTC
    assert read["lock"] is not None and (read["lock"].holder, read["lock"].heartbeat_at) == ("host:1", NOW)
    assert read["lock"].heartbeat_at.tzinfo is UTC
    assert [(u.day, u.endpoint, u.calls) for u in read["usage today"]] == [(NOW.date(), "publish", 2)]
    assert sorted(u.day for u in read["usage of a"]) == [date(2026, 11, 30), NOW.date()]
    [job] = read["parked jobs"]
    assert (job.job_id, job.parked_until, job.message) == ("collect:a", NOW + timedelta(hours=1), "rate limited")
    assert job.parked_until.tzinfo is UTC
    assert read["rehearsal"] is True  # its one publication is a sandbox post


def test_a_publication_that_is_no_sandbox_post_means_no_rehearsal(busy, database_url):
    from sqlalchemy import insert

    from socialbot.storage.models import PublicationRow
    from socialbot.storage.reader import open_reader
    from socialbot.storage.status_queries import is_rehearsal

    with busy.begin() as conn:
        conn.execute(
            insert(table_of(PublicationRow)),
            [
                {
                    "ledger_key": "k2",
                    "campaign_id": "a",
                    "item_id": "i",
                    "platform": "x",
                    "remote_id": "186",
                    "published_at": NOW,
                }
            ],
        )
    with open_reader(database_url) as reader:
        assert is_rehearsal(reader) is False
    assert is_rehearsal(busy) is False
