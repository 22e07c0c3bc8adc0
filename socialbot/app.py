"""Composition root and use cases: sync plans into the ledger, publish exactly once, reconcile, collect."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from socialbot.domain.ledger import Decision, Status, decide, draft_from_json, retry_delay, same_post
from socialbot.domain.values import Target
from socialbot.errors import (
    AuthError,
    ConfigError,
    ContentRejected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    TransientPlatformError,
)
from socialbot.settings import Settings
from socialbot.spec.loader import Campaign, LoadResult, load_paths

log = logging.getLogger(__name__)

RECONCILE_AFTER = timedelta(seconds=30)  # give a platform this long to show our own post before deciding
AUTH_RETRY = timedelta(minutes=15)
STUCK_SENDING = timedelta(minutes=10)  # longer than any publish call with its timeouts and quick retries


@dataclass
class PublishReport:
    sent: int = 0
    missed: int = 0
    failed: int = 0
    unconfirmed: int = 0
    parked: int = 0
    blocked: int = 0  # parked because credentials are missing or refused: needs a person


@dataclass
class CollectReport:
    new_interactions: int = 0
    notes: list[str] = field(default_factory=list)
    newest_publication: datetime | None = None


class App:
    """Everything the CLI, daemon and simulation do, over one database and one set of platforms."""

    def __init__(
        self,
        settings: Settings,
        *,
        sandbox: bool = False,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        from socialbot.platform_registry import PlatformRegistry
        from socialbot.storage.db import make_engine

        self.settings = settings
        self.sandbox = sandbox
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sleep = sleep if sleep is not None else _real_sleep
        self.engine = make_engine(settings.database_url)
        self.campaigns: dict[str, Campaign] = {}
        self.platforms = PlatformRegistry(self)

    # --- set-up ------------------------------------------------------------------------------
    def migrate(self) -> None:
        from socialbot.storage.db import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def load(self, paths: Sequence[Path] | None = None) -> LoadResult:
        return load_paths(paths or [self.settings.campaigns_dir])

    def sync(
        self, campaigns: Sequence[Campaign], *, now: datetime, prune: bool = True, active: Sequence[str] | None = None
    ) -> dict[str, object]:
        """Record campaigns and make the ledger match their plans.

        With ``prune``, every campaign not in ``active`` (default: the ones given) is retired: its
        planned rows are cancelled, what was sent stays.
        """
        from socialbot.spec.actions import compile_campaign
        from socialbot.storage import repositories as repo

        summaries: dict[str, object] = {}
        for campaign in campaigns:
            header = campaign.spec.campaign
            start, end = header.window()
            from socialbot.domain.planning import localize

            repo.upsert_campaign(
                self.engine,
                id=header.id,
                name=header.name,
                timezone=header.timezone,
                file_path=str(campaign.file),
                digest=campaign.digest,
                starts_at=localize(start, header.tz).astimezone(UTC),
                ends_at=localize(end, header.tz).astimezone(UTC),
                now=now,
            )
            self.platforms.forget(header.id)  # the account, subreddits or hashtags may have changed
            plan = compile_campaign(campaign)
            summaries[header.id] = repo.sync_ledger(self.engine, header.id, plan.actions, now=now)
            self.campaigns[header.id] = campaign
        if prune:
            keep = list(active) if active is not None else [c.id for c in campaigns]
            for gone in repo.deactivate_campaigns(self.engine, keep=keep, now=now):
                self.campaigns.pop(gone, None)
                self.platforms.forget(gone)
                log.info("campaign %s retired: its file is gone; planned posts cancelled", gone)
        return summaries

    # --- publishing --------------------------------------------------------------------------
    def recover_in_flight(self, *, now: datetime) -> int:
        """Rows left ``sending`` by a crash become ``unconfirmed``: their outcome is unknown."""
        from socialbot.storage import repositories as repo

        rows = repo.rows_with_status(self.engine, [Status.SENDING])
        for row in rows:
            self._move(
                row, Status.SENDING, Status.UNCONFIRMED, now=now, reason="interrupted while sending (process stopped)"
            )
        return len(rows)

    def publish_due(self, *, now: datetime, campaign_ids: Sequence[str] | None = None) -> PublishReport:
        """Send every planned action that is due, in order; each in its own guarded ledger transition."""
        from socialbot.storage import repositories as repo

        report = PublishReport()
        ids = list(campaign_ids) if campaign_ids is not None else list(self.campaigns)
        for row in repo.rows_with_status(self.engine, [Status.PLANNED], campaign_ids=ids, due_before=now):
            outcome = self.execute(row, now=now)
            if outcome == Status.SENT:
                report.sent += 1
            elif outcome == Status.MISSED:
                report.missed += 1
            elif outcome == Status.FAILED:
                report.failed += 1
            elif outcome == Status.UNCONFIRMED:
                report.unconfirmed += 1
            elif outcome == "parked":
                report.parked += 1
            elif outcome == "blocked":
                report.blocked += 1
        return report

    def execute(self, row, *, now: datetime) -> str | None:
        """One ledger row: apply the missed-post policy, mark ``sending`` (committed), call, record the outcome."""
        from socialbot.storage import repositories as repo

        catch_up = timedelta(seconds=row.catch_up_seconds)
        parent = repo.thread_parent(self.engine, row)
        # once a thread has started, each part's catch-up window runs from the part before it went out
        started = parent is not None and parent[0] == Status.SENT and parent[2] is not None
        due = max(row.due_at, min(parent[2], now)) if started else row.due_at  # type: ignore[index, type-var]
        decision = decide(due_at=due, not_before=row.not_before, catch_up_within=catch_up, now=now)
        if decision == Decision.MISS:
            late = now - due
            self._move(
                row,
                Status.PLANNED,
                Status.MISSED,
                now=now,
                reason=f"overdue by {_fmt(late)}, more than catch_up_within ({_fmt(catch_up)})"
                + (f"; last error: {row.last_error}" if row.last_error else ""),
            )
            log.warning("missed %s: overdue by %s", row.key, _fmt(late))
            return Status.MISSED
        if decision == Decision.WAIT:
            return None
        draft = draft_from_json(row.draft)
        if parent is not None:
            status, remote_id, _sent_at = parent
            if status == Status.SENT:
                draft = replace(draft, reply_to=remote_id)
            elif status in (Status.FAILED, Status.MISSED, Status.CANCELLED):
                outcome = Status.MISSED if status == Status.MISSED else Status.FAILED
                self._move(row, Status.PLANNED, outcome, now=now, reason=f"previous thread part is {status}")
                return outcome
            else:
                return None  # the previous part is not confirmed yet: resume once it is
        campaign = self.campaigns.get(row.campaign_id)
        if campaign is None:
            return None
        try:
            platform = self.platforms.get(row.campaign_id, row.platform)
            self.platforms.check_budget(campaign, row.platform, "POST /2/tweets", now=now)
        except RateLimited as exc:
            return self._park(row, now=now, delay=timedelta(seconds=exc.retry_after), reason=str(exc))
        except (ConfigError, AuthError) as exc:
            self.platforms.forget(row.campaign_id)  # rebuilt with fresh credentials on the next try
            self._park(row, now=now, delay=AUTH_RETRY, reason=str(exc))
            return "blocked"
        if not repo.transition(
            self.engine,
            row.key,
            frm=[Status.PLANNED],
            to=Status.SENDING,
            now=now,
            sending_at=now,
            attempts=row.attempts + 1,
        ):
            return None  # someone else took it
        try:
            published = self._publish_with_retries(platform, draft)
        except OutcomeUnknown as exc:
            self._move(row, Status.SENDING, Status.UNCONFIRMED, now=now, reason=str(exc))
            log.warning("outcome of %s unknown (%s); will reconcile against our own recent posts", row.key, exc)
            return Status.UNCONFIRMED
        except RateLimited as exc:
            return self._park(
                row, now=now, delay=timedelta(seconds=exc.retry_after), reason=str(exc), frm=Status.SENDING
            )
        except TransientPlatformError as exc:
            return self._park(row, now=now, delay=retry_delay(row.attempts + 1), reason=str(exc), frm=Status.SENDING)
        except ContentRejected as exc:
            self._move(row, Status.SENDING, Status.FAILED, now=now, reason=str(exc))
            log.error("%s rejected by %s: %s", row.key, row.platform, exc)
            return Status.FAILED
        except AuthError as exc:
            self.platforms.forget(row.campaign_id)
            self._park(row, now=now, delay=AUTH_RETRY, reason=str(exc), frm=Status.SENDING)
            return "blocked"
        except Exception as exc:  # an unexpected adapter bug: we cannot know whether it went out
            self._move(row, Status.SENDING, Status.UNCONFIRMED, now=now, reason=f"{type(exc).__name__}: {exc}")
            log.exception("unexpected error publishing %s; marked unconfirmed", row.key)
            return Status.UNCONFIRMED
        finally:
            self.platforms.drain_usage(row.campaign_id, row.platform, now=now)
        try:
            repo.mark_sent(self.engine, row, published, now=now, frm=[Status.SENDING])
        except Exception as exc:  # e.g. the database stayed locked: it went out, reconciliation will record it
            log.exception("%s went out as %s but could not be recorded; reconciling it", row.key, published.remote_id)
            with contextlib.suppress(Exception):
                self._move(
                    row,
                    Status.SENDING,
                    Status.UNCONFIRMED,
                    now=now,
                    reason=f"published as {published.remote_id}; not recorded: {exc}",
                )
            return Status.UNCONFIRMED
        log.info("sent %s as %s", row.key, published.remote_id)
        return Status.SENT

    def _publish_with_retries(self, platform, draft):
        """A couple of quick retries for errors that certainly had no effect (tenacity); then the ledger parks it."""
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, TransientPlatformError) and not isinstance(exc, OutcomeUnknown)

        for attempt in Retrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=1, max=4),
            retry=retry_if_exception(retryable),
            sleep=self.sleep,
            reraise=True,
        ):
            with attempt:
                return platform.publish(draft)
        raise AssertionError("unreachable")

    def _move(self, row, frm: Status, to: Status, *, now: datetime, reason: str) -> bool:
        """Compare-and-set one ledger row from ``frm`` to ``to``, recording why."""
        from socialbot.storage import repositories as repo

        return repo.transition(self.engine, row.key, frm=[frm], to=to, now=now, last_error=reason)

    def _park(self, row, *, now: datetime, delay: timedelta, reason: str, frm: Status = Status.PLANNED) -> str:
        from socialbot.storage import repositories as repo

        until = now + delay
        repo.transition(
            self.engine, row.key, frm=[frm], to=Status.PLANNED, now=now, not_before=until, last_error=reason
        )
        log.warning("%s parked until %s: %s", row.key, until.isoformat(timespec="seconds"), reason)
        return "parked"

    def reconcile(self, *, now: datetime) -> dict[str, int]:
        """Settle ``unconfirmed`` rows by looking at the account's own recent posts; never a blind retry."""
        from socialbot.storage import repositories as repo

        counts = {"confirmed": 0, "requeued": 0, "waiting": 0}
        for stuck in repo.rows_with_status(self.engine, [Status.SENDING], campaign_ids=list(self.campaigns)):
            if stuck.sending_at and now - stuck.sending_at > STUCK_SENDING:  # no publish call lasts this long
                self._move(stuck, Status.SENDING, Status.UNCONFIRMED, now=now, reason="left sending (not recorded)")
        rows = repo.rows_with_status(self.engine, [Status.UNCONFIRMED], campaign_ids=list(self.campaigns))
        for row in rows:
            sending_at = row.sending_at or row.updated_at
            if now - sending_at < RECONCILE_AFTER:
                counts["waiting"] += 1
                continue
            try:
                platform = self.platforms.get(row.campaign_id, row.platform)
                own = platform.recent_own_posts(since=sending_at - timedelta(minutes=5))
            except (PlatformError, ConfigError) as exc:
                log.warning("cannot reconcile %s yet: %s", row.key, exc)
                counts["waiting"] += 1
                continue
            finally:
                self.platforms.drain_usage(row.campaign_id, row.platform, now=now)
            draft = draft_from_json(row.draft)
            taken = repo.known_remote_ids(self.engine, platform=row.platform, remote_ids=[p.remote_id for p in own])
            match = next((p for p in own if p.remote_id not in taken and same_post(draft.text, p.text)), None)
            if match is not None:
                from socialbot.domain.values import Published

                published = Published(remote_id=match.remote_id, url=match.url, created_at=match.created_at)
                repo.mark_sent(self.engine, row, published, now=now, frm=[Status.UNCONFIRMED])
                log.info("reconciled %s: found it as %s", row.key, match.remote_id)
                counts["confirmed"] += 1
            else:
                self._move(
                    row,
                    Status.UNCONFIRMED,
                    Status.PLANNED,
                    now=now,
                    reason="not found among our own posts after an unknown outcome: queued again",
                )
                log.info("reconciled %s: not published; queued again", row.key)
                counts["requeued"] += 1
        return counts

    def resolve(
        self, key: str, *, sent_as: str | None = None, retry: bool = False, drop: bool = False, now: datetime
    ) -> str:
        """An operator settles a row by hand: it went out as ``sent_as``, or ``retry`` it, or ``drop`` it."""
        from socialbot.domain.values import Published
        from socialbot.storage import repositories as repo

        row = repo.get_row(self.engine, key)
        if row is None:
            raise ConfigError(f"no ledger entry '{key}'; `socialbot status` lists the keys that need attention")
        open_states = [Status.UNCONFIRMED, Status.FAILED, Status.PLANNED]
        if row.status not in open_states:
            raise ConfigError(f"'{key}' is {row.status}; only unconfirmed, failed or planned entries can be resolved")
        if sent_as:
            if repo.known_remote_ids(self.engine, platform=row.platform, remote_ids=[sent_as]):
                raise ConfigError(f"{sent_as} is already recorded as another publication")
            repo.mark_sent(
                self.engine, row, Published(remote_id=sent_as, url=None, created_at=now), now=now, frm=open_states
            )
            return f"{key}: recorded as sent ({sent_as})"
        if retry:
            repo.transition(
                self.engine,
                key,
                frm=open_states,
                to=Status.PLANNED,
                now=now,
                not_before=None,
                last_error="queued again by hand",
            )
            return f"{key}: queued again (it is still missed if it is past its catch_up_within)"
        if drop:
            repo.transition(self.engine, key, frm=open_states, to=Status.FAILED, now=now, last_error="dropped by hand")
            return f"{key}: dropped (marked failed)"
        raise ConfigError("say what happened: --sent REMOTE_ID, --retry or --drop")

    # --- collection --------------------------------------------------------------------------
    def collect(self, campaign_id: str, platform_name: str, *, now: datetime, metrics: bool = True) -> CollectReport:
        """Fetch what is new on the campaign's publications and store it with the cursors, in one transaction."""
        from socialbot.storage import ingest
        from socialbot.storage import repositories as repo

        campaign = self.campaigns[campaign_id]
        report = CollectReport()
        pubs = repo.publication_refs(self.engine, campaign_id=campaign_id, platform=platform_name)
        if not pubs:
            return report
        report.newest_publication = max(p.published_at for p in pubs)
        platform = self.platforms.get(campaign_id, platform_name)
        try:
            self.platforms.check_budget(campaign, platform_name, "GET ", now=now)
            roots = [Target(remote_id=p.remote_id, published_at=p.published_at) for p in pubs if p.part == 0]
            cursors = ingest.cursors(self.engine, campaign_id=campaign_id, platform=platform_name)
            batch = platform.fetch_interactions(
                roots, cursors=cursors, keywords=campaign.spec.campaign.hashtags, now=now
            )
            report.new_interactions = ingest.store_batch(
                self.engine, campaign_id=campaign_id, platform=platform_name, batch=batch, now=now
            )
            report.notes.extend(batch.notes)
            if metrics:
                ids = [p.remote_id for p in pubs]
                snapshots = []
                for i in range(0, len(ids), 100):
                    snapshots.extend(platform.fetch_metrics(ids[i : i + 100], now=now))
                ingest.store_metrics(self.engine, platform=platform.capabilities.platform, metrics=snapshots)
            profiled = {
                a.remote_id
                for a in batch.authors
                if a.created_at is not None or a.followers is not None or a.karma is not None
            }
            unprofiled = {i.author_id for i in batch.interactions} - profiled
            missing = ingest.authors_without_snapshot(
                self.engine, platform=platform.capabilities.platform, remote_ids=sorted(unprofiled)
            )
            for i in range(0, len(missing), 100):
                ingest.store_profiles(self.engine, platform.fetch_profiles(missing[i : i + 100], now=now), now=now)
        finally:
            self.platforms.drain_usage(campaign_id, platform_name, now=now)
        return report

    def collection_targets(self) -> list[tuple[str, str]]:
        return [(cid, p) for cid, c in self.campaigns.items() for p in c.spec.campaign.platforms]


def _fmt(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d"


def _real_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
