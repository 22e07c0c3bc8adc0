"""The daemon: migrate, take the lock, sync campaigns, run jobs until SIGINT/SIGTERM; or run once and exit.

Start-up order: configure logging → migrate → take the single-instance lock → load and sync
campaigns → settle rows left in flight → start jobs. Shutdown order: stop taking work → wait for
running jobs → release the lock → close the database.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from socialbot.app import App
from socialbot.domain.cadence import METRICS_EVERY, collect_interval
from socialbot.errors import RateLimited, SocialbotError
from socialbot.settings import Settings

log = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=60)
HEARTBEAT_EVERY = timedelta(seconds=20)
IDLE_RECHECK = timedelta(minutes=5)
SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "API_KEY", "CLIENT_ID")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RedactSecrets(logging.Filter):
    """Defence in depth: any configured credential value that reaches a log line is replaced by ***."""

    def __init__(self) -> None:
        super().__init__()
        values = dict(os.environ)
        if Path(".env").is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(".env").items() if v})  # credentials that live only in .env
        self.secrets = sorted(
            {
                v
                for k, v in values.items()
                if k.startswith("SOCIALBOT_") and any(w in k for w in SECRET_WORDS) and len(v) >= 6
            },
            key=len,
            reverse=True,
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(settings: Settings, *, fmt: str | None = None, level: str | None = None) -> None:
    handler = logging.StreamHandler()
    if (fmt or settings.log_format) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or settings.log_level)
    for noisy in ("apscheduler", "urllib3", "prawcore", "tweepy", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class Daemon:
    """One running instance over one database."""

    def __init__(
        self, settings: Settings, *, sandbox: bool = False, paths: list[Path] | None = None, app: App | None = None
    ) -> None:
        from socialbot.storage.runtime import DatabaseLock

        self.settings = settings
        self.paths = paths or [settings.campaigns_dir]
        self.app = app or App(settings, sandbox=sandbox)
        self.lock = DatabaseLock(self.app.engine, holder=f"{socket.gethostname()}:{os.getpid()}")
        self.stop_event = threading.Event()
        self.rescan_event = threading.Event()
        self.scheduler = None
        self._file_campaign: dict[str, str] = {}
        self._digests: dict[str, str] = {}
        self._fingerprint: tuple | None = None  # None: never scanned
        self._started = False
        self.campaigns_missing = False  # the campaigns directory is gone or empty (an unmounted volume, a typo)
        self._last_metrics: dict[tuple[str, str], datetime] = {}

    # --- campaigns ---------------------------------------------------------------------------
    def load_and_sync(self, *, now: datetime) -> list[str]:
        """Re-read the campaign files; invalid files are reported and keep their last valid version running.

        Nothing is parsed when no file changed (names, sizes and modification times), so an idle
        daemon's rescans cost a directory listing.
        """
        from socialbot.spec.loader import campaign_files

        files, missing = campaign_files(self.paths)
        if not files:
            for problem in missing:
                log.error("campaigns: %s — nothing was changed; running campaigns keep running", problem)
            self.campaigns_missing = True
            return []
        self.campaigns_missing = False
        fingerprint = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())
        if fingerprint == self._fingerprint:
            return []
        self._fingerprint = fingerprint
        result = self.app.load(self.paths)
        for problem in result.problems:
            log.error("campaign file problem: %s", problem)
        keep = {c.id: c for c in result.campaigns}
        bad_files = {p.file for p in result.problems}
        for file in bad_files:
            cid = self._file_campaign.get(file)
            if cid and cid in self.app.campaigns and cid not in keep and Path(file).exists():
                keep[cid] = self.app.campaigns[cid]
                log.warning("keeping the last valid version of campaign %s until %s is fixed", cid, file)
        waiting = self._campaigns_of_invalid_files(bad_files - {str(c.file) for c in keep.values()})
        changed = [c for c in keep.values() if self._digests.get(c.id) != c.digest]
        gone = [cid for cid in self.app.campaigns if cid not in keep]
        summaries = self.app.sync(changed, now=now, active=[*keep, *waiting])
        for c in keep.values():
            self._file_campaign[str(c.file)] = c.id
            self._digests[c.id] = c.digest
        for cid, summary in summaries.items():
            log.info("campaign %s synced: %s", cid, summary)
        if self.scheduler is not None:
            for cid in gone:
                self.scheduler.remove(f"publish:{cid}")
                self.scheduler.remove(f"collect:{cid}:", prefix=True)  # the colon ends the id: "a" never takes "a-2"
                self._digests.pop(cid, None)
            for c in changed:
                self._schedule_campaign(c.id, now=now)
        return [c.id for c in changed]

    def _campaigns_of_invalid_files(self, files: set[str]) -> list[str]:
        """Campaigns recorded from files that are now invalid (e.g. at start-up): kept, not retired.

        Their planned posts are not cancelled; they wait (and may pass their catch-up window) until
        the file is fixed. A file that disappeared retires its campaign instead.
        """
        from socialbot.storage.reporting import campaign_rows

        if not files:
            return []
        held = [
            r.id
            for r in campaign_rows(self.app.engine) or []
            if r.active and r.file_path in files and Path(r.file_path).exists()
        ]
        for cid in held:
            if cid not in self.app.campaigns:
                log.error(
                    "campaign %s is not running: its file is invalid (see above); its planned posts wait until it is fixed",
                    cid,
                )
        return held

    # --- jobs --------------------------------------------------------------------------------
    def _publish_job(self, campaign_id: str):
        def job(now: datetime) -> datetime | None:
            from socialbot.storage import repositories as repo

            self.app.publish_due(now=now, campaign_ids=[campaign_id])
            wake = repo.next_wake(self.app.engine, campaign_ids=[campaign_id])
            if wake is None:
                return now + IDLE_RECHECK
            # a due row still planned waits on something (an unconfirmed thread part): look again after reconciliation
            return now + RECONCILE_EVERY if wake <= now else min(wake, now + IDLE_RECHECK)

        return job

    def _collect_job(self, campaign_id: str, platform: str):
        def job(now: datetime) -> datetime | None:
            from socialbot.storage import repositories as repo

            if campaign_id not in self.app.campaigns:
                return None
            key = (campaign_id, platform)
            with_metrics = now - self._last_metrics.get(key, now - METRICS_EVERY) >= METRICS_EVERY
            report = self.app.collect(campaign_id, platform, now=now, metrics=with_metrics)
            if with_metrics:
                self._last_metrics[key] = now
            for note in report.notes:
                log.info("collect %s/%s: %s", campaign_id, platform, note)
            row = repo.campaign_row(self.app.engine, campaign_id)
            interval = collect_interval(
                newest_publication=repo.newest_publication(self.app.engine, campaign_id=campaign_id, platform=platform),
                now=now,
                campaign_ends=row.ends_at if row else now,
                grace=timedelta(days=self.settings.collect_grace_days),
            )
            return now + interval if interval else None

        return job

    def _schedule_campaign(self, campaign_id: str, *, now: datetime) -> None:
        assert self.scheduler is not None
        self.scheduler.schedule(
            f"publish:{campaign_id}", self._publish_job(campaign_id), at=now, campaign_id=campaign_id
        )
        for platform in self.app.campaigns[campaign_id].spec.campaign.platforms:
            self.scheduler.schedule(
                f"collect:{campaign_id}:{platform}",
                self._collect_job(campaign_id, platform),
                at=now,
                campaign_id=campaign_id,
                platform=platform,
            )

    def _reconcile_job(self, now: datetime) -> datetime:
        self.app.reconcile(now=now)
        return now + RECONCILE_EVERY

    def _rescan_job(self, now: datetime) -> datetime:
        self.load_and_sync(now=now)
        return now + timedelta(seconds=self.settings.rescan_seconds)

    def _heartbeat_job(self, now: datetime) -> datetime | None:
        if not self.lock.heartbeat(now=now):
            log.error("another daemon took over the lock on this database; stopping")
            self.stop_event.set()
            return None
        return now + HEARTBEAT_EVERY

    # --- run ---------------------------------------------------------------------------------
    def start(self) -> None:
        now = self.app.clock()
        self.app.migrate()
        took_over = self.lock.acquire(now=now)
        self._started = True
        if took_over:
            log.warning("took over the lock from a daemon that stopped without releasing it")
        self.load_and_sync(now=now)
        recovered = self.app.recover_in_flight(now=now)
        if recovered:
            log.warning("%d action(s) were in flight when the last run stopped; reconciling them", recovered)

    def run_once(self) -> dict[str, int]:
        """Everything due now, then exit: reconcile, publish, collect (for cron and tests).

        The lock's heartbeat is kept alive in the background, so a long run is never taken for a
        dead daemon; if another process takes the lock anyway, this run stops publishing.
        """
        done = threading.Event()
        keeper = threading.Thread(target=self._keep_lock_alive, args=(done,), name="lock-heartbeat", daemon=True)
        keeper.start()
        try:
            return self._run_once()
        finally:
            done.set()
            keeper.join()

    def _keep_lock_alive(self, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT_EVERY.total_seconds()):
            if not self.lock.heartbeat(now=self.app.clock()):
                log.error("another daemon took over the lock on this database; stopping")
                self.stop_event.set()
                return

    def _run_once(self) -> dict[str, int]:
        now = self.app.clock()
        totals = {"sent": 0, "missed": 0, "failed": 0, "unconfirmed": 0, "parked": 0, "interactions": 0, "errors": 0}
        if self.campaigns_missing:
            totals["errors"] += 1
        self.app.reconcile(now=now)
        for cid in list(self.app.campaigns):
            if self.stop_event.is_set():
                totals["errors"] += 1
                break
            try:
                report = self.app.publish_due(now=now, campaign_ids=[cid])
                for k in ("sent", "missed", "failed", "unconfirmed", "parked"):
                    totals[k] += getattr(report, k)
                totals["parked"] += report.blocked
                totals["errors"] += report.blocked  # a credential problem needs a person: cron should notice
            except SocialbotError as exc:
                totals["errors"] += 1
                log.error("campaign %s: publishing stopped: %s", cid, exc)
        for cid, platform in self.app.collection_targets():
            try:
                totals["interactions"] += self.app.collect(cid, platform, now=self.app.clock()).new_interactions
            except RateLimited as exc:  # a rate limit or daily budget: expected, the next run goes on
                totals["parked"] += 1
                log.warning("campaign %s on %s: collection waits: %s", cid, platform, exc)
            except SocialbotError as exc:
                totals["errors"] += 1
                log.error("campaign %s on %s: collection failed: %s", cid, platform, exc)
        return totals

    def serve(self) -> None:
        """Run jobs until stopped (SIGINT/SIGTERM, or ``stop_event`` set by a test)."""
        from socialbot.scheduler import Scheduler

        self.scheduler = Scheduler(self.app, clock=self.app.clock)
        now = self.app.clock()
        for cid in self.app.campaigns:
            self._schedule_campaign(cid, now=now)
        self.scheduler.schedule("reconcile", self._reconcile_job, at=now)
        self.scheduler.schedule("rescan", self._rescan_job, at=now + timedelta(seconds=self.settings.rescan_seconds))
        self.scheduler.schedule("heartbeat", self._heartbeat_job, at=now + HEARTBEAT_EVERY)
        self.scheduler.start()
        log.info("daemon running: %d campaign(s); stop with Ctrl-C or SIGTERM", len(self.app.campaigns))
        while not self.stop_event.is_set():
            if self.rescan_event.wait(timeout=1.0):
                self.rescan_event.clear()
                log.info("SIGHUP: re-reading campaign files")
                self.scheduler.schedule("rescan", self._rescan_job, at=self.app.clock())
        log.info("stopping: no new jobs; waiting for running jobs to finish")
        self.scheduler.shutdown()

    def close(self) -> None:
        try:
            self.lock.release()
        finally:
            self.app.close()
        if self._started:
            log.info("stopped cleanly")

    def install_signal_handlers(self) -> None:
        def stop(signum, _frame):
            log.info("received %s", signal.Signals(signum).name)
            self.stop_event.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self.rescan_event.set())


def run(
    settings: Settings, *, once: bool = False, sandbox: bool = False, paths: list[Path] | None = None
) -> dict[str, int] | None:
    daemon = Daemon(settings, sandbox=sandbox, paths=paths)
    try:
        daemon.start()
    except BaseException:
        daemon.close()  # releases the lock only if this daemon holds it
        raise
    try:
        if once:
            return daemon.run_once()
        daemon.install_signal_handlers()
        daemon.serve()
        return None
    finally:
        daemon.close()
