"""Compiles a validated campaign into its concrete planned actions (rendered drafts at UTC due times)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TypedDict

from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import (
    MAX_OCCURRENCES,
    Occurrence,
    Skipped,
    TooManyOccurrences,
    expand,
)
from socialbot.domain.render import RenderContext, TemplateProblem, render
from socialbot.domain.textlimits import over_limit
from socialbot.domain.values import CAPABILITIES, X_CAPABILITIES, Capabilities, Draft, MediaItem, PollDraft
from socialbot.spec.campaign import Campaign, PostPlan
from socialbot.spec.models import Post

REDDIT_TITLE_MAX = 300


class DraftOptions(TypedDict, total=False):
    """The platform options of a ``Draft``, gathered as its keyword arguments."""

    reply_settings: str | None
    title: str | None
    subreddit: str | None
    flair: str | None
    url: str | None
    suggested_sort: str | None
    nsfw: bool
    spoiler: bool


def capabilities_for(platform: str) -> Capabilities:
    """The limits a platform's texts are checked against; the sandbox is held to X's (the strictest)."""
    return CAPABILITIES.get(platform, X_CAPABILITIES)


def post_platforms(campaign: Campaign, post: Post) -> list[str]:
    return list(post.platforms or campaign.spec.campaign.platforms)


def occurrences(
    campaign: Campaign, post: Post, *, limit: int = MAX_OCCURRENCES
) -> tuple[list[Occurrence], list[Skipped]]:
    header = campaign.spec.campaign
    start, end = header.window()
    defaults = header.defaults
    return expand(
        post.schedule.to_rule(),
        tz=header.tz,
        window_start=start,
        window_end=end,
        quiet=defaults.quiet_hours.to_domain() if defaults.quiet_hours else None,
        blackout=frozenset(defaults.blackout_dates),
        limit=limit,
    )


def texts_for(post: Post, occurrence: int) -> list[str]:
    """The unrendered text of each part for one occurrence (variants rotate)."""
    if post.thread is not None:
        return list(post.thread)
    if post.variants is not None:
        return [post.variants[(occurrence - 1) % len(post.variants)]]
    return [post.text or ""]


def render_context(campaign: Campaign, occ: Occurrence) -> RenderContext:
    header = campaign.spec.campaign
    _, end = header.window()
    return RenderContext(
        campaign_id=header.id,
        campaign_name=header.name,
        occurrence=occ.index,
        local=occ.local,
        ends=end.date(),
        countdowns=tuple(sorted(header.countdowns.items())),
    )


Rendered = dict[tuple[str, int], str]  # (template, occurrence) -> text: one render serves every platform


def _render(source: str, ctx: RenderContext, rendered: Rendered | None) -> str:
    if rendered is None:
        return render(source, ctx)
    key = (source, ctx.occurrence)
    text = rendered.get(key)
    if text is None:
        text = rendered[key] = render(source, ctx)
    return text


def reddit_title(post: Post, first_part: str, ctx: RenderContext, rendered: Rendered | None = None) -> str:
    if post.reddit.title:
        return _render(post.reddit.title, ctx, rendered)
    return first_part.strip().splitlines()[0] if first_part.strip() else post.id


def build_drafts(
    campaign: Campaign, post: Post, occ: Occurrence, platform: str, *, rendered: Rendered | None = None
) -> list[Draft]:
    """Rendered drafts (one per part) of ``post`` at ``occ`` for ``platform``; may raise TemplateProblem.

    ``rendered`` keeps the texts of this post's occurrences across platforms (a text renders the same
    for every platform it goes to).
    """
    ctx = render_context(campaign, occ)
    parts = [_render(t, ctx, rendered) for t in texts_for(post, occ.index)]
    base = campaign.file.parent
    media = tuple(MediaItem(path=_resolved(base / m.path), alt_text=m.alt) for m in post.media_specs())
    drafts = []
    for i, text in enumerate(parts):
        options: DraftOptions = {}
        if platform == "x":
            options["reply_settings"] = post.x.reply_settings
        if platform == "reddit" and i == 0:
            r = post.reddit
            options.update(
                {
                    "title": reddit_title(post, text, ctx, rendered),
                    "subreddit": r.subreddit,
                    "flair": r.flair,
                    "url": r.url if r.kind == "link" else None,
                    "suggested_sort": r.suggested_sort,
                    "nsfw": r.nsfw,
                    "spoiler": r.spoiler,
                }
            )
        poll = (
            PollDraft(options=tuple(post.poll.options), duration_minutes=post.poll.minutes())
            if post.poll and i == 0
            else None
        )
        drafts.append(Draft(text=text, media=media if i == 0 else (), poll=poll, **options))
    return drafts


def _resolved(path: Path) -> str:
    """The absolute path with every symlink followed; a loop stays as written (checks.py reports it)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return os.path.abspath(path)


def compile_post(
    campaign: Campaign,
    index: int,
    post: Post,
    actions: list[PlannedAction],
    skipped: list[tuple[str, Skipped]],
    posts: list[PostPlan],
    left: list[int],
) -> None:
    header = campaign.spec.campaign
    try:
        occs, skips = occurrences(campaign, post, limit=left[0])
    except TooManyOccurrences as exc:
        posts.append(PostPlan(index=index, occurrences=0, actions=(), schedule_problem=str(exc)))
        left[0] = max(0, left[0] - exc.limit)  # the times expanded count: a file of many such posts stays bounded
        return
    left[0] -= len(occs) + len(skips)
    skipped.extend((post.id, s) for s in skips)
    mine: list[PlannedAction] = []
    problem: tuple[str, str] | None = None
    catch_up = campaign.spec.catch_up(post)
    rendered: Rendered = {}
    for platform in post_platforms(campaign, post):
        caps = capabilities_for(platform)
        for occ in occs:
            try:
                drafts = build_drafts(campaign, post, occ, platform, rendered=rendered)
            except TemplateProblem as exc:
                problem = (str(exc), platform)
                break
            mine.extend(
                PlannedAction(
                    campaign_id=header.id,
                    item_id=post.id,
                    occurrence=occ.index,
                    scheduled=occ.scheduled,
                    platform=platform,
                    part=part,
                    due_at=occ.utc,
                    local=occ.local,
                    draft=draft,
                    catch_up_within=catch_up,
                    note=occ.note,
                    over_by=over_limit(draft.text, caps),
                )
                for part, draft in enumerate(drafts)
            )
        if problem:
            break
    posts.append(
        PostPlan(
            index=index,
            occurrences=len(occs),
            actions=tuple(mine),
            template_problem=problem[0] if problem else None,
            template_platform=problem[1] if problem else None,
        )
    )
    if problem is None:
        actions.extend(mine)


def window_filter(actions: list[PlannedAction], *, start: datetime, end: datetime) -> list[PlannedAction]:
    """The actions due in [start, end): ``--days 1`` is one day, not one day and the next midnight."""
    return [a for a in actions if start <= a.due_at < end]
