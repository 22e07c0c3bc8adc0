"""Prints how long a 5,000-post two-week campaign takes to rehearse (target < 60 s, < 300 MiB peak memory),
beside the floor of its storage: raw ``sqlite3`` writing the same interactions into the same schema, in as
many transactions as the rehearsal had collection rounds, with the rehearsal's pragmas and, as it does, the
report's indexes built once at the end.

    .venv/bin/python bench/simulate_big.py            # 5,000 posts, one every 4 minutes for two weeks
    .venv/bin/python bench/simulate_big.py 1000       # fewer posts, spread over the same two weeks
"""

from __future__ import annotations

import resource
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from socialbot.run.simulate import simulate
from socialbot.settings import Settings
from socialbot.storage.db import REHEARSAL_CACHE_KIB, REHEARSAL_CHECKPOINT_PAGES, make_engine, upgrade
from socialbot.storage.reporting import REPORT_INDEXES

START = datetime(2026, 12, 1, 8, 0)
DAYS = 14


def campaign(posts: int) -> str:
    every = timedelta(days=DAYS) / posts
    lines = [
        "campaign:",
        "  id: bench-big",
        "  name: A busy fortnight",
        "  timezone: UTC",
        f"  starts: {START.date()}",
        f"  ends: {(START + timedelta(days=DAYS)).date()}",
        "  platforms: [sandbox]",
        '  hashtags: ["#Big"]',
        "posts:",
    ]
    for n in range(posts):
        at = START + n * every
        lines += [f"  - id: p{n}", f'    text: "Post {n} of the busy fortnight #Big"']
        lines.append(f'    schedule: {{at: "{at:%Y-%m-%d %H:%M}"}}')
    return "\n".join(lines) + "\n"


def raw_floor(simulated: Path, fresh: Path, rounds: int) -> tuple[float, int]:
    """Seconds raw sqlite3 takes to write the rehearsal's interactions again, a transaction per round."""
    engine = make_engine(f"sqlite:///{fresh}")
    upgrade(engine)
    engine.dispose()
    columns = "platform, remote_id, kind, campaign_id, target_id, parent_id, author_id, text, created_at, collected_at"
    with sqlite3.connect(simulated) as source:
        rows = source.execute(f"SELECT {columns} FROM interactions ORDER BY collected_at, id").fetchall()
    size = max(1, len(rows) // max(rounds, 1))
    db = sqlite3.connect(fresh, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")  # as a rehearsal database
    db.execute(f"PRAGMA cache_size=-{REHEARSAL_CACHE_KIB}")
    db.execute(f"PRAGMA wal_autocheckpoint={REHEARSAL_CHECKPOINT_PAGES}")
    marks = ", ".join("?" * len(REPORT_INDEXES))
    indexes = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", REPORT_INDEXES
    ).fetchall()
    start = time.perf_counter()
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    sql = f"INSERT INTO interactions ({columns}) VALUES ({', '.join('?' * 10)}) ON CONFLICT DO NOTHING"
    for i in range(0, len(rows), size):
        db.execute("BEGIN")
        db.executemany(sql, rows[i : i + size])
        db.execute("COMMIT")
    for _, create in indexes:
        db.execute(create)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, len(rows)


def main() -> None:
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "big.yaml"
        path.write_text(campaign(posts), encoding="utf-8")
        settings = Settings(database_url=f"sqlite:///{folder / 'big.db'}", _env_file=None)
        start = time.perf_counter()
        app, result = simulate(settings, [path], days=DAYS + 2)
        elapsed = time.perf_counter() - start
        app.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        collect_rounds = result.steps - result.sent  # every other step of this one-campaign rehearsal collects
        floor, stored = raw_floor(folder / "big.db", folder / "floor.db", collect_rounds)
    print(
        f"{posts:,}-post two-week campaign: {result.sent:,} posts, {result.interactions:,} interactions, "
        f"{result.steps:,} steps rehearsed in {elapsed:.1f} s (target < 60 s); peak memory {peak:.0f} MiB "
        "(target < 300 MiB)"
    )
    print(
        f"  floor: raw sqlite3 writes the same {stored:,} interactions in about {collect_rounds:,} transactions "
        f"in {floor:.1f} s (the rehearsal takes {elapsed / floor:.1f}x as long)"
    )


if __name__ == "__main__":
    main()
