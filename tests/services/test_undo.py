"""Delete and undo (services.undo): every change comes back as it was, or refuses to overwrite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import FIXED_NOW
from sqlmodel import select

from planner.errors import ConflictError
from planner.models import Connection, Post, Touchpoint
from planner.services import review as review_service
from planner.services.today import mark_item
from planner.services.undo import UndoStack, delete_item, run_undoable, undo_change
from planner.services.week import move_item


def _world(store) -> tuple[int, int, int]:
    with store.transaction() as s:
        person = Connection(first_name="Ada", last_name="Lovelace")
        s.add(person)
        s.flush()
        touch = Touchpoint(
            connection_id=person.id,
            kind="share_content",
            due_at=FIXED_NOW - timedelta(days=2),
            note="the SLO article",
            message="Thought of you",
        )
        post = Post(
            title="Error budgets",
            body="Three lessons",
            status="scheduled",
            pillar="content_share",
            scheduled_at=FIXED_NOW - timedelta(days=1),
            hashtags="sre slo",
        )
        s.add(touch)
        s.add(post)
        s.flush()
        return person.id, touch.id, post.id


def _row(store, model, row_id):
    with store.session() as s:
        row = s.get(model, row_id)
        return None if row is None else row.model_dump()


def _same_but_version(before: dict, after: dict) -> None:
    skip = {"version", "updated_at"}
    assert {k: v for k, v in after.items() if k not in skip} == {k: v for k, v in before.items() if k not in skip}


def test_undo_done_skip_move_and_drop_restore_the_row(store):
    _, touch_id, post_id = _world(store)
    stack = UndoStack()
    changes = [
        ("touchpoint", touch_id, lambda s: mark_item(s, "touchpoint", touch_id, True, FIXED_NOW)),
        ("post", post_id, lambda s: mark_item(s, "post", post_id, False, FIXED_NOW)),
        ("post", post_id, lambda s: move_item(s, "post", post_id, FIXED_NOW + timedelta(days=3), FIXED_NOW)),
        ("touchpoint", touch_id, lambda s: review_service.drop_item(s, "touchpoint", touch_id, FIXED_NOW)),
    ]
    for kind, item_id, change in changes:
        model = Post if kind == "post" else Touchpoint
        before = _row(store, model, item_id)
        message, undo = store.call(run_undoable, kind, item_id, change)
        assert undo.summary == message
        stack.push(undo)
        assert _row(store, model, item_id) != before
        popped = stack.pop()
        said = store.call(undo_change, popped, FIXED_NOW)
        assert said == f"Undone: {message}"
        after = _row(store, model, item_id)
        _same_but_version(before, after)
        assert after["version"] == before["version"] + 2  # the change and its undo are both edits
    assert stack.pop() is None


def test_delete_then_undo_brings_the_row_back_with_its_id(store):
    _, touch_id, post_id = _world(store)
    said = []
    for kind, item_id, model in (("touchpoint", touch_id, Touchpoint), ("post", post_id, Post)):
        before = _row(store, model, item_id)
        message, undo = store.call(run_undoable, kind, item_id, lambda s, k=kind, i=item_id: delete_item(s, k, i))
        said.append(message)
        assert undo.version_after is None
        assert _row(store, model, item_id) is None
        assert store.call(undo_change, undo, FIXED_NOW) == f"Undone: {message}"
        _same_but_version(before, _row(store, model, item_id))
        with pytest.raises(ConflictError):  # twice: the row is there again
            store.call(undo_change, undo, FIXED_NOW)
    assert said == ["deleted share content touchpoint with Ada Lovelace", "deleted Error budgets"]


def test_undo_of_a_delete_points_the_rows_that_linked_to_it_back(store):
    from planner.models import PostResult

    _, touch_id, post_id = _world(store)
    with store.transaction() as s:
        s.get(Touchpoint, touch_id).post_id = post_id
        s.add(PostResult(url="https://www.linkedin.com/feed/update/urn:li:activity:1", post_id=post_id))
    _, undo = store.call(run_undoable, "post", post_id, lambda s: delete_item(s, "post", post_id))
    assert _row(store, Touchpoint, touch_id)["post_id"] is None  # the database let go of the links
    store.call(undo_change, undo, FIXED_NOW)
    assert _row(store, Touchpoint, touch_id)["post_id"] == post_id
    with store.session() as s:
        assert [r.post_id for r in s.exec(select(PostResult))] == [post_id]


def test_undo_refuses_to_overwrite_a_later_change(store):
    _, touch_id, _ = _world(store)
    _, undo = store.call(
        run_undoable, "touchpoint", touch_id, lambda s: mark_item(s, "touchpoint", touch_id, False, FIXED_NOW)
    )
    store.call(move_item, "touchpoint", touch_id, FIXED_NOW + timedelta(days=1), FIXED_NOW)  # someone else, since
    with pytest.raises(ConflictError):
        store.call(undo_change, undo, FIXED_NOW)
    assert _row(store, Touchpoint, touch_id)["status"] == "skipped"  # nothing overwritten


def test_a_failed_change_records_nothing_and_changes_nothing(store):
    _, touch_id, _ = _world(store)
    before = _row(store, Touchpoint, touch_id)
    with pytest.raises(ConflictError):
        store.call(
            run_undoable,
            "touchpoint",
            touch_id,
            lambda s: mark_item(s, "touchpoint", touch_id, True, FIXED_NOW, expected_version=99),
        )
    assert _row(store, Touchpoint, touch_id) == before


def test_undo_stack_is_bounded_newest_first():
    stack = UndoStack(limit=3)
    for n in range(5):
        stack.push(n)
    assert len(stack) == 3 and [stack.pop(), stack.pop(), stack.pop(), stack.pop()] == [4, 3, 2, None]
