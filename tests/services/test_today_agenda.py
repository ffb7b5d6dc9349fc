from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from helpers import FIXED_NOW

from planner.models import Connection, Touchpoint
from planner.services.today import agenda


def test_agenda_caps_overdue_but_keeps_everything_due_today(store):
    with store.transaction() as session:
        person = Connection(first_name="A", last_name="B")
        session.add(person)
        session.flush()
        for days in range(1, 31):  # 30 overdue
            session.add(Touchpoint(connection_id=person.id, kind="check_in", due_at=FIXED_NOW - timedelta(days=days)))
        for hours in (1, 2, 3):  # 3 later today
            session.add(Touchpoint(connection_id=person.id, kind="thank", due_at=FIXED_NOW + timedelta(hours=hours)))
    result = store.call(agenda, FIXED_NOW, ZoneInfo("UTC"), limit=10)
    assert result.overdue == 30 and result.more == 23
    assert [i.overdue for i in result.items] == [True] * 7 + [False] * 3
    oldest = FIXED_NOW - timedelta(days=30)
    assert result.items[0].due_at == oldest  # the most overdue come first
    unlimited = store.call(agenda, FIXED_NOW, ZoneInfo("UTC"), limit=None)
    assert len(unlimited.items) == 33 and unlimited.more == 0


def test_agenda_is_the_same_through_the_stdlib_reader_ties_and_day_edges_included(store):
    """The plain SQL runs on a session (SQLite or PostgreSQL) and on store.reader's stdlib
    connection (Today's first frame); both give the same items, order, counts and caps."""
    from planner.models import Post
    from planner.services.timeutil import local_day_bounds
    from planner.store.reader import open_sqlite_reader

    tz = ZoneInfo("Europe/London")
    start, end = local_day_bounds(FIXED_NOW, tz)
    with store.transaction() as session:
        person = Connection(first_name="Ada", last_name="L")
        session.add(person)
        session.flush()
        tie = start - timedelta(days=2)
        session.add(Post(title="tied post", pillar="content_share", status="scheduled", scheduled_at=tie))
        session.add(Touchpoint(connection_id=person.id, kind="check_in", due_at=tie))  # same instant
        session.add(Touchpoint(connection_id=person.id, kind="thank", due_at=start))  # first instant of today
        session.add(Touchpoint(connection_id=person.id, kind="congrats", due_at=start - timedelta(microseconds=1)))
        session.add(Touchpoint(connection_id=person.id, kind="intro", due_at=end))  # tomorrow: not due
        session.add(
            Post(
                title="later today",
                pillar="thought_leadership",
                status="scheduled",
                scheduled_at=end - timedelta(minutes=1),
            )
        )
        for days in range(3, 9):
            session.add(Touchpoint(connection_id=person.id, kind="check_in", due_at=start - timedelta(days=days)))
    full = store.call(agenda, FIXED_NOW, tz, limit=None)
    assert [(i.kind, i.overdue) for i in full.items][:9] == [("touchpoint", True)] * 6 + [
        ("post", True),
        ("touchpoint", True),
        ("touchpoint", True),
    ]  # oldest first; a tie puts the post first
    assert [i.title for i in full.items[-2:]] == ["Thank · Ada L", "later today"]
    assert full.overdue == 9 and full.more == 0 and full.counts["scheduled"] == 2
    capped = store.call(agenda, FIXED_NOW, tz, limit=4)
    assert [i.overdue for i in capped.items] == [True, True, False, False] and capped.more == 7
    assert capped.items[:2] == full.items[:2]
    tiny = store.call(agenda, FIXED_NOW, tz, limit=1)  # today's items are never dropped
    assert [i.overdue for i in tiny.items] == [False, False] and tiny.more == 9
    if store.is_sqlite:
        for limit, expected in ((None, full), (4, capped), (1, tiny)):
            with open_sqlite_reader(store.url) as reader:
                assert agenda(reader, FIXED_NOW, tz, limit=limit) == expected


def test_this_mornings_missed_items_are_late_and_later_ones_are_not(store):
    from planner.models import Post

    with store.transaction() as session:
        person = Connection(first_name="Ada", last_name="L")
        session.add(person)
        session.flush()
        session.add(Touchpoint(connection_id=person.id, kind="thank", due_at=FIXED_NOW - timedelta(hours=1)))  # 08:30
        session.add(
            Post(
                title="this morning",
                pillar="thought_leadership",
                status="scheduled",
                scheduled_at=FIXED_NOW - timedelta(minutes=30),
            )
        )
        session.add(Touchpoint(connection_id=person.id, kind="check_in", due_at=FIXED_NOW + timedelta(hours=2)))
        session.add(Touchpoint(connection_id=person.id, kind="check_in", due_at=FIXED_NOW - timedelta(days=2)))
    items = store.call(agenda, FIXED_NOW, ZoneInfo("UTC"), limit=None).items
    assert [(i.overdue, i.late) for i in items] == [(True, True), (False, True), (False, True), (False, False)]
