"""Reactive actions: what a feature decides at run time (an answer, an announcement) enters the ledger here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialbot.app.context import Context
from socialbot.domain.ledger import ActionKind, Origin
from socialbot.domain.values import Draft
from socialbot.errors import ConfigError
from socialbot.storage import ledger

DEFAULT_CATCH_UP = timedelta(hours=6)


@dataclass(frozen=True)
class Enqueued:
    key: str
    created: bool  # False when an entry with this key already existed (nothing changed)


def ledger_key(campaign_id: str, key: str) -> str:
    """The ledger key of a reactive action named ``key`` (``qa/ama/x/123`` → ``shop/reactive/qa/ama/x/123``)."""
    return f"{campaign_id}/{Origin.REACTIVE.value}/{key}"


def enqueue(
    ctx: Context,
    *,
    kind: ActionKind,
    campaign_id: str,
    platform: str,
    text: str,
    due: datetime,
    key: str,
    target: str | None = None,
    catch_up_within: timedelta = DEFAULT_CATCH_UP,
    now: datetime,
) -> Enqueued:
    """Add one reactive entry to the ledger, idempotent by ``key``; it is published like any planned post.

    ``target`` is the remote id the action replies to (None for a top-level post). The key names the
    decision, e.g. ``answer/<question id>``; enqueueing the same key again changes nothing, so a
    feature may call this as often as it re-derives the decision. A rescan never touches the entry.
    """
    if kind in (ActionKind.THREAD_PART,):
        raise ConfigError("thread parts come from campaign files, not from reactive actions")
    if not key or len(key) > 200:
        raise ConfigError("a reactive action needs a key of 1 to 200 characters")
    full_key = ledger_key(campaign_id, key)
    item = f"{kind.value}:{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    created = ledger.enqueue(
        ctx.engine,
        key=full_key,
        campaign_id=campaign_id,
        item_id=item,
        platform=platform,
        kind=kind,
        draft=Draft(text=text, reply_to=target),
        due=due,
        catch_up_within=catch_up_within,
        reply_to=target,
        now=now,
    )
    if created:
        ctx.wake(f"publish:{campaign_id}", due)
    return Enqueued(key=full_key, created=created)
