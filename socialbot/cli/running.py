"""Commands that run campaigns: simulate (a rehearsal on the sandbox) and run (the daemon)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from socialbot.cli.options import console, database_option, format_option, handle_errors, injected_clock, settings
from socialbot.cli.params import FiniteFloatRange


@click.command()
@click.argument("campaigns", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="CAMPAIGN...")
@click.option(
    "--days",
    type=FiniteFloatRange(0.01, 400),
    help="How many days to simulate (default: the whole campaign plus 2 days).",
)
@click.option("--seed", type=int, help="Seed of the simulated audience (default: SOCIALBOT_SANDBOX_SEED or 42).")
@click.option(
    "--db",
    "db_path",
    metavar="FILE|URL",
    default="simulation.db",
    show_default=True,
    help="Simulation database: a SQLite file name or sqlite:/// URL, or a postgresql:// URL (never the live database).",
)
@click.option("--fresh/--keep", default=True, show_default=True, help="Start from an empty simulation database.")
@click.option(
    "--failure-rate",
    type=FiniteFloatRange(0, 0.9),
    help="Share of sandbox calls that fail (rate limits, errors, lost answers).",
)
@format_option("table", "json")
@handle_errors
def simulate(
    campaigns: tuple[Path, ...],
    days: float | None,
    seed: int | None,
    db_path: str,
    fresh: bool,
    failure_rate: float | None,
    fmt: str,
) -> None:
    """Rehearse campaigns on the sandbox with a virtual clock, then print their engagement reports.

    CAMPAIGN is a campaign file or a folder of them; give several to rehearse them together (they
    share the simulated accounts, as they would live).

    Every platform of the campaign is replaced by a sandbox with that platform's limits and a
    simulated audience; the whole campaign runs through the same publishing and collection jobs
    as the daemon, in seconds. Results go to their own database (default simulation.db): a
    SQLite file, or a PostgreSQL database that is empty or holds an earlier rehearsal (--fresh
    empties its tables). The live database (SOCIALBOT_DATABASE_URL) is never used.

    \b
    Examples:
      socialbot simulate campaigns/demo.yaml
      socialbot simulate campaigns/launch.yaml --days 3 --seed 7 --failure-rate 0.3
      socialbot simulate campaigns/demo.yaml --db postgresql://bot@localhost/socialbot_rehearsal
      socialbot simulate campaigns/ --days 14
    """
    from socialbot.app.database import rehearsal_database, rehearsal_lock, rehearsal_target
    from socialbot.app.reports import campaign_report
    from socialbot.errors import ConfigError
    from socialbot.report.engagement import render_table
    from socialbot.run.logs import configure_logging
    from socialbot.run.simulate import SimulationResult
    from socialbot.run.simulate import simulate as run_simulation

    for campaign in campaigns:
        if not campaign.is_file() and not campaign.is_dir():
            raise ConfigError(f"{campaign}: no such campaign file or folder (nothing was changed)")
    target = rehearsal_target(db_path)
    if target.file is not None and any(target.file.resolve() == c.resolve() for c in campaigns):
        raise ConfigError(f"--db {db_path} is a campaign file itself; give a database name such as simulation.db")
    live_url = settings().database_url
    # every setting is checked before rehearsal_database empties --db: a refused value keeps the last rehearsal
    config = settings(database_url=target.url, sandbox_seed=seed, sandbox_failure_rate=failure_rate)
    with rehearsal_lock(target):  # a second rehearsal on this database now is refused, not mixed in
        rehearsal_database(target, live_url=live_url, fresh=fresh)
        configure_logging(config, level="WARNING")  # a rehearsal shows problems (rejections, misses), not every post
        err = console(stderr=True)

        def progress(now: datetime, result: SimulationResult) -> None:
            err.print(
                f"  simulated up to {now:%Y-%m-%d}: {result.sent} sent, {result.interactions} interactions",
                highlight=False,
            )

        started = datetime.now(UTC)
        app, result = run_simulation(config, list(campaigns), days=days, progress=progress if fmt == "table" else None)
        elapsed = (datetime.now(UTC) - started).total_seconds()
        try:
            reports = [campaign_report(app, cid, now=result.ended) for cid in result.campaign_ids]
            if fmt == "json":
                click.echo(
                    json.dumps(
                        {
                            "simulation": _summary(result, elapsed, target.shown),
                            "reports": [r.to_dict() for r in reports],
                        },
                        indent=2,
                        default=str,
                    )
                )
                return
            out = console()
            out.print(
                f"Simulated {result.started:%Y-%m-%d %H:%M} → {result.ended:%Y-%m-%d %H:%M} UTC in {elapsed:.1f}s: "
                f"{result.sent} sent, {result.missed} missed, {result.failed} failed, {result.parked} retries parked, "
                f"{result.interactions} interactions collected. Database: {target.shown}"
            )
            for note in result.notes[:10]:
                out.print(f"  note: {note}")
            for r in reports:
                render_table(r, out)
        finally:
            app.close()


def _summary(result: Any, elapsed: float, database: str) -> dict[str, Any]:
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
        "database": database,
    }


@click.command()
@click.option("--once", is_flag=True, help="Run everything due now, collect once, and exit (for cron and tests).")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Run every campaign against sandbox platforms (default database: sandbox.db; never the live one).",
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
    once: bool,
    sandbox: bool,
    campaigns_dir: Path | None,
    log_format: str | None,
    database_url: str | None,
) -> None:
    """Run the daemon in the foreground: publish on time, exactly once, and collect reactions.

    Stops cleanly on Ctrl-C or SIGTERM (running jobs finish first); SIGHUP re-reads the
    campaign files, which are also re-read every SOCIALBOT_RESCAN_SECONDS. Only one daemon may
    run per database. Supervise it with systemd or a container (docs/operations.md).

    \b
    Examples:
      socialbot run
      socialbot run --sandbox
      socialbot run --sandbox --db postgresql://bot@localhost/socialbot_rehearsal
      socialbot run --once --log-format json
    """
    from socialbot.app import App
    from socialbot.app.database import rehearsal_database, rehearsal_target, require_lasting_database
    from socialbot.run.daemon import run as run_daemon
    from socialbot.run.logs import configure_logging

    live_url = settings().database_url
    if sandbox and not database_url:
        database_url = "sqlite:///sandbox.db"  # a rehearsal's data never mixes with live data
    config = settings(database_url=database_url, campaigns_dir=campaigns_dir, log_format=log_format)
    require_lasting_database(config.database_url)
    if sandbox:
        rehearsal_database(rehearsal_target(config.database_url), live_url=live_url, fresh=False)
    configure_logging(config)
    clock = injected_clock()
    app = App(config, sandbox=sandbox, clock=clock) if clock is not None else None
    totals = run_daemon(config, once=once, sandbox=sandbox, app=app)
    if totals is not None:
        click.echo(" ".join(f"{k}={v}" for k, v in totals.items()))
        if totals["errors"]:
            click.echo("some work could not be done (see the log above); exit status 1", err=True)
            sys.exit(1)
