"""Checks of the ``qa:`` section: ids, platforms, the window, the opening's limits, the FAQ file, the summary."""

from __future__ import annotations

from datetime import UTC, timedelta

from socialbot.domain.planning import localize, parse_local
from socialbot.domain.qa import OPENERS
from socialbot.domain.render import TemplateProblem
from socialbot.domain.textlimits import over_limit
from socialbot.errors import Problem
from socialbot.spec.actions import REDDIT_TITLE_MAX, capabilities_for
from socialbot.spec.campaign import Campaign
from socialbot.spec.engagement import item_platforms, qa_summary_text
from socialbot.spec.faq import checked_faq, faq_path
from socialbot.spec.item_checks import one_time_checks

QA_MIN = timedelta(minutes=5)
QA_MAX = timedelta(days=7)  # X's search reaches back 7 days: questions to an older post are not all collected
SAMPLE = {"questions": 120, "answered": 95, "unanswered": 25, "auto": 40, "human": 50, "on_platform": 5}
SAMPLE_FIGURES: dict[str, object] = {**SAMPLE, "median_minutes": 12, "p90_minutes": 48, "groups": 100}


def check_qa(campaign: Campaign, used_ids: dict[str, str]) -> list[Problem]:
    """Every problem of the campaign's Q&A sessions; ``used_ids`` names what else each item id is used by."""
    loc = campaign.located
    spec = campaign.spec
    out: list[Problem] = []
    over = {(a.item_id, a.platform, a.part): a.over_by for a in campaign.compiled.actions if a.over_by}
    failed = dict(campaign.compiled.qa_problems)
    out.extend(one_time_checks(campaign, "qa", spec.qa, used_ids))
    for i, session in enumerate(spec.qa):
        platforms = item_platforms(campaign, session)
        if not QA_MIN <= session.duration() <= QA_MAX:
            out.append(loc.problem(("qa", i, "runs"), f"{session.runs}: a Q&A session runs 5 minutes to 7 days"))
        body = "thread" if session.thread is not None else "opening"
        for platform in platforms:
            caps = capabilities_for(platform)
            if platform == "reddit" and not session.reddit.subreddit:
                out.append(loc.problem(("qa", i), "a Reddit Q&A needs 'reddit: {subreddit: NAME}'"))
            if len(session.parts()) > caps.max_thread_parts:
                out.append(
                    loc.problem(
                        ("qa", i, "thread"), f"{len(session.parts())} parts; {platform} takes {caps.max_thread_parts}"
                    )
                )
            for part in range(len(session.parts())):
                if by := over.get((session.id, platform, part)):
                    where = ("qa", i, body, part) if session.thread is not None else ("qa", i, body)
                    out.append(
                        loc.problem(where, f"text is {by} characters over {platform}'s {caps.max_text_length} limit")
                    )
        title = next(
            (a.draft.title for a in campaign.compiled.actions if a.item_id == session.id and a.draft.title), None
        )
        if title is not None and len(title) > REDDIT_TITLE_MAX:
            out.append(
                loc.problem(
                    ("qa", i, "reddit", "title"),
                    f"title is {len(title) - REDDIT_TITLE_MAX} characters over Reddit's {REDDIT_TITLE_MAX}",
                )
            )
        if i in failed:
            out.append(loc.problem(("qa", i, body), failed[i]))
        if session.faq is not None:
            out.extend(_faq(campaign, i, session.faq, platforms))
        if session.summary is not None:
            closes = localize(parse_local(session.opens), spec.campaign.tz).astimezone(UTC) + session.duration()
            try:
                text = qa_summary_text(campaign, session, SAMPLE_FIGURES, at=closes)
            except TemplateProblem as exc:
                out.append(loc.problem(("qa", i, "summary"), str(exc)))
            else:
                for platform in platforms:
                    limit = capabilities_for(platform).max_text_length
                    if by := over_limit(text, capabilities_for(platform)):
                        out.append(
                            loc.problem(
                                ("qa", i, "summary"),
                                f"the summary can be {by} characters over {platform}'s {limit} limit",
                            )
                        )
                        break
    return out


def _faq(campaign: Campaign, i: int, name: str, platforms: list[str]) -> list[Problem]:
    loc = campaign.located
    path = faq_path(campaign.file, name)
    if not path.is_file():
        return [loc.problem(("qa", i, "faq"), f"no FAQ file at {path}; the path is relative to the campaign file")]
    entries, problems = checked_faq(path)
    out = list(problems)
    opener = max(OPENERS, key=len)
    longest = len(opener)
    for platform in platforms:
        caps = capabilities_for(platform)
        limit = caps.max_text_length
        too_long = [a for e in entries for a in e.answers if over_limit(opener + a, caps)]  # X's weighted count
        if too_long:
            out.append(
                loc.problem(
                    ("qa", i, "faq"),
                    f"{len(too_long)} answers in {name} are over {platform}'s {limit - longest} characters "
                    f"(an answer may open with up to {longest} more, e.g. 'Thanks for asking! ')",
                )
            )
            break
    return out
