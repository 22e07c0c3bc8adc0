"""The composition root: ``App`` wires settings, clock, database, campaigns and adapters to the use cases.

Each use case lives in its own module (compile, publishing, reconciliation, reactive, collecting,
status, reports, planning, estimate, accounts, database); ``App`` only hands itself to them, so the
CLI, the job drivers and the tests call one object.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from socialbot.app import collecting, compile, publishing, reactive, reconciliation
from socialbot.app.collecting import CollectReport
from socialbot.app.context import Context
from socialbot.app.reactive import Enqueued
from socialbot.domain.ledger import ActionKind, LedgerEntry, Outcome
from socialbot.errors import ConfigError
from socialbot.spec.campaign import Campaign, LoadResult
from socialbot.storage.db import upgrade
from socialbot.storage.ledger import SyncSummary


class App(Context):
    """Everything the CLI, the daemon and the simulation do, over one database and one set of platforms."""

    def migrate(self) -> None:
        """Bring the schema up to date, and make sure a rehearsal and live work never share a database."""
        from socialbot.storage.sandbox_world import claim_role, is_rehearsal

        upgrade(self.engine)
        wanted = "rehearsal" if self.sandbox else "live"
        if wanted == "live" and is_rehearsal(self.engine):  # a rehearsal from before roles were recorded
            claim_role(self.engine, "rehearsal")
        role = claim_role(self.engine, wanted)
        if role == wanted:
            return
        if role == "rehearsal":
            raise ConfigError(
                "this database holds a sandbox rehearsal (simulate or run --sandbox), not live data; "
                "point SOCIALBOT_DATABASE_URL (or --db) at the live database"
            )
        raise ConfigError("this database is used by a live daemon; rehearse in a database of its own (--db)")

    def load(self, paths: Sequence[Path] | None = None) -> LoadResult:
        return compile.load(self, paths)

    def sync(
        self, campaigns: Sequence[Campaign], *, now: datetime, prune: bool = True, active: Sequence[str] | None = None
    ) -> dict[str, SyncSummary]:
        return compile.sync(self, campaigns, now=now, prune=prune, active=active)

    def recover_in_flight(self, *, now: datetime) -> int:
        return publishing.recover_in_flight(self, now=now)

    def publish_due(self, *, now: datetime, campaign_ids: Sequence[str] | None = None) -> dict[Outcome, int]:
        return publishing.publish_due(self, now=now, campaign_ids=campaign_ids)

    def execute(self, entry: LedgerEntry, *, now: datetime) -> Outcome:
        return publishing.execute(self, entry, now=now)

    def reconcile(self, *, now: datetime) -> dict[str, int]:
        return reconciliation.reconcile(self, now=now)

    def resolve(
        self, key: str, *, sent_as: str | None = None, retry: bool = False, drop: bool = False, now: datetime
    ) -> str:
        return reconciliation.resolve(self, key, sent_as=sent_as, retry=retry, drop=drop, now=now)

    def enqueue(
        self,
        kind: ActionKind,
        target: str | None,
        text: str,
        due: datetime,
        key: str,
        *,
        campaign_id: str,
        platform: str,
        catch_up_within: timedelta = reactive.DEFAULT_CATCH_UP,
    ) -> Enqueued:
        return reactive.enqueue(
            self,
            kind=kind,
            campaign_id=campaign_id,
            platform=platform,
            text=text,
            due=due,
            key=key,
            target=target,
            catch_up_within=catch_up_within,
            now=self.clock(),
        )

    def collect(self, campaign_id: str, platform: str, *, now: datetime, metrics: bool = True) -> CollectReport:
        return collecting.collect(self, campaign_id, platform, now=now, metrics=metrics)

    def collection_targets(self) -> list[tuple[str, str]]:
        return collecting.collection_targets(self)
