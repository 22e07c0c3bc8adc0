"""Checks a campaign's media files: confined to the campaign's folder (or a media root), real files of the type they claim, within each platform's size."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from socialbot.domain.media import HEAD_BYTES, media_problem
from socialbot.domain.values import Capabilities
from socialbot.errors import Problem
from socialbot.spec.campaign import Campaign
from socialbot.spec.models import Post
from socialbot.spec.yamlsource import shown

_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def check_post_media(
    campaign: Campaign, index: int, post: Post, platforms: Sequence[Capabilities], *, roots: Sequence[Path] = ()
) -> list[Problem]:
    """One located problem per media entry of ``post`` that cannot be posted (``posts[i].media[j]``)."""
    base = campaign.file.parent
    problems = []
    for j, media in enumerate(post.media_specs()):
        message = media_file_problem(base, media.path, platforms, roots=roots)
        if message is not None:
            problems.append(campaign.located.problem(("posts", index, "media", j), message))
    return problems


def media_file_problem(
    base: Path, written: str, platforms: Sequence[Capabilities], *, roots: Sequence[Path] = ()
) -> str | None:
    """Why the media file ``written`` (relative to ``base``, the campaign file's folder) cannot be posted, or None.

    Symbolic links are followed and the file they reach must be inside ``base`` or one of ``roots``;
    its first bytes must prove its type. The file is opened once, without following a last symlink,
    and only its first bytes are read; nothing of its content ever reaches a message.
    """
    folder = Path(os.path.abspath(base))
    if "\x00" in written:
        return f"media path {shown(repr(written))} contains a NUL character; write the file's name as it is"
    try:
        resolved = (base / written).resolve(strict=True)
    except FileNotFoundError:
        return f"media file '{shown(written)}' not found (paths are relative to {base or Path('.')})"
    except (OSError, RuntimeError) as exc:  # a symlink loop, a folder we may not enter
        reason = getattr(exc, "strerror", None) or "a symbolic link loop"
        return f"media file '{shown(written)}' cannot be reached ({reason}); point it at a real file in {folder}"
    allowed = [folder.resolve(), *(Path(r).expanduser().resolve() for r in roots)]
    if not any(resolved.is_relative_to(root) for root in allowed):
        where = f"the campaigns folder {allowed[0]}"
        if roots:
            where += " and the media root " + ", ".join(str(r) for r in allowed[1:])
        fix = "inside one of them" if roots else "inside it (or set SOCIALBOT_MEDIA_ROOT to a folder that holds them)"
        return f"media '{shown(written)}' resolves to {shown(resolved)}, outside {where}; media must be files {fix}"
    try:
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return f"media file '{shown(written)}' cannot be read ({exc.strerror or exc}); check its permissions"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            return f"media '{shown(written)}' is {kind}, not a file; point it at an image or video file"
        head = os.read(fd, HEAD_BYTES)
    except OSError as exc:
        return f"media file '{shown(written)}' cannot be read ({exc.strerror or exc}); check its permissions"
    finally:
        os.close(fd)
    return media_problem(name=shown(written), suffix=resolved.suffix, head=head, size=info.st_size, platforms=platforms)
