"""Publishing exactly once: each due ledger entry is marked ``sending`` (committed) before the call, then settled."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from socialbot.app.context import Context
from socialbot.domain.ledger import Decision, LedgerEntry, Outcome, Status, decide, retry_delay
from socialbot.domain.values import CallKind, Draft, Published
from socialbot.errors import (
    AuthError,
    ConfigError,
    ContentRejected,
    OutcomeUnknown,
    RateLimited,
    RefusedBeforeUpload,
    TransientPlatformError,
)
from socialbot.platforms.base import Platform
from socialbot.storage import ledger

log = logging.getLogger(__name__)

AUTH_RETRY = timedelta(minutes=15)
RECONCILE_AFTER = timedelta(seconds=30)  # give a platform this long to show our own post before deciding


def recover_in_flight(ctx: Context, *, now: datetime) -> int:
    """Entries left ``sending`` by a crash become ``unconfirmed``: their outcome is unknown."""
    entries = ledger.entries_with_status(ctx.engine, [Status.SENDING])
    for entry in entries:
        move(
            ctx,
            entry,
            Status.SENDING,
            Status.UNCONFIRMED,
            now=now,
            reason="interrupted while sending (process stopped)",
        )
    return len(entries)


def publish_due(ctx: Context, *, now: datetime, campaign_ids: Sequence[str] | None = None) -> dict[Outcome, int]:
    """Send every planned entry that is due, in order; each in its own guarded ledger transition.

    A stop request ends the pass between two entries (a backlog of hundreds never delays a SIGTERM).
    """
    ids = list(campaign_ids) if campaign_ids is not None else list(ctx.campaigns)
    done: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
    for entry in ledger.entries_with_status(ctx.engine, [Status.PLANNED], campaign_ids=ids, due_before=now):
        if ctx.stopping():
            break
        outcome = execute(ctx, entry, now=now)
        done[outcome] += 1
        if outcome != Outcome.WAITING:
            ctx.stats[outcome.value] += 1
    return done


def execute(ctx: Context, entry: LedgerEntry, *, now: datetime) -> Outcome:
    """One entry: apply the missed-post policy, mark ``sending`` (committed), call, record the outcome."""
    parent = ledger.get_entry(ctx.engine, entry.parent_key) if entry.parent_key else None
    # a thread part whose previous part is gone from the ledger is treated like one after a cancelled part
    parent_status = (parent.status if parent else Status.CANCELLED) if entry.parent_key else None
    # once a thread has started, each part's catch-up window runs from the part before it went out
    parent_sent = parent.sent_at if parent is not None and parent.status == Status.SENT else None
    due = max(entry.due_at, min(parent_sent, now)) if parent_sent is not None else entry.due_at
    decision = decide(due_at=due, not_before=entry.not_before, catch_up_within=entry.catch_up_within, now=now)
    if decision == Decision.MISS:
        late = now - due
        move(
            ctx,
            entry,
            Status.PLANNED,
            Status.MISSED,
            now=now,
            reason=f"overdue by {fmt_delta(late)}, more than catch_up_within ({fmt_delta(entry.catch_up_within)})"
            + (f"; last error: {entry.last_error}" if entry.last_error else ""),
        )
        log.warning("missed %s: overdue by %s", entry.key, fmt_delta(late))
        return Outcome.MISSED
    if decision == Decision.WAIT:
        return Outcome.WAITING
    draft = entry.draft
    if parent_status is not None:
        if parent_status == Status.SENT and parent is not None:
            draft = replace(draft, reply_to=parent.remote_id)
        elif parent_status in (Status.FAILED, Status.MISSED, Status.CANCELLED):
            outcome = Status.MISSED if parent_status == Status.MISSED else Status.FAILED
            return _settle(ctx, entry, outcome, now=now, reason=f"previous thread part is {parent_status}")
        else:
            return Outcome.WAITING  # the previous part is not confirmed yet: resume once it is
    elif entry.reply_to:
        draft = replace(draft, reply_to=entry.reply_to)
    if entry.campaign_id not in ctx.campaigns:
        return Outcome.WAITING
    try:
        platform = ctx.platforms.get(entry.campaign_id, entry.platform)
        ctx.usage.check(entry.campaign_id, entry.platform, CallKind.PUBLISH, now=now)
    except RateLimited as exc:
        return park(ctx, entry, now=now, delay=timedelta(seconds=exc.retry_after), reason=str(exc))
    except (ConfigError, AuthError) as exc:
        ctx.platforms.forget(entry.campaign_id)  # rebuilt with fresh credentials on the next try
        park(ctx, entry, now=now, delay=AUTH_RETRY, reason=str(exc))
        return Outcome.BLOCKED
    if not ctx.may_publish():
        return Outcome.WAITING  # the daemon's lease on the database ended: nothing is claimed any more
    if not ledger.transition(
        ctx.engine,
        entry.key,
        frm=[Status.PLANNED],
        to=Status.SENDING,
        now=now,
        sending_at=now,
        attempts=entry.attempts + 1,
    ):
        return Outcome.WAITING  # someone else took it
    return _send(ctx, entry, platform, draft, now=now)


def _send(ctx: Context, entry: LedgerEntry, platform: Platform, draft: Draft, *, now: datetime) -> Outcome:
    try:
        published = _publish_with_retries(ctx, platform, draft)
    except OutcomeUnknown as exc:
        move(ctx, entry, Status.SENDING, Status.UNCONFIRMED, now=now, reason=str(exc))
        log.warning("outcome of %s unknown (%s); will reconcile against our own recent posts", entry.key, exc)
        ctx.wake("reconcile", now + RECONCILE_AFTER)
        return Outcome.UNCONFIRMED
    except RateLimited as exc:
        return park(ctx, entry, now=now, delay=timedelta(seconds=exc.retry_after), reason=str(exc), frm=Status.SENDING)
    except TransientPlatformError as exc:
        return park(ctx, entry, now=now, delay=retry_delay(entry.attempts + 1), reason=str(exc), frm=Status.SENDING)
    except ContentRejected as exc:
        move(ctx, entry, Status.SENDING, Status.FAILED, now=now, reason=str(exc))
        if isinstance(exc, RefusedBeforeUpload):  # nothing reached the platform
            log.error("%s refused before upload to %s: %s", entry.key, entry.platform, exc)
        else:
            log.error("%s rejected by %s: %s", entry.key, entry.platform, exc)
        return Outcome.FAILED
    except AuthError as exc:
        ctx.platforms.forget(entry.campaign_id)
        park(ctx, entry, now=now, delay=AUTH_RETRY, reason=str(exc), frm=Status.SENDING)
        return Outcome.BLOCKED
    except Exception as exc:  # an unexpected adapter bug: we cannot know whether it went out
        move(ctx, entry, Status.SENDING, Status.UNCONFIRMED, now=now, reason=f"{type(exc).__name__}: {exc}")
        log.exception("unexpected error publishing %s; marked unconfirmed", entry.key)
        ctx.wake("reconcile", now + RECONCILE_AFTER)
        return Outcome.UNCONFIRMED
    finally:
        ctx.usage.drain(entry.campaign_id, entry.platform, now=now)
    try:
        ledger.mark_sent(ctx.engine, entry, published, now=now, frm=[Status.SENDING])
    except Exception as exc:  # e.g. the database stayed locked: it went out, reconciliation will record it
        log.exception("%s went out as %s but could not be recorded; reconciling it", entry.key, published.remote_id)
        with contextlib.suppress(Exception):
            move(
                ctx,
                entry,
                Status.SENDING,
                Status.UNCONFIRMED,
                now=now,
                reason=f"published as {published.remote_id}; not recorded: {exc}",
            )
        ctx.wake("reconcile", now + RECONCILE_AFTER)
        return Outcome.UNCONFIRMED
    log.info("sent %s as %s", entry.key, published.remote_id)
    ctx.wake(f"collect:{entry.campaign_id}:{entry.platform}", now + timedelta(minutes=2))
    return Outcome.SENT


def _publish_with_retries(ctx: Context, platform: Platform, draft: Draft) -> Published:
    """A couple of quick retries for errors that certainly had no effect (tenacity); then the ledger parks it."""

    def retryable(exc: BaseException) -> bool:
        return isinstance(exc, TransientPlatformError) and not isinstance(exc, OutcomeUnknown)

    for attempt in Retrying(
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=1, max=4),
        retry=retry_if_exception(retryable),
        sleep=ctx.sleep,
        reraise=True,
    ):
        with attempt:
            return platform.publish(draft)
    raise AssertionError("unreachable")


def move(ctx: Context, entry: LedgerEntry, frm: Status, to: Status, *, now: datetime, reason: str) -> bool:
    """Compare-and-set one entry from ``frm`` to ``to``, recording why."""
    return ledger.transition(ctx.engine, entry.key, frm=[frm], to=to, now=now, last_error=reason)


def _settle(ctx: Context, entry: LedgerEntry, to: Status, *, now: datetime, reason: str) -> Outcome:
    move(ctx, entry, Status.PLANNED, to, now=now, reason=reason)
    return Outcome.MISSED if to == Status.MISSED else Outcome.FAILED


def park(
    ctx: Context, entry: LedgerEntry, *, now: datetime, delay: timedelta, reason: str, frm: Status = Status.PLANNED
) -> Outcome:
    """Back to ``planned``, not before ``now + delay`` (a rate limit, a budget, a transient error)."""
    until = now + delay
    ledger.transition(ctx.engine, entry.key, frm=[frm], to=Status.PLANNED, now=now, not_before=until, last_error=reason)
    log.warning("%s parked until %s: %s", entry.key, until.isoformat(timespec="seconds"), reason)
    return Outcome.PARKED


def fmt_delta(delta: timedelta) -> str:
    """A short human duration: 45s, 12m, 3h05m, 4d."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d"
