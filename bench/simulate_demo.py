"""Prints how long simulations take: ``socialbot simulate campaigns/demo.yaml`` as a user types it (wall
time of the whole command, target < 3 s, beside a bare interpreter's start on the same machine), a
two-week campaign of ~100 posts (target < 15 s), and 20 demo-sized campaigns rehearsed together
(target < 45 s), with peak memory.

    .venv/bin/python bench/simulate_demo.py           # all of them
    .venv/bin/python bench/simulate_demo.py --quick   # without the 20 campaigns

The commands run with Python's bytecode cache on, as an installed socialbot does (an environment with
PYTHONDONTWRITEBYTECODE set recompiles socialbot on every command, ~0.4 s more).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from socialbot.run.simulate import simulate
from socialbot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

HUNDRED_POSTS = """
campaign:
  id: bench-hundred
  name: Two weeks, about a hundred posts
  timezone: Europe/Madrid
  starts: 2026-12-01
  ends: 2026-12-14
  platforms: [sandbox]
  hashtags: ["#BenchWeek"]
posts:
  - id: morning
    text: "Morning post {{ occurrence }} on {{ date }} #BenchWeek"
    schedule: {every: 1d, starting: "2026-12-01 08:30"}
  - id: late-morning
    text: "Late-morning question {{ occurrence }}: what are you working on?"
    schedule: {every: 1d, starting: "2026-12-01 11:00"}
  - id: lunch
    text: "Lunch poll {{ occurrence }} on {{ weekday }}: soup or salad?"
    schedule: {every: 1d, starting: "2026-12-01 13:30"}
  - id: afternoon
    text: "Afternoon tip {{ occurrence }}: take a short walk."
    schedule: {every: 1d, starting: "2026-12-01 16:00"}
  - id: evening
    text: "Evening recap {{ occurrence }} for {{ date }}"
    schedule: {every: 1d, starting: "2026-12-01 19:00"}
  - id: night
    text: "Night owl thread {{ occurrence }}"
    schedule: {every: 1d, starting: "2026-12-01 21:30"}
  - id: launch
    thread: ["Launch {{ occurrence }} 1/4", "Launch {{ occurrence }} 2/4", "Launch {{ occurrence }} 3/4", "Launch {{ occurrence }} 4/4"]
    schedule: {at: ["2026-12-04 10:00", "2026-12-11 10:00"]}
"""


def run(path: Path | list[Path], db: Path) -> tuple[float, object]:
    settings = Settings(database_url=f"sqlite:///{db}", _env_file=None)
    start = time.perf_counter()
    app, result = simulate(settings, path if isinstance(path, list) else [path])
    elapsed = time.perf_counter() - start
    app.close()
    return elapsed, result


def wall(command: list[str], *, repeat: int = 3, before=lambda: None) -> float:
    """The best of ``repeat`` wall times of a command (the machines are shared: the least disturbed run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("SOCIALBOT_")}
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def demo_command(tmp: Path) -> None:
    db = tmp / "cli.db"

    def fresh() -> None:
        for path in tmp.glob("cli.db*"):
            path.unlink()

    cli = wall([sys.executable, "-m", "socialbot", "simulate", "campaigns/demo.yaml", "--db", str(db)], before=fresh)
    bare = wall([sys.executable, "-c", "pass"])
    print(
        f"socialbot simulate campaigns/demo.yaml: {cli:.2f} s wall, best of 3 (target < 3 s); "
        f"a bare interpreter starts in {bare:.2f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        demo_command(tmp)
        demo_time, demo = run(ROOT / "campaigns" / "demo.yaml", tmp / "demo.db")
        hundred_file = tmp / "hundred.yaml"
        hundred_file.write_text(textwrap.dedent(HUNDRED_POSTS))
        big_time, big = run(hundred_file, tmp / "hundred.db")
        print(f"demo campaign in-process: {demo.sent} posts, {demo.interactions:,} interactions in {demo_time:.1f} s")
        print(
            f"~100-post campaign: {big.sent} posts, {big.interactions:,} interactions simulated in {big_time:.1f} s "
            "(target < 15 s)"
        )
        if "--quick" in sys.argv:
            return
        copies = twenty_campaigns(tmp / "twenty")
        many_time, many = run(copies, tmp / "twenty.db")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"20 demo-sized campaigns together: {many.sent} posts, {many.interactions:,} interactions in "
            f"{many_time:.1f} s (target < 45 s); peak memory of this process {peak:.0f} MiB"
        )


def twenty_campaigns(folder: Path) -> list[Path]:
    """20 copies of the demo under their own ids, each text marked with its number (one account would
    refuse the same text twice, as X does)."""
    folder.mkdir()
    shutil.copytree(ROOT / "campaigns" / "faq", folder / "faq")  # the demo's Q&A knowledge base, beside it
    demo = (ROOT / "campaigns" / "demo.yaml").read_text(encoding="utf-8")
    paths = []
    for n in range(1, 21):
        text = demo.replace("  id: demo-winter-launch", f"  id: demo-{n:02d}", 1)
        text = text.replace('text: "', f'text: "[{n:02d}] ').replace('- "', f'- "[{n:02d}] ')
        for key in ("question", "opening", "announce_results", "summary"):  # the polls' and Q&A's own posts
            text = text.replace(f'{key}: "', f'{key}: "[{n:02d}] ')
        path = folder / f"demo-{n:02d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    main()
