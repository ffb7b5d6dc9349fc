"""Free times: the next open posting slot of a pillar and the next free touchpoint time, by the
rules plan_week places with (working days, the daily capacity, quarter-hours in working hours)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Post, PostStatus, Touchpoint, TouchStatus
from planner.services.strategy import show_strategy
from planner.services.timeutil import local_at, local_day_bounds

TOUCH_DAY_START = time(10, 0)  # first touchpoint of a day, local
TOUCH_DAY_END = time(18, 0)  # nothing is planned after this, local
TOUCH_STEP = timedelta(minutes=15)
PLACED = (PostStatus.SCHEDULED.value, PostStatus.PUBLISHED.value)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
@overload
def aware(value: datetime | None) -> datetime | None: ...
def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def free_times(day: date, zone: ZoneInfo, now: datetime, taken: set[datetime], room: int) -> list[datetime]:
    """Up to `room` quarter-hours from 10:00 local on `day` (from the next quarter hour today) that
    no touchpoint already uses, before 18:00."""
    at = datetime.combine(day, TOUCH_DAY_START, zone).astimezone(UTC)
    last = datetime.combine(day, TOUCH_DAY_END, zone).astimezone(UTC)
    if at < now:
        minutes = math.ceil((now - at).total_seconds() / TOUCH_STEP.total_seconds())
        at = at + minutes * TOUCH_STEP
    out: list[datetime] = []
    while at < last and len(out) < room:
        if at not in taken:
            out.append(at)
        at += TOUCH_STEP
    return out


SLOT_HORIZON = 28  # days ahead the next free slot is looked for


def next_touch_slot(session: Session, now: datetime, horizon_days: int = SLOT_HORIZON) -> datetime:
    """The next free working-hours quarter-hour (TOUCH_DAY_START–TOUCH_DAY_END, local) on a working
    day whose touchpoints (skipped ones aside) are below the daily capacity: where an accepted
    suggestion goes, so a day never ends with more touches than the strategy allows. Same rules as
    plan_week's placement (``free_times``)."""
    strategy = show_strategy(session, now)
    zone = strategy.zone
    today = now.astimezone(zone).date()
    start, _ = local_day_bounds(now, zone)
    end = datetime.combine(today + timedelta(days=horizon_days), time(0), zone).astimezone(UTC)
    used: dict[date, int] = {}
    taken: set[datetime] = set()
    for due in session.exec(
        select(Touchpoint.due_at).where(
            col(Touchpoint.due_at) >= start,
            col(Touchpoint.due_at) < end,
            col(Touchpoint.status) != TouchStatus.SKIPPED.value,
        )
    ).all():
        assert due is not None  # the query compared it with start
        due = aware(due)
        taken.add(due)
        used[due.astimezone(zone).date()] = used.get(due.astimezone(zone).date(), 0) + 1
    for offset in range(horizon_days):
        day = today + timedelta(days=offset)
        if day.weekday() not in strategy.working_days:
            continue
        room = strategy.daily_touch_capacity - used.get(day, 0)
        times = free_times(day, zone, now, taken, 1) if room > 0 else []
        if times:
            return times[0]
    raise PlannerError(
        f"no free touchpoint time in the next {horizon_days} days: every working day is at its "
        f"capacity of {strategy.daily_touch_capacity} (raise it with `planner strategy set daily_touch_capacity N`)"
    )


def next_post_slot(
    session: Session, pillar: str, now: datetime, horizon_days: int = SLOT_HORIZON, ignore_post: int | None = None
) -> datetime | None:
    """The next slot of ``pillar`` in the strategy, after ``now``, that no scheduled or published post
    holds (``ignore_post``: the post being scheduled, whose own time does not count as taken). None
    when the strategy has no slot for the pillar."""
    strategy = show_strategy(session, now)
    zone = strategy.zone
    slots = sorted((s.weekday, s.local_time) for s in strategy.slots if s.pillar == pillar)
    if not slots:
        return None
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=horizon_days), time(0), zone).astimezone(UTC)
    q = select(Post.scheduled_at).where(
        col(Post.scheduled_at) > now, col(Post.scheduled_at) < end, col(Post.status).in_(PLACED)
    )
    if ignore_post is not None:
        q = q.where(col(Post.id) != ignore_post)
    taken = {aware(at) for at in session.exec(q).all()}
    for offset in range(horizon_days):
        day = today + timedelta(days=offset)
        for weekday, hhmm in slots:
            if weekday == day.weekday():
                at = local_at(day, hhmm, zone)
                if at > now and at not in taken:
                    return at
    return None
