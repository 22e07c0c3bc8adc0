"""Checks that need a whole validated campaign: unique ids, media, platform limits, templates per occurrence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from socialbot.errors import Problem
from socialbot.spec.actions import REDDIT_TITLE_MAX, capabilities_for, post_platforms
from socialbot.spec.campaign import Campaign
from socialbot.spec.media import check_post_media
from socialbot.spec.poll_checks import check_polls
from socialbot.spec.qa_checks import check_qa
from socialbot.spec.yamlsource import shown

MAX_REPORTED_PER_ITEM = 3


def check_campaign(campaign: Campaign, *, media_roots: Sequence[Path] = ()) -> list[Problem]:
    """Every problem of a parsed campaign; media may also live under ``media_roots`` (besides the file's folder)."""
    loc = campaign.located
    spec = campaign.spec
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    plans = {p.index: p for p in campaign.compiled.posts}
    file_total_said: str | None = None
    for i, post in enumerate(spec.posts):
        if post.id in first_seen:
            line, _ = loc.where(("posts", first_seen[post.id], "id"))
            problems.append(
                loc.problem(
                    ("posts", i, "id"),
                    f"post id '{post.id}' is already used by posts[{first_seen[post.id]}] (line {line}); ids must be unique in a file",
                )
            )
        first_seen.setdefault(post.id, i)
        platforms = post_platforms(campaign, post)
        extra = [p for p in platforms if p not in spec.campaign.platforms]
        if extra:
            problems.append(
                loc.problem(
                    ("posts", i, "platforms"),
                    f"{', '.join(extra)} is not among the campaign's platforms ({', '.join(spec.campaign.platforms)}); add it there or remove it here",
                )
            )
        for platform in platforms:
            caps = capabilities_for(platform)
            if platform == "reddit" and not post.reddit.subreddit:
                problems.append(
                    loc.problem(
                        ("posts", i), "a Reddit post needs 'reddit: {subreddit: NAME}' (the subreddit to post in)"
                    )
                )
            if post.thread is not None and len(post.thread) > caps.max_thread_parts:
                problems.append(
                    loc.problem(
                        ("posts", i, "thread"),
                        f"{len(post.thread)} parts; {platform} threads hold at most {caps.max_thread_parts}",
                    )
                )
            media = post.media_specs()
            if len(media) > caps.max_media:
                problems.append(
                    loc.problem(
                        ("posts", i, "media"), f"{len(media)} media files; {platform} allows at most {caps.max_media}"
                    )
                )
        if post.poll is not None:
            problems.extend(_check_poll(campaign, i, post, platforms))
        problems.extend(
            check_post_media(campaign, i, post, [capabilities_for(p) for p in platforms], roots=media_roots)
        )
        plan = plans[i]
        if plan.schedule_problem is not None:
            if plan.schedule_problem != file_total_said:  # the file's total is said once, at the first post past it
                problems.append(loc.problem(("posts", i, "schedule"), plan.schedule_problem))
            if "the file's posts produce" in plan.schedule_problem:
                file_total_said = plan.schedule_problem
        elif not plan.occurrences:
            problems.append(
                loc.problem(
                    ("posts", i, "schedule"),
                    "this schedule produces no occurrence between the campaign's starts and ends",
                )
            )
        body_key = "thread" if post.thread is not None else "variants" if post.variants is not None else "text"
        reported = 0
        for platform in platforms:
            caps = capabilities_for(platform)
            mine = [a for a in plan.actions if a.platform == platform]
            over = [(a.occurrence, a.part, a.over_by) for a in mine if a.over_by]  # (occurrence, part, by)
            titles = [a.draft.title for a in mine if a.part == 0 and platform == "reddit" and a.draft.title is not None]
            too_long = next((t for t in titles if len(t) > REDDIT_TITLE_MAX), None)
            if too_long is not None:
                problems.append(
                    loc.problem(
                        ("posts", i, "reddit", "title"),
                        f"title is {len(too_long) - REDDIT_TITLE_MAX} characters over Reddit's {REDDIT_TITLE_MAX}",
                    )
                )
            if plan.template_problem is not None and plan.template_platform == platform:
                problems.append(loc.problem(("posts", i, body_key), plan.template_problem))
                reported = MAX_REPORTED_PER_ITEM
            if reported >= MAX_REPORTED_PER_ITEM:
                break
            if over:
                occ_index, part, by = max(over, key=lambda o: o[2])
                where = ("posts", i, body_key, part) if post.thread is not None else ("posts", i, body_key)
                label = f"part {part + 1} " if post.thread is not None else ""
                counting = "weighted length: URLs count 23, wide characters 2" if caps.weighted_length else "characters"
                problems.append(
                    loc.problem(
                        where,
                        f"{label}text is {by} characters over {platform}'s {caps.max_text_length} limit ({counting}) "
                        f"in {len(over)} of {plan.occurrences} occurrences (worst: occurrence {occ_index}); shorten it or split it into a thread",
                    )
                )
                reported += 1
    used = {post_id: f"posts[{i}]" for post_id, i in first_seen.items()}
    problems.extend(check_polls(campaign, used))
    used |= {p.id: f"polls[{i}]" for i, p in reversed(list(enumerate(spec.polls))) if p.id not in used}
    problems.extend(check_qa(campaign, used))
    return problems


def _check_poll(campaign: Campaign, i: int, post, platforms: list[str]) -> list[Problem]:
    """Native poll limits come from each platform's Capabilities."""
    loc = campaign.located
    out: list[Problem] = []
    minutes = post.poll.minutes()
    for platform in platforms:
        limits = capabilities_for(platform).polls
        if limits is None:
            out.append(
                loc.problem(("posts", i, "poll"), f"{platform} has no native polls; remove 'poll' or the platform")
            )
            continue
        n = len(post.poll.options)
        if not limits.min_options <= n <= limits.max_options:
            out.append(
                loc.problem(
                    ("posts", i, "poll", "options"),
                    f"{n} options; {platform} polls take {limits.min_options} to {limits.max_options}",
                )
            )
        for j, option in enumerate(post.poll.options):
            if len(option) > limits.max_option_length:
                out.append(
                    loc.problem(
                        ("posts", i, "poll", "options", j),
                        f"option '{shown(option)}' is {len(option) - limits.max_option_length} characters over {platform}'s {limits.max_option_length}",
                    )
                )
        if not limits.min_duration_minutes <= minutes <= limits.max_duration_minutes:
            out.append(
                loc.problem(
                    ("posts", i, "poll", "duration"),
                    f"{post.poll.duration} is outside {platform}'s poll durations: {_minutes(limits.min_duration_minutes)} to {_minutes(limits.max_duration_minutes)}",
                )
            )
        if len(set(post.poll.options)) != n:
            out.append(loc.problem(("posts", i, "poll", "options"), "two options are the same"))
    return out


def _minutes(n: int) -> str:
    if n % 1440 == 0:
        return f"{n // 1440} day{'s' if n != 1440 else ''}"
    return f"{n} minutes"
