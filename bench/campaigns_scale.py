"""Prints what campaign files cost at scale: daemon start-up, a rescan after one edit, and `socialbot status`.

    python bench/campaigns_scale.py [N]          (default 500 campaigns)

N copies of campaigns/demo.yaml (distinct ids and names, sandbox platform: no credentials) are
written into a temporary directory. Each figure is printed beside a baseline from the same run:

- daemon start-up (``Daemon.start``: migrate, lock, load and sync every campaign, settle what
  was in flight) on a fresh database, then a restart over the same database with no file
  changed — wall time, beside the same with 1 campaign;
- one rescan after one file was edited (its evening text), in CPU time (``time.process_time``),
  beside the same with 1 campaign, and a rescan with nothing changed;
- `socialbot status` as a subprocess (median of several runs) over the N-campaign database and
  over the 1-campaign one, beside ``python -c pass``, ``python -c "import sqlite3"`` (what status
  reads a SQLite file with), ``python -c "import socialbot.cli"`` and the import of the ORM layer
  (SQLModel) that commands other than status pay.
"""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from socialbot.app import App
from socialbot.domain.clock import VirtualClock
from socialbot.run.daemon import Daemon
from socialbot.settings import Settings

STATUS_RUNS = 5
DEMO = Path(__file__).resolve().parents[1] / "campaigns" / "demo.yaml"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # before the demo starts: every post is planned
EDITED_FROM = "What should we make next?"


def write_campaigns(directory: Path, count: int) -> list[Path]:
    demo = DEMO.read_text(encoding="utf-8")
    if not (directory / "faq").exists():
        shutil.copytree(DEMO.parent / "faq", directory / "faq")  # the demo's Q&A knowledge base, beside it
    files = []
    for n in range(count):
        text = demo.replace("id: demo-winter-launch", f"id: scale-{n:04d}").replace(
            "name: Winter Launch (demo)", f"name: Scale campaign {n}"
        )
        path = directory / f"scale-{n:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


@dataclass
class Figures:
    start_wall: float
    start_cpu: float
    restart_wall: float
    restart_cpu: float
    edit_cpu: float
    edit_wall: float
    idle_cpu: float
    db: Path


def timed(func: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def daemon_for(settings: Settings, cdir: Path) -> Daemon:
    app = App(settings, sandbox=True, clock=VirtualClock(NOW), sleep=lambda _s: None)
    return Daemon(settings, sandbox=True, paths=[cdir], app=app)


def measure(root: Path, count: int) -> Figures:
    cdir = root / f"campaigns-{count}"
    cdir.mkdir()
    files = write_campaigns(cdir, count)
    db = root / f"scale-{count}.db"
    settings = Settings(database_url=f"sqlite:///{db}", campaigns_dir=cdir, _env_file=None)
    daemon = daemon_for(settings, cdir)
    start_wall, start_cpu = timed(daemon.start)
    if len(daemon.app.campaigns) != count:
        raise SystemExit(f"only {len(daemon.app.campaigns)} of {count} campaigns loaded")
    daemon.close()
    restarted = daemon_for(settings, cdir)
    restart_wall, restart_cpu = timed(restarted.start)
    edited = files[len(files) // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace(EDITED_FROM, "What should we make after that?"))
    edit_wall, edit_cpu = timed(lambda: restarted.load_and_sync(now=NOW))
    _idle_wall, idle_cpu = timed(lambda: restarted.load_and_sync(now=NOW))
    restarted.close()
    return Figures(start_wall, start_cpu, restart_wall, restart_cpu, edit_cpu, edit_wall, idle_cpu, db)


def median_wall(command: list[str], *, env: dict[str, str], cwd: Path) -> float:
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=cwd)  # warm the file cache
    times = []
    for _ in range(STATUS_RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    logging.basicConfig(level=logging.ERROR)  # the daemon's info lines are not what is measured
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        many = measure(root, n)
        one = measure(root, 1)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
        status = [sys.executable, "-m", "socialbot", "status", "--db"]
        status_many = median_wall([*status, str(many.db)], env=env, cwd=root)
        status_one = median_wall([*status, str(one.db)], env=env, cwd=root)
        bare = median_wall([sys.executable, "-c", "pass"], env=env, cwd=root)
        stdlib_sqlite = median_wall([sys.executable, "-c", "import sqlite3"], env=env, cwd=root)
        cli = median_wall([sys.executable, "-c", "import socialbot.cli"], env=env, cwd=root)
        orm = median_wall([sys.executable, "-c", "import socialbot.cli, sqlmodel"], env=env, cwd=root)
    print(f"campaign files at scale: {n} copies of campaigns/demo.yaml (sandbox)")
    print(
        f"daemon start-up, fresh database:    {ms(many.start_wall)} wall ({ms(many.start_cpu)} CPU)"
        f"   | 1 campaign: {ms(one.start_wall)} wall   (target < 5 s)"
    )
    print(
        f"daemon restart, files unchanged:    {ms(many.restart_wall)} wall ({ms(many.restart_cpu)} CPU)"
        f"   | 1 campaign: {ms(one.restart_wall)} wall"
    )
    print(
        f"rescan after editing one file:      {ms(many.edit_cpu)} CPU ({ms(many.edit_wall)} wall)"
        f"   | 1 campaign: {ms(one.edit_cpu)} CPU   (target < 100 ms)"
    )
    print(f"rescan with nothing changed:        {ms(many.idle_cpu)} CPU   | 1 campaign: {ms(one.idle_cpu)} CPU")
    print(f"socialbot status, {n} campaigns:    {ms(status_many)} wall (median of {STATUS_RUNS})   (target < 1 s)")
    print(f"socialbot status, 1 campaign:       {ms(status_one)} wall   (target < 0.4 s)")
    print(
        f"  baselines: python -c pass {ms(bare)}; python -c 'import sqlite3' {ms(stdlib_sqlite)};"
        f" python -c 'import socialbot.cli' {ms(cli)}"
    )
    print(f"  the ORM layer status no longer imports: python -c 'import socialbot.cli, sqlmodel' {ms(orm)}")


if __name__ == "__main__":
    main()
