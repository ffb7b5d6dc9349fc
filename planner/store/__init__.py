"""The store: engine/session factory, Alembic migrations, backup and restore."""

from planner.store.db import Store, open_store

__all__ = ["Store", "open_store"]
