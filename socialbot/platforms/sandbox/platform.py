"""The sandbox platform: a real adapter whose world lives in the database and whose audience is simulated."""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from socialbot.domain.clock import Clock, system_clock
from socialbot.domain.polls import ballot_options
from socialbot.domain.values import (
    X_CAPABILITIES,
    AuthorProfile,
    CallKind,
    Capabilities,
    CollectBatch,
    Draft,
    Interaction,
    InteractionKind,
    Metrics,
    OwnPost,
    PollOptionResult,
    PollResult,
    Published,
    Target,
)
from socialbot.errors import ContentRejected, OutcomeUnknown, RateLimited, TransientPlatformError
from socialbot.platforms.base import UsageMeter
from socialbot.platforms.sandbox.audience import MAX_DELAY, Audience, Habit, Persona, Reaction, stable_seed
from socialbot.platforms.sandbox.due import DuePosts

WATERMARK = "sandbox:watermark"
NEVER = datetime.max.replace(tzinfo=UTC)  # the next reaction of a post that has had its last
FINAL_AFTER = timedelta(days=1)  # past the last possible reaction and the cursor, a post keeps only its totals


def _published(target: Target) -> datetime:
    return target.published_at


class _Timeline:
    """A post's reactions sorted by delay, so "how many by time t" (of each kind) is a binary search."""

    def __init__(self, reactions: list[Reaction]) -> None:
        self.reactions = reactions
        self.total = len(reactions)
        self.delays = [r.delay for r in reactions]
        self.by_kind: dict[InteractionKind, list[timedelta]] = {k: [] for k in InteractionKind}
        self.reach = [0]  # followers reached by reposts and quotes among the first n reactions
        spread, reach = (InteractionKind.REPOST, InteractionKind.QUOTE), 0
        for r in reactions:
            self.by_kind[r.kind].append(r.delay)
            if r.kind in spread:
                reach += r.persona.followers
            self.reach.append(reach)
        self.totals = {k: len(d) for k, d in self.by_kind.items()}  # all a final timeline keeps (final())
        self._counted: tuple[int, dict[InteractionKind, int]] = (-1, {})  # the last counts_until, by n

    def index_after(self, delay: timedelta) -> int:
        """Number of reactions with delay <= ``delay`` (of a final timeline: all of them)."""
        if not self.delays:
            return self.total
        return bisect.bisect_right(self.delays, delay)

    def counts_until(self, delay: timedelta) -> tuple[dict[InteractionKind, int], int, int]:
        """Reactions of each kind by ``delay``, the followers reached by then, and all reactions by then."""
        if not self.delays:  # a final timeline keeps only the totals
            return dict(self.totals), self.reach[-1], self.total
        n = self.index_after(delay)
        if self._counted[0] != n:  # a reading of a post with no reaction since the last one counts nothing again
            self._counted = (n, {k: bisect.bisect_right(d, delay) for k, d in self.by_kind.items()})
        return dict(self._counted[1]), self.reach[n], n

    def final(self) -> _Timeline:
        """Only the totals (every reaction is in the past): what counters need once collection is past it."""
        done = _Timeline([])
        done.totals = self.totals
        done.reach = [self.reach[-1]]
        done.total = self.total
        return done


class SandboxWorld(Protocol):
    """Where the sandbox keeps its posts (storage.runtime.SandboxWorldStore in the product)."""

    def add(
        self, *, text: str, reply_to: str | None, created_at: datetime, id_base: int, poll: dict | None = None
    ) -> str: ...
    def poll(self, remote_id: str) -> dict | None: ...
    def exists(self, remote_id: str) -> bool: ...
    def delete(self, remote_id: str) -> bool: ...
    def posts_since(self, since: datetime) -> list[OwnPost]: ...
    def has_text_since(self, text: str, since: datetime) -> bool: ...  # as duplicates are judged
    def created_at(self, remote_ids: list[str]) -> dict[str, datetime]: ...


class SandboxPlatform:
    """Deterministic given a seed; emulates X-like or Reddit-like capabilities; can be told to fail.

    ``failure_rate`` is the share of calls that fail, split between rate limits, server errors and
    (for publishing) lost responses whose post was accepted half of the time — exactly the cases
    the ledger must survive.
    """

    name = "sandbox"

    def __init__(
        self,
        *,
        world: SandboxWorld,
        seed: int = 42,
        capabilities: Capabilities = X_CAPABILITIES,
        failure_rate: float = 0.0,
        clock: Clock = system_clock,
        hashtags: Sequence[str] = (),
        audience: Audience | None = None,
    ) -> None:
        self.world = world
        self.capabilities = capabilities
        self.failure_rate = failure_rate
        self.clock = clock
        self.hashtags = tuple(hashtags)
        self.audience = audience or Audience(seed=seed)
        self.usage = UsageMeter()
        self._failures = random.Random(stable_seed("failures", seed))
        self._reactions: dict[str, _Timeline] = {}
        self._scripted: dict[str, list[Reaction]] = {}
        self._epoch: datetime | None = None
        self._last_reaction = MAX_DELAY  # no reaction comes later after a post (a scripted one may)
        self._built: list[tuple[datetime, str]] = []  # posts with a timeline, by publication time
        self._final_upto = 0  # self._built[:this] keep only their totals
        # post -> (when a round last looked, its reactions by then, when the next one comes): a round that
        # starts between the first and the last has nothing to look at on that post
        self._resume: dict[str, tuple[datetime, int, datetime]] = {}
        self._due = DuePosts()  # which posts a round looks at (a heap of next-reaction times)
        self._profiles: dict[str, AuthorProfile] = {}  # persona -> its profile, accounts dated from the epoch

    # --- failure injection -------------------------------------------------------------------
    def _maybe_fail(self, endpoint: str, *, writes: bool = False) -> bool:
        """Raise a simulated failure; returns True when a write should "succeed but lose its answer"."""
        self.usage.count(endpoint)
        if self.failure_rate <= 0 or self._failures.random() >= self.failure_rate:
            return False
        roll = self._failures.random()
        if roll < 0.4:
            raise RateLimited(
                f"sandbox {endpoint}: 429 Too Many Requests", retry_after=self._failures.choice((60, 300, 900))
            )
        if writes and roll < 0.7:
            return True
        raise TransientPlatformError(f"sandbox {endpoint}: 503 Service Unavailable")

    # --- publishing --------------------------------------------------------------------------
    def publish(self, draft: Draft) -> Published:
        lose_answer = self._maybe_fail("publish", writes=True)
        now = self.clock()
        caps = self.capabilities
        if caps.needs_subreddit and not draft.reply_to and not draft.subreddit:
            raise ContentRejected("sandbox: SUBREDDIT_REQUIRED — a submission needs a subreddit")
        if draft.reply_to and not (self.world.exists(draft.reply_to) or self._is_reaction(draft.reply_to)):
            raise ContentRejected(f"sandbox: the post being replied to ({draft.reply_to}) does not exist")
        if caps.platform == "x" and self.world.has_text_since(draft.text, now - timedelta(hours=24)):
            raise ContentRejected("sandbox: You are not allowed to create a Tweet with duplicate content.")
        if lose_answer and self._failures.random() < 0.5:
            raise OutcomeUnknown("sandbox publish: timed out; the request never reached the platform")
        remote_id = self.world.add(
            text=draft.text, reply_to=draft.reply_to, created_at=now, id_base=1_800_000_000, poll=_poll_of(draft)
        )
        if lose_answer:
            raise OutcomeUnknown("sandbox publish: connection lost after the platform accepted the post")
        return Published(remote_id=remote_id, url=f"https://sandbox.invalid/posts/{remote_id}", created_at=now)

    def _is_reaction(self, remote_id: str) -> bool:
        """Whether ``remote_id`` names a reply or mention of the simulated crowd (``<post id>-<number>``)."""
        post, _, number = remote_id.rpartition("-")
        return number.isdigit() and bool(post) and self.world.exists(post)

    def delete(self, remote_id: str) -> None:
        self._maybe_fail("delete")
        if not self.world.delete(remote_id):
            raise ContentRejected(f"sandbox: no post {remote_id} to delete")

    def recent_own_posts(self, *, since: datetime) -> list[OwnPost]:
        self._maybe_fail("own_posts")
        return self.world.posts_since(since)

    # --- collection --------------------------------------------------------------------------
    def _reactions_for(self, remote_id: str, published_at: datetime) -> _Timeline:
        timeline = self._reactions.get(remote_id)
        if timeline is None:
            poll = self.world.poll(remote_id)
            ballot = tuple(poll["ballot"]) if poll and "ballot" in poll else None
            asks = bool(poll and poll.get("qa"))
            reactions = self.audience.reactions(remote_id, hashtags=self.hashtags, ballot=ballot, questions=asks)
            reactions = sorted([*reactions, *self._scripted.get(remote_id, ())], key=lambda r: r.delay)
            timeline = self._reactions[remote_id] = _Timeline(reactions)
            bisect.insort(self._built, (published_at, remote_id))
        return timeline

    def _author(self, persona_id: str, now: datetime) -> AuthorProfile:
        if self._epoch is None:  # no post collected yet: accounts are dated from now, and not remembered
            return self._profile(persona_id, now, epoch=now)
        if (known := self._profiles.get(persona_id)) is None:
            known = self._profiles[persona_id] = self._profile(persona_id, now, epoch=self._epoch)
        # the same profile taken now (it never changes: the crowd does not grow or age); a copy of the
        # frozen dataclass's fields costs a fifth of building it, and a round names a hundred people
        stamped = object.__new__(AuthorProfile)
        stamped.__dict__.update(known.__dict__, taken_at=now)
        return stamped

    def _profile(self, persona_id: str, now: datetime, *, epoch: datetime) -> AuthorProfile:
        p = self.audience.by_id[persona_id]
        return AuthorProfile(
            platform=self.capabilities.platform,
            remote_id=p.id,
            username=p.username,
            taken_at=now,
            created_at=self.audience.account_created(p, epoch=epoch),
            followers=p.followers,
            following=p.following,
            verified=p.verified,
            protected=False,
            karma=p.followers * 7 if self.capabilities.platform == "reddit" else None,
        )

    def fetch_interactions(
        self, targets: Sequence[Target], *, cursors: Mapping[str, str], keywords: Sequence[str] = (), now: datetime
    ) -> CollectBatch:
        self._maybe_fail("collect")
        since = datetime.fromisoformat(cursors[WATERMARK]) if WATERMARK in cursors else None
        if targets and self._epoch is None:
            self._epoch = min(t.published_at for t in targets)
        if since is not None:  # posts whose last reaction is before the cursor have nothing new
            targets = targets[bisect.bisect_right(targets, since - self._last_reaction, key=_published) :]
            self._keep_totals_only(before=since - self._last_reaction - FINAL_AFTER)
        interactions: list[Interaction] = []
        people: set[str] = set()
        resumes = self._resume
        platform = self.capabilities.platform
        for target in self._due.to_look_at(targets, since=since, now=now, resumes=resumes):
            resume = resumes.get(target.remote_id)
            if resume is not None and since is not None and resume[0] <= since and now < resume[2]:
                continue  # the common case: nothing since the last round looked, nothing new by now
            timeline = self._reactions_for(target.remote_id, target.published_at)
            if since is None:
                lo = 0
            elif resume is not None and resume[0] <= since < resume[2]:  # no reaction between: no search
                lo = resume[1]
            else:
                lo = timeline.index_after(since - target.published_at)
            hi = timeline.index_after(now - target.published_at)
            upcoming = target.published_at + timeline.delays[hi] if hi < len(timeline.delays) else NEVER
            resumes[target.remote_id] = (now, hi, upcoming)
            self._due.looked(target, None if upcoming is NEVER else upcoming)
            for r in timeline.reactions[lo:hi]:
                at = target.published_at + r.delay
                if r.kind == InteractionKind.HASHTAG and not keywords:
                    continue
                linked = r.kind not in (InteractionKind.HASHTAG, InteractionKind.MENTION)
                interaction = Interaction(
                    platform=platform,
                    remote_id=f"{target.remote_id}-{r.number}",
                    kind=r.kind,
                    author_id=r.persona.id,
                    created_at=at,
                    target_id=target.remote_id if linked else None,
                    parent_id=target.remote_id if linked else None,
                    text=r.text,
                )
                interactions.append(interaction)
                people.add(r.persona.id)
        self._due.round_done(now)
        authors = tuple(self._author(pid, now) for pid in sorted(people))
        return CollectBatch(interactions=tuple(interactions), authors=authors, cursors={WATERMARK: now.isoformat()})

    def _keep_totals_only(self, *, before: datetime) -> None:
        """Forget the single reactions of posts long past their last one (memory stays flat as posts add up).

        A day of margin past the cursor: a round that failed asks again from an older cursor, never a day older.
        """
        while self._final_upto < len(self._built) and self._built[self._final_upto][0] < before:
            rid = self._built[self._final_upto][1]
            if (timeline := self._reactions.get(rid)) is not None:
                self._reactions[rid] = timeline.final()
            self._resume.pop(rid, None)
            self._final_upto += 1

    def fetch_metrics(self, remote_ids: Sequence[str], *, now: datetime) -> list[Metrics]:
        self._maybe_fail("metrics")
        published = self.world.created_at(list(remote_ids))
        reddit = self.capabilities.platform == "reddit"
        out = []
        for rid in remote_ids:
            if rid not in published:
                continue
            timeline = self._reactions_for(rid, published[rid])
            count, reach, seen = timeline.counts_until(now - published[rid])
            impressions = 25 * seen + reach // 10
            poll = self.world.poll(rid)
            out.append(
                Metrics(
                    remote_id=rid,
                    taken_at=now,
                    likes=None if reddit else count[InteractionKind.LIKE],
                    replies=None if reddit else count[InteractionKind.REPLY],
                    reposts=None if reddit else count[InteractionKind.REPOST],
                    quotes=None if reddit else count[InteractionKind.QUOTE],
                    impressions=None if reddit else impressions,
                    score=count[InteractionKind.LIKE] + 1 if reddit else None,
                    upvote_ratio=0.93 if reddit else None,
                    comments=count[InteractionKind.REPLY] if reddit else None,
                    poll=self._native_poll(rid, poll, published[rid], now) if poll and "options" in poll else None,
                )
            )
        return out

    def _native_poll(self, remote_id: str, poll: dict, published: datetime, now: datetime) -> PollResult:
        """A native poll's totals by ``now``: the simulated crowd's votes so far (nobody votes after the close)."""
        options, minutes = list(poll["options"]), int(poll["duration_minutes"])
        closes = published + timedelta(minutes=minutes)
        counts = self.audience.poll_votes(remote_id, options=len(options), duration=closes - published).until(
            min(now, closes) - published
        )
        return PollResult(
            options=tuple(PollOptionResult(label, n) for label, n in zip(options, counts, strict=True)),
            total_votes=sum(counts),
            closes_at=closes,
            open=now < closes,
        )

    def fetch_profiles(self, author_ids: Sequence[str], *, now: datetime) -> list[AuthorProfile]:
        self._maybe_fail("profiles")
        return [self._author(a, now) for a in author_ids if a in self.audience.by_id]

    def script_reply(self, remote_id: str, *, author: str, text: str, after: timedelta) -> None:
        """Make a named person reply to ``remote_id`` ``after`` its publication (tests and scripted rehearsals)."""
        persona_id = str(stable_seed("scripted", author) % 10**9 + 9 * 10**9)
        if persona_id not in self.audience.by_id:
            self.audience.add_persona(Persona(persona_id, author, Habit.REPLIER, 0.0, 365, 10, 10, False))
        self._reactions.pop(remote_id, None)  # rebuilt with the scripted reply on next use
        self._resume.pop(remote_id, None)  # its positions change with the new reply
        self._due.again(remote_id)
        scripted = self._scripted.setdefault(remote_id, [])
        number = 10_000_000 + len(scripted) + 1
        scripted.append(Reaction(number, self.audience.by_id[persona_id], InteractionKind.REPLY, after, text))
        self._last_reaction = max(self._last_reaction, after + timedelta(seconds=1))


def _poll_of(draft: Draft) -> dict | None:
    """What the sandbox keeps of a post's poll: a native poll's options and duration, a reply poll's ballot, or
    that it opens a Q&A session."""
    if draft.poll is not None:
        return {"options": list(draft.poll.options), "duration_minutes": draft.poll.duration_minutes}
    if draft.suggested_sort == "qa":  # a Q&A opening: the crowd asks questions under it
        return {"qa": True}
    ballot = ballot_options(draft.text)
    return {"ballot": list(ballot)} if ballot else None


def call_kind(endpoint: str) -> CallKind:
    """How budgets count one sandbox call: "publish" publishes, "delete" is neither, the rest are reads."""
    if endpoint == "publish":
        return CallKind.PUBLISH
    return CallKind.OTHER if endpoint == "delete" else CallKind.READ
