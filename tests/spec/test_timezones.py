"""Timezone names: city zones suggested for offsets and city names; abbreviations and POSIX offsets warned."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

import pytest

from socialbot.spec.loader import load_file
from socialbot.spec.timezones import ABBREVIATIONS, WELL_KNOWN, refusal, suggestion, warning

CAMPAIGN = """\
campaign:
  id: tz
  name: TZ
  timezone: {tz}
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [sandbox]
posts:
  - id: p
    text: "Hi"
    schedule: {{at: "2026-12-02 09:00"}}
"""


@pytest.mark.parametrize(
    ("written", "expected", "never"),
    [
        ("GMT+1", "Europe/Paris", "Etc/GMT+1"),  # Etc/GMT+1 would be UTC-1
        ("UTC-5", "America/New_York", "'UTC'"),
        ("UTC+05:30", "Asia/Kolkata", "Etc/"),
        ("New York", "America/New_York", "Etc/"),
        ("Europe/Madird", "Europe/Madrid", "Etc/"),
    ],
)
def test_unknown_zones_get_city_suggestions_never_a_wrong_offset(tmp_path, written, expected, never):
    path = tmp_path / "c.yaml"
    path.write_text(CAMPAIGN.format(tz=f'"{written}"'), encoding="utf-8")
    campaign, problems = load_file(path)
    assert campaign is None
    [problem] = problems
    assert problem.path == "campaign.timezone" and problem.line == 4
    assert expected in problem.message and never not in problem.message
    assert expected in suggestion(written)


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("EST", "America/New_York"),
        ("CET", "Europe/Paris"),
        ("Etc/GMT+1", "is UTC-1, not UTC+1: POSIX zone names invert the sign"),
        ("Etc/GMT-2", "for UTC-2"),
    ],
)
def test_abbreviations_and_posix_offsets_load_with_a_warning(tmp_path, zone, said):
    path = tmp_path / "c.yaml"
    path.write_text(CAMPAIGN.format(tz=zone), encoding="utf-8")
    campaign, problems = load_file(path)
    assert problems == [] and campaign is not None
    [warned] = [w for w in campaign.warnings if w.path == "campaign.timezone"]
    assert said in warned.message


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata"])
def test_city_zones_and_utc_are_fine(zone):
    assert warning(zone) is None


NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("GMT+14", "Pacific/Kiritimati"),
        ("UTC+13:45", "Pacific/Chatham"),  # its daylight-saving offset; no zone has it as standard
        ("UTC+5:45", "Asia/Kathmandu"),
        ("UTC-3:30", "America/St_Johns"),
        ("UTC+13", "Pacific/Tongatapu"),
        ("UTC-12", "Etc/GMT+12"),  # whole hours and no city: the POSIX name, sign inverted
        ("UTC+0", "write UTC"),
    ],
)
def test_offsets_suggest_a_zone_that_really_has_that_offset(written, expected):
    said = suggestion(written, now=NOW)
    assert expected in said and "Europe/Paris" not in said


@pytest.mark.parametrize("written", ["UTC-14", "UTC+15", "GMT-13", "Etc/GMT-15", "Etc/GMT+13"])
def test_offsets_beyond_minus_12_and_plus_14_are_told_they_do_not_exist(written):
    said = suggestion(written, now=NOW)
    assert "does not exist" in said and "Europe/Paris" not in said


def test_an_etc_name_beyond_the_range_suggests_the_offset_it_was_probably_meant_as():
    assert "for UTC+13 write Pacific/Tongatapu" in suggestion("Etc/GMT+13", now=NOW)  # Etc/GMT+13 would be UTC-13


@pytest.mark.parametrize(
    ("zone", "said", "never"),
    [
        ("Etc/GMT-14", "is UTC+14, not UTC-14", "Europe/Paris"),
        ("Etc/GMT-14", "UTC-14 does not exist; for UTC+14 write Pacific/Kiritimati", "for UTC-14 write"),
        ("Etc/GMT+12", "no city zone uses UTC-12", "Europe/Paris"),
        ("Etc/GMT-2", "for UTC+2 write Europe/Athens", "Europe/Paris"),
    ],
)
def test_posix_offset_warnings_name_zones_of_both_readings(zone, said, never):
    warned = warning(zone, now=NOW)
    assert warned is not None and said in warned and never not in warned


@pytest.mark.parametrize("zone", ["Etc/GMT0", "Etc/GMT-0", "Etc/UTC", "Zulu"])
def test_zero_offsets_are_utc_and_fine(zone):
    assert warning(zone, now=NOW) is None


@pytest.mark.parametrize(
    ("written", "zone", "also"),
    [
        ("IST", "Asia/Kolkata", ("Europe/Dublin", "Asia/Jerusalem")),
        ("ist", "Asia/Kolkata", ("ambiguous",)),
        ("CST", "America/Chicago", ("Asia/Shanghai",)),
        ("BST", "Europe/London", ("Asia/Dhaka",)),
        ("PST", "America/Los_Angeles", ("Asia/Manila",)),
        ("PDT", "America/Los_Angeles", ()),
        ("CEST", "Europe/Paris", ()),
        ("JST", "Asia/Tokyo", ()),
        ("AEST", "Australia/Sydney", ("Australia/Brisbane",)),
    ],
)
def test_abbreviations_suggest_the_usual_city_and_say_when_ambiguous(written, zone, also):
    said = suggestion(written, now=NOW)
    assert f"write {zone}" in said and all(other in said for other in also)


def test_every_zone_named_in_the_tables_exists():
    assert {zone for zone, _ in ABBREVIATIONS.values()} | set(WELL_KNOWN) <= available_timezones()


@pytest.mark.parametrize("written", ["Z", "z", "utc", "Zulu "])
def test_z_and_misspelt_utc_suggest_utc(written):
    assert suggestion(written, now=NOW).endswith("write UTC")


@pytest.mark.parametrize(
    ("zone", "reason"),
    [("localtime", "machine"), ("Factory", "not a real zone"), ("posixrules", "internal file")],
)
def test_names_zoneinfo_loads_but_are_no_place_are_refused(zone, reason):
    refused = refusal(zone)
    assert refused is not None and reason in refused and "Europe/Madrid" in refused
    assert suggestion(zone) == refused  # what the loader appends once the validator refuses them
    assert warning(zone) == refused  # never accepted silently
    assert refusal("Europe/Madrid") is None


def test_leap_second_and_posix_copies_point_to_the_plain_name():
    assert "write Europe/Paris" in (refusal("right/Europe/Paris") or "")
    assert "write Europe/Paris" in (refusal("posix/Europe/Paris") or "")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Europe/Pari", "Europe/Paris"), ("america/new_york", "America/New_York"), ("etc/gmt-5", "Etc/GMT-5")],
)
def test_typos_and_wrong_case_of_real_names_still_match(written, expected):
    assert suggestion(written, now=NOW) == f"did you mean '{expected}'?"


def test_long_input_is_echoed_truncated():
    said = suggestion("UTC+" + "1" * 300, now=NOW)
    assert len(said) < 200
    assert len(refusal("right/" + "x" * 300) or "") < 250
