"""Interactive ML: cold `planner lint` and `keywords for` against `planner --help`, and the TUI's
memory with the model loaded, all in one run.

    .venv/bin/python bench/interactive.py            # 7 rounds
    .venv/bin/python bench/interactive.py --rounds 3

Each round starts fresh processes in turn (interleaved, so load from other processes on a
shared machine falls on all alike): `planner --help`, `planner lint TEXT` (semantic check on),
`planner keywords for` one 300-word text (a new data folder each time: a cold phrase cache).
Wall time, CPU seconds and peak RSS come from os.wait4 (what /usr/bin/time -v reports). The
ONNX graph is the one in the user cache folder (`make setup` builds it; PLANNER_CACHE_DIR
overrides). Then one child runs the TUI headless on the demo world with background
extraction on (the model loaded), opens a draft in the editor and waits for its semantic pitch
check, and reports its peak and final RSS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PITCH = "Hi Sam, great to connect! I'd love to show you how our platform cuts cloud costs, open to a quick call?"

TUI_CHILD = r"""
import asyncio, resource, sys
from planner.config import load_settings
from planner.demo import build_demo
from planner.store import open_store
from planner.tui.app import make_app

settings = load_settings(db=sys.argv[1])
store = open_store(settings.db_url)
build_demo(settings, store)
store.dispose()
HEAVY = ("torch", "transformers", "sentence_transformers", "keybert")

async def main():
    settings = load_settings(db=sys.argv[1])
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(600):  # the background pass: keywords for the demo's entries, people's interests
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if app.keyword_progress is None and app.screen.__class__.__name__ == "TodayScreen":
                break
        await pilot.press("3")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        row = next(n for n, p in enumerate(screen.rows) if p.status == "idea")
        screen.query_one("#posts-table").move_cursor(row=row)
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if getattr(app.screen, "context", None) is not None:
                break
        editor = app.screen
        text = "Greetings! I'd like to offer you a no-obligation review of your Kubernetes clusters by our certified engineers."
        editor.query_one("#editor-body").load_text(text)
        for _ in range(600):
            await pilot.pause(0.05)
            if editor.semantic is not None and editor.semantic[0] == text:
                break
        await app.workers.wait_for_complete()
        rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        heavy = ",".join(m for m in HEAVY if m in sys.modules) or "none"
        print(f"RESULT {rss} {peak} {editor.semantic[1].probability:.2f} {heavy}")

asyncio.run(main())
"""


def three_hundred_words() -> str:
    inspec = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.exists()), None)
    path = inspec / "data" / "inspec" / "validation.jsonl" if inspec else None
    if path and path.exists():
        import json

        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:6] if line]
        words = " ".join(f"{r['title']}. {r['abstract']}" for r in rows).split()
    else:
        words = (ROOT / "README.md").read_text(encoding="utf-8").split()
    return " ".join(words[:300])


def run(cmd: list[str], env: dict) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode() if child.stderr else ""
    if child.returncode not in (0, 1) or "Traceback" in err:
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {err[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-tui", action="store_true")
    args = parser.parse_args()
    planner = [sys.executable, "-m", "planner"]
    text = three_hundred_words()
    commands = {
        "planner --help": [*planner, "--help"],
        "planner lint TEXT": [*planner, "lint", PITCH],
        "planner keywords for (300 words)": [*planner, "keywords", "for", text],
    }
    figures: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp:
        base = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PLANNER_CONFIG": f"{tmp}/config.toml",
            "PLANNER_DB": f"sqlite:///{tmp}/planner.db",
        }
        run([*planner, "lint", PITCH], {**base, "XDG_DATA_HOME": f"{tmp}/warm"})  # the graph and pitch cache exist
        for r in range(args.rounds):
            for name, cmd in commands.items():
                figures[name].append(run(cmd, {**base, "XDG_DATA_HOME": f"{tmp}/data-{r}-{len(name)}"}))
        help_wall = statistics.median(w for w, *_ in figures["planner --help"])
        help_cpu = statistics.median(c for _, c, *_ in figures["planner --help"])
        print(f"\n{args.rounds} rounds, interleaved; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}\n")
        print(
            "| command (cold process) | wall, median (min–max) | × --help (wall) | CPU s, median | × --help (CPU) | peak RSS |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, rows in figures.items():
            walls = [w for w, *_ in rows]
            cpus = [c for _, c, *_ in rows]
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            print(
                f"| `{name}` | {wall:.2f} s ({min(walls):.2f}–{max(walls):.2f}) | {wall / help_wall:.1f} | "
                f"{cpu:.2f} | {cpu / help_cpu:.1f} | {max(r[2] for r in rows)} MB |"
            )
        if args.skip_tui:
            return
        out = subprocess.run(
            [sys.executable, "-c", TUI_CHILD, f"sqlite:///{tmp}/demo.db"],
            check=False,
            capture_output=True,
            text=True,
            env={**base, "XDG_DATA_HOME": f"{tmp}/tui"},
            cwd=ROOT,
            timeout=900,
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
        if line is None:
            raise SystemExit(f"TUI child failed: {out.stderr[-1500:]}")
        _, rss, peak, p, heavy = line.split()
        print(
            f"\nTUI on the demo world, background extraction done and one semantic pitch check (p = {p}): "
            f"RSS {int(rss) // 1024} MB, peak {int(peak) // 1024} MB; heavy ML modules loaded: {heavy}"
        )


if __name__ == "__main__":
    main()
