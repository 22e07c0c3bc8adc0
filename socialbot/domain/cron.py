"""Cron expressions expanded into wall-clock times, with croniter's meaning but without its per-time cost.

croniter reads the expression (names, ranges, steps, lists) into the values each field allows;
those are matched here day by day, which costs a fraction of croniter's ``get_next`` per time.
Expressions with special characters (``L``, ``W``, ``#``) are left to croniter's own iterator.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

_ANY = "*"


def cron_times(expression: str, *, start: datetime, until: datetime) -> Iterator[datetime]:
    """The naive wall-clock times ``expression`` (five fields) gives from ``start`` to ``until``, in order."""
    from croniter import croniter

    it = croniter(expression, start - timedelta(seconds=1))
    fields = it.expanded
    plain = len(fields) == 5 and all(f == [_ANY] or all(isinstance(v, int) for v in f) for f in fields)
    if not plain or it.nth_weekday_of_month or getattr(it, "nearest_weekday", None):
        while (nxt := it.get_next(datetime)) <= until:
            yield nxt
        return
    minutes, hours, days, months, weekdays = fields
    clock = [time(h, m) for h in _values(hours, range(24)) for m in _values(minutes, range(60))]
    day_or = days[0] != _ANY and weekdays[0] != _ANY  # cron's rule: a day of the month OR a day of the week
    month_set, day_set = set(_values(months, range(1, 13))), set(_values(days, range(1, 32)))
    weekday_set = {v % 7 for v in _values(weekdays, range(7))}  # 0 and 7 are both Sunday
    first = (start + timedelta(seconds=59)).replace(second=0, microsecond=0)  # croniter's first candidate minute
    day = first.date()
    while day <= until.date():
        if day.month in month_set and _day_matches(day, day_set, weekday_set, day_or=day_or):
            for at in clock:
                when = datetime.combine(day, at)
                if when < first:
                    continue
                if when > until:
                    return
                yield when
        day += timedelta(days=1)


def _values(field: Sequence[int | str], every: range) -> list[int]:
    return list(every) if field[0] == _ANY else sorted({int(v) for v in field})


def _day_matches(day: date, days: set[int], weekdays: set[int], *, day_or: bool) -> bool:
    in_month = day.day in days
    in_week = (day.weekday() + 1) % 7 in weekdays  # cron counts Sunday as 0
    return (in_month or in_week) if day_or else (in_month and in_week)
