"""Reddit payloads: praw things read as plain data (never a lazy fetch), ids and fullnames, poll results."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from socialbot.domain.values import PollOptionResult, PollResult
from socialbot.errors import PlatformError, TransientPlatformError

FULLNAME_RE = re.compile(r"^t[13]_[0-9a-z]+$")


def data_of(obj: Any) -> dict[str, Any]:
    """The attributes praw already holds for ``obj``, never triggering a lazy fetch."""
    if isinstance(obj, dict):
        return obj
    try:
        return vars(obj)
    except TypeError:  # a list, a string, a number: not a thing
        raise TransientPlatformError(f"Reddit answered with an unreadable thing: {str(obj)[:80]}") from None


def from_epoch(epoch: float | None) -> datetime | None:
    """A Reddit epoch (seconds, a number); anything else, or out of range, is as if missing."""
    if isinstance(epoch, bool) or not isinstance(epoch, int | float):
        return None
    try:
        return datetime.fromtimestamp(float(epoch), UTC)
    except (ValueError, OverflowError, OSError):  # nan, ±inf, past year 9999
        return None


def id36(fullname_or_id: str) -> int:
    try:
        return int(fullname_or_id.rsplit("_", 1)[-1], 36)
    except (AttributeError, ValueError):
        raise TransientPlatformError(f"Reddit answered with an unreadable id: {str(fullname_or_id)[:40]!r}") from None


def to_fullname(remote_id: str, *, default_kind: str = "t3") -> str:
    return remote_id if FULLNAME_RE.match(remote_id) else f"{default_kind}_{remote_id}"


def author_of(thing: Any) -> str | None:
    author = data_of(thing).get("author")
    name = str(author) if author is not None else None
    return None if name in (None, "", "[deleted]") else name


def poll_result(poll_data: Any, *, now: datetime) -> PollResult | None:
    if poll_data is None:
        return None
    d = data_of(poll_data)
    listed = d.get("options")
    given = [_readable(o) for o in listed] if isinstance(listed, list | tuple) else []
    options = tuple(
        PollOptionResult(label=str(o.get("text")), votes=_count(o.get("vote_count")) or 0)
        for o in given
        if o is not None
    )
    end_ms = d.get("voting_end_timestamp")
    number = isinstance(end_ms, int | float) and not isinstance(end_ms, bool)
    closes_at = from_epoch(end_ms / 1000) if number and end_ms else None
    total = _count(d.get("total_vote_count"))
    return PollResult(
        options=options,
        total_votes=total if total is not None else sum(o.votes for o in options),
        closes_at=closes_at,
        open=closes_at is None or now < closes_at,
    )


def _count(value: object) -> int | None:
    """A count as Reddit sends it (an int); anything else (a bool, a string, a float) is as if missing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _readable(obj: object) -> dict[str, Any] | None:
    try:
        return data_of(obj)
    except PlatformError:
        return None
