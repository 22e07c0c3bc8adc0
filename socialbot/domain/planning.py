"""Expands schedules into concrete occurrences: a pure function of (rule, window, timezone), DST-correct.

Wall-clock rules (``at``, ``cron``, ``every`` in days or weeks) are computed in the campaign's local
time and converted to UTC one by one, so a daily 09:00 post stays at 09:00 local across DST changes.

The DST rule, documented in docs/campaigns.md:
- a local time that does not exist (02:30 on the spring-forward day) moves forward by the length of
  the gap (to 03:30), so the post still goes out that day;
- a local time that occurs twice (02:30 on the fall-back day) is taken at its first occurrence
  (the summer-time one), once.
``every`` in hours or minutes is elapsed time: it is added in UTC, so every step is a distinct
instant, including both passes through the repeated hour of the fall-back night.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DURATION_RE = re.compile(r"(\d+)\s*(w|d|h|m|s)")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}

MAX_OCCURRENCES = 10_000  # per rule; a cron of every minute over a year is a mistake, not a plan
MAX_FILE_OCCURRENCES = 20_000  # all the rules of one campaign file together (validate answers within 2 s)
MAX_DURATION = timedelta(days=3660)  # ten years: no interval or catch-up window of a campaign is longer


class TooManyOccurrences(ValueError):
    """A rule produces more than ``limit`` times in the window: refused, never silently cut.

    The limit is MAX_OCCURRENCES for one rule, or what is left of MAX_FILE_OCCURRENCES for the file.
    """

    def __init__(self, limit: int = MAX_OCCURRENCES) -> None:
        self.limit = limit
        if limit >= MAX_OCCURRENCES:
            message = (
                f"this schedule produces more than {MAX_OCCURRENCES:,} occurrences in the campaign's window; "
                "use a longer interval, a count, an until, or a shorter campaign"
            )
        else:
            message = (
                f"with this schedule the file's posts produce more than {MAX_FILE_OCCURRENCES:,} occurrences "
                "in all; split the campaign into several files, or give the posts longer intervals, counts or untils"
            )
        super().__init__(message)


def parse_duration(text: str) -> timedelta:
    """'1h30m' -> 1:30:00; accepts w, d, h, m, s. Raises ValueError with the accepted format."""
    compact = str(text).strip().lower().replace(" ", "")
    if not compact or _DURATION_RE.sub("", compact):
        raise ValueError(f"'{text}' is not a duration; write e.g. 30m, 1h, 1h30m, 2d or 1w")
    delta = timedelta()
    for amount, unit in _DURATION_RE.findall(compact):
        if len(amount) > 7:  # 9,999,999 of any unit is already past MAX_DURATION
            raise ValueError(f"'{text}' is longer than ten years; no campaign needs an interval that long")
        delta += timedelta(**{_UNITS[unit]: int(amount)})
    if delta > MAX_DURATION:
        raise ValueError(f"'{text}' is longer than ten years; no campaign needs an interval that long")
    if delta <= timedelta(0):
        raise ValueError(f"'{text}' must be longer than zero")
    return delta


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time by the DST rule above; returns an aware local datetime.

    Wall-clock rules produce ``fold=0`` (the first of a repeated time); elapsed-time steps keep the
    ``fold`` of the instant they came from, so the second 02:30 of a fall-back night stays distinct.
    """
    first = naive.replace(tzinfo=tz)
    roundtrip = first.astimezone(UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:
        return roundtrip  # a gap: the equivalent instant, i.e. shifted forward by the gap
    return first


@dataclass(frozen=True)
class QuietHours:
    """A nightly window (local time) in which nothing is posted; occurrences move to its end."""

    start: time
    end: time

    def contains(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True)
class Rule:
    """One schedule in local wall-clock terms (naive datetimes are local to the campaign's timezone)."""

    at: tuple[datetime, ...] = ()
    cron: str | None = None
    every: timedelta | None = None
    starting: datetime | None = None
    until: datetime | None = None
    count: int | None = None


@dataclass(frozen=True)
class Occurrence:
    """One concrete time an item is due."""

    index: int  # 1-based, in time order among the item's kept occurrences
    local: datetime  # aware, in the campaign's timezone
    utc: datetime
    scheduled: datetime  # the wall-clock time the rule asked for (naive local)
    note: str | None = None  # e.g. "moved from 23:00 (quiet hours)", "02:30 does not exist (DST): 03:30"


@dataclass(frozen=True)
class Skipped:
    """An occurrence the rule produced but the calendar dropped (blackout date)."""

    scheduled: datetime
    reason: str


def _wall_times(rule: Rule, *, window_start: datetime, window_end: datetime, limit: int) -> list[datetime]:
    """Naive local wall-clock times the rule produces inside [window_start, window_end]."""
    times: list[datetime] = []
    until = min(window_end, rule.until) if rule.until else window_end
    if rule.at:
        times = sorted(t for t in rule.at if window_start <= t <= until)
    elif rule.cron:
        from socialbot.domain.cron import cron_times

        start = max(rule.starting or window_start, window_start)  # earlier times are never kept nor counted
        for nxt in cron_times(rule.cron, start=start, until=until):
            times.append(nxt)
            _check_count(times, limit)
            if rule.count and len(times) >= rule.count:
                break
    elif rule.every:
        current = rule.starting or window_start
        while current <= until:
            if current >= window_start:
                times.append(current)
                _check_count(times, limit)
            if rule.count and len(times) >= rule.count:
                break
            if current > datetime.max - rule.every:
                break  # the next step would be past the year 9999
            current = current + rule.every
    if rule.count:
        times = times[: rule.count]
    return times


def _check_count(times: list[datetime], limit: int) -> None:
    if len(times) > limit:
        raise TooManyOccurrences(limit)


def _elapsed_times(
    rule: Rule, tz: ZoneInfo, *, window_start: datetime, window_end: datetime, limit: int
) -> list[datetime]:
    """For sub-day ``every``: elapsed-time steps, returned as naive local wall-clock times."""
    assert rule.every is not None  # expand() calls this only for a sub-day ``every``
    start = localize(rule.starting or window_start, tz).astimezone(UTC)
    end_local = min(window_end, rule.until) if rule.until else window_end
    end = localize(end_local, tz).astimezone(UTC)
    out: list[datetime] = []
    current = start
    while current <= end:
        out.append(current.astimezone(tz).replace(tzinfo=None))  # keeps fold: see localize()
        _check_count(out, limit)
        if rule.count and len(out) >= rule.count:
            break
        if current > datetime.max.replace(tzinfo=UTC) - rule.every:
            break
        current += rule.every
    return out


def expand(
    rule: Rule,
    *,
    tz: ZoneInfo,
    window_start: datetime,
    window_end: datetime,
    quiet: QuietHours | None = None,
    blackout: frozenset[date] = frozenset(),
    limit: int = MAX_OCCURRENCES,
) -> tuple[list[Occurrence], list[Skipped]]:
    """All occurrences of ``rule`` in the campaign window (naive local bounds), in time order.

    More than ``limit`` times (at most MAX_OCCURRENCES) raise TooManyOccurrences.
    """
    limit = min(limit, MAX_OCCURRENCES)
    sub_day = rule.every is not None and rule.every < timedelta(days=1)
    if sub_day:
        walls = _elapsed_times(rule, tz, window_start=window_start, window_end=window_end, limit=limit)
    else:
        walls = _wall_times(rule, window_start=window_start, window_end=window_end, limit=limit)
    kept: list[tuple[datetime, datetime, str | None]] = []
    skipped: list[Skipped] = []
    for wall in walls:
        if wall.date() in blackout:
            skipped.append(Skipped(wall, f"{wall:%Y-%m-%d} is a blackout date"))
            continue
        note = None
        target = wall
        if quiet and quiet.contains(wall.time()):
            target = _end_of_quiet(wall, quiet)
            note = f"moved from {wall:%H:%M} to {target:%H:%M} (quiet hours)"
            if target.date() in blackout:
                skipped.append(Skipped(wall, f"quiet hours move it to {target:%Y-%m-%d}, a blackout date"))
                continue
        local = localize(target, tz)
        if local.replace(tzinfo=None) != target:
            dst = f"{target:%H:%M} does not exist on {target:%Y-%m-%d} (DST starts): posted at {local:%H:%M}"
            note = f"{note}; {dst}" if note else dst
        kept.append((local.astimezone(UTC), wall, note))
    kept.sort(key=lambda k: k[0])
    occurrences: list[Occurrence] = []
    seen: set[datetime] = set()
    for utc, wall, note in kept:
        if utc in seen:
            continue  # two wall times landing on one instant (quiet-hour shifts) post once
        seen.add(utc)
        occurrences.append(Occurrence(len(occurrences) + 1, utc.astimezone(tz), utc, wall, note))
    return occurrences, skipped


def _end_of_quiet(wall: datetime, quiet: QuietHours) -> datetime:
    end_today = datetime.combine(wall.date(), quiet.end)
    if quiet.start > quiet.end and wall.time() >= quiet.start:
        return end_today + timedelta(days=1)
    return end_today


def parse_local(text: str, *, what: str = "time") -> datetime:
    """'2026-12-01 09:00' / '2026-12-01T09:00' / '2026-12-01' -> naive datetime."""
    value = str(text).strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a {what}; write it as YYYY-MM-DD HH:MM in the campaign's timezone")


def parse_clock(text: str) -> time:
    try:
        return datetime.strptime(str(text).strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(f"'{text}' is not a clock time; write it as HH:MM, e.g. 22:00") from None
