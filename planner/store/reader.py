"""Plain-SQL reads that run on the ORM store or, at start-up, on the standard library's sqlite3.

Importing SQLAlchemy, SQLModel and the table classes costs about 0.3 s, more than the rest of
start-up. A read-only service written against ``Reader`` (``rows`` and ``bind_time``; see
services.today) runs either through a session (``SessionReader``) or, before the ORM store is
open, through ``SqliteReader``: the same SQL text, one definition, two drivers. The TUI uses the
second for Today's first frame and opens the store in the background meanwhile.

``open_sqlite_reader`` opens only a SQLite file whose schema is already at ``HEAD_REVISION``: a new
file, an older schema that must be migrated first, or a PostgreSQL URL gives None, and the caller
uses the store, which migrates. This module imports nothing beyond the standard library.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, overload
from urllib.parse import unquote

# The newest migration. Opening a database already at this revision skips Alembic entirely
# (importing it and reading the scripts costs more than the rest of start-up); a test keeps this
# constant equal to the scripts' head.
HEAD_REVISION = "0008"
BUSY_TIMEOUT_MS = 15_000


def busy_timeout_ms() -> int:
    """How long a writer waits for another's lock: BUSY_TIMEOUT_MS, or PLANNER_LOCK_TIMEOUT seconds
    (0-600) for a cron job that would rather wait longer, or a test that would rather not."""
    import os

    value = os.environ.get("PLANNER_LOCK_TIMEOUT")
    try:
        seconds = float(value) if value else None
    except ValueError:
        seconds = None
    if seconds is None or not 0 <= seconds <= 600:
        return BUSY_TIMEOUT_MS
    return int(seconds * 1000)


# how SQLAlchemy's SQLite dialect stores a DateTime (naive UTC here: see models.UTCDateTime)
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class Reader(Protocol):
    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]: ...

    def bind_time(self, value: datetime) -> Any: ...


@overload
def utc_value(value: None) -> None: ...
@overload
def utc_value(value: str | datetime) -> datetime: ...
@overload
def utc_value(value: object) -> datetime | None: ...


def utc_value(value: Any) -> datetime | None:
    """A timestamp column's value, as SQLite (text) or PostgreSQL (timestamptz) returns it, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _sqlite_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise TypeError("a naive datetime reached the database; times are aware and UTC")
    return value.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME_FORMAT)


class SqliteReader:
    """A read-only connection through the stdlib driver (``PRAGMA query_only``)."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        return self._conn.execute(sql, params or {}).fetchall()

    def bind_time(self, value: datetime) -> str:
        return _sqlite_time(value)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteReader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class SessionReader:
    """The same reads through an ORM session (SQLite or PostgreSQL)."""

    def __init__(self, session):
        self.session = session
        self._sqlite = session.get_bind().dialect.name == "sqlite"

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        from sqlalchemy import text  # loaded already: a session exists

        return [tuple(row) for row in self.session.execute(text(sql), params or {})]

    def bind_time(self, value: datetime) -> Any:
        return _sqlite_time(value) if self._sqlite else value.astimezone(UTC)


def as_reader(source) -> Reader:
    """A Reader as is, or a session wrapped in one."""
    return source if isinstance(source, (SqliteReader, SessionReader)) else SessionReader(source)


def sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL; None for anything else (memory, options, other dialects)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    database = url[len(prefix) :]
    if not database or "?" in database or database == ":memory:":
        return None
    return Path(unquote(database))


def open_sqlite_reader(url: str, timeout: float = BUSY_TIMEOUT_MS / 1000) -> SqliteReader | None:
    """A reader on the SQLite file at ``url`` if it exists with its schema at the head revision.
    ``timeout`` is how long a statement waits on a lock before sqlite3.OperationalError."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = ON")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # not our database, or no schema yet
        conn.close()
        return None
    if revision != [(HEAD_REVISION,)]:
        conn.close()
        return None
    return SqliteReader(conn)
