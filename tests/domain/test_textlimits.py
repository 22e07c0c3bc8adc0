"""X's weighted length: the ASCII shortcut gives exactly the twitter-text library's answer."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from socialbot.domain.textlimits import _parse_tweet, x_weighted_length

LIBRARY = _parse_tweet()

# the characters URLs, mentions, hashtags and cashtags are made of, and then some
ASCII_TEXT = st.text(alphabet=string.printable, max_size=300)
URLISH = st.text(alphabet=string.ascii_letters + string.digits + "./:-_@#$?=& \n", max_size=120)


@settings(max_examples=400, deadline=None)
@given(ASCII_TEXT)
def test_ascii_text_counts_as_the_library_counts_it(text):
    x_weighted_length.cache_clear()
    assert x_weighted_length(text) == LIBRARY(text).weightedLength


@settings(max_examples=400, deadline=None)
@given(URLISH)
def test_text_made_of_url_characters_counts_as_the_library_counts_it(text):
    x_weighted_length.cache_clear()
    assert x_weighted_length(text) == LIBRARY(text).weightedLength


def test_domains_urls_and_wide_text_still_go_to_the_library():
    for text in ("see example.com", "http://a.io/x", "go t.co", "漢字 and more", "emoji 🎉 here", "x.Y"):
        assert x_weighted_length(text) == LIBRARY(text).weightedLength
    assert x_weighted_length("see example.com") == 4 + 23
    assert x_weighted_length("Ends today. Join us at 10:30 - #launch @team") == 44


# any script, emoji with skin tones and joiners, combining marks, dots and slashes: what campaigns hold
ANY_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["👍🏽", "👩‍👩‍👧", "🇪🇸", "é", "e\u0301", "日本", ".рф", ".com", "://", " ", "\r\n"]),
    ),
    min_size=60,
    max_size=220,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_how_far_over_xs_limit_a_text_is_agrees_with_the_library(text):
    """The shortcut (at most 2 a character, no URL: it fits) never calls a text fine that the library counts over."""
    from socialbot.domain.textlimits import over_limit
    from socialbot.domain.values import X_CAPABILITIES

    assert over_limit(text, X_CAPABILITIES) == max(0, LIBRARY(text).weightedLength - 280)
