"""Measures text the way each platform counts it (X's weighted length: URLs 23, wide characters 2)."""

from __future__ import annotations

from functools import lru_cache

from socialbot.domain.values import Capabilities


@lru_cache(maxsize=8192)
def x_weighted_length(text: str) -> int:
    """Length as X counts it, by the twitter-text rules (imported lazily: it is slow to import)."""
    from twitter_text import parse_tweet

    return parse_tweet(text).weightedLength


def text_length(text: str, capabilities: Capabilities) -> int:
    return x_weighted_length(text) if capabilities.weighted_length else len(text)


def over_limit(text: str, capabilities: Capabilities) -> int:
    """How many characters ``text`` is over the platform's limit (0 when it fits)."""
    return max(0, text_length(text, capabilities) - capabilities.max_text_length)
