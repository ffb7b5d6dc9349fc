"""Engine and session factory; migrations applied when a database is opened.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the TUI and a cron refresh
can share one file. Before a migration touches an existing SQLite file, the file is copied to a
timestamped backup beside it. ``create_all`` is never used on a user database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlmodel import Session, create_engine

from planner.errors import PlannerError
from planner.store import journal as _journal  # noqa: F401 - its table belongs to the schema
from planner.store.reader import HEAD_REVISION, busy_timeout_ms

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
T = TypeVar("T")


def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # only when the versions folder is empty, which a packaged install never is
        raise RuntimeError(f"no migrations under {MIGRATIONS_DIR}")
    return head


# Set while Store.read runs: its transaction begins DEFERRED, so it takes no lock (WAL readers
# need none) and never waits on a writer. Every other transaction may write and begins IMMEDIATE.
_READING: ContextVar[bool] = ContextVar("planner_reading", default=False)


def _on_sqlite_connect(dbapi_conn, _record):
    # isolation_level=None hands transaction control to SQLAlchemy's events below, so that a
    # write transaction starts with BEGIN IMMEDIATE and never dead-ends in "database is locked"
    # when a reader upgrades to a writer; a read (Store.read) begins DEFERRED and takes no lock.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _on_read_only_connect(dbapi_conn, _record):
    dbapi_conn.isolation_level = None
    dbapi_conn.execute("PRAGMA query_only = ON")


def read_only_location(path: Path) -> bool:
    """An existing SQLite file that cannot be written where it is (a read-only file system, or a
    file or folder without write permission for us)."""
    import os

    if not path.is_file():
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def _on_sqlite_begin(conn):
    conn.exec_driver_sql("BEGIN" if _READING.get() else "BEGIN IMMEDIATE")


def sqlite_problem(exc: BaseException, where) -> str | None:
    """One line for a SQLite file that cannot serve: not a database, damaged, read-only. None for
    anything else."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.DatabaseError):
        return None
    text = str(orig)
    if "file is not a database" in text or "malformed" in text or "disk image" in text:
        return (
            f"{where} is not a planner database or is damaged ({text}); restore it from a backup "
            "(`planner restore FILE`) or a .bak copy beside it"
        )
    if "readonly" in text or "read-only" in text or "query_only" in text:
        return f"{where} is read-only: it can be read, but this change cannot be saved"
    if "unable to open database file" in text:
        return f"cannot open {where}: not a file SQLite can open here (a folder? no permission?)"
    return None


def pg_problem(exc: BaseException, url: str) -> str | None:
    """One line for a PostgreSQL database that takes no writes (default_transaction_read_only, a
    standby): a read still works. None for anything else."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) != "25006":  # read_only_sql_transaction
        return None
    where = make_url(url).render_as_string(hide_password=True)
    return f"{where} is read-only: it can be read, but this change cannot be saved"


def _is_locked(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def writer_note_path(db: Path) -> Path:
    """Beside the database: who is holding its write lock for long (an import), for the message
    another writer shows when it gives up waiting."""
    return db.with_name(db.name + ".writer")


def _pid_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def busy_message(db: Path | None) -> str:
    """Why a write gave up: who holds the lock when a planner said so, and how long we waited."""
    import json
    import os

    waited = f"waited {busy_timeout_ms() / 1000:g} s for it"
    if db is not None:
        try:
            note = json.loads(writer_note_path(db).read_text(encoding="utf-8"))
            pid, what = int(note["pid"]), str(note["what"])
        except (OSError, ValueError, KeyError, TypeError):
            note = None
        if note is not None and pid != os.getpid() and _pid_alive(pid):
            return f"the database is busy: another planner is {what} (pid {pid}); {waited}. Try again when it is done"
    return f"the database is busy: another program is writing to it; {waited}. Try again in a moment"


class Store:
    """An opened database: the engine, a session factory and helpers for services."""

    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url
        self._token_conn: sqlite3.Connection | None = None
        self._token_lock = threading.Lock()
        self.notices: list[str] = []  # one line each, for the person: what opening the store did

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        db = make_url(self.url).database
        return Path(db) if db and db != ":memory:" else None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error. It may write: on SQLite it
        takes the write lock at its first statement, waiting at most busy_timeout_ms() (15 s) for another
        writer, then fails with a PlannerError that says who holds it (see ``holding``)."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except DatabaseError as exc:
                session.rollback()
                if self.is_sqlite and _is_locked(exc):
                    raise PlannerError(busy_message(self.sqlite_path)) from exc
                problem = sqlite_problem(exc, self.sqlite_path) if self.is_sqlite else pg_problem(exc, self.url)
                if problem:
                    raise PlannerError(problem) from exc
                raise
            except BaseException:
                session.rollback()
                raise

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a service function ``fn(session, *args, **kwargs)`` in one transaction."""
        with self.transaction() as session:
            return fn(session, *args, **kwargs)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: on SQLite its transaction takes no lock, so it never waits on
        a writer (an import, a refresh) and never makes one wait."""
        token = _READING.set(True)
        try:
            # committed like any transaction: a read that creates a default on first use (the
            # strategy row) keeps it; a read that wrote nothing commits nothing
            with self.transaction() as session:
                yield session
        finally:
            _READING.reset(token)

    @contextmanager
    def read_connection(self) -> Iterator:
        """A Core connection for reads (dumps, counts, the schema revision): no lock, like ``reading``."""
        token = _READING.set(True)
        try:
            with self.engine.connect() as conn:
                yield conn
        finally:
            _READING.reset(token)

    def read(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a read-only service function ``fn(session, *args, **kwargs)`` (see ``reading``)."""
        with self.reading() as session:
            return fn(session, *args, **kwargs)

    @contextmanager
    def holding(self, what: str) -> Iterator[None]:
        """Around a long write (``what``: "importing Connections.csv"): leaves a note beside a
        SQLite file so that a writer that gives up waiting can say who holds the lock."""
        import json
        import os

        path = self.sqlite_path
        note = writer_note_path(path) if path is not None else None
        if note is not None:
            try:
                note.write_text(json.dumps({"pid": os.getpid(), "what": what}), encoding="utf-8")
            except OSError:  # a read-only folder: the message is vaguer, nothing else changes
                note = None
        try:
            yield
        finally:
            if note is not None:
                try:
                    note.unlink()
                except OSError:
                    pass

    def current_revision(self) -> str | None:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        with self.read_connection() as conn:
            try:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            except DBAPIError:  # no alembic_version table: an empty (or foreign) database
                conn.rollback()
                return None
        return rows[0] if len(rows) == 1 else None

    def upgrade(self, revision: str = "head", backup: bool = True) -> Path | None:
        """Bring the schema to ``revision``; back up a SQLite file that already holds a schema."""

        current = self.current_revision()
        if revision == "head" and current == HEAD_REVISION:
            return None
        target = head_revision() if revision == "head" else revision
        if current == target:
            return None
        if current is not None and current not in known_revisions():
            raise PlannerError(newer_schema_message(current, self.sqlite_path or self.url))
        if getattr(self.engine, "info_read_only", False):
            raise PlannerError(
                f"{self.sqlite_path} is read-only and its schema is "
                f"{'empty' if current is None else current}, older than this planner's "
                f"{HEAD_REVISION}: copy it somewhere writable to upgrade it"
            )
        backup_path = None
        path = self.sqlite_path
        if backup and path is not None and current is not None and path.exists():
            backup_path = backup_sqlite(path, reason=f"before-{target}")
            prune_backups(path)
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
        return backup_path

    def data_token(self) -> object | None:
        """A value that changes whenever any connection commits a change to the data, so that a
        cache of reads (tui.app's) stays valid exactly while it does not; None where there is none.

        SQLite: ``PRAGMA data_version`` of a connection kept for it (it counts commits by every
        other connection, this process's pool included). PostgreSQL: the server's WAL insert
        position, which every committed change advances (other activity may too: a cache then
        misses, never serves stale data)."""
        if self.is_sqlite:
            path = self.sqlite_path
            if path is None:
                return None
            with self._token_lock:
                if self._token_conn is None:
                    if read_only_location(path):
                        uri = "file:" + quote(str(path.resolve())) + "?mode=ro&immutable=1"
                        self._token_conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
                    else:
                        self._token_conn = sqlite3.connect(str(path), check_same_thread=False)
                return self._token_conn.execute("PRAGMA data_version").fetchone()[0]
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar()
        except DBAPIError:  # a standby in recovery has no insert position: no cache, every read fresh
            return None

    def watch_queries(self, check: Callable[[str], None]) -> None:
        """Call ``check(statement)`` before each statement this store's engine runs (the TUI
        warns of queries on its UI thread with it)."""
        from sqlalchemy import event

        def before(
            _conn: object, _cursor: object, statement: str, _params: object, _context: object, _many: bool
        ) -> None:
            check(statement)

        event.listen(self.engine, "before_cursor_execute", before)

    def dispose(self) -> None:
        if self._token_conn is not None:
            self._token_conn.close()
            self._token_conn = None
        self.engine.dispose()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def newer_schema_message(current: str, where) -> str:
    where = where if isinstance(where, Path) else make_url(str(where)).render_as_string(hide_password=True)
    return (
        f"{where} was written by a newer planner (schema {current}; this one knows up to {HEAD_REVISION}): "
        "upgrade planner to open it; nothing was changed"
    )


# Copies kept of a database before a migration: the last few, not one more per run
KEEP_MIGRATION_BACKUPS = 3


def prune_backups(path: Path, keep: int = KEEP_MIGRATION_BACKUPS) -> list[Path]:
    """Remove all but the newest ``keep`` pre-migration copies of ``path`` (``*.before-*.bak``); the removed."""
    copies = sorted(path.parent.glob(f"{path.name}.*.before-*.bak"), key=lambda p: (p.stat().st_mtime, p.name))
    removed = copies[:-keep] if keep else copies
    for old in removed:
        try:
            old.unlink()
        except OSError:
            pass
    return removed


def backup_sqlite(path: Path, reason: str = "backup") -> Path:
    """Copy a live SQLite file (WAL included) consistently, using SQLite's backup API."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.{stamp}.{reason}.bak")
    n = 1
    while dest.exists():
        dest = path.with_name(f"{path.name}.{stamp}.{reason}.{n}.bak")
        n += 1
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(dest))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return dest


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PlannerError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            if Path(db).expanduser().is_dir():
                raise PlannerError(
                    f"{db} is a folder, not a database file: give a file path (e.g. {Path(db) / 'planner.db'})"
                )
            parent = Path(db).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise PlannerError(f"cannot create the folder for the database {db}: {exc}") from exc
        path = Path(db).expanduser() if db and db != ":memory:" else None
        if path is not None and read_only_location(path):
            # a read-only folder, disk or snapshot: SQLite cannot make the WAL's -shm file there,
            # so open the file as immutable (nobody can change it there) and read only
            uri = "file:" + quote(str(path.resolve())) + "?mode=ro&immutable=1"
            engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
            engine.info_read_only = True  # type: ignore[attr-defined]
            event.listen(engine, "connect", _on_read_only_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms() / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except Exception as exc:  # missing driver, bad options
        raise PlannerError(f"cannot use database {parsed.render_as_string(hide_password=True)}: {exc}") from exc


def open_store(url: str, migrate: bool = True) -> Store:
    """Open (and by default migrate) the database at ``url``."""
    engine = make_engine(url)
    store = Store(engine, url)
    try:
        if migrate:
            store.upgrade("head")
    except DatabaseError as exc:
        engine.dispose()
        safe = make_url(url).render_as_string(hide_password=True)
        problem = sqlite_problem(exc, store.sqlite_path or safe) if store.is_sqlite else None
        raise PlannerError(problem or f"cannot open database {safe}: {exc.orig}") from exc
    if migrate:
        store.notices += recover_imports(store)
    return store


def recover_imports(store: Store) -> list[str]:
    """Undo imports whose writer died part-way (store.journal); a line for each, or for why not yet."""
    from planner.store.journal import recover

    try:
        return recover(store)
    except (PlannerError, DatabaseError) as exc:  # busy, read-only: the next open tries again
        return [f"an interrupted import could not be undone yet: {getattr(exc, 'orig', exc)}"]


def table_names(store: Store) -> list[str]:
    return inspect(store.engine).get_table_names()
