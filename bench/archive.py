"""Archive import at scale: 10,000 connections and 100,000 messages in a LinkedIn zip.

    python bench/archive.py [--people 10000] [--messages 100000] [--out docs/BENCHMARKS-archive.md]

Builds a synthetic archive (Connections.csv with its preamble, messages.csv in the newer format
with multi-line bodies and group threads, Invitations.csv, endorsements) and times, each in a
fresh process on a fresh SQLite file (peak RSS from os.wait4):

* baseline: ``planner import linkedin Connections.csv`` of the same 10,000 people;
* ``planner import linkedin-archive archive.zip --fast`` (the pitch check's phrase rules; the
  semantic model's cost is measured separately below, on a sample);
* the same import again (idempotent: nothing added);
* the semantic model judging 1,000 of the outgoing messages (to size a full run).

Prints a Markdown table (and writes it to --out).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASES = [
    "Saw your talk on error budgets, here is the write-up I mentioned: https://example.com/slo",
    "Congrats on the new role!",
    "Thanks for the intro last week, it led to a great conversation.",
    "Book a quick demo of our platform this week: 20% off for new clients.",
    "Would you be open to a 15-minute call about your observability spend?",
    'Sharing the postmortem template we use,\n"in case it helps" your team.',
]


def build(folder: Path, people: int, messages: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    owner = "https://www.linkedin.com/in/owner"
    urls = [f"https://www.linkedin.com/in/person-{i}" for i in range(people)]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    for i, url in enumerate(urls):
        w.writerow([f"First{i}", f"Last{i}", url, "", f"Company {i % 300}", "Engineer", "01 Jan 2025"])
    connections = 'Notes:\r\n"When exporting ..."\r\n\r\n' + buf.getvalue()
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "CONVERSATION ID",
            "CONVERSATION TITLE",
            "FROM",
            "SENDER PROFILE URL",
            "TO",
            "RECIPIENT PROFILE URLS",
            "DATE",
            "SUBJECT",
            "CONTENT",
            "FOLDER",
            "IS MESSAGE DRAFT",
            "IS CONVERSATION ARCHIVED",
            "ATTACHMENTS",
        ]
    )
    for n in range(messages):
        i = rng.randrange(people + people // 10)  # a tenth are not connections
        other = urls[i] if i < people else f"https://www.linkedin.com/in/stranger-{i}"
        conv = f"2-{i:06d}=="
        at = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 UTC"
        text = rng.choice(PHRASES) + f" #{n}"
        if rng.random() < 0.5:
            to_urls = other if rng.random() > 0.02 else f"{other},{urls[rng.randrange(people)]}"
            w.writerow(
                [conv, "", "Owner Person", owner, f"First{i} Last{i}", to_urls, at, "", text, "INBOX", "No", "No", ""]
            )
        else:
            w.writerow(
                [conv, "", f"First{i} Last{i}", other, "Owner Person", owner, at, "", text, "INBOX", "No", "No", ""]
            )
    zipped = folder / "archive.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("Connections.csv", connections)
        z.writestr("messages.csv", buf.getvalue())
        z.writestr("Profile.csv", "First Name,Last Name,Headline\r\nOwner,Person,Consultant\r\n")
    plain = folder / "Connections.csv"
    plain.write_text(connections, encoding="utf-8")
    return zipped, plain


def timed(args: list[str], db: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one `planner` run in a fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PLANNER_DB": f"sqlite:///{db}",
        "PLANNER_CONFIG": str(db.with_suffix(".toml")),
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"{' '.join(args)} failed: {err.decode()}")
    return elapsed, usage.ru_maxrss / 1024, out.decode()


def semantic_sample(n: int) -> float:
    """Seconds for the semantic pitch model to judge n messages (after it is loaded)."""
    sys.path.insert(0, str(ROOT))
    from planner.adapters.keywords import KeywordExtractor
    from planner.adapters.pitch_model import SemanticPitchModel

    model = SemanticPitchModel(KeywordExtractor())
    texts = [PHRASES[i % len(PHRASES)] + f" #{i}" for i in range(n)]
    start = time.perf_counter()
    model.judge(texts)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--semantic-sample", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        zipped, plain = build(folder, a.people, a.messages)
        built = time.perf_counter() - t0
        base_t, base_m, _ = timed(["import", "linkedin", str(plain)], folder / "base.db")
        full_t, full_m, full_out = timed(["import", "linkedin-archive", str(zipped), "--fast"], folder / "full.db")
        again_t, again_m, again_out = timed(["import", "linkedin-archive", str(zipped), "--fast"], folder / "full.db")
        sem = semantic_sample(a.semantic_sample) if a.semantic_sample else None
    rows = [
        ("`import linkedin Connections.csv` (baseline)", base_t, base_m, "1.00×"),
        (
            f"`import linkedin-archive` ({a.people:,} people, {a.messages:,} messages, --fast)",
            full_t,
            full_m,
            f"{full_t / base_t:.2f}×",
        ),
        ("the same again (idempotent, nothing added)", again_t, again_m, f"{again_t / base_t:.2f}×"),
    ]
    lines = [
        f"archive built in {built:.1f} s ({zipped.name}); machine load {os.getloadavg()[0]:.1f}",
        "",
        "| run | wall | peak RSS | vs baseline |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {t:.2f} s | {m:.0f} MB | {r} |" for name, t, m, r in rows]
    if sem is not None:
        lines += [
            "",
            f"semantic pitch model: {a.semantic_sample:,} messages judged in {sem:.2f} s "
            f"({a.semantic_sample / sem:.0f} messages/s, after loading)",
        ]
    lines += [
        "",
        "report of the first import:",
        "",
        "```",
        full_out.strip(),
        "```",
        "",
        "second import:",
        "",
        "```",
        again_out.strip(),
        "```",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        a.out.write_text("# Benchmarks: LinkedIn archive import (`bench/archive.py`)\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
