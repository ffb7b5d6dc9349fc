"""Time as people say it: the one parser behind every date entry (TUI dialogs and CLI options).

Accepts ISO ("2026-12-01", "2026-12-01 09:00", "2026-12-01T09:00+01:00"), day words ("today",
"tomorrow", "yesterday", "fri", "next monday", "last tue"), a time of day ("9am", "9:30 pm",
"10:00", "noon") alone or with a day in either order ("tomorrow 9am", "10:00 fri", "next monday at
14:00"), and offsets from now ("now", "+2d", "-1w", "+3h", "in 3 hours", "in 2 days", "2 days ago").
A local time without an offset is read in ``tz`` (the strategy's zone); the result is aware UTC.

Stdlib only (plus planner.errors), so the TUI's first frame and the CLI can import it cheaply.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planner.dates import MAX_DATE, MIN_DATE, in_range
from planner.errors import PlannerError

__all__ = ["DAY_EXAMPLES", "EXAMPLES", "WEEK_EXAMPLES", "parse_day", "parse_week", "parse_when"]

EXAMPLES = "2026-12-01 09:00, tomorrow 9am, fri 10:00, next monday, +2d or in 3 hours"
DAY_EXAMPLES = "2026-12-01, today, tomorrow, fri, next monday or +2d"
WEEK_EXAMPLES = "2026-W49, this week, next week, last week or a day in it like 2026-12-01"

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_UNITS = {
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "week": "weeks",
    "weeks": "weeks",
}
_OFFSET = re.compile(
    r"^(?:(?P<sign>[+-])\s*(?P<n1>\d+)\s*(?P<u1>[a-z]+)|in\s+(?P<n2>\d+|an?)\s+(?P<u2>[a-z]+)"
    r"|(?P<n3>\d+|an?)\s+(?P<u3>[a-z]+)\s+ago)$"
)
_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$")


class _Unknown(ValueError):
    pass


def _fail(text: str, what: str, examples: str, noun: str = "time") -> PlannerError:
    return PlannerError(f"{what}: {text.strip()!r} is not a {noun} I can read; try e.g. {examples}")


def _clock(text: str) -> time:
    words = {
        "noon": time(12, 0),
        "midday": time(12, 0),
        "midnight": time(0, 0),
        "morning": time(9, 0),
        "afternoon": time(14, 0),
        "evening": time(18, 0),
    }
    if text in words:
        return words[text]
    m = _CLOCK.match(text)
    if not m or (m["m"] is None and m["ampm"] is None and len(m["h"]) > 2):
        raise _Unknown(text)
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise _Unknown(text)
        hour = hour % 12 + (12 if m["ampm"].startswith("p") else 0)
    elif m["m"] is None:
        raise _Unknown(text)  # a bare "9" is ambiguous: ask for 9am or 09:00
    if hour > 23 or minute > 59:
        raise _Unknown(text)
    return time(hour, minute)


def _day(text: str, today: date) -> date:
    words = text.split()
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    which = "this"
    if len(words) == 2 and words[0] in ("next", "this", "last", "coming", "on"):
        which, text = words[0], words[1]
    if text in _WEEKDAYS:
        target = _WEEKDAYS[text]
        ahead = (target - today.weekday()) % 7
        if which == "next" and ahead == 0:
            ahead = 7  # "next monday" on a Monday is a week away; "monday" is today
        if which == "last":
            return today - timedelta(days=((today.weekday() - target) % 7) or 7)
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Unknown(text) from None


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # fold=0: in a repeated hour (DST ends) the first one; in a skipped hour (DST starts) the wall
    # time is read with the offset before the change, which lands just after the gap
    return datetime.combine(day, clock, tz).astimezone(UTC)


def _offset(m: re.Match, now: datetime, tz: ZoneInfo) -> datetime:
    raw_n = m["n1"] or m["n2"] or m["n3"]
    n = 1 if raw_n in ("a", "an") else int(raw_n)
    unit = _UNITS.get(m["u1"] or m["u2"] or m["u3"])
    if unit is None:
        raise _Unknown(m.group(0))
    if m["sign"] == "-" or m["n3"]:
        n = -n
    if unit in ("days", "weeks"):
        # days keep the wall-clock time across a DST change (9:00 + 1d is 9:00 the next day)
        local = now.astimezone(tz)
        shifted = local.replace(tzinfo=None) + timedelta(**{unit: n})
        return shifted.replace(tzinfo=tz).astimezone(UTC)
    return (now + timedelta(**{unit: n})).astimezone(UTC)


def parse_when(
    text: str, now: datetime, tz: ZoneInfo, *, default_time: time = time(9, 0), what: str = "when"
) -> datetime:
    """A moment as people write it → aware UTC. A day without a time gets ``default_time``."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise PlannerError(f"{what}: a time is needed; try e.g. {EXAMPLES}")
    try:
        return _bounded(_parse(raw, text, now, tz, default_time), text, what)
    except _Unknown:
        raise _fail(text, what, EXAMPLES) from None
    except (OverflowError, ValueError):  # "+9999999d", a year past datetime's range
        raise PlannerError(f"{what}: {text.strip()!r} is outside {MIN_DATE.year}–{MAX_DATE.year}") from None


def _bounded(value, text: str, what: str):
    """The accepted years hold at this door too (planner.dates): far dates overflow the readers."""
    if not in_range(value):
        raise PlannerError(f"{what}: {text.strip()!r} is outside {MIN_DATE.year}–{MAX_DATE.year}")
    return value


def _parse(raw: str, text: str, now: datetime, tz: ZoneInfo, default_time: time) -> datetime:
    if raw == "now":
        return now.astimezone(UTC)
    m = _OFFSET.match(raw)
    if m:
        return _offset(m, now, tz)
    iso = _iso(text.strip(), default_time)
    if iso is not None:
        return iso.astimezone(UTC) if iso.tzinfo is not None else _local(iso.date(), iso.time(), tz)
    today = now.astimezone(tz).date()
    raw = raw.replace(" at ", " ")
    raw = raw.removeprefix("at ")
    words = raw.split()
    # a time alone, a day alone, or a day and a time in either order ("tomorrow 9am", "9am tomorrow")
    for cut in range(len(words) + 1):
        day_part, clock_part = " ".join(words[:cut]), " ".join(words[cut:])
        for d_text, c_text in ((day_part, clock_part), (clock_part, day_part)):
            try:
                day = _day(d_text, today) if d_text else today
                clock = _clock(_join_ampm(c_text)) if c_text else default_time
            except _Unknown:
                continue
            if not d_text and not c_text:
                continue
            return _local(day, clock, tz)
    raise _Unknown(raw)


def _join_ampm(text: str) -> str:
    return re.sub(r"\s+(am|pm)$", r"\1", text)


def _iso(text: str, default_time: time) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    if not re.match(r"^\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        if len(candidate) == 10:
            return datetime.combine(date.fromisoformat(candidate), default_time)
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return moment


def parse_day(text: str, now: datetime, tz: ZoneInfo, *, what: str = "day") -> date:
    """A local day as people write it: ISO, "today", "tomorrow", "fri", "next monday", "+2d"."""
    raw = " ".join(text.strip().lower().split())
    today = now.astimezone(tz).date()
    try:
        m = _OFFSET.match(raw)
        if m:
            return _bounded(_offset(m, now, tz).astimezone(tz).date(), text, what)
        return _bounded(_day(raw, today), text, what)
    except _Unknown:
        raise _fail(text, what, DAY_EXAMPLES, "day") from None
    except (OverflowError, ValueError):
        raise PlannerError(f"{what}: {text.strip()!r} is outside {MIN_DATE.year}–{MAX_DATE.year}") from None


def parse_week(text: str, now: datetime, tz: ZoneInfo, *, what: str = "week") -> date:
    """The Monday of a week: ISO "2026-W49", "this/next/last week", or any day in it ("next monday")."""
    raw = " ".join(text.strip().lower().split())
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    named = {"this week": 0, "next week": 7, "last week": -7}
    if raw in named:
        return monday + timedelta(days=named[raw])
    m = re.match(r"^(\d{4})-?w(\d{1,2})$", raw)
    if m:
        try:
            return _bounded(date.fromisocalendar(int(m[1]), int(m[2]), 1), text, what)
        except ValueError:
            raise _fail(text, what, WEEK_EXAMPLES, "week") from None
    try:
        day = parse_day(text, now, tz, what=what)
    except PlannerError:
        raise _fail(text, what, WEEK_EXAMPLES, "week") from None
    return day - timedelta(days=day.weekday())
