"""Start-up time of the command line: ``agglomap --help`` against every ``agglomap COMMAND --help``.

Each command runs as its own process (a fresh interpreter, as a user types it), ``--runs``
times after one warm-up; the median CPU time (user + system, from the OS's accounting of
the finished child) and wall time are reported, with each command's CPU ratio to
``agglomap --help`` (CPU time holds on a loaded machine, where wall time does not).
The target is every ratio at most 2 (heavy libraries load when the work starts, not when
the parser is built).

    python benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime


def commands() -> list[str]:
    from agglomap.cli import build_parser

    parser = build_parser(commands=())
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(argv: list[str], runs: int) -> tuple[float, float]:
    """Median CPU and wall seconds of ``python -m agglomap ARGV``."""
    cmd = [sys.executable, "-m", "agglomap", *argv]
    subprocess.run(cmd, capture_output=True, check=True)  # warm-up (file cache)
    cpu, wall = [], []
    for _ in range(runs):
        c0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        wall.append(time.perf_counter() - t0)
        cpu.append(_children_cpu() - c0)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start {load:.2f}\n"
    )
    base, base_wall = median_seconds(["--help"], args.runs)
    print("| command | median CPU time | median wall time | CPU ratio to `agglomap --help` |")
    print("|---|---|---|---|")
    print(f"| `agglomap --help` | {base:.3f} s | {base_wall:.3f} s | 1.00 |")
    worst = 0.0
    for name in commands():
        cpu, wall = median_seconds([name, "--help"], args.runs)
        worst = max(worst, cpu / base)
        print(f"| `agglomap {name} --help` | {cpu:.3f} s | {wall:.3f} s | {cpu / base:.2f} |")
    print(f"\nSlowest COMMAND --help: {worst:.2f}× `agglomap --help` in CPU time (target: ≤ 2×).")


if __name__ == "__main__":
    main()
