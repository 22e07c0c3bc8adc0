"""Polls on X end to end: the real CLI and tweepy against the local X API v2 stand-in on 127.0.0.1.

A native poll is created with its options, harvested at its close from ``includes.polls`` (voting_status
"closed"); a reply poll's votes are counted from the collected replies; each result is announced as a
reply to its poll, once.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlmodel import select

from socialbot.cli import main
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import PublicationRow
from tests.app import test_x_end_to_end as x_end_to_end
from tests.app.test_x_end_to_end import campaign_at

vclock, standin, x_env = x_end_to_end.vclock, x_end_to_end.standin, x_end_to_end.x_env  # its fixtures

CAMPAIGN = """
campaign:
  id: x-polls
  name: X polls
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [x]
polls:
  - id: colour
    question: "Which colour next?"
    options: [Forest green, Midnight blue, Rust]
    opens: "{at}"
    runs: 1h
    announce_results: "{{{{ poll.winner }}}} wins with {{{{ poll.winner_percent }}}}% of {{{{ poll.total }}}} votes"
  - id: size
    kind: reply
    question: "Which size should we add?"
    options: [XXS, 4XL, Tall]
    opens: "{at}"
    runs: 1h
    announce_results: "Reply poll results: {{{{ poll.results }}}}"
"""


def run_once(runner: CliRunner, vclock) -> None:
    result = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert result.exit_code == 0, result.output


def test_native_and_reply_polls_on_x_are_harvested_at_close_and_announced_once(standin, x_env, campaigns_dir, vclock):
    campaign_at(campaigns_dir, CAMPAIGN, vclock.now, "x.yaml")
    runner = CliRunner()
    run_once(runner, vclock)  # both polls go out
    engine = make_engine(x_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        pubs = {p.item_id: p.remote_id for p in s.exec(select(PublicationRow))}
    native, ballot = standin.tweets[pubs["colour"]], standin.tweets[pubs["size"]]
    assert standin.polls[native["poll_id"]]["options"] == ["Forest green", "Midnight blue", "Rust"]
    assert "poll_id" not in ballot and ballot["text"].endswith("Reply A, B or C to vote.")

    standin.vote(pubs["colour"], 1, votes=4)
    standin.vote(pubs["colour"], 2, votes=9)
    standin.vote(pubs["colour"], 3, votes=2)
    fans = [standin.add_user(f"voter{n}") for n in range(6)]
    vclock.advance(minutes=10)
    for fan, text in zip(fans, ["B", "4xl please", "Option C", "a", "b!", "love it"], strict=True):
        standin.reply(pubs["size"], fan, text)
    vclock.advance(minutes=10)
    standin.reply(pubs["size"], fans[3], "actually C")  # reads as no vote: fans[3] stays on A
    standin.reply(pubs["size"], fans[0], "Tall")  # a change of mind: fans[0] now votes C
    run_once(runner, vclock)  # a live count while open

    live = json.loads(runner.invoke(main, ["polls", "x-polls", "--format", "json"], obj={"clock": vclock}).stdout)
    states = {p["poll"]: p["state"] for p in live["polls"]}
    assert states == {"colour": "open", "size": "open"}

    vclock.advance(minutes=45)  # past both closes (1 h)
    standin.reply(pubs["size"], fans[5], "A")  # after the close: left out
    run_once(runner, vclock)  # final counts; the announcements are enqueued
    run_once(runner, vclock)  # ... and go out
    run_once(runner, vclock)  # nothing more

    listed = runner.invoke(main, ["polls", "x-polls", "--format", "json"], obj={"clock": vclock})
    assert listed.exit_code == 0, listed.output
    polls = {p["poll"]: p for p in json.loads(listed.stdout)["polls"]}
    assert [o["votes"] for o in polls["colour"]["options"]] == [4, 9, 2]
    assert polls["colour"]["final"] and polls["colour"]["winner"] == "Midnight blue"
    # A: fans[3] ("a"); B: fans[1] ("4xl please"), fans[4] ("b!"); C: fans[2] ("Option C"), fans[0] (B, then "Tall")
    assert [o["votes"] for o in polls["size"]["options"]] == [1, 2, 2]
    assert polls["size"]["left_out"] == {"replies": 9, "outside_window": 1, "unreadable": 2, "changed": 1}

    replies_to = {t["in_reply_to"]: t["text"] for t in standin.tweets.values() if t.get("in_reply_to") in pubs.values()}
    mine = {k: v for k, v in replies_to.items() if "wins with" in v or "Reply poll results" in v}
    assert mine == {
        pubs["colour"]: "Midnight blue wins with 60% of 15 votes",
        pubs["size"]: "Reply poll results: XXS 20% (1)\n4XL 40% (2)\nTall 40% (2)",
    }
