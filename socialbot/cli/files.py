"""Files the user names on the command line (``report -o``): written whole or not at all, errors naming the file."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from socialbot.errors import ConfigError


def write_output(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole, or raise a ConfigError saying which file and why.

    A regular file is written beside itself and renamed over the old one, so a failure (a full
    disk, a missing folder) leaves the old file or nothing, never half a file. A device or pipe
    (``-o /dev/stdout``) is written directly, and so is an existing file whose folder refuses new
    files (it is left empty if the write then fails).
    """
    data = text.encode("utf-8")
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise unwritable(path, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ConfigError(f"{path}: is a folder; give a file name such as report.csv")
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(path, data, truncate_on_failure=False)
        return
    target = Path(os.path.realpath(path))  # a symbolic link keeps pointing at the file it names
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    created = False
    try:
        with open(temp, "xb") as handle:  # 0o666 less the umask, like any new file
            created = True
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk may only show here
        if mode is not None:
            os.chmod(temp, stat.S_IMODE(mode))  # the new file keeps the old one's permissions
        os.replace(temp, target)
    except BaseException as exc:
        if created:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        refused = exc.errno in (errno.EACCES, errno.EPERM)
        if not created and refused and mode is not None and os.access(path, os.W_OK):
            _write_in_place(path, data, truncate_on_failure=True)  # the folder refuses new files, the file takes writes
            return
        raise unwritable(path, exc) from None


def _write_in_place(path: Path, data: bytes, *, truncate_on_failure: bool) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        left = ""
        if truncate_on_failure:
            try:
                os.truncate(path, 0)
                left = "; the file is left empty"
            except OSError:
                left = "; the file may be incomplete"
        raise unwritable(path, exc, left=left) from None


def unwritable(path: Path, exc: OSError, *, left: str = "") -> ConfigError:
    """``path: reason`` for an OSError met while writing ``path``, in words that say what to change."""
    folder = Path(os.path.realpath(path)).parent if os.path.islink(path) else path.parent  # a link: where it points
    code = exc.errno
    if code == errno.ENOENT:
        reason = f"the folder {folder} does not exist"
    elif code == errno.ENOTDIR:
        blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        reason = f"{blocking} is a file, not a folder"
    elif code in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    elif code == errno.ENOSPC:
        reason = "disk full (no space left on device)"
    elif code == errno.EDQUOT:
        reason = "disk quota exceeded"
    elif code == errno.EROFS:
        reason = "read-only file system"
    elif code == errno.EISDIR:
        reason = "is a folder; give a file name such as report.csv"
    elif code == errno.ENAMETOOLONG:
        reason = "file name too long"
    else:
        reason = (exc.strerror or str(exc)).lower()
    return ConfigError(f"{path}: {reason}{left}")
