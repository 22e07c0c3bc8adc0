"""Reply polls: how a reply reads as a vote, and the counting rule (one per account, the last within the window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialbot.domain.polls import (
    Options,
    Reply,
    ballot,
    ballot_options,
    count_reply_votes,
    read_vote,
    results,
)

OPTIONS = ("Hot chocolate ☕", "Chai latte", "Mulled cider 🍎")
OPENS = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=1)


@pytest.mark.parametrize(
    ("reply", "vote"),
    [
        ("B", 1),
        ("b!", 1),
        ("@brand b", 1),  # an X reply opens with the handle it answers
        ("2", 1),
        ("2️⃣", 1),
        ("🇧", 1),
        ("🅱️", 1),
        ("Option C", 2),
        ("I vote c", 2),
        ("c - cider", 2),
        ("a) hot chocolate", 0),
        ("chai latte please", 1),
        ("CHAI LATTE", 1),
        ("Chaï latté", 1),
        ("hot chocolat", 0),  # a small typo
        ("☕☕", 0),  # the option's own emoji
        ("🍎", 2),
        ("I want a hot chocolate", 0),  # "a" the article is not option A
        ("hot chocolate or chai latte?", None),  # two options named: neither
        ("A great idea", None),
        ("b, no wait, a", None),
        ("4", None),  # no fourth option
        ("nothing to see", None),
        ("", None),
        (None, None),
    ],
)
def test_a_reply_reads_as_the_vote_a_person_meant(reply: str | None, vote: int | None):
    assert read_vote(reply, Options.of(OPTIONS)) == vote


def test_an_emoji_two_options_share_names_neither():
    options = Options.of(["Tea ☕", "Coffee ☕", "Juice"])
    assert read_vote("☕", options) is None
    assert read_vote("Juice 🧃", options) == 2


def _reply(author: str, minutes: float, text: str) -> Reply:
    return Reply(author, OPENS + timedelta(minutes=minutes), text)


def test_the_last_vote_within_the_window_counts_once_per_person():
    replies = [
        _reply("ann", 5, "A"),
        _reply("ann", 50, "changed my mind: C"),  # reads as no vote ("my" "mind" …): the A stays
        _reply("bob", 10, "B"),
        _reply("bob", 90, "C"),  # bob's last vote: C
        _reply("cid", -1, "A"),  # before the opening
        _reply("dan", 24 * 60 + 1, "A"),  # after the close
        _reply("eve", 30, "lovely!"),  # not a vote
        _reply("eve", 40, "b"),
    ]
    tally = count_reply_votes(replies, OPTIONS, opens=OPENS, closes=CLOSES)
    assert tally.counts == (1, 1, 1)  # ann A, eve B, bob C
    assert (tally.replies, tally.outside_window, tally.unreadable, tally.changed) == (8, 2, 2, 1)


def test_a_vote_at_the_close_counts_and_one_after_it_does_not():
    at_close = count_reply_votes([_reply("ann", 24 * 60, "B")], OPTIONS, opens=OPENS, closes=CLOSES)
    after = count_reply_votes([_reply("ann", 24 * 60 + 0.01, "B")], OPTIONS, opens=OPENS, closes=CLOSES)
    assert at_close.counts == (0, 1, 0) and after.counts == (0, 0, 0)


votes = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bob", "cid", "dan"]), st.integers(-60, 25 * 60), st.sampled_from(["A", "B", "C", "hi"])
    ),
    max_size=30,
)


@given(votes)
def test_counting_gives_each_person_their_last_readable_vote_inside_the_window_whatever_the_order(rows):
    replies = [_reply(a, m, t) for a, m, t in rows]
    tally = count_reply_votes(replies, OPTIONS, opens=OPENS, closes=CLOSES)
    last: dict[str, tuple[int, str]] = {}
    for author, minutes, text in rows:
        if 0 <= minutes <= 24 * 60 and text != "hi":
            last[author] = max(last.get(author, (minutes, text)), (minutes, text))
    expected = [0, 0, 0]
    for _, text in last.values():
        expected["ABC".index(text)] += 1
    assert tally.counts == tuple(expected)
    assert count_reply_votes(list(reversed(replies)), OPTIONS, opens=OPENS, closes=CLOSES) == tally


def test_the_ballot_reads_back_as_its_options():
    text = ballot("Which drink?", OPTIONS)
    assert text.endswith("Reply A, B or C to vote.")
    assert "B) Chai latte" in text
    assert ballot_options(text) == OPTIONS
    assert ballot_options("Which drink? Reply below!") is None


def test_results_name_the_winner_a_tie_and_no_votes():
    assert results(OPTIONS, [1, 3, 0], final=True).winner == "Chai latte"
    assert results(OPTIONS, [2, 2, 0], final=True).winner == "Hot chocolate ☕ and Chai latte (tie)"
    empty = results(OPTIONS, [0, 0, 0], final=True)
    assert empty.winner == "no votes" and empty.variables()["winner_percent"] == 0
    shown = results(OPTIONS, [1, 3, 0], final=True).variables()
    assert shown["winner_percent"] == 75 and shown["total"] == 4
    assert shown["results"].splitlines()[1] == "Chai latte 75% (3)"
