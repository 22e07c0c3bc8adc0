"""Settling outcomes: unconfirmed entries checked against the account's own posts, and an operator's resolve."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from socialbot.app.context import Context
from socialbot.app.publishing import RECONCILE_AFTER, fmt_delta, move
from socialbot.domain.ledger import LedgerEntry, Status, same_post
from socialbot.domain.values import Published
from socialbot.errors import ConfigError, PlatformError
from socialbot.spec.yamlsource import shown
from socialbot.storage import ledger
from socialbot.storage.publications import known_remote_ids

log = logging.getLogger(__name__)

STUCK_SENDING = timedelta(minutes=10)  # longer than any publish call with its timeouts and quick retries


def reconcile(ctx: Context, *, now: datetime) -> dict[str, int]:
    """Settle ``unconfirmed`` entries by looking at the account's own recent posts; never a blind retry."""
    counts = {"confirmed": 0, "requeued": 0, "waiting": 0}
    ids = list(ctx.campaigns)
    for stuck in ledger.entries_with_status(ctx.engine, [Status.SENDING], campaign_ids=ids):
        if stuck.sending_at and now - stuck.sending_at > STUCK_SENDING:  # no publish call lasts this long
            move(ctx, stuck, Status.SENDING, Status.UNCONFIRMED, now=now, reason="left sending (not recorded)")
    for entry in ledger.entries_with_status(ctx.engine, [Status.UNCONFIRMED], campaign_ids=ids):
        sending_at = entry.sending_at or entry.updated_at or now
        if now - sending_at < RECONCILE_AFTER:
            counts["waiting"] += 1
            continue
        try:
            platform = ctx.platforms.get(entry.campaign_id, entry.platform)
            own = platform.recent_own_posts(since=sending_at - timedelta(minutes=5))
        except (PlatformError, ConfigError) as exc:
            log.warning("cannot reconcile %s yet: %s", entry.key, exc)
            counts["waiting"] += 1
            continue
        finally:
            ctx.usage.drain(entry.campaign_id, entry.platform, now=now)
        taken = known_remote_ids(ctx.engine, platform=entry.platform, remote_ids=[p.remote_id for p in own])
        match = next((p for p in own if p.remote_id not in taken and same_post(entry.draft.text, p.text)), None)
        if match is not None:
            published = Published(remote_id=match.remote_id, url=match.url, created_at=match.created_at)
            ledger.mark_sent(ctx.engine, entry, published, now=now, frm=[Status.UNCONFIRMED])
            log.info("reconciled %s: found it as %s", entry.key, match.remote_id)
            counts["confirmed"] += 1
            ctx.stats["reconciled"] += 1
        else:
            move(
                ctx,
                entry,
                Status.UNCONFIRMED,
                Status.PLANNED,
                now=now,
                reason="not found among our own posts after an unknown outcome: queued again",
            )
            log.info("reconciled %s: not published; queued again", entry.key)
            counts["requeued"] += 1
            ctx.wake(f"publish:{entry.campaign_id}", now)
    if counts["waiting"]:
        ctx.wake("reconcile", now + RECONCILE_AFTER)
    return counts


def lateness(ctx: Context, key: str, *, now: datetime) -> timedelta | None:
    """How late a missed entry would go out if it were sent now (None when it is not missed)."""
    entry = ledger.get_entry(ctx.engine, key)
    if entry is None or entry.status != Status.MISSED:
        return None
    return now - entry.due_at


# ASCII classes only: Python's \d would take "１２３" (full-width digits), which no platform id is made of.
_REMOTE_IDS = {
    "x": (
        re.compile(r"[1-9][0-9]{0,18}"),  # and below 2**63, checked below
        "a post id is digits 0-9 not starting with 0, up to 9223372036854775807, "
        "e.g. 1866000000000000000 (the number in its URL)",
    ),
    "reddit": (
        re.compile(r"(?:t[13]_)?[a-z1-9][a-z0-9]{0,12}"),  # base 36, no leading zero
        "a post or comment id is a short base-36 code such as 1abcd2x or t3_1abcd2x (from its URL)",
    ),
}
_ANY_ID = (re.compile(r"[A-Za-z0-9_-]{1,64}"), "an id is up to 64 letters, digits, '-' or '_'")


def _checked_remote_id(written: str, entry: LedgerEntry) -> str:
    """The id an operator typed for ``--sent``, in the form the adapter stores; ConfigError naming the form."""
    value = written.strip()
    pattern, form = _REMOTE_IDS.get(entry.platform, _ANY_ID)
    if not pattern.fullmatch(value) or (entry.platform == "x" and int(value) >= 2**63):
        name = {"x": "an X", "reddit": "a Reddit", "sandbox": "a sandbox"}.get(entry.platform, f"a {entry.platform}")
        raise ConfigError(f"'{shown(value)}' is not {name} id: {form}")
    if entry.platform == "reddit":
        # the adapter records full names: a submission (t3_) for a post, a comment (t1_) for replies and parts
        submission = entry.part == 0 and entry.reply_to is None
        prefix, wrong = ("t3_", "t1_") if submission else ("t1_", "t3_")
        if value.startswith(wrong):
            what = (
                "a post, and a post's id is a t3_ submission id (e.g. t3_1abcd2x)"
                if submission
                else "a reply or a later part of a thread, and its id is a t1_ comment id (e.g. t1_kx0abcd)"
            )
            raise ConfigError(f"'{value}' does not fit {entry.key}: it is {what}")
        value = value if value.startswith(prefix) else prefix + value
    return value


def resolve(
    ctx: Context, key: str, *, sent_as: str | None = None, retry: bool = False, drop: bool = False, now: datetime
) -> str:
    """An operator settles an entry by hand: it went out as ``sent_as``, or ``retry`` it, or ``drop`` it.

    A missed entry may be retried: its catch-up window is widened so it goes out now, late (the CLI
    shows how late and asks first).
    """
    entry = ledger.get_entry(ctx.engine, key)
    if entry is None:
        raise ConfigError(f"no ledger entry '{shown(key)}'; `socialbot status` lists the keys that need attention")
    open_states = [Status.UNCONFIRMED, Status.FAILED, Status.PLANNED]
    if retry:
        open_states.append(Status.MISSED)
    if entry.status not in open_states:
        allowed = "unconfirmed, failed or planned entries (and missed ones with --retry)"
        raise ConfigError(f"'{shown(key)}' is {entry.status}; only {allowed} can be resolved")
    if sent_as is not None:
        sent_as = _checked_remote_id(sent_as, entry)
        if known_remote_ids(ctx.engine, platform=entry.platform, remote_ids=[sent_as]):
            raise ConfigError(f"{sent_as} is already recorded as another publication")
        ledger.mark_sent(
            ctx.engine, entry, Published(remote_id=sent_as, url=None, created_at=now), now=now, frm=open_states
        )
        return f"{key}: recorded as sent ({sent_as})"
    if retry:
        late = now - entry.due_at
        widened = {}
        if entry.status == Status.MISSED or late > entry.catch_up_within:
            widened = {"catch_up_seconds": int(late.total_seconds()) + int(entry.catch_up_within.total_seconds())}
        ledger.transition(
            ctx.engine,
            key,
            frm=open_states,
            to=Status.PLANNED,
            now=now,
            not_before=None,
            last_error="queued again by hand" + (f" ({fmt_delta(late)} late)" if widened else ""),
            **widened,
        )
        ctx.wake(f"publish:{entry.campaign_id}", now)
        if widened:
            return f"{key}: queued again; it goes out at the next run, {fmt_delta(late)} after its time"
        return f"{key}: queued again"
    if drop:
        ledger.transition(ctx.engine, key, frm=open_states, to=Status.FAILED, now=now, last_error="dropped by hand")
        return f"{key}: dropped (marked failed)"
    raise ConfigError("say what happened: --sent REMOTE_ID, --retry or --drop")
