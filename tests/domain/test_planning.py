"""Schedule expansion: DST (Europe/Madrid, 2026), cron, every with count/until, quiet hours, blackout dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from socialbot.domain.planning import (
    MAX_OCCURRENCES,
    QuietHours,
    Rule,
    TooManyOccurrences,
    expand,
    localize,
    parse_clock,
    parse_duration,
    parse_local,
)

MADRID = ZoneInfo("Europe/Madrid")


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def run(rule: Rule, start: str, end: str, **kw):
    return expand(rule, tz=MADRID, window_start=dt(start), window_end=dt(end), **kw)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "before_utc", "after_utc"),
    [
        ("2026-03-27", "08:00", "07:00"),  # spring forward on March 29: CET (+1) -> CEST (+2)
        ("2026-10-23", "07:00", "08:00"),  # fall back on October 25: CEST (+2) -> CET (+1)
    ],
)
def test_daily_post_stays_at_9_local_across_dst(start, before_utc, after_utc):
    rule = Rule(every=timedelta(days=1), starting=dt(f"{start} 09:00"), count=5)
    occs, _ = run(rule, start, "2026-12-31")
    assert [o.local.strftime("%m-%d %H:%M") for o in occs] == [
        (dt(start) + timedelta(days=i)).strftime("%m-%d 09:00") for i in range(5)
    ]
    assert [o.utc.strftime("%H:%M") for o in occs] == [before_utc] * 2 + [after_utc] * 3
    assert all(o.note is None for o in occs)


def test_daily_cron_also_keeps_local_time_across_dst():
    occs, _ = run(Rule(cron="0 9 * * *"), "2026-03-28", "2026-03-30 23:59")
    assert [o.utc for o in occs] == [utc("2026-03-28 08:00"), utc("2026-03-29 07:00"), utc("2026-03-30 07:00")]


def test_nonexistent_local_time_moves_forward_by_the_gap_with_a_note():
    [occ], _ = run(Rule(at=(dt("2026-03-29 02:30"),)), "2026-03-29", "2026-03-29 23:59")
    assert occ.local.strftime("%Y-%m-%d %H:%M %Z") == "2026-03-29 03:30 CEST"
    assert occ.utc == utc("2026-03-29 01:30")
    assert occ.scheduled == dt("2026-03-29 02:30")
    assert occ.note == "02:30 does not exist on 2026-03-29 (DST starts): posted at 03:30"


def test_ambiguous_local_time_is_posted_once_at_its_first_occurrence():
    [occ], _ = run(Rule(at=(dt("2026-10-25 02:30"),)), "2026-10-25", "2026-10-25 23:59")
    assert occ.utc == utc("2026-10-25 00:30")
    assert occ.local.strftime("%H:%M %Z") == "02:30 CEST"
    assert occ.note is None


def test_daily_0230_across_both_dst_changes():
    spring, _ = run(Rule(cron="30 2 * * *"), "2026-03-28", "2026-03-30 23:59")
    assert [o.local.strftime("%d %H:%M") for o in spring] == ["28 02:30", "29 03:30", "30 02:30"]
    autumn, _ = run(Rule(cron="30 2 * * *"), "2026-10-24", "2026-10-26 23:59")
    assert [o.utc for o in autumn] == [utc("2026-10-24 00:30"), utc("2026-10-25 00:30"), utc("2026-10-26 01:30")]


def test_localize_follows_the_dst_rule():
    assert localize(dt("2026-03-29 02:30"), MADRID).strftime("%H:%M") == "03:30"
    assert localize(dt("2026-10-25 02:30"), MADRID).utcoffset() == timedelta(hours=2)


def test_cron_weekdays_in_local_time():
    occs, _ = run(Rule(cron="0 9 * * 1-5"), "2026-12-01", "2026-12-08 23:59")  # Tue 1 .. Tue 8
    assert [o.local.strftime("%a %d") for o in occs] == ["Tue 01", "Wed 02", "Thu 03", "Fri 04", "Mon 07", "Tue 08"]
    assert [o.index for o in occs] == [1, 2, 3, 4, 5, 6]


def test_cron_with_starting_until_and_count():
    rule = Rule(cron="0 12 * * *", starting=dt("2026-12-03 00:00"), until=dt("2026-12-20 00:00"), count=3)
    occs, _ = run(rule, "2026-12-01", "2026-12-31")
    assert [o.scheduled for o in occs] == [dt("2026-12-03 12:00"), dt("2026-12-04 12:00"), dt("2026-12-05 12:00")]


def test_every_with_count():
    occs, _ = run(Rule(every=timedelta(days=2), starting=dt("2026-12-01 10:00"), count=3), "2026-12-01", "2026-12-31")
    assert [o.scheduled.day for o in occs] == [1, 3, 5]


def test_every_with_until_is_inclusive_and_never_passes_the_window():
    rule = Rule(every=timedelta(weeks=1), starting=dt("2026-12-01 10:00"), until=dt("2026-12-15 10:00"))
    occs, _ = run(rule, "2026-12-01", "2026-12-31")
    assert [o.scheduled.day for o in occs] == [1, 8, 15]
    occs, _ = run(Rule(every=timedelta(days=1), starting=dt("2026-12-01 10:00")), "2026-12-01", "2026-12-03 23:59")
    assert len(occs) == 3


def test_every_defaults_to_the_campaign_start():
    occs, _ = run(Rule(every=timedelta(days=1), count=2), "2026-12-01 08:15", "2026-12-31")
    assert [o.scheduled for o in occs] == [dt("2026-12-01 08:15"), dt("2026-12-02 08:15")]


def test_sub_day_every_is_elapsed_time_across_dst():
    spring, _ = run(
        Rule(every=timedelta(hours=1), starting=dt("2026-03-29 00:00"), count=4), "2026-03-29", "2026-03-30"
    )
    assert [o.utc for o in spring] == [utc("2026-03-28 23:00") + timedelta(hours=i) for i in range(4)]
    assert [o.local.strftime("%H:%M") for o in spring] == ["00:00", "01:00", "03:00", "04:00"]
    autumn, _ = run(
        Rule(every=timedelta(hours=1), starting=dt("2026-10-25 01:00"), count=4), "2026-10-25", "2026-10-26"
    )
    assert [o.utc for o in autumn] == [utc("2026-10-24 23:00") + timedelta(hours=i) for i in range(4)]
    assert [o.local.strftime("%H:%M %Z") for o in autumn] == ["01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET"]
    assert [o.scheduled.fold for o in autumn] == [0, 0, 1, 0]  # the repeated 02:00 stays distinguishable


def test_sub_day_every_keeps_its_count_inside_the_repeated_hour():
    rule = Rule(every=timedelta(minutes=30), starting=dt("2026-10-25 02:00"), count=4)
    occs, _ = run(rule, "2026-10-25", "2026-10-26")
    assert [o.utc for o in occs] == [utc("2026-10-25 00:00") + timedelta(minutes=30 * i) for i in range(4)]


def test_quiet_hours_move_an_occurrence_to_the_end_of_the_window_with_a_note():
    quiet = QuietHours(time(22, 0), time(8, 0))
    [late], _ = run(Rule(at=(dt("2026-12-02 23:15"),)), "2026-12-01", "2026-12-31", quiet=quiet)
    assert late.local.strftime("%Y-%m-%d %H:%M") == "2026-12-03 08:00"  # across midnight: the next morning
    assert late.scheduled == dt("2026-12-02 23:15")
    assert late.note == "moved from 23:15 to 08:00 (quiet hours)"
    [early], _ = run(Rule(at=(dt("2026-12-03 06:30"),)), "2026-12-01", "2026-12-31", quiet=quiet)
    assert early.local.strftime("%Y-%m-%d %H:%M") == "2026-12-03 08:00"
    [edge], _ = run(Rule(at=(dt("2026-12-03 08:00"),)), "2026-12-01", "2026-12-31", quiet=quiet)
    assert edge.note is None  # the end of the window is outside it


def test_quiet_hours_within_one_day():
    quiet = QuietHours(time(12, 0), time(14, 0))
    assert quiet.contains(time(13, 59)) and not quiet.contains(time(14, 0)) and not quiet.contains(time(11, 59))
    [occ], _ = run(Rule(at=(dt("2026-12-02 12:30"),)), "2026-12-01", "2026-12-31", quiet=quiet)
    assert occ.local.strftime("%d %H:%M") == "02 14:00"


def test_two_occurrences_moved_to_one_instant_post_once():
    quiet = QuietHours(time(22, 0), time(8, 0))
    occs, _ = run(Rule(at=(dt("2026-12-02 23:00"), dt("2026-12-03 07:00"))), "2026-12-01", "2026-12-31", quiet=quiet)
    assert len(occs) == 1 and occs[0].local.strftime("%d %H:%M") == "03 08:00"


def test_blackout_dates_skip_occurrences():
    rule = Rule(every=timedelta(days=1), starting=dt("2026-12-23 10:00"), count=4)
    occs, skipped = run(rule, "2026-12-01", "2026-12-31", blackout=frozenset({date(2026, 12, 25)}))
    assert [o.scheduled.day for o in occs] == [23, 24, 26]
    assert [o.index for o in occs] == [1, 2, 3]
    assert [(s.scheduled, s.reason) for s in skipped] == [(dt("2026-12-25 10:00"), "2026-12-25 is a blackout date")]


def test_quiet_hours_moving_onto_a_blackout_date_skip():
    quiet = QuietHours(time(22, 0), time(8, 0))
    occs, skipped = run(
        Rule(at=(dt("2026-12-24 23:00"),)),
        "2026-12-01",
        "2026-12-31",
        quiet=quiet,
        blackout=frozenset({date(2026, 12, 25)}),
    )
    assert occs == []
    assert skipped[0].reason == "quiet hours move it to 2026-12-25, a blackout date"


def test_at_times_outside_the_window_are_dropped():
    occs, _ = run(Rule(at=(dt("2026-11-30 09:00"), dt("2026-12-02 09:00"))), "2026-12-01", "2026-12-31")
    assert [o.scheduled for o in occs] == [dt("2026-12-02 09:00")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("30m", timedelta(minutes=30)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        (" 1H 15M ", timedelta(hours=1, minutes=15)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_parse_duration_accepts(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a duration; write e.g. 30m, 1h, 1h30m, 2d or 1w"),
        ("0m", "'0m' must be longer than zero"),
        ("", "is not a duration"),
        ("1h30", "is not a duration"),
        ("1y", "is not a duration"),
        ("99999999999999999999w", "longer than ten years"),
        ("3661d", "longer than ten years"),
        ("9" * 5000 + "s", "longer than ten years"),
    ],
)
def test_parse_duration_rejects(text, message):
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert message in str(info.value)


def test_parse_local_and_clock():
    assert parse_local("2026-12-01T09:00") == dt("2026-12-01 09:00")
    assert parse_local("2026-12-01") == dt("2026-12-01 00:00")
    assert parse_clock("22:30") == time(22, 30)
    with pytest.raises(ValueError, match="is not a time; write it as YYYY-MM-DD HH:MM"):
        parse_local("tomorrow")
    with pytest.raises(ValueError, match="'24:00' is not a clock time"):
        parse_clock("24:00")


def test_the_dst_rule_in_the_docs_is_the_one_in_the_code():
    import socialbot.domain.planning as planning

    def words(text: str) -> str:
        return " ".join(text.replace("``", "`").split())

    docstring = words(planning.__doc__ or "")
    rule = docstring.split("The DST rule, documented in docs/campaigns.md:")[1]
    docs = words((Path(__file__).resolve().parents[2] / "docs" / "campaigns.md").read_text(encoding="utf-8"))
    for sentence in rule.split(" - ")[1:]:
        sentence = sentence.split(" `every` in hours")[0].strip()
        assert sentence.lstrip("- ") in docs, f"docs/campaigns.md lacks the DST rule: {sentence!r}"
    assert "it is added in UTC, so every step is a distinct instant" in docs


@pytest.mark.parametrize(
    "rule",
    [Rule(every=timedelta(minutes=1)), Rule(cron="* * * * *"), Rule(every=timedelta(days=1))],
    ids=["every-minute", "cron-every-minute", "daily-over-centuries"],
)
def test_a_schedule_past_the_occurrence_limit_is_refused_not_cut(rule):
    end = "2026-01-09 00:00" if rule.every != timedelta(days=1) else "2060-01-01 00:00"
    with pytest.raises(TooManyOccurrences, match="more than 10,000 occurrences"):
        run(rule, "2026-01-01 00:00", end)


def test_a_count_keeps_a_long_schedule_within_the_limit():
    occurrences, _ = run(Rule(every=timedelta(minutes=1), count=MAX_OCCURRENCES), "2026-01-01 00:00", "2027-01-01")
    assert len(occurrences) == MAX_OCCURRENCES


def test_an_interval_that_would_step_past_the_year_9999_ends_the_schedule():
    rule = Rule(every=timedelta(days=3650))
    occurrences, _ = expand(rule, tz=UTC, window_start=dt("9990-01-01 00:00"), window_end=dt("9999-12-31 00:00"))
    assert [o.scheduled.year for o in occurrences] == [9990, 9999]
