"""kill -9 at random (seeded) moments of a refresh, an import (LinkedIn CSV, OPML) and keyword
extraction: the database stays consistent and the next run finishes.

Each command runs as a real subprocess (``python -m planner --db … …``) and is killed with
SIGKILL part-way. After every kill: SQLite's integrity check passes, the store holds either the
state before the command or after it (a refresh and an OPML import are one transaction each; a
LinkedIn import commits in batches and a killed one is undone from its journal at the next open;
keyword extraction commits batch by batch, every batch whole), and a final uninterrupted run leaves the
same counts as a run that was never interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from helpers import ROOT, word_entries
from sqlmodel import func, select

from planner.models import Connection, Entry, EntryKeyword, Feed, Topic, Touchpoint
from planner.services.feeds import add_feed
from planner.store import open_store

FEEDS, ITEMS = 40, 30
SEED = 20261125


def _planner(url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "planner", "--db", url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PLANNER_CONFIG": str(ROOT / "nonexistent-config.toml")},
    )


def _kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL the process after ``seconds``; True if it was still running (really killed)."""
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return True


def _finish(proc: subprocess.Popen, timeout: float = 600) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return out


def _assert_intact(store) -> None:
    if store.is_sqlite:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def _reference_url(tmp_path, name: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    return f"sqlite:///{folder / 'reference.db'}"


# --- refresh ------------------------------------------------------------------------------------


class FeedServer:
    def __init__(self, url: str):
        self.url = url
        self.served = 0  # feeds answered in full so far


@pytest.fixture
def slow_static_feeds():
    """FEEDS feeds of ITEMS items each, the same on every request, each answered after 0.2 s."""

    def body(feed: int) -> bytes:
        base = datetime(2026, 11, 24, tzinfo=UTC)
        items = "".join(
            f"<item><title>Feed {feed} item {k}</title><guid>f{feed}-{k}</guid><link>https://f{feed}.example/{k}</link>"
            f"<pubDate>{format_datetime(base - timedelta(hours=k), usegmt=True)}</pubDate>"
            f"<description>{'words ' * 200}</description></item>"
            for k in range(ITEMS)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{feed}</title>{items}</channel></rss>'.encode()
        )

    bodies = {f"/{i}.xml": body(i) for i in range(FEEDS)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            data = bodies.get(self.path)
            if data is None:
                self.send_error(404)
                return
            time.sleep(0.2)  # a refresh spans seconds, so a random kill lands inside it on a fast machine too
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the refresh was killed meanwhile
                return
            with lock:
                feeds.served += 1

        def log_message(self, *args):
            pass

    lock = threading.Lock()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    feeds = FeedServer(f"http://127.0.0.1:{server.server_port}")
    yield feeds
    server.shutdown()
    server.server_close()


def _follow(store, feeds: FeedServer) -> None:
    for i in range(FEEDS):
        store.call(add_feed, f"{feeds.url}/{i}.xml", topic="Crash")


def _refresh_state(store) -> tuple[int, int, dict[int, int]]:
    with store.session() as session:
        per_feed = dict(session.exec(select(Entry.feed_id, func.count()).group_by(Entry.feed_id)).all())
        fetched = session.exec(select(func.count()).select_from(Feed).where(Feed.last_status.is_not(None))).one()
        total = session.exec(select(func.count()).select_from(Entry)).one()
    return total, fetched, per_feed


def _writing(store) -> bool:
    """Whether another connection is inside a transaction that may write, seen from outside
    (SQLite: its lock refuses ours, which every transaction of the store takes with BEGIN
    IMMEDIATE; PostgreSQL: a session of this database holds a transaction id, which a
    transaction gets at its first write)."""
    if store.is_sqlite:
        import sqlite3

        probe = sqlite3.connect(str(store.sqlite_path), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked
            return True
        finally:
            probe.close()
    with store.engine.connect() as conn:
        return (
            conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            ).scalar()
            > 0
        )


def _kill_inside_write(
    proc: subprocess.Popen, store, rng: random.Random, within: float, ready=lambda: True, steady: int = 1
) -> bool:
    """SIGKILL `proc` at a random moment up to `within` s after its write transaction is seen
    (`ready()` and `_writing` true at `steady` polls in a row, so that a start-up transaction of a
    millisecond does not count). True when it was still inside that transaction just before."""
    seen = 0
    while proc.poll() is None and seen < steady:
        seen = seen + 1 if ready() and _writing(store) else 0
        if seen < steady:
            time.sleep(0.002)
    time.sleep(rng.uniform(0.0, within))
    writing = _writing(store)
    return _kill_after(proc, 0) and writing


def test_killed_refresh_leaves_all_or_nothing_and_the_next_run_completes(store, settings, slow_static_feeds, tmp_path):
    rng = random.Random(SEED)
    _follow(store, slow_static_feeds)

    def killed_state() -> tuple[int, int]:
        _assert_intact(store)
        total, fetched, per_feed = _refresh_state(store)
        # one transaction: either nothing of a refresh is stored or all of it, feed health included
        assert (total, fetched) in ((0, 0), (FEEDS * ITEMS, FEEDS)), (total, fetched)
        assert all(n == ITEMS for n in per_feed.values())
        return total, fetched

    # killed at a random moment of start-up or fetching
    assert _kill_after(_planner(settings.db_url, "feeds", "refresh", "--json"), rng.uniform(0.3, 1.5)), (
        "the refresh finished before the kill"
    )
    assert killed_state() == (0, 0)
    # killed at a random moment inside its write transaction: the one that begins once every feed
    # has been answered
    inside = 0
    for _ in range(8):
        answered = slow_static_feeds.served + FEEDS
        proc = _planner(settings.db_url, "feeds", "refresh", "--json")
        # it holds its lock for 35-50 ms here
        killed = _kill_inside_write(
            proc, store, rng, 0.005, ready=lambda answered=answered: slow_static_feeds.served >= answered
        )
        state = killed_state()
        inside += killed and state == (0, 0)  # rolled back: the kill came before the commit
        if inside == 2:
            break
        if state != (0, 0):  # stored in full, the kill came too late: start again from nothing
            with store.engine.begin() as conn:
                conn.execute(sa.delete(Entry))
                conn.execute(
                    sa.update(Feed).values(
                        etag=None,
                        last_modified=None,
                        content_hash=None,
                        last_fetched_at=None,
                        last_status=None,
                        last_http_status=None,
                        last_error=None,
                        last_warning=None,
                        failure_count=0,
                        retry_after_until=None,
                    )
                )
    assert inside >= 1, "no kill landed inside the refresh's write: nothing was tested"
    _finish(_planner(settings.db_url, "feeds", "refresh", "--json"))
    _assert_intact(store)

    reference = open_store(_reference_url(tmp_path, "refresh"))
    _follow(reference, slow_static_feeds)
    _finish(_planner(reference.url, "feeds", "refresh", "--json"))
    assert _refresh_state(store)[:2] == _refresh_state(reference)[:2] == (FEEDS * ITEMS, FEEDS)
    reference.dispose()


# --- LinkedIn import ----------------------------------------------------------------------------


def _connections_csv(path, people: int, changed_from: int | None = None, extra: int = 0) -> None:
    """A LinkedIn-format file; rows from ``changed_from`` on have a new company (job changes)."""
    lines = [
        "Notes:",
        '"When exporting your connection data, you may notice that some of the email addresses are missing."',
        "",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
    ]
    for i in range(people + extra):
        company = "Globex" if changed_from is not None and i >= changed_from else "Initech"
        lines.append(f"Person{i},Zoë {i},https://www.linkedin.com/in/person-{i},,{company},Engineer,09 Oct 2024")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _people_state(store) -> tuple[int, int, int]:
    with store.session() as session:
        people = session.exec(select(func.count()).select_from(Connection)).one()
        moved = session.exec(select(func.count()).select_from(Connection).where(Connection.company == "Globex")).one()
        touches = session.exec(select(func.count()).select_from(Touchpoint)).one()
    return people, moved, touches


def _journaled_batches(store) -> int:
    from planner.store.journal import journal_table

    with store.read_connection() as conn:
        return conn.execute(sa.select(func.count()).select_from(journal_table)).scalar()


def _kill_after_batches(proc: subprocess.Popen, store, batches: int) -> bool:
    """SIGKILL the import once ``batches`` of its batches have committed (the journal shows them),
    or not at all if it finished first; True if it was killed."""
    for pipe in (proc.stdout, proc.stderr):  # drained meanwhile: a full pipe would stop the import
        threading.Thread(target=pipe.read, daemon=True).start()
    while proc.poll() is None:
        if _journaled_batches(store) >= batches:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        time.sleep(0.01)
    return False


def test_a_killed_linkedin_import_is_undone_at_the_next_open_and_the_rerun_completes(store, settings, tmp_path):
    """A batched import (services.people.import_people: 500 rows a transaction, so nobody else waits
    on the lock for long) killed outright between batches leaves its journal (store.journal); the
    next command's open undoes it from there in one transaction and says so in one line, so the
    store equals the store before the import, row for row. The rerun then reaches exactly what one
    uninterrupted import gives."""
    from planner.store.backup import dump

    rng = random.Random(SEED + 1)
    first, second = tmp_path / "first.csv", tmp_path / "Connections.csv"
    n, changed, extra = 6_000, 4_500, 1_500
    _connections_csv(first, n)
    _connections_csv(second, n, changed_from=changed, extra=extra)  # 1,500 job changes and 1,500 new people
    _finish(_planner(settings.db_url, "import", "linkedin", str(first)))
    before = dump(store)["tables"]
    assert _people_state(store) == (n, 0, 0)
    after = (n + extra, n + extra - changed, n - changed)
    killed = 0
    for _ in range(3):
        proc = _planner(settings.db_url, "import", "linkedin", str(second))
        # rows 4,500 on change: 6 batches of 500 write, the first 5 journaled, the last ends the journal
        if not _kill_after_batches(proc, store, rng.randint(1, 5)):
            assert _people_state(store) == after  # finished first: whole, and its journal gone
            assert _journaled_batches(store) == 0
            break
        killed += 1
        _assert_intact(store)
        assert _journaled_batches(store) >= 1
        stats = _planner(settings.db_url, "stats")  # any command: its open undoes the dead import
        _, err = stats.communicate(timeout=120)
        assert stats.returncode == 0, err[-3000:]
        undone = [line for line in err.splitlines() if "interrupted import" in line]
        assert len(undone) == 1 and undone[0].startswith(
            f"planner: an interrupted import of Connections.csv (pid {proc.pid}) was undone: "
        ), err
        assert undone[0].endswith(" people"), undone
        assert _journaled_batches(store) == 0
        assert dump(store)["tables"] == before  # all or nothing: as before the import, row for row
    assert killed >= 1, "the import finished before the kill every time: nothing was tested"
    _finish(_planner(settings.db_url, "import", "linkedin", str(second)))
    _assert_intact(store)
    assert _journaled_batches(store) == 0

    reference = open_store(_reference_url(tmp_path, "import"))
    _finish(_planner(reference.url, "import", "linkedin", str(first)))
    _finish(_planner(reference.url, "import", "linkedin", str(second)))
    assert _people_state(store) == _people_state(reference) == after
    reference.dispose()


def _opml(path, folders: int, per_folder: int) -> None:
    outlines = "\n".join(
        f'<outline text="Folder {f}">'
        + "".join(
            f'<outline type="rss" text="Feed {f}-{i}" xmlUrl="https://f{f}.example/{i}.xml"/>'
            for i in range(per_folder)
        )
        + "</outline>"
        for f in range(folders)
    )
    path.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><head><title>big</title></head><body>{outlines}</body></opml>',
        encoding="utf-8",
    )


def _subscriptions(store) -> tuple[int, int]:
    with store.session() as session:
        return (
            session.exec(select(func.count()).select_from(Feed)).one(),
            session.exec(select(func.count()).select_from(Topic)).one(),
        )


def test_killed_opml_import_is_all_or_nothing_and_the_rerun_completes(store, settings, tmp_path):
    rng = random.Random(SEED + 4)
    big = tmp_path / "subscriptions.opml"
    _opml(big, folders=50, per_folder=300)  # about 2 s here, start-up included
    complete = (15_000, 50)
    inside = 0
    for _ in range(6):
        proc = _planner(settings.db_url, "import", "opml", str(big))
        killed = _kill_inside_write(proc, store, rng, 0.3, steady=10)  # its transaction lasts about 1.5 s
        _assert_intact(store)
        state = _subscriptions(store)
        assert state in ((0, 0), complete), state  # never a half-imported list
        inside += killed and state == (0, 0)
        if inside == 2:
            break
        if state == complete:  # the kill came too late: start again from nothing
            with store.engine.begin() as conn:
                conn.execute(sa.delete(Feed))
                conn.execute(sa.delete(Topic))
    assert inside >= 1, "no kill landed inside the import's transaction: nothing was tested"
    _finish(_planner(settings.db_url, "import", "opml", str(big)))
    _assert_intact(store)
    assert _subscriptions(store) == complete
    _finish(_planner(settings.db_url, "import", "opml", str(big)))  # and again: nothing added twice
    assert _subscriptions(store) == complete


# --- keyword extraction -------------------------------------------------------------------------


def _extraction_state(store) -> tuple[int, int, set[int]]:
    with store.session() as session:
        done = session.exec(select(func.count()).select_from(Entry).where(Entry.keywords_model.is_not(None))).one()
        links = session.exec(select(func.count()).select_from(EntryKeyword)).one()
        linked = set(session.exec(select(EntryKeyword.entry_id).distinct()).all())
        extracted = set(session.exec(select(Entry.id).where(Entry.keywords_model.is_not(None))).all())
    # a batch is whole: keywords exist only for entries marked extracted
    assert linked <= extracted, sorted(linked - extracted)[:10]
    return done, links, extracted


def _has_keywords_command() -> bool:
    out = subprocess.run(
        [sys.executable, "-m", "planner", "keywords", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    return out.returncode == 0 and "extract" in out.stdout


@pytest.mark.slow
def test_killed_keyword_extraction_resumes_where_it_stopped(store, settings, tmp_path):
    if not _has_keywords_command():
        pytest.skip("`planner keywords extract` does not exist yet")
    entries = 200
    word_entries(settings.db_url, entries, seed=SEED + 2)
    rng = random.Random(SEED + 3)
    kills = 0
    for _ in range(2):
        proc = _planner(settings.db_url, "keywords", "extract", "--json")
        # wait until extraction is under way (the model is loaded, a batch is stored), then kill
        deadline = time.monotonic() + 300
        started = 0
        while proc.poll() is None and time.monotonic() < deadline:
            started = _extraction_state(store)[0]
            if started:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            time.sleep(rng.uniform(0.0, 1.0))
            kills += _kill_after(proc, 0)
        else:
            proc.communicate()
        _assert_intact(store)
        done, links, _ = _extraction_state(store)
        from planner.services.keywords import BATCH

        assert done % BATCH == 0 or done == entries, done  # whole batches only
        if done == entries:
            break
    assert kills >= 1, "extraction finished before the kill: nothing was tested"
    _finish(_planner(settings.db_url, "keywords", "extract", "--json"))
    _assert_intact(store)
    done, links, _ = _extraction_state(store)
    assert done == entries and links > 0

    reference_url = _reference_url(tmp_path, "keywords")
    word_entries(reference_url, entries, seed=SEED + 2)
    _finish(_planner(reference_url, "keywords", "extract", "--json"))
    reference = open_store(reference_url)
    ref_done, ref_links, _ = _extraction_state(reference)
    reference.dispose()
    assert (done, links) == (ref_done, ref_links)
