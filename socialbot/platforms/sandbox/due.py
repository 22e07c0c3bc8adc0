"""Which of the sandbox's posts a collection round must look at, without asking each live post every round.

A busy fortnight has hundreds of posts still drawing reactions; a round five minutes after the last
has something new on a few of them. Each post's next reaction time goes into a heap when a round
looks at it, so a round takes the posts whose time has come, and the posts never looked at.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime

from socialbot.domain.values import Target

Resume = tuple[datetime, int, datetime]  # when a round last looked, its reactions by then, the next one's time


class DuePosts:
    def __init__(self) -> None:
        self._upcoming: list[tuple[datetime, str]] = []  # (next reaction, post); stale entries are skipped
        self._listed: dict[str, tuple[int, Target]] = {}  # posts looked at, numbered in the order first seen
        # (publication time orders them, as it orders targets; the number orders posts published together)
        self._listed_at: list[datetime] = []  # their publication times, sorted
        self._again: set[str] = set()  # posts to look at whatever their time (their reactions changed)
        self._order = itertools.count()
        self.looked_upto: datetime | None = None  # the latest time a round looked at posts

    def looked(self, target: Target, upcoming: datetime | None) -> None:
        """A round looked at ``target``; its next reaction comes at ``upcoming`` (None: none comes)."""
        if target.remote_id not in self._listed:
            self._listed[target.remote_id] = (next(self._order), target)
            bisect.insort(self._listed_at, target.published_at)
        if upcoming is not None:
            heapq.heappush(self._upcoming, (upcoming, target.remote_id))

    def again(self, remote_id: str) -> None:
        self._again.add(remote_id)

    def round_done(self, now: datetime) -> None:
        self.looked_upto = now if self.looked_upto is None else max(self.looked_upto, now)

    def to_look_at(
        self, targets: Sequence[Target], *, since: datetime | None, now: datetime, resumes: Mapping[str, Resume]
    ) -> Sequence[Target]:
        """The targets that may have something new by ``now``, in their order.

        Every target unless the cursor is where the last round left it and ``targets`` are the posts
        seen before plus newer ones at the end (the usual case); otherwise each target decides (a
        first round, a round asking again from an older cursor, a post recorded out of order).
        """
        if not targets or since is None or self.looked_upto is None or since < self.looked_upto:
            return targets
        listed = self._listed
        new: list[Target] = []
        for target in reversed(targets):
            if target.remote_id in listed:
                break
            new.append(target)
        first_at = targets[0].published_at
        if len(targets) - len(new) != len(self._listed_at) - bisect.bisect_left(self._listed_at, first_at):
            return targets  # not the posts seen before plus newer ones: each target decides
        chosen: dict[str, tuple[int, Target]] = {}
        for rid in self._again:
            if rid in listed and listed[rid][1].published_at >= first_at:
                chosen[rid] = listed[rid]
        self._again.clear()
        heap, not_asked = self._upcoming, []
        while heap and heap[0][0] <= now:
            at, rid = heapq.heappop(heap)
            resume = resumes.get(rid)
            if resume is None or resume[2] != at:
                continue  # looked at again since (a newer entry stands for it), or forgotten
            if listed[rid][1].published_at >= first_at:
                chosen[rid] = listed[rid]
            else:
                not_asked.append((at, rid))  # not among this round's targets: still due when it is
        for entry in not_asked:
            heapq.heappush(heap, entry)
        in_order = sorted(chosen.values(), key=lambda c: (c[1].published_at, c[0]))  # as targets are
        return [target for _, target in in_order] + new[::-1]
