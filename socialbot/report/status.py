"""Renders `socialbot status` (a typed StatusReport) as readable lines or JSON."""

from __future__ import annotations

import json

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from socialbot.app.status import StatusReport


def _daemon_line(daemon: dict[str, str] | None) -> str:
    if daemon is None:
        return "not running"
    if daemon["state"] == "stale":
        return (
            f"not running (the lock of {escape(daemon['holder'])} is stale since its last heartbeat at "
            f"{daemon['heartbeat']}: it stopped without releasing it; a new daemon takes over)"
        )
    return f"running as {escape(daemon['holder'])}, last heartbeat {daemon['heartbeat']}"


def render_status(report: StatusReport, *, fmt: str, console: Console) -> None:
    """`socialbot status` as text lines or JSON."""
    if fmt == "json":
        console.print_json(json.dumps(report.to_dict()))
        return
    lines: list[str] = []  # printed at once: one print per line costs more than the query at 500 campaigns
    lines.append(f"daemon: {_daemon_line(report.daemon)}")
    if report.database != "ok":
        lines.append(f"database: {report.database}")
    if report.rehearsal:
        lines.append("database: a sandbox rehearsal (simulate or run --sandbox); nothing here went to a real account")
    if not report.campaigns:
        lines.append("no campaigns in this database yet")
    for note in report.files:
        lines.append(f"  {'[red]' + escape(note) + '[/red]' if note.startswith('credentials') else escape(note)}")
    for c in report.campaigns:
        ledger = ", ".join(f"{k}: {v}" for k, v in sorted(c.ledger.items())) or "nothing planned"
        lines.append(
            f"\n[bold]{escape(c.name)}[/bold] ({c.id}){'' if c.active else ' [dim](retired)[/dim]'}\n  ledger: {ledger}"
        )
        for n in c.next:
            lines.append(f"  next: {n['due_local']}  {n['platform']}  {escape(n['key'])}")
        if c.credentials:
            lines.append(f"  [red]credentials[/red]: {escape(c.credentials)}")
        for p in c.problems:
            lines.append(f"  [red]{p.status}[/red]: {escape(p.key)} — {escape(p.reason or '')}")
            lines.append(f"    next: {escape(p.next_step)}")
        for p in c.parked:
            lines.append(f"  parked until {p.until}: {escape(p.key)} — {escape(p.reason or '')}")
            lines.append(f"    next: {escape(p.next_step)}")
        for j in c.parked_jobs:
            lines.append(f"  job {escape(j['job'] or '')} parked until {j['until']} — {escape(j['reason'] or '')}")
        for platform, when in c.last_collection.items():
            lines.append(f"  last collection on {platform}: {when}")
        if c.budget:
            b = c.budget
            lines.append(
                f"  X budget today: {b.posts_today}/{b.max_posts_per_day or '∞'} posts, {b.reads_today}/{b.max_reads_per_day or '∞'} reads"
                + (" — [yellow]limit reached, work parked until midnight UTC[/yellow]" if b.reached else "")
            )
        if c.api_calls_today:
            lines.append("  API calls today: " + ", ".join(f"{k}: {v}" for k, v in c.api_calls_today.items()))
    text = "\n".join(lines)
    # No line wider than the console, even counting its markup: nothing to wrap, so rich is told not to try
    # (the same output; its line wrapping was most of the time status took at 500 campaigns).
    fits = "\t" not in text and all(cell_len(line) <= console.width for line in text.split("\n"))
    console.print(text, soft_wrap=fits)
