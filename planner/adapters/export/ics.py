"""iCalendar (RFC 5545): one VEVENT per post and touchpoint, stable UIDs, the user's zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from planner.adapters.export.common import (
    CANCELLED_STATUSES,
    CONFIRMED_STATUSES,
    POST,
    TOUCHPOINT,
    URI_RE,
    in_order,
    item_hashtags,
    item_links,
    one_line,
    user_zone,
)
from planner.text import strip_controls

if TYPE_CHECKING:
    from planner.services.calendar import CalendarItem

# SEQUENCE must grow with every revision; seconds since this epoch fit a signed 32-bit integer
# (which some clients use) until 2088, unlike a raw Unix timestamp (2038).
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _sequence(updated_at: datetime) -> int:
    return max(0, int((updated_at.astimezone(UTC) - _SEQUENCE_EPOCH).total_seconds()))


def _ics_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """Local time in `zone`, unless that wall time is ambiguous (the repeated hour when DST
    ends): RFC 5545 resolves a repeated TZID time to its first occurrence, so the second one is
    written in UTC instead to keep the instant exact."""
    local = moment.astimezone(zone).replace(microsecond=0)
    if local.replace(fold=0).astimezone(UTC) != local.astimezone(UTC):
        return local.astimezone(UTC)
    return local


def _ics_status(status: str) -> str:
    status = status.strip().lower()
    if status in CANCELLED_STATUSES:
        return "CANCELLED"
    if status in CONFIRMED_STATUSES:
        return "CONFIRMED"
    return "TENTATIVE"


def _ics_description(item: CalendarItem) -> str:
    parts = []
    body = strip_controls(item.body).strip()
    if body:
        parts.append(body)
    meta = []
    if item.kind == TOUCHPOINT:
        if item.person:
            meta.append(f"Person: {one_line(item.person)}")
        if item.action:
            meta.append(f"Action: {one_line(item.action)}")
    if item.pillar:
        meta.append(f"Pillar: {one_line(item.pillar)}")
    if item.channel:
        meta.append(f"Channel: {one_line(item.channel)}")
    if meta:
        parts.append("\n".join(meta))
    links = item_links(item)
    if links:
        parts.append("Links:\n" + "\n".join(links))
    tags = item_hashtags(item)
    if tags:
        parts.append(" ".join(tags))
    return "\n\n".join(parts)


def _ics_categories(item: CalendarItem) -> list[str]:
    cats = [one_line(c) for c in item.categories]
    if not cats:
        cats = [item.kind, one_line(item.pillar) if item.kind == POST else one_line(item.action)]
    return [c for c in cats if c]


def to_ics(
    items: Iterable[CalendarItem],
    tz: str,
    *,
    calname: str = "planner",
    alarm_minutes: int | None = 15,
) -> str:
    """Render items as an RFC 5545 calendar (CRLF line endings, lines folded at 75 octets).

    Touchpoints are VEVENTs, not VTODOs. A touchpoint is something to do at a planned time, and
    VEVENT is the component every calendar imports: calcurse turns a VTODO into an undated todo
    (it keeps no DUE/DTSTART for todos), Google Calendar ignores VTODOs on import and Outlook and
    many phone apps show them nowhere or in a separate task app. A VEVENT keeps the planned time,
    the reminder and the update-by-UID behaviour in all of them; CATEGORIES says it is a
    touchpoint. People are named in SUMMARY/DESCRIPTION, never as ATTENDEE (that would make some
    clients send invitations).

    Times are written as local times with TZID=`tz` and a VTIMEZONE built from zoneinfo covering
    the years of the items, so a 09:00 item stays 09:00 local across a DST change (only a time in
    the second pass of a repeated hour is written in UTC, see `_ics_time`). DTSTAMP and
    LAST-MODIFIED are `updated_at` in UTC and SEQUENCE is derived from it (seconds since
    2020-01-01), so output is byte-identical for the same input and later edits win on re-import.
    `alarm_minutes=None` (or 0) leaves out the VALARM.
    """
    from icalendar import Alarm, Calendar, Event, Timezone

    zone = user_zone(tz)
    ordered = in_order(items)

    cal = Calendar()
    cal.add("prodid", "-//planner//calendar export//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(calname) or "planner")
    cal.add("x-wr-timezone", tz)

    if ordered:
        years = [i.start.astimezone(zone).year for i in ordered] + [i.end.astimezone(zone).year for i in ordered]
        # A window that depends only on the items keeps the VTIMEZONE (and the file) deterministic.
        cal.add_component(
            Timezone.from_tzinfo(
                zone,
                tzid=tz,
                first_date=date(min(years), 1, 1),
                last_date=date(max(years) + 2, 1, 1),
            )
        )

    for item in ordered:
        event = Event()
        stamp = item.updated_at.astimezone(UTC).replace(microsecond=0)
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", _sequence(item.updated_at))
        event.add("dtstart", _ics_time(item.start, zone))
        event.add("dtend", _ics_time(item.end, zone))
        event.add("summary", one_line(item.title) or item.uid)
        description = _ics_description(item)
        if description:
            event.add("description", description)
        categories = _ics_categories(item)
        if categories:
            event.add("categories", categories)
        links = [link for link in item_links(item) if URI_RE.match(link)]
        if links:
            event.add("url", links[0])
        event.add("status", _ics_status(item.status))
        if alarm_minutes:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", one_line(item.title) or item.uid)
            alarm.add("trigger", timedelta(minutes=-alarm_minutes))
            event.add_component(alarm)
        cal.add_component(event)

    ical: bytes = cal.to_ical()
    return ical.decode("utf-8")
