"""Strategy settings (validation, slots) and the post pipeline (transitions, versions, manual)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from planner.errors import ConflictError, PlannerError
from planner.services import community
from planner.services import posts as ps
from planner.services.strategy import DEFAULT_SLOTS, set_strategy, show_strategy

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_strategy_is_created_once_with_default_slots(store):
    first = store.call(show_strategy, NOW)
    again = store.call(show_strategy, NOW)
    assert first.id == again.id and len(first.slots) == len(DEFAULT_SLOTS)
    assert first.timezone == "UTC" and first.working_day_names == ["mon", "tue", "wed", "thu", "fri"]
    assert abs(sum(first.pillar_mix.values()) - 1) < 1e-9


@pytest.mark.parametrize(
    ("key", "value", "check"),
    [
        ("timezone", "Europe/Berlin", lambda v: v.timezone == "Europe/Berlin"),
        ("working_days", "Tue, thu ,sat", lambda v: v.working_days == [1, 3, 5]),
        ("daily_touch_capacity", "5", lambda v: v.daily_touch_capacity == 5),
        ("pillar_mix", "thought_leadership=0.5,content_share=0.5", lambda v: v.pillar_mix["group_engagement"] == 0),
        ("pillar_mix", '{"content_share": 0.995}', lambda v: v.pillar_mix["content_share"] == 0.995),
        ("pitch_min_gives", "4", lambda v: v.pitch_min_gives == 4),
        ("pitch_min_days", "60", lambda v: v.pitch_min_days == 60),
        ("cadence.inner", "10", lambda v: v.tier_cadences["inner"] == 10 and v.tier_cadences["warm"] == 60),
        ("tier_cadences", "warm=45", lambda v: v.tier_cadences["warm"] == 45),
        (
            "slots.add",
            "sat 10:30 virtual_event event:Platform",
            lambda v: any(
                s.day == "sat" and s.local_time == "10:30" and s.channel == "event:Platform" for s in v.slots
            ),
        ),
        ("slots.remove", "tue 09:00", lambda v: not any(s.day == "tue" and s.local_time == "09:00" for s in v.slots)),
    ],
)
def test_strategy_set_accepts_valid_values(store, key, value, check):
    before = store.call(show_strategy, NOW)
    view = store.call(set_strategy, key, value, NOW)
    assert check(view) and view.version == before.version + 1
    assert check(store.call(show_strategy, NOW))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("working_days", "funday", "not a weekday"),
        ("working_days", " ", "at least one day"),
        ("daily_touch_capacity", "three", "not a whole number"),
        ("daily_touch_capacity", "-1", "out of range"),
        ("pillar_mix", "thought_leadership=0.5,content_share=0.4", "sum to 1"),
        ("pillar_mix", "memes=1", "unknown pillar"),
        ("pillar_mix", "thought_leadership", "name=value"),
        ("pillar_mix", "{bad json", "not valid JSON"),
        ("cadence.vip", "3", "unknown tier"),
        ("slots.add", "tue 25:00 thought_leadership", "not a time"),
        ("slots.add", "tue 09:00 thought_leadership", "already a slot"),
        ("slots.add", "tue", "DAY HH:MM PILLAR"),
        ("slots.remove", "99", "no slot"),
        ("colour", "blue", "unknown strategy setting"),
    ],
)
def test_strategy_set_rejects_bad_values_naming_the_key(store, key, value, message):
    store.call(show_strategy, NOW)
    with pytest.raises(PlannerError, match=message):
        store.call(set_strategy, key, value, NOW)


def test_strategy_conflict_on_stale_version(store):
    v = store.call(show_strategy, NOW).version
    store.call(set_strategy, "daily_touch_capacity", "4", NOW, expected_version=v)
    with pytest.raises(ConflictError):
        store.call(set_strategy, "daily_touch_capacity", "5", NOW, expected_version=v)


# --- posts --------------------------------------------------------------------------------------


def test_pipeline_idea_draft_scheduled_published(store):
    p = store.call(ps.add_post, "Why SLOs", body="Text", hashtags="#SRE, sre devops", now=NOW)
    assert (p.status, p.manual, p.version, p.hashtags) == ("idea", False, 1, ["SRE", "devops"])
    p = store.call(ps.set_status, p.id, "draft", NOW, expected_version=1)
    when = NOW + timedelta(days=2)
    p = store.call(ps.schedule_post, p.id, when, now=NOW)
    assert (p.status, p.scheduled_at, p.manual) == ("scheduled", when, True)
    p = store.call(ps.publish_post, p.id, now=NOW + timedelta(days=2), url="https://linkedin.com/posts/1")
    assert p.status == "published" and p.published_at == when
    with pytest.raises(PlannerError, match="cannot be scheduled"):
        store.call(ps.schedule_post, p.id, when, now=NOW)
    with pytest.raises(PlannerError, match="cannot be published"):
        store.call(ps.publish_post, p.id, now=NOW)


def test_unscheduling_returns_to_the_backlog_and_skipped_can_come_back(store):
    p = store.call(ps.add_post, "T", scheduled_at=NOW + timedelta(days=1), now=NOW)
    assert p.status == "scheduled" and p.manual
    p = store.call(ps.set_status, p.id, "draft", NOW)
    assert p.status == "draft" and p.scheduled_at is None
    p = store.call(ps.set_status, p.id, "skipped", NOW)
    p = store.call(ps.set_status, p.id, "idea", NOW)
    assert p.status == "idea"
    with pytest.raises(PlannerError, match="no time yet"):
        store.call(ps.set_status, p.id, "scheduled", NOW)


def test_published_evergreen_may_be_scheduled_again_others_not(store):
    ever = store.call(ps.add_post, "Evergreen", evergreen=True, cooldown_days=30, now=NOW)
    once = store.call(ps.add_post, "Once", now=NOW)
    for p in (ever, once):
        store.call(ps.publish_post, p.id, now=NOW)
    assert store.call(ps.schedule_post, ever.id, NOW + timedelta(days=40), now=NOW).status == "scheduled"
    with pytest.raises(PlannerError):
        store.call(ps.schedule_post, once.id, NOW + timedelta(days=40), now=NOW)


def test_edit_bumps_version_sets_manual_and_checks_conflicts(store):
    p = store.call(ps.add_post, "Draft title", body="v1", now=NOW)
    edited = store.call(ps.edit_post, p.id, NOW, expected_version=1, body="v2", pillar="content-share")
    assert (edited.body, edited.pillar, edited.version, edited.manual) == ("v2", "content_share", 2, True)
    same = store.call(ps.edit_post, p.id, NOW, body="v2")
    assert same.version == 2  # nothing changed: no new version
    with pytest.raises(ConflictError):
        store.call(ps.edit_post, p.id, NOW, expected_version=1, body="v3")
    with pytest.raises(PlannerError, match="unknown pillar"):
        store.call(ps.edit_post, p.id, NOW, pillar="memes")
    with pytest.raises(PlannerError, match="cannot edit status"):
        store.call(ps.edit_post, p.id, NOW, status="published")
    with pytest.raises(PlannerError, match="needs a title or a body"):
        store.call(ps.edit_post, p.id, NOW, title="", body=" ")


def test_add_post_validation(store):
    with pytest.raises(PlannerError, match="title or a body"):
        store.call(ps.add_post, "  ", now=NOW)
    with pytest.raises(PlannerError, match="needs a time"):
        store.call(ps.add_post, "x", status="scheduled", now=NOW)
    with pytest.raises(PlannerError, match="no entry with id 999"):
        store.call(ps.add_post, "x", source_entry_id=999, now=NOW)
    with pytest.raises(PlannerError, match="hashtag"):
        store.call(ps.add_post, "x", hashtags="#ok #not-ok", now=NOW)
    with pytest.raises(PlannerError, match="no post with id 42"):
        store.call(ps.get_post, 42)


def test_list_posts_in_pipeline_order_and_filters(store):
    store.call(ps.add_post, "idea low", now=NOW)
    store.call(ps.add_post, "idea high", priority=3, now=NOW)
    store.call(ps.add_post, "later", scheduled_at=NOW + timedelta(days=3), now=NOW)
    store.call(ps.add_post, "sooner", scheduled_at=NOW + timedelta(days=1), now=NOW)
    store.call(ps.add_post, "a draft", status="draft", pillar="content_share", now=NOW)
    assert [p.title for p in store.call(ps.list_posts)] == ["sooner", "later", "a draft", "idea high", "idea low"]
    assert [p.title for p in store.call(ps.list_posts, status="draft")] == ["a draft"]
    assert [p.title for p in store.call(ps.list_posts, pillar="content_share")] == ["a draft"]
    with pytest.raises(PlannerError, match="unknown post status"):
        store.call(ps.list_posts, status="done")


def test_list_posts_pages_in_pipeline_order_with_published_latest_first(store):
    """The order is SQL's now (so the Posts screen can page): published latest first, skipped last,
    ideas by priority then id; pages of any size concatenate to the whole list."""
    first = store.call(ps.add_post, "published first", now=NOW)
    second = store.call(ps.add_post, "published second", now=NOW)
    store.call(ps.publish_post, first.id, now=NOW, at=NOW - timedelta(days=5))
    store.call(ps.publish_post, second.id, now=NOW, at=NOW - timedelta(days=1))
    skipped = store.call(ps.add_post, "skipped", now=NOW)
    store.call(ps.set_status, skipped.id, "skipped", NOW)
    store.call(ps.add_post, "idea b", priority=1, now=NOW)
    store.call(ps.add_post, "idea a", priority=1, now=NOW)
    store.call(ps.add_post, "soon", scheduled_at=NOW + timedelta(hours=2), now=NOW)
    expected = ["soon", "idea b", "idea a", "published second", "published first", "skipped"]
    assert [p.title for p in store.call(ps.list_posts)] == expected
    pages = [store.call(ps.list_posts, limit=4, offset=offset) for offset in (0, 4, 8)]
    assert [p.title for page in pages for p in page] == expected and pages[2] == []
    assert store.call(ps.count_posts) == {"scheduled": 1, "idea": 2, "published": 2, "skipped": 1}
    view = store.call(ps.list_posts, status="published")[0]
    assert list(view.as_json()) == [f.name for f in fields(ps.PostView)]
    assert view.as_json()["hashtags"] == view.hashtags and view.as_json()["published_at"] == NOW - timedelta(days=1)


def test_channel_links_group_and_event(store):
    g = store.call(community.add_group, "SRE Guild", url="https://example.com/g", cadence_days=7, now=NOW)
    e = store.call(
        community.add_event,
        "Platform Day",
        NOW + timedelta(days=9),
        url="https://example.com/e",
        role="hosting",
        now=NOW,
    )
    p = store.call(ps.add_post, "In the guild", channel="group:SRE Guild", now=NOW)
    q = store.call(ps.add_post, "Come along", channel="event:Platform Day", pillar="virtual_event", now=NOW)
    assert (p.group_id, q.event_id) == (g.id, e.id)


def test_groups_and_events_crud_and_validation(store):
    g = store.call(community.add_group, "Guild", cadence_days=14, now=NOW)
    assert store.call(community.groups_due, NOW)[0].id == g.id  # never engaged: due
    store.call(community.engaged, "Guild", NOW)
    assert store.call(community.groups_due, NOW + timedelta(days=13)) == []
    assert store.call(community.groups_due, NOW + timedelta(days=14))[0].name == "Guild"
    store.call(community.edit_group, g.id, cadence_days=30, notes="weekly thread")
    assert store.call(community.list_groups)[0].cadence_days == 30
    with pytest.raises(PlannerError, match="already a group"):
        store.call(community.add_group, "Guild")
    with pytest.raises(PlannerError, match="not an http"):
        store.call(community.add_group, "Other", url="javascript:alert(1)")
    with pytest.raises(PlannerError, match="cadence"):
        store.call(community.add_group, "Other", cadence_days=0)
    e = store.call(community.add_event, "Meetup", NOW + timedelta(days=1), duration_minutes=90, now=NOW)
    assert e.ends_at == e.starts_at + timedelta(minutes=90)
    with pytest.raises(PlannerError, match="hosting or attending"):
        store.call(community.edit_event, e.id, role="sponsoring")
    with pytest.raises(PlannerError, match="end after"):
        store.call(community.edit_event, e.id, ends_at=e.starts_at - timedelta(hours=1))
    assert store.call(community.remove_event, "Meetup") == "Meetup"
    assert store.call(community.remove_group, g.id) == "Guild"
    assert store.call(community.list_events) == [] and store.call(community.list_groups) == []


def test_strategy_changes_are_all_or_none_and_a_bad_one_names_its_field(store):
    """The TUI's strategy form marks the field the service names (FieldError); nothing is saved."""
    from planner.errors import FieldError
    from planner.services.strategy import apply_strategy_changes

    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    before = store.call(show_strategy, now)
    with pytest.raises(FieldError) as caught:
        store.call(
            apply_strategy_changes,
            {"timezone": "Europe/Paris", "daily_touch_capacity": "lots"},
            now,
            expected_version=before.version,
        )
    assert caught.value.field == "daily_touch_capacity" and caught.value.reason
    after = store.call(show_strategy, now)
    assert (after.timezone, after.version) == (before.timezone, before.version)
    with pytest.raises(ConflictError):  # a stale version stays a conflict, not a field's fault
        store.call(apply_strategy_changes, {"timezone": "Europe/Paris"}, now, expected_version=before.version + 5)
