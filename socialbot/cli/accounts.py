"""Account commands: doctor checks every configured account; auth signs one in and prints its .env lines."""

from __future__ import annotations

import sys

import click

from socialbot.cli.options import env_file_warning, handle_errors, reports_env_file, settings


@click.command()
@handle_errors
@reports_env_file
def doctor() -> None:
    """Check every configured X and Reddit account, and that every campaign has the accounts it needs.

    Secrets are never printed. Exit status 1 when an account fails its check or a campaign in the
    campaigns directory needs an account profile that is not configured.

    \b
    Example:
      socialbot doctor
    """
    from socialbot.app.accounts import campaign_gaps, check_all

    config = settings()
    results = check_all(config)
    gaps = campaign_gaps(config)
    unsafe = env_file_warning()
    bad = len(gaps) + bool(unsafe)
    if unsafe:
        click.echo(f"FAIL {unsafe}")
    if not results and not gaps:
        click.echo("no X or Reddit accounts configured (see .env.example); the sandbox needs none")
    for r in results:
        mark = "ok " if r.ok else "FAIL"
        bad += not r.ok
        click.echo(f"{mark} {r.platform} profile '{r.profile}': {r.detail}")
    for gap in gaps:
        click.echo(f"FAIL {gap.describe()}")
    if bad:
        sys.exit(1)


@click.group()
def auth() -> None:
    """Authorize an X or Reddit account and print the lines to put in .env.

    \b
    Examples:
      socialbot auth x --profile brand
      socialbot auth reddit --port 8080
    """


@auth.command("x")
@click.option("--profile", default="default", show_default=True, help="Account profile name (e.g. brand).")
@handle_errors
def auth_x(profile: str) -> None:
    """PIN-based OAuth 1.0a sign-in for an X account (needs the app's API key and secret set).

    \b
    Example:
      SOCIALBOT_X_API_KEY=… SOCIALBOT_X_API_SECRET=… socialbot auth x --profile default
    """
    from socialbot.app.accounts import authorize_x

    lines = authorize_x(
        settings(),
        profile=profile,
        prompt=lambda url: click.prompt(f"Open this URL, authorize the app, and type the PIN shown\n  {url}\nPIN"),
    )
    click.echo("Add these lines to .env (they are secrets: keep the file private):")
    for name, value in lines.items():
        click.echo(f"{name}={value}")


@auth.command("reddit")
@click.option("--profile", default="default", show_default=True, help="Account profile name (e.g. brand).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8080,
    show_default=True,
    help="Local port of the redirect URI (http://127.0.0.1:PORT/).",
)
@handle_errors
def auth_reddit(profile: str, port: int) -> None:
    """Authorization-code sign-in for a Reddit account; prints the refresh-token line for .env.

    The app's redirect URI must be http://127.0.0.1:PORT/ (set it at reddit.com/prefs/apps).

    \b
    Example:
      SOCIALBOT_REDDIT_CLIENT_ID=… SOCIALBOT_REDDIT_CLIENT_SECRET=… socialbot auth reddit
    """
    from socialbot.app.accounts import authorize_reddit

    lines = authorize_reddit(
        settings(),
        profile=profile,
        port=port,
        show=lambda url: click.echo(f"Open this URL and allow access:\n  {url}"),
    )
    click.echo("Add these lines to .env (they are secrets: keep the file private):")
    for name, value in lines.items():
        click.echo(f"{name}={value}")
