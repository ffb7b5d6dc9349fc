"""review_week on a constructed history with known answers (now: Wed 25 Nov 2026 09:30 UTC; the
strategy's zone is Europe/Berlin, UTC+1 in November; the reviewed week is 2026-W47, which runs
from Sun 15 Nov 23:00 UTC to Sun 22 Nov 23:00 UTC)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import FIXED_NOW
from sqlmodel import select

from planner.errors import PlannerError
from planner.models import (
    Connection,
    Entry,
    EntryKeyword,
    Feed,
    Keyword,
    Post,
    Review,
    Strategy,
    Topic,
    Touchpoint,
)
from planner.services import review as review_service
from planner.services.review import (
    carry_forward,
    carry_target,
    drop_item,
    mark_happened,
    review_due,
    review_week,
    save_review,
)

BERLIN = ZoneInfo("Europe/Berlin")
W47 = date(2026, 11, 16)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def build_world(session) -> dict[str, int]:
    ids: dict[str, int] = {}
    session.add(Strategy(timezone="Europe/Berlin", daily_touch_capacity=3))

    def person(key, first, last, tier, connected_on, company=""):
        c = Connection(
            first_name=first, last_name=last, tier=tier, connected_on=connected_on, company=company, created_at=at(1, 1)
        )
        session.add(c)
        session.flush()
        ids[key] = c.id
        return c.id

    ana = person("ana", "Ana", "Alpha", "inner", date(2024, 1, 1))
    ben = person("ben", "Ben", "Beta", "active", date(2024, 1, 1))
    person("cleo", "Cleo", "Gamma", "warm", date(2026, 11, 18), company="Acme")  # new in W47, nothing given yet
    dev = person("dev", "Dev", "Delta", "warm", date(2026, 11, 20))  # new in W47, thanked
    person("eve", "Eve", "Edge", "warm", date(2026, 11, 23))  # new in W48: not this review's
    person("fay", "Fay", "Far", "warm", date(2026, 11, 15))  # the Sunday before W47
    hal = person("hal", "Hal", "Colder", "inner", date(2025, 1, 1))  # 14-day cadence, last contact 1 Oct
    gus = person("gus", "Gus", "Cold", "warm", date(2025, 1, 1))  # 60-day cadence, last contact 1 Jul
    ida = person("ida", "Ida", "Due", "active", date(2025, 1, 1))  # 30-day cadence, last contact 20 Oct

    def touch(key, who, kind, status, due, done=None):
        t = Touchpoint(connection_id=who, kind=kind, status=status, due_at=due, done_at=done, created_at=at(1, 1))
        session.add(t)
        session.flush()
        ids[key] = t.id

    # the reviewed week
    touch("t_share", ana, "share_content", "done", at(11, 16), at(11, 16))
    touch("t_meeting", ben, "meeting_request", "done", at(11, 17), at(11, 17))
    touch("t_skipped", ana, "check_in", "skipped", at(11, 18))
    touch("t_missed", ben, "share_content", "planned", at(11, 19))
    touch("t_thank", dev, "thank", "done", at(11, 21), at(11, 21))
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: inside W47 ...
    touch("t_edge_in", ana, "comment_on_post", "done", at(11, 15, 23, 30), at(11, 15, 23, 30))
    # ... and the next Sunday 23:30 UTC is W48
    touch("t_edge_out", ben, "congratulate", "done", at(11, 22, 23, 30), at(11, 22, 23, 30))
    # history
    touch("t_sep", ana, "thank", "done", at(9, 1), at(9, 1))  # 90 days, W36
    touch("t_aug", ben, "pitch", "done", at(8, 1), at(8, 1))  # older than 90 days
    touch("t_hal", hal, "check_in", "done", at(10, 1, 9, 30), at(10, 1, 9, 30))  # W40
    touch("t_gus", gus, "check_in", "done", at(7, 1, 9, 30), at(7, 1, 9, 30))
    touch("t_ida", ida, "check_in", "done", at(10, 20, 9, 30), at(10, 20, 9, 30))  # W43
    touch("t_ida_next", ida, "check_in", "planned", at(11, 27))
    touch("t_gus_next", gus, "check_in", "planned", at(11, 26))

    def post(key, pillar, status, when, title):
        p = Post(
            pillar=pillar,
            status=status,
            scheduled_at=when,
            title=title,
            published_at=when if status == "published" else None,
            created_at=at(1, 1),
        )
        session.add(p)
        session.flush()
        ids[key] = p.id

    post("p_tl1", "thought_leadership", "published", at(11, 17, 8, 30), "SLOs are a product")
    post("p_tl2", "thought_leadership", "published", at(11, 19, 8, 30), "On-call is a team sport")
    post("p_cs_skip", "content_share", "skipped", at(11, 16, 11), "Share: a skipped one")
    post("p_cs_missed", "content_share", "scheduled", at(11, 20, 11), "Share: the one I forgot")
    post("p_ge", "group_engagement", "published", at(11, 18, 12), "Guild: how big is your rotation?")
    post("p_ve_w48", "virtual_event", "published", at(11, 22, 23, 30), "Monday in Berlin")
    post("p_cs_w45", "content_share", "published", at(11, 5, 11), "Share: older")

    topic = Topic(name="SRE")
    session.add(topic)
    session.add(Topic(name="Empty topic"))
    session.flush()
    feeds = [
        Feed(url="https://ok.example/feed", title="Healthy feed", topic_id=topic.id, last_status="ok"),
        Feed(
            url="https://broken.example/feed",
            title="Broken feed",
            topic_id=topic.id,
            last_status="error",
            last_error="HTTP 500",
            failure_count=3,
        ),
        Feed(url="https://gone.example/feed", title="Gone feed", enabled=False, disabled_reason="gone (HTTP 410)"),
    ]
    session.add_all(feeds)
    session.flush()
    keyword = Keyword(phrase="error budgets")
    session.add(keyword)
    session.flush()
    for key, day in (("e19", 19), ("e20", 20), ("e21", 21)):
        e = Entry(
            feed_id=feeds[0].id,
            guid=key,
            title=f"Error budgets, part {day}",
            link=f"https://ok.example/{day}",
            published_at=at(11, day, 8),
            content_hash=key,
        )
        session.add(e)
        session.flush()
        ids[key] = e.id
        session.add(EntryKeyword(entry_id=e.id, keyword_id=keyword.id, score=0.9, rank=1))
    idea = Post(
        pillar="content_share",
        status="idea",
        title="Share: error budgets 20",
        source_entry_id=ids["e20"],
        created_at=at(1, 1),
    )
    session.add(idea)
    session.flush()
    return ids


@pytest.fixture
def world(store):
    return store.call(build_world)


def test_posts_per_pillar_against_the_target(store, world):
    r = store.call(review_week, W47, FIXED_NOW)
    assert (r.week, r.monday, r.sunday, r.timezone) == ("2026-W47", W47, date(2026, 11, 22), "Europe/Berlin")
    p = r.posts
    assert (p.planned, p.published, p.skipped, p.missed, p.upcoming) == (5, 3, 1, 1, 0)
    rows = {
        row.pillar: (row.target, row.planned, row.published, row.skipped, row.missed, row.share) for row in p.pillars
    }
    assert list(rows) == ["thought_leadership", "content_share", "group_engagement", "virtual_event"]
    assert rows["thought_leadership"] == (0.4, 2, 2, 0, 0, 0.6667)
    assert rows["content_share"] == (0.3, 2, 0, 1, 1, 0.0)
    assert rows["group_engagement"] == (0.2, 1, 1, 0, 0, 0.3333)
    assert rows["virtual_event"] == (0.1, 0, 0, 0, 0, 0.0)
    assert [(i.id, i.outcome) for i in p.items] == [
        (world["p_cs_skip"], "skipped"),
        (world["p_tl1"], "published"),
        (world["p_ge"], "published"),
        (world["p_tl2"], "published"),
        (world["p_cs_missed"], "missed"),
    ]


def test_touchpoints_and_give_ask(store, world):
    r = store.call(review_week, W47, FIXED_NOW)
    t = r.touchpoints
    assert (t.planned, t.done, t.skipped, t.overdue, t.upcoming) == (6, 4, 1, 1, 0)
    assert [i.id for i in t.items] == [
        world[k] for k in ("t_edge_in", "t_share", "t_meeting", "t_skipped", "t_missed", "t_thank")
    ]
    assert world["t_edge_out"] not in {i.id for i in t.items}
    assert [i.id for i in r.missed_items] == [world["p_cs_missed"], world["t_missed"]]
    assert (r.give_ask_week.gives, r.give_ask_week.asks, r.give_ask_week.ratio_text, r.give_ask_week.ratio) == (
        3,
        1,
        "3:1",
        3.0,
    )
    # 90 days ending with the week: the three gives of the week + 1 Sep + 1 Oct + 20 Oct; the Aug pitch is older
    ga = r.give_ask_90_days
    assert (ga.gives, ga.asks, ga.ratio_text) == (6, 1, "6:1")


def test_going_cold_new_connections_rising_and_feeds(store, world):
    r = store.call(review_week, W47, FIXED_NOW)
    assert r.going_cold_total == 2
    cold = [(p.name, p.cadence_days, p.overdue_days) for p in r.going_cold]
    # most overdue relative to the cadence first: 41/14, 87/60; Ida (6/30) is due, not going cold
    assert cold == [("Hal Colder", 14, 41.0), ("Gus Cold", 60, 87.0)]
    assert all(p.suggestion and p.suggestion.kind == "check_in" for p in r.going_cold)
    assert [p.planned for p in r.going_cold] == [None, "check in on Thu 26 Nov"]
    assert r.going_cold[0].last_contact_at == at(10, 1, 9, 30)

    assert [(p.name, p.company, p.connected_on) for p in r.new_connections] == [
        ("Cleo Gamma", "Acme", date(2026, 11, 18))
    ]
    assert r.new_connections[0].suggestion.kind == "check_in"
    assert "connected recently" in r.new_connections[0].suggestion.reason

    assert [t.topic for t in r.rising] == ["SRE"]
    sre = r.rising[0]
    assert [(k.keyword, k.count, k.baseline, k.lift, k.series) for k in sre.keywords] == [
        ("error budgets", 3, 0.0, 4.0, [0, 0, 0, 0, 3])
    ]
    assert [(e.entry_id, e.keywords, e.has_idea) for e in sre.entries] == [
        (world["e21"], ["error budgets"], False),
        (world["e20"], ["error budgets"], True),
        (world["e19"], ["error budgets"], False),
    ]

    assert [(f.title, f.status, f.failure_count, f.enabled) for f in r.failing_feeds] == [
        ("Broken feed", "error", 3, True),
        ("Gone feed", None, 0, False),
    ]
    assert r.failing_feeds[0].error == "HTTP 500" and r.failing_feeds[1].disabled_reason == "gone (HTTP 410)"


def test_charts_streak_and_suggestions(store, world):
    r = store.call(review_week, W47, FIXED_NOW)
    weeks = r.charts.weeks
    assert [w.week for w in weeks] == [f"2026-W{n}" for n in range(36, 48)]
    busy = {
        w.week: (w.touches_done, w.touches_planned, w.gives, w.asks)
        for w in weeks
        if w.touches_planned or w.touches_done
    }
    assert busy == {
        "2026-W36": (1, 1, 1, 0),
        "2026-W40": (1, 1, 1, 0),
        "2026-W43": (1, 1, 1, 0),
        "2026-W47": (4, 6, 3, 1),
    }
    # published in W44..W47 by scheduled time: 2 thought leadership, 1 group engagement, 1 content share (W45)
    assert [(m.pillar, m.target, m.week, m.recent) for m in r.charts.pillar_mix] == [
        ("thought_leadership", 0.4, 0.6667, 0.5),
        ("content_share", 0.3, 0.0, 0.25),
        ("group_engagement", 0.2, 0.3333, 0.25),
        ("virtual_event", 0.1, 0.0, 0.0),
    ]
    kept = r.streak.this_week
    assert (kept.posts_planned, kept.posts_published, kept.touches_planned, kept.touches_done, kept.kept) == (
        5,
        3,
        6,
        4,
        False,
    )
    assert r.streak.weeks == 0
    assert "80%" in r.streak.definition
    assert r.suggestions == [
        "Decide on the 2 missed items of 2026-W47: carry each forward or drop it.",
        "Give content share more room: 0% of last week's published posts against a 30% target (1 in the backlog).",
        "Only 4 of 6 touchpoints were done: plan fewer, or block time for them (capacity is 3 a day).",
        "Reach out to the most overdue first: Hal Colder (check in), Gus Cold (check in).",
        "Start with value for new connections: Cleo Gamma (no value-first touch yet).",
        "Write about “error budgets”: rising in SRE (3 mentions, ×4).",
        "Fix or remove 2 failing feeds: Broken feed, Gone feed.",
    ]
    assert r.saved is None


def test_as_json_is_plain_and_stable(store, world):
    first = store.call(review_week, W47, FIXED_NOW).as_json()
    again = store.call(review_week, W47, FIXED_NOW).as_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["give_ask_week"] == {"gives": 3, "asks": 1, "ratio": 3.0, "ratio_text": "3:1"}
    assert first["streak"]["this_week"]["kept"] is False
    assert first["posts"]["items"][0]["at"] == "2026-11-16T11:00:00+00:00"


def _kept_week(session, monday: date, posts: tuple[int, int], touches: tuple[int, int]) -> None:
    """`posts` = (scheduled, published), `touches` = (planned, done) spread over the week's Tuesday."""
    tue = datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC) + timedelta(days=1)
    c = session.exec(select(Connection)).first()
    for i in range(posts[0]):
        session.add(
            Post(
                pillar="thought_leadership",
                status="published" if i < posts[1] else "skipped",
                scheduled_at=tue + timedelta(minutes=i),
                title=f"p{i}",
            )
        )
    for i in range(touches[0]):
        done = i < touches[1]
        session.add(
            Touchpoint(
                connection_id=c.id,
                kind="check_in",
                status="done" if done else "skipped",
                due_at=tue + timedelta(minutes=i),
                done_at=tue if done else None,
            )
        )
    session.flush()


def test_streak_counts_consecutive_kept_weeks_and_trusts_saved_counts(store):
    def setup(session):
        session.add(Strategy(timezone="UTC"))
        session.add(Connection(first_name="Pat", connected_on=date(2024, 1, 1)))
        session.flush()
        _kept_week(session, date(2026, 10, 26), (1, 1), (1, 1))  # W44 kept, but W45 breaks the run
        _kept_week(session, date(2026, 11, 2), (5, 3), (0, 0))  # W45: 3 of 5 posts → not kept
        _kept_week(session, date(2026, 11, 9), (5, 4), (5, 4))  # W46: exactly 80 % → kept
        _kept_week(session, date(2026, 11, 16), (0, 0), (4, 4))  # W47: touchpoints only, all done → kept

    store.call(setup)
    r = store.call(review_week, W47, FIXED_NOW)
    assert r.streak.weeks == 2
    assert r.streak.this_week.as_json() == {
        "week": "2026-W47",
        "posts_planned": 0,
        "posts_published": 0,
        "touches_planned": 4,
        "touches_done": 4,
        "kept": True,
    }
    assert r.suggestions[-1] == "Keep it going: the plan was kept 2 weeks in a row."
    # the W45 review saved counts that kept the plan (before items were carried out of it): trusted
    store.call(
        save_review,
        "2026-W45",
        {"kept": {"posts_planned": 4, "posts_published": 4, "touches_planned": 0, "touches_done": 0}},
        FIXED_NOW,
    )
    assert store.call(review_week, W47, FIXED_NOW).streak.weeks == 4
    # a week with nothing planned is not a kept week
    assert store.call(review_week, date(2026, 11, 23), FIXED_NOW).streak.weeks == 0


def test_actions_mark_carry_drop(store, world):
    message = store.call(mark_happened, "touchpoint", world["t_missed"], FIXED_NOW)
    assert message == "share content touchpoint: done"
    target = at(11, 27, 11)
    store.call(carry_forward, "post", world["p_cs_missed"], target, FIXED_NOW)

    def rows(session):
        return session.get(Touchpoint, world["t_missed"]), session.get(Post, world["p_cs_missed"])

    touch, post = store.call(rows)
    assert (touch.status, touch.done_at, touch.version) == ("done", at(11, 19), 2)
    assert (post.status, post.scheduled_at, post.manual) == ("scheduled", target, True)
    r = store.call(review_week, W47, FIXED_NOW)
    assert (r.posts.planned, r.posts.missed, r.touchpoints.done, r.touchpoints.overdue) == (4, 0, 5, 0)
    assert r.missed_items == []

    # only missed items can be carried or dropped
    with pytest.raises(PlannerError, match="is done: only a missed"):
        store.call(drop_item, "touchpoint", world["t_missed"], FIXED_NOW)
    with pytest.raises(PlannerError, match="unknown item kind"):
        store.call(carry_forward, "event", 1, target, FIXED_NOW)
    with pytest.raises(PlannerError, match="time zone"):
        store.call(carry_forward, "post", world["p_cs_missed"], datetime(2026, 12, 1, 9), FIXED_NOW)
    assert store.call(drop_item, "post", world["p_cs_missed"], FIXED_NOW) == "Share: the one I forgot: dropped"
    assert store.call(lambda s: s.get(Post, world["p_cs_missed"]).status) == "skipped"


def test_carry_target_same_slot_a_week_later_else_next_weekday_ahead():
    now = FIXED_NOW  # Wed 25 Nov 09:30 UTC = 10:30 Berlin
    assert carry_target(at(11, 20, 11), now, BERLIN) == at(11, 27, 11)  # Fri → next Fri
    assert carry_target(at(11, 16, 10), now, BERLIN) == at(11, 25, 10)  # Mon 23 passed → Wed 11:00 Berlin
    # Sat 14 Nov 10:00 Berlin → Sat 21 passed; weekend days are skipped when stepping; Wed 10:00 passed → Thu
    assert carry_target(at(11, 14, 9), now, BERLIN) == at(11, 26, 9)


def test_save_review_upserts_and_review_due(store, world):
    assert store.call(review_due, FIXED_NOW) == "Weekly review for 2026-W47 is due"
    saved = store.call(save_review, "2026-w47", {"dropped": [["post", 3]], "carried": []}, FIXED_NOW)
    assert saved.completed_at == FIXED_NOW and saved.decisions == {"carried": [], "dropped": [["post", 3]]}
    assert store.call(review_due, FIXED_NOW) is None
    later = FIXED_NOW + timedelta(hours=1)
    store.call(save_review, "2026-W47", {"note": "again"}, later)
    rows = store.call(lambda s: [(r.week, r.completed_at, r.decisions) for r in s.exec(select(Review))])
    assert rows == [("2026-W47", later, '{"note": "again"}')]
    r = store.call(review_week, W47, FIXED_NOW)
    assert r.saved.decisions == {"note": "again"}
    # next Monday the week under review moves on
    assert store.call(review_due, datetime(2026, 11, 30, 9, tzinfo=UTC)) == "Weekly review for 2026-W48 is due"
    # Sunday 23:30 UTC is Monday 00:30 in Berlin: the strategy's zone decides
    assert store.call(review_due, datetime(2026, 11, 29, 23, 30, tzinfo=UTC)) == "Weekly review for 2026-W48 is due"
    assert store.call(review_due, datetime(2026, 11, 29, 22, 30, tzinfo=UTC)) is None


def test_bad_input_is_named(store):
    with pytest.raises(PlannerError, match="not an ISO week: '2026-48'"):
        store.call(save_review, "2026-48", {}, FIXED_NOW)
    with pytest.raises(PlannerError, match="must be a mapping"):
        store.call(save_review, "2026-W48", ["x"], FIXED_NOW)
    with pytest.raises(PlannerError, match="Monday"):
        store.call(review_week, date(2026, 11, 17), FIXED_NOW)
    with pytest.raises(PlannerError, match="not an ISO week"):
        store.call(review_service.review_for, "W48", FIXED_NOW)


def test_empty_database_reviews_without_creating_a_strategy(store):
    r = store.call(review_service.review_for, None, FIXED_NOW)
    assert r.week == "2026-W47" and r.timezone == "UTC"
    assert (r.posts.planned, r.touchpoints.planned, r.going_cold, r.rising, r.streak.weeks) == (0, 0, [], [], 0)
    assert r.suggestions == ["No posts were scheduled: run the auto-plan for next week."]
    assert store.call(lambda s: s.exec(select(Strategy)).all()) == []


def test_long_streaks_read_older_weeks_until_the_run_breaks_and_stop_at_52(store):
    """The streak reads the chart's 12 weeks first and older weeks only while every week was kept."""

    def setup(session):
        session.add(Strategy(timezone="UTC"))
        session.add(Connection(first_name="Pat", connected_on=date(2024, 1, 1)))
        session.flush()
        for back in range(14):  # W34..W47 kept, W33 empty: a run across the first 12-week block
            _kept_week(session, W47 - timedelta(weeks=back), (1, 1), (1, 1))

    store.call(setup)
    assert store.call(review_week, W47, FIXED_NOW).streak.weeks == 14

    def older(session):
        for back in range(14, 60):
            _kept_week(session, W47 - timedelta(weeks=back), (0, 0), (1, 1))

    store.call(older)
    assert store.call(review_week, W47, FIXED_NOW).streak.weeks == 52


def test_week_series_follow_local_midnight_across_the_dst_change(store):
    """Berlin's Monday starts at 22:00 UTC in summer and 23:00 UTC in winter (DST ended 25 Oct)."""

    def setup(session):
        session.add(Strategy(timezone="Europe/Berlin"))
        c = Connection(first_name="Pat", connected_on=date(2024, 1, 1))
        session.add(c)
        session.flush()
        for when in (at(9, 27, 21, 30), at(9, 27, 22, 30), at(10, 25, 22, 30), at(10, 25, 23, 30)):
            session.add(Touchpoint(connection_id=c.id, kind="pitch", status="done", due_at=when, done_at=when))

    store.call(setup)
    weeks = {
        w.week: (w.touches_planned, w.touches_done, w.asks)
        for w in store.call(review_week, W47, FIXED_NOW).charts.weeks
    }
    # Sun 27 Sep 21:30 UTC is Sunday 23:30 in Berlin (W39), 22:30 UTC already Monday (W40);
    # Sun 25 Oct 22:30 UTC is Sunday 23:30 (W43), 23:30 UTC is Monday 00:30 (W44)
    assert [weeks[w] for w in ("2026-W39", "2026-W40", "2026-W43", "2026-W44")] == [(1, 1, 1)] * 4


def test_finishing_keeps_the_counts_of_the_week_as_planned_when_items_were_carried_out(store, world):
    """An item carried out of the week was planned there and did not happen in it: the counts saved
    with the review (what the week is judged on later) still hold it; kinds with no decision are
    left out."""
    before = store.call(review_week, W47, FIXED_NOW).streak.this_week.counts()
    target = at(11, 27, 11)
    store.call(carry_forward, "touchpoint", world["t_missed"], target, FIXED_NOW)
    store.call(carry_forward, "post", world["p_cs_missed"], target, FIXED_NOW)
    after = store.call(review_week, W47, FIXED_NOW).streak.this_week.counts()
    assert (after["touches_planned"], after["posts_planned"]) == (
        before["touches_planned"] - 1,
        before["posts_planned"] - 1,
    )
    carried = [
        ["touchpoint", world["t_missed"], target.isoformat()],
        ["post", world["p_cs_missed"], target.isoformat()],
    ]
    saved = store.call(review_service.finish_review, W47, {"carried": carried, "dropped": []}, FIXED_NOW)
    assert saved.decisions == {"carried": carried, "kept": before}
    assert store.call(review_week, W47, FIXED_NOW).saved.decisions["kept"] == before
    with pytest.raises(PlannerError, match="needs the Monday"):
        store.call(review_service.finish_review, W47 + timedelta(days=1), {}, FIXED_NOW)
