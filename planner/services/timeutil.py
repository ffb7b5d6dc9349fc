"""Time at the edges: local day bounds and ISO weeks in the user's zone, UTC everywhere else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from planner.errors import PlannerError


def local_day_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of ``now``'s local day, in UTC; DST days are 23 or 25 h long."""
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def parse_iso_week(value: str) -> date:
    """'2026-W49' → the Monday of that ISO week."""
    try:
        year, week = value.upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise PlannerError(f"not an ISO week: {value!r} (expected like 2026-W49)") from None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time(0), tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def user_timezone(session, default: str = "UTC") -> ZoneInfo:
    """The planning zone: the strategy's timezone (shared by a team), else the settings' default."""
    from sqlmodel import select

    from planner.models import Strategy

    name = session.exec(select(Strategy.timezone).order_by(Strategy.id)).first() or default
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise PlannerError(f"the strategy's timezone {name!r} is unknown; fix it with `planner strategy set timezone ...`") from None
