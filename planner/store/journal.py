"""The import journal: all or nothing for an import that commits in bounded batches.

A big import commits a batch at a time so that nobody else waits on the write lock for long
(services.people.import_people). Each batch's own transaction also writes one ``import_journal``
row: under the import's id, what that batch did, enough to undo it (the ids it inserted, each row
it updated as it was before), with the file's name and the writer's pid and host. The last batch's
transaction deletes the import's rows, so a finished import leaves none. An import that dies in
between (kill -9, a power cut) leaves its rows, and the next open of the store (or the next
import) undoes it from them in one transaction and says so in one line.

Whether the writer is gone is judged by a lock that dies with it, never by a pid alone (a pid
is reused, means nothing on another host, and is not visible from another container):

- SQLite: an importer holds a shared ``flock`` on ``<db>.import-lock`` for the whole import; the
  kernel drops it when the process dies. Recovery takes the exclusive lock without waiting: got
  it, no importer is alive, every journaled import is dead. Not got, one is alive; nothing is
  undone now (a dead import beside a live one is undone at the next open after).
- PostgreSQL: the importer holds a session advisory lock keyed by its import id on a connection
  of its own; the server drops it when that session ends, wherever the importer ran (a shared
  store is written from several hosts). Recovery tries each journaled import's lock inside its
  own transaction; got it, that importer is gone.

Where neither lock can be had (no ``fcntl``, a lock file that cannot be created), the pid is
judged on the host recorded: an import from another host is left alone.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from planner.models import UTCDateTime
from planner.text import count

journal_table = sa.Table(
    "import_journal",
    SQLModel.metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("import_id", sa.String(), nullable=False, index=True),
    sa.Column("batch", sa.Integer(), nullable=False),
    sa.Column("what", sa.String(), nullable=False),
    sa.Column("pid", sa.Integer(), nullable=False),
    sa.Column("host", sa.String(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("undo", sa.Text(), nullable=False),
)

# The first key of PostgreSQL advisory locks taken for imports ("plan"), so that they do not meet
# another application's locks in the same database
PG_LOCK_CLASS = 0x706C616E
# How long recovery on PostgreSQL waits for a journaled import's lock: a client killed a moment ago
# leaves a server session that ends only when the server reads the closed socket (milliseconds)
PG_GONE_WAIT_MS = 500


@dataclass
class BatchUndo:
    """What one batch did: rows it inserted (by table, in the order to delete them) and rows it
    updated as they were before, with the version the batch left (an undo skips a row someone
    changed since)."""

    inserted: dict[str, list[int]] = field(default_factory=dict)
    updated: dict[str, dict[int, tuple[int | None, dict[str, Any]]]] = field(default_factory=dict)

    def insert(self, table: str, ids) -> None:
        self.inserted.setdefault(table, []).extend(int(i) for i in ids)

    def update(self, table: str, row_id: int, before: dict[str, Any], version_after: int | None) -> None:
        self.updated.setdefault(table, {}).setdefault(int(row_id), (version_after, before))

    def empty(self) -> bool:
        return not any(self.inserted.values()) and not any(self.updated.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "inserted": [[t, ids] for t, ids in self.inserted.items()],
                "updated": [
                    [t, rid, ver, {k: _encode(v) for k, v in before.items()}]
                    for t, rows in self.updated.items()
                    for rid, (ver, before) in rows.items()
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> BatchUndo:
        data = json.loads(text)
        undo = cls()
        for table, ids in data.get("inserted", []):
            undo.insert(table, ids)
        for table, rid, ver, before in data.get("updated", []):
            columns = _table(table).columns
            undo.update(table, rid, {k: _decode(columns[k], v) for k, v in before.items()}, ver)
        return undo


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    col_type = column.type
    if isinstance(col_type, sa.types.TypeDecorator):
        col_type = col_type.impl_instance
    try:
        python_type = col_type.python_type
    except NotImplementedError:
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    return value


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def _rowcount(result: object) -> int:
    """How many rows a DELETE/UPDATE touched (a CursorResult's count; Session.execute is typed
    as returning the generic Result)."""
    return int(getattr(result, "rowcount", 0) or 0)


def undo_batch(session: Session, undo: BatchUndo) -> dict[str, int]:
    """Take one batch back (rows inserted deleted, rows updated put back unless changed since);
    how many rows of each table were undone."""
    undone: dict[str, int] = {}
    for name, ids in undo.inserted.items():
        table = _table(name)
        for start in range(0, len(ids), 500):
            gone = session.execute(sa.delete(table).where(table.c.id.in_(ids[start : start + 500])))
            undone[name] = undone.get(name, 0) + (_rowcount(gone) or 0)
    for name, rows in undo.updated.items():
        table = _table(name)
        for row_id, (version_after, before) in rows.items():
            where = table.c.id == row_id
            if version_after is not None and "version" in table.c:
                where = where & (table.c.version == version_after)
            done = session.execute(sa.update(table).where(where).values(**before))
            undone[name] = undone.get(name, 0) + (_rowcount(done) or 0)
    return undone


# --- writing the journal -----------------------------------------------------------------------


class ImportJournal:
    """One import's journal: ``record`` in each batch's transaction, ``finish`` in the last one."""

    def __init__(self, what: str):
        self.id = uuid.uuid4().hex
        self.what = what
        self.batches = 0

    def record(self, session: Session, undo: BatchUndo, now: datetime) -> None:
        if undo.empty():
            return
        self.batches += 1
        session.execute(
            journal_table.insert().values(
                import_id=self.id,
                batch=self.batches,
                what=self.what[:500],
                pid=os.getpid(),
                host=socket.gethostname(),
                created_at=now,
                undo=undo.to_json(),
            )
        )

    def finish(self, session: Session) -> None:
        if self.batches:
            session.execute(journal_table.delete().where(journal_table.c.import_id == self.id))

    def rollback(self, session: Session) -> dict[str, int]:
        """Undo what this import committed (an error part-way), in ``session``'s transaction."""
        return _undo_import(session, self.id)


def _undo_import(session: Session, import_id: str) -> dict[str, int]:
    rows = session.execute(
        sa.select(journal_table.c.undo)
        .where(journal_table.c.import_id == import_id)
        .order_by(journal_table.c.batch.desc())  # the last batch first: each row ends as the first batch found it
    ).scalars()
    undone: dict[str, int] = {}
    for text in list(rows):
        for name, n in undo_batch(session, BatchUndo.from_json(text)).items():
            undone[name] = undone.get(name, 0) + n
    session.execute(journal_table.delete().where(journal_table.c.import_id == import_id))
    return undone


def import_lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".import-lock")


@contextmanager
def importing(store, journal: ImportJournal) -> Iterator[None]:
    """Hold the lock that says this import's writer is alive, for as long as the import runs."""
    if store.is_sqlite:
        path = store.sqlite_path
        fh = None
        if path is not None:
            try:
                import fcntl

                fh = open(import_lock_path(path), "a+b")  # noqa: SIM115 - held open for the import
                fcntl.flock(fh, fcntl.LOCK_SH)  # waits while a recovery holds it exclusively
            except (ImportError, OSError):
                if fh is not None:
                    fh.close()
                fh = None  # judged by pid on this host instead
        try:
            yield
        finally:
            if fh is not None:
                fh.close()
        return
    conn = store.engine.connect()
    try:
        conn.execute(sa.text("SELECT pg_advisory_lock(:c, :k)"), {"c": PG_LOCK_CLASS, "k": _pg_key(journal.id)})
        conn.commit()
        yield
    finally:
        with suppress(Exception):
            conn.execute(sa.text("SELECT pg_advisory_unlock(:c, :k)"), {"c": PG_LOCK_CLASS, "k": _pg_key(journal.id)})
            conn.commit()
        conn.close()


def run_journaled(store, what: str, chunks: list, step, now: datetime) -> list:
    """``step(session, chunk, undo)`` for each chunk, each in its own transaction that journals
    ``undo`` (a BatchUndo the step fills); the last transaction ends the journal. An error or
    interrupt part-way undoes the committed chunks in one more transaction before it goes on.
    What each step returned, in order."""
    journal = ImportJournal(what)
    done = []
    with importing(store, journal):
        try:
            for i, chunk in enumerate(chunks):
                done.append(store.call(_journaled_step, journal, i == len(chunks) - 1, step, chunk, now))
        except BaseException:
            if journal.batches:
                store.call(journal.rollback)
            raise
    return done


def _journaled_step(session: Session, journal: ImportJournal, last: bool, step, chunk, now: datetime):
    undo = BatchUndo()
    result = step(session, chunk, undo)
    if last:
        journal.finish(session)
    else:
        journal.record(session, undo, now)
    return result


def _pg_key(import_id: str) -> int:
    return int(import_id[:7], 16)  # 28 bits: an int4, only ever compared among concurrent imports


# --- recovery ----------------------------------------------------------------------------------


@dataclass
class Interrupted:
    import_id: str
    what: str
    pid: int
    host: str


def _interrupted(session: Session) -> list[Interrupted]:
    c = journal_table.c
    rows = session.execute(
        sa.select(c.import_id, c.what, c.pid, c.host)
        .group_by(c.import_id, c.what, c.pid, c.host)
        .order_by(sa.func.min(c.id))
    ).all()
    return [Interrupted(*row) for row in rows]


def has_journal(store) -> bool:
    """Cheap: whether any import has journal rows (the one query every open pays)."""
    with store.read_connection() as conn:
        try:
            return conn.execute(sa.select(journal_table.c.id).limit(1)).first() is not None
        except sa.exc.DBAPIError:  # a schema older than 0008 (a migration not yet run)
            conn.rollback()
            return False


def _pid_gone_here(job: Interrupted) -> bool:
    if job.host != socket.gethostname():
        return False  # another host's pid cannot be judged from here
    from planner.store.db import _pid_alive

    return not _pid_alive(job.pid)


def recover(store) -> list[str]:
    """Undo every import whose writer is gone, each in one transaction; one line per import undone."""
    if getattr(store.engine, "info_read_only", False) or not has_journal(store):
        return []
    if store.is_sqlite:
        return _recover_sqlite(store)
    return _recover_pg(store)


def _recover_sqlite(store) -> list[str]:
    path = store.sqlite_path
    fh = None
    try:
        import fcntl

        fh = open(import_lock_path(path), "a+b")  # noqa: SIM115
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []  # an import is running: any dead one beside it waits for the next open
        gone = None  # the lock says: every journaled importer is gone
    except (ImportError, OSError, TypeError):
        gone = _pid_gone_here
    try:
        lines = []
        with store.reading() as session:
            jobs = _interrupted(session)
        for job in jobs:
            if gone is not None and not gone(job):
                continue
            with store.transaction() as session:
                lines.append(_undo_line(job, _undo_import(session, job.import_id)))
        return lines
    finally:
        if fh is not None:
            fh.close()


def _recover_pg(store) -> list[str]:
    lines = []
    with store.reading() as session:
        jobs = _interrupted(session)
    for job in jobs:
        with store.transaction() as session:
            before = session.execute(sa.text("SHOW lock_timeout")).scalar()
            session.execute(sa.text("SELECT set_config('lock_timeout', :v, true)"), {"v": f"{PG_GONE_WAIT_MS}ms"})
            try:
                with session.begin_nested():
                    session.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:c, :k)"),
                        {"c": PG_LOCK_CLASS, "k": _pg_key(job.import_id)},
                    )
            except sa.exc.OperationalError:  # lock_timeout: that importer is alive
                continue
            session.execute(sa.text("SELECT set_config('lock_timeout', :v, true)"), {"v": before})
            lines.append(_undo_line(job, _undo_import(session, job.import_id)))
    return lines


# the table whose rows an undo line counts, and its noun
_NOUNS = {"connection": "person", "post": "post"}


def _undo_line(job: Interrupted, undone: dict[str, int]) -> str:
    parts = [count(n, _NOUNS[t]) for t, n in undone.items() if t in _NOUNS and n] or ["nothing left to undo"]
    where = f"pid {job.pid}" + ("" if job.host == socket.gethostname() else f" on {job.host}")
    return f"an interrupted import of {job.what} ({where}) was undone: {', '.join(parts)}"
