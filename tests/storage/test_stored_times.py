"""How a time is stored on SQLite: UTC text, the same whatever zone it came in, read back as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialbot.storage.models import _sqlite_datetime, _sqlite_text

aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.sampled_from([UTC])
) | st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([ZoneInfo("Europe/Madrid"), ZoneInfo("UTC"), timezone(timedelta(hours=-5))]),
    allow_imaginary=False,  # 02:30 on the night clocks go forward does not exist: no time to compare it with
)


@given(aware)
def test_a_time_is_stored_as_its_utc_text_and_read_back_equal(value):
    text = _sqlite_text(value)
    utc = value.astimezone(UTC)
    assert text == utc.replace(tzinfo=None).isoformat(" ", "microseconds")  # one form, so text order is time order
    assert _sqlite_datetime(text) == utc  # (== across zones is False for a time of the hour that repeats)
    assert _sqlite_datetime(text).tzinfo is UTC


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive datetime"):
        _sqlite_text(datetime(2026, 12, 1, 9, 0))


def test_whole_seconds_keep_their_microseconds_so_texts_sort_as_times():
    assert _sqlite_text(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "2026-12-01 09:00:00.000000"
    assert _sqlite_text(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))) == "2026-12-01 09:00:00.000000"
