"""Undo for the session: the last done / skip / move / drop / delete of a post or a touchpoint.

A change that can be undone runs through :func:`run_undoable`, which keeps the row's columns as
they were before it (every column: a deleted row comes back whole, with its id). The caller keeps
the returned :class:`Change` on an :class:`UndoStack` (the TUI keeps one per app run); undoing is
:func:`undo_change`, one more service call, version-checked like every edit: a row someone changed
since is not overwritten (ConflictError), a row deleted since cannot be restored over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from planner import text
from planner.errors import ConflictError, PlannerError
from planner.models import Post, Touchpoint, utcnow

MODELS = {"post": Post, "touchpoint": Touchpoint}
KEEP = ("id", "version", "created_at")  # an undone change is still a change: a new version


@dataclass(frozen=True)
class Change:
    """One undoable change: what it was (for the toast), the row before it, its version after."""

    kind: str  # "post" | "touchpoint"
    id: int
    summary: str  # what the change said it did ("Share content touchpoint: done")
    before: dict  # every column of the row before the change
    version_after: int | None  # None: the change deleted the row
    links: tuple[tuple[str, str, tuple[int, ...]], ...] = ()  # (table, column, ids) that pointed at the row


def _links(session: Session, model, item_id: int) -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    """The rows that point at this one through a foreign key that a delete sets to NULL (a
    touchpoint's post, a post result's post, a notification's touchpoint): an undone delete
    points them back."""
    table = model.__table__
    found = []
    for other in table.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table and fk.ondelete and fk.ondelete.upper() == "SET NULL":
                key = other.primary_key.columns.values()[0]
                ids = session.execute(sa.select(key).where(fk.parent == item_id)).scalars().all()
                if ids:
                    found.append((other.name, fk.parent.name, tuple(ids)))
    return tuple(found)


def _model(kind: str):
    model = MODELS.get(kind)
    if model is None:
        raise PlannerError(f"unknown item kind {kind!r} (expected post or touchpoint)")
    return model


def _columns(row) -> dict:
    return {c.key: getattr(row, c.key) for c in sa.inspect(type(row)).mapper.column_attrs}


def run_undoable(session: Session, kind: str, item_id: int, change: Callable[[Session], str]) -> tuple[str, Change]:
    """Run ``change(session)`` (a service call on that one row: mark, move, drop, delete) and
    return its message with what undoes it."""
    model = _model(kind)
    row = session.get(model, item_id, populate_existing=True)
    if row is None:
        raise PlannerError(f"no {kind} with id {item_id}")
    before = _columns(row)
    message = change(session)
    session.flush()
    after = session.get(model, item_id, populate_existing=True)
    if after is not None:
        return message, Change(kind, item_id, message, before, after.version)
    return message, Change(kind, item_id, message, before, None, session.info.pop(_LINKS, ()))


def undo_change(session: Session, change: Change, now: datetime | None = None) -> str:
    """Put the row back as it was before ``change``. Returns what was undone, for people."""
    from planner.store.versioning import bump, load_for_edit

    now = now or utcnow()
    model = _model(change.kind)
    if change.version_after is None:  # a delete: the row comes back with its id
        if session.get(model, change.id) is not None:
            raise ConflictError(f"{change.kind} {change.id} exists again; nothing to restore")
        row = model(**change.before)
        bump(row, now)
        session.add(row)
        session.flush()
        for table_name, column, ids in change.links:  # what pointed at it and still points nowhere
            other = model.metadata.tables[table_name]
            key = other.primary_key.columns.values()[0]
            session.execute(sa.update(other).where(key.in_(ids), other.c[column].is_(None)).values({column: change.id}))
    else:
        row = load_for_edit(session, model, change.id, change.version_after)
        for name, value in change.before.items():
            if name not in KEEP:
                setattr(row, name, value)
        bump(row, now)
        session.add(row)
        session.flush()
    return f"Undone: {change.summary}"


_LINKS = "undo_links"  # session.info key: what a delete_item unlinked, for run_undoable's Change


def delete_item(session: Session, kind: str, item_id: int, expected_version: int | None = None) -> str:
    """Delete a post or a touchpoint (the screens ask first; undo brings it back). What pointed
    at it is noted first (only a delete reads it: done, skip and move do not pay for it)."""
    session.info[_LINKS] = _links(session, _model(kind), item_id)
    if kind == "post":
        from planner.services.posts import delete_post

        return f"deleted {delete_post(session, item_id, expected_version)}"
    return f"deleted {delete_touchpoint(session, item_id, expected_version)}"


def delete_touchpoint(session: Session, touch_id: int, expected_version: int | None = None) -> str:
    from planner.models import Connection
    from planner.store.versioning import load_for_edit

    touch = load_for_edit(session, Touchpoint, touch_id, expected_version)
    person = session.get(Connection, touch.connection_id)
    name = (
        " ".join(p for p in (person.first_name, person.last_name) if p) if person else f"person {touch.connection_id}"
    )
    label = f"{text.label(touch.kind)} touchpoint with {name}"
    session.delete(touch)
    session.flush()
    return label


class UndoStack:
    """The changes of one session, newest last (bounded). Screens push from their workers."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self._changes: list[Change] = []
        self._lock = threading.Lock()

    def push(self, change: Change) -> None:
        with self._lock:
            self._changes.append(change)
            del self._changes[: -self.limit]

    def pop(self) -> Change | None:
        with self._lock:
            return self._changes.pop() if self._changes else None

    def __len__(self) -> int:
        return len(self._changes)
