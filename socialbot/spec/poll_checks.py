"""Checks of the ``polls:`` section: ids, platforms, each platform's native poll limits, reply-poll ballots, templates."""

from __future__ import annotations

from datetime import UTC, timedelta

from socialbot.domain.planning import localize, parse_local
from socialbot.domain.polls import MAX_REPLY_OPTIONS, misread_options, results
from socialbot.domain.render import TemplateProblem
from socialbot.domain.textlimits import over_limit
from socialbot.errors import Problem
from socialbot.spec.actions import REDDIT_TITLE_MAX, capabilities_for
from socialbot.spec.campaign import Campaign
from socialbot.spec.engagement import announcement_text, item_platforms
from socialbot.spec.item_checks import one_time_checks
from socialbot.spec.models import PollItem
from socialbot.spec.yamlsource import shown

REPLY_MIN = timedelta(minutes=5)
REPLY_MAX = timedelta(days=7)  # X's search reaches back 7 days: replies to an older post are not all collected
MAX_OPTION_LENGTH = 100  # a reply poll's option, as its ballot shows it


def check_polls(campaign: Campaign, used: dict[str, str]) -> list[Problem]:
    """Every problem of the campaign's polls; ``used`` names what else uses each id (an item id is unique)."""
    loc = campaign.located
    spec = campaign.spec
    out: list[Problem] = []
    over = {(a.item_id, a.platform): a.over_by for a in campaign.compiled.actions if a.is_poll and a.over_by}
    titles = {a.item_id: a.draft.title for a in campaign.compiled.actions if a.is_poll and a.draft.title}
    failed = dict(campaign.compiled.poll_problems)
    out.extend(one_time_checks(campaign, "polls", spec.polls, used))
    for i, poll in enumerate(spec.polls):
        platforms = item_platforms(campaign, poll)
        if any(not o.strip() for o in poll.options):
            out.append(loc.problem(("polls", i, "options"), "an option is empty; write its text"))
        if len({o.strip().casefold() for o in poll.options}) != len(poll.options):
            out.append(loc.problem(("polls", i, "options"), "two options are the same"))
        if poll.kind == "native":
            out.extend(_native_limits(campaign, i, poll, platforms))
        else:
            out.extend(_reply_limits(campaign, i, poll))
            out.extend(loc.problem(("polls", i, "options"), why) for why in misread_options(poll.options))
        for platform in platforms:
            if platform == "reddit" and not poll.reddit.subreddit:
                out.append(loc.problem(("polls", i), "a Reddit poll needs 'reddit: {subreddit: NAME}'"))
            if (poll.id, platform) in over:
                caps = capabilities_for(platform)
                out.append(
                    loc.problem(
                        ("polls", i, "question"),
                        f"the poll's text is {over[(poll.id, platform)]} characters over {platform}'s "
                        f"{caps.max_text_length} limit"
                        + (" (with its ballot of options)" if poll.kind == "reply" else ""),
                    )
                )
        title = titles.get(poll.id)
        if title is not None and len(title) > REDDIT_TITLE_MAX:
            out.append(
                loc.problem(
                    ("polls", i, "reddit", "title"),
                    f"title is {len(title) - REDDIT_TITLE_MAX} characters over Reddit's {REDDIT_TITLE_MAX}",
                )
            )
        if i in failed:
            out.append(loc.problem(("polls", i, "question"), failed[i]))
        if poll.announce_results is not None:
            out.extend(_announcement(campaign, i, poll))
    return out


def _native_limits(campaign: Campaign, i: int, poll: PollItem, platforms: list[str]) -> list[Problem]:
    loc = campaign.located
    out: list[Problem] = []
    minutes = int(poll.duration().total_seconds() // 60)
    for platform in platforms:
        limits = capabilities_for(platform).polls
        if limits is None:
            out.append(loc.problem(("polls", i, "kind"), f"{platform} has no native polls; use 'kind: reply'"))
            continue
        n = len(poll.options)
        if not limits.min_options <= n <= limits.max_options:
            out.append(
                loc.problem(
                    ("polls", i, "options"),
                    f"{n} options; {platform} polls take {limits.min_options} to {limits.max_options} "
                    "(or use 'kind: reply' for up to 10)",
                )
            )
        for j, option in enumerate(poll.options):
            if len(option) > limits.max_option_length:
                out.append(
                    loc.problem(
                        ("polls", i, "options", j),
                        f"option '{shown(option)}' is {len(option) - limits.max_option_length} characters over "
                        f"{platform}'s {limits.max_option_length}",
                    )
                )
        if platform == "reddit" and minutes % 1440:
            out.append(loc.problem(("polls", i, "runs"), f"{poll.runs}: Reddit polls run whole days (1d to 7d)"))
        elif not limits.min_duration_minutes <= minutes <= limits.max_duration_minutes:
            out.append(
                loc.problem(
                    ("polls", i, "runs"),
                    f"{poll.runs} is outside {platform}'s poll durations: {_span(limits.min_duration_minutes)} "
                    f"to {_span(limits.max_duration_minutes)}",
                )
            )
    return out


def _reply_limits(campaign: Campaign, i: int, poll: PollItem) -> list[Problem]:
    loc = campaign.located
    out: list[Problem] = []
    if len(poll.options) > MAX_REPLY_OPTIONS:
        out.append(
            loc.problem(
                ("polls", i, "options"), f"{len(poll.options)} options; a reply poll takes 2 to {MAX_REPLY_OPTIONS}"
            )
        )
    for j, option in enumerate(poll.options):
        if not option.strip() or "\n" in option or len(option) > MAX_OPTION_LENGTH:
            out.append(
                loc.problem(("polls", i, "options", j), f"an option is one line of 1 to {MAX_OPTION_LENGTH} characters")
            )
    if not REPLY_MIN <= poll.duration() <= REPLY_MAX:
        out.append(loc.problem(("polls", i, "runs"), f"{poll.runs}: a reply poll runs 5 minutes to 7 days"))
    return out


def _announcement(campaign: Campaign, i: int, poll: PollItem) -> list[Problem]:
    """The announcement must render for any result: tried with votes on every option and with none at all."""
    loc = campaign.located
    tz = campaign.spec.campaign.tz
    closes = localize(parse_local(poll.opens), tz).astimezone(UTC) + poll.duration()
    tries = (
        results(poll.options, [len(poll.options) - k for k in range(len(poll.options))], final=True),
        results(poll.options, [0] * len(poll.options), final=True),
    )
    for sample in tries:
        try:
            text = announcement_text(campaign, poll, sample, at=closes)
        except TemplateProblem as exc:
            return [loc.problem(("polls", i, "announce_results"), str(exc))]
        for platform in item_platforms(campaign, poll):
            caps = capabilities_for(platform)
            if by := over_limit(text, caps):
                return [
                    loc.problem(
                        ("polls", i, "announce_results"),
                        f"the announcement can be {by} characters over {platform}'s {caps.max_text_length} limit",
                    )
                ]
    return []


def _span(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day{'s' if minutes != 1440 else ''}"
    return f"{minutes} minutes"
