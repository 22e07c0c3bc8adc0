"""Reddit collection: walks comment forests, inbox mentions and subreddit listings from stored fullname cursors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from praw.models import MoreComments

from socialbot.domain.values import AuthorProfile, CollectBatch, Interaction, InteractionKind, Target
from socialbot.platforms.reddit.payloads import author_of, data_of, from_epoch, id36, to_fullname
from socialbot.platforms.reddit.reads import RedditReads


class Collection:
    """One incremental collection: walks every stream from its cursor and gathers interactions, authors, notes."""

    def __init__(self, *, reads: RedditReads, me: str, cursors: Mapping[str, str], now: datetime) -> None:
        self.reads = reads
        self.cursors = dict(cursors)
        self.now = now
        self.me = me.casefold()
        self.found: dict[str, Interaction] = {}
        self.authors: dict[str, AuthorProfile] = {}
        self.notes: list[str] = []

    def batch(self) -> CollectBatch:
        return CollectBatch(tuple(self.found.values()), tuple(self.authors.values()), self.cursors, tuple(self.notes))

    def _add(self, kind: InteractionKind, d: Mapping[str, Any], *, target: str | None, text: str | None) -> None:
        author = author_of(d)
        if author is None or author.casefold() == self.me or d["name"] in self.found:
            return
        self.found[d["name"]] = Interaction(
            platform="reddit",
            remote_id=d["name"],
            kind=kind,
            author_id=author,
            created_at=from_epoch(d.get("created_utc")) or self.now,
            target_id=target,
            parent_id=d.get("parent_id"),
            text=text,
            raw={k: d[k] for k in ("subreddit_id", "link_id", "permalink", "score") if k in d},
        )
        self.authors.setdefault(author, AuthorProfile("reddit", author, author, taken_at=self.now))

    def replies(self, targets: Sequence[Target]) -> None:
        """Replies under our submissions (whole forest) and under our comments, attributed to the nearest target."""
        wanted = {to_fullname(t.remote_id) for t in targets}
        submissions = [f for f in wanted if f.startswith("t3_")]
        comments = [
            data_of(c) | {"_thing": c} for c in self.reads.info(sorted(f for f in wanted if f.startswith("t1_")))
        ]
        for name in submissions:
            self._walk(f"comments:{name}", *self.reads.submission_forest(name[3:]), wanted=wanted, root=name)
        for d in comments:
            if d.get("link_id") in wanted:
                continue  # already walked with its submission
            self._walk(f"replies:{d['name']}", *self.reads.comment_forest(d["_thing"]), wanted=wanted, root=d["name"])

    def _walk(self, stream: str, things: list[Any], left: list[MoreComments], *, wanted: set[str], root: str) -> None:
        mark = id36(self.cursors[stream]) if stream in self.cursors else -1
        seen = [data_of(t) for t in things if not isinstance(t, MoreComments)]
        parents = {d["name"]: d.get("parent_id") for d in seen}
        hidden = [child for more in left for child in data_of(more).get("children") or ()]
        hidden_count = sum(int(data_of(more).get("count") or 0) for more in left)
        if left:
            self.notes.append(f"{stream}: {hidden_count} comments left behind 'load more' (replace_more limit reached)")
        floor = min((id36(c) for c in hidden), default=None)
        newest = mark
        for d in seen:
            number = id36(d["id"])
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
        self._stream("mentions", self.reads.listing("mentions"), InteractionKind.MENTION, match=None)

    def keyword_posts(self, subreddit: str, keywords: Sequence[str]) -> None:
        words = [k.casefold() for k in keywords]
        for keyword in keywords:
            self._stream(
                f"search:{subreddit}:{keyword}",
                self.reads.listing("search", subreddit, keyword),
                InteractionKind.HASHTAG,
                match=None,
            )
        self._stream(f"new:{subreddit}", self.reads.listing("new", subreddit), InteractionKind.HASHTAG, match=words)

    def _stream(self, stream: str, listing: Iterable[Any], kind: InteractionKind, *, match: list[str] | None) -> None:
        mark = id36(self.cursors[stream]) if stream in self.cursors else -1
        newest = mark
        for thing in listing:
            d = data_of(thing)
            number = id36(d["name"])
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
