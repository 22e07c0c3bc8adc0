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
from socialbot.spec.models import PollItem, _duration


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
    header = campaign.spec.campaign
    local = at.astimezone(header.tz)
    _, end = header.window()
    ctx = RenderContext(
        campaign_id=header.id,
        campaign_name=header.name,
        occurrence=1,
        local=local,
        ends=end.date(),
        countdowns=tuple(sorted(header.countdowns.items())),
        extra=(("poll", results.variables()),),
    )
    return render(poll.announce_results or "", ctx)
