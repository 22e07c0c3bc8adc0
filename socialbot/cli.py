"""Click commands: thin wrappers that parse, call socialbot.app and render; errors become clear messages.

Heavy libraries (tweepy, praw, sqlmodel, apscheduler, pydantic) are imported inside the commands
that need them, so `socialbot --help` starts fast.
"""

from __future__ import annotations

import functools
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from socialbot import __version__

EXIT_BAD_INPUT = 2


def _console(stderr: bool = False):
    import os

    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(
            stderr=stderr, highlight=False, soft_wrap=False, width=140
        )  # pipes and make: no 80-column wrap
    return console


def handle_errors(func):
    """Every known error becomes a message and an exit status; a traceback only with --debug."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from socialbot.errors import CampaignError, SocialbotError

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except CampaignError as exc:
            print_problems(exc.problems)
            sys.exit(EXIT_BAD_INPUT)
        except SocialbotError as exc:
            if debug:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n(run with --debug to see the traceback, and please report it)",
                err=True,
            )
            sys.exit(1)

    return wrapper


def print_problems(problems, *, warnings=()) -> None:
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    for p in problems:
        click.echo(f"error: {p}", err=True)
    if problems:
        files = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {files} file(s)", err=True)


def database_option(func):
    return click.option("--db", "database_url", metavar="URL", help="Database URL (overrides SOCIALBOT_DATABASE_URL).")(
        func
    )


def format_option(*choices: str):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help="Output format."
    )


def _settings(**overrides):
    from socialbot.settings import load_settings

    url = overrides.pop("database_url", None)
    if url and "://" not in url:
        url = f"sqlite:///{url}"  # a bare path means a SQLite file
    return load_settings(database_url=url, **overrides)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="socialbot")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
def main(debug: bool) -> None:
    """socialbot: campaigns as code for X and Reddit.

    Describe a campaign in YAML (campaigns/*.yaml), check it, see exactly what will be posted
    where and when, rehearse it on the sandbox, then let the daemon run it.

    \b
    Examples:
      socialbot validate campaigns/
      socialbot plan campaigns/demo.yaml --days 14
      socialbot simulate campaigns/demo.yaml
      socialbot run --once
    """


@main.command()
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
    from socialbot.spec.loader import load_paths

    settings = _settings()
    result = load_paths(list(paths) or [settings.campaigns_dir])
    print_problems(result.problems, warnings=result.warnings)
    if result.problems:
        sys.exit(EXIT_BAD_INPUT)
    for c in result.campaigns:
        click.echo(f"ok: {c.file} ({c.id}: {len(c.spec.posts)} posts on {', '.join(c.spec.campaign.platforms)})")


@main.command()
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
    from socialbot.domain.planning import localize, parse_local
    from socialbot.report.plan import render_plan_json, render_plan_table
    from socialbot.spec.actions import compile_campaign, window_filter
    from socialbot.spec.loader import load_paths
    from socialbot.usage_estimate import estimate_campaign

    settings = _settings()
    result = load_paths(list(paths) or [settings.campaigns_dir])
    if not result.campaigns:
        print_problems(result.problems, warnings=result.warnings)
        sys.exit(EXIT_BAD_INPUT)
    try:
        first = parse_local(start, what="date") if start else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from") from None
    now = datetime.now(UTC)
    all_actions, all_skipped, estimates = [], [], []
    for campaign in result.campaigns:
        header = campaign.spec.campaign
        begin = (
            localize(first, header.tz).astimezone(UTC)
            if first
            else max(now, localize(header.window()[0], header.tz).astimezone(UTC))
        )
        compiled = compile_campaign(campaign)
        actions = window_filter(compiled.actions, start=begin, end=begin + timedelta(days=days))
        all_actions.extend(actions)
        all_skipped.extend(s for s in compiled.skipped if localize(s[1].scheduled, header.tz) >= begin)
        estimates.extend(estimate_campaign(campaign, compiled.actions, settings=settings))
    all_actions.sort(key=lambda a: a.due_at)
    if fmt == "json":
        click.echo(render_plan_json(all_actions, all_skipped, estimates))
    else:
        render_plan_table(
            all_actions, all_skipped, estimates, _console(), title=f"Plan: {len(all_actions)} actions over {days} days"
        )
    print_problems(result.problems, warnings=result.warnings)
    if result.problems:
        sys.exit(EXIT_BAD_INPUT)


@main.command()
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


@main.group()
def db() -> None:
    """Database maintenance.

    \b
    Example:
      socialbot db upgrade
    """


@db.command("upgrade")
@database_option
@handle_errors
def db_upgrade(database_url: str | None) -> None:
    """Create or migrate the database to the latest schema (safe to run repeatedly).

    \b
    Example:
      socialbot db upgrade
      SOCIALBOT_DATABASE_URL=postgresql+psycopg://bot@localhost/socialbot socialbot db upgrade
    """
    from socialbot.storage.db import current_revision, make_engine, upgrade

    settings = _settings(database_url=database_url)
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    click.echo(f"database at {after}" + (f" (was {before or 'empty'})" if before != after else " (already up to date)"))


from socialbot.cli_run import register as _register_run  # noqa: E402

_register_run(main)
