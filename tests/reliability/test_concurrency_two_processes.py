"""Two processes on one database: a cron job (a refresh loop; keyword extraction) while the TUI
reads and writes.

The refresh writer is a real process refreshing feeds in a loop from a loopback HTTP server whose
feeds change on every request (new items arrive, old ones are edited); the extraction writer is
the real `planner keywords extract`, which stores keywords batch by batch on the entries the other
side is starring. The other real process does what the TUI does through
``open_store(...).call(...)``: loads Today and a Discover page, stars entries, turns entries into
post ideas, marks touchpoints done with the version it loaded, plans new touchpoints. Both loops
are bounded. At the end: neither saw "database is locked", and every write either made is in the
database (rows counted against what each side reports it did).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import ROOT, word_entries
from sqlmodel import func, select

from planner.models import Connection, Entry, EntryKeyword, Post, Touchpoint
from planner.services.feeds import add_feed

FEEDS = 8
WINDOW = 15  # items per response; each request adds 3 new ones and edits the titles of the rest

WRITER = r"""
import json, sys, time
from pathlib import Path
from planner.store import open_store
from planner.services.feeds import refresh

url, go, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
store = open_store(url)
while not go.exists():
    time.sleep(0.01)
summaries = []
t0 = time.time()
for _ in range(rounds):
    s = refresh(store, concurrency=4)
    summaries.append({"errors": s.errors, "new": s.new_entries, "updated": s.updated_entries, "problems": s.problems})
print(json.dumps({"t0": t0, "t1": time.time(), "rounds": summaries}))
"""

TUI = r"""
import json, random, sys, time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo
from planner.store import open_store
from planner.services import entries as entries_service
from planner.services import feeds, today
from planner.services.touches import plan_touch

url, go, rounds, person = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
stop = Path(sys.argv[5]) if len(sys.argv) > 5 else None  # a file the test makes when the cron side is done
store = open_store(url)
rng = random.Random(8)
now = lambda: datetime.now(timezone.utc)
done = {"starred": [], "ideas": [], "marked": [], "planned": 0, "reads": 0, "rounds": 0, "entry_writes_at": []}
while not go.exists():
    time.sleep(0.01)
done["t0"] = time.time()
for i in range(rounds):
    if stop is not None and stop.exists():
        break
    agenda = store.call(today.agenda, now(), ZoneInfo("UTC"))
    page = store.call(entries_service.list_entries, limit=50, offset=rng.choice((0, 0, 50, 100, 150, 200)), with_summary=True)
    done["reads"] += 1
    fresh = [e for e in page if e.id not in done["starred"]]
    if fresh:
        pick = rng.choice(fresh)
        store.call(entries_service.set_entry_flags, pick.id, starred=True)
        done["starred"].append(pick.id)
        done["entry_writes_at"].append(time.time())
    unused = [e for e in page if e.id not in done["ideas"]]
    if unused:
        pick = rng.choice(unused)
        store.call(entries_service.idea_from_entry, pick.id, now())
        done["ideas"].append(pick.id)
        done["entry_writes_at"].append(time.time())
    touches = [item for item in agenda.items if item.kind == "touchpoint"]
    if touches:
        item = touches[0]
        store.call(today.mark_item, "touchpoint", item.id, True, now(), expected_version=item.version)
        done["marked"].append(item.id)
    store.call(plan_touch, person, "check_in", now() + timedelta(days=30), now(), note=f"round {i}")
    done["planned"] += 1
    done["rounds"] += 1
    time.sleep(rng.random() * 0.05)
done["t1"] = time.time()
print(json.dumps(done))
"""


class ChangingFeeds:
    """Feeds that change on every request; remembers every item guid it ever served."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = [0] * FEEDS
        self.served: set[str] = set()

    def body(self, feed: int) -> bytes:
        with self.lock:
            self.requests[feed] += 1
            n = self.requests[feed]
            newest = 3 * n
            items = []
            for k in range(max(0, newest - WINDOW), newest):
                guid = f"f{feed}-i{k}"
                self.served.add(guid)
                when = format_datetime(datetime.now(UTC) - timedelta(minutes=newest - k), usegmt=True)
                items.append(
                    f"<item><title>Item {k} of feed {feed} (seen {n})</title><guid>{guid}</guid>"
                    f"<link>https://f{feed}.example/{k}</link><pubDate>{when}</pubDate>"
                    f"<description>edited on request {n}</description></item>"
                )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"{''.join(items)}</channel></rss>"
        ).encode()


@pytest.fixture
def changing_server():
    feeds = ChangingFeeds()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            try:
                feed = int(self.path.strip("/").split(".")[0])
            except ValueError:
                self.send_error(404)
                return
            body = feeds.body(feed)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield feeds, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _spawn(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _someone_with_touches_due(store) -> int:
    """A person with 30 planned touchpoints already due: the TUI side marks them done one a round."""
    now = datetime.now(UTC)
    with store.transaction() as session:
        person = Connection(first_name="Ada", last_name="Lovelace", profile_url="https://www.linkedin.com/in/ada")
        session.add(person)
        session.flush()
        for k in range(30):
            session.add(
                Touchpoint(
                    connection_id=person.id,
                    kind="share_content",
                    status="planned",
                    due_at=now - timedelta(hours=k + 1),
                    note=f"planned {k}",
                )
            )
        return person.id


def _tui_writes_are_all_there(store, did: dict) -> None:
    """Everything the TUI side reports it wrote is in the database, and nothing more."""
    with store.session() as session:
        starred = set(session.exec(select(Entry.id).where(Entry.is_starred == True)).all())  # noqa: E712
        ideas = set(session.exec(select(Post.source_entry_id).where(Post.source_entry_id.is_not(None))).all())
        done = set(session.exec(select(Touchpoint.id).where(Touchpoint.status == "done")).all())
        planned_new = session.exec(
            select(func.count()).select_from(Touchpoint).where(Touchpoint.note.like("round %"))
        ).one()
        versions = dict(
            session.exec(select(Touchpoint.id, Touchpoint.version).where(Touchpoint.id.in_(did["marked"]))).all()
        )
    assert starred == set(did["starred"])
    assert ideas == set(did["ideas"])
    assert done == set(did["marked"]) and len(done) == len(did["marked"])
    assert all(v == 2 for v in versions.values())
    assert planned_new == did["planned"] == did["rounds"]


def test_refresh_loop_and_tui_writes_in_two_processes(store, settings, changing_server, tmp_path):
    feeds_server, base = changing_server
    for i in range(FEEDS):
        store.call(add_feed, f"{base}/{i}.xml", topic="Concurrency")
    person_id = _someone_with_touches_due(store)
    go = tmp_path / "go"
    writer = _spawn(WRITER, settings.db_url, str(go), "10")
    tui = _spawn(TUI, settings.db_url, str(go), "30", str(person_id))
    go.touch()  # both start together
    w_out, w_err = writer.communicate(timeout=300)
    t_out, t_err = tui.communicate(timeout=300)
    assert "locked" not in w_err + t_err, (w_err + t_err)[-3000:]
    assert writer.returncode == 0, w_err[-3000:]
    assert tui.returncode == 0, t_err[-3000:]
    wrote = json.loads(w_out.strip().splitlines()[-1])
    summaries = wrote["rounds"]
    did = json.loads(t_out.strip().splitlines()[-1])
    overlap = min(wrote["t1"], did["t1"]) - max(wrote["t0"], did["t0"])
    assert overlap > 0, "the two loops did not run at the same time"
    assert len(summaries) == 10 and all(s["errors"] == 0 for s in summaries), summaries
    assert sum(s["updated"] for s in summaries) > 0  # the writer edited rows the TUI was flagging
    assert did["reads"] == did["rounds"] == 30 and did["marked"] and did["starred"] and did["ideas"]
    # nothing the refresh fetched is missing, nothing either side wrote was overwritten
    with store.session() as session:
        guids = set(session.exec(select(Entry.guid)).all())
    assert guids == {f"id:{g}" for g in feeds_server.served}
    _tui_writes_are_all_there(store, did)


@pytest.mark.slow
def test_keyword_extraction_and_tui_writes_in_two_processes(store, settings, tmp_path):
    """`planner keywords extract` from cron (the real model, batch commits) while the TUI stars the
    same entries, makes ideas of them and plans and logs touches, until the extraction is done."""
    entries = 240
    word_entries(settings.db_url, entries, seed=11)
    person_id = _someone_with_touches_due(store)
    go, stop = tmp_path / "go", tmp_path / "stop"
    tui = _spawn(TUI, settings.db_url, str(go), "2000", str(person_id), str(stop))
    extract = subprocess.Popen(
        [sys.executable, "-m", "planner", "--db", settings.db_url, "keywords", "extract", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PLANNER_CONFIG": str(tmp_path / "none.toml")},
    )
    # the TUI side starts once the first batch is stored (the model takes seconds to load), so its
    # writes to the entries fall among the extraction's batch commits
    deadline = time.monotonic() + 300
    while (
        extract.poll() is None
        and time.monotonic() < deadline
        and not store.call(
            lambda s: s.exec(select(func.count()).select_from(Entry).where(Entry.keywords_model.is_not(None))).one()
        )
    ):
        time.sleep(0.02)
    go.touch()
    e_out, e_err = extract.communicate(timeout=600)
    extracted_by = time.time()
    stop.touch()
    t_out, t_err = tui.communicate(timeout=120)
    assert "locked" not in e_err + t_err, (e_err + t_err)[-3000:]
    assert extract.returncode == 0, e_err[-3000:]
    assert tui.returncode == 0, t_err[-3000:]
    did = json.loads(t_out.strip().splitlines()[-1])
    assert did["rounds"] < 2000, "the TUI side stopped before the extraction was done: no overlap at the end"
    assert did["marked"] and did["starred"] and did["ideas"]
    during = [t for t in did["entry_writes_at"] if t < extracted_by]
    assert len(during) >= 5, f"only {len(during)} writes to entries while the extraction was storing"
    with store.session() as session:
        extracted = session.exec(select(func.count()).select_from(Entry).where(Entry.keywords_model.is_not(None))).one()
        linked = session.exec(select(func.count(func.distinct(EntryKeyword.entry_id)))).one()
    assert extracted == linked == entries, (extracted, linked)  # every entry's keywords, none lost to the TUI's writes
    _tui_writes_are_all_there(store, did)
