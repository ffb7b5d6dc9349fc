"""The store: engine/session factory, Alembic migrations, backup and restore.

``open_store`` and ``Store`` load on first use, so a light submodule (``planner.store.reader``) can be
imported without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.store.db import Store, open_store

__all__ = ["Store", "open_store"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from planner.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'planner.store' has no attribute {name!r}")
