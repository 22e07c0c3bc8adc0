"""The general ledger: reactive actions survive rescans and edits, go out exactly once; schedule rows still prune."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from socialbot.domain.ledger import ActionKind, Origin, Status
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow, SandboxPostRow
from tests.conftest import make_daemon, write_campaign

CAMPAIGN = """
campaign:
  id: shop
  name: Shop
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-04
  platforms: [sandbox]
  defaults:
    catch_up_within: 1h
posts:
  - id: hello
    text: "Hello, shoppers"
    schedule: {{at: "2026-12-01 08:00"}}
  - id: later
    text: "{later}"
    schedule: {{at: "2026-12-03 12:00"}}
"""


def ledger_rows(engine) -> dict[str, LedgerRow]:
    with session_scope(engine) as s:
        return {r.key: r for r in s.exec(select(LedgerRow))}


def test_a_reactive_action_survives_rescans_and_edits_and_goes_out_exactly_once(settings, clock, campaigns_dir):
    path = write_campaign(campaigns_dir, CAMPAIGN.format(later="See you on Thursday"), name="shop.yaml")
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()  # "hello" goes out at 08:00
    hello = ledger_rows(daemon.app.engine)["shop/hello/20261201T0800/sandbox/0"]
    assert hello.status == Status.SENT
    answer = daemon.app.enqueue(
        ActionKind.ANSWER,
        hello.remote_id,
        "Thanks for asking: we ship everywhere.",
        clock.now + timedelta(minutes=30),
        "answer/q-1",
        campaign_id="shop",
        platform="sandbox",
    )
    assert answer.created
    again = daemon.app.enqueue(
        ActionKind.ANSWER,
        hello.remote_id,
        "A different text",
        clock.now,
        "answer/q-1",
        campaign_id="shop",
        platform="sandbox",
    )
    assert not again.created and again.key == answer.key  # idempotent by key: nothing changed
    for n in range(5):  # rescans, with the campaign file edited each time and the "later" post finally removed
        text = CAMPAIGN.format(later=f"See you on Thursday, edit {n}")
        if n == 4:
            text = text.split("  - id: later")[0]
        path.write_text(text.lstrip(), encoding="utf-8")
        clock.advance(minutes=1)
        daemon.load_and_sync(now=clock.now)
    rows = ledger_rows(daemon.app.engine)
    reactive = rows[answer.key]
    assert (reactive.origin, reactive.kind, reactive.status) == (Origin.REACTIVE, ActionKind.ANSWER, Status.PLANNED)
    assert reactive.reply_to == hello.remote_id
    assert rows["shop/later/20261203T1200/sandbox/0"].status == Status.CANCELLED  # removed from the file: pruned
    clock.advance(minutes=30)
    first = daemon.run_once()
    second = daemon.run_once()
    daemon.close()
    assert (first["sent"], second["sent"]) == (1, 0)
    rows = ledger_rows(daemon.app.engine)
    assert rows[answer.key].status == Status.SENT
    with session_scope(daemon.app.engine) as s:
        replies = [p for p in s.exec(select(SandboxPostRow)) if p.reply_to == hello.remote_id]
    assert [(p.text, p.remote_id) for p in replies] == [
        ("Thanks for asking: we ship everywhere.", rows[answer.key].remote_id)
    ]


def test_a_reactive_action_past_its_catch_up_window_is_missed_not_sent_late(settings, clock, campaigns_dir):
    write_campaign(campaigns_dir, CAMPAIGN.format(later="Thursday"), name="shop.yaml")
    daemon = make_daemon(settings, clock)
    daemon.start()
    entry = daemon.app.enqueue(
        ActionKind.ANNOUNCEMENT,
        None,
        "Winners announced!",
        clock.now,
        "announce/contest-1",
        campaign_id="shop",
        platform="sandbox",
        catch_up_within=timedelta(minutes=10),
    )
    clock.advance(hours=2)
    totals = daemon.run_once()
    daemon.close()
    assert totals["sent"] == 0 and totals["missed"] == 2  # the announcement, and "hello" (also 2 h late)
    assert ledger_rows(daemon.app.engine)[entry.key].status == Status.MISSED


def test_thread_parts_record_their_parent_and_kind(settings, clock, campaigns_dir):
    write_campaign(
        campaigns_dir,
        CAMPAIGN.format(later="x").replace('    text: "Hello, shoppers"', '    thread: ["One", "Two", "Three"]'),
        name="shop.yaml",
    )
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.close()
    rows = ledger_rows(daemon.app.engine)
    parts = [rows[f"shop/hello/20261201T0800/sandbox/{i}"] for i in range(3)]
    assert [p.kind for p in parts] == ["post", "thread_part", "thread_part"]
    assert [p.parent_key for p in parts] == [None, parts[0].key, parts[1].key]
    assert {p.origin for p in parts} == {"schedule"}
