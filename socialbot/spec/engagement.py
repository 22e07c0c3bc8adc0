"""Compiles the engagement sections of a campaign: each poll's post, and the texts features post at run time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import Occurrence, localize, parse_local
from socialbot.domain.polls import PollResults, ballot
from socialbot.domain.render import RenderContext, render
from socialbot.domain.textlimits import over_limit
from socialbot.domain.values import Draft, PollDraft
from socialbot.spec.actions import DraftOptions, capabilities_for, render_context
from socialbot.spec.campaign import Campaign
from socialbot.spec.models import PollItem, QaSession, _duration


def item_platforms(campaign: Campaign, item: PollItem | QaSession) -> list[str]:
    """The platforms a poll or session goes to: its own, or all of the campaign's."""
    return list(item.platforms or campaign.spec.campaign.platforms)


def _once(campaign: Campaign, item: PollItem | QaSession) -> tuple[Occurrence, timedelta]:
    """The one occurrence of a poll or session (at its ``opens``) and its catch-up window."""
    header = campaign.spec.campaign
    scheduled = parse_local(item.opens)
    local = localize(scheduled, header.tz)
    catch_up = _duration(item.catch_up_within or header.defaults.catch_up_within)
    return Occurrence(1, local, local.astimezone(UTC), scheduled), catch_up


def _action(
    campaign: Campaign,
    item_id: str,
    occ: Occurrence,
    catch_up: timedelta,
    *,
    platform: str,
    part: int,
    draft: Draft,
    note: str | None,
    is_poll: bool = False,
) -> PlannedAction:
    return PlannedAction(
        campaign_id=campaign.id,
        item_id=item_id,
        occurrence=1,
        scheduled=occ.scheduled,
        platform=platform,
        part=part,
        due_at=occ.utc,
        local=occ.local,
        draft=draft,
        catch_up_within=catch_up,
        note=note,
        over_by=over_limit(draft.text, capabilities_for(platform)),
        is_poll=is_poll,
    )


def _reddit_options(item: PollItem | QaSession, first_part: str, ctx: RenderContext) -> DraftOptions:
    r = item.reddit
    title = render(r.title, ctx) if r.title else first_part.strip().splitlines()[0]
    return {"title": title, "subreddit": r.subreddit, "flair": r.flair, "nsfw": r.nsfw}


def poll_actions(campaign: Campaign, poll: PollItem) -> list[PlannedAction]:
    """The poll's post on each of its platforms: a native poll, or the ballot of a reply poll; may raise TemplateProblem."""
    occ, catch_up = _once(campaign, poll)
    ctx = render_context(campaign, occ)
    question = render(poll.question, ctx)
    text = question if poll.kind == "native" else ballot(question, poll.options)
    native = PollDraft(options=tuple(poll.options), duration_minutes=int(poll.duration().total_seconds() // 60))
    note = f"{poll.kind} poll: {len(poll.options)} options, open {poll.runs}"
    out = []
    for platform in item_platforms(campaign, poll):
        options = _reddit_options(poll, question, ctx) if platform == "reddit" else DraftOptions()
        draft = Draft(text=text, poll=native if poll.kind == "native" else None, **options)
        out.append(
            _action(campaign, poll.id, occ, catch_up, platform=platform, part=0, draft=draft, note=note, is_poll=True)
        )
    return out


def announcement_text(campaign: Campaign, poll: PollItem, results: PollResults, *, at: datetime) -> str:
    """The ``announce_results`` template rendered with the poll's results (``at``: when it is posted, UTC)."""
    return _render_with(campaign, poll.announce_results or "", ("poll", results.variables()), at=at)


def _render_with(campaign: Campaign, source: str, extra: tuple[str, object], *, at: datetime) -> str:
    header = campaign.spec.campaign
    _, end = header.window()
    ctx = RenderContext(
        campaign_id=header.id,
        campaign_name=header.name,
        occurrence=1,
        local=at.astimezone(header.tz),
        ends=end.date(),
        countdowns=tuple(sorted(header.countdowns.items())),
        extra=(extra,),
    )
    return render(source, ctx)


def qa_actions(campaign: Campaign, session: QaSession) -> list[PlannedAction]:
    """The session's opening (a post or a thread) on each platform; may raise TemplateProblem.

    On Reddit it is a self post whose suggested sort is "Q&A" (never contest mode, which hides scores);
    the sandbox takes the same mark, so its simulated crowd knows to ask questions.
    """
    occ, catch_up = _once(campaign, session)
    ctx = render_context(campaign, occ)
    parts = [render(p, ctx) for p in session.parts()]
    out = []
    for platform in item_platforms(campaign, session):
        for i, text in enumerate(parts):
            options = DraftOptions()
            if i == 0 and platform == "reddit":
                options = _reddit_options(session, text, ctx)
            if i == 0 and platform in ("reddit", "sandbox"):
                options["suggested_sort"] = "qa"
            note = f"Q&A opens for {session.runs}" if i == 0 else None
            draft = Draft(text=text, **options)
            out.append(_action(campaign, session.id, occ, catch_up, platform=platform, part=i, draft=draft, note=note))
    return out


def qa_summary_text(campaign: Campaign, session: QaSession, figures: dict[str, object], *, at: datetime) -> str:
    """The ``summary`` template rendered with the session's figures (``at``: when it is posted, UTC)."""
    return _render_with(campaign, session.summary or "", ("qa", figures), at=at)
