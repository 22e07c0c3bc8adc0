"""Compiles the engagement sections of a campaign: each poll's post, and the texts features post at run time."""

from __future__ import annotations

from datetime import UTC, datetime

from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import Occurrence, localize, parse_local
from socialbot.domain.polls import PollResults, ballot
from socialbot.domain.render import RenderContext, render
from socialbot.domain.textlimits import over_limit
from socialbot.domain.values import Draft, PollDraft
from socialbot.spec.actions import DraftOptions, capabilities_for, render_context
from socialbot.spec.campaign import Campaign
from socialbot.spec.models import PollItem, QaSession, _duration


def poll_platforms(campaign: Campaign, poll: PollItem) -> list[str]:
    return list(poll.platforms or campaign.spec.campaign.platforms)


def poll_actions(campaign: Campaign, poll: PollItem) -> list[PlannedAction]:
    """The poll's post on each of its platforms: a native poll, or the ballot of a reply poll; may raise TemplateProblem."""
    header = campaign.spec.campaign
    scheduled = parse_local(poll.opens)
    local = localize(scheduled, header.tz)
    occ = Occurrence(1, local, local.astimezone(UTC), scheduled)
    question = render(poll.question, render_context(campaign, occ))
    text = question if poll.kind == "native" else ballot(question, poll.options)
    native = PollDraft(options=tuple(poll.options), duration_minutes=int(poll.duration().total_seconds() // 60))
    catch_up = _duration(poll.catch_up_within or header.defaults.catch_up_within)
    out = []
    for platform in poll_platforms(campaign, poll):
        options: DraftOptions = {}
        if platform == "reddit":
            r = poll.reddit
            title = render(r.title, render_context(campaign, occ)) if r.title else question.strip().splitlines()[0]
            options.update({"title": title, "subreddit": r.subreddit, "flair": r.flair, "nsfw": r.nsfw})
        draft = Draft(text=text, poll=native if poll.kind == "native" else None, **options)
        out.append(
            PlannedAction(
                campaign_id=header.id,
                item_id=poll.id,
                occurrence=1,
                scheduled=scheduled,
                platform=platform,
                part=0,
                due_at=occ.utc,
                local=local,
                draft=draft,
                catch_up_within=catch_up,
                note=f"{poll.kind} poll: {len(poll.options)} options, open {poll.runs}",
                over_by=over_limit(text, capabilities_for(platform)),
                is_poll=True,
            )
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


def qa_platforms(campaign: Campaign, session: QaSession) -> list[str]:
    return list(session.platforms or campaign.spec.campaign.platforms)


def qa_actions(campaign: Campaign, session: QaSession) -> list[PlannedAction]:
    """The session's opening (a post or a thread) on each platform; may raise TemplateProblem.

    On Reddit it is a self post whose suggested sort is "Q&A" (never contest mode, which hides scores);
    the sandbox takes the same mark, so its simulated crowd knows to ask questions.
    """
    header = campaign.spec.campaign
    scheduled = parse_local(session.opens)
    local = localize(scheduled, header.tz)
    occ = Occurrence(1, local, local.astimezone(UTC), scheduled)
    ctx = render_context(campaign, occ)
    parts = [render(p, ctx) for p in session.parts()]
    catch_up = _duration(session.catch_up_within or header.defaults.catch_up_within)
    out = []
    for platform in qa_platforms(campaign, session):
        caps = capabilities_for(platform)
        for i, text in enumerate(parts):
            options: DraftOptions = {}
            if i == 0 and platform == "reddit":
                r = session.reddit
                title = render(r.title, ctx) if r.title else text.strip().splitlines()[0]
                options.update({"title": title, "subreddit": r.subreddit, "flair": r.flair, "suggested_sort": "qa"})
            elif i == 0 and platform == "sandbox":
                options["suggested_sort"] = "qa"
            out.append(
                PlannedAction(
                    campaign_id=header.id,
                    item_id=session.id,
                    occurrence=1,
                    scheduled=scheduled,
                    platform=platform,
                    part=i,
                    due_at=occ.utc,
                    local=local,
                    draft=Draft(text=text, **options),
                    catch_up_within=catch_up,
                    note=f"Q&A opens for {session.runs}" if i == 0 else None,
                    over_by=over_limit(text, caps),
                )
            )
    return out


def qa_summary_text(campaign: Campaign, session: QaSession, figures: dict[str, object], *, at: datetime) -> str:
    """The ``summary`` template rendered with the session's figures (``at``: when it is posted, UTC)."""
    return _render_with(campaign, session.summary or "", ("qa", figures), at=at)
