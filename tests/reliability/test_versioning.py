"""Two people editing one row: the stale edit is refused with a clear message (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from helpers import FIXED_NOW, populate_world
from sqlmodel import select

from planner.errors import ConflictError, PlannerError
from planner.models import Connection, Post, Touchpoint
from planner.services.today import agenda, mark_item
from planner.store import open_store
from planner.store.versioning import bump, load_for_edit


def _post_id(store) -> int:
    with store.transaction() as session:
        populate_world(session)
    with store.session() as session:
        return session.exec(select(Post.id)).one()


def _rename(session, post_id, title, expected_version):
    post = load_for_edit(session, Post, post_id, expected_version)
    post.title = title
    bump(post, FIXED_NOW)
    session.add(post)
    return post.version


def test_stale_edit_gets_a_clear_conflict_and_the_first_edit_survives(store, settings):
    post_id = _post_id(store)
    other = open_store(settings.db_url)  # a second person: own engine, own connections
    try:
        with store.session() as session:
            opened = session.get(Post, post_id).version  # both opened version 1
        assert other.call(_rename, post_id, "Alice's title", opened) == opened + 1
        with pytest.raises(ConflictError) as err:
            store.call(_rename, post_id, "Bob's title", opened)
        assert str(err.value) == (
            f"post {post_id} was changed by someone else since you opened it "
            f"(version {opened + 1}, you had {opened}); reload and try again"
        )
        with store.session() as session:
            post = session.get(Post, post_id)
            assert (post.title, post.version) == ("Alice's title", opened + 1)
        # after a reload Bob's edit goes through
        assert store.call(_rename, post_id, "Bob's title", opened + 1) == opened + 2
    finally:
        other.dispose()


def test_concurrent_editors_never_both_win(store, settings):
    """Two transactions race on one row: exactly one succeeds, the other sees the conflict."""
    post_id = _post_id(store)
    with store.session() as session:
        opened = session.get(Post, post_id).version
    other = open_store(settings.db_url)
    first_holds_lock = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def slow_editor():
        try:
            with other.transaction() as session:
                _rename(session, post_id, "first", opened)
                session.flush()
                first_holds_lock.set()
                release.wait(10)
            outcome["first"] = "ok"
        except Exception as exc:  # pragma: no cover - reported below
            outcome["first"] = exc
            first_holds_lock.set()

    def second_editor():
        try:
            store.call(_rename, post_id, "second", opened)
            outcome["second"] = "ok"
        except ConflictError as exc:
            outcome["second"] = exc

    t1 = threading.Thread(target=slow_editor)
    t1.start()
    assert first_holds_lock.wait(10)
    t2 = threading.Thread(target=second_editor)
    t2.start()
    t2.join(0.3)  # the second editor waits on the lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE)
    assert t2.is_alive(), "the second editor did not wait for the first one's transaction"
    release.set()
    t1.join(20)
    t2.join(20)
    other.dispose()
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], ConflictError), outcome
    assert "changed by someone else" in str(outcome["second"])
    with store.session() as session:
        post = session.get(Post, post_id)
        assert (post.title, post.version) == ("first", opened + 1)


def test_mark_item_from_a_stale_today_is_refused(store, settings):
    with store.transaction() as session:
        populate_world(session)
        person = session.exec(select(Connection)).first()
        session.add(
            Touchpoint(
                connection_id=person.id,
                kind="check_in",
                status="planned",
                due_at=FIXED_NOW - timedelta(hours=1),
                note="say hi",
            )
        )
    from zoneinfo import ZoneInfo

    # two people have Today open
    mine = store.call(agenda, FIXED_NOW, ZoneInfo("UTC"))
    touch = next(i for i in mine.items if i.kind == "touchpoint")
    other = open_store(settings.db_url)
    try:
        theirs = other.call(agenda, FIXED_NOW, ZoneInfo("UTC"))
        their_touch = next(i for i in theirs.items if i.id == touch.id and i.kind == "touchpoint")
        assert other.call(
            mark_item, "touchpoint", their_touch.id, False, FIXED_NOW, expected_version=their_touch.version
        )
    finally:
        other.dispose()
    with pytest.raises(
        ConflictError, match=rf"touchpoint {touch.id} was changed by someone else .*you had {touch.version}\)"
    ):
        store.call(mark_item, "touchpoint", touch.id, True, FIXED_NOW, expected_version=touch.version)
    with store.session() as session:
        row = session.get(Touchpoint, touch.id)
        assert row.status == "skipped" and row.done_at is None and row.version == touch.version + 1


def test_deleted_row_and_missing_row(store):
    post_id = _post_id(store)
    with pytest.raises(PlannerError, match=r"no post with id 999999") as err:
        store.call(load_for_edit, Post, 999_999)
    assert not isinstance(err.value, ConflictError)

    def delete(session):
        session.delete(session.get(Post, post_id))

    store.call(delete)
    with pytest.raises(ConflictError, match=rf"post {post_id} was deleted by someone else"):
        store.call(load_for_edit, Post, post_id, 1)


def test_people_are_called_people_in_messages(store):
    with store.transaction() as session:
        populate_world(session)
        pid = session.exec(select(Connection.id)).one()

    def stale(session):
        load_for_edit(session, Connection, pid, 0)

    with pytest.raises(ConflictError, match=rf"^person {pid} was changed by someone else"):
        store.call(stale)


def test_bump_advances_version_and_updated_at(store):
    post_id = _post_id(store)
    later = FIXED_NOW + timedelta(minutes=5)

    def edit(session):
        post = load_for_edit(session, Post, post_id)
        before = post.version
        bump(post, later)
        return before, post.version, post.updated_at

    before, after, updated = store.call(edit)
    assert after == before + 1 and updated == later
    with store.session() as session:
        assert session.get(Post, post_id).updated_at == later
