"""Commands on campaign files: validate, plan and schema; nothing is posted and nothing is written."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from socialbot.cli.options import EXIT_BAD_INPUT, console, format_option, handle_errors, print_problems, settings


def credential_warnings(campaigns: list[Any]) -> list[str]:
    """Campaigns whose account profile is not configured: said now, not when a post is due."""
    from socialbot.app.credentials import credential_gaps

    return [
        str(gap)
        for gap in credential_gaps((c.id, c.spec.campaign.account, c.spec.campaign.platforms) for c in campaigns)
    ]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@handle_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check campaign files and report every problem with file, line and key.

    PATHS are files or directories (default: the campaigns directory). Exit status 0 when all
    files are valid, 2 when any is not.

    \b
    Example:
      socialbot validate campaigns/
    """
    from socialbot.app.loading import load_files

    result = load_files(list(paths) or [settings().campaigns_dir])
    print_problems(result.problems, warnings=[*result.warnings, *credential_warnings(result.campaigns)])
    if result.problems:
        sys.exit(EXIT_BAD_INPUT)
    for c in result.campaigns:
        polls = f", {len(c.spec.polls)} polls" if c.spec.polls else ""
        polls += f", {len(c.spec.qa)} Q&A sessions" if c.spec.qa else ""
        click.echo(f"ok: {c.file} ({c.id}: {len(c.spec.posts)} posts{polls} on {', '.join(c.spec.campaign.platforms)})")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--days", type=click.IntRange(1, 3660), default=14, show_default=True, help="How many days to show.")
@click.option(
    "--from", "start", metavar="YYYY-MM-DD", help="First day shown (default: today, or the campaign start if later)."
)
@format_option("table", "json")
@handle_errors
def plan(paths: tuple[Path, ...], days: int, start: str | None, fmt: str) -> None:
    """Show the concrete timeline: when, where and what will be posted, in each campaign's local time.

    Quiet-hour and DST shifts are noted, over-limit texts are flagged, and the API calls each
    campaign needs are estimated. Nothing is posted and nothing is written.

    \b
    Examples:
      socialbot plan campaigns/demo.yaml --days 14
      socialbot plan campaigns/ --format json > plan.json
    """
    from socialbot.app.loading import load_files
    from socialbot.app.planning import plan_view
    from socialbot.report.plan import render_plan_json, render_plan_table

    try:
        first = datetime.strptime(start.strip(), "%Y-%m-%d") if start else None
    except ValueError:
        raise click.BadParameter(
            f"'{start}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01 (a day in the campaign's timezone)",
            param_hint="--from",
        ) from None
    config = settings()
    loaded = load_files(list(paths) or [config.campaigns_dir])
    if not loaded.campaigns:
        print_problems(loaded.problems, warnings=loaded.warnings)
        sys.exit(EXIT_BAD_INPUT)
    view = plan_view(loaded, settings=config, days=days, first_day=first, now=datetime.now(UTC))
    if fmt == "json":
        click.echo(render_plan_json(view))
    else:
        render_plan_table(view, console())
    print_problems(view.problems, warnings=[*view.warnings, *credential_warnings(loaded.campaigns)])
    if view.problems:
        sys.exit(EXIT_BAD_INPUT)


@click.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of campaign files, for editor completion.

    \b
    Example (VS Code with the YAML extension):
      socialbot schema > campaign.schema.json
      # then in a campaign file:  # yaml-language-server: $schema=./campaign.schema.json
    """
    import json

    from socialbot.spec.models import CampaignFile

    data = CampaignFile.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "socialbot campaign"
    click.echo(json.dumps(data, indent=2))
