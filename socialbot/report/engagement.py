"""Renders the engagement report of a campaign as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

from socialbot.app.reports import EngagementReport, PublicationLine
from socialbot.domain.metrics import ENGAGING_KINDS
from socialbot.report.cells import neutralise, printable


def render_json(report: EngagementReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_csv(report: EngagementReport) -> str:
    """One row per publication, then a TOTAL row; the formula is named in its own column."""
    out = io.StringIO()
    fields = list(PublicationLine.__dataclass_fields__)
    writer = csv.writer(out)
    writer.writerow([*fields, "formula"])
    for line in report.lines:
        writer.writerow([*(neutralise(getattr(line, f)) for f in fields), report.formula])
    total = {
        "item": f"TOTAL ({report.publications} publications, {report.unique_people} people, {report.interactions_total} interactions)",
        "replies": sum(line.replies for line in report.lines),
        "likes": sum(line.likes for line in report.lines),
        "reposts": sum(line.reposts for line in report.lines),
        "quotes": sum(line.quotes for line in report.lines),
        "engagements": report.engagements,
        "impressions": report.impressions,
        "engagement_rate": report.engagement_rate,
    }
    writer.writerow([*(neutralise(total.get(f, "")) for f in fields), report.formula])
    return out.getvalue()


def render_table(report: EngagementReport, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    console.print(
        f"[bold]{escape(report.campaign_name)}[/bold] ({report.campaign_id}) — engagement report, {report.generated_at}"
    )
    summary = Table(show_header=False, box=None, pad_edge=False)
    summary.add_row("publications", str(report.publications))
    summary.add_row(
        "interactions",
        f"{report.interactions_total}  " + ", ".join(f"{k}: {v}" for k, v in report.interactions_by_kind.items()),
    )
    summary.add_row("unique people", str(report.unique_people))
    summary.add_row("engagements", f"{report.engagements} ({', '.join(ENGAGING_KINDS)})")
    if report.impressions:
        summary.add_row("impressions", str(report.impressions))
    rate = f"{report.engagement_rate:.2%}" if report.engagement_rate is not None else "n/a"
    summary.add_row("engagement rate", f"{rate}   [dim]{report.formula}[/dim]")
    console.print(summary)
    table = Table(title="Per publication", show_lines=False)
    for col in (
        "published",
        "item",
        "platform",
        "replies",
        "likes",
        "reposts",
        "quotes",
        "engagements",
        "impressions",
        "rate",
    ):
        table.add_column(col, justify="right" if col not in ("published", "item", "platform") else "left")
    for line in report.lines:
        table.add_row(
            line.published,
            escape(line.item + (f" #{line.part + 1}" if line.part else "")),
            line.platform,
            str(line.replies),
            str(line.likes),
            str(line.reposts),
            str(line.quotes),
            str(line.engagements),
            str(line.impressions) if line.impressions is not None else "-",
            f"{line.engagement_rate:.2%}" if line.engagement_rate is not None else "-",
        )
    console.print(table)
    if report.polls:
        _polls_section(report.polls, console, campaign_id=report.campaign_id)
    if report.qa:
        _qa_section(report.qa, console)


def _polls_section(polls: list[dict], console, *, campaign_id: str) -> None:
    """One line per poll and platform: its state, its votes per option, the winner once final."""
    from rich.text import Text

    console.print(Text("Polls", style="bold"))
    for p in polls:
        shares = " · ".join(f"{o['label']}) {o['text']} {o['percent']:.0f}% ({o['votes']})" for o in p["options"])
        head = f"  {p['poll']} on {p['platform']} ({p['kind']} poll, {p['state']}): {p['total_votes']} votes"
        if p["winner"]:
            head += f", winner: {p['winner']}"
        console.print(Text(head))
        console.print(Text(f"    {shares}"))
    console.print(
        Text(f"  `socialbot polls {campaign_id}` shows each poll's counting rule and what was left out", style="dim")
    )


def _qa_section(sessions: list[dict], console) -> None:
    """Each Q&A session's figures, and its most asked questions still waiting for an answer."""
    from rich.text import Text

    from socialbot.report.qa import figures_line

    console.print(Text("Q&A", style="bold"))
    for s in sessions:
        console.print(Text(f"  {s['session']}: {figures_line(s['figures'])}"))
        for q in s["unanswered"][:5]:
            console.print(
                Text(f"    unanswered #{q['id']} (asked by {q['asked_by']}): {printable(q['question'][:100])}")
            )
        if len(s["unanswered"]) > 5:
            console.print(Text(f"    … {len(s['unanswered']) - 5} more: socialbot qa list {s['session']} --unanswered"))
