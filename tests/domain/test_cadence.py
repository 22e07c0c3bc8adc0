"""Collection cadence: 2 min in the first hour, 15 min in the first day, hourly after, nothing after the grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from socialbot.domain.cadence import collect_interval, metrics_due, metrics_wanted, metrics_wanted_ids
from socialbot.domain.values import Target

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 20, 23, 59, tzinfo=UTC)
GRACE = timedelta(days=7)
TICK = timedelta(microseconds=1)


def interval(*, age: timedelta | None, now: datetime = NOW, ends: datetime = ENDS, grace: timedelta = GRACE):
    newest = None if age is None else now - age
    return collect_interval(newest_publication=newest, now=now, campaign_ends=ends, grace=grace)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(0), timedelta(minutes=2)),
        (timedelta(minutes=59, seconds=59), timedelta(minutes=2)),
        (timedelta(hours=1) - TICK, timedelta(minutes=2)),
        (timedelta(hours=1), timedelta(minutes=15)),  # the step happens at exactly one hour
        (timedelta(hours=23, minutes=59), timedelta(minutes=15)),
        (timedelta(days=1) - TICK, timedelta(minutes=15)),
        (timedelta(days=1), timedelta(hours=1)),  # and at exactly one day
        (timedelta(days=30), timedelta(hours=1)),
    ],
)
def test_interval_grows_as_the_newest_publication_ages(age, expected):
    assert interval(age=age) == expected


def test_a_publication_stamped_slightly_in_the_future_counts_as_fresh():
    assert interval(age=-timedelta(seconds=5)) == timedelta(minutes=2)  # clock skew between us and the platform


def test_before_anything_is_published_collect_every_15_minutes():
    assert interval(age=None) == timedelta(minutes=15)


def test_collection_continues_through_the_grace_period_inclusive():
    at_the_limit = ENDS + GRACE
    assert interval(age=timedelta(days=8), now=at_the_limit) == timedelta(hours=1)
    assert interval(age=None, now=at_the_limit) == timedelta(minutes=15)
    assert interval(age=timedelta(minutes=1), now=ENDS + timedelta(hours=1)) == timedelta(minutes=2)


@pytest.mark.parametrize("age", [None, timedelta(0), timedelta(minutes=30), timedelta(hours=5), timedelta(days=9)])
def test_collection_is_over_just_after_the_campaign_end_plus_grace(age):
    assert interval(age=age, now=ENDS + GRACE + TICK) is None
    assert interval(age=age, now=ENDS + GRACE + timedelta(days=100)) is None


def test_without_grace_collection_stops_right_after_the_end():
    assert interval(age=timedelta(minutes=5), now=ENDS, grace=timedelta(0)) == timedelta(minutes=2)
    assert interval(age=timedelta(minutes=5), now=ENDS + TICK, grace=timedelta(0)) is None


def test_metrics_are_read_on_the_first_round():
    assert metrics_due(None, NOW) is True


@pytest.mark.parametrize(
    ("since_last", "due"),
    [
        (timedelta(0), False),
        (timedelta(minutes=29, seconds=59), False),
        (timedelta(minutes=30) - TICK, False),
        (timedelta(minutes=30), True),  # exactly 30 minutes later is due
        (timedelta(hours=3), True),
    ],
)
def test_metrics_are_read_every_30_minutes(since_last, due):
    assert metrics_due(NOW - since_last, NOW) is due


@pytest.mark.parametrize(
    ("age", "since_last", "wanted"),
    [
        (timedelta(hours=2), None, True),  # never read by this process
        (timedelta(hours=2), timedelta(minutes=30), True),  # fresh: every 30 minutes
        (timedelta(hours=23), timedelta(minutes=29), False),
        (timedelta(days=2), timedelta(minutes=30), False),  # its first week: every 3 hours
        (timedelta(days=2), timedelta(hours=3), True),
        (timedelta(days=6, hours=23), timedelta(hours=3) - TICK, False),
        (timedelta(days=8), timedelta(hours=3), False),  # older: twice a day
        (timedelta(days=8), timedelta(hours=12), True),
    ],
)
def test_counters_are_read_densely_while_fresh_and_sparsely_later(age, since_last, wanted):
    last = None if since_last is None else NOW - since_last
    assert metrics_wanted(published_at=NOW - age, last_taken=last, now=NOW) is wanted


@given(
    st.lists(
        st.tuples(
            st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),  # age
            st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),  # since the last reading
        ),
        max_size=30,
    )
)
@example([(timedelta(days=1), timedelta(minutes=30)), (timedelta(days=1) - TICK, timedelta(minutes=30) - TICK)])
@example([(timedelta(days=7), timedelta(hours=3)), (timedelta(days=7), timedelta(hours=12)), (timedelta(0), None)])
@example([(timedelta(days=7) - TICK, timedelta(hours=3)), (timedelta(days=9), timedelta(hours=12) - TICK)])
def test_the_ids_wanted_at_once_are_those_metrics_wanted_says_in_order(readings):
    pubs = [Target(remote_id=str(n), published_at=NOW - age) for n, (age, _) in enumerate(readings)]
    last = {str(n): None if since is None else NOW - since for n, (_, since) in enumerate(readings)}
    expected = [
        p.remote_id for p in pubs if metrics_wanted(published_at=p.published_at, last_taken=last[p.remote_id], now=NOW)
    ]
    assert metrics_wanted_ids(pubs, last_taken=last.__getitem__, now=NOW) == expected
