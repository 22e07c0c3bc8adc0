"""Search: the X query-language parser (terms, phrases, -negation, OR, groups, operators) and the 7-day window."""

from __future__ import annotations

import re
from collections.abc import Callable

from .paging import _max_results, _timeline
from .protocol import SEARCH_DAYS, TWITTER_EPOCH_MS, _invalid, _iso, _parse_iso
from .world import XWorld

_TOKEN = re.compile(r'\(|\)|"[^"]*"|[^\s()]+')


def _query_predicate(query: str) -> Callable[[dict, XWorld], bool]:
    """A tiny parser of X search queries: terms, "phrases", -negation, OR, (groups), field:value operators."""
    tokens = _TOKEN.findall(query)
    pos = 0

    def expr():
        nonlocal pos
        alternatives = [sequence()]
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            alternatives.append(sequence())
        return lambda t, x: any(a(t, x) for a in alternatives)

    def sequence():
        nonlocal pos
        factors = []
        while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
            factors.append(factor())
        return lambda t, x: all(f(t, x) for f in factors)

    def factor():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            inner = expr()
            pos += 1  # ")"
            return inner
        if token.startswith("-") and len(token) > 1:
            atom = _atom(token[1:])
            return lambda t, x: not atom(t, x)
        return _atom(token)

    predicate = expr()
    if pos != len(tokens):
        raise _invalid(f"There were errors processing your request: Ambiguous use of ')' in {query!r}", query=[query])
    return predicate


def _atom(token: str) -> Callable[[dict, XWorld], bool]:
    key, _, value = token.partition(":")
    if value and key == "conversation_id":
        return lambda t, x: t["conversation_id"] == value
    if value and key == "from":
        return lambda t, x: x.users[t["author_id"]]["username"].lower() == value.lower()
    if value and key == "is":
        tests = {
            "reply": lambda t: bool(t["in_reply_to"]),
            "quote": lambda t: bool(t["quote_of"]),
            "retweet": lambda t: bool(t.get("retweet_of")),
        }
        return lambda t, x: tests.get(value, lambda _t: False)(t)
    needle = token.strip('"').lower()
    return lambda t, x: needle in t["text"].lower()


def _search(x: XWorld, scope: str, query: dict[str, str]) -> dict:
    text = query.get("query", "")
    if not text or len(text) > 512:
        raise _invalid(
            f"There were errors processing your request: Query is too long or empty ({len(text)} > 512)",
            query=[text[:40]],
        )
    size = _max_results(query, low=10, high=100 if scope == "recent" else 500, default=10)
    now = x.clock()
    floor = now - SEARCH_DAYS * 86400
    if scope == "recent":
        if "start_time" in query and _parse_iso(query["start_time"]) < floor:
            raise _invalid(
                f"Invalid 'start_time':'{query['start_time']}'. 'start_time' must be on or after {_iso(floor)}",
                start_time=[query["start_time"]],
            )
        since = query.get("since_id")
        if since and ((int(since) >> 22) + TWITTER_EPOCH_MS) / 1000 < floor:
            raise _invalid(
                f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after {_iso(floor)}.",
                since_id=[since],
            )
    predicate = _query_predicate(text)
    tweets = [t for t in x.tweets.values() if (scope == "all" or t["created_at"] >= floor) and predicate(t, x)]
    return _timeline(x, tweets, query, size=size, token_name="next_token")
