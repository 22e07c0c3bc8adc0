"""Prints how long `socialbot validate` takes on each hostile campaign file (target: under 2 s each, exit 2),
beside a valid campaign and the bare interpreter's start-up, measured in the same run.

Run: .venv/bin/python bench/hostile_files.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialbot.spec.yamlsource import MAX_FILE_BYTES  # noqa: E402
from tests.spec.test_hostile_files import GOOD, HEADER, HOSTILE  # noqa: E402


def just_under_the_limit() -> str:
    lines, size, n = [], len(HEADER) + 6, 0
    while size < MAX_FILE_BYTES - 200:
        line = f"  k{n}: [a, b, c, {{d: e, f: g}}]\n"
        lines.append(line)
        size += len(line)
        n += 1
    return HEADER + "junk:\n" + "".join(lines)


def timed(args: list[str], runs: int = 3) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        code = subprocess.run(args, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - started)
    return statistics.median(times), code


def main() -> None:
    cli = [str(ROOT / ".venv" / "bin" / "socialbot"), "validate"]
    with tempfile.TemporaryDirectory() as tmp:
        files = {"valid campaign (baseline)": GOOD, "just under the size limit": just_under_the_limit()}
        files |= {name.replace("_", " "): body for name, (body, _reason) in sorted(HOSTILE.items())}
        bare, _ = timed([sys.executable, "-c", "pass"])
        print(f"bare python start-up: {bare * 1000:.0f} ms")
        worst = 0.0
        for name, body in files.items():
            path = Path(tmp) / "c.yaml"
            path.write_text(body, encoding="utf-8")
            seconds, code = timed([*cli, str(path)])
            worst = max(worst, seconds) if name != "valid campaign (baseline)" else worst
            print(f"{name:28} {seconds:6.2f} s  exit {code}")
        print(f"slowest hostile file: {worst:.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
