"""Startup: from process start to the Today screen showing its data, and the RSS then.

    python bench/startup.py [--runs 5]

Builds a synthetic database (10,000 people, 50,000 entries, 2,000 posts, 20,000 touchpoints),
then starts a fresh Python process per run that runs the real entry point (`planner --db URL`:
Typer, settings, the TUI) headless and stops as soon as Today has rendered its agenda. The parent measures wall time
from spawn to that moment; the child reports its peak RSS. Goal: ≤ 0.4 s and ≤ 150 MB.
For reference the same run times a bare `python -c pass` and `python -c "import textual.app"`.
CPU seconds (user + system of the child) are printed too: on a shared machine wall time
follows the load, CPU time barely does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHILD = r"""
import resource, sys, time, json
from textual.app import App
import planner.tui.app as tui

async def until_ready(pilot):
    app = pilot.app
    while True:
        screen = app.screen
        if getattr(screen, "agenda", None) is not None:
            break
        await pilot.pause(0.005)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"ready": time.time(), "rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
                      "items": len(screen.agenda.items)}), flush=True)
    app.exit()

# the real entry point (`planner --db URL`, Typer and all), only run headless with the probe above
tui.PlannerApp.run = lambda self, **_: App.run(self, headless=True, auto_pilot=until_ready, size=(120, 40))
sys.argv = ["planner", "--db", sys.argv[1]]
from planner.cli import main
main()
"""


CPU_OF_IMPORT = (
    "import resource, json, time, textual.app; u = resource.getrusage(resource.RUSAGE_SELF); "
    "print(json.dumps({'ready': time.time(), 'cpu': u.ru_utime + u.ru_stime}))"
)


def timed(args: list[str]) -> tuple[float, dict]:
    start = time.time()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return time.time() - start, {}
    data = json.loads(lines[-1])
    return data["ready"] - start, data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from synth import build_world

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/big.db"
        built = build_world(url)
        print(f"synthetic world: {built}")
        bare = [timed(["-c", "pass"])[0] for _ in range(args.runs)]
        textual_only = [timed(["-c", "import textual.app"])[0] for _ in range(args.runs)]
        textual_cpu = [timed(["-c", CPU_OF_IMPORT])[1]["cpu"] for _ in range(args.runs)]
        runs = [timed(["-c", CHILD, url]) for _ in range(args.runs + 1)][1:]  # first run warms the OS cache
        times = [t for t, _ in runs]
        rss = [d["rss_mb"] for _, d in runs]
        cpu = [d["cpu"] for _, d in runs]
        print()
        print("| measure | median | min | max |")
        print("|---|---|---|---|")
        print(f"| python -c pass | {statistics.median(bare):.3f} s | {min(bare):.3f} s | {max(bare):.3f} s |")
        print(
            f"| import textual.app | {statistics.median(textual_only):.3f} s | {min(textual_only):.3f} s | {max(textual_only):.3f} s |"
        )
        print(f"| start → Today ready | {statistics.median(times):.3f} s | {min(times):.3f} s | {max(times):.3f} s |")
        print(
            f"| CPU s of import textual.app | {statistics.median(textual_cpu):.3f} s | {min(textual_cpu):.3f} s | {max(textual_cpu):.3f} s |"
        )
        print(f"| CPU s, start → Today ready | {statistics.median(cpu):.3f} s | {min(cpu):.3f} s | {max(cpu):.3f} s |")
        print(f"| peak RSS at ready | {statistics.median(rss):.0f} MB | {min(rss):.0f} MB | {max(rss):.0f} MB |")
        print(f"\nToday showed {runs[0][1]['items']} due items. Goal: ≤ 0.4 s, ≤ 150 MB.")


if __name__ == "__main__":
    main()
