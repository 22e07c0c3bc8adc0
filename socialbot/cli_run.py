"""Click commands that run campaigns and read results: simulate, run, status, report, doctor, auth."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from socialbot.cli import EXIT_BAD_INPUT, _console, _settings, database_option, format_option, handle_errors


def register(main: click.Group) -> None:
    for command in (simulate, run, status, report, resolve, doctor, auth):
        main.add_command(command)


@click.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option(
    "--days",
    type=click.FloatRange(0.01, 400),
    help="How many days to simulate (default: the whole campaign plus 2 days).",
)
@click.option("--seed", type=int, help="Seed of the simulated audience (default: SOCIALBOT_SANDBOX_SEED or 42).")
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=Path("simulation.db"),
    show_default=True,
    help="Simulation database (never the live one).",
)
@click.option("--fresh/--keep", default=True, show_default=True, help="Start from an empty simulation database.")
@click.option(
    "--failure-rate",
    type=click.FloatRange(0, 0.9),
    help="Share of sandbox calls that fail (rate limits, errors, lost answers).",
)
@format_option("table", "json")
@handle_errors
def simulate(
    campaign: Path,
    days: float | None,
    seed: int | None,
    db_path: Path,
    fresh: bool,
    failure_rate: float | None,
    fmt: str,
) -> None:
    """Rehearse a campaign on the sandbox with a virtual clock, then print its engagement report.

    Every platform of the campaign is replaced by a sandbox with that platform's limits and a
    simulated audience; the whole campaign runs through the same publishing and collection code
    as the daemon, in seconds. Results go to their own database (default simulation.db).

    \b
    Examples:
      socialbot simulate campaigns/demo.yaml
      socialbot simulate campaigns/launch.yaml --days 3 --seed 7 --failure-rate 0.3
    """
    from socialbot.errors import ConfigError
    from socialbot.report.engagement import build_report, render_table
    from socialbot.simulation import simulate as run_simulation
    from socialbot.storage.db import sqlite_file

    live = _settings()
    target = f"sqlite:///{db_path}"
    live_file = sqlite_file(live.database_url)
    if live_file is not None and live_file == db_path.resolve():
        raise ConfigError(
            f"{db_path} is the live database (SOCIALBOT_DATABASE_URL); simulate into another file with --db"
        )
    if db_path.is_dir():
        raise ConfigError(f"--db {db_path} is a directory; give a file name such as simulation.db")
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    overrides = {"database_url": target, "sandbox_seed": seed, "sandbox_failure_rate": failure_rate}
    settings = _settings(**overrides)
    from socialbot.daemon import configure_logging

    configure_logging(settings, level="WARNING")  # a rehearsal shows problems (rejections, misses), not every post
    err = _console(stderr=True)

    def progress(now: datetime, result) -> None:
        err.print(
            f"  simulated up to {now:%Y-%m-%d}: {result.sent} sent, {result.interactions} interactions", highlight=False
        )

    started = datetime.now(UTC)
    app, result = run_simulation(settings, [campaign], days=days, progress=progress if fmt == "table" else None)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    try:
        reports = []
        for cid in result.campaign_ids:
            header = app.campaigns[cid].spec.campaign
            reports.append(
                build_report(app.engine, campaign_id=cid, name=header.name, timezone=header.timezone, now=result.ended)
            )
        if fmt == "json":
            import json

            click.echo(
                json.dumps(
                    {"simulation": _summary(result, elapsed, db_path), "reports": [r.to_dict() for r in reports]},
                    indent=2,
                    default=str,
                )
            )
            return
        console = _console()
        console.print(
            f"Simulated {result.started:%Y-%m-%d %H:%M} → {result.ended:%Y-%m-%d %H:%M} UTC in {elapsed:.1f}s: "
            f"{result.sent} sent, {result.missed} missed, {result.failed} failed, {result.parked} retries parked, "
            f"{result.interactions} interactions collected. Database: {db_path}"
        )
        for note in result.notes[:10]:
            console.print(f"  note: {note}")
        for r in reports:
            render_table(r, console)
    finally:
        app.close()


def _summary(result, elapsed: float, db_path: Path) -> dict:
    return {
        "campaigns": result.campaign_ids,
        "from": result.started.isoformat(),
        "to": result.ended.isoformat(),
        "seconds": round(elapsed, 2),
        "sent": result.sent,
        "missed": result.missed,
        "failed": result.failed,
        "parked": result.parked,
        "interactions": result.interactions,
        "database": str(db_path),
    }


@click.command()
@click.option("--once", is_flag=True, help="Run everything due now, collect once, and exit (for cron and tests).")
@click.option(
    "--sandbox", is_flag=True, help="Run every campaign against sandbox platforms (default database: sandbox.db)."
)
@click.option(
    "--campaigns",
    "campaigns_dir",
    type=click.Path(path_type=Path),
    help="Campaigns directory (overrides SOCIALBOT_CAMPAIGNS_DIR).",
)
@click.option("--log-format", type=click.Choice(["text", "json"]), help="Log format (overrides SOCIALBOT_LOG_FORMAT).")
@database_option
@handle_errors
def run(
    once: bool, sandbox: bool, campaigns_dir: Path | None, log_format: str | None, database_url: str | None
) -> None:
    """Run the daemon in the foreground: publish on time, exactly once, and collect reactions.

    Stops cleanly on Ctrl-C or SIGTERM (running jobs finish first); SIGHUP re-reads the
    campaign files, which are also re-read every SOCIALBOT_RESCAN_SECONDS. Only one daemon may
    run per database. Supervise it with systemd or a container (docs/operations.md).

    \b
    Examples:
      socialbot run
      socialbot run --sandbox
      socialbot run --once --log-format json
    """
    from socialbot.daemon import configure_logging
    from socialbot.daemon import run as run_daemon

    if sandbox and not database_url:
        database_url = "sqlite:///sandbox.db"
    settings = _settings(database_url=database_url, campaigns_dir=campaigns_dir, log_format=log_format)
    configure_logging(settings)
    totals = run_daemon(settings, once=once, sandbox=sandbox)
    if totals is not None:
        click.echo(" ".join(f"{k}={v}" for k, v in totals.items()))
        if totals["errors"]:
            click.echo("some work could not be done (see the log above); exit status 1", err=True)
            sys.exit(1)


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
    from socialbot.status import gather_status, render_status

    settings = _settings(database_url=database_url)
    data = gather_status(settings, campaign_id=campaign, now=datetime.now(UTC))
    if campaign and not data["campaigns"]:
        click.echo(
            f"error: no campaign '{campaign}' in the database (run `socialbot run` or `socialbot db upgrade` first)",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    render_status(data, fmt=fmt, console=_console())


@click.command()
@click.argument("campaign")
@format_option("table", "json", "csv")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of the terminal.",
)
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
    from socialbot.errors import ConfigError
    from socialbot.report.engagement import build_report, render_csv, render_json, render_table
    from socialbot.storage.db import make_engine, sqlite_file

    settings = _settings(database_url=database_url)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise ConfigError(f"no database at {path}; run the campaign first, or pass --db (e.g. --db simulation.db)")
    engine = make_engine(settings.database_url)
    try:
        row = _campaign_or_exit(engine, campaign)
        data = build_report(engine, campaign_id=row.id, name=row.name, timezone=row.timezone, now=datetime.now(UTC))
    finally:
        engine.dispose()
    if fmt == "table" and output is None:
        render_table(data, _console())
        return
    text = render_json(data) if fmt == "json" else render_csv(data) if fmt == "csv" else None
    if text is None:
        from io import StringIO

        from rich.console import Console

        buffer = StringIO()
        render_table(data, Console(file=buffer, width=160))
        text = buffer.getvalue()
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _campaign_or_exit(engine, campaign_id: str):
    from socialbot.storage.reporting import campaign_rows

    rows = campaign_rows(engine, campaign_id=campaign_id)
    if not rows:
        click.echo(
            f"error: no campaign '{campaign_id}' in this database; check the id (socialbot status lists them) or pass --db",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    return rows[0]


@click.command()
@click.argument("key")
@click.option("--sent", "sent_as", metavar="REMOTE_ID", help="It did go out: record the post or comment id you found.")
@click.option("--retry", is_flag=True, help="It did not go out: queue it again (the catch-up window still applies).")
@click.option("--drop", is_flag=True, help="Give up on it: mark it failed.")
@database_option
@handle_errors
def resolve(key: str, sent_as: str | None, retry: bool, drop: bool, database_url: str | None) -> None:
    """Settle an unconfirmed or failed post by hand, after checking the account yourself.

    The daemon reconciles unconfirmed posts against the account's own recent posts on its own;
    use this when it cannot (the post is older than the platform shows, or you deleted it).
    KEY is the ledger key that `socialbot status` prints.

    \b
    Examples:
      socialbot resolve demo-winter-launch/morning-tip/20261201T0900/x/0 --sent 1866000000000000000
      socialbot resolve demo-winter-launch/morning-tip/20261201T0900/x/0 --retry
    """
    from socialbot.app import App

    if sum(bool(x) for x in (sent_as, retry, drop)) != 1:
        raise click.UsageError("give exactly one of --sent REMOTE_ID, --retry or --drop")
    app = App(_settings(database_url=database_url))
    try:
        click.echo(app.resolve(key, sent_as=sent_as, retry=retry, drop=drop, now=datetime.now(UTC)))
    finally:
        app.close()


@click.command()
@handle_errors
def doctor() -> None:
    """Check every configured X and Reddit account, without printing secrets.

    \b
    Example:
      socialbot doctor
    """
    from socialbot.accounts import check_all

    results = check_all(_settings())
    if not results:
        click.echo("no X or Reddit accounts configured (see .env.example); the sandbox needs none")
        return
    bad = 0
    for r in results:
        mark = "ok " if r.ok else "FAIL"
        bad += not r.ok
        click.echo(f"{mark} {r.platform} profile '{r.profile}': {r.detail}")
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
    from socialbot.accounts import authorize_x

    lines = authorize_x(
        _settings(),
        profile=profile,
        prompt=lambda url: click.prompt(f"Open this URL, authorize the app, and type the PIN shown\n  {url}\nPIN"),
    )
    click.echo("Add these lines to .env (they are secrets: keep the file private):")
    for name, value in lines.items():
        click.echo(f"{name}={value}")


@auth.command("reddit")
@click.option("--profile", default="default", show_default=True, help="Account profile name (e.g. brand).")
@click.option(
    "--port", default=8080, show_default=True, help="Local port of the redirect URI (http://127.0.0.1:PORT/)."
)
@handle_errors
def auth_reddit(profile: str, port: int) -> None:
    """Authorization-code sign-in for a Reddit account; prints the refresh-token line for .env.

    The app's redirect URI must be http://127.0.0.1:PORT/ (set it at reddit.com/prefs/apps).

    \b
    Example:
      SOCIALBOT_REDDIT_CLIENT_ID=… SOCIALBOT_REDDIT_CLIENT_SECRET=… socialbot auth reddit
    """
    from socialbot.accounts import authorize_reddit

    lines = authorize_reddit(
        _settings(),
        profile=profile,
        port=port,
        show=lambda url: click.echo(f"Open this URL and allow access:\n  {url}"),
    )
    click.echo("Add these lines to .env (they are secrets: keep the file private):")
    for name, value in lines.items():
        click.echo(f"{name}={value}")
