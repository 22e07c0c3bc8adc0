"""The command line: thin click commands that parse, call socialbot.app and render; errors become clear messages.

Heavy libraries (tweepy, praw, sqlmodel, apscheduler, pydantic) are imported inside the commands
that need them, so `socialbot --help` starts fast.
"""

from __future__ import annotations

import click

from socialbot import __version__
from socialbot.cli.accounts import auth, doctor
from socialbot.cli.campaigns import plan, schema, validate
from socialbot.cli.db import db
from socialbot.cli.inspect import report, resolve, status
from socialbot.cli.polls import polls
from socialbot.cli.qa import qa
from socialbot.cli.running import run, simulate

__all__ = ["main"]


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


for _command in (validate, plan, schema, db, simulate, run, status, report, polls, qa, resolve, doctor, auth):
    main.add_command(_command)
