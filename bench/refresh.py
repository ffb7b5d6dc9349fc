"""Benchmark: refresh 200 feeds over loopback, ours (planner.adapters.feeds) vs newsboat.

Serves copies of ../shared/data/feeds (cycled to 200 feeds, each copy with its own guids)
from threaded HTTP servers on 127.0.0.2 ... 127.0.0.51 that add 100 ms of latency to every
request and honour ETag / Last-Modified (or, in a second mode, ignore them). Times in the
same run:

* ours, first refresh (cold: includes starting the parse worker processes)
* ours, first refresh parsed in-process (no pool), to show what the pool buys
* ours, second refresh: every feed answers 304
* ours, second refresh against a server that ignores conditional GET (body-hash shortcut)
* `newsboat -x reload` with its default `reload-threads 1` and with `reload-threads 16`
  (skipped with a note when newsboat is not installed: `apt-get install newsboat`)

Prints a Markdown table with ratios. Only loopback addresses are used.

    .venv/bin/python bench/refresh.py [--feeds 200] [--latency 0.1] [--hosts 50]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.adapters.feeds import (  # noqa: E402
    FeedRequest,
    fetch_all_sync,
    shutdown_parse_pool,
)

FEEDS_DIR = ROOT.parent / "shared" / "data" / "feeds"
LAST_MODIFIED = "Wed, 25 Nov 2026 08:00:00 GMT"
_GUID = re.compile(rb"(<guid\b[^>]*>)(.*?)(</guid>)", re.S)
_ID = re.compile(rb"(<id>)(.*?)(</id>)", re.S)


def load_bodies(count: int, distinct_guids: bool) -> list[tuple[bytes, str]]:
    files = sorted(p for p in FEEDS_DIR.iterdir() if p.suffix in (".xml", ".rss", ".atom"))
    bodies = []
    for i in range(count):
        src = files[i % len(files)]
        data = src.read_bytes()
        copy = i // len(files)
        if distinct_guids and copy:
            tag = b"-copy%d" % copy
            data = _GUID.sub(lambda m, tag=tag: m[1] + m[2].strip() + tag + m[3], data)
            data = _ID.sub(lambda m, tag=tag: m[1] + m[2].strip() + tag + m[3], data)
        ctype = "application/atom+xml" if src.suffix == ".atom" else "application/rss+xml"
        bodies.append((data, ctype))
    return bodies


class FeedServer:
    """One ThreadingHTTPServer per loopback address; all share the bodies and the mode."""

    def __init__(self, bodies: list[tuple[bytes, str]], hosts: int, latency: float) -> None:
        self.bodies = bodies
        self.etags = [f'"{hashlib.sha256(b).hexdigest()[:16]}"' for b, _ in bodies]
        self.latency = latency
        self.ignore_conditional = False
        self.requests = 0
        self._lock = threading.Lock()
        self.servers: list[ThreadingHTTPServer] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                with outer._lock:
                    outer.requests += 1
                time.sleep(outer.latency)
                m = re.fullmatch(r"/feed/(\d+)\.xml", self.path)
                if not m or int(m[1]) >= len(outer.bodies):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                i = int(m[1])
                body, ctype = outer.bodies[i]
                etag = outer.etags[i]
                if not outer.ignore_conditional and (
                    self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED
                ):
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if not outer.ignore_conditional:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        for h in range(hosts):
            srv = Server((f"127.0.0.{2 + h}", 0), Handler)
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            self.servers.append(srv)

    def url(self, i: int) -> str:
        host, port = self.servers[i % len(self.servers)].server_address[:2]
        return f"http://{host}:{port}/feed/{i}.xml"

    def close(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()


def time_newsboat(urls: list[str], threads: int | None) -> tuple[float | None, float | None, str]:
    exe = shutil.which("newsboat")
    if not exe:
        return None, None, "newsboat not installed (apt-get install newsboat)"
    with tempfile.TemporaryDirectory(prefix="bench-newsboat-") as tmp:
        urls_file = Path(tmp, "urls")
        urls_file.write_text("\n".join(urls) + "\n")
        config = Path(tmp, "config")
        config.write_text(f"reload-threads {threads}\n" if threads else "")
        env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp)
        cmd = [exe, "-x", "reload", "-u", str(urls_file), "-c", str(Path(tmp, "cache.db")), "-C", str(config)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        note = "" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr[:200]}"
        return elapsed, cpu, note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--same-guids", action="store_true", help="serve the copies unchanged (guids repeat across copies)")
    ap.add_argument("--no-newsboat", action="store_true")
    args = ap.parse_args()
    if not FEEDS_DIR.is_dir():
        sys.exit(f"{FEEDS_DIR} not found: the bench needs ../shared/data/feeds")

    bodies = load_bodies(args.feeds, distinct_guids=not args.same_guids)
    server = FeedServer(bodies, args.hosts, args.latency)
    urls = [server.url(i) for i in range(args.feeds)]
    rows: list[tuple[str, float | None, float | None, str]] = []

    def timed(label: str, note_of=None, **kw):
        """Run fetch_all_sync; record wall time and this process's CPU time (the pool's
        worker processes are not children of ours, so pooled runs show only the parent's)."""
        cpu0, t0 = time.process_time(), time.perf_counter()
        out = fetch_all_sync(**kw)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        rows.append((label, wall, cpu, note_of(out) if note_of else ""))
        return out

    try:
        reqs = [FeedRequest(feed_id=i, url=u) for i, u in enumerate(urls)]

        first = timed("ours: first refresh (cold, pool start-up included)", requests=reqs)
        entries = sum(len(r.entries) for r in first)
        errors = [r for r in first if r.status != "ok"]
        with_warning = sum(1 for r in first if r.warning)

        warm = timed("ours: first refresh again (warm pool)", requests=reqs)
        assert sum(len(r.entries) for r in warm) == entries
        timed("ours: first refresh, parsed in-process (no pool)", requests=reqs, use_pool=False)

        second_reqs = [
            FeedRequest(
                feed_id=r.feed_id, url=q.url, etag=r.etag, last_modified=r.last_modified, content_hash=r.content_hash
            )
            for r, q in zip(first, reqs, strict=True)
        ]
        timed("ours: second refresh (all 304)", _statuses, requests=second_reqs)
        server.ignore_conditional = True
        timed("ours: second refresh, server ignores conditional GET", _statuses, requests=second_reqs)
        server.ignore_conditional = False
        shutdown_parse_pool()

        if not args.no_newsboat:
            rows.append(("newsboat -x reload (default reload-threads 1)", *time_newsboat(urls, None)))
            rows.append(("newsboat -x reload (reload-threads 16)", *time_newsboat(urls, 16)))
    finally:
        server.close()

    nb1 = next((s for n, s, _, _ in rows if "threads 1)" in n), None)
    nb16 = next((s for n, s, _, _ in rows if "threads 16)" in n), None)
    print(
        f"\n{args.feeds} feeds over {args.hosts} loopback addresses, "
        f"{args.latency * 1000:.0f} ms latency per request, {os.cpu_count()} cores; "
        f"{entries} entries parsed, {len(errors)} feeds not ok, {with_warning} with a "
        f"warning; {server.requests} HTTP requests served.\n"
    )
    print("| run | wall s | × newsboat (1 thread) | × newsboat (16 threads) | CPU s | note |")
    print("|---|---:|---:|---:|---:|---|")
    for name, secs, cpu, note in rows:
        r1 = f"{secs / nb1:.2f}" if secs and nb1 else "–"
        r16 = f"{secs / nb16:.2f}" if secs and nb16 else "–"
        shown = f"{secs:.2f}" if secs is not None else "–"
        cpu_shown = f"{cpu:.2f}" if cpu is not None else "–"
        print(f"| {name} | {shown} | {r1} | {r16} | {cpu_shown} | {note} |")
    load = os.getloadavg()
    print(
        f"\nLoad average at the end: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min): other "
        "work on the machine slows every row; compare rows of one run."
    )
    ours_first = rows[0][1]
    ours_second = rows[3][1]
    print(
        "\nGoals: first ≤ 0.25× newsboat default: "
        + (f"{ours_first / nb1:.2f}× {'met' if ours_first <= 0.25 * nb1 else 'NOT met'}" if nb1 else "n/a")
        + "; first ≤ 1.5× newsboat-16: "
        + (f"{ours_first / nb16:.2f}× {'met' if ours_first <= 1.5 * nb16 else 'NOT met'}" if nb16 else "n/a")
        + f"; second ≤ 1.5 s: {ours_second:.2f} s "
        + ("met" if ours_second <= 1.5 else "NOT met")
    )


def _statuses(results) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


if __name__ == "__main__":
    main()
