"""DB → CalendarItem: range in the user's zone, stable UIDs, links, statuses; ICS round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from ical.calendar_stream import IcsCalendarStream

from planner.adapters.export import to_ics
from planner.errors import PlannerError
from planner.models import Connection, Entry, Feed, Post, Touchpoint
from planner.services.calendar import calendar, calendar_items, calendar_range
from planner.services.strategy import set_strategy

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def world(store):
    store.call(set_strategy, "timezone", "Europe/Berlin", NOW)
    with store.transaction() as s:
        feed = Feed(url="https://example.com/f")
        s.add(feed)
        s.flush()
        entry = Entry(feed_id=feed.id, guid="1", title="Article", link="https://example.com/a", published_at=NOW)
        priya = Connection(first_name="Priya", last_name="[bold]Shah", profile_url="https://www.linkedin.com/in/priya")
        s.add_all([entry, priya])
        s.flush()
        s.add_all(
            [
                # 23:30 UTC on 24 Nov is 00:30 on the 25th in Berlin: inside "today"
                Post(
                    title="Early",
                    pillar="thought_leadership",
                    status="scheduled",
                    scheduled_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
                    hashtags="sre devops",
                    body="Body",
                    updated_at=NOW,
                ),
                Post(
                    title="Share it",
                    pillar="content_share",
                    status="scheduled",
                    scheduled_at=NOW + timedelta(days=2),
                    source_entry_id=entry.id,
                    updated_at=NOW,
                ),
                Post(title="Skipped", status="skipped", scheduled_at=NOW + timedelta(days=3), updated_at=NOW),
                Post(title="Idea only", status="idea", updated_at=NOW),
                Post(title="Too late", status="scheduled", scheduled_at=NOW + timedelta(days=40), updated_at=NOW),
                Touchpoint(
                    connection_id=priya.id,
                    kind="share_content",
                    due_at=NOW + timedelta(days=1),
                    entry_id=entry.id,
                    message="Thought of you",
                    note="matches sre",
                    updated_at=NOW,
                ),
            ]
        )


def test_default_range_is_today_plus_four_weeks_local(store):
    world(store)
    rng, items = store.call(calendar, NOW)
    assert (rng.first_day, rng.last_day) == (date(2026, 11, 25), date(2026, 12, 22))
    assert rng.start == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert [i.uid for i in items][:1] == ["post-1@planner"]
    assert {i.title for i in items} == {
        "Post (thought leadership): Early",
        "Post (content share): Share it",
        "Post (thought leadership): Skipped",
        "Share content: Priya [bold]Shah",
    }


def test_items_carry_links_hashtags_person_and_status(store):
    world(store)
    _, items = store.call(calendar, NOW)
    by_title = {i.title: i for i in items}
    share = by_title["Post (content share): Share it"]
    assert share.links == ("https://example.com/a",) and share.pillar == "content_share" and share.status == "scheduled"
    early = by_title["Post (thought leadership): Early"]
    assert early.hashtags == ("sre", "devops") and early.body == "Body"
    touch = by_title["Share content: Priya [bold]Shah"]
    assert touch.kind == "touchpoint" and touch.person == "Priya [bold]Shah" and touch.action == "share_content"
    assert touch.links == ("https://www.linkedin.com/in/priya", "https://example.com/a")
    assert touch.body == "Thought of you\n\nmatches sre"
    assert by_title["Post (thought leadership): Skipped"].status == "skipped"


def test_explicit_range_and_bad_range(store):
    world(store)
    rng = store.call(calendar_range, NOW, date(2027, 1, 1), date(2027, 1, 4))
    items = store.call(calendar_items, rng.start, rng.end)
    assert [i.title for i in items] == ["Post (thought leadership): Too late"]
    with pytest.raises(PlannerError, match="before"):
        store.call(calendar_range, NOW, date(2026, 12, 2), date(2026, 12, 1))


def test_ics_from_the_db_parses_strictly_with_stable_uids(store):
    world(store)
    rng, items = store.call(calendar, NOW)
    text = to_ics(items, rng.timezone)
    cal = IcsCalendarStream.calendar_from_ics(text)
    assert len(cal.events) == len(items) == 4
    assert sorted(e.uid for e in cal.events) == sorted(i.uid for i in items)
    assert to_ics(store.call(calendar, NOW)[1], rng.timezone) == text  # same DB, same bytes
    early = next(e for e in cal.events if e.summary.endswith("Early"))
    assert (
        early.dtstart.strftime("%Y-%m-%d %H:%M") == "2026-11-25 00:30" and str(early.dtstart.tzinfo) == "Europe/Berlin"
    )
