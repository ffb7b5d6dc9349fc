from __future__ import annotations

import json

import pytest

from helpers import populate_world
from planner.errors import PlannerError
from planner.store import open_store
from planner.store.backup import dump, load, read_backup, restore_file, row_counts, write_backup


def test_round_trip_reproduces_every_row(store, tmp_path, settings):
    with store.transaction() as session:
        populate_world(session)
    path = tmp_path / "backup.json"
    counts = write_backup(store, path)
    assert all(n >= 1 for n in counts.values()), counts  # the world fills every table

    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    restore_file(other, path)
    before, after = dump(store)["tables"], dump(other)["tables"]
    assert after == before
    other.dispose()


def test_restore_refuses_a_non_empty_database_unless_replace(store, tmp_path):
    with store.transaction() as session:
        populate_world(session)
    path = tmp_path / "b.json"
    write_backup(store, path)
    with pytest.raises(PlannerError, match="not empty.*--replace"):
        restore_file(store, path)
    restore_file(store, path, replace=True)
    assert row_counts(store)["connection"] == 1


def test_a_failed_restore_leaves_the_database_untouched(store, tmp_path):
    with store.transaction() as session:
        populate_world(session)
    data = dump(store)
    data["tables"]["post"][0]["scheduled_at"] = "not a date"
    before = dump(store)["tables"]
    with pytest.raises(PlannerError, match="table post row 1"):
        load(store, data, replace=True)
    assert dump(store)["tables"] == before


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "other"}', "not a planner backup"),
        ('{"format": "planner-backup", "version": 99, "tables": {}}', "version 99"),
    ],
)
def test_bad_backup_files_are_named_clearly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PlannerError, match=message):
        read_backup(path)


def test_backup_is_versioned_json(store, tmp_path):
    path = tmp_path / "b.json"
    write_backup(store, path)
    data = json.loads(path.read_text())
    assert data["format"] == "planner-backup" and data["version"] == 1 and data["schema"]
