"""Polls: record a campaign's polls at sync, snapshot their counts while open, harvest them at close, announce.

A native poll is read from the platform (totals per option); a reply poll is counted from the collected
replies to its post (domain.polls.REPLY_RULE). A poll's final count is taken once, after its close —
also when the daemon was down at that moment: the next run finds it unharvested and harvests it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from socialbot.app.collecting import collect
from socialbot.app.context import Context
from socialbot.app.reactive import enqueue
from socialbot.domain.ledger import ActionKind, Status
from socialbot.domain.planning import localize, parse_local
from socialbot.domain.polls import NATIVE_RULE, REPLY_RULE, PollResults, ReadVote, Reply, read_votes, results
from socialbot.domain.polls import tally as count_votes
from socialbot.domain.render import TemplateProblem
from socialbot.domain.values import CallKind
from socialbot.spec.campaign import Campaign
from socialbot.spec.engagement import announcement_text, item_platforms, poll_actions
from socialbot.storage import polls as store
from socialbot.storage.db import Engine
from socialbot.storage.interactions import replies_after
from socialbot.storage.polls import PollDefinition, PollPublication, PollSnapshot

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = timedelta(minutes=30)  # counts while a poll is open (the report draws votes over time)
FINAL_RETRY = timedelta(minutes=5)  # a platform that still says "open" just after the close is asked again
FINAL_WAIT = timedelta(hours=6)  # ... for this long; then its last counts are taken as final


def sync_polls(ctx: Context, campaigns: Sequence[Campaign], *, now: datetime) -> None:
    """Record the polls of ``campaigns`` (and forget the polls a campaign no longer has)."""
    store.sync_polls(ctx.engine, {c.id: definitions(c) for c in campaigns}, now=now)


def definitions(campaign: Campaign) -> list[PollDefinition]:
    header = campaign.spec.campaign
    out = []
    for poll in campaign.spec.polls:
        try:
            question = poll_actions(campaign, poll)[0].draft.text if poll.kind == "native" else poll.question
        except (TemplateProblem, IndexError):
            question = poll.question
        out.append(
            PollDefinition(
                campaign_id=header.id,
                poll_id=poll.id,
                kind=poll.kind,
                question=question,
                options=tuple(poll.options),
                runs=poll.duration(),
                platforms=tuple(item_platforms(campaign, poll)),
                opens_at=localize(parse_local(poll.opens), header.tz).astimezone(UTC),
                announces=poll.announce_results is not None,
            )
        )
    return out


def harvest(ctx: Context, campaign_id: str, *, now: datetime) -> datetime | None:
    """Snapshot every open poll of the campaign that is due one, harvest the closed ones; the next time to look."""
    polls = store.poll_definitions(ctx.engine, campaign_id=campaign_id)
    if not polls:
        return None
    published = store.poll_publications(ctx.engine, campaign_id=campaign_id)
    latest = store.latest_snapshots(ctx.engine, campaign_id=campaign_id)
    wake: list[datetime] = []
    for poll in polls:
        for platform in poll.platforms:
            pub = published.get((poll.poll_id, platform))
            if pub is None or pub.status != Status.SENT or pub.remote_id is None or pub.sent_at is None:
                if pub is not None and pub.status in (Status.PLANNED, Status.SENDING, Status.UNCONFIRMED):
                    wake.append(max(pub.due_at, now) + timedelta(minutes=1))  # looked at once it is out
                continue
            last = latest.get((poll.poll_id, platform))
            if last is not None and last[0].final:
                _announce(ctx, poll, platform, pub, last[0], now=now)  # idempotent: a crash before it is repaired
                continue
            closes = pub.sent_at + poll.runs
            if now >= closes:
                taken = _take(ctx, poll, platform, pub, now=now, final=True, closes=closes)
                if taken is None:
                    wake.append(now + FINAL_RETRY)
                else:
                    _announce(ctx, poll, platform, pub, taken, now=now)
            else:
                if last is None or now - last[0].taken_at >= SNAPSHOT_EVERY:
                    _take(ctx, poll, platform, pub, now=now, final=False, closes=closes)
                wake.append(min(now + SNAPSHOT_EVERY, closes))
    return min(wake) if wake else None


def _take(
    ctx: Context,
    poll: PollDefinition,
    platform: str,
    pub: PollPublication,
    *,
    now: datetime,
    final: bool,
    closes: datetime,
) -> PollSnapshot | None:
    """Read and store the poll's counts now; None when a final count cannot be had yet (asked again soon)."""
    assert pub.remote_id is not None and pub.sent_at is not None
    detail: dict[str, int] | None = None
    if poll.kind == "native":
        counts = _native_counts(ctx, poll, platform, pub.remote_id, now=now)
        if counts is None or (final and counts[1] and now < closes + FINAL_WAIT):
            return None  # no poll in the answer, or the platform still counts: final a little later
        votes = counts[0]
    else:
        if final and poll.campaign_id in ctx.campaigns:
            collect(ctx, poll.campaign_id, platform, now=now, metrics=False)  # every reply until the close
        read = _votes(ctx, poll, platform, pub.remote_id)
        tally = count_votes(read, len(poll.options), opens=pub.sent_at, closes=min(now, closes))
        votes = tally.counts
        detail = {
            "replies": tally.replies,
            "outside_window": tally.outside_window,
            "unreadable": tally.unreadable,
            "changed": tally.changed,
        }
    snap = PollSnapshot(
        campaign_id=poll.campaign_id,
        poll_id=poll.poll_id,
        platform=platform,
        remote_id=pub.remote_id,
        taken_at=now,
        counts=tuple(votes),
        final=final,
        detail=detail,
    )
    if store.store_snapshot(ctx.engine, snap) and final:
        log.info("poll %s/%s on %s closed: %s votes", poll.campaign_id, poll.poll_id, platform, snap.total)
    return snap


def _votes(ctx: Context, poll: PollDefinition, platform: str, remote_id: str) -> list[ReadVote]:
    """Every reply to the poll read as a vote; each reply is read once per process (the rows after the last one
    read are all that is new on SQLite; PostgreSQL, whose ids may commit out of order, is read whole)."""
    key = (poll.campaign_id, poll.poll_id, platform)
    last_id, votes = ctx.poll_votes_seen.get(key, (0, []))
    if ctx.engine.dialect.name != "sqlite":
        last_id, votes = 0, []
    new = replies_after(ctx.engine, campaign_id=poll.campaign_id, parents=[remote_id], after_id=last_id)
    votes = votes + read_votes((Reply(r.author_id, r.created_at, r.text) for r in new), poll.options)
    ctx.poll_votes_seen[key] = (new[-1].row_id if new else last_id, votes)
    return votes


def _native_counts(
    ctx: Context, poll: PollDefinition, platform: str, remote_id: str, *, now: datetime
) -> tuple[tuple[int, ...], bool] | None:
    """(votes per option, still open) as the platform reports them, matched to the options by their text."""
    adapter = ctx.platforms.get(poll.campaign_id, platform)
    try:
        ctx.usage.check(poll.campaign_id, platform, CallKind.READ, now=now)
        metrics = adapter.fetch_metrics([remote_id], now=now)
    finally:
        ctx.usage.drain(poll.campaign_id, platform, now=now)
    found = next((m.poll for m in metrics if m.remote_id == remote_id and m.poll is not None), None)
    if found is None:
        return None
    by_label = {o.label: o.votes for o in found.options}
    if set(by_label) == set(poll.options):
        counts = tuple(by_label[o] for o in poll.options)
    else:  # the platform relabelled them (trimmed, escaped): in their order
        counts = tuple(o.votes for o in found.options)[: len(poll.options)]
        counts += (0,) * (len(poll.options) - len(counts))
    return counts, found.open


def _announce(
    ctx: Context, poll: PollDefinition, platform: str, pub: PollPublication, snap: PollSnapshot, *, now: datetime
) -> None:
    """Enqueue the results announcement as a reply to the poll, once (the ledger key names the decision)."""
    campaign = ctx.campaigns.get(poll.campaign_id)
    item = next((p for p in campaign.spec.polls if p.id == poll.poll_id), None) if campaign else None
    if campaign is None or item is None or item.announce_results is None or pub.remote_id is None:
        return
    try:
        text = announcement_text(campaign, item, results(poll.options, snap.counts, final=True), at=now)
    except TemplateProblem as exc:
        log.warning("poll %s/%s: the announcement was not posted: %s", poll.campaign_id, poll.poll_id, exc)
        return
    enqueue(
        ctx,
        kind=ActionKind.ANNOUNCEMENT,
        campaign_id=poll.campaign_id,
        platform=platform,
        text=text,
        due=now,
        key=f"poll/{poll.poll_id}/{platform}/results",
        target=pub.remote_id,
        now=now,
    )


# --- what the CLI and the report show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollLine:
    """One poll on one platform: where it stands and its latest (or final) results."""

    poll_id: str
    platform: str
    kind: str
    question: str
    state: str  # scheduled | open | closed | missed | failed | cancelled
    opens_at: datetime
    closes_at: datetime
    remote_id: str | None
    results: PollResults
    snapshots: int
    taken_at: datetime | None
    rule: str
    detail: dict[str, int] | None

    def to_dict(self) -> dict[str, object]:
        """The line as JSON-ready values (every format shows the same ones)."""
        return {
            "poll": self.poll_id,
            "platform": self.platform,
            "kind": self.kind,
            "question": self.question,
            "state": self.state,
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
            "remote_id": self.remote_id,
            "final": self.results.final,
            "total_votes": self.results.total,
            "winner": self.results.winner if self.results.final else None,
            "leading": self.results.winner if not self.results.final and self.results.total else None,
            "options": [
                {"label": o.label, "text": o.text, "votes": o.votes, "percent": round(o.percent, 1)}
                for o in self.results.options
            ],
            "snapshots": self.snapshots,
            "counted_at": self.taken_at.isoformat() if self.taken_at else None,
            "rule": self.rule,
            "left_out": self.detail,
        }


def poll_lines(engine: Engine, campaign_id: str, *, now: datetime) -> list[PollLine]:
    """Every poll of a campaign recorded in the database, with its results as last counted."""
    polls = store.poll_definitions(engine, campaign_id=campaign_id)
    if not polls:
        return []
    published = store.poll_publications(engine, campaign_id=campaign_id)
    latest = store.latest_snapshots(engine, campaign_id=campaign_id)
    out = []
    for poll in polls:
        for platform in poll.platforms:
            pub = published.get((poll.poll_id, platform))
            snap, taken = latest.get((poll.poll_id, platform), (None, 0))
            opened = pub.sent_at if pub is not None and pub.sent_at is not None else poll.opens_at
            closes = opened + poll.runs
            out.append(
                PollLine(
                    poll_id=poll.poll_id,
                    platform=platform,
                    kind=poll.kind,
                    question=poll.question,
                    state=_state(pub, snap, closes, now=now),
                    opens_at=opened,
                    closes_at=closes,
                    remote_id=pub.remote_id if pub is not None else None,
                    results=results(
                        poll.options, snap.counts if snap else (0,) * len(poll.options), final=bool(snap and snap.final)
                    ),
                    snapshots=taken,
                    taken_at=snap.taken_at if snap else None,
                    rule=NATIVE_RULE if poll.kind == "native" else REPLY_RULE,
                    detail=dict(snap.detail) if snap and snap.detail else None,
                )
            )
    return out


def _state(pub: PollPublication | None, snap: PollSnapshot | None, closes: datetime, *, now: datetime) -> str:
    if pub is None:
        return "not planned"
    if pub.status in (Status.MISSED, Status.FAILED, Status.CANCELLED):
        return str(pub.status)
    if pub.status != Status.SENT:
        return "scheduled"
    if snap is not None and snap.final:
        return "closed"
    return "open" if now < closes else "closing"
