"""Migrations keep data: a database made by the first migration, full of rows, upgraded to head.

The rows go in with raw inserts into the tables as the *first* migration made them (reflected,
not from today's models), so the test keeps meaning something as migrations are added: every row
and every original column value must still be there at head, and today's models must read them.
A SQLite file at an older revision is copied to a ``.bak`` before the upgrade touches it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import populate_world
from sqlmodel import SQLModel, select

from planner.models import ALL_TABLES
from planner.store import open_store
from planner.store.db import head_revision

FIRST = "0001"
# tables a later migration made (empty after the upgrade; their own tests fill them)
BASE_TIME = datetime(2026, 11, 25, 9, 30, 12, 345678, tzinfo=UTC)


def _revisions() -> list[str]:
    """Every revision from the first to head, oldest first."""
    from alembic.script import ScriptDirectory

    from planner.store.db import _alembic_config

    scripts = ScriptDirectory.from_config(_alembic_config())
    return [s.revision for s in reversed(list(scripts.walk_revisions("base", "heads")))]


def _value(table: sa.Table, column: sa.Column, n: int, dialect: str):
    """A value for row ``n`` (1-based) that fits the column and is unique within the table."""
    if column.foreign_keys:
        return n  # rows 1 and 2 of the referenced table exist: tables are filled in dependency order
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is bool:
        return n % 2 == 0
    if python_type is int:
        return 10 + n
    if python_type is float:
        return 0.25 + n
    if python_type is datetime:
        value = BASE_TIME + timedelta(days=n, microseconds=n)
        return value.replace(tzinfo=None) if dialect == "sqlite" else value
    if python_type is date:
        return date(2024, 10, n)
    if python_type is bytes:
        return bytes([n, 0, 255, 10])
    text = f"{n}·{column.name} [bold]{table.name}[/] Zoë 🚀"
    length = getattr(column.type, "length", None)
    return text[:length] if length else text


def _fill_every_table(engine) -> dict[str, list[dict]]:
    """Two rows in every table of the schema as it is now (reflected), every column set."""
    meta = sa.MetaData()
    meta.reflect(engine)
    tables = [t for t in meta.sorted_tables if t.name != "alembic_version"]
    with engine.begin() as conn:
        for table in tables:
            rows = []
            for n in (1, 2):
                row = {}
                for column in table.columns:
                    if (
                        column.primary_key
                        and column.autoincrement in (True, "auto")
                        and not column.foreign_keys
                        and isinstance(column.type, sa.Integer)
                        and len(table.primary_key.columns) == 1
                    ):
                        continue  # the database numbers them 1, 2
                    row[column.name] = _value(table, column, n, engine.dialect.name)
                rows.append(row)
            conn.execute(table.insert(), rows)
    return _snapshot(engine, [t.name for t in tables])


def _snapshot(engine, names: list[str]) -> dict[str, list[dict]]:
    meta = sa.MetaData()
    meta.reflect(engine, only=names)
    out = {}
    with engine.connect() as conn:
        for name in names:
            table = meta.tables[name]
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
            out[name] = [{k: _normal(v) for k, v in row.items()} for row in rows]
    return out


def _normal(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


# tables later migrations added (a downgrade past their migration drops them, rows and all)
LATER_TABLES = {
    "linkedin_record": "0006",
    "analytics_day": "0006",
    "post_result": "0006",
    "notification": "0007",
    "notify_run": "0007",
    "import_journal": "0008",  # not a model of ALL_TABLES: the store's own, empty but during an import
}


def _at_first_migration(url: str):
    store = open_store(url, migrate=False)
    store.upgrade(FIRST, backup=False)
    assert store.current_revision() == FIRST
    return store


def test_rows_made_at_the_first_migration_survive_the_upgrade_to_head(settings):
    store = _at_first_migration(settings.db_url)
    try:
        before = _fill_every_table(store.engine)
        # the first migration made every table but the later ones
        assert {m.__tablename__ for m in ALL_TABLES} - set(LATER_TABLES) <= set(before)
        assert all(len(rows) == 2 for rows in before.values())
        store.upgrade("head")
        assert store.current_revision() == head_revision()
        after = _snapshot(store.engine, list(before))
        for name, rows in before.items():
            assert len(after[name]) == len(rows), name
            for old, new in zip(rows, after[name], strict=True):
                assert {k: new.get(k) for k in old} == old, f"{name}: a value changed in the upgrade"
        # today's models read every migrated row (catches a model changed without a migration)
        with store.session() as session:
            for model in ALL_TABLES:
                expected = 0 if model.__tablename__ in LATER_TABLES else 2
                assert len(session.exec(select(model)).all()) == expected, model.__tablename__
    finally:
        store.dispose()


def test_migrations_build_exactly_what_the_models_describe(store):
    """No drift: the schema the migrations build equals models.py (a model change needs a migration)."""
    _assert_no_drift(store)


def _assert_no_drift(store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models.py and the migrations disagree: {diff}"


def test_downgrade_then_upgrade_round_trip(settings):
    """Each migration step can be undone and redone; rows in tables the step keeps survive."""
    store = open_store(settings.db_url)
    try:
        with store.transaction() as session:
            populate_world(session)
        revisions = _revisions()
        assert revisions[0] == FIRST and revisions[-1] == head_revision()
        if len(revisions) == 1:
            # one migration so far: undoing it must drop everything, redoing it must rebuild the same schema
            store.upgrade("head")
            from alembic import command

            from planner.store.db import _alembic_config

            with store.engine.begin() as conn:
                command.downgrade(_alembic_config(conn), "base")
            assert set(sa.inspect(store.engine).get_table_names()) <= {"alembic_version"}
            store.upgrade("head", backup=False)
            _assert_no_drift(store)
            return
        # a table a later migration made is dropped by undoing it: its rows cannot survive
        first_tables = [m.__tablename__ for m in ALL_TABLES if m.__tablename__ not in LATER_TABLES]
        before = _snapshot(store.engine, first_tables)
        from alembic import command

        from planner.store.db import _alembic_config

        for older in reversed(revisions[:-1]):
            with store.engine.begin() as conn:
                command.downgrade(_alembic_config(conn), older)
            assert store.current_revision() == older
        store.upgrade("head", backup=False)
        after = _snapshot(store.engine, first_tables)
        for name, rows in before.items():
            assert len(after[name]) == len(rows), f"{name}: rows lost in a downgrade/upgrade round trip"
    finally:
        store.dispose()


@pytest.mark.sqlite_only
def test_a_sqlite_file_at_an_older_revision_is_backed_up_before_upgrading(tmp_path, monkeypatch):
    if len(_revisions()) < 2:
        # one migration so far: run the real upgrade path against a copy of the scripts plus a
        # harmless second step, so the backup is exercised today and not only once 0002 lands
        _with_a_second_migration(tmp_path / "migrations", monkeypatch)
    db = tmp_path / "planner.db"
    url = f"sqlite:///{db}"
    store = _at_first_migration(url)
    before = _fill_every_table(store.engine)
    store.dispose()
    assert not list(tmp_path.glob("*.bak"))

    upgraded = open_store(url)  # what every command does on start
    assert upgraded.current_revision() == head_revision()
    upgraded.dispose()
    backups = list(tmp_path.glob("planner.db.*.bak"))
    assert len(backups) == 1, backups
    assert f"before-{head_revision()}" in backups[0].name
    # the backup is the database as it was: at the old revision, with every row
    old = open_store(f"sqlite:///{backups[0]}", migrate=False)
    assert old.current_revision() == FIRST
    assert _snapshot(old.engine, list(before)) == before
    old.dispose()
    # opening again at head writes no further backup
    open_store(url).dispose()
    assert len(list(tmp_path.glob("planner.db.*.bak"))) == 1


SECOND_STEP = """
from alembic import op

revision = "9999"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_test_connection_company", "connection", ["company"])


def downgrade():
    op.drop_index("ix_test_connection_company", "connection")
"""


def _with_a_second_migration(folder, monkeypatch) -> None:
    import shutil

    from planner.store import db as store_db

    shutil.copytree(store_db.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_test_step.py").write_text(SECOND_STEP, encoding="utf-8")
    monkeypatch.setattr(store_db, "MIGRATIONS_DIR", folder)
    monkeypatch.setattr(store_db, "HEAD_REVISION", "9999")
    assert store_db.head_revision() == "9999"


def _stamped(store, revision: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_database_from_a_newer_planner_is_one_line_and_no_backup(settings, tmp_path):
    """Issue 15: every command tracebacked (Can't locate revision) and each run wrote another .bak."""
    from helpers import run_planner

    store = open_store(settings.db_url)
    _stamped(store, "0099")
    store.dispose()
    for _ in range(2):
        result = run_planner("--db", settings.db_url, "stats")
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "was written by a newer planner (schema 0099; this one knows up to" in lines[0], (
            result.stderr
        )
    assert not list(tmp_path.glob("**/*.bak"))


@pytest.mark.sqlite_only
def test_only_the_last_few_migration_backups_are_kept(tmp_path):
    import os

    from planner.store.db import KEEP_MIGRATION_BACKUPS, prune_backups

    db = tmp_path / "planner.db"
    db.write_bytes(b"")
    made = []
    for i in range(6):
        copy = tmp_path / f"planner.db.2026010{i}T000000Z.before-000{i}.bak"
        copy.write_bytes(b"x")
        os.utime(copy, (1_700_000_000 + i, 1_700_000_000 + i))
        made.append(copy)
    (tmp_path / "planner.db.mine.bak").write_bytes(b"kept: not a pre-migration copy")
    prune_backups(db)
    assert sorted(tmp_path.glob("planner.db.*before-*.bak")) == made[-KEEP_MIGRATION_BACKUPS:]
    assert (tmp_path / "planner.db.mine.bak").exists()
