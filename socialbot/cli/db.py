"""Database maintenance commands."""

from __future__ import annotations

import click

from socialbot.cli.options import database_option, handle_errors, settings


@click.group()
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
    from socialbot.app.database import upgrade_database

    done = upgrade_database(settings(database_url=database_url).database_url)
    click.echo(
        f"database at {done.after}"
        + (f" (was {done.before or 'empty'})" if done.before != done.after else " (already up to date)")
    )
