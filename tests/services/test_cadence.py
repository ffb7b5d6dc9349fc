"""Cadence rules with a fixed now: tier defaults, tag and person overrides, back-dated logs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import FIXED_NOW
from sqlmodel import select

from planner.models import Connection, ConnectionTag, Strategy, Tag, Touchpoint
from planner.services import cadence
from planner.services.touches import log_touch


def _person(session, first, tier="warm", connected=date(2026, 1, 1), cadence_days=None, tags=()):
    p = Connection(
        first_name=first,
        last_name="Test",
        tier=tier,
        connected_on=connected,
        cadence_days=cadence_days,
        created_at=FIXED_NOW - timedelta(days=400),
    )
    session.add(p)
    session.flush()
    for name, days in tags:
        tag = session.exec(select(Tag).where(Tag.name == name)).first() or Tag(name=name, cadence_days=days)
        session.add(tag)
        session.flush()
        session.add(ConnectionTag(connection_id=p.id, tag_id=tag.id))
    session.flush()
    return p.id


def _info(session, pid, now=FIXED_NOW):
    return cadence.due_infos(session, now, [pid])[0]


def test_tier_default_from_connected_on(store):
    with store.transaction() as s:
        pid = _person(s, "Ann", tier="inner", connected=date(2026, 11, 1))
        info = _info(s, pid)
    assert info.cadence_days == 14 and info.cadence_source == "tier"
    assert info.last_contact_at is None
    assert info.next_due_at == datetime(2026, 11, 15, tzinfo=UTC)
    assert info.overdue_days == pytest.approx(10 + 9.5 / 24)
    assert info.overdue_ratio == pytest.approx(info.overdue_days / 14)


def test_strategy_tier_cadences_override_defaults(store):
    with store.transaction() as s:
        s.add(Strategy(tier_cadences=json.dumps({"inner": 7, "warm": 45})))
        pid = _person(s, "Ann", tier="inner", connected=date(2026, 11, 1))
        warm = _person(s, "Bea", tier="warm", connected=date(2026, 11, 1))
        assert _info(s, pid).cadence_days == 7
        assert _info(s, warm).cadence_days == 45


def test_tag_overrides_tier_shortest_tag_wins_and_person_overrides_both(store):
    with store.transaction() as s:
        tagged = _person(s, "Ann", tier="dormant", tags=[("sre", 21), ("friends", 10)])
        own = _person(s, "Bea", tier="dormant", cadence_days=5, tags=[("sre", 21)])
        untagged_cadence = _person(s, "Cy", tier="active", tags=[("no-cadence", None)])
        assert (_info(s, tagged).cadence_days, _info(s, tagged).cadence_source) == (10, "tag:friends")
        assert (_info(s, own).cadence_days, _info(s, own).cadence_source) == (5, "person")
        assert _info(s, untagged_cadence).cadence_days == 30


def test_last_done_touch_of_any_kind_resets_and_backdated_log_counts_from_its_date(store):
    with store.transaction() as s:
        pid = _person(s, "Ann", tier="active", connected=date(2025, 1, 1))
        assert _info(s, pid).overdue_days > 300
        # planned and skipped touches are not contact
        s.add(Touchpoint(connection_id=pid, kind="check_in", status="planned", due_at=FIXED_NOW))
        s.add(Touchpoint(connection_id=pid, kind="thank", status="skipped", due_at=FIXED_NOW, done_at=FIXED_NOW))
        s.flush()
        assert _info(s, pid).last_contact_at is None
        back = FIXED_NOW - timedelta(days=20)
        log_touch(s, pid, "comment_on_post", FIXED_NOW, when=back)
        info = _info(s, pid)
        assert info.last_contact_at == back
        assert info.next_due_at == back + timedelta(days=30)
        assert info.overdue_days == pytest.approx(-10)
        # an older back-dated log does not move the timer backwards
        log_touch(s, pid, "thank", FIXED_NOW, when=FIXED_NOW - timedelta(days=40))
        assert _info(s, pid).last_contact_at == back


def test_created_at_when_no_connected_on(store):
    with store.transaction() as s:
        pid = _person(s, "Ann", tier="warm", connected=None)
        info = _info(s, pid)
    assert info.next_due_at == FIXED_NOW - timedelta(days=400) + timedelta(days=60)


def test_people_due_and_going_cold_rank_by_ratio(store):
    with store.transaction() as s:
        # same 20 days overdue: the inner (14 d) person is colder relative to cadence than the warm (60 d) one
        inner = _person(s, "Inner", tier="inner", connected=(FIXED_NOW - timedelta(days=34)).date())
        warm = _person(s, "Warm", tier="warm", connected=(FIXED_NOW - timedelta(days=80)).date())
        fresh = _person(s, "Fresh", tier="warm", connected=(FIXED_NOW - timedelta(days=1)).date())
        due = cadence.people_due(s, FIXED_NOW)
        assert [d.connection_id for d in due] == [inner, warm]
        every = cadence.people_due(s, FIXED_NOW, include_not_due=True)
        assert [d.connection_id for d in every] == [inner, warm, fresh]
        assert cadence.people_due(s, FIXED_NOW, limit=1)[0].connection_id == inner
        cold = cadence.going_cold(s, FIXED_NOW)
        # going cold = overdue by half the cadence or more: 20/14 is, 20/60 is only due
        assert [d.connection_id for d in cold] == [inner]
        assert all(d.is_cold and d.marker == "cold" for d in cold)
        assert [d.marker for d in due] == ["cold", "due"]


def test_archived_people_are_not_due(store):
    with store.transaction() as s:
        pid = _person(s, "Gone", connected=date(2020, 1, 1))
        s.get(Connection, pid).archived = True
        s.flush()
        assert cadence.people_due(s, FIXED_NOW) == []


def test_ten_thousand_people_set_based(store):
    """10,000 people with touches and tags: every one gets a DueInfo (the bench measures time)."""
    with store.transaction() as s:
        tag = Tag(name="bulk", cadence_days=20)
        s.add(tag)
        s.flush()
        s.bulk_insert_mappings(
            Connection,
            [
                {
                    "first_name": f"P{i}",
                    "last_name": "X",
                    "tier": ["inner", "active", "warm", "dormant"][i % 4],
                    "connected_on": date(2025, 1, 1) + timedelta(days=i % 600),
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                    "version": 1,
                    "archived": False,
                    "source": "bench",
                    "notes": "",
                    "headline": "",
                    "position": "",
                    "company": "",
                }
                for i in range(10_000)
            ],
        )
        ids = list(s.exec(select(Connection.id).order_by(Connection.id)))
        s.bulk_insert_mappings(
            Touchpoint,
            [
                {
                    "connection_id": cid,
                    "kind": "check_in",
                    "status": "done",
                    "done_at": FIXED_NOW - timedelta(days=cid % 90),
                    "due_at": FIXED_NOW,
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                    "version": 1,
                    "manual": True,
                    "source": "manual",
                    "note": "",
                    "message": "",
                }
                for cid in ids[::3]
            ],
        )
        s.bulk_insert_mappings(ConnectionTag, [{"connection_id": cid, "tag_id": tag.id} for cid in ids[::7]])
        s.flush()
        infos = cadence.due_infos(s, FIXED_NOW)
        assert len(infos) == 10_000
        by_id = {d.connection_id: d for d in infos}
        assert by_id[ids[0]].cadence_source == "tag:bulk" and by_id[ids[0]].last_contact_at is not None
        assert by_id[ids[1]].last_contact_at is None
        due = cadence.people_due(s, FIXED_NOW)
        ratios = [d.overdue_ratio for d in due]
        assert ratios == sorted(ratios, reverse=True) and ratios[-1] >= 0
