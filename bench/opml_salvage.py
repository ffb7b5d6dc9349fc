"""OPML salvage on long malformed lines: the old reader (quadratic) against the current one.

    python bench/opml_salvage.py [--sizes 100000,900000,20000000] [--old-max 250000]

Each file is one line of `<outline ...>` tags with the breakage people's files have (a stray
quote in a title, a raw '&', a tag never closed), so that neither strict XML nor the repair pass
reads it and salvage does. The baseline is the salvage of commit 4f408d9 (before this change),
copied below and run in the same process on the sizes up to --old-max (it took 47 s on 900 KB);
the current reader runs every size. Prints seconds, feeds found and the ratio old/new.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.adapters import opml  # noqa: E402


def malformed(size: int) -> bytes:
    parts = ['<?xml version="1.0"?><opml version="2.0"><head><title>big</title></head><body>']
    i, n = 0, len(parts[0])
    while n < size:
        kind = i % 3
        if kind == 0:
            tag = f'<outline text="It"s feed {i}" type="rss" xmlUrl="https://f{i}.example/rss"/>'
        elif kind == 1:
            tag = f'<outline text="News & views {i}" xmlUrl="https://f{i}.example/rss?a=1&b=2"/>'
        else:
            tag = f'<outline text="Folder {i}"><outline text="t{i}" xmlUrl="https://g{i}.example/atom"/>'
        parts.append(tag)
        n += len(tag)
        i += 1
    parts.append("</body>")  # </opml> missing as well
    return "".join(parts).encode()


# --- the baseline: salvage as it was -----------------------------------------------------

_OLD_TAG = re.compile(
    r"""<(/?)\s*(?:[\w.-]+:)?(outline|title|body)\b((?:[^<>"']|"[^"]*"|'[^']*'){0,20000}?)(/?)>""",
    re.IGNORECASE,
)
_OLD_ATTR = re.compile(
    r"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"(.*?)"(?=\s+[A-Za-z_][\w:.-]*\s*=|\s*/?\s*$)|'(.*?)'(?=\s+[A-Za-z_][\w:.-]*\s*=|\s*/?\s*$)|([^\s"'>]+))""",
    re.DOTALL,
)
_OLD_LOOSE_TAG = re.compile(r"<\s*(?:[\w.-]+:)?outline\b([^\n]{0,20000}?)(/?)>\s*$", re.IGNORECASE | re.MULTILINE)


def old_salvage(text: str, collector) -> int:
    count = 0
    pos_line = 1
    last = 0
    spans = []
    for m in _OLD_TAG.finditer(text):
        spans.append(
            (m.start(), m.end(), m.group(1), m.group(2).lower(), m.group(4) == "/" or m.group(3).rstrip().endswith("/"))
        )
    matched_lines = set()
    for start, _end, _close, name, _sc in spans:
        if name == "outline":
            matched_lines.add(text.count("\n", 0, start))
    for m in _OLD_LOOSE_TAG.finditer(text):
        ln = text.count("\n", 0, m.start())
        if ln not in matched_lines:
            spans.append((m.start(), m.end(), "", "outline-loose", m.group(2) == "/"))
    spans.sort()
    title_open = None
    for start, end, closing, name, self_closing in spans:
        pos_line += text.count("\n", last, start)
        last = start
        if name == "title":
            if closing and title_open is not None and collector.title is None:
                collector.title = unescape(text[title_open:start]) or None
            title_open = None if closing else end
            continue
        if name == "body":
            continue
        if closing:
            collector.end()
            continue
        inner = text[start:end]
        inner = inner[inner.lower().index("outline") + len("outline") : -1]
        if self_closing:
            inner = inner.rstrip()[:-1] if inner.rstrip().endswith("/") else inner
        attrs = {}
        for a in _OLD_ATTR.finditer(inner.strip()):
            value = next((v for v in a.groups()[1:] if v is not None), "")
            attrs.setdefault(a.group(1), unescape(value) if "&" in value else value)
        collector.start(attrs, pos_line, self_closing)
        count += 1
    return count


def timed(data: bytes) -> tuple[float, float, int, str]:
    """Wall and CPU seconds: on a shared machine wall time follows the load, CPU time barely does."""
    started, cpu = time.perf_counter(), time.process_time()
    result = opml.parse_opml(data, "big.opml")
    return time.perf_counter() - started, time.process_time() - cpu, len(result.feeds), result.method


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,250000,900000,19900000")
    ap.add_argument("--old-max", type=int, default=250_000)
    args = ap.parse_args()
    current = opml._salvage
    print(
        f"{'size':>10} {'new s':>8} {'new cpu':>8} {'feeds':>7} {'old s':>8} {'old cpu':>8} {'old feeds':>9} "
        f"{'old/new cpu':>11}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        data = malformed(size)
        new_s, new_cpu, new_feeds, method = timed(data)
        assert method == "salvaged", method
        old_cell = old_cpu_cell = feeds_cell = ratio = "-"
        if size <= args.old_max:
            opml._salvage = old_salvage
            try:
                old_s, old_cpu, old_feeds, _ = timed(data)
            finally:
                opml._salvage = current
            old_cell, old_cpu_cell, feeds_cell = f"{old_s:.2f}", f"{old_cpu:.2f}", str(old_feeds)
            ratio = f"{old_cpu / new_cpu:.0f}x"
        print(
            f"{len(data):>10} {new_s:>8.2f} {new_cpu:>8.2f} {new_feeds:>7} {old_cell:>8} {old_cpu_cell:>8} "
            f"{feeds_cell:>9} {ratio:>11}",
            flush=True,
        )


if __name__ == "__main__":
    main()
