"""Engagement arithmetic: the larger of collected and counted, the per-publication rate, the weighted overall rate."""

from __future__ import annotations

import pytest

from socialbot.domain.metrics import (
    ENGAGING_KINDS,
    NO_RATE,
    RATE_BY_IMPRESSIONS,
    Engagement,
    engagement,
    overall_rate,
)


def test_every_engaging_kind_is_present_even_when_nothing_was_seen():
    e = engagement({}, {})
    assert e.by_kind == {"reply": 0, "like": 0, "repost": 0, "quote": 0}
    assert tuple(e.by_kind) == ENGAGING_KINDS
    assert e.total == 0
    assert e.impressions is None
    assert e.rate is None


def test_the_platform_counter_wins_when_it_exceeds_what_we_could_list():
    # X lists at most 100 likers, but its like counter says 250
    e = engagement({"like": 100, "reply": 4}, {"likes": 250, "replies": 3})
    assert e.by_kind["like"] == 250
    assert e.by_kind["reply"] == 4  # we collected more replies than the counter shows yet
    assert e.total == 254


def test_replies_take_the_larger_of_the_replies_and_comments_counters():
    assert engagement({}, {"replies": 2, "comments": 7}).by_kind["reply"] == 7
    assert engagement({}, {"comments": 5}).by_kind["reply"] == 5  # Reddit reports comments
    assert engagement({}, {"replies": 6, "comments": None}).by_kind["reply"] == 6


def test_counters_reported_as_none_or_missing_fall_back_to_what_was_collected():
    e = engagement({"repost": 3, "quote": 1}, {"reposts": None, "likes": None})
    assert e.by_kind == {"reply": 0, "like": 0, "repost": 3, "quote": 1}


def test_float_counters_are_taken_as_whole_numbers():
    e = engagement({}, {"likes": 12.0, "quotes": 2.9, "impressions": 1000.0})
    assert e.by_kind["like"] == 12
    assert e.by_kind["quote"] == 2
    assert e.impressions == 1000
    assert isinstance(e.impressions, int)


def test_collected_kinds_that_are_not_engagements_are_ignored():
    e = engagement({"mention": 9, "like": 1}, {"bookmarks": 40})
    assert "mention" not in e.by_kind
    assert e.total == 1


def test_rate_is_engagements_over_impressions():
    e = engagement({"reply": 2}, {"likes": 18, "impressions": 400})
    assert e.total == 20
    assert e.rate == pytest.approx(0.05)


@pytest.mark.parametrize("impressions", [None, 0])
def test_no_rate_without_impressions(impressions):
    e = Engagement({"reply": 1, "like": 4, "repost": 0, "quote": 0}, impressions)
    assert e.total == 5
    assert e.rate is None  # no division by zero for a platform reporting 0 impressions


def test_overall_rate_is_weighted_by_impressions_not_an_average_of_rates():
    big = Engagement({"like": 10}, 1000)  # 1%
    small = Engagement({"like": 5}, 10)  # 50%
    rate, formula = overall_rate([big, small])
    assert rate == pytest.approx(15 / 1010)
    assert rate != pytest.approx((big.rate + small.rate) / 2)
    assert formula == RATE_BY_IMPRESSIONS


def test_overall_rate_leaves_out_publications_without_impressions():
    measured = Engagement({"like": 3, "reply": 1}, 200)
    unmeasured = Engagement({"like": 50}, None)
    zero = Engagement({"like": 7}, 0)
    rate, formula = overall_rate([measured, unmeasured, zero])
    assert rate == pytest.approx(4 / 200)
    assert formula == RATE_BY_IMPRESSIONS


@pytest.mark.parametrize(
    "items",
    [[], [Engagement({"like": 5}, None)], [Engagement({"like": 5}, None), Engagement({"reply": 1}, 0)]],
)
def test_overall_rate_without_any_impressions_names_the_fallback(items):
    assert overall_rate(items) == (None, NO_RATE)
    assert "engagements per publication" in NO_RATE
