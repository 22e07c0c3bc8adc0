"""Opens a draft's media file for upload, checking again (the file may have changed since validation) that it is still the file validated."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from socialbot.domain.media import FORMATS, HEAD_BYTES, MediaFormat, media_problem, sniff
from socialbot.domain.values import Capabilities, MediaItem
from socialbot.errors import RefusedBeforeUpload

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def open_for_upload(item: MediaItem, capabilities: Capabilities) -> tuple[BinaryIO, MediaFormat]:
    """The open file of ``item`` and its format, or RefusedBeforeUpload when it is not the file validation checked.

    A draft's media path is the absolute, resolved path `validate` confined to the campaigns folder
    (or the media root). Right before the upload the file is opened once, without following a
    symbolic link, and must still be exactly at that path (no link anywhere on the way), a regular
    file whose first bytes prove the type its name claims, within the platform's size limit. The
    upload then reads from this same open file, so a swap after the check changes nothing.
    """
    path = item.path
    if "\x00" in path or not os.path.isabs(path) or os.path.normpath(path) != path:
        raise RefusedBeforeUpload(
            f"media file {path} is not an absolute, normalised path; run `socialbot validate` again"
        )
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise RefusedBeforeUpload(f"media file {path} does not exist") from None
    except OSError as exc:
        if os.path.islink(path):
            raise RefusedBeforeUpload(
                f"media file {path} is now a symbolic link (was it swapped after validation?); "
                "refusing to upload it: put the real file back and run `socialbot validate`"
            ) from None
        raise RefusedBeforeUpload(f"media file {path} cannot be read ({exc.strerror or exc})") from None
    try:
        fmt = _checked(fd, path, capabilities)
        return os.fdopen(fd, "rb"), fmt
    except BaseException:
        os.close(fd)
        raise


def _checked(fd: int, path: str, capabilities: Capabilities) -> MediaFormat:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise RefusedBeforeUpload(f"media file {path} is no longer a regular file; refusing to upload it")
    opened = _opened_path(fd, path)
    if opened != path:
        raise RefusedBeforeUpload(
            f"media file {path} now resolves to {opened} (a folder on the way was swapped for a link?); "
            "refusing to upload it: restore the file and run `socialbot validate`"
        )
    head = os.read(fd, HEAD_BYTES)
    os.lseek(fd, 0, os.SEEK_SET)  # the upload reads the whole file from the start
    problem = media_problem(
        name=Path(path).name, suffix=Path(path).suffix, head=head, size=info.st_size, platforms=[capabilities]
    )
    found = sniff(head)
    if problem is not None or found is None:
        raise RefusedBeforeUpload(f"refused at upload ({path}): {problem or 'not a media file'}")
    return FORMATS[found]


def _opened_path(fd: int, path: str) -> str:
    """Where the open file really is: the kernel's own answer on Linux, else the path with every link resolved."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        real = os.path.realpath(path)
        try:
            same = os.path.samestat(os.stat(real), os.fstat(fd))
        except OSError:
            same = False
        return real if same else f"another file than {real}"
