"""Time at the edges: local day bounds and ISO weeks in the user's zone, UTC everywhere else."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from planner.dates import MAX_DATE, MIN_DATE, check_date_range
from planner.errors import PlannerError

if TYPE_CHECKING:
    from sqlmodel import Session

    from planner.store.reader import Reader


def local_day_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of ``now``'s local day, in UTC; DST days are 23 or 25 h long."""
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_iso_week(value: str) -> date:
    """'2026-W49' → the Monday of that ISO week."""
    try:
        year, week = value.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise PlannerError(f"not an ISO week: {value!r} (expected like 2026-W49)") from None
    try:
        return check_date_range(monday)
    except ValueError:
        raise PlannerError(f"week {value!r} is outside {MIN_DATE.year}–{MAX_DATE.year}") from None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time(0), tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def last_full_week(now: datetime, zone: ZoneInfo) -> date:
    """The Monday of the most recent week that has ended, in ``zone``."""
    today = now.astimezone(zone).date()
    return today - timedelta(days=today.weekday() + 7)


def user_timezone(source: Session | Reader, default: str = "UTC") -> ZoneInfo:
    """The planning zone: the strategy's timezone (shared by a team), else the settings' default.
    ``source`` is a session or a store.reader Reader (Today's first frame reads it without the ORM)."""
    from planner.store.reader import as_reader

    rows = as_reader(source).rows("SELECT timezone FROM strategy ORDER BY id LIMIT 1")
    name = (rows[0][0] if rows else None) or default
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise PlannerError(
            f"the strategy's timezone {name!r} is unknown; fix it with `planner strategy set timezone ...`"
        ) from None


def local_at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """A local wall time on `day` as UTC. A time inside a spring-forward gap lands just after it."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(h, m), zone).astimezone(UTC)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
