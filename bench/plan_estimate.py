"""Prints the wall time of `socialbot plan` on a 10,000-occurrence campaign beside `socialbot validate` of the same file.

    python bench/plan_estimate.py [N] [RUNS]     (default 10,000 occurrences, median of 3 runs)

One campaign file is written into a temporary directory: a post every 30 minutes on X and Reddit
with hashtags and both X budget caps, N occurrences (the planner's most for one post is 10,000).
Its texts are plain (no template markers): 2 × 10,000 renders would exceed the file's render
budget (socialbot.domain.render.FILE_SECONDS) and `validate` would refuse the file.
Both commands run as subprocesses of this venv's socialbot from that directory (no .env, no
SOCIALBOT_ variables); `plan` shows the first 14 days as a table (its default format).
`validate` loads, expands and checks the whole file, so it is the least `plan` must do; the
issue's target is `plan` within 2× of it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
START = "2027-01-04"

CAMPAIGN = """\
campaign:
  id: plan-estimate-bench
  name: Plan estimate bench
  timezone: Europe/Madrid
  starts: {start}
  ends: {ends}
  platforms: [x, reddit]
  hashtags: ["#BenchDrop", "#BenchTwo"]
  x: {{max_reads_per_day: 5000, max_posts_per_day: 40}}

posts:
  - id: half-hourly
    variants:
      - "Half-hourly update: the drop is on, come and see. #BenchDrop"
      - "Another half hour, another note: thanks for following along. #BenchTwo"
    schedule:
      every: 30m
      starting: "{start} 00:00"
      count: {count}
    reddit: {{subreddit: benchtest}}
"""


def socialbot() -> list[str]:
    script = Path(sys.executable).with_name("socialbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "socialbot"]


def median_wall(command: list[str], *, env: dict[str, str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return statistics.median(times)


def main() -> None:
    ends = date.fromisoformat(START) + timedelta(days=-(-N // 48) + 1)  # 48 half-hours a day, and one to spare
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "bench.yaml"
        path.write_text(CAMPAIGN.format(start=START, ends=ends.isoformat(), count=N), encoding="utf-8")
        bot = socialbot()
        validate = [*bot, "validate", str(path)]
        plan = [*bot, "plan", str(path), "--from", START, "--days", "14"]
        median_wall([*bot, "--help"], env=env, cwd=root)  # warm the file cache
        checked = median_wall(validate, env=env, cwd=root)
        planned = median_wall(plan, env=env, cwd=root)
    print(f"campaign: 1 post every 30m on x and reddit, {N:,} occurrences ({2 * N:,} planned actions)")
    print(f"socialbot validate: {checked:.2f} s wall (median of {RUNS})   <- baseline")
    print(f"socialbot plan:     {planned:.2f} s wall (median of {RUNS})")
    print(f"ratio plan/validate {planned / checked:.2f} (target: plan within 2x of validate, <= 2)")


if __name__ == "__main__":
    main()
