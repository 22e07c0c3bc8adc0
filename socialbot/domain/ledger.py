"""Ledger rules: planned actions, their idempotency keys, statuses, and what to do with each one now."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache, cached_property

from socialbot.domain.values import Draft


class Status(StrEnum):
    """Where an outward action stands. Only ``planned`` rows are ever (re)sent."""

    PLANNED = "planned"  # waiting for its due time (or parked until ``not_before``)
    SENDING = "sending"  # committed before the API call; a crash leaves it here → treated as unconfirmed
    SENT = "sent"  # the platform accepted it; remote id stored
    UNCONFIRMED = "unconfirmed"  # outcome unknown: reconciled against our own recent posts, never blindly retried
    MISSED = "missed"  # overdue past catch_up_within: never posted late by surprise
    FAILED = "failed"  # the platform rejected it for good
    CANCELLED = "cancelled"  # removed or rescheduled in the campaign file before it was sent


OPEN = (Status.PLANNED, Status.SENDING, Status.UNCONFIRMED)
DONE = (Status.SENT, Status.MISSED, Status.FAILED, Status.CANCELLED)


class Origin(StrEnum):
    """Who decided an action: a campaign file (re-planned on every rescan) or a feature at run time (never pruned)."""

    SCHEDULE = "schedule"
    REACTIVE = "reactive"


class ActionKind(StrEnum):
    """What an outward action is; the ledger treats them alike, reports and features tell them apart."""

    POST = "post"
    THREAD_PART = "thread_part"
    POLL = "poll"
    REPLY = "reply"
    ANSWER = "answer"
    ANNOUNCEMENT = "announcement"
    RIGHTS_REQUEST = "rights_request"


class Outcome(StrEnum):
    """What one attempt to execute a ledger entry came to."""

    SENT = "sent"  # published and recorded
    MISSED = "missed"  # overdue past its catch-up window: not published
    FAILED = "failed"  # rejected for good (or its thread cannot continue)
    UNCONFIRMED = "unconfirmed"  # may have gone out: reconciliation decides
    PARKED = "parked"  # a rate limit, budget or transient error: planned again for later
    BLOCKED = "blocked"  # parked because credentials are missing or refused: needs a person
    WAITING = "waiting"  # not yet: before its time, parked, its thread's previous part unconfirmed, or taken by another


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row as the app sees it: typed, detached from the database."""

    key: str
    campaign_id: str
    item_id: str
    platform: str
    part: int
    origin: Origin
    kind: ActionKind
    status: Status
    due_at: datetime
    catch_up_within: timedelta
    draft: Draft
    attempts: int = 0
    not_before: datetime | None = None
    last_error: str | None = None
    parent_key: str | None = None  # the previous part of a thread: this part replies to it once it is sent
    reply_to: str | None = None  # the remote id a reactive reply answers (an interaction of someone else's)
    sending_at: datetime | None = None
    sent_at: datetime | None = None
    remote_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PlannedAction:
    """One outward action of a campaign at one occurrence, on one platform, one part of a thread."""

    campaign_id: str
    item_id: str
    occurrence: int  # 1-based index among the item's occurrences
    scheduled: datetime  # the wall-clock time the schedule asked for (naive local): part of the key
    platform: str
    part: int  # 0 for a single post; thread parts 0..n-1
    due_at: datetime  # UTC
    local: datetime  # aware local time (after quiet-hour / DST shifts)
    draft: Draft
    catch_up_within: timedelta
    note: str | None = None
    over_by: int = 0  # characters over the platform's limit (0 = fits)
    is_poll: bool = False  # an item of the polls: section (a reply poll carries no native poll)

    @cached_property
    def key(self) -> str:
        return idempotency_key(self.campaign_id, self.item_id, self.scheduled, self.platform, self.part)

    @cached_property
    def draft_json(self) -> str:
        """The draft as the ledger stores it (computed once per action)."""
        return draft_to_json(self.draft)

    @cached_property
    def content_hash(self) -> str:
        return _hash_json(self.draft_json)

    @property
    def kind(self) -> ActionKind:
        if self.part > 0:
            return ActionKind.THREAD_PART
        return ActionKind.POLL if self.is_poll or self.draft.poll is not None else ActionKind.POST

    @property
    def parent_key(self) -> str | None:
        """The key of the thread part before this one (None for a first part)."""
        if self.part == 0:
            return None
        return idempotency_key(self.campaign_id, self.item_id, self.scheduled, self.platform, self.part - 1)


def idempotency_key(campaign_id: str, item_id: str, scheduled: datetime, platform: str, part: int) -> str:
    """Deterministic: the same campaign, item, occurrence, platform and part always give the same key.

    The second pass through a repeated wall-clock time (the DST fall-back hour, ``fold=1``) gets a
    ``b`` suffix so both occurrences keep their own row.
    """
    second_pass = "b" if scheduled.fold == 1 else ""
    return f"{campaign_id}/{item_id}/{scheduled:%Y%m%dT%H%M}{second_pass}/{platform}/{part}"


def draft_to_json(draft: Draft) -> str:
    return json.dumps(_plain(draft), sort_keys=True, default=str)


def _plain(value: object) -> object:
    """What ``dataclasses.asdict`` gives for JSON, without its deep copies: dataclasses become dicts."""
    if value is None or isinstance(value, str | int | float):  # most of a draft: texts, flags, numbers
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def draft_from_json(text: str) -> Draft:
    from socialbot.domain.values import MediaItem, PollDraft

    data = json.loads(text)
    data["media"] = tuple(MediaItem(**m) for m in data.get("media") or ())
    if data.get("poll"):
        data["poll"] = PollDraft(
            options=tuple(data["poll"]["options"]), duration_minutes=data["poll"]["duration_minutes"]
        )
    return Draft(**data)


def content_hash(draft: Draft) -> str:
    return _hash_json(draft_to_json(draft))


def _hash_json(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


PLAN_DIGEST_VERSION = "1"


def plan_digest(actions: Sequence[PlannedAction]) -> str:
    """A fingerprint of everything a sync writes of a campaign's schedule rows, in order.

    Two plans with the same digest make the same rows: a campaign whose recorded digest equals its
    new plan's needs no re-planning (its file, or how files are compiled, did not change).
    """
    h = hashlib.sha256(PLAN_DIGEST_VERSION.encode())
    for a in actions:
        fields_ = (
            a.key,
            a.campaign_id,
            a.item_id,
            str(a.occurrence),
            a.platform,
            str(a.part),
            a.kind.value,
            a.parent_key or "",
            a.due_at.isoformat(),
            a.local.isoformat(),
            str(int(a.catch_up_within.total_seconds())),
            a.note if a.note is not None else "\x00",
            a.content_hash,
        )
        h.update("\x1f".join(fields_).encode())
        h.update(b"\x1e")
    return h.hexdigest()


class Decision(StrEnum):
    WAIT = "wait"
    SEND = "send"
    MISS = "miss"


def decide(*, due_at: datetime, not_before: datetime | None, catch_up_within: timedelta, now: datetime) -> Decision:
    """What to do with a planned row now: the missed-post policy is applied before anything is sent."""
    if now < due_at:
        return Decision.WAIT
    if now - due_at > catch_up_within:
        return Decision.MISS
    if not_before is not None and now < not_before:
        return Decision.WAIT
    return Decision.SEND


def retry_delay(attempts: int, *, base: float = 30.0, cap: float = 900.0) -> timedelta:
    """Backoff before the next try of a transient failure (exponential, capped); see tenacity use in app."""
    from tenacity import RetryCallState, Retrying, wait_exponential

    state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})  # only attempt_number is read
    state.attempt_number = max(1, attempts)
    return timedelta(seconds=wait_exponential(multiplier=base, max=cap)(state))


def normalize_text(text: str) -> str:
    """For reconciliation: platforms shorten URLs and trim whitespace, so compare loosely."""
    import re

    text = re.sub(r"https?://\S+", "", text or "")
    return " ".join(text.split()).casefold()


def same_post(ours: str, theirs: str) -> bool:
    """True when ``theirs`` is our text as the platform shows it (links shortened, long text cut with "…").

    A short post of the account's (an emoji, "Thanks!") never matches a longer draft: a cut-off
    version must keep at least 80 % of the text and 20 characters.
    """
    a, b = normalize_text(ours), normalize_text(theirs)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a.rstrip("…").rstrip("."), b.rstrip("…").rstrip(".")), key=len)
    return len(shorter) >= 20 and len(shorter) >= 0.8 * len(longer) and longer.startswith(shorter)
