"""`socialbot status` as a typed value: the daemon, and per campaign its ledger, problems, parking and budgets.

Light on purpose: it reads the database only (a few queries for all campaigns together, in plain SQL:
on a SQLite file through the stdlib sqlite3, so neither SQLAlchemy nor SQLModel is imported) and imports
neither the campaign files' layer nor any platform client; `socialbot status` must answer fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from socialbot.domain.clock import Clock, system_clock
from socialbot.domain.ledger import Status
from socialbot.domain.values import CallKind
from socialbot.platforms.x.payloads import call_kind as x_call_kind
from socialbot.storage.reader import Reader, needs_migrating, open_reader, reading, sqlite_path
from socialbot.storage.status_queries import (
    CampaignRecord,
    LockHolder,
    campaign_records,
    entry_states,
    is_rehearsal,
    last_collections,
    lock_holder,
    parked_jobs,
    status_counts,
    upcoming_by_campaign,
    usage_for,
)

if TYPE_CHECKING:
    from socialbot.storage.db import Engine

T = TypeVar("T")


@dataclass(frozen=True)
class EntryNote:
    key: str
    status: str
    reason: str | None
    until: str | None = None  # parked entries: not before this time (UTC ISO)
    next_step: str = ""  # what the manager can do about it


def next_step(status: str, key: str, reason: str | None) -> str:
    """The next step for one entry `status` lists, in the manager's terms."""
    why = (reason or "").lower()
    if status == Status.UNCONFIRMED:
        return (
            "the daemon checks the account's own posts for it; if it stays unconfirmed, look at the account and "
            f"run `socialbot resolve {key} --sent REMOTE_ID` (it went out) or `--retry` (it did not)"
        )
    if status == Status.FAILED:
        return (
            "read the reason above; fix the post in the campaign file (a changed text is planned anew) "
            f"or `socialbot resolve {key} --retry` to try the same text again"
        )
    if status == Status.MISSED:
        return (
            f"`socialbot resolve {key} --retry` sends it now, late (it asks first); or give it a new time in the file"
        )
    if any(w in why for w in ("credential", "not configured", "rejected the credentials", "auth", "forbid")):
        return "fix the account: `socialbot doctor` names the variable to set; it is retried every 15 minutes"
    return "nothing to do: it goes out when the wait ends"


@dataclass(frozen=True)
class BudgetUse:
    posts_today: int
    max_posts_per_day: int | None
    reads_today: int
    max_reads_per_day: int | None

    @property
    def reached(self) -> bool:
        return (self.max_posts_per_day is not None and self.posts_today >= self.max_posts_per_day) or (
            self.max_reads_per_day is not None and self.reads_today >= self.max_reads_per_day
        )


@dataclass(frozen=True)
class CampaignStatus:
    id: str
    name: str
    active: bool
    timezone: str
    ledger: dict[str, int]
    next: list[dict[str, str]]
    problems: list[EntryNote]
    parked: list[EntryNote]
    parked_jobs: list[dict[str, str | None]]
    last_collection: dict[str, str]
    api_calls_today: dict[str, int]
    budget: BudgetUse | None
    credentials: str | None = None  # what is not configured for this campaign's account, if anything


@dataclass(frozen=True)
class StatusReport:
    database: str  # "ok", or why there is nothing to show
    daemon: dict[str, str] | None = None
    rehearsal: bool = False  # a sandbox rehearsal (simulate, run --sandbox): no real account is used
    known: list[str] = field(default_factory=list)  # every campaign id recorded, when the one asked for is not
    campaigns: list[CampaignStatus] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # campaign files not recorded yet: what they will need

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def unrecorded_files(campaigns_dir: Path) -> list[str]:
    """Before the first sync (no campaign in the database), what the campaign files say: how many there
    are and which accounts they need that are not configured, as `validate` says it."""
    from socialbot.app.credentials import credential_gaps
    from socialbot.app.loading import load_files

    if not campaigns_dir.is_dir():
        return []
    result = load_files([campaigns_dir])
    notes = []
    if result.campaigns:
        notes.append(
            f"{len(result.campaigns)} campaign file(s) in {campaigns_dir} not recorded yet: "
            "`socialbot run` records and starts them"
        )
    if result.problems:
        notes.append(f"{len(result.problems)} problem(s) in the campaign files: `socialbot validate` lists them")
    uses = [(c.id, c.spec.campaign.account, c.spec.campaign.platforms) for c in result.campaigns]
    notes += [f"credentials: {gap}" for gap in credential_gaps(uses)]
    return notes


def database_state(database_url: str) -> str | None:
    """Why a database cannot be read (never creating an empty one), or None when it can be."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return f"no database at {path} (nothing has run yet, or pass --db)"
    return None


def read_status(
    database_url: str, *, campaign_id: str | None, clock: Clock | None = None, stale_after: float = 90
) -> StatusReport:
    """``gather_status`` over the database at ``database_url`` (a connection of its own, closed after)."""
    with open_reader(database_url) as reader:
        return gather_status(reader, campaign_id=campaign_id, now=(clock or system_clock)(), stale_after=stale_after)


def gather_status(
    db: Engine | Reader, *, campaign_id: str | None, now: datetime, stale_after: float = 90
) -> StatusReport:
    """Where every campaign stands, read from the database only (campaign files are not parsed).

    The daemon is "running" while its heartbeat is younger than ``stale_after`` seconds (the
    SOCIALBOT_LOCK_STALE_SECONDS after which another daemon may take over), "stale" after.

    Each query covers every campaign shown at once; nothing is read per campaign. A database without
    the schema this version migrates to (none yet, or an older one) says to run `socialbot db upgrade`.
    """
    with reading(db) as r:
        return _gather(r, campaign_id=campaign_id, now=now, stale_after=stale_after)


def _gather(r: Reader, *, campaign_id: str | None, now: datetime, stale_after: float) -> StatusReport:
    campaigns = None if needs_migrating(r) else campaign_records(r, campaign_id=campaign_id)
    if campaigns is None:
        return StatusReport(database="not initialised (run `socialbot db upgrade`)")
    if campaign_id and not campaigns:
        return StatusReport(database="ok", known=[c.id for c in campaign_records(r) or []])
    ids = [campaign_id] if campaign_id else None  # None: every campaign, with no list of ids to send
    counts = status_counts(r, campaign_id=campaign_id)
    upcoming = upcoming_by_campaign(r, campaign_ids=ids, limit=5)
    problems = _by_campaign(
        entry_states(r, [Status.UNCONFIRMED, Status.FAILED, Status.MISSED], campaign_ids=ids),
        lambda e: e.campaign_id,
    )
    parked = _by_campaign(
        entry_states(r, [Status.PLANNED], campaign_ids=ids, parked_after=now), lambda e: e.campaign_id
    )
    collections = _by_campaign(last_collections(r, campaign_id=campaign_id), lambda c: c[0])
    holder = lock_holder(r)
    usage = _by_campaign(usage_for(r, campaign_id=campaign_id, day=now.date()), lambda u: u.campaign_id)
    jobs = _by_campaign(parked_jobs(r, now=now), lambda j: j.campaign_id)
    rehearsal = is_rehearsal(r)
    out = []
    for c in campaigns:
        mine = usage.get(c.id, [])
        budget = None
        if c.x_max_posts_per_day is not None or c.x_max_reads_per_day is not None:
            used = dict.fromkeys(CallKind, 0)
            for u in mine:
                if u.platform == "x":
                    used[x_call_kind(u.endpoint)] += u.calls
            budget = BudgetUse(
                used[CallKind.PUBLISH], c.x_max_posts_per_day, used[CallKind.READ], c.x_max_reads_per_day
            )
        out.append(
            CampaignStatus(
                id=c.id,
                name=c.name,
                active=c.active,
                timezone=c.timezone,
                ledger=dict(counts.get(c.id, {})),
                next=[
                    {"key": u.key, "platform": u.platform, "due_local": u.local_time, "due_utc": u.due_at.isoformat()}
                    for u in upcoming.get(c.id, [])
                ],
                problems=[
                    EntryNote(e.key, e.status.value, e.last_error, next_step=next_step(e.status, e.key, e.last_error))
                    for e in problems.get(c.id, [])
                ],
                parked=[
                    EntryNote(
                        e.key,
                        e.status.value,
                        e.last_error,
                        until=e.not_before.isoformat() if e.not_before else None,
                        next_step=next_step(e.status, e.key, e.last_error),
                    )
                    for e in parked.get(c.id, [])
                ],
                parked_jobs=[
                    {"job": j.job_id, "until": j.parked_until.isoformat(), "reason": j.message}
                    for j in jobs.get(c.id, [])
                ],
                last_collection={p: t.isoformat() for _, p, t in collections.get(c.id, [])},
                api_calls_today={f"{u.platform} {u.endpoint}": u.calls for u in mine},
                budget=budget,
                credentials=_credentials(c) if c.active and not rehearsal else None,
            )
        )
    return StatusReport(
        database="ok",
        daemon=_daemon(holder, now=now, stale_after=stale_after),
        campaigns=out,
        rehearsal=rehearsal,
    )


def _daemon(holder: LockHolder | None, *, now: datetime, stale_after: float) -> dict[str, str] | None:
    if holder is None:
        return None
    age = (now - holder.heartbeat_at).total_seconds()
    state = "running" if age < stale_after else "stale"
    return {"holder": holder.holder, "heartbeat": holder.heartbeat_at.isoformat(), "state": state}


def _by_campaign(items: Iterable[T], campaign_of: Callable[[T], str | None]) -> dict[str | None, list[T]]:
    """``items`` grouped by campaign, each group in the order given."""
    groups: dict[str | None, list[T]] = defaultdict(list)
    for item in items:
        groups[campaign_of(item)].append(item)
    return groups


def _credentials(c: CampaignRecord) -> str | None:
    from socialbot.app.credentials import credential_gaps  # reads the environment: only for live campaigns

    gaps = credential_gaps([(c.id, c.account or "default", c.platforms)]) if c.account else []
    return str(gaps[0]) if gaps else None
