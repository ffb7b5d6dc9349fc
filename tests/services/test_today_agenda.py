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
