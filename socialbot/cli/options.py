"""What every command shares: error handling, problem printing, the --db and --format options, settings, console."""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from socialbot.errors import CampaignError, Problem, SocialbotError

EXIT_BAD_INPUT = 2
_ENV_CHECKED = "socialbot.env_checked"  # in the root context's meta: .env was checked (and warned about) already

F = TypeVar("F", bound=Callable[..., Any])


def console(*, stderr: bool = False) -> Any:
    """A rich console; pipes and make get 140 columns instead of an 80-column wrap."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(stderr=stderr, highlight=False, soft_wrap=False, width=140)
    return out


def handle_errors(func: F) -> F:
    """Every known error becomes a message and an exit status; a traceback only with --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        root = click.get_current_context().find_root()
        debug = root.params.get("debug", False)
        try:
            if not root.meta.get(_ENV_CHECKED):
                root.meta[_ENV_CHECKED] = True
                check_env_file(warn=not getattr(func, "reports_env_file", False))
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
        except BrokenPipeError:  # `socialbot status | head`: the reader left; nothing to say
            sys.stderr.close()
            sys.exit(1)
        except OSError as exc:
            if debug or exc.errno not in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT):
                raise
            click.echo(
                f"error: the output could not be written ({exc.strerror}); free some space or send it elsewhere",
                err=True,
            )
            sys.exit(1)
        except Exception as exc:
            if debug:
                raise
            if type(exc).__module__.startswith(("sqlalchemy", "alembic", "sqlite3")):
                detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                server = "connection" in detail.lower() or "server" in detail.lower()
                expected = (
                    "is the PostgreSQL server running, and are host, port, user and password right?"
                    if server
                    else "it should be a socialbot database, created by `socialbot db upgrade`"
                )
                click.echo(
                    f"error: the database cannot be used ({detail}); check --db or SOCIALBOT_DATABASE_URL: {expected}",
                    err=True,
                )
                sys.exit(EXIT_BAD_INPUT)
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n(run with --debug to see the traceback, and please report it)",
                err=True,
            )
            sys.exit(1)

    return cast(F, wrapper)


def reports_env_file(func: F) -> F:
    """Marks a command that reports .env's permissions itself (doctor): handle_errors then checks without warning."""
    cast(Any, func).reports_env_file = True
    return func


def check_env_file(*, warn: bool = True) -> None:
    """Every command, once: a .env that cannot be read is a ConfigError, an unsafe one a warning on stderr."""
    warning = env_file_warning()
    if warning and warn:
        click.echo(f"warning: {warning}", err=True)


def env_file_warning() -> str | None:
    """What is unsafe about .env's permissions, naming the secrets it holds; ConfigError when it cannot be read."""
    from socialbot.settings.env_file import env_file_warning, read_env_file

    names = [name for name, value in read_env_file().items() if value]
    return env_file_warning(secrets=[name for name in names if _is_secret_variable(name)])


def _is_secret_variable(name: str) -> bool:
    """Whether ``name`` is a credential variable (platforms/credentials.py) whose value is a SecretStr."""
    import typing

    from pydantic import SecretStr

    from socialbot.platforms.credentials import PROFILE_RE, RedditCredentials, XCredentials

    for platform, record in (("X", XCredentials), ("REDDIT", RedditCredentials)):
        prefix = f"SOCIALBOT_{platform}_"
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix) :]
        for field, kind in typing.get_type_hints(record).items():
            if SecretStr not in typing.get_args(kind):
                continue
            key = field.upper()
            if rest == key or (rest.endswith(f"_{key}") and PROFILE_RE.match(rest[: -len(key) - 1].lower())):
                return True
    return False


def print_problems(problems: Iterable[Problem], *, warnings: Iterable[Problem | str] = ()) -> None:
    problems = list(problems)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    for p in problems:
        click.echo(f"error: {p}", err=True)
    if problems:
        files = len({p.file for p in problems})
        total = sum(p.more or 1 for p in problems)  # a "… and N more" line counts for the N
        click.echo(f"{total:,} problem(s) in {files} file(s)", err=True)


def database_option(func: F) -> F:
    return click.option("--db", "database_url", metavar="URL", help="Database URL (overrides SOCIALBOT_DATABASE_URL).")(
        func
    )


def output_option(func: F) -> F:
    """``-o FILE``: a report written to a file, whole or not at all (``-`` is the terminal)."""
    from pathlib import Path

    return click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, allow_dash=True),
        metavar="FILE",
        help="Write to this file instead of the terminal ('-' is the terminal); written whole or not at all.",
    )(func)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help="Output format."
    )


def injected_clock() -> Any:
    """The clock a test passed as the CLI's obj (``main.main(obj={"clock": …})``); None means the system's."""
    obj = click.get_current_context().find_root().obj
    return obj.get("clock") if isinstance(obj, dict) else None


def settings(**overrides: Any) -> Any:
    """Settings with CLI overrides; a bare path given as --db means a SQLite file."""
    from socialbot.settings import load_settings

    url = overrides.pop("database_url", None)
    if url and "://" not in url:
        url = f"sqlite:///{url}"
    return load_settings(database_url=url, **overrides)


@dataclass(frozen=True)
class StatusSettings:
    database_url: str
    campaigns_dir: Path
    lock_stale_seconds: int


def status_settings(*, database_url: str | None) -> Any:
    """The three settings `status` needs (flag > environment > .env > default), read without pydantic-settings
    (a third of status's time with one campaign). A value that needs checking goes through ``settings``,
    which says what is wrong with it."""
    from socialbot.settings.env_file import (
        DEFAULT_CAMPAIGNS_DIR,
        DEFAULT_DATABASE_URL,
        DEFAULT_LOCK_STALE_SECONDS,
        setting_value,
    )

    stale, url_set, folder = (setting_value(n) for n in ("LOCK_STALE_SECONDS", "DATABASE_URL", "CAMPAIGNS_DIR"))
    plain = stale is None or (stale.strip().isascii() and stale.strip().isdigit() and int(stale) >= 3)
    if not plain or url_set == "" or folder == "":  # a value to check: the usual settings and their messages
        return settings(database_url=database_url)
    url = database_url
    if url and "://" not in url:
        url = f"sqlite:///{url}"
    return StatusSettings(
        database_url=url or url_set or DEFAULT_DATABASE_URL,
        campaigns_dir=Path(folder or DEFAULT_CAMPAIGNS_DIR),
        lock_stale_seconds=int(stale) if stale is not None else DEFAULT_LOCK_STALE_SECONDS,
    )
