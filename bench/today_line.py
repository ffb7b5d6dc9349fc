"""`planner today --line` (what a tmux status bar runs every few seconds) beside `planner --help`.

    python bench/today_line.py [--runs 11]

Builds the synthetic world of bench/startup.py (10,000 people, 2,000 posts, 20,000 touchpoints),
then times fresh processes of the real console entry point, alternating: `planner --help` (Typer
and the CLI's modules, no database), `planner today --line` and `planner today --json` on the
world. The ratio against `--help` in the same run is the figure to keep: it shows what reading
Today costs on top of starting the CLI at all. CPU seconds (user + system of the child) too.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def run(args: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    from synth import build_world

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/big.db"
        print(f"synthetic world: {build_world(url)}")
        commands = {
            "planner --help": ["--help"],
            "planner today --line": ["--db", url, "today", "--line"],
            "planner today --json": ["--db", url, "today", "--json"],
        }
        for argv in commands.values():
            run(argv)  # warm the OS cache
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        line = ""
        for _ in range(args.runs):
            for name, argv in commands.items():  # interleaved: a load spike hits all three alike
                wall, cpu, out = run(argv)
                results[name].append((wall, cpu))
                if name.endswith("--line"):
                    line = out.strip()
        base = statistics.median(w for w, _ in results["planner --help"])
        base_cpu = statistics.median(c for _, c in results["planner --help"])
        print(f"\n`today --line` printed: {line!r} ({len(line)} characters)\n")
        print("| command | median | min | max | CPU s (median) | × `--help` (wall) | × `--help` (CPU) |")
        print("|---|---|---|---|---|---|---|")
        for name, rows in results.items():
            walls = [w for w, _ in rows]
            med, cpu = statistics.median(walls), statistics.median(c for _, c in rows)
            print(
                f"| `{name}` | {med:.3f} s | {min(walls):.3f} s | {max(walls):.3f} s | "
                f"{cpu:.3f} s | {med / base:.2f}× | {cpu / base_cpu:.2f}× |"
            )


if __name__ == "__main__":
    main()
