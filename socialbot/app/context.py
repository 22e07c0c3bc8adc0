"""What every use case works over: settings, the clock, the database, the loaded campaigns and their adapters."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from socialbot.app.usage import UsageBudgets
from socialbot.domain.clock import Clock, system_clock
from socialbot.errors import ConfigError
from socialbot.platforms.base import Platform
from socialbot.platforms.registry import AccountUse, PlatformRegistry
from socialbot.settings import Settings
from socialbot.spec.campaign import Campaign
from socialbot.storage.authors import AuthorsSeen
from socialbot.storage.db import Engine, make_engine
from socialbot.storage.publications import PublicationsSeen
from socialbot.storage.sandbox_world import SandboxWorldStore


class Context:
    """Shared state of one process: one database, one set of campaigns, one registry of adapters.

    ``stats`` counts what the use cases did (sent, missed, interactions …) since the process started:
    the daemon, ``run --once`` and the simulation all read their summaries from it. ``wakeups`` are
    requests from a use case to run a named job earlier (e.g. reconcile soon after an unknown
    outcome); the job drivers drain them.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sandbox: bool = False,
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
        durable: bool = True,
    ) -> None:
        self.settings = settings
        self.sandbox = sandbox
        self.clock: Clock = clock or system_clock
        self.sleep = sleep if sleep is not None else time.sleep
        self.engine: Engine = make_engine(settings.database_url, durable=durable)  # False: a rehearsal database
        self.campaigns: dict[str, Campaign] = {}
        self.stats: Counter[str] = Counter()
        self._wakeups: list[tuple[str, datetime]] = []
        self._wakeups_lock = threading.Lock()
        self.notes: list[str] = []  # distinct collection notes (gaps, caps), for summaries
        self.may_publish: Callable[[], bool] = lambda: True  # the daemon's lease: no claim without it
        self.stopping: Callable[[], bool] = lambda: False  # the daemon was told to stop: start nothing new
        self.last_metrics: dict[tuple[str, str], datetime] = {}
        # (platform, remote id) -> when its counters were last read, and what they were when last stored
        self.metrics_seen: dict[tuple[str, str], tuple[datetime, tuple[object, ...]]] = {}
        self.authors_seen = AuthorsSeen()
        # the collection cursors this process committed, per (campaign, platform): not read back every round
        # (a stale entry is harmless: the platform answers from an older cursor, the rows are de-duplicated)
        self.cursors_seen: dict[tuple[str, str], dict[str, str]] = {}
        self.publications_seen: dict[tuple[str, str], PublicationsSeen] = {}  # read incrementally (ids only grow)
        self.qa_own_posts_checked: dict[tuple[str, str, str], datetime] = {}  # (campaign, session, platform)
        # what the engagement features read so far, per (campaign, item, platform): the last interaction row
        # read, and what was made of the rows before it (reply-poll votes; Q&A questions are stored themselves)
        self.poll_votes_seen: dict[tuple[str, str, str], tuple[int, list]] = {}
        self.qa_rows_seen: dict[tuple[str, str, str], int] = {}
        self.profiles_pending: dict[tuple[str, str], set[str]] = {}  # people whose profile a later round reads
        self.platforms = PlatformRegistry(
            settings=settings,
            lookup=self._account_use,
            sandbox_world=lambda account: SandboxWorldStore(self.engine, account=account),
            clock=self.clock,
            sandbox=sandbox,
            on_build=self._adapter_built,
        )
        self.usage = UsageBudgets(
            engine=self.engine, platforms=self.platforms, campaign=self.campaign, clock=self.clock
        )

    def campaign(self, campaign_id: str) -> Campaign:
        try:
            return self.campaigns[campaign_id]
        except KeyError:
            raise ConfigError(f"campaign '{campaign_id}' is not loaded") from None

    def wake(self, job: str, at: datetime) -> None:
        """Ask the job driver to run ``job`` no later than ``at``."""
        with self._wakeups_lock:
            self._wakeups.append((job, at))

    def take_wakeups(self) -> list[tuple[str, datetime]]:
        """The wake-up requests made since the last call (for the job drivers)."""
        with self._wakeups_lock:
            taken, self._wakeups = self._wakeups, []
        return taken

    def _account_use(self, campaign_id: str) -> AccountUse:
        spec = self.campaign(campaign_id).spec
        return AccountUse(
            campaign_id=campaign_id,
            account=spec.campaign.account,
            subreddits=tuple(
                sorted(
                    {p.reddit.subreddit for p in spec.posts if p.reddit.subreddit}
                    | {p.reddit.subreddit for p in spec.polls if p.reddit.subreddit}
                )
            ),
            hashtags=tuple(spec.campaign.hashtags),
        )

    def _adapter_built(self, use: AccountUse, platform: str, adapter: Platform) -> None:
        """Every adapter's calls are checked against the campaign's daily budgets before they are made."""
        self.usage.install_guard(use.campaign_id, platform, adapter)

    def close(self) -> None:
        self.engine.dispose()
