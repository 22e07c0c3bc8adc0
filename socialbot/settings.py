"""Typed settings: CLI flag > environment > .env file > defaults (credentials live in platforms/credentials.py)."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialbot.errors import ConfigError

ENV_FILE = Path(".env")
ENV_FILE_MAX_BYTES = 1024 * 1024  # a .env of NAME=value lines is a few KiB; anything this big is the wrong file


class Settings(BaseSettings):
    """Everything configurable, read from ``SOCIALBOT_*`` variables or ``.env``; see .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="SOCIALBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = Field("sqlite:///socialbot.db", description="SQLAlchemy URL of the database.")
    campaigns_dir: Path = Field(Path("campaigns"), description="Directory of campaign YAML files.")
    media_root: Path | None = Field(
        None,
        description="A folder media files may also come from, besides each campaign file's own folder.",
    )
    log_format: Literal["text", "json"] = Field("text", description="Daemon log format.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    sandbox_seed: int = Field(42, description="Seed of the sandbox platform's simulated audience.")
    sandbox_failure_rate: float = Field(0.0, ge=0.0, le=0.9, description="Share of sandbox calls that fail.")
    rescan_seconds: int = Field(30, ge=1, description="How often the daemon re-reads the campaigns directory.")
    lock_stale_seconds: int = Field(
        90, ge=3, description="Seconds without a heartbeat after which another daemon may take over the lock."
    )
    collect_grace_days: int = Field(7, ge=0, description="Days after a campaign ends during which collection goes on.")
    x_api_url: str = Field("https://api.twitter.com", description="Base URL of the X API (a proxy or stand-in).")
    x_upload_url: str = Field("https://upload.twitter.com", description="Base URL of X media upload.")
    x_price_read: float = Field(0.005, ge=0, description="USD per X post read (pay-per-use).")
    x_price_post: float = Field(0.01, ge=0, description="USD per X post created (pay-per-use).")
    x_price_user: float = Field(0.01, ge=0, description="USD per X user profile read (pay-per-use).")
    reddit_oauth_url: str = Field("https://oauth.reddit.com", description="Reddit OAuth API base URL.")
    reddit_url: str = Field("https://www.reddit.com", description="Reddit base URL (token endpoint).")
    reddit_short_url: str = Field("https://redd.it", description="Reddit short-link base URL.")
    reddit_user_agent: str | None = Field(None, description="Overrides the built Reddit user agent.")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and .env, with CLI overrides (None means "not given")."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}  # pydantic validates them
    read_env_file()  # pydantic-settings would hang on a FIFO .env and fail on one that is not UTF-8: refuse them first
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "SOCIALBOT_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid settings:\n  " + "\n  ".join(lines)) from None


def read_env_file(path: Path = ENV_FILE) -> dict[str, str | None]:
    """The variables of the .env file ({} when there is none), read without ever blocking.

    Only a regular file (or a symlink to one) of at most 1 MiB of UTF-8 text is read; anything else
    is a ConfigError saying what is wrong and how to fix it. No message quotes the file's content:
    its values are secrets.
    """
    data = _env_file_bytes(path)
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ConfigError(
            f"{path}: line {line} is not valid UTF-8 (at byte {column} of the line); save the file as UTF-8 text"
        ) from None
    if "\x00" in text:
        raise ConfigError(f"{path}: the file contains a NUL character; save it as plain text")
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):  # the line is named, never its content (a secret)
        if binding.error:
            line = binding.original.line
            raise ConfigError(
                f"{path}: line {line} is not a KEY=value line (an unclosed quote?); fix it or comment it out with #"
            )
    return dotenv_values(stream=io.StringIO(text))


def _env_file_bytes(path: Path) -> bytes | None:
    """The content of ``path``, None when there is no such file; never opens anything but a regular file."""
    try:
        info = os.stat(path)  # follows a symlink: a link to a regular file is fine
    except FileNotFoundError:
        if os.path.islink(path):
            raise ConfigError(
                f"{path}: is a symlink to {os.readlink(path)}, which does not exist; fix the link or remove it"
            ) from None
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    _require_regular(path, info)
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check above, open() still returns at once
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        _require_regular(path, info)  # what was opened, not what was checked
        try:
            data = file.read(ENV_FILE_MAX_BYTES + 1)
        except OSError as exc:
            raise _unreadable(path, exc) from None
    if len(data) > ENV_FILE_MAX_BYTES:
        raise _too_large(path, max(info.st_size, len(data)))  # it grew since the check
    return data


def _require_regular(path: Path, info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > ENV_FILE_MAX_BYTES:
            raise _too_large(path, info.st_size)
        return
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    kind = next((name for test, name in kinds if test(mode)), "a special file")
    if os.path.islink(path):
        kind = f"a symlink to {os.path.realpath(path)}, {kind}"
    raise ConfigError(
        f"{path}: is {kind}, not a regular file; socialbot reads settings and credentials only from a regular "
        f"file of NAME=value lines: replace it with one (cp .env.example {path} && chmod 600 {path}) or remove it"
    )


def _too_large(path: Path, size: int) -> ConfigError:
    return ConfigError(
        f"{path}: is {size} bytes, more than the 1 MiB a .env file may be; it should hold only NAME=value lines "
        "(see .env.example): check it is the right file"
    )


def _unreadable(path: Path, exc: OSError) -> ConfigError:
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, PermissionError):
        return ConfigError(
            f"{path}: cannot be read ({reason}); let the user running socialbot read it "
            f"(as its owner: chmod 600 {path}, or chown it to that user)"
        )
    return ConfigError(f"{path}: cannot be read ({reason}); check the file, or remove it")


def env_value(name: str) -> str | None:
    """A variable from the environment, else from .env (never printed)."""
    value = os.environ.get(name)
    if value is None:
        value = read_env_file().get(name)
    return value or None


def env_file_warning(path: Path = ENV_FILE, *, secrets: Iterable[str] = ()) -> str | None:
    """What is unsafe about the .env file's permissions, or None when it is private (or absent).

    Group or others being able to read the file exposes the secrets in it (``secrets``: the names of
    those variables, named in the message; it says "holds secrets" only when there are some); being
    able to write it lets another user change the settings, such as the API URLs the secrets go to.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    readable = _who(mode, group=stat.S_IRGRP, others=stat.S_IROTH)
    writable = _who(mode, group=stat.S_IWGRP, others=stat.S_IWOTH)
    if not readable and not writable:
        return None
    if readable == writable:
        parts = [f"readable and writable by {readable}"]
    else:
        parts = [f"{how} by {who}" for how, who in (("readable", readable), ("writable", writable)) if who]
    problem = "is " + ", and ".join(parts)
    names = sorted(set(secrets))
    if names and readable:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        problem = f"holds secrets ({shown}) but {problem}"
    consequence = ", so they can change socialbot's settings" if writable else ""
    return f"{path} {problem} (mode {stat.S_IMODE(mode):o}){consequence}; make it private: chmod 600 {path}"


def _who(mode: int, *, group: int, others: int) -> str:
    return " and ".join(name for bit, name in ((group, "its group"), (others, "all other users")) if mode & bit)
