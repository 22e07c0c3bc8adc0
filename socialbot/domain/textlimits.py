"""Measures text the way each platform counts it (X's weighted length: URLs 23, wide characters 2)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from socialbot.domain.values import Capabilities

# After a dot, a letter or digit may start a domain (X counts a URL as 23 whatever its length)
_MAYBE_URL = re.compile(r"\.[0-9A-Za-z]")


@lru_cache(maxsize=8192)
def x_weighted_length(text: str) -> int:
    """Length as X counts it, by the twitter-text rules (imported lazily: it is slow to import).

    ASCII text with no possible domain in it counts one per character (every ASCII character weighs 1
    and there is no URL or emoji to count otherwise): the library, 0.3 ms a text, is asked only when
    that is not so. tests/domain/test_textlimits.py holds the shortcut to the library's answers.
    """
    if text.isascii() and "\r" not in text and _MAYBE_URL.search(text) is None:  # "\r\n" counts as one
        return len(text)
    return _parse_tweet()(text).weightedLength


@lru_cache(maxsize=1)
def _parse_tweet() -> Any:
    """twitter-text reads its emoji table through pkg_resources, which warns on every import; that warning is
    about the library, not the user's campaign (setuptools is held below 81, where pkg_resources still exists)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        from twitter_text import parse_tweet
    return parse_tweet


def text_length(text: str, capabilities: Capabilities) -> int:
    return x_weighted_length(text) if capabilities.weighted_length else len(text)


# Where twitter-text may find a URL (23 whatever its length): a dot before a letter or digit of any script
_MAYBE_ANY_URL = re.compile(r"\.\w|://")


def over_limit(text: str, capabilities: Capabilities) -> int:
    """How many characters ``text`` is over the platform's limit (0 when it fits).

    On X no character weighs more than 2 (an emoji sequence weighs 2 in all) and, with no URL, nothing
    counts more than it is long: text that fits at 2 a character fits, and the library (whose patterns
    take 0.3 s to compile) is not asked.
    """
    if (
        capabilities.weighted_length
        and 2 * len(unicodedata.normalize("NFC", text)) <= capabilities.max_text_length
        and _MAYBE_ANY_URL.search(text) is None
    ):
        return 0
    return max(0, text_length(text, capabilities) - capabilities.max_text_length)


# Characters no campaign text may hold: lone surrogates (not text at all), control characters written as
# escapes ("\\e", "\\x00": they reach a terminal or a platform as is), and the bidirectional embeddings,
# overrides and isolates that make text display in another order than it is stored. U+200E/U+200F marks
# stay allowed for right-to-left text.
_FORBIDDEN = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "backspace", "\x1b": "ESC", "\x7f": "DEL"}


def forbidden_character(text: str) -> str | None:
    """What is wrong with the first forbidden character in ``text`` (None when there is none)."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return "the text contains an invalid character (a lone surrogate such as \\ud800); remove it"
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "a control character")
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"the text contains {code} {name}, which makes it display in another order than it is written; "
            "remove it (use U+200F RIGHT-TO-LEFT MARK for right-to-left text)"
        )
    return f"the text contains the control character {code} ({name}); remove it"


def without_forbidden_characters(text: str) -> str:
    return _FORBIDDEN.sub("", text)
