"""Loading campaign files without a database: validated, compiled once, media confined as settings say.

Light on purpose: `validate` and `plan` import only this (and the spec layer), never the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from socialbot.domain.planning import localize
from socialbot.settings import Settings, load_settings
from socialbot.spec.campaign import Campaign, LoadResult
from socialbot.spec.loader import LoadCache, load_paths


def load_files(
    paths: Sequence[Path], *, settings: Settings | None = None, cache: LoadCache | None = None
) -> LoadResult:
    """Every campaign file under ``paths``, validated and compiled once (its plan is kept with it).

    Media may be in each campaign file's folder or in ``settings.media_root``; without ``settings``
    they are read from the environment and .env, so every command confines media the same way.
    With ``cache``, a file whose bytes did not change since the last call is not parsed again.
    """
    config = settings if settings is not None else load_settings()
    return load_paths(list(paths), media_roots=media_roots(config), cache=cache)


def media_roots(settings: Settings) -> tuple[Path, ...]:
    """The folders media may come from besides each campaign file's own folder (SOCIALBOT_MEDIA_ROOT)."""
    return (settings.media_root,) if settings.media_root is not None else ()


def utc_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """The campaign's starts and ends as UTC instants."""
    header = campaign.spec.campaign
    start, end = header.window()
    return localize(start, header.tz).astimezone(UTC), localize(end, header.tz).astimezone(UTC)
