"""The media rules as pure functions: magic bytes, suffixes and per-platform size limits."""

from __future__ import annotations

import pytest

from socialbot.domain.media import MediaType, format_for_suffix, media_problem, megabytes, sniff
from socialbot.domain.values import REDDIT_CAPABILITIES, X_CAPABILITIES

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", MediaType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\r", MediaType.PNG),
        (b"GIF87a\x01\x00", MediaType.GIF),
        (b"GIF89a\x01\x00", MediaType.GIF),
        (b"RIFF\x24\x00\x00\x00WEBP", MediaType.WEBP),
        (b"\x00\x00\x00\x18ftypmp42", MediaType.MP4),
        (b"\x89PNG\r\n\x1a", None),  # one byte short
        (b"RIFF\x24\x00\x00\x00WAVE", None),  # a RIFF that is not WEBP
        (b"GIF88a", None),
        (b"SOCIALBOT_X=", None),
        (b"", None),
    ],
)
def test_sniff(head, expected):
    assert sniff(head) is expected


def test_suffixes_claim_formats_case_insensitively():
    assert format_for_suffix(".JPEG").type is MediaType.JPEG
    assert format_for_suffix(".jpg").type is MediaType.JPEG
    assert format_for_suffix(".txt") is None


def check(name, head, size=100, platforms=(X_CAPABILITIES,)):
    return media_problem(name=name, suffix="." + name.rsplit(".", 1)[-1], head=head, size=size, platforms=platforms)


def test_media_problem_messages_say_what_to_fix():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\r"
    assert check("a.png", png) is None
    assert "is not a PNG image" in check("a.png", b"password=1234")
    assert "password" not in check("a.png", b"password=1234")
    assert (
        check("a.gif", png)
        == "media 'a.gif' is a PNG image named '.gif'; rename it to end in .png (the name must match the content)"
    )
    assert "'.txt' is not a supported media type" in check("a.txt", png)
    webp = b"RIFF\x24\x00\x00\x00WEBP"
    both = (X_CAPABILITIES, REDDIT_CAPABILITIES)
    assert "'.webp' is not a supported media type on reddit" in check("a.webp", webp, platforms=both)
    assert check("a.png", png, size=6 * MB, platforms=(REDDIT_CAPABILITIES,)) is None
    assert (
        check("a.png", png, size=6 * MB, platforms=both)
        == "media 'a.png' is 6 MB; x takes images up to 5 MB; make it smaller"
    )
    video = b"\x00\x00\x00\x18ftypmp42"
    reddit = (REDDIT_CAPABILITIES,)
    assert "is 2 GB; reddit takes videos up to 1 GB" in check("a.mp4", video, size=2048 * MB, platforms=reddit)
    assert "is 1,074,790,400 bytes; reddit takes videos up to 1,073,741,824 bytes" in check(
        "a.mp4", video, size=1025 * MB, platforms=reddit
    )


def test_megabytes():
    assert megabytes(5 * MB) == "5 MB"
    assert megabytes(int(5.25 * MB)) == "5.2 MB"
    assert megabytes(1024 * MB) == "1 GB"
