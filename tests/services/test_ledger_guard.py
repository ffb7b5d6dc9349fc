"""The give:ask ledger, the pitch guard (gating), suggestions, touch log/plan and editing."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from helpers import FIXED_NOW
from sqlmodel import select

from planner.errors import ConflictError, PlannerError
from planner.models import Connection, Entry, Event, Feed, Strategy, Touchpoint
from planner.services import ledger, network, people, suggestions, touches
from planner.services.pitch import pitch_score


def _person(session, connected: date | None, **kw) -> int:
    p = Connection(
        first_name=kw.pop("first_name", "Priya"),
        last_name=kw.pop("last_name", "Shah"),
        connected_on=connected,
        created_at=FIXED_NOW,
        **kw,
    )
    session.add(p)
    session.flush()
    return p.id


def _done(session, pid, kind, days_ago):
    at = FIXED_NOW - timedelta(days=days_ago)
    session.add(Touchpoint(connection_id=pid, kind=kind, status="done", due_at=at, done_at=at))
    session.flush()


def test_ledger_counts_gives_asks_and_last_ask(store):
    with store.transaction() as s:
        pid = _person(s, date(2025, 1, 1))
        for kind, ago in [
            ("share_content", 50),
            ("thank", 40),
            ("congratulate", 30),
            ("meeting_request", 20),
            ("pitch", 10),
        ]:
            _done(s, pid, kind, ago)
        s.add(Touchpoint(connection_id=pid, kind="check_in", status="planned", due_at=FIXED_NOW))
        s.add(Touchpoint(connection_id=pid, kind="pitch", status="skipped", due_at=FIXED_NOW))
        s.flush()
        lg = ledger.ledgers(s, [pid], FIXED_NOW)[pid]
        overall = ledger.overall_ledger(s)
    assert (lg.gives, lg.asks, lg.planned) == (3, 2, 1)
    assert lg.ratio == 1.5 and lg.ratio_text == "3:2"
    assert lg.last_ask_at == FIXED_NOW - timedelta(days=10)
    assert lg.last_give_at == FIXED_NOW - timedelta(days=30)
    assert lg.days_connected == (FIXED_NOW.date() - date(2025, 1, 1)).days
    assert (overall.gives, overall.asks, overall.people_touched, overall.asks_too_early) == (3, 2, 1, 0)


def test_ledger_without_asks_has_no_ratio(store):
    with store.transaction() as s:
        pid = _person(s, None)
        lg = ledger.ledgers(s, [pid], FIXED_NOW)[pid]
    assert lg.ratio is None and lg.ratio_text == "0:0" and lg.days_connected is None


def test_guard_blocks_early_asks_with_reasons(store):
    with store.transaction() as s:
        new = _person(s, FIXED_NOW.date() - timedelta(days=3), first_name="New")
        result = ledger.check_ask(s, new, "pitch", FIXED_NOW)
        assert not result.allowed and result.value_first_given == 0 and result.days_connected == 3
        assert any("no value-first touch yet given to" in r for r in result.reasons)  # not "only 0 value-first touches"
        assert any("connected 3 days ago" in r for r in result.reasons)
        # value-first kinds always pass
        assert ledger.check_ask(s, new, "share_content", FIXED_NOW).allowed


def test_guard_allows_after_enough_gives_and_days(store):
    with store.transaction() as s:
        pid = _person(s, FIXED_NOW.date() - timedelta(days=45))
        for ago in (30, 20):
            _done(s, pid, "share_content", ago)
        result = ledger.check_ask(s, pid, "meeting_request", FIXED_NOW)
        assert not result.allowed and result.reasons == [
            "only 2 value-first touches given to Priya Shah (give at least 3 before asking)"
        ]
        _done(s, pid, "introduce", 5)
        assert ledger.check_ask(s, pid, "referral_request", FIXED_NOW).allowed


def test_guard_thresholds_come_from_strategy(store):
    with store.transaction() as s:
        s.add(Strategy(pitch_min_gives=1, pitch_min_days=7))
        pid = _person(s, FIXED_NOW.date() - timedelta(days=8))
        _done(s, pid, "thank", 1)
        assert ledger.check_ask(s, pid, "pitch", FIXED_NOW).allowed


def test_log_and_plan_refuse_early_asks_unless_forced(store):
    with store.transaction() as s:
        pid = _person(s, FIXED_NOW.date() - timedelta(days=2))
        with pytest.raises(ledger.AskTooEarly) as err:
            touches.log_touch(s, pid, "pitch", FIXED_NOW)
        assert "--force" in str(err.value) and err.value.guard.reasons
        with pytest.raises(ledger.AskTooEarly):
            touches.plan_touch(s, pid, "meeting_request", FIXED_NOW + timedelta(days=1), FIXED_NOW)
        assert s.exec(select(Touchpoint)).all() == []
        forced = touches.log_touch(
            s, pid, "pitch", FIXED_NOW, force=True, message="Can we book a demo of our platform?"
        )
        assert forced.status == "done" and not forced.guard.allowed
        assert forced.lint["pitch"] is True
        lg = ledger.ledgers(s, [pid], FIXED_NOW)[pid]
        assert lg.asks == 1


def test_log_completes_a_planned_touch_and_rejects_future_dates(store):
    with store.transaction() as s:
        pid = _person(s, date(2025, 1, 1))
        planned = touches.plan_touch(s, pid, "check-in", FIXED_NOW + timedelta(days=2), FIXED_NOW)
        logged = touches.log_touch(s, pid, "Check in", FIXED_NOW, note="coffee")
        assert logged.touchpoint_id == planned.touchpoint_id and logged.completed_planned
        done = s.get(Touchpoint, planned.touchpoint_id)
        assert (done.status, done.version, done.note) == ("done", 2, "coffee")  # an edit: the version moves
        with pytest.raises(PlannerError, match="in the future"):
            touches.log_touch(s, pid, "thank", FIXED_NOW, when=FIXED_NOW + timedelta(days=1))
        with pytest.raises(PlannerError, match="unknown touch kind 'hug'"):
            touches.log_touch(s, pid, "hug", FIXED_NOW)
        with pytest.raises(PlannerError, match="no person with id 999"):
            touches.log_touch(s, 999, "thank", FIXED_NOW)


def _world(s):
    feed = Feed(url="https://example.com/f.xml")
    s.add(feed)
    s.flush()
    entry = Entry(
        feed_id=feed.id,
        guid="1",
        title="Error budgets in practice: SLO burn-rate alerts",
        link="https://example.com/slo",
        published_at=FIXED_NOW - timedelta(days=2),
    )
    old = Entry(
        feed_id=feed.id, guid="2", title="SLO error budgets from 2019", published_at=FIXED_NOW - timedelta(days=400)
    )
    event = Event(title="Platform Day", starts_at=FIXED_NOW + timedelta(days=9), role="hosting")
    s.add_all([entry, old, event])
    s.flush()
    return entry, event


def test_suggestions_in_priority_order(store):
    with store.transaction() as s:
        entry, event = _world(s)
        changed = _person(
            s,
            date(2024, 1, 1),
            first_name="Job",
            company="B",
            position="Head of SRE",
            job_changed_at=FIXED_NOW - timedelta(days=5),
        )
        sre = _person(s, date(2024, 1, 1), first_name="Sre", notes="cares about SLO and error budgets")
        inner = _person(s, date(2024, 1, 1), first_name="Inner", tier="inner")
        plain = _person(s, date(2024, 1, 1), first_name="Plain", company="Acme")
        recent = _person(s, FIXED_NOW.date() - timedelta(days=2), first_name="Recent")
        got = suggestions.suggest_actions(s, [changed, sre, inner, plain, recent], FIXED_NOW)
    assert got[changed].kind == "congratulate" and "Head of SRE at B" in got[changed].message
    assert got[sre].kind == "share_content" and got[sre].entry_id == entry.id
    assert "budget" in got[sre].reason or "slo" in got[sre].reason
    assert got[inner].kind == "invite_to_event" and got[inner].event_id == event.id
    assert got[plain].kind == "check_in" and "Acme" in got[plain].message
    assert got[recent].kind == "check_in" and "glad we connected" in got[recent].message
    # what the app suggests must pass its own lint
    assert not any(pitch_score(g.message).pitch for g in got.values())


def test_accept_suggestion_plans_once_and_then_moves_on(store):
    with store.transaction() as s:
        entry, _ = _world(s)
        pid = _person(s, date(2024, 1, 1), notes="SLO error budgets")
        first = touches.accept_suggestion(s, pid, FIXED_NOW)
        again = touches.accept_suggestion(s, pid, FIXED_NOW)
        t = s.get(Touchpoint, first.touchpoint_id)
        assert (t.kind, t.status, t.entry_id, t.source) == ("share_content", "planned", entry.id, "suggestion")
        assert first.created and not again.created and again.touchpoint_id == first.touchpoint_id
        # once shared, the same entry is not suggested again
        touches.log_touch(s, pid, "share_content", FIXED_NOW)
        assert suggestions.suggest_actions(s, [pid], FIXED_NOW)[pid].entry_id != entry.id


def test_accepted_suggestions_take_free_working_hours_within_the_daily_capacity(store):
    """Five accepted on a Wednesday morning with a capacity of 3: never this minute, never a fourth
    touch in a day, always between 10:00 and 18:00 local on a working day."""
    from collections import Counter

    from planner.services.strategy import show_strategy

    with store.transaction() as s:
        _world(s)
        strategy = show_strategy(s, FIXED_NOW)
        zone, capacity = strategy.zone, strategy.daily_touch_capacity
        ids = [_person(s, date(2024, 1, 1), first_name=f"P{n}") for n in range(capacity + 2)]
        results = [touches.accept_suggestion(s, pid, FIXED_NOW) for pid in ids]
        dues = [s.get(Touchpoint, r.touchpoint_id).due_at for r in results]
    local = [d.replace(tzinfo=d.tzinfo or UTC).astimezone(zone) for d in dues]
    assert all(d > FIXED_NOW for d in dues) and len(set(dues)) == len(dues)
    assert all(d.weekday() in strategy.working_days and 10 <= d.hour < 18 for d in local)
    per_day = Counter(d.date() for d in local)
    assert max(per_day.values()) <= capacity and len(per_day) >= 2


def test_job_change_congratulated_is_not_suggested_again(store):
    with store.transaction() as s:
        pid = _person(s, date(2024, 1, 1), job_changed_at=FIXED_NOW - timedelta(days=3))
        touches.log_touch(s, pid, "congratulate", FIXED_NOW)
        assert suggestions.suggest_actions(s, [pid], FIXED_NOW)[pid].kind != "congratulate"


def test_edit_person_tier_cadence_tags_and_version(store):
    with store.transaction() as s:
        pid = _person(s, date(2024, 1, 1))
        p = people.edit_person(s, pid, FIXED_NOW, tier="Inner", cadence_days=9, add_tags=["SRE", "friends", "sre"])
        assert (p.tier, p.cadence_days, p.version) == ("inner", 9, 2)
        detail = network.person_detail(s, pid, FIXED_NOW)
        assert sorted(detail.tags) == ["SRE", "friends"] and detail.due.cadence_source == "person"
        people.edit_person(s, pid, FIXED_NOW, clear_cadence=True, remove_tags=["sre"])
        detail = network.person_detail(s, pid, FIXED_NOW)
        assert detail.tags == ["friends"] and detail.due.cadence_days == 14
        with pytest.raises(PlannerError, match="unknown tier 'vip'"):
            people.edit_person(s, pid, FIXED_NOW, tier="vip")
        with pytest.raises(PlannerError, match="has no tag"):
            people.edit_person(s, pid, FIXED_NOW, remove_tags=["nope"])
        with pytest.raises(ConflictError):
            people.edit_person(s, pid, FIXED_NOW, tier="warm", expected_version=1)


def test_network_page_filters_and_pages(store):
    with store.transaction() as s:
        for i in range(30):
            _person(s, FIXED_NOW.date() - timedelta(days=10 * i), first_name=f"P{i:02d}", last_name="Zed")
        page = network.network_page(s, FIXED_NOW, limit=10, offset=10)
        assert page.total == 30 and [r.name for r in page.rows][0] == "P10 Zed"
        due = network.network_page(s, FIXED_NOW, only="due", limit=None)
        assert due.total == len(due.rows) and all(r.due.overdue_days >= 0 for r in due.rows)
        ratios = [r.due.overdue_ratio for r in due.rows]
        assert ratios == sorted(ratios, reverse=True)
        assert network.network_page(s, FIXED_NOW, search="p07").total == 1
        with pytest.raises(PlannerError):
            network.network_page(s, FIXED_NOW, only="lukewarm")


def test_ledgers_for_many_people_match_ledgers_page_by_page(store):
    """More people than one IN list holds take one unfiltered pass: same ledgers as small pages,
    and nobody outside the asked ids."""
    with store.transaction() as s:
        ids = [_person(s, date(2025, 1, 1) + timedelta(days=i % 300), first_name=f"P{i}") for i in range(1000)]
        kinds = ["share_content", "pitch", "thank", "meeting_request", "check_in"]
        for n, pid in enumerate(ids[::2]):
            _done(s, pid, kinds[n % 5], n % 40)
            _done(s, pid, kinds[(n + 1) % 5], n % 17)
            s.add(Touchpoint(connection_id=pid, kind="check_in", status="planned", due_at=FIXED_NOW))
            s.add(Touchpoint(connection_id=pid, kind="pitch", status="skipped", due_at=FIXED_NOW))
        s.flush()
        many = ledger.ledgers(s, ids[:-1], FIXED_NOW)
        paged = {}
        for i in range(0, len(ids) - 1, 50):
            paged.update(ledger.ledgers(s, ids[i : i + 50][: len(ids) - 1 - i], FIXED_NOW))
    assert len(ids) - 1 > 900 and set(many) == set(ids[:-1])
    assert many == paged
    assert sum(lg.gives for lg in many.values()) + sum(lg.asks for lg in many.values()) == 1000
    assert {lg.planned for lg in many.values()} == {0, 1}
    assert many[ids[0]].as_json() == {
        "gives": 1,
        "asks": 1,
        "planned": 1,
        "last_give_at": FIXED_NOW.isoformat(),
        "last_ask_at": FIXED_NOW.isoformat(),
        "days_connected": (FIXED_NOW.date() - date(2025, 1, 1)).days,
        "ratio": 1.0,
        "ratio_text": "1:1",
    }


def test_network_page_cadence_equals_due_infos_with_contacts_taken_from_the_ledger(store):
    """network_page reads last contact from the ledger's pass over the touchpoints; every row's
    cadence facts equal due_infos' own reading, gives, asks, plans and skips mixed."""
    from planner.services.cadence import due_infos

    with store.transaction() as s:
        ids = [_person(s, FIXED_NOW.date() - timedelta(days=40 * i), first_name=f"P{i:02d}") for i in range(8)]
        for n, (cid, kind, status) in enumerate(
            [
                (ids[0], "share_content", "done"),
                (ids[0], "pitch", "done"),
                (ids[1], "pitch", "done"),
                (ids[2], "congrats", "skipped"),
                (ids[3], "check_in", "planned"),
                (ids[4], "thank", "done"),
                (ids[4], "check_in", "done"),
            ]
        ):
            at = FIXED_NOW - timedelta(days=3 * n + 1)
            s.add(
                Touchpoint(
                    connection_id=cid, kind=kind, status=status, due_at=at, done_at=at if status == "done" else None
                )
            )
        s.flush()
        page = network.network_page(s, FIXED_NOW, limit=None)
        expected = {d.connection_id: d for d in due_infos(s, FIXED_NOW, ids)}
        assert {r.id: r.due for r in page.rows} == expected
        assert sum(1 for d in expected.values() if d.last_contact_at) == 3
