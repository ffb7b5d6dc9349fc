from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import FIXED_NOW, populate_world
from sqlmodel import select

from planner.models import ALL_TABLES, Entry, Post
from planner.store import open_store
from planner.store.db import head_revision, table_names


def test_migrations_build_every_table_from_empty(store):
    names = set(table_names(store))
    assert {m.__tablename__ for m in ALL_TABLES} <= names
    assert "alembic_version" in names
    assert store.current_revision() == head_revision()


@pytest.mark.sqlite_only
def test_sqlite_runs_wal_with_foreign_keys(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_timestamps_come_back_aware_utc(store):
    with store.transaction() as session:
        populate_world(session)
    with store.session() as session:
        entry = session.exec(select(Entry)).one()
        post = session.exec(select(Post)).one()
    assert entry.published_at.tzinfo is not None and entry.published_at.utcoffset().total_seconds() == 0
    assert post.scheduled_at == FIXED_NOW + (post.scheduled_at - FIXED_NOW)
    assert post.scheduled_at.isoformat().endswith("+00:00")


def test_foreign_keys_cascade_entries_with_their_feed(store):
    from planner.models import Feed

    with store.transaction() as session:
        populate_world(session)
    with store.transaction() as session:
        session.delete(session.exec(select(Feed)).one())
    with store.session() as session:
        assert session.exec(select(sa.func.count()).select_from(Entry)).one() == 0
        # the post that linked the entry survives, unlinked
        assert session.exec(select(Post)).one().source_entry_id is None


def test_reopening_a_current_database_changes_nothing(settings, store):
    with store.transaction() as session:
        populate_world(session)
    again = open_store(settings.db_url)
    assert again.upgrade() is None  # nothing to do, no backup written
    again.dispose()


def test_head_revision_constant_matches_the_migration_scripts():
    from planner.store.db import HEAD_REVISION
    from planner.store.reader import HEAD_REVISION as READER_HEAD

    assert HEAD_REVISION == READER_HEAD == head_revision()


def test_sqlite_reader_opens_only_a_plain_sqlite_file_at_head(tmp_path, store, settings):
    """store.reader serves Today's first frame without SQLAlchemy; anything it cannot read safely
    (no file, memory, other dialects, URL options, an old or foreign schema) gives None."""
    import sqlite3

    from planner.store.reader import open_sqlite_reader, sqlite_file

    assert sqlite_file("sqlite:////abs/planner.db") == Path("/abs/planner.db")
    assert sqlite_file("sqlite:///rel dir/p.db") == Path("rel dir/p.db")
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///x.db?mode=ro", "postgresql+psycopg://u@h/db"):
        assert sqlite_file(url) is None and open_sqlite_reader(url) is None
    assert open_sqlite_reader(f"sqlite:///{tmp_path / 'missing.db'}") is None
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert open_sqlite_reader(f"sqlite:///{foreign}") is None
    if store.is_sqlite:
        with open_sqlite_reader(settings.db_url) as reader:
            assert reader.rows("SELECT version_num FROM alembic_version") == [(head_revision(),)]
            with pytest.raises(sqlite3.OperationalError):  # read-only: PRAGMA query_only
                reader.rows("DELETE FROM post")


def test_data_token_moves_with_every_committed_change_from_any_connection(store, settings):
    """tui.app's read cache is valid exactly while Store.data_token does not move."""
    from planner.models import Topic

    first = store.data_token()
    assert first is not None
    if store.is_sqlite:  # PostgreSQL's WAL position may also move with the server's own work
        store.call(lambda session: session.exec(select(Post)).all())
        assert store.data_token() == first, "a read is not a change"
    with store.transaction() as session:
        session.add(Topic(name="through this store"))
    second = store.data_token()
    assert second != first
    other = open_store(settings.db_url)  # another engine: as a cron refresh or a teammate would be
    with other.transaction() as session:
        session.add(Topic(name="through another connection"))
    other.dispose()
    assert store.data_token() != second


def test_migration_0004_keeps_its_own_merge_key_equal_to_the_service_on_its_data():
    """Migration 0004 backfilled merge keys with a frozen copy of the rule; on the phrases it
    migrated (the demo's and the near-duplicate forms trends merge) both give the same key."""
    import importlib.util

    from planner.store import db as store_db
    from planner.words import keyword_key

    path = Path(store_db.__file__).parent / "migrations" / "versions" / "0004_keyword_merge_key.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    phrases = [
        "AI ops",
        "AIOps",
        "ai-ops",
        "SLOs",
        "slo",
        "C++ tooling",
        "C# services",
        "platform engineering",
        "Incident Postmortems",
        "error budgets",
        "",
        "   ",
        "Ünïcode wörds",
        "k8s",
    ]
    for phrase in phrases:
        assert module.frozen_keyword_key(phrase) == keyword_key(phrase), phrase
