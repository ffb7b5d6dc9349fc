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


def _world_backup(store, tmp_path):
    with store.transaction() as session:
        populate_world(session)
    return dump(store)


def test_replace_with_a_backup_missing_tables_is_refused_unless_partial(store, tmp_path):
    """Issue 15: `restore --replace` of a backup without the post table emptied it, exit 0."""
    data = _world_backup(store, tmp_path)
    before = dump(store)["tables"]
    del data["tables"]["post"]
    with pytest.raises(
        PlannerError,
        match=r"the backup has no post table; restoring it would empty post\. "
        r"Use --partial",
    ):
        load(store, data, replace=True)
    assert dump(store)["tables"] == before
    load(store, data, replace=True, partial=True)
    kept = dump(store)["tables"]["post"]  # kept, not emptied (a link to a replaced row follows ON DELETE)
    assert [(p["id"], p["title"], p["body"]) for p in kept] == [
        (p["id"], p["title"], p["body"]) for p in before["post"]
    ]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda t: t["connection"].append(dict(t["connection"][0])), "table connection: the database refused a row"),
        (lambda t: t["touchpoint"][0].update(connection_id=987654), "refers to a missing|refused a row"),
        (
            lambda t: t["connection"][0].update(first_name=None),
            "table connection row 1: first_name is empty but required",
        ),
        (lambda t: t["connection"][0].update(id=99999999999999999999999), "table connection row 1: id 9+ is too large"),
        (
            lambda t: t["connection"][0].update(connected_on="9999-12-31"),
            "connected_on 9999-12-31 is outside 1900–2199",
        ),
        (
            lambda t: t["connection"][0].update(first_name={"a": [1]}),
            "table connection row 1: first_name holds a nested",
        ),
        (
            lambda t: t["strategy"][0].update(timezone="Mars/Olympus_Mons"),
            "table strategy row 1: timezone 'Mars/Olympus_Mons' is not",
        ),
    ],
)
def test_hand_edited_backups_are_refused_by_table_and_row_and_change_nothing(store, tmp_path, damage, message):
    data = _world_backup(store, tmp_path)
    before = dump(store)["tables"]
    damage(data["tables"])
    with pytest.raises(PlannerError, match=message):
        load(store, data, replace=True)
    assert dump(store)["tables"] == before


def test_deeply_nested_and_endless_backup_files_are_refused(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"tables": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(PlannerError, match="nested too deeply"):
        read_backup(deep)
    with pytest.raises(PlannerError, match="not a planner backup"):
        read_backup("/dev/zero")  # refused from its first bytes, not after reading 512 MB
    big = tmp_path / "big.json"
    big.write_text("{" + " " * (2 * 1024 * 1024) + "}")
    with pytest.raises(PlannerError, match="larger than 1 MB, more than any planner backup; not read"):
        read_backup(big, max_bytes=1024 * 1024)
