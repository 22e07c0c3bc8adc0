"""Timezone names a manager writes, judged safely: city zones suggested, fixed offsets and abbreviations warned.

``GMT+1`` is not a zone (and ``Etc/GMT+1`` means UTC−1: POSIX inverts the sign), ``EST`` is a fixed
UTC−5 with no daylight saving, and "New York" is ``America/New_York``. Suggestions are always city
zones, which follow daylight saving the way the audience's clocks do.
"""

from __future__ import annotations

import re
from functools import lru_cache

CITY_ZONES: dict[float, tuple[str, ...]] = {
    -10: ("Pacific/Honolulu",),
    -9: ("America/Anchorage",),
    -8: ("America/Los_Angeles", "America/Vancouver"),
    -7: ("America/Denver", "America/Phoenix"),
    -6: ("America/Chicago", "America/Mexico_City"),
    -5: ("America/New_York", "America/Toronto", "America/Bogota"),
    -4: ("America/Halifax", "America/Santiago"),
    -3: ("America/Sao_Paulo", "America/Argentina/Buenos_Aires"),
    -1: ("Atlantic/Azores", "Atlantic/Cape_Verde"),
    0: ("Europe/London", "Europe/Lisbon", "Africa/Abidjan"),
    1: ("Europe/Paris", "Europe/Berlin", "Africa/Lagos"),
    2: ("Europe/Athens", "Africa/Cairo", "Africa/Johannesburg"),
    3: ("Europe/Istanbul", "Europe/Moscow", "Asia/Riyadh"),
    4: ("Asia/Dubai",),
    5: ("Asia/Karachi",),
    5.5: ("Asia/Kolkata",),
    7: ("Asia/Bangkok", "Asia/Jakarta"),
    8: ("Asia/Singapore", "Asia/Shanghai", "Australia/Perth"),
    9: ("Asia/Tokyo", "Asia/Seoul"),
    10: ("Australia/Sydney", "Australia/Brisbane"),
    12: ("Pacific/Auckland",),
}
_ABBREVIATIONS = {
    "EST": -5, "EDT": -5, "CST": -6, "CDT": -6, "MST": -7, "MDT": -7, "PST": -8, "PDT": -8, "HST": -10,
    "AKST": -9, "GMT": 0, "BST": 0, "WET": 0, "CET": 1, "CEST": 1, "MET": 1, "EET": 2, "EEST": 2,
    "MSK": 3, "IST": 5.5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 10, "NZST": 12,
}  # fmt: skip
_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


def _cities(offset: float) -> str:
    zones = CITY_ZONES.get(offset)
    return " or ".join(zones[:2]) if zones else "Europe/Paris"


def _offset(text: str) -> float | None:
    found = _OFFSET.match(text.strip())
    if not found:
        return None
    sign = -1 if found.group(1) in "-−" else 1
    return sign * (int(found.group(2)) + int(found.group(3) or 0) / 60)


@lru_cache(maxsize=1)
def _by_city() -> dict[str, str]:
    from zoneinfo import available_timezones

    return {
        z.rsplit("/", 1)[-1].replace("_", " ").casefold(): z
        for z in sorted(available_timezones())
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }


def suggestion(value: str) -> str:
    """What to write instead of an unknown timezone ``value`` (always a complete sentence fragment)."""
    text = value.strip()
    offset = _offset(text)
    if offset is not None:
        return (
            f"'{text}' is a UTC offset, not a timezone; write the city zone of your audience, "
            f"e.g. {_cities(offset)} (it follows daylight saving)"
        )
    city = _by_city().get(re.sub(r"[\s_]+", " ", text).casefold())
    if city:
        return f"did you mean '{city}'?"
    from rapidfuzz import fuzz, process

    if "/" in text:  # a region was given: a typo in a full zone name ("Europe/Madird")
        named = process.extractOne(text, list(_by_city().values()), scorer=fuzz.WRatio, score_cutoff=80)
        if named:
            return f"did you mean '{named[0]}'?"
    cities = _by_city()
    match = process.extractOne(text.replace("_", " ").casefold(), list(cities), scorer=fuzz.WRatio, score_cutoff=80)
    if match:
        return f"did you mean '{cities[match[0]]}'?"
    return "use an IANA city zone such as Europe/Madrid or America/New_York"


def warning(value: str) -> str | None:
    """A valid zone that is probably a mistake: a fixed offset or a legacy abbreviation (None when fine)."""
    etc = _ETC.match(value)
    if etc:
        hours = int(etc.group(2))
        written = hours if etc.group(1) == "+" else -hours
        real = -written
        return (
            f"'{value}' is UTC{real:+d}, not UTC{written:+d}: POSIX zone names invert the sign, and it has no "
            f"daylight saving; for UTC{written:+d} write a city zone such as {_cities(written)}"
        )
    if value.upper() in _ABBREVIATIONS and "/" not in value:
        offset = _ABBREVIATIONS[value.upper()]
        return (
            f"'{value}' is an abbreviation with a fixed or legacy rule, not your audience's clock; "
            f"write a city zone such as {_cities(offset)}"
        )
    return None
