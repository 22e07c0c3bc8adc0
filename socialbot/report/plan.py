"""Renders a campaign plan (the concrete timeline) as a table or JSON."""

from __future__ import annotations

import json

from rich.console import Console

from socialbot.app.planning import PlanView
from socialbot.domain.ledger import PlannedAction


def plan_rows(actions: list[PlannedAction]) -> list[dict[str, object]]:
    return [
        {
            "key": a.key,
            "campaign": a.campaign_id,
            "item": a.item_id,
            "occurrence": a.occurrence,
            "platform": a.platform,
            "part": a.part + 1,
            "due_utc": a.due_at.isoformat(),
            "due_local": a.local.isoformat(),
            "text": a.draft.text,
            "title": a.draft.title,
            "subreddit": a.draft.subreddit,
            "note": a.note,
            "over_limit_by": a.over_by,
        }
        for a in actions
    ]


def render_plan_json(plan: PlanView) -> str:
    return json.dumps(
        {
            "actions": plan_rows(plan.actions),
            "skipped": [
                {"item": item, "scheduled_local": s.scheduled.isoformat(), "reason": s.reason}
                for item, s in plan.skipped
            ],
            "api_estimates": [e.to_dict() for e in plan.estimates],
        },
        indent=2,
        ensure_ascii=False,
    )


def render_plan_table(plan: PlanView, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    actions = plan.actions
    table = Table(title=f"Plan: {len(actions)} actions over {plan.days} days", title_justify="left")
    table.add_column("when (local)")
    table.add_column("platform")
    table.add_column("item")
    table.add_column("text", overflow="fold", max_width=70)
    table.add_column("notes", overflow="fold", max_width=40)
    threads = {(b.campaign_id, b.item_id) for b in actions if b.part > 0}
    for a in actions:  # cells are Text, not markup: a campaign's text is shown as written, and not parsed again
        preview = a.draft.text if len(a.draft.text) <= 90 else a.draft.text[:87] + "…"
        notes = Text(a.note or "")
        if a.over_by:
            notes.append(("; " if a.note else "") + f"⚠ {a.over_by} characters over the limit", style="red")
        item = a.item_id + (f" [{a.part + 1}]" if (a.campaign_id, a.item_id) in threads else "")
        table.add_row(
            Text(a.local.strftime("%a %Y-%m-%d %H:%M %Z")), Text(a.platform), Text(item), Text(preview), notes
        )
    console.print(table, crop=False)  # the table is as wide as the console at most: nothing to crop
    for item, s in plan.skipped:
        console.print(f"  skipped {escape(item)} at {s.scheduled:%Y-%m-%d %H:%M}: {escape(s.reason)}")
    for e in plan.estimates:
        cost = f", about ${e.cost_usd:.2f}" if e.cost_usd is not None else ""
        console.print(f"  {e.campaign} on {e.platform}, whole campaign: about {e.calls} API calls ({e.detail}){cost}")
