"""Engine and session factory; migrations applied when a database is opened.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the TUI and a cron refresh
can share one file. Before a migration touches an existing SQLite file, the file is copied to a
timestamped backup beside it. ``create_all`` is never used on a user database.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

from planner.errors import PlannerError
from planner.store.reader import BUSY_TIMEOUT_MS, HEAD_REVISION

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

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _on_sqlite_connect(dbapi_conn, _record):
    # isolation_level=None hands transaction control to SQLAlchemy's events below, so that a
    # write transaction starts with BEGIN IMMEDIATE and never dead-ends in "database is locked"
    # when a reader upgrades to a writer.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _on_sqlite_begin(conn):
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """An opened database: the engine, a session factory and helpers for services."""

    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url
        self._token_conn: sqlite3.Connection | None = None
        self._token_lock = threading.Lock()

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
        """A session that commits on success and rolls back on error."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a service function ``fn(session, *args, **kwargs)`` in one transaction."""
        with self.transaction() as session:
            return fn(session, *args, **kwargs)

    def current_revision(self) -> str | None:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        with self.engine.connect() as conn:
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
        backup_path = None
        path = self.sqlite_path
        if backup and path is not None and current is not None and path.exists():
            backup_path = backup_sqlite(path, reason=f"before-{target}")
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
                    self._token_conn = sqlite3.connect(str(path), check_same_thread=False)
                return self._token_conn.execute("PRAGMA data_version").fetchone()[0]
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar()
        except DBAPIError:  # a standby in recovery has no insert position: no cache, every read fresh
            return None

    def dispose(self) -> None:
        if self._token_conn is not None:
            self._token_conn.close()
            self._token_conn = None
        self.engine.dispose()


def backup_sqlite(path: Path, reason: str = "backup") -> Path:
    """Copy a live SQLite file (WAL included) consistently, using SQLite's backup API."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
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
            parent = Path(db).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise PlannerError(f"cannot create the folder for the database {db}: {exc}") from exc
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
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
    except OperationalError as exc:
        engine.dispose()
        safe = make_url(url).render_as_string(hide_password=True)
        raise PlannerError(f"cannot open database {safe}: {exc.orig}") from exc
    return store


def table_names(store: Store) -> list[str]:
    return inspect(store.engine).get_table_names()
