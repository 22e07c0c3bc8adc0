"""Compiles a validated campaign into its concrete planned actions: posts, polls, Q&A openings, in due order."""

from __future__ import annotations

from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import MAX_FILE_OCCURRENCES, Skipped
from socialbot.domain.render import TemplateProblem, render_budget
from socialbot.spec.actions import compile_post
from socialbot.spec.campaign import Campaign, CompiledPlan, PostPlan
from socialbot.spec.engagement import poll_actions, qa_actions


def compile_campaign(campaign: Campaign) -> CompiledPlan:
    """Every planned action of the campaign, in due order; a post whose template fails is recorded, not raised."""
    actions: list[PlannedAction] = []
    skipped: list[tuple[str, Skipped]] = []
    posts: list[PostPlan] = []
    left = [MAX_FILE_OCCURRENCES]  # what the file's later posts may still produce
    poll_problems: list[tuple[int, str]] = []
    qa_problems: list[tuple[int, str]] = []
    with render_budget():
        for index, post in enumerate(campaign.spec.posts):
            compile_post(campaign, index, post, actions, skipped, posts, left)
        for index, poll in enumerate(campaign.spec.polls):
            try:
                actions.extend(poll_actions(campaign, poll))
            except TemplateProblem as exc:
                poll_problems.append((index, str(exc)))
        for index, session in enumerate(campaign.spec.qa):
            try:
                actions.extend(qa_actions(campaign, session))
            except TemplateProblem as exc:
                qa_problems.append((index, str(exc)))
    actions.sort(key=lambda a: (a.due_at, a.item_id, a.platform, a.part))
    return CompiledPlan(
        actions=actions,
        skipped=skipped,
        posts=tuple(posts),
        poll_problems=tuple(poll_problems),
        qa_problems=tuple(qa_problems),
    )
