"""Issue 15: a long import locked everyone out. Every transaction, reads too, began with BEGIN
IMMEDIATE: during an import `stats` waited 31 s then failed, `touch log` failed, a refresh died.

Two real processes on one SQLite file: one holds the write lock as an import does (inside
``Store.holding``), the other runs the real CLI. Reads go through; a writer waits its stated
timeout and says who holds the lock. Then a batched import: bounded transactions, all or nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from helpers import FIXED_NOW, ROOT, run_planner
from sqlmodel import func, select

from planner.adapters.linkedin import ConnectionRecord
from planner.models import Connection, Touchpoint
from planner.services.people import import_connections, import_people

HOLDER = r"""
import sys, time
from pathlib import Path
from planner.models import Connection
from planner.store import open_store

url, ready, release = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
store = open_store(url)
with store.holding("importing big.csv"):
    with store.transaction() as session:
        session.add(Connection(first_name="Held", last_name="Row"))
        session.flush()  # the write lock is taken: BEGIN IMMEDIATE
        ready.touch()
        deadline = time.monotonic() + 120
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
print("released")
"""


def _wait_for(path, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the holder never took the lock"
        time.sleep(0.01)


@pytest.mark.sqlite_only
def test_reads_go_through_a_held_write_lock_and_a_writer_says_who_holds_it(store, settings, tmp_path):
    with store.transaction() as session:
        session.add(Connection(first_name="Ana", last_name="Silva"))
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, settings.db_url, str(ready), str(release)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(ready, holder)
        env = {"PLANNER_LOCK_TIMEOUT": "0.5"}
        stats = run_planner("--db", settings.db_url, "stats", "--json", env=env)
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["connection"] == 1  # the held, uncommitted row is not seen
        listed = run_planner("--db", settings.db_url, "people", "list", "--json", env=env)
        assert listed.returncode == 0 and [p["name"] for p in json.loads(listed.stdout)] == ["Ana Silva"], listed.stderr
        touch = run_planner("--db", settings.db_url, "touch", "log", "Ana", "--kind", "check_in", env=env)
        assert touch.returncode == 1
        assert touch.stderr.strip() == (
            f"planner: the database is busy: another planner is importing big.csv (pid {holder.pid}); "
            "waited 0.5 s for it. Try again when it is done"
        )
        assert holder.poll() is None  # still holding: the messages above were given while it did
    finally:
        release.touch()
        out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0 and out.strip() == "released", err
    assert not (tmp_path / "planner.db.writer").exists()
    touch = run_planner("--db", settings.db_url, "touch", "log", "Ana", "--kind", "check_in")
    assert touch.returncode == 0, touch.stderr


def _records(n: int, start: int = 0) -> list[ConnectionRecord]:
    return [
        ConnectionRecord(
            line=i + 2,
            first_name=f"F{i}",
            last_name=f"L{i}",
            url=f"https://www.linkedin.com/in/p{i}",
            email=None,
            company="Co",
            position="Role",
            connected_on=None,
        )
        for i in range(start, start + n)
    ]


def test_a_batched_import_commits_bounded_batches_and_matches_like_one(store):
    report = import_people(store, _records(7), now=FIXED_NOW, batch=3)
    assert (report.added, len(report.rows)) == (7, 7)
    assert [r.line for r in report.rows] == list(range(2, 9))
    again = import_people(store, _records(7) + _records(1), now=FIXED_NOW, batch=3)
    assert again.unchanged == 7 and again.skipped == ["line 2: F0 L0 appears twice in the file; kept the first"]


class _RacedRecords(list):
    """The rows of a file; while the import asks for its second batch, another writer adds a
    person with a URL of that batch (a concurrent `people` edit), so that batch fails on the
    database's unique URL."""

    def __init__(self, rows, store):
        super().__init__(rows)
        self.store, self.batches = store, 0

    def __getitem__(self, item):
        if isinstance(item, slice):
            self.batches += 1
            if self.batches == 2:
                with self.store.transaction() as session:
                    session.add(Connection(first_name="Other", profile_url=self[item][0].url))
        return super().__getitem__(item)


def test_a_batched_import_that_fails_part_way_takes_back_its_earlier_batches(store):
    store.call(
        import_connections,
        [ConnectionRecord(1, "F0", "L0", "https://www.linkedin.com/in/p0", None, "Old Co", "Role", None)],
        now=FIXED_NOW,
    )
    with store.session() as session:
        before = session.exec(select(Connection.id, Connection.company, Connection.version)).all()
    with pytest.raises(sa.exc.IntegrityError):  # the second batch's URL, taken meanwhile
        import_people(store, _RacedRecords(_records(7), store), now=FIXED_NOW, batch=3)
    with store.session() as session:
        people = session.exec(
            select(Connection.first_name, Connection.company, Connection.version).order_by(Connection.id)
        ).all()
        touchpoints = session.exec(select(func.count()).select_from(Touchpoint)).one()
    # the first batch (F0's job change, F1, F2) is undone; the other writer's person stays
    assert [tuple(p) for p in people] == [("F0", "Old Co", before[0][2]), ("Other", "", 1)]
    assert touchpoints == 0


def _journaled_person(store, journal, name: str) -> int:
    """A batch of an import that is still running: one person added, journaled."""
    from planner.store.journal import BatchUndo

    def batch(session):
        person = Connection(first_name=name)
        session.add(person)
        session.flush()
        undo = BatchUndo()
        undo.insert("connection", [person.id])
        journal.record(session, undo, FIXED_NOW)
        return person.id

    return store.call(batch)


def test_an_import_whose_writer_lives_is_left_alone_and_undone_once_it_is_gone(store):
    """The next open undoes an import from its journal only when its writer is gone: judged by
    the lock it holds while it runs (a flock beside a SQLite file, an advisory lock on
    PostgreSQL), which dies with it, not by a pid that could be reused or be another host's."""
    from planner.store import open_store
    from planner.store.journal import ImportJournal, importing

    journal = ImportJournal("Connections.csv")
    with importing(store, journal):
        pid = _journaled_person(store, journal, "Running")
        other = open_store(store.url)  # another command opens the store meanwhile
        assert other.notices == []
        other.dispose()
        with store.session() as session:
            assert session.get(Connection, pid) is not None
    # the writer is gone (its lock released, as a killed process's is) with its journal still there
    again = open_store(store.url)
    try:
        assert again.notices == [f"an interrupted import of Connections.csv (pid {os.getpid()}) was undone: 1 person"]
    finally:
        again.dispose()
    with store.session() as session:
        assert session.get(Connection, pid) is None
    reopened = open_store(store.url)
    assert reopened.notices == []  # undone once
    reopened.dispose()


def test_a_person_edited_after_an_interrupted_import_keeps_the_edit(store):
    """The undo puts an updated row back only if nobody changed it since (its version)."""
    from planner.store import open_store
    from planner.store.journal import BatchUndo, ImportJournal

    person_id = store.call(lambda s: _add(s, Connection(first_name="Priya", company="Old Co")))
    journal = ImportJournal("Connections.csv")

    def batch(session):
        person = session.get(Connection, person_id)
        before = {"company": person.company, "version": person.version}
        person.company, person.version = "New Co", person.version + 1
        undo = BatchUndo()
        undo.update("connection", person.id, before, person.version)
        journal.record(session, undo, FIXED_NOW)

    store.call(batch)
    again = open_store(store.url)  # no writer holds a lock: the import is undone
    assert again.notices[0].endswith("was undone: 1 person")
    again.dispose()
    with store.session() as session:
        assert session.get(Connection, person_id).company == "Old Co"
    # the same, but someone edited the person after the batch: the edit stays
    store.call(batch)

    def edit(session):
        person = session.get(Connection, person_id)
        person.company, person.version = "Edited Co", person.version + 1

    store.call(edit)
    again = open_store(store.url)
    assert again.notices[0].endswith("was undone: nothing left to undo")
    again.dispose()
    with store.session() as session:
        assert session.get(Connection, person_id).company == "Edited Co"


def _add(session, row):
    session.add(row)
    session.flush()
    return row.id
