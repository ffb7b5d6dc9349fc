"""Exporters: ICS parses strictly (ical, icalendar, calcurse), DST-safe, deterministic; CSV,
Markdown and Hootsuite match hand-checked golden files.

Regenerate the goldens after an intended format change with
    PLANNER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/adapters/test_export.py
then read the diff before committing it.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import random
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from planner.adapters.export import to_csv, to_hootsuite, to_ics, to_markdown
from planner.adapters.export.csv import CSV_COLUMNS
from planner.adapters.export.hootsuite import HOOTSUITE_MAX_ROWS
from planner.services.calendar import CalendarItem
from planner.text import strip_controls as clean_text

GOLDEN = Path(__file__).parent / "golden"
TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)
UPDATED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 13:00 in Berlin

HOSTILE_TITLE = 'Post · # Launch | "big", [bold]news[/] \x1b[31mred\x1b[0m 🎉'
HOSTILE_BODY = (
    '=HYPERLINK("http://evil.example","click"), she said; "quoted", comma, \\ backslash\n'
    "# not a heading\n"
    "| not | a | table |\n"
    "\x1b[31mred\x1b[0m [bold]markup[/] [/] 🚀👩🏽‍💻 ünïcødé\r\n"
    "last line"
)


def at(day: int, hour: int, minute: int = 0, month: int = 11, zone: ZoneInfo = BERLIN) -> datetime:
    """A local wall time stored the way the DB stores it: in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def post(uid: int, start: datetime, title: str, **kw) -> CalendarItem:
    updated = kw.pop("updated_at", UPDATED)
    return CalendarItem(f"post-{uid}@planner", "post", start, title, updated, **kw)


def touch(uid: int, start: datetime, title: str, **kw) -> CalendarItem:
    return CalendarItem(f"touch-{uid}@planner", "touchpoint", start, title, kw.pop("updated_at", UPDATED), **kw)


def sample_items() -> list[CalendarItem]:
    """A week (Mon 30 Nov - Sun 6 Dec 2026, Berlin) exercising every branch of every exporter."""
    return [
        post(
            1,
            at(30, 9),
            "Post · Thought leadership: Why SLOs fail",
            pillar="thought_leadership",
            channel="linkedin",
            status="scheduled",
            body="Most SLOs fail for one reason: nobody owns the error budget.\n\n"
            "Here is what worked for us, in three steps.",
            links=["https://example.com/slo", "https://example.com/budget"],
            hashtags=["sre", "#reliability"],
            categories=["post", "thought_leadership"],
        ),
        touch(
            1,
            at(30, 11),
            "Share content with Priya Shah",
            person="Priya Shah",
            action="share_content",
            body="Send Priya the SLO article; she asked about budgets.",
            links=["https://example.com/slo"],
        ),
        post(
            2,
            at(1, 12, 2, month=12),
            "Post · Content share: The observability reading list",
            pillar="content_share",
            channel="linkedin",
            status="ready",
            body="Five articles on observability I keep sending people.",
            links=["https://example.com/reading"],
            hashtags=["observability"],
        ),
        post(
            3,
            at(2, 8, 30, month=12),
            "Post · Group engagement: On-call pairing",
            pillar="group_engagement",
            channel="Twitter",
            status="draft",
            body="Pairing on call halves the stress. " * 12,
            hashtags=["oncall", "sre"],
        ),
        touch(
            2,
            at(2, 17, month=12),
            "Congratulate Jonas Müller",
            person="Jonas Müller",
            action="congratulate",
            body="New role at Acme: congratulate, no pitch.",
        ),
        post(
            4,
            at(3, 10, month=12),
            "Post · Virtual event: SRE meetup",
            pillar="virtual_event",
            status="planned",
            body="",
        ),
        post(
            5,
            at(4, 9, month=12),
            HOSTILE_TITLE,
            pillar="thought_leadership",
            channel="linkedin",
            status="planned",
            body=HOSTILE_BODY,
            links=['https://example.com/a,b?x=1&y="2"'],
            hashtags=["launch"],
        ),
        post(
            6,
            at(4, 15, month=12),
            "Post · Content share: Already out",
            pillar="content_share",
            channel="linkedin",
            status="published",
            body="This one went out already.",
        ),
        post(
            7,
            at(5, 10, month=12),
            "Post · Content share: The observability reading list again",
            pillar="content_share",
            channel="linkedin",
            status="planned",
            body="Five articles on observability  I keep sending people.",
            hashtags=["observability"],
        ),
        touch(
            3,
            datetime(2026, 12, 6, 18, 0, tzinfo=UTC),
            "Check in with Sam Lee",
            person="Sam Lee",
            action="check_in",
            status="done",
            duration=timedelta(minutes=20),
        ),
        post(
            8,
            at(25, 13, 5),
            "Post · Content share: Too soon",
            pillar="content_share",
            channel="linkedin",
            status="planned",
            body="Scheduled five minutes from now.",
        ),
    ]


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/adapters/golden/<name>, showing a unified diff on mismatch.

    Goldens are stored with LF line endings so git settings cannot change them; CRLF is
    checked by separate tests.
    """
    path = GOLDEN / name
    actual = actual.replace("\r\n", "\n")
    if os.environ.get("PLANNER_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{name}",
                tofile="actual",
            )
        )
        pytest.fail(f"{name} differs from its golden file:\n{diff}", pytrace=False)


def parse_strict(text: str):
    return IcsCalendarStream.calendar_from_ics(text)


def icalendar_events(text: str):
    cal = icalendar.Calendar.from_ical(text)
    return cal, list(cal.walk("VEVENT"))


# ------------------------------------------------------------------------------------------
# CalendarItem


def test_item_defaults_and_validation():
    p = post(1, at(30, 9), "x")
    t = touch(1, at(30, 9), "y")
    assert p.duration == timedelta(minutes=30)
    assert t.duration == timedelta(minutes=15)
    assert p.end == at(30, 9, 30)
    assert hash(p)  # frozen and hashable, lists are stored as tuples
    with pytest.raises(ValueError, match="timezone-aware"):
        post(2, datetime(2026, 11, 30, 9), "naive")
    with pytest.raises(ValueError, match="kind"):
        CalendarItem("x@planner", "meeting", at(30, 9), "x", UPDATED)
    with pytest.raises(ValueError, match="duplicate UID"):
        to_ics([p, replace(p, title="other")], TZ)
    with pytest.raises(ValueError, match="unknown time zone"):
        to_csv([p], "Mars/Olympus_Mons")


def test_clean_text_strips_escapes_keeps_everything_else():
    dirty = "a\x1b[31mred\x1b[0m\x07b\r\nc\td [bold]x[/] 🚀"
    assert clean_text(dirty) == "aredb\nc\td [bold]x[/] 🚀"
    assert clean_text("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"


# ------------------------------------------------------------------------------------------
# ICS


def test_ics_parses_strictly_with_local_times_and_tzid():
    items = sample_items()
    text = to_ics(items, TZ, calname="My plan")
    cal = parse_strict(text)
    assert len(cal.events) == len(items)
    assert not cal.todos  # touchpoints are VEVENTs (see to_ics docstring)
    assert [e.uid for e in cal.events] == [i.uid for i in sorted(items, key=lambda i: (i.start, i.uid))]
    by_uid = {e.uid: e for e in cal.events}
    for item in items:
        event = by_uid[item.uid]
        local = item.start.astimezone(BERLIN)
        assert event.dtstart.tzinfo is not None
        assert event.dtstart.replace(tzinfo=None) == local.replace(tzinfo=None)
        assert event.dtstart == item.start
        assert event.dtend == item.end
        assert event.dtstamp == UPDATED
    assert [tz.tz_id for tz in cal.timezones] == [TZ]
    assert "DTSTART;TZID=Europe/Berlin:20261130T090000\r\n" in text
    assert "DTSTART;TZID=Europe/Berlin:20261206T190000\r\n" in text  # 18:00 UTC item
    assert cal.prodid and cal.version == "2.0"


def test_ics_parses_with_icalendar_and_is_well_formed():
    items = sample_items()
    text = to_ics(items, TZ)
    cal, events = icalendar_events(text)
    assert len(events) == len(items)
    assert str(cal["X-WR-TIMEZONE"]) == TZ
    assert str(cal["X-WR-CALNAME"]) == "planner"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert len(list(cal.walk("VTIMEZONE"))) == 1
    assert all(e["DTSTART"].params["TZID"] == TZ for e in events)
    assert all(e["DTSTART"].dt.tzinfo is not None for e in events)
    # RFC 5545 3.1: CRLF line breaks, content lines folded to at most 75 octets.
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert max(len(line.encode()) for line in text.split("\r\n")) <= 75
    first = next(e for e in events if str(e["UID"]) == "post-1@planner")
    assert str(first["URL"]) == "https://example.com/slo"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert first["CATEGORIES"].cats == ["post", "thought_leadership"]
    alarm = first.walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-15)
    desc = str(first["DESCRIPTION"])
    assert desc.startswith("Most SLOs fail")
    assert "https://example.com/budget" in desc and "#sre #reliability" in desc
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in events}
    assert statuses["post-4@planner"] == "TENTATIVE"
    assert statuses["touch-3@planner"] == "CONFIRMED"


def test_ics_hostile_text_survives_without_breaking_structure():
    items = sample_items()
    text = to_ics(items, TZ)
    assert "\x1b" not in text
    hostile = next(e for e in parse_strict(text).events if e.uid == "post-5@planner")
    assert hostile.summary == clean_text(HOSTILE_TITLE)
    assert hostile.description.startswith(clean_text(HOSTILE_BODY))
    assert "🚀👩🏽‍💻 ünïcødé" in hostile.description
    _, events = icalendar_events(text)
    again = next(e for e in events if str(e["UID"]) == "post-5@planner")
    assert str(again["SUMMARY"]) == clean_text(HOSTILE_TITLE)
    assert str(again["DESCRIPTION"]) == hostile.description


def test_ics_is_deterministic_and_uids_are_stable():
    items = sample_items()
    first = to_ics(items, TZ)
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert to_ics(shuffled, TZ) == first
    assert to_ics(items, TZ).encode() == first.encode()
    assert {e.uid for e in parse_strict(first).events} == {i.uid for i in items}


def test_ics_sequence_and_dtstamp_follow_updated_at():
    item = post(1, at(30, 9), "x", body="draft")
    edited = replace(item, title="x (edited)", updated_at=UPDATED + timedelta(hours=3))
    old = parse_strict(to_ics([item], TZ)).events[0]
    new = parse_strict(to_ics([edited], TZ)).events[0]
    assert new.uid == old.uid
    assert new.sequence > old.sequence
    assert new.dtstamp == UPDATED + timedelta(hours=3)
    assert new.last_modified == new.dtstamp


def test_ics_without_alarm_and_empty_calendar():
    text = to_ics([touch(1, at(30, 9), "x")], TZ, alarm_minutes=None)
    assert "BEGIN:VALARM" not in text
    empty = to_ics([], TZ)
    assert parse_strict(empty).events == []
    assert "X-WR-TIMEZONE:Europe/Berlin" in empty


DST_WEEKS = [
    # zone, days of the week around the change (month, day), the Sunday DST ends
    ("Europe/Berlin", [(10, d) for d in range(22, 29)]),
    ("America/New_York", [(10, 29), (10, 30), (10, 31), (11, 1), (11, 2), (11, 3), (11, 4)]),
]


def dst_items(zone_name: str, days) -> list[CalendarItem]:
    zone = ZoneInfo(zone_name)
    return [post(n, at(d, 9, month=m, zone=zone), f"Daily post {n}", body=f"Day {d}") for n, (m, d) in enumerate(days)]


@pytest.mark.parametrize(("zone_name", "days"), DST_WEEKS)
def test_ics_dst_week_keeps_local_wall_time(zone_name, days):
    items = dst_items(zone_name, days)
    text = to_ics(items, zone_name)
    events = parse_strict(text).events
    assert [(e.dtstart.month, e.dtstart.day, e.dtstart.hour, e.dtstart.minute) for e in events] == [
        (m, d, 9, 0) for m, d in days
    ]
    offsets = {e.dtstart.utcoffset() for e in events}
    assert len(offsets) == 2, "the week must straddle the DST change"
    _, ev = icalendar_events(text)
    assert [(e["DTSTART"].dt.hour, e["DTSTART"].params["TZID"]) for e in ev] == [(9, zone_name)] * len(days)
    # Resolved to absolute time, the parsed events are exactly the stored instants.
    assert [e["DTSTART"].dt.astimezone(UTC) for e in ev] == [i.start for i in items]


CALCURSE = shutil.which("calcurse")


def calcurse_import(tmp_path: Path, ics: str, tz: str, first: str, days: int) -> list[str]:
    data = tmp_path / f"calcurse-{tz.replace('/', '_')}"
    data.mkdir()
    ics_file = data / "plan.ics"
    ics_file.write_text(ics, encoding="utf-8", newline="")
    env = {**os.environ, "TZ": tz, "HOME": str(tmp_path)}
    base = ["calcurse", "-D", str(data), "-C", str(data)]
    done = subprocess.run(
        [*base, "-i", str(ics_file)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "0 skipped" in done.stdout, done.stdout
    query = subprocess.run(
        [*base, "-Q", "--from", first, "--days", str(days),
         "--format-apt", "%(start:%Y-%m-%d %H:%M)|%(end:%H:%M)|%m\\n"],
        check=False, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    return [line for line in query.stdout.splitlines() if "|" in line]


@pytest.mark.skipif(CALCURSE is None, reason="calcurse is not on PATH (apt-get install calcurse)")
@pytest.mark.parametrize(("zone_name", "days"), DST_WEEKS)
def test_calcurse_imports_dst_week_at_local_times(tmp_path, zone_name, days):
    items = dst_items(zone_name, days) + [
        touch(1, at(days[3][1], 14, 30, month=days[3][0], zone=ZoneInfo(zone_name)), "Check in")
    ]
    m, d = days[0]
    ics = to_ics(items, zone_name)
    rows = calcurse_import(tmp_path, ics, zone_name, f"{m:02d}/{d:02d}/2026", 10)
    expected = sorted(
        f"{i.start.astimezone(ZoneInfo(zone_name)):%Y-%m-%d %H:%M}|"
        f"{i.end.astimezone(ZoneInfo(zone_name)):%H:%M}|{i.title}"
        for i in items
    )
    assert sorted(rows) == expected
    assert sum(row[11:16] == "09:00" for row in rows) == len(days)


@pytest.mark.skipif(CALCURSE is None, reason="calcurse is not on PATH (apt-get install calcurse)")
def test_calcurse_honours_tzid_when_user_zone_differs(tmp_path):
    # Exported for Berlin, imported on a machine in New York: calcurse converts via the TZID.
    items = dst_items("Europe/Berlin", DST_WEEKS[0][1])
    rows = calcurse_import(tmp_path, to_ics(items, TZ), "America/New_York", "10/21/2026", 10)
    ny = ZoneInfo("America/New_York")
    assert [r.split("|")[0] for r in rows] == [f"{i.start.astimezone(ny):%Y-%m-%d %H:%M}" for i in items]


# ------------------------------------------------------------------------------------------
# CSV


def test_csv_matches_golden():
    assert_golden("plan.csv", to_csv(sample_items(), TZ))


def test_csv_round_trips_hostile_text_and_uses_crlf():
    items = sample_items()
    text = to_csv(items, TZ)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(items) + 1
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)
    records = {r[6]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    hostile = records[clean_text(HOSTILE_TITLE)]
    # Formula guard: a leading '=' gets an apostrophe; the rest survives byte for byte.
    assert hostile["body"] == "'" + clean_text(HOSTILE_BODY)
    assert "\x1b" not in text
    assert hostile["links"] == 'https://example.com/a,b?x=1&y="2"'
    assert hostile["start"] == "2026-12-04T09:00:00+01:00"
    # Records end in CRLF; newlines inside the quoted body stay LF.
    assert text.endswith("\r\n")
    assert text.count("\r\n") == len(rows)


def test_csv_times_carry_the_offset_of_each_date():
    items = dst_items("Europe/Berlin", DST_WEEKS[0][1])
    rows = list(csv.DictReader(io.StringIO(to_csv(items, TZ), newline="")))
    assert rows[0]["start"] == "2026-10-22T09:00:00+02:00"
    assert rows[-1]["start"] == "2026-10-28T09:00:00+01:00"
    assert rows[-1]["end"] == "2026-10-28T09:30:00+01:00"


# ------------------------------------------------------------------------------------------
# Markdown


def test_markdown_matches_golden():
    assert_golden("plan.md", to_markdown(sample_items(), TZ, title="Week of 30 November 2026"))


def test_markdown_escapes_untrusted_text():
    text = to_markdown(sample_items(), TZ)
    assert "\x1b" not in text
    # No line other than the title and day headings may start a heading or a table.
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#"):
            assert line.startswith(("# ", "## ")) and line == stripped
        assert not stripped.startswith("|")
    assert r"Post · # Launch \| \"big\"" not in text  # quotes need no escaping
    assert r"Post · # Launch \| " in text
    assert r"\[bold\]news\[/\]" in text
    assert "  > \\=HYPERLINK" in text
    assert "Nothing planned" in to_markdown([], TZ)


# ------------------------------------------------------------------------------------------
# Hootsuite


def hootsuite_report(export) -> str:
    parts = [f"=== {f.name} ===\n{f.text}" for f in export]
    parts.append("=== report ===\n")
    parts += [f"{'adjusted' if n.adjusted else 'dropped'} {n.uid}: {n.reason}\n" for n in export.notes]
    return "".join(parts)


def test_hootsuite_matches_golden():
    assert_golden("hootsuite.txt", hootsuite_report(to_hootsuite(sample_items(), TZ, now=NOW)))


def test_hootsuite_reports_what_it_dropped_and_why():
    export = to_hootsuite(sample_items(), TZ, now=NOW)
    reasons = {n.uid: n.reason for n in export.dropped}
    assert set(reasons) == {
        "touch-1@planner", "touch-2@planner", "touch-3@planner",  # not posts
        "post-4@planner",  # no body
        "post-6@planner",  # published
        "post-7@planner",  # duplicate of post-2
        "post-8@planner",  # 5 minutes from now
    }  # fmt: skip
    assert "no text" in reasons["post-4@planner"]
    assert "post-2@planner" in reasons["post-7@planner"]
    assert "10 minutes" in reasons["post-8@planner"]
    adjusted = {n.uid: n.reason for n in export.adjusted}
    assert adjusted["post-2@planner"] == "time rounded up from 12:02 to 12:05 (5-minute slots)"
    assert "280" in adjusted["post-3@planner"]


def test_hootsuite_rows_follow_the_bulk_composer_rules():
    export = to_hootsuite(sample_items(), TZ, now=NOW)
    assert [f.name for f in export] == ["hootsuite-linkedin-01.csv", "hootsuite-twitter-01.csv"]
    for f in export:
        rows = list(csv.reader(io.StringIO(f.text, newline="")))
        for when, message, link in rows:  # three columns, no header row
            stamp = datetime.strptime(when, "%d/%m/%Y %H:%M")
            assert stamp.minute % 5 == 0
            assert message.strip()
            assert link == "" or link.startswith("https://")
    twitter = list(csv.reader(io.StringIO(export[1].text, newline="")))
    assert len(twitter[0][1]) <= 280
    assert twitter[0][1].endswith("#oncall #sre")
    assert twitter[0][0] == "02/12/2026 08:30"


def test_hootsuite_splits_per_profile_and_at_350_rows():
    start = at(30, 8)
    items = [
        post(n, start + timedelta(minutes=5 * n), f"p{n}", channel="LinkedIn", body=f"Post {n}")
        for n in range(HOOTSUITE_MAX_ROWS + 1)
    ] + [post(1000 + n, start + timedelta(hours=n), f"t{n}", channel="twitter", body=f"Tweet {n}") for n in range(2)]
    export = to_hootsuite(items, TZ, now=NOW)
    sizes = {f.name: len(list(csv.reader(io.StringIO(f.text, newline="")))) for f in export}
    assert sizes == {
        "hootsuite-linkedin-01.csv": HOOTSUITE_MAX_ROWS,
        "hootsuite-linkedin-02.csv": 1,
        "hootsuite-twitter-01.csv": 2,
    }
    assert not export.notes
    last = next(csv.reader(io.StringIO(export[1].text, newline="")))
    assert last[1] == f"Post {HOOTSUITE_MAX_ROWS}"


def test_hootsuite_rounding_trimming_and_dst():
    items = [
        post(1, at(30, 9, 58), "a", channel="linkedin", body="rounds into the next hour"),
        post(2, at(30, 10, 0) + timedelta(seconds=30), "b", channel="linkedin", body="seconds"),
        post(3, at(30, 11), "c", channel="linkedin", body="word " * 1000, hashtags=["tag"]),
        post(4, at(26, 9, month=10), "d", channel="linkedin", body="after DST ends"),
    ]
    export = to_hootsuite(items, TZ, now=datetime(2026, 10, 1, tzinfo=UTC), date_format="dmy")
    rows = list(csv.reader(io.StringIO(export[0].text, newline="")))
    assert [r[0] for r in rows] == [
        "26/10/2026 09:00", "30/11/2026 10:00", "30/11/2026 10:05", "30/11/2026 11:00",
    ]  # fmt: skip
    trimmed = rows[3][1]
    assert len(trimmed) <= 3000 and trimmed.endswith("…\n\n#tag")
    mdy = to_hootsuite(items[:1], TZ, date_format="mdy")
    assert mdy[0].text.startswith("11/30/2026 10:00,")
    assert mdy[0].text.endswith("\r\n")


def test_hootsuite_keeps_hashtags_already_in_the_body_once():
    item = post(1, at(30, 9), "x", channel="linkedin", body="Loving #SRE today.", hashtags=["sre"])
    row = next(csv.reader(io.StringIO(to_hootsuite([item], TZ)[0].text, newline="")))
    assert row[1] == "Loving #SRE today."


def test_hootsuite_reserves_room_for_the_link_on_x():
    item = post(1, at(30, 9), "x", channel="x", body="word " * 100, links=["https://e.com/a"])
    export = to_hootsuite([item], TZ)
    row = next(csv.reader(io.StringIO(export[0].text, newline="")))
    assert len(row[1]) <= 280 - 24
    assert row[2] == "https://e.com/a"
    assert export.adjusted[0].reason == "message trimmed to 256 characters for x"


def test_ics_repeated_hour_when_dst_ends_keeps_the_exact_instant():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # 02:30 CEST
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # 02:30 CET, an hour later
    items = [post(1, first.astimezone(UTC), "first"), post(2, second.astimezone(UTC), "second")]
    text = to_ics(items, TZ)
    assert "DTSTART;TZID=Europe/Berlin:20261025T023000\r\n" in text
    assert "DTSTART:20261025T013000Z\r\n" in text
    assert [e.dtstart.astimezone(UTC) for e in parse_strict(text).events] == [i.start for i in items]
    _, events = icalendar_events(text)
    assert [e["DTSTART"].dt.astimezone(UTC) for e in events] == [i.start for i in items]


def test_write_exports_puts_each_format_and_the_extras_in_one_folder(tmp_path):
    from planner.adapters.export import render, write_exports

    items = [post(1, at(2, 9), "Launch"), touch(2, at(3, 10), "Ping")]
    folder = tmp_path / "new" / "exports"
    paths = write_exports(
        folder,
        ("ics", "csv", "md"),
        items,
        "Europe/Berlin",
        stem="planner-2026-12-01",
        title="Plan",
        also={"r.md": "x\n"},
    )
    assert [p.name for p in paths] == [
        "planner-2026-12-01.ics",
        "planner-2026-12-01.csv",
        "planner-2026-12-01.md",
        "r.md",
    ]
    assert paths[0].read_bytes().decode() == render("ics", items, "Europe/Berlin")  # CRLF kept, not translated
    assert "\r\n" in paths[0].read_bytes().decode()
    assert paths[2].read_text().startswith("# Plan")
    assert paths[3].read_text() == "x\n"


def test_write_exports_names_what_it_cannot_write(tmp_path):
    import pytest

    from planner.adapters.export import write_exports
    from planner.errors import PlannerError

    (tmp_path / "file").write_text("")
    with pytest.raises(PlannerError, match="cannot write to .*file"):
        write_exports(tmp_path / "file", ("md",), [], "UTC", stem="x")
