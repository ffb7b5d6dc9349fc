"""Optimistic concurrency for rows people edit: two people planning in one database.

A screen reads a row together with its ``version``; when the person saves, the service calls
:func:`load_for_edit` with the version they saw. If someone else saved in between, the versions
differ and the edit is refused with a :class:`~planner.errors.ConflictError` that says what
happened, instead of silently overwriting the other person's change. :func:`bump` then marks the
row as changed (``version + 1``, ``updated_at``).

The check and the write must not interleave with another writer's, or two stale edits could both
pass the check:

* PostgreSQL: the row is read ``SELECT … FOR UPDATE``, so a second editor waits on the row lock
  until the first commits and then sees the new version (READ COMMITTED re-reads locked rows).
* SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`planner.store.db`), so a
  write transaction already excludes every other writer; ``FOR UPDATE`` is not rendered there.

    def rename_post(session, post_id, title, now, expected_version=None):
        post = load_for_edit(session, Post, post_id, expected_version)
        post.title = title
        bump(post, now)
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, SQLModel

from planner.errors import ConflictError, PlannerError
from planner.models import utcnow

M = TypeVar("M", bound=SQLModel)

# What a person calls each kind of row in a message ("post 12 was changed …").
_LABELS = {
    "connection": "person",
    "touchpoint": "touchpoint",
    "post": "post",
    "strategy": "strategy",
    "community_group": "group",
    "event": "event",
    "entry": "entry",
    "feed": "feed",
    "topic": "topic",
    "tag": "tag",
}

__all__ = ["load_for_edit", "check_version", "bump", "row_label", "conflict_message"]


def row_label(model: type[SQLModel] | SQLModel) -> str:
    """``post``, ``touchpoint``, ``person`` … for messages."""
    table = getattr(model, "__tablename__", None) or type(model).__name__.lower()
    return _LABELS.get(str(table), str(table).replace("_", " "))


def conflict_message(label: str, row_id: object, current: int, expected: int) -> str:
    return (
        f"{label} {row_id} was changed by someone else since you opened it "
        f"(version {current}, you had {expected}); reload and try again"
    )


def check_version(row: SQLModel, expected_version: int | None, label: str | None = None) -> None:
    """Raise ConflictError if ``row.version`` is not the version the editor saw."""
    if expected_version is None:
        return
    current = row.version  # type: ignore[attr-defined]
    if current != expected_version:
        raise ConflictError(
            conflict_message(label or row_label(row), getattr(row, "id", "?"), current, expected_version)
        )


def load_for_edit(
    session: Session, model: type[M], row_id: int, expected_version: int | None = None, *, label: str | None = None
) -> M:
    """The row to edit, locked against other writers, checked against ``expected_version``.

    ``expected_version=None`` means the caller did not read the row first (a CLI command acting
    on the current state): the row is still locked, but no version is compared. A row deleted
    since it was opened is a conflict too when a version was expected.
    """
    label = label or row_label(model)
    row = session.get(model, row_id, with_for_update=True, populate_existing=True)
    if row is None:
        if expected_version is not None:
            raise ConflictError(f"{label} {row_id} was deleted by someone else since you opened it; reload")
        raise PlannerError(f"no {label} with id {row_id}")
    check_version(row, expected_version, label)
    return row


def bump(row: SQLModel, now: datetime | None = None) -> SQLModel:
    """Record an edit: next version, ``updated_at`` = now (when the table has one)."""
    row.version = (row.version or 0) + 1  # type: ignore[attr-defined]
    if hasattr(row, "updated_at"):
        row.updated_at = now or utcnow()
    return row
