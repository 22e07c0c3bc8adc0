"""Prints the resident memory of an idle daemon (`socialbot run --sandbox`) with 50 campaigns loaded."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CAMPAIGNS = 50
TEMPLATE = """
campaign:
  id: idle-{n:02d}
  name: Idle campaign {n}
  timezone: Europe/Madrid
  starts: 2027-01-01
  ends: 2027-01-31
  platforms: [sandbox]
posts:
  - id: daily
    text: "Daily post {{{{ occurrence }}}} of campaign {n}"
    schedule: {{every: 1d, starting: "2027-01-01 09:00"}}
  - id: weekly
    thread: ["Weekly thread {{{{ occurrence }}}} part 1 ({n})", "Weekly thread {{{{ occurrence }}}} part 2 ({n})"]
    schedule: {{cron: "0 18 * * 5"}}
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cdir = tmp / "campaigns"
        cdir.mkdir()
        for n in range(CAMPAIGNS):
            (cdir / f"idle-{n:02d}.yaml").write_text(TEMPLATE.format(n=n))
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALBOT_")}
        env.update(SOCIALBOT_CAMPAIGNS_DIR=str(cdir), SOCIALBOT_LOG_LEVEL="WARNING")
        proc = subprocess.Popen(
            [sys.executable, "-m", "socialbot", "run", "--sandbox", "--db", str(tmp / "idle.db")],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            samples = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                time.sleep(1)
                if proc.poll() is not None:
                    raise SystemExit(f"daemon exited early: {proc.stderr.read()}")
                samples.append(rss_kib(proc.pid))
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        with sqlite3.connect(tmp / "idle.db") as db:
            planned = db.execute("SELECT count(*) FROM ledger WHERE status = 'planned'").fetchone()[0]
    settled = samples[-5:]
    print(
        f"idle daemon with {CAMPAIGNS} campaigns ({planned} planned posts in the ledger): resident memory {max(settled) / 1024:.1f} MiB"
    )
    print(
        f"  samples over the last 5 s (MiB): {', '.join(f'{s / 1024:.1f}' for s in settled)}; exit status {proc.returncode}"
    )


if __name__ == "__main__":
    main()
