"""`socialbot polls`: a campaign's polls with their live or final results."""

from __future__ import annotations

from pathlib import Path

import click

from socialbot.cli.options import (
    console,
    database_option,
    format_option,
    handle_errors,
    injected_clock,
    output_option,
    settings,
)


@click.command()
@click.argument("campaign")
@format_option("table", "json", "csv")
@output_option
@database_option
@handle_errors
def polls(campaign: str, fmt: str, output: Path | None, database_url: str | None) -> None:
    """A campaign's polls: state, votes per option (live while open, final after the close), the counting rule.

    Native polls are counted by the platform (totals only, never who voted); reply polls are counted
    from the replies collected, one vote per account, the last one within the window.

    \b
    Examples:
      socialbot polls demo-winter-launch --db demo-simulation.db
      socialbot polls demo-winter-launch --format json
      socialbot polls demo-winter-launch --format csv -o polls.csv
    """
    from socialbot.app import App
    from socialbot.app.polls import poll_lines
    from socialbot.app.reports import campaign_report, require_database
    from socialbot.cli.files import write_output
    from socialbot.report.polls import render_polls_csv, render_polls_json, render_polls_table

    config = settings(database_url=database_url)
    require_database(config.database_url)
    app = App(config, clock=injected_clock())
    try:
        now = app.clock()
        timezone = campaign_report(app, campaign, now=now).timezone  # and a clear error for an unknown id
        lines = poll_lines(app.engine, campaign, now=now)
    finally:
        app.close()
    if output is not None and str(output) == "-":
        output = None
    if fmt == "table" and output is None:
        render_polls_table(campaign, lines, console(), timezone=timezone)
        return
    text = render_polls_json(campaign, lines) if fmt == "json" else render_polls_csv(lines) if fmt == "csv" else ""
    if fmt == "table":
        from io import StringIO

        from rich.console import Console

        buffer = StringIO()
        render_polls_table(campaign, lines, Console(file=buffer, width=120), timezone=timezone)
        text = buffer.getvalue()
    if output:
        write_output(output, text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
