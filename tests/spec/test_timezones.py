"""Timezone names: city zones suggested for offsets and city names; abbreviations and POSIX offsets warned."""

from __future__ import annotations

import pytest

from socialbot.spec.loader import load_file
from socialbot.spec.timezones import suggestion, warning

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
