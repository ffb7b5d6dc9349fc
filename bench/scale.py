"""Scale: every screen, paging and every listing command on a big synthetic world.

    python bench/scale.py [--runs 3] [--db /tmp/scale.db] [--out docs/BENCHMARKS-scale.md]

Builds (or reuses, with --db pointing at an existing file) a world of 10,000 people, 200 feeds,
100,000 entries, 5,000 posts and 50,000 touchpoints (bench/synth.py), then measures:

* screens: a child process runs the TUI headless (Pilot) and times, for every section the app
  registers, ``switch_mode`` → its load workers complete and the data is on screen; first open
  and re-open (median of --runs). Goal ≤ 0.4 s. The first opens come after start-up has settled:
  Today drawn, then the store opened and each section's first view read in the background
  (tui.app's prefetch and read cache). Discover and Review draw in two parts; for them the
  time to the first frame painted with the main part (Discover's entries, Review's step 1) is
  given too, before the time to everything (the trends panel; steps 2-4).
* a key pressed as Today appears: a fresh process per section switches to it right after the
  first frame, before the background prefetch and before the section's modules and the ORM are
  imported (0.3 s, once per process). The same on a small world (the demo's size) separates what
  is start-up from what is scale.
* paging: Discover and Network load the next page (offset 200) and a deep page (offset 20,000
  and 5,000). Goal ≤ 0.4 s.
* commands: every ``list`` sub-command the CLI has (its table and ``--json``), plus ``stats`` and
  other read-only reports with ``--json``, as subprocesses (median of --runs, wall time from spawn
  to exit, output to a pipe). Goal ≤ 1 s.
* memory: peak RSS of the TUI child and of each command (os.wait4).

Prints a Markdown table and writes it to --out. Keyword extraction is off (auto_extract = false):
this is about reading a big store, not about the model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SCREEN_GOAL = 0.4
MAIN_PART = {"discover": "entries", "review": "step 1"}  # what the two-part screens draw first
COMMAND_GOAL = 1.0
WORLD = dict(people=10_000, feeds=200, entries=100_000, posts=5_000, touchpoints=50_000)

SMALL_WORLD = dict(people=40, feeds=6, entries=80, posts=14, touchpoints=36)  # the demo's size

CHILD = r"""
import asyncio, json, resource, sys, time
from datetime import datetime, timezone
from planner.config import load_settings
from planner.tui.app import make_app
from textual.screen import Screen

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
settings = load_settings(db=sys.argv[1], config=sys.argv[2])
runs = int(sys.argv[3])
early = sys.argv[4] if len(sys.argv) > 4 else None  # a section to open right at start-up, then exit
out = {"screens": {}, "paging": {}, "errors": []}
# the sections drawn in two parts: when their main part is there
MAIN_PART = {"discover": lambda s: s.query_one("#discover-entries").row_count > 0,
             "review": lambda s: s.last is not None}
painted = []  # (when, whether the main part was on the screen) for each frame painted
_paint = Screen._compositor_refresh
def paint(self):
    _paint(self)
    ready = MAIN_PART.get(getattr(self.app, "current_mode", None))
    try:
        there = ready is not None and ready(self)
    except Exception:  # not composed yet
        there = False
    painted.append((time.perf_counter(), there))
Screen._compositor_refresh = paint

def rss_now():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()

async def opened(app, pilot, mode):
    # seconds to the first frame painted with the main part (None: drawn in one part), and to settled
    t = time.perf_counter()
    app.switch_mode(mode)
    main = None
    while mode in MAIN_PART and main is None:
        await asyncio.sleep(0.002)
        main = next((when - t for when, there in painted if when >= t and there), None)
    await settle(app, pilot)
    return main, time.perf_counter() - t

async def open_early(mode):
    app = make_app(settings, clock=lambda: NOW)
    async with app.run_test(size=(160, 50)) as pilot:
        main, full = await opened(app, pilot, mode)
        out["early"] = {"main": main, "all": full}
        app.exit()

async def timed_page(app, pilot, screen, offset):
    t = time.perf_counter()
    screen.load_page(offset)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return time.perf_counter() - t

async def main():
    app = make_app(settings, clock=lambda: NOW)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        sections = [s.mode for s in app.sections]
        for mode in sections:  # first open: screen built, data loaded
            main, full = await opened(app, pilot, mode)
            out["screens"][mode] = {"first": full, "first_main": main, "again": [], "again_main": []}
        for _ in range(runs):  # re-open: what a person sees switching sections during the day
            for mode in sections:
                main, full = await opened(app, pilot, mode)
                out["screens"][mode]["again"].append(full)
                out["screens"][mode]["again_main"].append(main)
        for mode, offsets in (("discover", (200, 20_000)), ("network", (200, 5_000))):
            if mode not in sections:
                continue
            app.switch_mode(mode)
            await settle(app, pilot)
            screen = app.screen
            if not hasattr(screen, "load_page"):
                continue
            for offset in offsets:  # once each: a page appended twice would repeat row keys
                # pretend the rows before `offset` are loaded, as after scrolling down to there
                screen.rows = list(screen.rows[:offset]) + [None] * max(0, offset - len(screen.rows))
                if mode == "discover":  # keyset paging continues from the last row shown: a real one
                    from planner.services.entries import list_entries
                    screen.rows[offset - 1] = app.store.call(list_entries, limit=1, offset=offset - 1)[0]
                out["paging"][f"{mode} page at offset {offset:,}"] = [await timed_page(app, pilot, screen, offset)]
        out["errors"] = [n.message for n in app._notifications if n.severity == "error"]
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if "discover" in sections:  # scrolling far: every row scrolled past stays in the table
            app.switch_mode("discover")
            screen = app.screen
            screen.reload_entries()
            await settle(app, pilot)
            before = rss_now()
            while len(screen.rows) < 10_000 and not screen.exhausted:
                screen.load_page(len(screen.rows))
                await settle(app, pilot)
            out["scroll"] = {"rows": len(screen.rows), "mb": rss_now() - before}
        app.exit()

asyncio.run(open_early(early) if early else main())
print(json.dumps(out))
"""


def run_child(url: str, config: Path, runs: int, early: str | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(config), str(runs), *([early] if early else [])],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-4000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed_command(args: list[str], env: dict) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB) and exit code of one `planner …` subprocess: its own peak, from
    wait4 (RUSAGE_CHILDREN would be the largest child so far, the TUI children included)."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    proc.stdout.read()
    reader.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, b"".join(err).decode(errors="replace")[-300:]


def listing_commands(env: dict) -> list[list[str]]:
    """`stats`, every `<group> list` the CLI has (as a table and with --json), and read-only
    reports with --json."""

    def helptext(*args):
        return subprocess.run(
            [sys.executable, "-m", "planner", *args, "--help"], cwd=ROOT, env=env, capture_output=True, text=True
        ).stdout

    commands: list[list[str]] = [["stats", "--json"]]
    top = helptext()
    groups = []
    in_commands = False
    for line in top.splitlines():
        if line.strip().startswith("Commands:"):
            in_commands = True
            continue
        if in_commands and line.startswith("  ") and not line.startswith("    "):
            groups.append(line.split()[0])
    for group in groups:
        text = helptext(group)
        subs = (
            [
                line.split()[0]
                for line in text.split("Commands:", 1)[-1].splitlines()
                if line.startswith("  ") and not line.startswith("    ")
            ]
            if "Commands:" in text
            else []
        )
        for sub in subs:
            if sub in ("list", "due", "trends", "show", "week", "ledger", "cold", "suggest"):
                args = [group, sub]
                if (
                    "Missing argument"
                    in subprocess.run(
                        [sys.executable, "-m", "planner", group, sub], cwd=ROOT, env=env, capture_output=True, text=True
                    ).stderr
                ):
                    args.append("1")  # e.g. `people show 1`
                if "--json" in helptext(group, sub):
                    if sub == "list":  # what a person at a terminal gets: the table
                        commands.append(list(args))
                    args.append("--json")
                commands.append(args)
        if not subs and group in ("review",) and "--json" in text:
            commands.append([group, "--json"])
    return commands


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", help="SQLite file to (re)use; built if missing")
    ap.add_argument("--out", default=str(ROOT / "docs" / "BENCHMARKS-scale.md"))
    args = ap.parse_args()
    from synth import build_world

    tmp = Path(tempfile.mkdtemp(prefix="planner-scale-"))
    db = Path(args.db) if args.db else tmp / "scale.db"
    url = f"sqlite:///{db.resolve()}"
    if not db.exists():
        print(f"building {WORLD} ...", flush=True)
        print(build_world(url, **WORLD), flush=True)
    small = f"sqlite:///{(tmp / 'small.db').resolve()}"
    build_world(small, **SMALL_WORLD)
    config = tmp / "config.toml"
    config.write_text("[keywords]\nauto_extract = false\n", encoding="utf-8")
    env = {**os.environ, "PLANNER_DB": url, "PLANNER_CONFIG": str(config)}

    rows: list[tuple[str, str, float, float | None, str]] = []  # kind, what, median s, rss, verdict
    # the floor every command pays on this machine: interpreter, then our imports, then a trivial query
    baselines = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import sqlmodel + planner.cli": [sys.executable, "-c", "import sqlmodel, planner.cli"],
    }
    for what, argv in baselines.items():
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, capture_output=True)
            times.append(time.perf_counter() - t)
        rows.append(("baseline", what, statistics.median(times), None, f"{statistics.median(times):.3f} s"))
    child = run_child(url, config, args.runs)
    for mode, t in child["screens"].items():
        again = statistics.median(t["again"])
        shown = f"{t['first']:.3f} / {again:.3f} s"
        if t["first_main"] is not None:
            shown += f" ({MAIN_PART[mode]} {t['first_main']:.3f} / {statistics.median(t['again_main']):.3f})"
        rows.append(("screen", f"{mode} (first open / re-open)", max(t["first"], again), None, shown))
    for mode in list(child["screens"])[1:]:  # Today is what start-up opens (bench/startup.py)
        times = {
            world: [run_child(db_url, config, 1, early=mode)["early"] for _ in range(args.runs)]
            for world, db_url in (("scale", url), ("small", small))
        }
        full = {world: statistics.median(r["all"] for r in runs) for world, runs in times.items()}
        shown = f"{full['scale']:.3f} s (small world {full['small']:.3f})"
        if mode in MAIN_PART:
            main_part = {world: statistics.median(r["main"] for r in runs) for world, runs in times.items()}
            shown += f"; {MAIN_PART[mode]} {main_part['scale']:.3f} (small {main_part['small']:.3f})"
        rows.append(("screen", f"{mode} (key pressed as Today appears)", full["scale"], None, shown))
    for what, times in child["paging"].items():
        rows.append(("paging", what, statistics.median(times), None, f"{statistics.median(times):.3f} s"))
    for command in listing_commands(env):
        results = [timed_command(command, env) for _ in range(args.runs)]
        codes = {r[2] for r in results}
        med = statistics.median(r[0] for r in results)
        note = f"{med:.3f} s" + ("" if codes == {0} else f" (exit {codes}: {results[0][3].strip()})")
        rows.append(("command", "planner " + " ".join(command), med, results[-1][1], note))

    lines = ["| kind | what | median | goal | ok |", "|---|---|---|---|---|"]
    for kind, what, seconds, _rss, shown in rows:
        goal = COMMAND_GOAL if kind in ("command", "baseline") else SCREEN_GOAL
        lines.append(f"| {kind} | {what} | {shown} | ≤ {goal:g} s | {'yes' if seconds <= goal else '**no**'} |")
    cmd_rss = max((r[3] for r in rows if r[3] is not None), default=0)
    lines.append(
        f"| memory | TUI child, all sections opened and paged | {child['rss_mb']:.0f} MB peak RSS | bounded | |"
    )
    if "scroll" in child:
        scroll = child["scroll"]
        lines.append(
            f"| memory | Discover scrolled to {scroll['rows']:,} entries (every row kept in the table) | "
            f"+{scroll['mb']:.0f} MB ({1000 * scroll['mb'] / scroll['rows']:.1f} MB per 1,000 rows) | "
            f"grows with rows scrolled, not with the store | |"
        )
    lines.append(f"| memory | largest listing command | {cmd_rss:.0f} MB peak RSS | bounded | |")
    table = "\n".join(lines)
    load = os.getloadavg()
    header = (
        f"# Scale benchmark\n\n`python bench/scale.py --runs {args.runs}` on a synthetic world "
        f"({', '.join(f'{v:,} {k}' for k, v in WORLD.items())}), SQLite, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} at the end of the run. Screens: switch_mode → load workers done "
        f"(headless Pilot, 160×50), first opens after start-up's background prefetch; in brackets, the "
        f'first frame painted with the main part of a screen drawn in two parts. "Key pressed as '
        f'Today appears": a fresh process per section, imports included, on this world and on a '
        f"small one ({', '.join(f'{v:,} {k}' for k, v in SMALL_WORLD.items())}). Commands: wall "
        f"time of the subprocess, start-up included.\n\n"
    )
    errors = child.get("errors") or []
    text = header + table + ("\n\nErrors shown by the TUI: " + "; ".join(errors) if errors else "") + "\n"
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # the hand-written analysis below the figures survives a re-run
    kept = out.read_text(encoding="utf-8").split("\n## Findings", 1) if out.exists() else []
    if len(kept) == 2:
        text += "\n## Findings" + kept[1]
    out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}; database kept at {db}")


if __name__ == "__main__":
    main()
