"""Prints the time of the report's queries at N interactions beside a plain SQL GROUP BY over the same rows.

    python bench/report.py [N]          (default 1,000,000; the issue's figure is 5,000,000)

A campaign of 300 publications with N interactions (20,000 people) and 48 metric snapshots per
publication is written with raw sqlite3 into a migrated database; then, on the same file and warm
cache (median of 3): the report's queries (socialbot.storage.reporting: per-publication counts, the
latest snapshot of each publication, totals by kind, distinct people), and the baseline
``SELECT kind, count(*) FROM interactions GROUP BY kind`` — the least any report must read.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from socialbot.storage.db import make_engine, upgrade
from socialbot.storage.reporting import interaction_totals, publication_stats

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
PUBS = 300
SNAPSHOTS = 48
KINDS = ("reply", "like", "repost", "quote", "mention")


def fill(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    t = "2026-12-01 09:00:00.000000"
    conn.executemany(
        "INSERT INTO publications (ledger_key, campaign_id, item_id, platform, part, remote_id, url, published_at) "
        "VALUES (?, 'bench', ?, 'x', 0, ?, NULL, ?)",
        [(f"bench/p{i}/x/0", f"p{i}", str(10**12 + i), t) for i in range(PUBS)],
    )
    conn.executemany(
        "INSERT INTO metric_snapshots (platform, remote_id, taken_at, likes, replies, reposts, quotes, impressions) "
        "VALUES ('x', ?, ?, ?, ?, ?, ?, ?)",
        [
            (str(10**12 + i), f"2026-12-{1 + s // 24:02d} {s % 24:02d}:00:00.000000", s, s, s, s, 100 * s)
            for i in range(PUBS)
            for s in range(SNAPSHOTS)
        ],
    )
    step = 200_000
    for start in range(0, N, step):
        conn.executemany(
            "INSERT INTO interactions (platform, remote_id, kind, campaign_id, target_id, parent_id, author_id, "
            "created_at, collected_at) VALUES ('x', ?, ?, 'bench', ?, ?, ?, ?, ?)",
            [
                (str(10**15 + i), KINDS[i % 5], str(10**12 + i % PUBS), str(10**12 + i % PUBS), str(i % 20_000), t, t)
                for i in range(start, min(N, start + step))
            ],
        )
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def median_time(fn) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.db"
        started = time.perf_counter()
        fill(path)
        print(f"filled {N:,} interactions in {time.perf_counter() - started:.1f} s")
        engine = make_engine(f"sqlite:///{path}")

        def report() -> None:
            publication_stats(engine, campaign_id="bench")
            interaction_totals(engine, campaign_id="bench")

        conn = sqlite3.connect(path)

        def baseline() -> None:
            conn.execute("SELECT kind, count(*) FROM interactions GROUP BY kind").fetchall()

        report()  # warm the cache for both
        baseline()
        ours, plain = median_time(report), median_time(baseline)
        conn.close()
        engine.dispose()
        print(f"report queries {ours:.2f} s | plain GROUP BY {plain:.2f} s | ratio {ours / plain:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
