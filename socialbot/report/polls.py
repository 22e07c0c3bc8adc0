"""Renders a campaign's polls (state and latest or final results) as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console

from socialbot.app.polls import PollLine
from socialbot.report.cells import neutralise

NOT_WHO = (
    "Native polls report totals per option only: the platforms never say who voted, so votes are never contest entries."
)


def poll_dicts(lines: list[PollLine]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in lines]


def render_polls_json(campaign_id: str, lines: list[PollLine]) -> str:
    return json.dumps(
        {"campaign": campaign_id, "note": NOT_WHO, "polls": poll_dicts(lines)}, indent=2, ensure_ascii=False
    )


def render_polls_csv(lines: list[PollLine]) -> str:
    """One row per option of each poll on each platform (formula-safe)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["poll", "platform", "kind", "state", "final", "option", "text", "votes", "percent", "total_votes", "rule"]
    )
    for p in lines:
        for o in p.results.options:
            row = [
                p.poll_id,
                p.platform,
                p.kind,
                p.state,
                p.results.final,
                o.label,
                o.text,
                o.votes,
                round(o.percent, 1),
                p.results.total,
                p.rule,
            ]
            writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def render_polls_table(campaign_id: str, lines: list[PollLine], console: Console, *, timezone: str = "UTC") -> None:
    from zoneinfo import ZoneInfo

    from rich.table import Table
    from rich.text import Text

    if not lines:
        console.print(f"Campaign {campaign_id} has no polls.")
        return
    tz = ZoneInfo(timezone)
    console.print(Text(f"Polls of {campaign_id}", style="bold"))
    rules: dict[str, str] = {}
    for p in lines:
        when = f"{p.opens_at.astimezone(tz):%a %Y-%m-%d %H:%M} → {p.closes_at.astimezone(tz):%a %Y-%m-%d %H:%M %Z}"
        console.print(Text(f"{p.poll_id} on {p.platform}: {p.kind} poll, {p.state}, {when}", style="bold"))
        table = Table()
        table.add_column("option")
        table.add_column("votes", justify="right")
        table.add_column("share", justify="right")
        table.add_column("", min_width=20)
        top = max((o.votes for o in p.results.options), default=0)
        for o in p.results.options:
            bar = "█" * round(20 * o.votes / top) if top else ""
            table.add_row(Text(f"{o.label}) {o.text}"), str(o.votes), f"{o.percent:.0f}%", bar)
        console.print(Text(p.question))
        console.print(table)
        if p.results.final:
            verdict = f"final: {p.results.total} votes; winner: {p.results.winner}"
        elif p.taken_at is not None:
            verdict = f"live: {p.results.total} votes at {p.taken_at.astimezone(tz):%Y-%m-%d %H:%M %Z} ({p.snapshots} counts taken)"
        else:
            verdict = "no votes counted yet"
        if p.detail:
            verdict += (
                f"; replies read: {p.detail.get('replies', 0)}, outside the window: {p.detail.get('outside_window', 0)}, "
                f"not a vote: {p.detail.get('unreadable', 0)}, changed their vote: {p.detail.get('changed', 0)}"
            )
        console.print(Text(f"  {verdict}"))
        rules[p.kind] = p.rule
        console.print()
    for kind, rule in sorted(rules.items()):
        console.print(Text(f"{kind} polls: {rule}"))
    if "native" in rules:
        console.print(Text(NOT_WHO))
