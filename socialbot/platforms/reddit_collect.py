"""Reddit collection: walks comment forests, inbox mentions and subreddit listings from stored fullname cursors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from praw.models import MoreComments

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, InteractionKind, Target

if TYPE_CHECKING:
    from socialbot.platforms.reddit import RedditPlatform

_FULLNAME_RE = re.compile(r"^t[13]_[0-9a-z]+$")


def _data(obj: Any) -> dict[str, Any]:
    """The attributes praw already holds for ``obj``, never triggering a lazy fetch."""
    return obj if isinstance(obj, dict) else vars(obj)


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(float(epoch), UTC) if epoch is not None else None


def _id36(fullname_or_id: str) -> int:
    return int(fullname_or_id.rsplit("_", 1)[-1], 36)


def _fullname(remote_id: str, *, default_kind: str = "t3") -> str:
    return remote_id if _FULLNAME_RE.match(remote_id) else f"{default_kind}_{remote_id}"


def _author(thing: Any) -> str | None:
    author = _data(thing).get("author")
    name = str(author) if author is not None else None
    return None if name in (None, "", "[deleted]") else name


class Collection:
    """One incremental collection: walks every stream from its cursor and gathers interactions, authors, notes."""

    def __init__(self, *, platform: RedditPlatform, cursors: Mapping[str, str], now: datetime) -> None:
        self.p = platform
        self.cursors = dict(cursors)
        self.now = now
        self.me = platform.me().casefold()
        self.found: dict[str, Interaction] = {}
        self.authors: dict[str, AuthorProfile] = {}
        self.notes: list[str] = []

    def batch(self) -> CollectBatch:
        return CollectBatch(tuple(self.found.values()), tuple(self.authors.values()), self.cursors, tuple(self.notes))

    def _add(self, kind: InteractionKind, d: Mapping[str, Any], *, target: str | None, text: str | None) -> None:
        author = _author(d)
        if author is None or author.casefold() == self.me or d["name"] in self.found:
            return
        self.found[d["name"]] = Interaction(
            platform="reddit",
            remote_id=d["name"],
            kind=kind,
            author_id=author,
            created_at=_when(d.get("created_utc")) or self.now,
            target_id=target,
            parent_id=d.get("parent_id"),
            text=text,
            raw={k: d[k] for k in ("subreddit_id", "link_id", "permalink", "score") if k in d},
        )
        self.authors.setdefault(author, AuthorProfile("reddit", author, author, taken_at=self.now))

    def replies(self, targets: Sequence[Target]) -> None:
        """Replies under our submissions (whole forest) and under our comments, attributed to the nearest target."""
        wanted = {_fullname(t.remote_id) for t in targets}
        submissions = [f for f in wanted if f.startswith("t3_")]
        comments = [_data(c) | {"_thing": c} for c in self.p._info(sorted(f for f in wanted if f.startswith("t1_")))]
        for fullname in submissions:
            self._walk(f"comments:{fullname}", *self.p._submission_forest(fullname[3:]), wanted=wanted, root=fullname)
        for d in comments:
            if d.get("link_id") in wanted:
                continue  # already walked with its submission
            self._walk(f"replies:{d['name']}", *self.p._comment_forest(d["_thing"]), wanted=wanted, root=d["name"])

    def _walk(self, stream: str, things: list[Any], left: list[MoreComments], *, wanted: set[str], root: str) -> None:
        mark = _id36(self.cursors[stream]) if stream in self.cursors else -1
        seen = [_data(t) for t in things if not isinstance(t, MoreComments)]
        parents = {d["name"]: d.get("parent_id") for d in seen}
        hidden = [child for more in left for child in _data(more).get("children") or ()]
        hidden_count = sum(int(_data(more).get("count") or 0) for more in left)
        if left:
            self.notes.append(f"{stream}: {hidden_count} comments left behind 'load more' (replace_more limit reached)")
        floor = min((_id36(c) for c in hidden), default=None)
        newest = mark
        for d in seen:
            number = _id36(d["id"])
            if number <= mark:
                continue
            if floor is None or number < floor:
                newest = max(newest, number)
            target, node = None, d.get("parent_id")
            while node is not None and target is None:
                target = node if node in wanted else None
                node = parents.get(node)
            self._add(InteractionKind.REPLY, d, target=target or root, text=d.get("body"))
        if newest >= 0:
            self.cursors[stream] = _to36(newest)

    def mentions(self) -> None:
        self._stream("mentions", self.p._listing("mentions"), InteractionKind.MENTION, match=None)

    def keyword_posts(self, subreddit: str, keywords: Sequence[str]) -> None:
        words = [k.casefold() for k in keywords]
        for keyword in keywords:
            self._stream(
                f"search:{subreddit}:{keyword}",
                self.p._listing("search", subreddit, keyword),
                InteractionKind.HASHTAG,
                match=None,
            )
        self._stream(f"new:{subreddit}", self.p._listing("new", subreddit), InteractionKind.HASHTAG, match=words)

    def _stream(self, stream: str, listing: Iterable[Any], kind: InteractionKind, *, match: list[str] | None) -> None:
        mark = _id36(self.cursors[stream]) if stream in self.cursors else -1
        newest = mark
        for thing in listing:
            d = _data(thing)
            number = _id36(d["name"])
            if number <= mark:
                break
            newest = max(newest, number)
            text = d.get("body") if "body" in d else "\n\n".join(x for x in (d.get("title"), d.get("selftext")) if x)
            if match is None or any(word in (text or "").casefold() for word in match):
                self._add(kind, d, target=None, text=text)
        if newest >= 0:
            self.cursors[stream] = _to36(newest)


def _to36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
