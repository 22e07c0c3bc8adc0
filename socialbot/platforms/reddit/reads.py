"""Reddit reads that collection walks: things by fullname, comment forests with "load more" expanded, listings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import praw
from praw.models import MoreComments

from socialbot.domain.batching import chunks


class RedditReads:
    """praw calls that return things to read as plain data; the caller translates errors."""

    def __init__(self, reddit: praw.Reddit, *, replace_more_limit: int | None) -> None:
        self._reddit = reddit
        self.replace_more_limit = replace_more_limit

    def info(self, fullnames: Sequence[str]) -> Iterator[Any]:
        for batch in chunks(fullnames, 100):
            yield from self._reddit.info(fullnames=batch)

    def submission_forest(self, submission_id: str) -> tuple[list[Any], list[MoreComments]]:
        submission = self._reddit.submission(submission_id)
        submission.comment_sort = "new"
        left = submission.comments.replace_more(limit=self.replace_more_limit)
        return submission.comments.list(), left

    def comment_forest(self, comment: Any) -> tuple[list[Any], list[MoreComments]]:
        comment.refresh()
        left = comment.replies.replace_more(limit=self.replace_more_limit)
        return comment.replies.list(), left

    def listing(self, kind: str, subreddit: str | None = None, query: str | None = None) -> Iterable[Any]:
        if kind == "mentions":
            return self._reddit.inbox.mentions(limit=1000)
        sub = self._reddit.subreddit(subreddit or "all")
        if kind == "new":
            return sub.new(limit=1000)
        return sub.search(query or "", sort="new", time_filter="all", limit=1000)
