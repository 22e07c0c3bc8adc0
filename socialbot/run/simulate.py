"""The virtual-clock driver: rehearses campaigns on the sandbox with the daemon's own jobs, in seconds.

The clock jumps from one job's due time to the next (a heap of next-due times), so two weeks take
seconds; every platform of a campaign is replaced by a sandbox with that platform's limits.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from socialbot.app import App
from socialbot.app.loading import load_files, utc_window
from socialbot.domain.clock import VirtualClock
from socialbot.errors import CampaignError
from socialbot.run import jobs
from socialbot.run.guard import run_guarded
from socialbot.run.jobs import Job
from socialbot.settings import Settings
from socialbot.storage.reporting import report_indexes_built_after

log = logging.getLogger(__name__)


@dataclass
class SimulationResult:
    campaign_ids: list[str]
    started: datetime
    ended: datetime
    steps: int = 0
    sent: int = 0
    missed: int = 0
    failed: int = 0
    interactions: int = 0
    parked: int = 0
    notes: list[str] = field(default_factory=list)


def simulate(
    settings: Settings,
    paths: Sequence[Path],
    *,
    days: float | None = None,
    progress: Callable[[datetime, SimulationResult], None] | None = None,
) -> tuple[App, SimulationResult]:
    """Run every campaign in ``paths`` on sandboxes; returns the app (for reporting) and a summary."""
    loaded = load_files(paths)
    loaded.raise_for_problems()
    for warning in loaded.warnings:
        log.warning("campaign file warning: %s", warning)
    if not loaded.campaigns:
        raise CampaignError([])
    windows = [utc_window(c) for c in loaded.campaigns]
    start = min(s for s, _ in windows)
    end = start + timedelta(days=days) if days is not None else max(e for _, e in windows) + timedelta(days=2)
    clock = VirtualClock(start - timedelta(minutes=1))
    app = App(settings, sandbox=True, clock=clock, sleep=lambda _s: None, durable=False)  # a rehearsal database
    app.migrate()
    app.sync(loaded.campaigns, now=clock.now)
    app.recover_in_flight(now=clock.now)
    result = SimulationResult([c.id for c in loaded.campaigns], start, end)
    table = {j.name: j for j in jobs.all_campaign_jobs(app, idle=None)}
    table["reconcile"] = Job("reconcile", lambda a, now: jobs.reconcile(a, now, idle=None))
    queue = VirtualQueue()
    for job in table.values():
        if job.name != "reconcile":
            queue.push(job.name, clock.now)
    day = clock.now.date()
    # nothing reads the report's indexes while it runs (built once, at the end); the sandbox's simulated
    # reactions are set aside from the garbage collector day by day (see _days_kept_out_of_gc)
    with report_indexes_built_after(app.engine), _days_kept_out_of_gc() as day_done:
        while (due := queue.pop_due(until=end)) is not None:
            name, when = due
            clock.set(when)
            run = run_guarded(table[name], app, clock.now, quiet=True)
            if run.next_at is not None:
                queue.push(name, max(run.next_at, clock.now + timedelta(seconds=1)))
            for woken, at in app.take_wakeups():
                if woken in table:
                    queue.push(woken, max(at, clock.now))
            result.steps += 1
            if clock.now.date() != day:
                day = clock.now.date()
                day_done()
                if progress:
                    progress(clock.now, _summary(app, result))
    return app, _summary(app, result)


@contextmanager
def _days_kept_out_of_gc() -> Iterator[Callable[[], None]]:
    """What a simulated day leaves alive is moved out of the cyclic garbage collector's view (``gc.freeze``).

    A busy fortnight keeps a million simulated reactions alive, and each full collection walked all of
    them again: 18 of them cost 6 s of a 5,000-post rehearsal. Frozen objects are still freed by
    reference counting when dropped (the sandbox drops a post's reactions once it keeps only its
    totals); only a reference cycle among them waits until the rehearsal ends and all is unfrozen.
    """
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _summary(app: App, result: SimulationResult) -> SimulationResult:
    stats = app.stats
    result.sent = stats["sent"] + stats["reconciled"]  # reconciled: went out, answer lost, found among our posts
    result.missed, result.failed = stats["missed"], stats["failed"]
    result.parked = stats["parked"] + stats["blocked"]
    result.interactions = stats["interactions"]
    result.notes = list(app.notes)
    return result


class VirtualQueue:
    """Next-due times of named jobs: each job is queued once, at its earliest requested time."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str]] = []
        self._due: dict[str, datetime] = {}
        self._order = itertools.count()

    def push(self, name: str, at: datetime) -> None:
        if name in self._due and self._due[name] <= at:
            return
        self._due[name] = at
        heapq.heappush(self._heap, (at, next(self._order), name))

    def pop_due(self, *, until: datetime) -> tuple[str, datetime] | None:
        """The earliest queued job if it is due by ``until`` (stale heap entries are skipped)."""
        while self._heap:
            at, _, name = self._heap[0]
            if self._due.get(name) != at:
                heapq.heappop(self._heap)
                continue
            if at > until:
                return None
            heapq.heappop(self._heap)
            del self._due[name]
            return name, at
        return None
