"""The one date parser: the phrases people type, errors with a whole example, and zone edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import FIXED_NOW  # Wed 25 Nov 2026 09:30 UTC
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.services.when import EXAMPLES, parse_day, parse_week, parse_when

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [
    ZoneInfo(z)
    for z in (
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "America/Sao_Paulo",
    )
]


def local(text: str, tz=BERLIN, now=FIXED_NOW, **kw) -> datetime:
    return parse_when(text, now, tz, **kw).astimezone(tz)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01", datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01T16:45", datetime(2026, 12, 1, 16, 45)),
        ("tomorrow 9am", datetime(2026, 11, 26, 9, 0)),
        ("9am tomorrow", datetime(2026, 11, 26, 9, 0)),
        ("Tomorrow 9 AM", datetime(2026, 11, 26, 9, 0)),
        ("fri 10:00", datetime(2026, 11, 27, 10, 0)),
        ("friday at 4:30pm", datetime(2026, 11, 27, 16, 30)),
        ("next monday", datetime(2026, 11, 30, 9, 0)),
        ("wed", datetime(2026, 11, 25, 9, 0)),  # today is a Wednesday: "wed" is today
        ("next wed", datetime(2026, 12, 2, 9, 0)),  # "next wed" is a week away
        ("last fri", datetime(2026, 11, 20, 9, 0)),
        ("noon", datetime(2026, 11, 25, 12, 0)),
        ("+2d", datetime(2026, 11, 27, 10, 30)),  # 09:30 UTC is 10:30 in Berlin
        ("-1w", datetime(2026, 11, 18, 10, 30)),
        ("in 3 hours", datetime(2026, 11, 25, 13, 30)),
        ("in 30 min", datetime(2026, 11, 25, 11, 0)),
        ("2 days ago", datetime(2026, 11, 23, 10, 30)),
        ("now", datetime(2026, 11, 25, 10, 30)),
    ],
)
def test_phrases_people_type(text, expected):
    assert local(text).replace(tzinfo=None) == expected


def test_an_offset_in_the_text_wins_over_the_zone():
    assert parse_when("2026-12-01T09:00+00:00", FIXED_NOW, BERLIN) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parse_when("2026-12-01T09:00Z", FIXED_NOW, BERLIN) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_day_alone_takes_the_callers_default_time():
    assert local("tomorrow", default_time=time(12, 0)).time() == time(12, 0)
    assert local("2026-12-01", default_time=time(12, 0)).time() == time(12, 0)


@pytest.mark.parametrize("text", ["blah", "9", "25:00", "13pm", "2026-13-01", "next blursday", "in 3 fortnights", ""])
def test_an_error_names_the_option_and_shows_a_whole_example(text):
    with pytest.raises(PlannerError) as err:
        parse_when(text, FIXED_NOW, BERLIN, what="--at")
    message = str(err.value)
    assert message.startswith("--at: ")
    assert "2026-12-01 09:00" in message and "tomorrow 9am" in message
    assert EXAMPLES in message


def test_days_and_weeks():
    assert parse_day("tomorrow", FIXED_NOW, BERLIN) == date(2026, 11, 26)
    assert parse_day("next monday", FIXED_NOW, BERLIN) == date(2026, 11, 30)
    assert parse_day("+2d", FIXED_NOW, BERLIN) == date(2026, 11, 27)
    assert parse_day("2026-12-24", FIXED_NOW, BERLIN) == date(2026, 12, 24)
    assert parse_week("2026-W49", FIXED_NOW, BERLIN) == date(2026, 11, 30)
    assert parse_week("next week", FIXED_NOW, BERLIN) == date(2026, 11, 30)
    assert parse_week("last week", FIXED_NOW, BERLIN) == date(2026, 11, 16)
    assert parse_week("2026-12-03", FIXED_NOW, BERLIN) == date(2026, 11, 30)
    with pytest.raises(PlannerError, match="--week: .*2026-W49"):
        parse_week("2026-W60", FIXED_NOW, BERLIN, what="--week")
    with pytest.raises(PlannerError, match="--from: .*next monday"):
        parse_day("someday", FIXED_NOW, BERLIN, what="--from")


def test_the_day_is_the_zones_day_not_utcs():
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already Thursday in Berlin
    assert local("tomorrow 9am", now=late).date() == date(2026, 11, 27)
    assert local("tomorrow 9am", tz=ZoneInfo("UTC"), now=late).date() == date(2026, 11, 26)


def test_dst_edges_in_berlin():
    # 29 Mar 2026 02:30 does not exist (clocks jump 02:00 -> 03:00): it lands just after the gap
    spring = parse_when("2026-03-29 02:30", FIXED_NOW, BERLIN)
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert spring.astimezone(BERLIN).hour == 3
    # 25 Oct 2026 02:30 happens twice: the first one (still summer time)
    autumn = parse_when("2026-10-25 02:30", FIXED_NOW, BERLIN)
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # "+1d" over the change keeps the wall clock (9:00 stays 9:00), "in 24 hours" does not
    saturday_nine = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert parse_when("+1d", saturday_nine, BERLIN).astimezone(BERLIN).hour == 9
    assert parse_when("in 24 hours", saturday_nine, BERLIN).astimezone(BERLIN).hour == 8


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=300, deadline=None)
@given(moment=moments, tz=st.sampled_from(ZONES))
def test_iso_with_offset_round_trips(moment, tz):
    text = moment.astimezone(tz).isoformat(timespec="minutes")
    assert parse_when(text, FIXED_NOW, tz) == moment


@settings(max_examples=300, deadline=None)
@given(moment=moments, tz=st.sampled_from(ZONES), sep=st.sampled_from([" ", "T"]))
def test_local_wall_time_round_trips_except_in_a_repeated_hour(moment, tz, sep):
    wall = moment.astimezone(tz)
    text = wall.strftime(f"%Y-%m-%d{sep}%H:%M")
    parsed = parse_when(text, FIXED_NOW, tz)
    if wall.fold == 1 or wall.replace(fold=1).utcoffset() != wall.utcoffset():
        # an ambiguous wall time (DST ends): the parser takes the first of the two
        assert parsed == min(wall.replace(fold=0), wall.replace(fold=1)).astimezone(UTC)
    else:
        assert parsed == moment
    assert parsed.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(now=moments, tz=st.sampled_from(ZONES), days=st.integers(-400, 400), hours=st.integers(-500, 500))
def test_offsets_from_now(now, tz, days, hours):
    sign = "+" if hours >= 0 else "-"
    assert parse_when(f"{sign}{abs(hours)}h", now, tz) == now + timedelta(hours=hours)
    shifted = parse_when(f"{'+' if days >= 0 else '-'}{abs(days)}d", now, tz).astimezone(tz)
    assert shifted.date() == now.astimezone(tz).date() + timedelta(days=days)


@settings(max_examples=200, deadline=None)
@given(now=moments, tz=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_tomorrow_at_a_time_is_the_next_local_day(now, tz, hour, minute):
    got = parse_when(f"tomorrow {hour:02d}:{minute:02d}", now, tz).astimezone(tz)
    assert got.date() == now.astimezone(tz).date() + timedelta(days=1)
    wall = datetime.combine(got.date(), time(hour, minute))
    # equal to the wall time asked, unless it fell in a DST gap (then just after it)
    assert timedelta(0) <= got.replace(tzinfo=None) - wall <= timedelta(hours=1)
