"""The .env file: read without ever blocking, refused when unsafe or not text; imports no pydantic (status reads it)."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from socialbot.errors import ConfigError

ENV_FILE = Path(".env")
ENV_FILE_MAX_BYTES = 1024 * 1024  # a .env of NAME=value lines is a few KiB; anything this big is the wrong file

# the defaults `status` reads without pydantic; settings.Settings uses the same
DEFAULT_DATABASE_URL = "sqlite:///socialbot.db"
DEFAULT_CAMPAIGNS_DIR = Path("campaigns")
DEFAULT_LOCK_STALE_SECONDS = 90


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


def setting_value(name: str) -> str | None:
    """``SOCIALBOT_<name>`` as pydantic-settings would find it: the environment (any case), else .env; None if unset."""
    wanted = f"SOCIALBOT_{name}".upper()
    for source in (os.environ, read_env_file()):
        found = [value for key, value in source.items() if key.upper() == wanted and value is not None]
        if found:
            return found[-1]  # as pydantic-settings: of several spellings, the last one read wins
    return None
