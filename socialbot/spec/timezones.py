"""Timezone names a manager writes, judged safely: city zones suggested, fixed offsets and abbreviations warned.

``GMT+1`` is not a zone (and ``Etc/GMT+1`` means UTC−1: POSIX inverts the sign), ``EST`` is a fixed
UTC−5 with no daylight saving, and "New York" is ``America/New_York``. Suggestions are city zones,
which follow daylight saving the way the audience's clocks do; the zone suggested for an offset is
read from the tz data (the zones whose standard offset it is this year), never from a hand list.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

SHOWN = 100  # characters of the written value echoed back in a message
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
EXAMPLE = "Europe/Madrid or America/New_York"

# Only the order in which zones with the same offset are suggested: the best-known city first.
WELL_KNOWN = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Vancouver", "America/Denver",
    "America/Phoenix", "America/Chicago", "America/Mexico_City", "America/New_York", "America/Toronto",
    "America/Bogota", "America/Caracas", "America/Halifax", "America/Santiago", "America/St_Johns",
    "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Noronha", "Atlantic/Azores",
    "Atlantic/Cape_Verde", "Europe/London", "Europe/Lisbon", "Africa/Abidjan", "Europe/Paris", "Europe/Berlin",
    "Africa/Lagos", "Europe/Athens", "Africa/Cairo", "Africa/Johannesburg", "Europe/Istanbul", "Europe/Moscow",
    "Asia/Riyadh", "Africa/Nairobi", "Asia/Tehran", "Asia/Dubai", "Asia/Kabul", "Asia/Karachi", "Asia/Kolkata",
    "Asia/Kathmandu", "Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
    "Asia/Shanghai", "Australia/Perth", "Australia/Eucla", "Asia/Tokyo", "Asia/Seoul", "Australia/Darwin",
    "Australia/Adelaide", "Australia/Sydney", "Australia/Brisbane", "Australia/Lord_Howe", "Pacific/Noumea",
    "Pacific/Auckland", "Pacific/Fiji", "Pacific/Chatham", "Pacific/Tongatapu", "Pacific/Kiritimati",
    "Pacific/Pago_Pago", "Pacific/Marquesas",
)  # fmt: skip

# Abbreviation -> (the city zone most people mean, what else it may mean). Of these only GMT, EST, MST, HST, CET,
# EET, MET, WET and the EST5EDT family are IANA names at all (fixed or legacy rules); zoneinfo knows no other.
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "GMT": ("Europe/London", "GMT itself is UTC all year; write UTC if that is what you mean"),
    "BST": ("Europe/London", "ambiguous: also Bangladesh Standard Time, Asia/Dhaka"),
    "IST": ("Asia/Kolkata", "ambiguous: also Irish Standard Time, Europe/Dublin, and Israel Standard Time, Asia/Jerusalem"),
    "IDT": ("Asia/Jerusalem", ""),
    "WET": ("Europe/Lisbon", ""), "WEST": ("Europe/Lisbon", ""),
    "CET": ("Europe/Paris", ""), "CEST": ("Europe/Paris", ""), "MET": ("Europe/Paris", ""), "MEST": ("Europe/Paris", ""),
    "EET": ("Europe/Athens", ""), "EEST": ("Europe/Athens", ""), "MSK": ("Europe/Moscow", ""),
    "EST": ("America/New_York", ""), "EDT": ("America/New_York", ""), "EST5EDT": ("America/New_York", ""),
    "CST": ("America/Chicago", "ambiguous: also China Standard Time, Asia/Shanghai, and Cuba Standard Time, America/Havana"),
    "CDT": ("America/Chicago", ""), "CST6CDT": ("America/Chicago", ""),
    "MST": ("America/Denver", "America/Phoenix for Arizona, which has no daylight saving"),
    "MDT": ("America/Denver", ""), "MST7MDT": ("America/Denver", ""),
    "PST": ("America/Los_Angeles", "ambiguous: also Philippine Standard Time, Asia/Manila"),
    "PDT": ("America/Los_Angeles", ""), "PST8PDT": ("America/Los_Angeles", ""),
    "AKST": ("America/Anchorage", ""), "AKDT": ("America/Anchorage", ""), "HST": ("Pacific/Honolulu", ""),
    "AST": ("America/Halifax", "ambiguous: also Arabia Standard Time, Asia/Riyadh"), "ADT": ("America/Halifax", ""),
    "NST": ("America/St_Johns", ""), "NDT": ("America/St_Johns", ""),
    "BRT": ("America/Sao_Paulo", ""), "ART": ("America/Argentina/Buenos_Aires", ""),
    "WAT": ("Africa/Lagos", ""), "CAT": ("Africa/Maputo", ""), "EAT": ("Africa/Nairobi", ""),
    "SAST": ("Africa/Johannesburg", ""), "PKT": ("Asia/Karachi", ""), "WIB": ("Asia/Jakarta", ""),
    "SGT": ("Asia/Singapore", ""), "HKT": ("Asia/Hong_Kong", ""), "JST": ("Asia/Tokyo", ""), "KST": ("Asia/Seoul", ""),
    "AWST": ("Australia/Perth", ""),
    "ACST": ("Australia/Adelaide", "Australia/Darwin for the Northern Territory, which has no daylight saving"),
    "ACDT": ("Australia/Adelaide", ""),
    "AEST": ("Australia/Sydney", "Australia/Brisbane for Queensland, which has no daylight saving"),
    "AEDT": ("Australia/Sydney", ""), "NZST": ("Pacific/Auckland", ""), "NZDT": ("Pacific/Auckland", ""),
}  # fmt: skip

# Names zoneinfo loads that are still not a place: casefolded name -> why.
_REFUSED = {
    "localtime": "is whatever the machine is set to, not your audience's zone",
    "factory": "is a placeholder of the tz database, not a real zone",
    "posixrules": "is an internal file of the tz database, not a zone",
}
_UTC_NAMES = {"z", "zulu", "utc", "gmt", "ut", "uct", "universal", "etc/utc", "etc/gmt"}
_OFFSET = re.compile(r"^(?:UTC|GMT|UT|Z)?\s*([+\-−])\s*(\d{1,2})(?::?([0-5]\d))?$", re.IGNORECASE)
_ETC = re.compile(r"^Etc/GMT([+\-])(\d{1,2})$", re.IGNORECASE)
_LOWEST, _HIGHEST = -12 * 60, 14 * 60  # the real UTC offsets, in minutes (Baker Island .. Kiritimati)


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _utc(minutes: int) -> str:
    """``UTC+1``, ``UTC-3:30``, ``UTC+13:45``."""
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def _offset(text: str) -> int | None:
    """The offset in minutes that ``text`` writes (``GMT+1``, ``UTC-05:30``, ``+0530``), or None."""
    found = _OFFSET.match(text)
    if not found:
        return None
    sign = -1 if found.group(1) in "-−" else 1
    return sign * (int(found.group(2)) * 60 + int(found.group(3) or 0))


@lru_cache(maxsize=1)
def _canonical() -> tuple[str, ...]:
    """The zones of ``zone.tab`` (one per region of a country, no aliases), or all region/city zones without it."""
    known = available_timezones()
    tables = [Path(folder) / "zone.tab" for folder in TZPATH]
    with suppress(ModuleNotFoundError):  # the tzdata package, where the system has no tz database
        tables.append(Path(str(resources.files("tzdata.zoneinfo").joinpath("zone.tab"))))
    for table in tables:
        try:
            lines = table.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        names = [fields[2] for line in lines if not line.startswith("#") and len(fields := line.split("\t")) >= 3]
        zones = tuple(sorted(name for name in names if name in known))
        if zones:
            return zones
    return tuple(sorted(z for z in known if z.split("/", 1)[0] in REGIONS))


@lru_cache(maxsize=2)
def _by_offset(year: int) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Canonical zones by standard offset and by daylight-saving offset in ``year`` (minutes), best known first."""
    standard: dict[int, list[str]] = {}
    daylight: dict[int, list[str]] = {}
    rank = {name: i for i, name in enumerate(WELL_KNOWN)}
    for name in sorted(_canonical(), key=lambda n: (rank.get(n, len(rank)), n.startswith("Antarctica/"), n)):
        zone = ZoneInfo(name)
        seen = {
            (datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset() or timedelta())
            // timedelta(minutes=1)
            for month in (1, 7)
        }
        standard.setdefault(min(seen), []).append(name)  # the winter offset, also where summer time is negative
        if len(seen) > 1:
            daylight.setdefault(max(seen), []).append(name)
    return standard, daylight


def _zones_for(minutes: int, year: int) -> str | None:
    """City zones on ``minutes`` this year, for a message ("Europe/Paris or Europe/Berlin"), or None."""
    standard, daylight = _by_offset(year)
    if standard.get(minutes):
        return " or ".join(standard[minutes][:2])
    if daylight.get(minutes):
        return f"{daylight[minutes][0]} (which is {_utc(minutes)} during daylight saving)"
    return None


def _offset_hint(shown: str, minutes: int, year: int) -> str:
    if not _LOWEST <= minutes <= _HIGHEST:
        return f"'{shown}' does not exist: UTC offsets run from UTC-12 to UTC+14; check the sign and the number"
    if minutes == 0:
        return f"'{shown}' is UTC; write UTC, or your audience's city zone such as Europe/London (it follows daylight saving)"
    zones = _zones_for(minutes, year)
    if zones:
        return f"'{shown}' is a UTC offset, not a timezone; write the city zone of your audience, e.g. {zones}"
    if minutes % 60 == 0:  # only UTC-12, which no inhabited place uses
        posix = f"Etc/GMT{-minutes // 60:+d}"
        return f"'{shown}' is a UTC offset and no city zone uses it; write {posix} (POSIX inverts the sign: it is {_utc(minutes)})"
    return f"'{shown}' is an offset no timezone uses ({_utc(minutes)}); check the hours and minutes"


def _etc_hint(shown: str, sign: str, hours: int, year: int) -> str:
    """For a nonexistent ``Etc/GMT±N``: what it would mean and what to write instead."""
    meant, posix = (hours if sign == "+" else -hours) * 60, (-hours if sign == "+" else hours) * 60
    zones = _zones_for(meant, year) if _LOWEST <= meant <= _HIGHEST else None
    instead = f"; for {_utc(meant)} write {zones}" if zones else f"; {_utc(meant)} does not exist either"
    return f"'{shown}' would be {_utc(posix)} (POSIX zone names invert the sign), which does not exist{instead}"


def refusal(value: str) -> str | None:
    """Why a name zoneinfo loads is still no campaign zone (``localtime``, ``Factory``, ``posixrules``), or None."""
    text = value.strip()
    reason = _REFUSED.get(text.casefold())
    if reason:
        return f"'{text}' {reason}; write your audience's region/city zone, e.g. {EXAMPLE}"
    folder, _, rest = text.partition("/")
    if folder in ("posix", "right") and rest:
        why = "counts leap seconds (a clock about half a minute off)" if folder == "right" else "is an internal copy"
        instead = rest if rest in available_timezones() else f"a region/city zone such as {EXAMPLE}"
        return f"'{_shown(text)}' {why}; write {_shown(instead)}"
    return None


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    return {z.casefold(): z for z in sorted(available_timezones())}


@lru_cache(maxsize=1)
def _by_city() -> dict[str, str]:
    return {
        z.rsplit("/", 1)[-1].replace("_", " ").casefold(): z
        for z in sorted(available_timezones())
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }


def suggestion(value: str, *, now: datetime | None = None) -> str:
    """What to write instead of an unknown or refused timezone ``value`` (a complete sentence fragment).

    ``now`` picks the year whose offsets are meant (the current one when not given).
    """
    text = value.strip()
    shown = _shown(text)
    if len(text) > SHOWN:  # never a zone name: nothing worth matching
        return f"use an IANA city zone such as {EXAMPLE}"
    refused = refusal(text)
    if refused:
        return refused
    if text.casefold() in _UTC_NAMES:
        return f"'{shown}' means UTC; write UTC"
    year = (now or datetime.now(UTC)).year
    etc = _ETC.match(text)
    if etc and not _by_name().get(text.casefold()):
        return _etc_hint(shown, etc.group(1), int(etc.group(2)), year)
    minutes = _offset(text)
    if minutes is not None:
        return _offset_hint(shown, minutes, year)
    if text.upper() in ABBREVIATIONS:
        zone, note = ABBREVIATIONS[text.upper()]
        return f"'{shown}' is an abbreviation, not a timezone; write {zone}" + (f" ({note})" if note else "")
    named = _by_name().get(text.casefold()) or _by_city().get(re.sub(r"[\s_]+", " ", text).casefold())
    if named:
        return f"did you mean '{named}'?"
    from rapidfuzz import fuzz, process

    if "/" in text:  # a region was given: a typo in a full zone name ("Europe/Madird")
        full = process.extractOne(text, list(_by_city().values()), scorer=fuzz.WRatio, score_cutoff=80)
        if full:
            return f"did you mean '{full[0]}'?"
    cities = _by_city()
    match = process.extractOne(text.replace("_", " ").casefold(), list(cities), scorer=fuzz.WRatio, score_cutoff=80)
    if match:
        return f"did you mean '{cities[match[0]]}'?"
    return f"use an IANA city zone such as {EXAMPLE}"


def warning(value: str, *, now: datetime | None = None) -> str | None:
    """A valid zone that is probably a mistake: a fixed offset, a legacy abbreviation or a refused name (else None)."""
    refused = refusal(value)
    if refused:  # the validator should refuse these; until it does they are at least not silent
        return refused
    etc = _ETC.match(value)
    if etc and int(etc.group(2)):
        year = (now or datetime.now(UTC)).year
        hours = int(etc.group(2))
        written = (hours if etc.group(1) == "+" else -hours) * 60
        real = -written
        head = (
            f"'{value}' is {_utc(real)}, not {_utc(written)}: POSIX zone names invert the sign, "
            f"and it has no daylight saving"
        )
        parts = []
        for minutes in (written, real):
            if not _LOWEST <= minutes <= _HIGHEST:
                parts.append(f"{_utc(minutes)} does not exist")
            elif zones := _zones_for(minutes, year):
                parts.append(f"for {_utc(minutes)} write {zones}")
            else:
                parts.append(f"no city zone uses {_utc(minutes)}")
        return f"{head}; {'; '.join(parts)}"
    if value.upper() in ABBREVIATIONS and "/" not in value:
        zone, note = ABBREVIATIONS[value.upper()]
        return (
            f"'{value}' is an abbreviation with a fixed or legacy rule, not your audience's clock; "
            f"write a city zone such as {zone}" + (f" ({note})" if note else "")
        )
    return None
