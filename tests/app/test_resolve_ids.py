"""`socialbot resolve KEY --sent ID`: X ids are ASCII digits, Reddit ids fit the entry (t3_ post, t1_ reply), input cut."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from socialbot.app import App
from socialbot.cli import main
from socialbot.domain.ledger import ActionKind, Status
from socialbot.storage import ledger
from tests.conftest import write_campaign

CAMPAIGN = """
campaign:
  id: ids
  name: Ids
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [x, reddit]
posts:
  - id: story
    thread: ["Part one of the story", "Part two of the story"]
    reddit: {subreddit: socialbot_test, title: "A story"}
    schedule: {at: "2026-12-02 09:00"}
"""
X_POST = "ids/story/20261202T0900/x/0"
REDDIT_POST = "ids/story/20261202T0900/reddit/0"
REDDIT_PART = "ids/story/20261202T0900/reddit/1"


@pytest.fixture
def planned(settings, clock, campaigns_dir) -> dict[str, str]:
    """A database with planned X and Reddit entries (a post, a thread's second part, a reply); their keys."""
    write_campaign(campaigns_dir, CAMPAIGN)
    app = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    app.migrate()
    loaded = app.load()
    assert not loaded.problems, loaded.problems
    app.sync(loaded.campaigns, now=clock())
    reply = app.enqueue(
        ActionKind.REPLY, "t1_abc12", "Thanks!", clock(), "thanks/1", campaign_id="ids", platform="reddit"
    )
    app.close()
    return {"x": X_POST, "post": REDDIT_POST, "part": REDDIT_PART, "reply": reply.key}


def resolve(settings, key: str, sent: str):
    return CliRunner().invoke(main, ["resolve", key, "--sent", sent, "--db", settings.database_url])


def stored(settings, clock, key: str):
    app = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None)
    try:
        return ledger.get_entry(app.engine, key)
    finally:
        app.close()


@pytest.mark.parametrize(
    "bad",
    [
        "0",
        "00000",
        "0123",
        "１２３４５",
        "١٢٣٤٥",
        "１866000000000000000",
        "123456789012345678901",
        "12a",
        "-1",
        "9223372036854775808",  # 2**63: X ids are 63-bit
        "99999999999999999999",
    ],
)
def test_an_x_id_is_ascii_digits_not_starting_with_zero(settings, clock, planned, bad):
    result = resolve(settings, planned["x"], bad)
    assert result.exit_code == 2, result.output
    assert f"'{bad}' is not an X id" in result.output and "not starting with 0" in result.output
    assert stored(settings, clock, planned["x"]).status == Status.PLANNED


@pytest.mark.parametrize("good", ["1", "1866000000000000000", "9223372036854775807"])
def test_an_x_id_of_ascii_digits_is_recorded(settings, clock, planned, good):
    result = resolve(settings, planned["x"], good)
    assert result.exit_code == 0, result.output
    entry = stored(settings, clock, planned["x"])
    assert entry.status == Status.SENT and entry.remote_id == good


def test_a_reddit_post_takes_a_submission_id_and_refuses_a_comment_id(settings, clock, planned):
    refused = resolve(settings, planned["post"], "t1_kx0abcd")
    assert refused.exit_code == 2, refused.output
    assert "a post's id is a t3_ submission id" in refused.output and planned["post"] in refused.output
    assert stored(settings, clock, planned["post"]).status == Status.PLANNED
    done = resolve(settings, planned["post"], "1abcd2x")
    assert done.exit_code == 0, done.output
    assert stored(settings, clock, planned["post"]).remote_id == "t3_1abcd2x"


@pytest.mark.parametrize("which", ["part", "reply"])
def test_a_reddit_reply_or_later_part_takes_a_comment_id_and_refuses_a_submission_id(settings, clock, planned, which):
    key = planned[which]
    refused = resolve(settings, key, "t3_1abcd2x")
    assert refused.exit_code == 2, refused.output
    assert "t1_ comment id" in refused.output and key in refused.output
    assert stored(settings, clock, key).status == Status.PLANNED
    done = resolve(settings, key, "kx0abcd" if which == "part" else "t1_kx0abcd")
    assert done.exit_code == 0, done.output
    assert stored(settings, clock, key).remote_id == "t1_kx0abcd"


@pytest.mark.parametrize(
    "bad", ["１abcd2x", "t3_１abcd2x", "t3_ǆabc", "t3_\u212aabc", "T3_1ABCD2X", "t2_1abcd2x", "t3_", "0", "t3_00000"]
)
def test_a_reddit_id_is_ascii_base36(settings, clock, planned, bad):
    result = resolve(settings, planned["post"], bad)
    assert result.exit_code == 2, result.output
    assert "is not a Reddit id" in result.output and "base-36" in result.output
    assert stored(settings, clock, planned["post"]).status == Status.PLANNED


def test_a_huge_key_or_id_is_echoed_cut_short(settings, planned):
    unknown = CliRunner().invoke(main, ["resolve", "k" * 100_000, "--drop", "--db", settings.database_url])
    assert unknown.exit_code == 2, unknown.output[:300]
    assert "no ledger entry '" + "k" * 99 + "…'" in unknown.output and len(unknown.output) < 400
    refused = resolve(settings, planned["x"], "9" * 100_000)
    assert refused.exit_code == 2, refused.output[:300]
    assert "'" + "9" * 99 + "…' is not an X id" in refused.output and len(refused.output) < 400
