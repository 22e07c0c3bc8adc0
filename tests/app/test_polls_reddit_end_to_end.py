"""Polls on Reddit end to end: the real CLI and praw against the local Reddit stand-in on 127.0.0.1.

A native poll post is submitted with its options, harvested after its close from ``poll_data``; a reply
poll's votes are counted from the top-level comments; each result is announced as a comment under its
poll, once.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlmodel import select

from socialbot.cli import main
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import PublicationRow
from tests.app import test_reddit_end_to_end as reddit_end_to_end
from tests.conftest import write_campaign

vclock, standin, reddit_env = reddit_end_to_end.vclock, reddit_end_to_end.standin, reddit_end_to_end.reddit_env

CAMPAIGN = """
campaign:
  id: reddit-polls
  name: Reddit polls
  timezone: UTC
  starts: 2026-11-30
  ends: 2026-12-05
  platforms: [reddit]
polls:
  - id: colour
    question: "Which colour should come next?"
    options: [Forest green, Midnight blue, Rust]
    opens: "2026-12-01 09:00"
    runs: 1d
    reddit: {subreddit: socialbot_test, title: "Vote: the next colour"}
    announce_results: "{{ poll.winner }} wins with {{ poll.winner_percent }}% of {{ poll.total }} votes"
  - id: size
    kind: reply
    question: "Which size should we add? Comment below."
    options: [XXS, 4XL, Tall, Petite, Wide, Long, Short]
    opens: "2026-12-01 09:00"
    runs: 1d
    reddit: {subreddit: socialbot_test}
    announce_results: "Reply poll results: {{ poll.winner }} ({{ poll.total }} votes)"
"""


def run_once(runner: CliRunner, vclock) -> None:
    result = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert result.exit_code == 0, result.output


def test_native_and_reply_polls_on_reddit_are_harvested_and_announced_under_the_poll(
    standin, reddit_env, campaigns_dir, vclock
):
    write_campaign(campaigns_dir, CAMPAIGN)
    runner = CliRunner()
    run_once(runner, vclock)  # 09:00: both polls go out
    engine = make_engine(reddit_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        pubs = {p.item_id: p.remote_id for p in s.exec(select(PublicationRow))}
    native, ballot = standin.thing(pubs["colour"]), standin.thing(pubs["size"])
    assert [o["text"] for o in native.poll["options"]] == ["Forest green", "Midnight blue", "Rust"]
    assert native.title == "Vote: the next colour"
    assert (
        ballot.poll is None and "G) Short" in ballot.text and ballot.title == "Which size should we add? Comment below."
    )

    standin.vote(pubs["colour"], "Rust", n=7)
    standin.vote(pubs["colour"], "Forest green", n=3)
    for n, text in enumerate(["petite", "E", "Option 6", "wide!", "7", "Wide please"]):
        standin.add_user(f"voter{n}")
        standin.comment(pubs["size"], f"voter{n}", text)
    first = standin.comment(pubs["size"], "voter0", "great idea")
    standin.comment(first, "voter1", "A")  # a reply to a comment, not a top-level vote
    vclock.advance(minutes=30)
    run_once(runner, vclock)

    vclock.advance(hours=24)  # past both closes
    run_once(runner, vclock)  # final counts; the announcements are enqueued
    run_once(runner, vclock)  # ... and go out
    run_once(runner, vclock)

    listed = runner.invoke(main, ["polls", "reddit-polls", "--format", "json"], obj={"clock": vclock})
    assert listed.exit_code == 0, listed.output
    polls = {p["poll"]: p for p in json.loads(listed.stdout)["polls"]}
    assert [o["votes"] for o in polls["colour"]["options"]] == [3, 0, 7]
    assert polls["colour"]["final"] and polls["colour"]["winner"] == "Rust"
    # Petite: voter0; Wide: voter1 ("E"), voter3, voter5; Long: voter2; Short: voter4; "great idea" is no vote
    assert [o["votes"] for o in polls["size"]["options"]] == [0, 0, 0, 1, 3, 1, 1]
    comments = [t for t in standin.thing_list() if t.author == standin.username and t.parent in pubs.values()]
    assert sorted((t.parent, t.text) for t in comments) == sorted(
        [(pubs["colour"], "Rust wins with 70% of 10 votes"), (pubs["size"], "Reply poll results: Wide (6 votes)")]
    )
