"""Cron expansion: the same times as croniter's own iterator, for plain and special expressions alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from socialbot.domain.cron import cron_times

LIMIT = 400  # times compared per case: croniter takes a while for an every-minute expression


def croniter_times(expression: str, start: datetime, until: datetime) -> list[datetime]:
    it = croniter(expression, start - timedelta(seconds=1))
    out = []
    while len(out) < LIMIT and (nxt := it.get_next(datetime)) <= until:
        out.append(nxt)
    return out


def ours(expression: str, start: datetime, until: datetime) -> list[datetime]:
    return list(islice(cron_times(expression, start=start, until=until), LIMIT))


def field(low: int, high: int, names: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    ranged = st.tuples(number, number).map(lambda ab: f"{min(ab)}-{max(ab)}")
    part = st.one_of(
        number.map(str),
        ranged,
        st.tuples(ranged, st.integers(1, 5)).map(lambda r: f"{r[0]}/{r[1]}"),
        st.integers(1, 7).map(lambda step: f"*/{step}"),
        *(st.sampled_from(names),) if names else (),
    )
    return st.one_of(st.just("*"), st.lists(part, min_size=1, max_size=3).map(",".join))


EXPRESSIONS = st.tuples(
    field(0, 59),
    field(0, 23),
    field(1, 31),
    field(1, 12, ("jan", "mar", "jun", "dec")),
    field(0, 7, ("mon", "fri", "sun")),
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    EXPRESSIONS,
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.integers(0, 24 * 90),
)
def test_plain_expressions_give_croniters_times(expression, start, hours):
    until = start + timedelta(hours=hours)
    assert ours(expression, start, until) == croniter_times(expression, start, until)


@pytest.mark.parametrize(
    "expression",
    ["0 9 * * 1-5", "30 19 * * *", "0 0 1,15 * 5", "0 12 L * *", "0 10 * * 5#2", "0 8 15W * *", "*/20 9-10 * * 0"],
)
def test_common_and_special_expressions_give_croniters_times(expression):
    start, until = datetime(2026, 11, 20, 7, 45, 30), datetime(2027, 3, 31, 23, 59)
    assert ours(expression, start, until) == croniter_times(expression, start, until)


def test_an_expression_no_date_satisfies_gives_no_times():
    assert list(cron_times("0 9 30 2 *", start=datetime(2026, 1, 1), until=datetime(2027, 12, 31))) == []
