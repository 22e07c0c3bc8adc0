"""Polls end to end on the sandbox: counted while open, harvested at close (also after downtime), announced once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from socialbot.app.polls import harvest, poll_lines
from socialbot.cli import main
from socialbot.domain.ledger import ActionKind, Status
from socialbot.run.simulate import simulate
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow, PollSnapshotRow
from socialbot.storage.polls import snapshots
from tests.conftest import make_daemon, write_campaign

CAMPAIGN = """
campaign:
  id: drinks
  name: Drinks
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-06
  platforms: [sandbox]
polls:
  - id: native-vote
    question: "Tea or cocoa?"
    options: ["Tea", "Cocoa", "Cider"]
    opens: "2026-12-01 09:00"
    runs: 1d
    announce_results: "{{ poll.winner }} won with {{ poll.winner_percent }}% of {{ poll.total }} votes"
  - id: reply-vote
    kind: reply
    question: "Which colour?"
    options: ["Green", "Red", "White", "Blue", "Mustard"]
    opens: "2026-12-01 10:00"
    runs: 12h
    announce_results: "Results: {{ poll.results }}"
"""


def announcements(engine) -> list[LedgerRow]:
    with session_scope(engine) as s:
        return list(s.exec(select(LedgerRow).where(LedgerRow.kind == ActionKind.ANNOUNCEMENT.value)))


def test_a_rehearsal_counts_both_kinds_while_open_and_announces_each_result_once(tmp_path, settings, campaigns_dir):
    path = write_campaign(campaigns_dir, CAMPAIGN)
    config = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'sim.db'}"})
    app, result = simulate(config, [path])
    try:
        lines = {line.poll_id: line for line in poll_lines(app.engine, "drinks", now=result.ended)}
        native, reply = lines["native-vote"], lines["reply-vote"]
        assert native.state == reply.state == "closed" and native.results.final and reply.results.final
        assert native.results.total > 50 and reply.results.total > 50  # the crowd votes in both
        assert reply.detail and reply.detail["unreadable"] > 0 and reply.detail["changed"] > 0
        series = [s for s in snapshots(app.engine, campaign_id="drinks") if s.poll_id == "native-vote"]
        assert len(series) >= 40  # every 30 minutes for a day, then the final count
        assert [s.total for s in series] == sorted(s.total for s in series)  # votes only add up
        sent = announcements(app.engine)
        assert sorted(r.status for r in sent) == [Status.SENT, Status.SENT]
        by_target = {r.reply_to: r for r in sent}
        assert set(by_target) == {native.remote_id, reply.remote_id}  # each a reply to its poll
        assert f"{native.results.winner} won with" in by_target[native.remote_id].draft
    finally:
        app.close()


def test_a_poll_that_closed_while_the_daemon_was_down_is_harvested_when_it_returns(settings, clock, campaigns_dir):
    write_campaign(campaigns_dir, CAMPAIGN)
    daemon = make_daemon(settings, clock)
    daemon.start()
    for hour in (9, 10):  # the polls go out at 09:00 and 10:00
        clock.set(clock.now.replace(hour=hour, minute=0, second=30))
        daemon.run_once()
    app = daemon.app
    assert {line.state for line in poll_lines(app.engine, "drinks", now=clock.now)} == {"open"}
    clock.set(clock.now + timedelta(days=2))  # down through both closes
    assert harvest(app, "drinks", now=clock.now) is None  # nothing left to look at: both harvested
    lines = {line.poll_id: line for line in poll_lines(app.engine, "drinks", now=clock.now)}
    assert lines["native-vote"].results.final and lines["reply-vote"].results.final
    assert lines["reply-vote"].results.total > 0  # the final count collected the replies first
    with session_scope(app.engine) as s:
        finals = s.exec(select(PollSnapshotRow).where(PollSnapshotRow.final)).all()
    assert len(finals) == 2
    native_final = next(f for f in finals if f.poll_id == "native-vote")
    # counted as of the close, not as of now: the sandbox's crowd stops voting at the close
    assert native_final.total == lines["native-vote"].results.total
    harvest(app, "drinks", now=clock.now + timedelta(hours=1))  # again: nothing new is stored or enqueued
    assert len(announcements(app.engine)) == 2
    daemon.close()


def test_the_demo_report_shows_its_polls_results(tmp_path, settings):
    repo = Path(__file__).resolve().parents[2]
    db = tmp_path / "demo.db"
    runner = CliRunner()
    sim = runner.invoke(main, ["simulate", str(repo / "campaigns" / "demo.yaml"), "--days", "14", "--db", str(db)])
    assert sim.exit_code == 0, sim.output
    assert "Polls" in sim.stdout and "drink-vote on sandbox (native poll, closed)" in sim.stdout
    listed = runner.invoke(main, ["polls", "demo-winter-launch", "--db", str(db), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    polls = {p["poll"]: p for p in json.loads(listed.stdout)["polls"]}
    assert set(polls) == {"drink-vote", "colour-vote"}
    assert all(p["final"] and p["total_votes"] > 0 and p["winner"] for p in polls.values())
    assert polls["colour-vote"]["left_out"]["replies"] >= polls["colour-vote"]["total_votes"]
