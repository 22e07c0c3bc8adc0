"""Reddit payloads: praw things read as plain data (never a lazy fetch), ids and fullnames, poll results."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from socialbot.domain.values import PollOptionResult, PollResult

FULLNAME_RE = re.compile(r"^t[13]_[0-9a-z]+$")


def data_of(obj: Any) -> dict[str, Any]:
    """The attributes praw already holds for ``obj``, never triggering a lazy fetch."""
    return obj if isinstance(obj, dict) else vars(obj)


def from_epoch(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(float(epoch), UTC) if epoch is not None else None


def id36(fullname_or_id: str) -> int:
    return int(fullname_or_id.rsplit("_", 1)[-1], 36)


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
    options = tuple(
        PollOptionResult(label=str(data_of(o).get("text")), votes=int(data_of(o).get("vote_count") or 0))
        for o in d.get("options") or ()
    )
    end_ms = d.get("voting_end_timestamp")
    closes_at = from_epoch(end_ms / 1000) if end_ms else None
    total = d.get("total_vote_count")
    return PollResult(
        options=options,
        total_votes=int(total if total is not None else sum(o.votes for o in options)),
        closes_at=closes_at,
        open=closes_at is None or now < closes_at,
    )
