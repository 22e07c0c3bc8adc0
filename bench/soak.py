"""Soak test of exactly-once publishing: the real daemon, SIGKILLed again and again, against a faulty X stand-in.

What it measures: whether ``socialbot run`` keeps its promise (every post exactly once) when it is
killed at random moments while the X API misbehaves. It starts the local X API v2 stand-in
(``tests/fakes/x_api``) in this process on 127.0.0.1, with 20-50 ms of latency per request, and
writes an X campaign with ``--posts`` posts and a few 3-part threads, all due now
(``catch_up_within: 2h``). It runs the real daemon (``python -m socialbot run``, JSON logs, SQLite,
``SOCIALBOT_LOCK_STALE_SECONDS=3``) as a subprocess and, while faults are injected on
``POST /2/tweets`` (503s, 429s with reset headers, timeouts, disconnects, malformed bodies, and
"lost answers": the tweet is created, then the answer is dropped, cut or replaced by a 503) and on
the reconciliation reads, SIGKILLs it ``--kills`` times, each 0.2-2.5 s after a new daemon took the
lock, restarting it each time (a restart refused because the dead daemon's lock is not stale yet is
retried, like a supervisor would). Then faults stop, the last daemon runs until every ledger row is
settled (or ``--settle-timeout``), and it is stopped with SIGTERM.

It prints, counted on the stand-in's side (its own tweets) for the campaign's texts:

- duplicates: texts published more than once;
- lost: texts never published whose ledger row is not ``sent``;
- stuck: ledger rows not in a final state (``planned``, ``sending``, ``unconfirmed``);
- mismatched: ledger rows whose record disagrees with the stand-in (``sent`` with a remote id the
  stand-in does not hold for that text, or a published text whose row is not ``sent``);

and also the duplicate attempts the stand-in refused (X's own duplicate-content 403), kills done,
restarts refused by the lock, faults injected by kind, posts published and wall time. Exit status
0 only if duplicates, lost, stuck and mismatched are all 0. Everything is bounded in time and
count and stays on 127.0.0.1. The temporary directory (campaign, database, one log per daemon,
``soak-events.log``, ``tweets.json``) is removed unless ``--keep`` is given or the soak fails.

Run it by hand (not part of ``make bench``; it takes a few minutes):

    .venv/bin/python bench/soak.py --kills 50
    .venv/bin/python bench/soak.py --kills 10 --posts 100 --seed 7 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.x_api import LIMITS, Fault, XApiStandIn, endpoint_of  # noqa: E402

CAMPAIGN_ID = "soak"
THREADS = 3
THREAD_PARTS = 3
LATENCY = (0.020, 0.050)  # seconds added to every request
FAULT_RATE_POST = 0.30  # share of POST /2/tweets answered with a fault while faults are on
FAULT_RATE_READ = 0.10  # share of reconciliation reads (own timeline) answered with a 503
KILL_AFTER = (0.2, 2.5)  # seconds after a daemon took the lock
LOCK_WAIT = 30.0  # seconds a new daemon may take to hold the lock before the soak gives up
FINAL = {"sent", "failed", "missed", "cancelled"}
OPEN = {"planned", "sending", "unconfirmed"}
POST = "POST /2/tweets"
OWN_TIMELINE = "GET /2/users/:id/tweets"
# (kind, weight): "pre-" faults have no effect; "lost-" faults create the tweet, then spoil the answer
POST_FAULTS = [
    ("pre-503", 3),
    ("pre-429", 1),
    ("pre-timeout", 1),
    ("pre-disconnect", 1),
    ("pre-malformed", 1),
    ("lost-disconnect", 2),
    ("lost-timeout", 1),
    ("lost-malformed", 1),
    ("lost-503", 1),
]
CUT_BODY = b'{"data": {"id": "1", "te'


class FaultyStandIn(XApiStandIn):
    """The X stand-in with latency on every request and seeded random faults while ``faults_on`` is set."""

    def __init__(self, *, seed: int) -> None:
        super().__init__()
        self._server.handle_error = lambda request, address: None  # a killed daemon's broken pipe is expected
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.faults_on = False
        self.injected: Counter[str] = Counter()
        self.refused_duplicates = 0
        self.events: list[tuple[float, str]] = []
        with self._lock:  # budgets far above what the soak needs: only injected 429s limit it
            for endpoint in LIMITS:
                self.set_budget(endpoint, remaining=10**7, reset_in=86400)

    def stop_faults(self) -> None:
        with self.rng_lock:
            self.faults_on = False
        with self._lock:
            self.faults.clear()

    def _pick(self, endpoint: str) -> str | None:
        with self.rng_lock:
            if not self.faults_on:
                return None
            if endpoint == POST and self.rng.random() < FAULT_RATE_POST:
                kinds, weights = zip(*POST_FAULTS, strict=True)
                return self.rng.choices(kinds, weights)[0]
            if endpoint == OWN_TIMELINE and self.rng.random() < FAULT_RATE_READ:
                return "read-503"
            return None

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        endpoint = endpoint_of(method, urlsplit(url).path)
        with self.rng_lock:
            delay = self.rng.uniform(*LATENCY)
        time.sleep(delay)
        kind = self._pick(endpoint)
        if kind is not None:
            self.injected[kind] += 1
            self.events.append((time.time(), kind))
        if kind is not None and not kind.startswith("lost-"):
            with self._lock:  # the stand-in's own fault queue, consumed by the request below
                self.faults.setdefault(endpoint, []).insert(0, self._fault(kind))
        status, out_headers, payload = super().handle(method, url, headers, body)
        if endpoint == POST and status == 403 and b"duplicate content" in payload:
            self.refused_duplicates += 1
        if kind is None or not kind.startswith("lost-") or status != 201:
            return status, out_headers, payload
        if kind == "lost-disconnect":
            return -1, {}, b""
        if kind == "lost-timeout":
            return -2, {}, b""  # held, then the connection is dropped
        if kind == "lost-malformed":
            return 200, out_headers, CUT_BODY
        problem = {
            "title": "Service Unavailable",
            "detail": "Service Unavailable",
            "type": "about:blank",
            "status": 503,
        }
        return 503, {**out_headers, "content-type": "application/json"}, json.dumps(problem).encode()

    def _fault(self, kind: str) -> Fault:
        if kind == "pre-429":
            with self.rng_lock:
                reset = int(time.time()) + self.rng.randint(1, 4)
            return Fault(status=429, headers={"x-rate-limit-reset": str(reset)})
        if kind in ("pre-timeout", "pre-disconnect", "pre-malformed"):
            return Fault(kind=kind[4:])
        return Fault(status=503)

    def published(self) -> list[dict]:
        with self._lock:
            return [dict(t) for t in self.tweets.values() if t["author_id"] == self.account_id]


def campaign_yaml(posts: int, *, now: datetime, token: str) -> tuple[str, set[str]]:
    """The campaign file and every text it publishes (each unique)."""
    at = now.strftime("%Y-%m-%d %H:%M")
    lines = [
        "campaign:",
        f"  id: {CAMPAIGN_ID}",
        "  name: Soak",
        "  timezone: UTC",
        f"  starts: {(now - timedelta(days=1)).date()}",
        f"  ends: {(now + timedelta(days=2)).date()}",
        "  platforms: [x]",
        "  defaults: {catch_up_within: 2h}",
        "posts:",
    ]
    texts: set[str] = set()
    for n in range(posts):
        text = f"Soak post {n:04d} of run {token}: exactly once, whatever happens."
        texts.add(text)
        lines += [f"  - id: post-{n:04d}", f'    text: "{text}"', f'    schedule: {{at: "{at}"}}']
    for n in range(THREADS):
        parts = [f"Soak thread {n} part {p + 1}/{THREAD_PARTS} of run {token}" for p in range(THREAD_PARTS)]
        texts.update(parts)
        lines += [f"  - id: thread-{n}", "    thread:"]
        lines += [f'      - "{p}"' for p in parts]
        lines += [f'    schedule: {{at: "{at}"}}']
    return "\n".join(lines) + "\n", texts


class Daemons:
    """Starts, watches, kills and stops ``python -m socialbot run`` processes, one log file each."""

    def __init__(self, *, tmp: Path, env: dict[str, str], events) -> None:
        self.tmp = tmp
        self.env = env
        self.db = tmp / "soak.db"
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.events = events
        self.spawned = 0
        self.refused = 0
        self.unexpected_exits: list[str] = []
        self.host = socket.gethostname()
        self.started: list[subprocess.Popen] = []

    def kill_leftovers(self) -> None:
        """SIGKILL any daemon this soak started that still runs (the soak itself was interrupted)."""
        for proc in self.started:
            if proc.poll() is None:
                self.kill(proc)

    def spawn(self) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"daemon-{self.spawned:03d}.log"
        self.spawned += 1
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "socialbot", "run"],
                cwd=self.tmp,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append(proc)
        self.events(f"spawned pid {proc.pid} -> {log.name}")
        return proc, log

    def holder(self) -> str | None:
        if not self.db.exists():
            return None
        try:
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=2) as db:
                row = db.execute("SELECT holder FROM daemon_lock WHERE name = 'daemon'").fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def start_holding(self, deadline: float) -> subprocess.Popen:
        """A daemon that holds the lock; restarts refused ones (the dead holder's lock is not stale yet)."""
        while time.monotonic() < deadline:
            proc, log = self.spawn()
            held_by = f"{self.host}:{proc.pid}"
            give_up = min(deadline, time.monotonic() + LOCK_WAIT)
            while time.monotonic() < give_up:
                if self.holder() == held_by:
                    self.events(f"pid {proc.pid} holds the lock")
                    return proc
                if proc.poll() is not None:
                    break
                time.sleep(0.02)
            if proc.poll() is None:  # alive but never took the lock: not what a daemon should do
                self.unexpected_exits.append(f"{log.name}: did not take the lock within {LOCK_WAIT:.0f} s")
                self.kill(proc)
                continue
            text = log.read_text(errors="replace")
            if "another socialbot daemon" in text:
                self.refused += 1
                self.events(f"pid {proc.pid} refused by the lock")
                time.sleep(0.3)
            else:
                self.unexpected_exits.append(f"{log.name}: exit {proc.returncode}: {text[-300:].strip()}")
                self.events(f"pid {proc.pid} exited {proc.returncode} unexpectedly")
                time.sleep(0.5)
        raise TimeoutError("no daemon could take the lock in time")

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        self.events(f"SIGKILL pid {proc.pid}")

    def terminate(self, proc: subprocess.Popen) -> int | None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            return None

    def count(self, status: str) -> int:
        try:
            return sum(1 for r in self.ledger() if r["status"] == status)
        except sqlite3.Error:
            return 0

    def ledger(self) -> list[dict]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT key, status, draft, remote_id, attempts, last_error FROM ledger WHERE campaign_id = ?",
                (CAMPAIGN_ID,),
            ).fetchall()
        return [{**dict(r), "text": json.loads(r["draft"]).get("text", "")} for r in rows]


def open_rows(daemons: Daemons) -> int | None:
    try:
        return sum(1 for r in daemons.ledger() if r["status"] in OPEN)
    except sqlite3.Error:
        return None


def soak(args: argparse.Namespace, tmp: Path) -> int:
    started = time.monotonic()
    rng = random.Random(args.seed)
    events_file = (tmp / "soak-events.log").open("w")

    def event(message: str) -> None:
        events_file.write(f"{datetime.now(UTC).isoformat(timespec='milliseconds')} {message}\n")
        events_file.flush()

    x = FaultyStandIn(seed=args.seed + 1)
    daemons: Daemons | None = None
    try:
        now = datetime.now(UTC)
        body, texts = campaign_yaml(args.posts, now=now, token=f"{args.seed}-{int(now.timestamp())}")
        campaigns = tmp / "campaigns"
        campaigns.mkdir()
        (campaigns / "soak.yaml").write_text(body)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
        env.update(
            SOCIALBOT_X_API_KEY=x.api_key,
            SOCIALBOT_X_API_SECRET=x.api_secret,
            SOCIALBOT_X_ACCESS_TOKEN=x.access_token,
            SOCIALBOT_X_ACCESS_TOKEN_SECRET=x.access_token_secret,
            SOCIALBOT_X_API_URL=x.base_url,
            SOCIALBOT_X_UPLOAD_URL=x.upload_url,
            SOCIALBOT_DATABASE_URL=f"sqlite:///{tmp / 'soak.db'}",
            SOCIALBOT_CAMPAIGNS_DIR=str(campaigns),
            SOCIALBOT_LOCK_STALE_SECONDS="3",
            SOCIALBOT_LOG_FORMAT="json",
            SOCIALBOT_LOG_LEVEL="INFO",
        )
        daemons = Daemons(tmp=tmp, env=env, events=event)

        # faults on, kill and restart --kills times
        x.faults_on = True
        event("faults on")
        kill_deadline = time.monotonic() + 60 + 30 * args.kills
        kills = mid_send = 0
        proc = daemons.start_holding(kill_deadline)
        while kills < args.kills and time.monotonic() < kill_deadline:
            time.sleep(rng.uniform(*KILL_AFTER))
            if proc.poll() is not None:
                daemons.unexpected_exits.append(f"pid {proc.pid} exited {proc.returncode} before its kill")
            else:
                daemons.kill(proc)
                kills += 1
                mid_send += daemons.count("sending") > 0
            proc = daemons.start_holding(kill_deadline)
        x.stop_faults()
        event(f"faults off after {kills} kills")

        # let the last daemon settle every row, then stop it gracefully
        settle_deadline = time.monotonic() + args.settle_timeout
        remaining = open_rows(daemons)
        while time.monotonic() < settle_deadline:
            if proc.poll() is not None:
                daemons.unexpected_exits.append(f"pid {proc.pid} exited {proc.returncode} while settling")
                proc = daemons.start_holding(settle_deadline + LOCK_WAIT)
            remaining = open_rows(daemons)
            if remaining == 0:
                break
            time.sleep(1)
        event(f"settling ended with {remaining} open row(s)")
        final_exit = daemons.terminate(proc)
        event(f"SIGTERM pid {proc.pid}: exit {final_exit}")
        x.stop_faults()

        rows = daemons.ledger()
        tweets = x.published()
    finally:
        if daemons is not None:
            daemons.kill_leftovers()
        x.stop()
        events_file.close()
    (tmp / "tweets.json").write_text(json.dumps(tweets, indent=1))

    published = Counter(t["text"] for t in tweets if t["text"] in texts)
    ids_of: dict[str, set[str]] = {}
    for t in tweets:
        ids_of.setdefault(t["text"], set()).add(t["id"])
    by_text = {r["text"]: r for r in rows}
    statuses = Counter(r["status"] for r in rows)
    duplicates = sorted(t for t, n in published.items() if n > 1)
    lost = sorted(t for t in texts if published[t] == 0 and by_text.get(t, {}).get("status") != "sent")
    stuck = sorted(r["key"] for r in rows if r["status"] in OPEN)
    mismatched = sorted(
        r["key"]
        for r in rows
        if (r["status"] == "sent" and r["remote_id"] not in ids_of.get(r["text"], set()))
        or (r["status"] != "sent" and published[r["text"]] > 0)
    )
    wall = time.monotonic() - started

    print(f"soak: seed {args.seed}, {len(texts)} texts ({args.posts} posts, {THREADS} threads of {THREAD_PARTS})")
    print(f"duplicates: {len(duplicates)}")
    print(f"lost: {len(lost)}")
    print(f"stuck: {len(stuck)}")
    print(f"mismatched: {len(mismatched)}")
    print(f"duplicate attempts refused by the stand-in: {x.refused_duplicates}")
    print(
        f"kills done: {kills} ({mid_send} with a post in flight; daemons started: {daemons.spawned}, "
        f"refused by the lock: {daemons.refused})"
    )
    faults = ", ".join(f"{k} {n}" for k, n in sorted(x.injected.items()))
    print(f"faults injected: {sum(x.injected.values())} ({faults})")
    print(f"posts published: {sum(published.values())} of {len(texts)} texts")
    print(f"ledger: {', '.join(f'{k} {n}' for k, n in sorted(statuses.items()))}; last daemon exit {final_exit}")
    print(f"wall time: {wall:.1f} s")
    for label, items in (("duplicate", duplicates), ("lost", lost), ("stuck", stuck), ("mismatched", mismatched)):
        for item in items[:10]:
            row = by_text.get(item) or next((r for r in rows if r["key"] == item), {})
            print(f"  {label}: {item} [{row.get('status')}] {row.get('last_error') or ''}")
    for problem in daemons.unexpected_exits[:10]:
        print(f"  unexpected: {problem}")
    return 0 if not (duplicates or lost or stuck or mismatched) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs of the daemon (default 50)")
    parser.add_argument("--posts", type=int, default=300, help="distinct posts due now (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the kills and faults (default 1)")
    parser.add_argument("--settle-timeout", type=float, default=120.0, help="seconds to settle at the end")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 0 <= args.kills <= 1000 or not 1 <= args.posts <= 2000:
        parser.error("--kills must be 0-1000 and --posts 1-2000")
    tmp = Path(tempfile.mkdtemp(prefix="socialbot-soak-"))
    status = 1
    try:
        status = soak(args, tmp)
    finally:
        if args.keep or status != 0:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
