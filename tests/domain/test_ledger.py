"""Ledger rules: reconciliation matching and the missed-post decision."""

from datetime import UTC, datetime, timedelta

from socialbot.domain.ledger import Decision, decide, same_post

DRAFT = "Winter tip #3: layer up before you head out. What is your cosiest trick? #CozyWinter"


def test_reconciliation_matches_our_text_as_the_platform_shows_it():
    assert same_post(DRAFT, DRAFT)
    assert same_post(DRAFT + " https://example.com/a", DRAFT + " https://t.co/abc")  # links are shortened
    assert same_post(DRAFT, DRAFT[:75] + "…")  # cut off, most of it kept


def test_a_short_post_of_ours_is_never_taken_for_a_longer_draft():
    for other in ("🔥", "W", "Win!", "Winter", "Thanks!", DRAFT[:30]):
        assert not same_post(DRAFT, other), other


def test_missed_policy_comes_before_parking():
    due = datetime(2026, 12, 1, 9, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert decide(due_at=due, not_before=None, catch_up_within=hour, now=due - timedelta(minutes=1)) == Decision.WAIT
    assert decide(due_at=due, not_before=None, catch_up_within=hour, now=due + timedelta(minutes=59)) == Decision.SEND
    assert (
        decide(due_at=due, not_before=due + 2 * hour, catch_up_within=hour, now=due + 61 * timedelta(minutes=1))
        == Decision.MISS
    )
    assert (
        decide(due_at=due, not_before=due + 0.5 * hour, catch_up_within=hour, now=due + timedelta(minutes=10))
        == Decision.WAIT
    )
