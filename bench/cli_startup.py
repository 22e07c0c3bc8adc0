"""Prints the median wall time of `socialbot --help` over several runs (target: under 0.3 s)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def main() -> None:
    command = [sys.executable, "-m", "socialbot", "--help"]
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    baseline = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        baseline.append(time.perf_counter() - start)
    print(f"socialbot --help: median {statistics.median(times) * 1000:.0f} ms over {RUNS} runs (target < 300 ms)")
    print(f"  bare python start-up on this machine: median {statistics.median(baseline) * 1000:.0f} ms")
    print(f"  min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
