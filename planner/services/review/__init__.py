"""The weekly review: look back at a week, at the network, at what is rising, then plan and export.

The package: model (the dataclass tree and its JSON), facts (the parts of a week), history (kept
weeks, streak, charts), actions (what the review screen does), report (Markdown and JSON); the
entry points are here.

``review_week(session, monday, now)`` gathers everything the review shows into a plain dataclass
tree (``WeekReview.as_json()`` is stable: every list has a fixed order ending on an id or a name).
It is two reads, which the review screen draws as they come: ``last_week`` (the first step, a
small part of the cost) and ``complete_review`` (people going cold, what is rising, suggestions).
The review is read-only; the actions the review screen takes are the small functions in
review.actions (``mark_happened``, ``carry_forward``, ``drop_item``, ``save_review``, ``finish_review``)
plus the services it builds on (``touches.accept_suggestion``, ``entries.idea_from_entry``, ``planning.plan_week``).

Definitions (all weeks are ISO weeks, Monday 00:00 to Monday 00:00 in the strategy's time zone):

* A post belongs to the week its ``scheduled_at`` falls in (published, skipped or still
  scheduled). *Published* = status published; *skipped* = status skipped; *missed* = still
  scheduled although its time has passed (nobody said what happened).
* A touchpoint belongs to the week its ``due_at`` falls in. *Done*, *skipped*; *overdue* = still
  planned although its time has passed; *upcoming* = planned, not yet due.
* Give:ask counts DONE touchpoints by ``done_at``: value-first kinds are gives, the ask kinds
  (pitch, meeting request, referral request) are asks. "Last 90 days" is the 90 days ending with
  the reviewed week.
* **A week's plan was kept** when something was planned in it (at least one post or touchpoint)
  and, for each of the two kinds that had anything planned, at least 80 % happened: posts
  published / posts in the week ≥ 0.8, and touchpoints done / touchpoints in the week ≥ 0.8.
  Skipped counts as not happened (a plan kept is a plan done). A week with a saved review is
  judged on the counts saved with it (``decisions["kept"]``), so carrying a missed item out of a
  week afterwards does not turn it into a kept week. The streak is the number of consecutive kept
  weeks ending with the reviewed week (0 when the reviewed week was not kept), at most 52.
* People going cold, their suggestions and new connections without a value-first touch are as of
  ``now`` (what to do next); so are the rising keywords, for planning next week: the very list
  Discover and `planner keywords trends` show (``keywords.rising_now``: the last 7 days against
  the four weeks before, see services.trends), each under the topics whose entries mention it.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Post, PostStatus, Review, Strategy
from planner.services.review.actions import (
    carry_forward,
    carry_target,
    drop_item,
    finish_review,
    mark_happened,
    save_review,
)
from planner.services.review.facts import (
    _check_monday,
    _failing_feeds,
    _give_ask,
    _going_cold,
    _new_connections,
    _posts,
    _rising,
    _strategy,
    _suggestions,
    _touches,
)
from planner.services.review.history import _charts, _streak
from planner.services.review.model import (
    KEPT_DEFINITION,
    LEDGER_DAYS,
    ColdPerson,
    EntryPick,
    LastWeek,
    ReviewItem,
    SavedReview,
    WeekReview,
)
from planner.services.timeutil import (
    iso_week,
    last_full_week,
    parse_iso_week,
    user_timezone,
    week_bounds,
)
from planner.services.today import review_due
from planner.store.reader import utc_value


def review_week(session: Session, week_monday: date, now: datetime) -> WeekReview:
    """Everything the weekly review shows for the week starting on `week_monday` (see the module
    docstring for the definitions)."""
    return complete_review(session, last_week(session, week_monday, now))


def last_week(session: Session, week_monday: date, now: datetime) -> LastWeek:
    """The first step of the review of the week starting on `week_monday` (see ``LastWeek``)."""
    _check_monday(week_monday)
    if now.tzinfo is None:
        raise PlannerError("review_week needs an aware 'now'")
    zone, mix = _strategy(session)
    start, end = week_bounds(week_monday, zone)
    posts = _posts(session, start, end, now, mix)
    charts, counts = _charts(session, week_monday, zone, posts)
    return LastWeek(
        week=iso_week(week_monday),
        monday=week_monday,
        sunday=week_monday + timedelta(days=6),
        timezone=zone.key,
        now=now,
        posts=posts,
        touchpoints=_touches(session, start, end, now),
        give_ask_week=_give_ask(session, start, end),
        give_ask_90_days=_give_ask(session, end - timedelta(days=LEDGER_DAYS), end),
        streak=_streak(session, week_monday, zone, counts),
        charts=charts,
        saved=_saved(session, iso_week(week_monday)),
    )


def built_from(review: WeekReview, last: LastWeek) -> bool:
    """Whether `review` is `last` completed (its first step holds exactly `last`'s values): a
    review completed from an older first step must not be shown beside a newer one."""
    return all(getattr(review, f.name) == getattr(last, f.name) for f in fields(LastWeek))


def complete_review(session: Session, last: LastWeek) -> WeekReview:
    """`last` and the rest of the review: people going cold and new ones as of `last.now`, what
    rose in the week, failing feeds, and the suggestions drawn from all of it."""
    zone, now = ZoneInfo(last.timezone), last.now
    cold, cold_total = _going_cold(session, now, zone)
    review = WeekReview(
        **{f.name: getattr(last, f.name) for f in fields(LastWeek)},
        going_cold=cold,
        going_cold_total=cold_total,
        new_connections=_new_connections(session, last.monday, now, zone),
        rising=_rising(session, now),
        failing_feeds=_failing_feeds(session),
        suggestions=[],
    )
    backlog = dict(
        session.exec(
            select(col(Post.pillar), func.count())
            .where(col(Post.status).in_((PostStatus.IDEA.value, PostStatus.DRAFT.value)))
            .group_by(col(Post.pillar))
        ).all()
    )
    capacity = session.exec(select(col(Strategy.daily_touch_capacity)).order_by(col(Strategy.id)).limit(1)).first()
    review.suggestions = _suggestions(review, backlog, capacity)
    return review


def _saved(session: Session, week: str) -> SavedReview | None:
    row = session.exec(select(Review).where(col(Review.week) == week)).first()
    if row is None:
        return None
    try:
        decisions = json.loads(row.decisions or "{}")
    except ValueError:
        decisions = {}
    return SavedReview(utc_value(row.completed_at), decisions if isinstance(decisions, dict) else {})


def review_for(session: Session, week: str | None, now: datetime) -> WeekReview:
    """`week` like "2026-W47", or None for the last full week in the strategy's zone."""
    if week:
        monday = parse_iso_week(week)
    else:
        monday = last_full_week(now, user_timezone(session))
    return review_week(session, monday, now)


__all__ = [
    "KEPT_DEFINITION",
    "ColdPerson",
    "EntryPick",
    "LastWeek",
    "ReviewItem",
    "WeekReview",
    "built_from",
    "carry_forward",
    "carry_target",
    "complete_review",
    "drop_item",
    "finish_review",
    "last_full_week",
    "last_week",
    "mark_happened",
    "review_due",
    "review_for",
    "review_week",
    "save_review",
]
