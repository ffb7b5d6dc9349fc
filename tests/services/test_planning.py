"""plan_week with a fixed now: slots by pillar, capacity, ordering, idempotence, manual items
untouched, the pitch guard, time zones and DST weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.errors import PlannerError
from planner.models import (
    ASK_KINDS,
    CommunityGroup,
    Connection,
    Entry,
    Event,
    Feed,
    Post,
    Slot,
    Touchpoint,
)
from planner.services import posts as post_service
from planner.services.planning import plan_week
from planner.services.strategy import get_strategy, set_strategy
from planner.services.week import move_item, week_view

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday of 2026-W48
NEXT_MONDAY = date(2026, 11, 30)  # 2026-W49


def setup_strategy(session, tz="Europe/Berlin", slots=(), capacity=3, working="mon,tue,wed,thu,fri"):
    s = get_strategy(session, NOW)
    for slot in session.exec(select(Slot)).all():
        session.delete(slot)
    session.flush()
    s.timezone = tz
    s.daily_touch_capacity = capacity
    s.working_days = working
    session.add(s)
    for weekday, hhmm, pillar in slots:
        session.add(Slot(strategy_id=s.id, weekday=weekday, local_time=hhmm, pillar=pillar))
    session.flush()
    return s


def idea(session, title, pillar="thought_leadership", status="idea", priority=0, created=NOW, **kw):
    p = Post(
        title=title,
        body=f"{title} body",
        pillar=pillar,
        status=status,
        priority=priority,
        created_at=created,
        updated_at=created,
        **kw,
    )
    session.add(p)
    session.flush()
    return p


def person(session, name, tier="warm", connected_days_ago=400, cadence=None):
    first, last = name.split()
    c = Connection(
        first_name=first,
        last_name=last,
        tier=tier,
        cadence_days=cadence,
        connected_on=(NOW - timedelta(days=connected_days_ago)).date(),
        profile_url=f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}",
    )
    session.add(c)
    session.flush()
    return c


def snapshot(session):
    posts = [
        (p.id, p.status, p.scheduled_at, p.version, p.manual) for p in session.exec(select(Post).order_by(Post.id))
    ]
    touches = [
        (t.id, t.connection_id, t.kind, t.due_at, t.version)
        for t in session.exec(select(Touchpoint).order_by(Touchpoint.id))
    ]
    return posts, touches


# --- posts ----------------------------------------------------------------------------------


def test_fills_slots_by_pillar_with_the_best_candidates(store):
    with store.transaction() as s:
        setup_strategy(
            s,
            slots=[
                (1, "09:00", "thought_leadership"),
                (3, "09:00", "thought_leadership"),
                (2, "12:00", "content_share"),
            ],
        )
        low = idea(s, "Low priority idea")
        draft = idea(s, "A draft", status="draft")
        top = idea(s, "Top priority", priority=5)
        idea(s, "An older idea", created=NOW - timedelta(days=30))
        share = idea(s, "Share something", pillar="content_share")
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    got = [(p.post_id, p.at, p.source) for p in plan.posts]
    assert got == [
        (top.id, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "idea"),  # Tue 09:00 Berlin = 08:00 UTC
        (share.id, datetime(2026, 12, 2, 11, 0, tzinfo=UTC), "idea"),
        (draft.id, datetime(2026, 12, 3, 8, 0, tzinfo=UTC), "draft"),  # drafts beat ideas of equal priority
    ]
    with store.transaction() as s:
        assert s.get(Post, low.id).status == "idea"
        placed = s.get(Post, top.id)
        assert placed.status == "scheduled" and placed.manual is False and placed.version == 2


def test_topic_balance_prefers_a_topic_not_yet_in_the_week(store):
    from planner.models import Topic

    with store.transaction() as s:
        setup_strategy(s, slots=[(0, "09:00", "thought_leadership"), (2, "09:00", "thought_leadership")])
        a, b = Topic(name="A"), Topic(name="B")
        s.add_all([a, b])
        s.flush()
        first = idea(s, "A1", topic_id=a.id, created=NOW)
        idea(s, "A2", topic_id=a.id, created=NOW - timedelta(hours=1))
        other = idea(s, "B1", topic_id=b.id, created=NOW - timedelta(days=3))
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    assert [p.post_id for p in plan.posts] == [first.id, other.id]


def test_rerun_adds_nothing_and_dry_run_writes_nothing(store):
    with store.transaction() as s:
        setup_strategy(s, slots=[(1, "09:00", "thought_leadership"), (3, "12:00", "content_share")])
        for n in range(4):
            idea(s, f"Idea {n}")
        for n in range(5):
            person(s, f"Due Person{n}")
    with store.transaction() as s:
        before = snapshot(s)
    dry = store.call(plan_week, NEXT_MONDAY, NOW, dry_run=True)
    with store.transaction() as s:
        assert snapshot(s) == before
    first = store.call(plan_week, NEXT_MONDAY, NOW)
    assert first.added == dry.added > 0
    assert [(p.at, p.title) for p in first.posts] == [(p.at, p.title) for p in dry.posts]
    assert [(t.connection_id, t.at) for t in first.touchpoints] == [(t.connection_id, t.at) for t in dry.touchpoints]
    with store.transaction() as s:
        after_first = snapshot(s)
    second = store.call(plan_week, NEXT_MONDAY, NOW)
    assert second.added == 0 and second.posts == [] and second.touchpoints == []
    with store.transaction() as s:
        assert snapshot(s) == after_first


def test_manual_items_are_never_moved_and_count_against_the_quota(store):
    with store.transaction() as s:
        setup_strategy(s, slots=[(1, "09:00", "thought_leadership"), (3, "09:00", "thought_leadership")])
        mine = idea(s, "Placed by hand")
        ideas = [idea(s, f"Idea {n}") for n in range(3)]
    when = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # exactly the Tuesday slot
    store.call(post_service.schedule_post, mine.id, when, now=NOW)
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    assert [p.at for p in plan.posts] == [datetime(2026, 12, 3, 8, 0, tzinfo=UTC)]
    # the user moves the planned post to Friday afternoon: the Thursday slot is not refilled
    moved = plan.posts[0].post_id
    with store.transaction() as s:
        version = s.get(Post, moved).version
    store.call(move_item, "post", moved, datetime(2026, 12, 4, 15, 0, tzinfo=UTC), now=NOW, expected_version=version)
    again = store.call(plan_week, NEXT_MONDAY, NOW)
    assert again.posts == []
    with store.transaction() as s:
        assert s.get(Post, mine.id).scheduled_at == when and s.get(Post, mine.id).manual
        assert s.get(Post, moved).scheduled_at == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
        assert sum(s.get(Post, i.id).status == "idea" for i in ideas) == 2


def test_past_slots_are_left_alone(store):
    with store.transaction() as s:
        setup_strategy(s, slots=[(0, "09:00", "thought_leadership"), (4, "09:00", "thought_leadership")])
        idea(s, "One")
        idea(s, "Two")
    plan = store.call(plan_week, date(2026, 11, 23), NOW)  # this week: Monday is past
    assert [p.at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") for p in plan.posts] == ["Fri 09:00"]


def test_proposes_fresh_entries_groups_and_events_when_the_backlog_is_short(store):
    with store.transaction() as s:
        setup_strategy(
            s,
            slots=[
                (0, "12:00", "content_share"),
                (1, "12:00", "content_share"),
                (2, "12:00", "group_engagement"),
                (3, "12:00", "virtual_event"),
            ],
        )
        feed = Feed(url="https://example.com/feed")
        s.add(feed)
        s.flush()
        old = Entry(
            feed_id=feed.id, guid="old", title="Old news", link="https://e/old", published_at=NOW - timedelta(days=60)
        )
        fresh = Entry(
            feed_id=feed.id,
            guid="fresh",
            title="Fresh take",
            link="https://e/fresh",
            published_at=NOW - timedelta(days=1),
        )
        starred = Entry(
            feed_id=feed.id,
            guid="star",
            title="Starred",
            link="https://e/star",
            published_at=NOW - timedelta(days=5),
            is_starred=True,
        )
        s.add_all([old, fresh, starred])
        s.add(CommunityGroup(name="SRE Guild", cadence_days=7, last_engaged_at=NOW - timedelta(days=20)))
        s.add(Event(title="Platform Day", starts_at=datetime(2026, 12, 10, 15, 0, tzinfo=UTC), role="hosting"))
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    assert [(p.source, p.title) for p in plan.posts] == [
        ("proposed", "Share: Starred"),
        ("proposed", "Share: Fresh take"),
        ("proposed", "Contribute in SRE Guild"),
        ("proposed", "Join me at Platform Day"),
    ]
    assert store.call(plan_week, NEXT_MONDAY, NOW).added == 0


def test_recycles_evergreen_after_cooldown_then_falls_back_to_the_mix(store):
    with store.transaction() as s:
        setup_strategy(
            s,
            slots=[
                (0, "09:00", "thought_leadership"),
                (2, "09:00", "thought_leadership"),
                (4, "09:00", "thought_leadership"),
            ],
        )
        ever = idea(
            s,
            "Evergreen classic",
            status="published",
            evergreen=True,
            cooldown_days=30,
            published_at=NOW - timedelta(days=60),
            scheduled_at=NOW - timedelta(days=60),
        )
        idea(
            s,
            "Too recent",
            status="published",
            evergreen=True,
            cooldown_days=30,
            published_at=NOW - timedelta(days=10),
            scheduled_at=NOW - timedelta(days=10),
        )
        share = idea(s, "A share idea", pillar="content_share")
        idea(s, "An event idea", pillar="virtual_event")
        set_strategy(s, "pillar_mix", "thought_leadership=0.5,content_share=0.4,virtual_event=0.1", NOW)
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    assert [(p.post_id, p.source) for p in plan.posts[:2]] == [(ever.id, "evergreen"), (share.id, "mix")]
    assert plan.posts[2].source == "mix" and plan.posts[2].pillar == "virtual_event"
    with store.transaction() as s:
        assert s.get(Post, ever.id).status == "scheduled"


def test_slot_nothing_fits_stays_open_with_a_reason(store):
    with store.transaction() as s:
        setup_strategy(s, slots=[(0, "09:00", "thought_leadership")])
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    assert plan.posts == [] and len(plan.open_slots) == 1 and "planner posts add" in plan.open_slots[0].why


# --- touchpoints -------------------------------------------------------------------------------


def test_touchpoints_respect_capacity_working_days_and_overdue_order(store):
    with store.transaction() as s:
        setup_strategy(s, capacity=2, working="mon,wed,fri")
        people = [person(s, f"P Number{n}", connected_days_ago=70 + 10 * n) for n in range(10)]
        # Wednesday already has one planned by hand: only one more fits there
        s.add(Touchpoint(connection_id=people[0].id, kind="thank", due_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC)))
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    berlin = ZoneInfo("Europe/Berlin")
    days = [t.at.astimezone(berlin).strftime("%a %H:%M") for t in plan.touchpoints]
    assert days == ["Mon 10:00", "Mon 10:15", "Wed 10:15", "Fri 10:00", "Fri 10:15"]  # 10:00 Wed is taken
    # most overdue (connected longest ago) first; the person with a planned touch is skipped
    assert [t.connection_id for t in plan.touchpoints] == [p.id for p in reversed(people[1:])][:5]
    assert all(t.kind not in ASK_KINDS for t in plan.touchpoints)
    with store.transaction() as s:
        made = s.exec(select(Touchpoint).where(Touchpoint.source == "plan")).all()
        assert len(made) == 5 and all(not t.manual and t.status == "planned" for t in made)
        assert {t.id for t in made} == {t.touchpoint_id for t in plan.touchpoints}


def test_touchpoints_this_week_start_today_after_now(store):
    with store.transaction() as s:
        setup_strategy(s, tz="UTC", capacity=2, working="wed")
        for n in range(3):
            person(s, f"Q Number{n}")
    afternoon = NOW.replace(hour=13, minute=5)
    plan = store.call(plan_week, date(2026, 11, 23), afternoon)
    assert [t.at for t in plan.touchpoints] == [
        datetime(2026, 11, 25, 13, 15, tzinfo=UTC),
        datetime(2026, 11, 25, 13, 30, tzinfo=UTC),
    ]


def test_an_ask_the_guard_rejects_is_never_scheduled(store):
    from planner.services import ledger

    with store.transaction() as s:
        setup_strategy(s, capacity=5)
        fresh = person(s, "New Contact", connected_days_ago=400)
    # whatever the suggestion, the guard decides: check every planned ask against it
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    with store.transaction() as s:
        for t in s.exec(select(Touchpoint)).all():
            if t.kind in ASK_KINDS:
                assert ledger.check_ask(s, t.connection_id, t.kind, NOW).allowed
    for held in plan.held_asks:
        assert held.kind in ASK_KINDS and held.reasons
    assert fresh.id in {t.connection_id for t in plan.touchpoints} | {h.connection_id for h in plan.held_asks}


def test_guard_holds_back_a_suggested_pitch(store, monkeypatch):
    """A suggestion that is an ask goes through check_ask; a rejected one uses no capacity."""
    from planner.services import ledger, suggestions

    with store.transaction() as s:
        setup_strategy(s, capacity=1, working="mon")
        pitched = person(s, "Pitch Target", connected_days_ago=900)
        other = person(s, "Second Person", connected_days_ago=500)

    def suggest(session, ids, now):
        kinds = {pitched.id: "pitch"}
        return {i: suggestions.Suggestion(i, kinds.get(i, "check_in"), "test reason", "hello") for i in ids}

    monkeypatch.setattr(suggestions, "suggest_actions", suggest)
    plan = store.call(plan_week, NEXT_MONDAY, NOW)
    with store.transaction() as s:
        allowed = ledger.check_ask(s, pitched.id, "pitch", NOW).allowed
    assert not allowed, "a person with no value given must not be pitchable"
    assert [h.connection_id for h in plan.held_asks] == [pitched.id]
    assert [t.connection_id for t in plan.touchpoints] == [other.id]


# --- time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "monday", "slot_day", "expect_utc"),
    [
        # Europe/Berlin leaves DST on Sunday 25 Oct 2026: Monday 09:00 is CET (UTC+1)
        ("Europe/Berlin", date(2026, 10, 19), 6, datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 10, 19), 0, datetime(2026, 10, 19, 7, 0, tzinfo=UTC)),
        # America/New_York leaves DST on Sunday 1 Nov 2026
        ("America/New_York", date(2026, 10, 26), 6, datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 10, 26), 5, datetime(2026, 10, 31, 13, 0, tzinfo=UTC)),
        # Australia/Sydney enters DST on Sunday 4 Oct 2026
        ("Australia/Sydney", date(2026, 9, 28), 6, datetime(2026, 10, 3, 22, 0, tzinfo=UTC)),
    ],
)
def test_slots_keep_local_wall_time_across_dst(store, tz, monday, slot_day, expect_utc):
    then = datetime.combine(monday, datetime.min.time(), UTC) - timedelta(days=3)
    with store.transaction() as s:
        setup_strategy(s, tz=tz, slots=[(slot_day, "09:00", "thought_leadership")])
        idea(s, "Idea", created=then)
    plan = store.call(plan_week, monday, then)
    assert [p.at for p in plan.posts] == [expect_utc]
    assert plan.posts[0].at.astimezone(ZoneInfo(tz)).strftime("%H:%M") == "09:00"


def test_dst_week_touchpoints_stay_at_local_ten(store):
    monday = date(2026, 10, 19)
    then = datetime(2026, 10, 16, 12, 0, tzinfo=UTC)
    with store.transaction() as s:
        setup_strategy(s, tz="Europe/Berlin", capacity=1, working="mon,tue,wed,thu,fri,sat,sun")
        for n in range(7):
            person(s, f"Dst Person{n}", connected_days_ago=200)
    plan = store.call(plan_week, monday, then)
    berlin = ZoneInfo("Europe/Berlin")
    assert [t.at.astimezone(berlin).strftime("%a %H:%M") for t in plan.touchpoints] == [
        f"{d} 10:00" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ]
    assert plan.touchpoints[-1].at == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # CET after the change


def test_plan_week_rejects_a_day_that_is_not_monday(store):
    with pytest.raises(PlannerError, match="Monday"):
        store.call(plan_week, date(2026, 12, 1), NOW)


def test_week_view_lists_posts_and_touchpoints_in_time_order(store):
    with store.transaction() as s:
        setup_strategy(s, slots=[(1, "09:00", "thought_leadership")], capacity=1, working="mon")
        idea(s, "Idea")
        person(s, "Week Viewer")
    store.call(plan_week, NEXT_MONDAY, NOW)
    view = store.call(week_view, NEXT_MONDAY, NOW)
    assert [i.kind for i in view.items] == ["touchpoint", "post"]
    assert view.items[0].person == "Week Viewer" and view.items[1].title == "Idea"
    assert view.week == "2026-W49" and view.timezone == "Europe/Berlin"


def test_next_post_slot_skips_taken_and_past_slots_of_the_pillar(store):
    from planner.services.slots import next_post_slot

    berlin = ZoneInfo("Europe/Berlin")
    with store.transaction() as s:
        # Wed 09:00 Berlin is already past at NOW (10:30 Berlin); Thu 09:00 is taken; Fri 09:00 is free
        setup_strategy(
            s,
            slots=[
                (2, "09:00", "thought_leadership"),
                (3, "09:00", "thought_leadership"),
                (4, "09:00", "thought_leadership"),
                (3, "11:00", "content_share"),
            ],
        )
        taken = idea(s, "Taken", status="scheduled", scheduled_at=datetime(2026, 11, 26, 9, 0, tzinfo=berlin))
        got = next_post_slot(s, "thought_leadership", NOW)
        assert got == datetime(2026, 11, 27, 9, 0, tzinfo=berlin)
        # the post being scheduled does not block its own slot
        assert next_post_slot(s, "thought_leadership", NOW, ignore_post=taken.id) == datetime(
            2026, 11, 26, 9, 0, tzinfo=berlin
        )
        assert next_post_slot(s, "content_share", NOW) == datetime(2026, 11, 26, 11, 0, tzinfo=berlin)
        assert next_post_slot(s, "virtual_event", NOW) is None


def test_next_touch_slot_respects_capacity_working_days_and_hours(store):
    from planner.services.slots import next_touch_slot

    berlin = ZoneInfo("Europe/Berlin")
    with store.transaction() as s:
        setup_strategy(s, capacity=2, working="wed,mon")
        p = person(s, "Ada Lovelace")
        assert next_touch_slot(s, NOW) == datetime(2026, 11, 25, 10, 30, tzinfo=berlin)  # the next quarter-hour today
        for hhmm in ("10:30", "10:45"):
            h, m = map(int, hhmm.split(":"))
            s.add(
                Touchpoint(
                    connection_id=p.id,
                    kind="check_in",
                    status="planned",
                    due_at=datetime(2026, 11, 25, h, m, tzinfo=berlin),
                )
            )
        s.add(
            Touchpoint(
                connection_id=p.id,
                kind="check_in",
                status="skipped",
                due_at=datetime(2026, 11, 30, 10, 0, tzinfo=berlin),
            )
        )  # skipped: uses no capacity
        s.flush()
        assert next_touch_slot(s, NOW) == datetime(2026, 11, 30, 10, 0, tzinfo=berlin)  # Wed full, Thu-Sun not working
