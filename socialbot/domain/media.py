"""Media files as the platforms take them: the type a file's first bytes prove, its names, and whether a platform accepts it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from socialbot.domain.values import Capabilities

HEAD_BYTES = 12  # enough for every signature below (WEBP needs 12)


class MediaType(StrEnum):
    """The media types the product posts, recognised by their content."""

    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    WEBP = "webp"
    MP4 = "mp4"


@dataclass(frozen=True)
class MediaFormat:
    """What one media type is called, how its files are named, and which size limit applies to it."""

    type: MediaType
    label: str  # for messages: "a PNG image"
    suffixes: tuple[str, ...]  # lower case, the first one preferred
    mime: str
    kind: str  # "image" | "gif" | "video": the key of MediaSizeLimits


FORMATS: dict[MediaType, MediaFormat] = {
    MediaType.JPEG: MediaFormat(MediaType.JPEG, "a JPEG image", (".jpg", ".jpeg"), "image/jpeg", "image"),
    MediaType.PNG: MediaFormat(MediaType.PNG, "a PNG image", (".png",), "image/png", "image"),
    MediaType.GIF: MediaFormat(MediaType.GIF, "a GIF", (".gif",), "image/gif", "gif"),
    MediaType.WEBP: MediaFormat(MediaType.WEBP, "a WEBP image", (".webp",), "image/webp", "image"),
    MediaType.MP4: MediaFormat(MediaType.MP4, "an MP4 video", (".mp4",), "video/mp4", "video"),
}
_KIND_WORDS = {"image": "images", "gif": "GIFs", "video": "videos"}


def sniff(head: bytes) -> MediaType | None:
    """The media type the first bytes of a file show (its magic number), or None when none matches."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType.GIF
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return MediaType.MP4
    return None


def format_for_suffix(suffix: str) -> MediaFormat | None:
    """The media format a file name's suffix claims (".JPG" and ".jpeg" both claim JPEG)."""
    suffix = suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def megabytes(size: int) -> str:
    """A byte count as people read file sizes: 5.2 MB, 512 MB, 1 GB."""
    mb = size / (1024 * 1024)
    if mb >= 1024:
        return f"{mb / 1024:.1f}".removesuffix(".0") + " GB"
    return f"{mb:.1f}".removesuffix(".0") + " MB"


def media_problem(*, name: str, suffix: str, head: bytes, size: int, platforms: Sequence[Capabilities]) -> str | None:
    """Why ``platforms`` cannot take this file (named ``name``, first bytes ``head``, ``size`` bytes), or None.

    The suffix must be one every platform takes, the content must prove the type the suffix claims,
    and the size must be within each platform's limit for that kind of media. Messages never quote
    the file's bytes: a file that is not media may hold secrets.
    """
    suffix = suffix.lower()
    refusing = [caps.platform for caps in platforms if suffix not in caps.media_types]
    if refusing:
        allowed = set.intersection(*(set(caps.media_types) for caps in platforms)) if platforms else set()
        where = "" if len(refusing) == len(platforms) else f" on {', '.join(refusing)}"
        return f"'{suffix or name}' is not a supported media type{where}; use one of {', '.join(sorted(allowed))}"
    claimed = format_for_suffix(suffix)
    found = sniff(head)
    if found is None:
        label = claimed.label if claimed else "a media file"
        return (
            f"media '{name}' is not {label}: its content is no JPEG, PNG, GIF, WEBP or MP4 file "
            "(only the name says so); attach the real image or video"
        )
    actual = FORMATS[found]
    if claimed is None or claimed.type is not found:
        return (
            f"media '{name}' is {actual.label} named '{suffix}'; rename it to end in "
            f"{' or '.join(actual.suffixes)} (the name must match the content)"
        )
    for caps in platforms:
        limit = caps.media_max_bytes.for_kind(actual.kind)
        if size > limit:
            shown, most = megabytes(size), megabytes(limit)
            if shown == most:  # just over: say it in bytes, "5 MB; up to 5 MB" would puzzle
                shown, most = f"{size:,} bytes", f"{limit:,} bytes"
            return (
                f"media '{name}' is {shown}; {caps.platform} takes {_KIND_WORDS[actual.kind]} "
                f"up to {most}; make it smaller"
            )
    return None
