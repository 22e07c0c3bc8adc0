"""Commands that read and settle what was done: status, report and resolve."""

from __future__ import annotations

import difflib
import sys
from io import StringIO
from pathlib import Path

import click

from socialbot.cli.options import (
    EXIT_BAD_INPUT,
    console,
    database_option,
    format_option,
    handle_errors,
    injected_clock,
    output_option,
    settings,
    status_settings,
)


@click.command()
@click.argument("campaign", required=False)
@format_option("table", "json")
@database_option
@handle_errors
def status(campaign: str | None, fmt: str, database_url: str | None) -> None:
    """Where every campaign stands: ledger counts, next posts, problems, collection, rate-limit parking, X budgets.

    \b
    Examples:
      socialbot status
      socialbot status demo-winter-launch --format json
    """
    from dataclasses import replace

    from socialbot.app.status import StatusReport, database_state, read_status, unrecorded_files
    from socialbot.report.status import render_status

    config = status_settings(database_url=database_url)
    missing = database_state(config.database_url)
    if missing is not None:
        report = StatusReport(database=missing)
    else:
        report = read_status(
            config.database_url,
            campaign_id=campaign,
            clock=injected_clock(),
            stale_after=config.lock_stale_seconds,
        )
    if not campaign and not report.campaigns and not report.rehearsal:
        report = replace(report, files=unrecorded_files(config.campaigns_dir))  # nothing synced yet: read the files
    if campaign and not report.campaigns:
        if report.known:
            close = difflib.get_close_matches(campaign, report.known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            advice = f"{hint}this database has: {', '.join(report.known)}"
        else:
            advice = "this database has no campaigns yet: `socialbot run` (or `socialbot simulate`) records them"
        click.echo(f"error: no campaign '{campaign}' in the database; {advice}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    render_status(report, fmt=fmt, console=console())


@click.command()
@click.argument("campaign")
@format_option("table", "json", "csv")
@output_option
@database_option
@handle_errors
def report(campaign: str, fmt: str, output: Path | None, database_url: str | None) -> None:
    """Engagement report of a campaign: publications, interactions by kind, unique people, rates.

    The engagement-rate formula used is named in the output.

    \b
    Examples:
      socialbot report demo-winter-launch
      socialbot report demo-winter-launch --format csv -o report.csv
      socialbot report demo-winter-launch --db simulation.db --format json
    """
    from rich.console import Console

    from socialbot.app import App
    from socialbot.app.reports import campaign_report, require_database
    from socialbot.cli.files import write_output
    from socialbot.report.engagement import render_csv, render_json, render_table

    config = settings(database_url=database_url)
    require_database(config.database_url)
    app = App(config, clock=injected_clock())
    try:
        data = campaign_report(app, campaign, now=app.clock())
    finally:
        app.close()
    if output is not None and str(output) == "-":
        output = None  # '-' means standard output, as in most tools
    if fmt == "table" and output is None:
        render_table(data, console())
        return
    if fmt == "json":
        text = render_json(data)
    elif fmt == "csv":
        text = render_csv(data)
    else:
        buffer = StringIO()
        render_table(data, Console(file=buffer, width=160))
        text = buffer.getvalue()
    if output:
        write_output(output, text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@click.command()
@click.argument("key")
@click.option("--sent", "sent_as", metavar="REMOTE_ID", help="It did go out: record the post or comment id you found.")
@click.option(
    "--retry", is_flag=True, help="It did not go out: queue it again (a missed post goes out late, after you confirm)."
)
@click.option("--drop", is_flag=True, help="Give up on it: mark it failed.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before sending a missed post late.")
@database_option
@handle_errors
def resolve(key: str, sent_as: str | None, retry: bool, drop: bool, yes: bool, database_url: str | None) -> None:
    """Settle an unconfirmed or failed post by hand, after checking the account yourself.

    The daemon reconciles unconfirmed posts against the account's own recent posts on its own;
    use this when it cannot (the post is older than the platform shows, or you deleted it).
    A missed post can be retried too: it then goes out late, at the next run (you are asked
    first, with how late it will be). KEY is the ledger key that `socialbot status` prints.

    \b
    Examples:
      socialbot resolve demo-winter-launch/morning-tip/20261201T0900/x/0 --sent 1866000000000000000
      socialbot resolve demo-winter-launch/morning-tip/20261201T0900/x/0 --retry
    """
    from socialbot.app import App

    if sum(x is not None and x is not False for x in (sent_as, retry, drop)) != 1:
        raise click.UsageError("give exactly one of --sent REMOTE_ID, --retry or --drop")
    from socialbot.app.publishing import fmt_delta
    from socialbot.app.reconciliation import lateness

    app = App(settings(database_url=database_url), clock=injected_clock())
    try:
        late = lateness(app, key, now=app.clock()) if retry else None
        if late is not None and not yes:
            click.confirm(
                f"{key} was missed; sent now it goes out {fmt_delta(late)} after its time. Send it late?",
                abort=True,
            )
        click.echo(app.resolve(key, sent_as=sent_as, retry=retry, drop=drop, now=app.clock()))
    finally:
        app.close()
