"""Checks every one-time item (a poll, a Q&A session) gets: a unique id, the campaign's platforms, an opening inside it."""

from __future__ import annotations

from collections.abc import Sequence

from socialbot.domain.planning import parse_local
from socialbot.errors import Problem
from socialbot.spec.campaign import Campaign
from socialbot.spec.engagement import item_platforms
from socialbot.spec.models import PollItem, QaSession


def one_time_checks(
    campaign: Campaign, section: str, items: Sequence[PollItem | QaSession], used: dict[str, str]
) -> list[Problem]:
    """The problems of ``items`` (the ``section`` list of the file); ``used`` names what else uses each id."""
    loc = campaign.located
    header = campaign.spec.campaign
    start, end = header.window()
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in used:
            out.append(
                loc.problem(
                    (section, i, "id"),
                    f"id '{item.id}' is already used by {used[item.id]}; ids must be unique in a file",
                )
            )
        elif item.id in seen:
            out.append(loc.problem((section, i, "id"), f"id '{item.id}' is already used by {section}[{seen[item.id]}]"))
        seen.setdefault(item.id, i)
        extra = [p for p in item_platforms(campaign, item) if p not in header.platforms]
        if extra:
            out.append(
                loc.problem(
                    (section, i, "platforms"),
                    f"{', '.join(extra)} is not among the campaign's platforms ({', '.join(header.platforms)})",
                )
            )
        if not start <= parse_local(item.opens) <= end:
            out.append(
                loc.problem(
                    (section, i, "opens"),
                    f"{item.opens} is outside the campaign ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}); move it inside",
                )
            )
    return out
