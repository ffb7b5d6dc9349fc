"""Calendar exporters: plain `CalendarItem`s in, text out (ICS, CSV, Markdown, Hootsuite CSV).

Everything here is pure and deterministic: no database, no Textual, no clock. The same items give
the same bytes, so users can diff exports and calendar apps update events instead of duplicating
them (stable UIDs, SEQUENCE and DTSTAMP derived from `updated_at`, never from "now").

Times: items carry aware datetimes in any zone; every exporter converts them to the user's zone
(`tz`, an IANA name such as "Europe/Berlin") only here, at the edge.

Untrusted text (drafts, names, titles) is cleaned the same way in every format: ANSI escape
sequences and C0/C1 control characters are removed (tab and newline are kept, CRLF/CR become LF);
everything else, including quotes, commas, `[bold]`-style markup and emoji, is kept verbatim and
quoted/escaped as each format requires.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "POST",
    "TOUCHPOINT",
    "CalendarItem",
    "DroppedRow",
    "HootsuiteExport",
    "HootsuiteFile",
    "clean_text",
    "to_csv",
    "to_hootsuite",
    "to_ics",
    "to_markdown",
]

POST = "post"
TOUCHPOINT = "touchpoint"
_KINDS = (POST, TOUCHPOINT)
_DEFAULT_DURATION = {POST: timedelta(minutes=30), TOUCHPOINT: timedelta(minutes=15)}

# Statuses that mean "this is settled" (ICS CONFIRMED) or "this will not happen" (ICS CANCELLED,
# and never sent to Hootsuite). Anything else (draft, planned, idea, ...) is TENTATIVE.
CONFIRMED_STATUSES = frozenset(
    {"scheduled", "ready", "approved", "confirmed", "published", "posted", "done", "sent"}
)
CANCELLED_STATUSES = frozenset({"cancelled", "canceled", "skipped", "dropped"})
# Already out in the world: scheduling them again in Hootsuite would post twice.
PUBLISHED_STATUSES = frozenset({"published", "posted", "done", "sent"})


@dataclass(frozen=True)
class CalendarItem:
    """One planned post or touchpoint, as plain data (the lead maps DB rows onto this).

    `uid` must be stable across exports ("post-42@planner") so re-importing updates the event.
    `duration` defaults to 30 min for posts and 15 min for touchpoints. Sequences are stored as
    tuples so the item stays hashable; lists are accepted.
    """

    uid: str
    kind: str
    start: datetime
    title: str
    updated_at: datetime
    duration: timedelta | None = None
    pillar: str | None = None
    person: str | None = None
    action: str | None = None
    body: str = ""
    links: Sequence[str] = ()
    hashtags: Sequence[str] = ()
    channel: str | None = None
    status: str = "planned"
    categories: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"{self.uid}: kind must be one of {_KINDS}, got {self.kind!r}")
        for name in ("start", "updated_at"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{self.uid}: {name} must be timezone-aware, got {value!r}")
        if not self.uid or any(ch.isspace() for ch in self.uid):
            raise ValueError(f"UID must be non-empty without whitespace, got {self.uid!r}")
        if self.duration is None:
            object.__setattr__(self, "duration", _DEFAULT_DURATION[self.kind])
        elif self.duration <= timedelta(0):
            raise ValueError(f"{self.uid}: duration must be positive, got {self.duration}")
        for name in ("links", "hashtags", "categories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def end(self) -> datetime:
        assert self.duration is not None
        return self.start + self.duration


# --------------------------------------------------------------------------------------------
# shared helpers

_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str | None) -> str:
    """Strip ANSI escapes and control characters (keeping tab and newline); normalise newlines."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI_RE.sub("", text)
    return _CONTROL_RE.sub("", text)


def _one_line(text: str | None) -> str:
    return " ".join(clean_text(text).split())


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r}: expected an IANA name like 'Europe/Berlin'"
        ) from exc


def _sorted(items: Iterable[CalendarItem]) -> list[CalendarItem]:
    items = list(items)
    seen: set[str] = set()
    for item in items:
        if item.uid in seen:
            raise ValueError(f"duplicate UID {item.uid!r}: each item needs its own stable UID")
        seen.add(item.uid)
    return sorted(items, key=lambda i: (i.start.astimezone(UTC), i.uid))


def _hashtag(tag: str) -> str:
    tag = _one_line(tag).replace(" ", "")
    return tag if tag.startswith("#") or not tag else f"#{tag}"


def _hashtags(item: CalendarItem) -> list[str]:
    return [t for t in (_hashtag(t) for t in item.hashtags) if t]


def _links(item: CalendarItem) -> list[str]:
    return [link for link in (_one_line(x) for x in item.links) if link]


_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _humanize(value: str | None) -> str:
    """'thought_leadership' -> 'Thought leadership' (for labels only, not for data columns)."""
    if not value:
        return ""
    text = _one_line(value).replace("_", " ")
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# ICS

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
    body = clean_text(item.body).strip()
    if body:
        parts.append(body)
    meta = []
    if item.kind == TOUCHPOINT:
        if item.person:
            meta.append(f"Person: {_one_line(item.person)}")
        if item.action:
            meta.append(f"Action: {_one_line(item.action)}")
    if item.pillar:
        meta.append(f"Pillar: {_one_line(item.pillar)}")
    if item.channel:
        meta.append(f"Channel: {_one_line(item.channel)}")
    if meta:
        parts.append("\n".join(meta))
    links = _links(item)
    if links:
        parts.append("Links:\n" + "\n".join(links))
    tags = _hashtags(item)
    if tags:
        parts.append(" ".join(tags))
    return "\n\n".join(parts)


def _ics_categories(item: CalendarItem) -> list[str]:
    cats = [_one_line(c) for c in item.categories]
    if not cats:
        cats = [item.kind, _one_line(item.pillar) if item.kind == POST else _one_line(item.action)]
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

    zone = _zone(tz)
    ordered = _sorted(items)

    cal = Calendar()
    cal.add("prodid", "-//planner//calendar export//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _one_line(calname) or "planner")
    cal.add("x-wr-timezone", tz)

    if ordered:
        years = [i.start.astimezone(zone).year for i in ordered] + [
            i.end.astimezone(zone).year for i in ordered
        ]
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
        event.add("summary", _one_line(item.title) or item.uid)
        description = _ics_description(item)
        if description:
            event.add("description", description)
        categories = _ics_categories(item)
        if categories:
            event.add("categories", categories)
        links = [link for link in _links(item) if _URI_RE.match(link)]
        if links:
            event.add("url", links[0])
        event.add("status", _ics_status(item.status))
        if alarm_minutes:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _one_line(item.title) or item.uid)
            alarm.add("trigger", timedelta(minutes=-alarm_minutes))
            event.add_component(alarm)
        cal.add_component(event)

    return cal.to_ical().decode("utf-8")


# --------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = (
    "start", "end", "kind", "pillar", "person", "action", "title",
    "status", "channel", "hashtags", "links", "body",
)  # fmt: skip

_FORMULA_START = ("=", "+", "@", "\t")


def _csv_safe(text: str) -> str:
    """Stop spreadsheets from running untrusted text as a formula (OWASP "CSV injection").

    A leading apostrophe is what Excel/LibreOffice themselves use to mark "text". A leading "-"
    is only guarded when followed by something other than a space ("-1+2", not "- a bullet").
    """
    risky_dash = len(text) > 1 and text[0] == "-" and not text[1].isspace()
    if text.startswith(_FORMULA_START) or risky_dash:
        return "'" + text
    return text


def to_csv(items: Iterable[CalendarItem], tz: str) -> str:
    """One row per item with a header row; RFC 4180 quoting (CRLF between rows).

    start/end are ISO 8601 with the offset in the user's zone ("2026-11-30T09:00:00+01:00").
    hashtags and links are space-separated. The body keeps its newlines inside a quoted cell.
    Text cells that would start a spreadsheet formula get a leading apostrophe.
    """
    zone = _zone(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for item in _sorted(items):
        writer.writerow(
            [
                item.start.astimezone(zone).isoformat(timespec="seconds"),
                item.end.astimezone(zone).isoformat(timespec="seconds"),
                item.kind,
                _csv_safe(_one_line(item.pillar)),
                _csv_safe(_one_line(item.person)),
                _csv_safe(_one_line(item.action)),
                _csv_safe(_one_line(item.title)),
                _csv_safe(_one_line(item.status)),
                _csv_safe(_one_line(item.channel)),
                " ".join(_hashtags(item)),
                _csv_safe(" ".join(_links(item))),
                _csv_safe(clean_text(item.body).strip()),
            ]
        )
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Markdown

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START_RE = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
EXCERPT_CHARS = 160


def _md(text: str | None, *, line_start: bool = False) -> str:
    """Escape untrusted one-line text for Markdown.

    Backslash-escapes the characters that start emphasis, code, links, HTML and tables
    (CommonMark allows escaping any ASCII punctuation, so rendered output shows no stray
    backslashes). With `line_start=True` it also escapes a leading '#', '>', list marker or '='
    so the text can never turn into a heading, quote or list.
    """
    text = _MD_INLINE_RE.sub(r"\\\1", _one_line(text))
    if line_start:
        text = _MD_LINE_START_RE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return text


def _excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    text = _one_line(body)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _day_heading(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def to_markdown(items: Iterable[CalendarItem], tz: str, title: str = "Planner agenda") -> str:
    """An agenda grouped by local day ("## Monday 30 November 2026"), list format (no tables).

    Each item: "- **09:00–09:30** Title", then sub-items for the details (pillar or
    person/action, channel, status, hashtags) and links, and a quoted one-line excerpt of the
    body (at most EXCERPT_CHARS). All untrusted text is escaped; times are local to `tz`.
    """
    zone = _zone(tz)
    lines = [f"# {_md(title) or 'Planner agenda'}", ""]
    ordered = _sorted(items)
    if not ordered:
        lines += ["_Nothing planned._", ""]
    current_day: date | None = None
    for item in ordered:
        start = item.start.astimezone(zone)
        end = item.end.astimezone(zone)
        if start.date() != current_day:
            current_day = start.date()
            lines += [f"## {_day_heading(current_day)}", ""]
        lines.append(f"- **{start:%H:%M}–{end:%H:%M}** {_md(item.title) or _md(item.uid)}")
        details = []
        if item.kind == POST:
            if item.pillar:
                details.append(f"Pillar: {_md(_humanize(item.pillar))}")
        else:
            if item.person:
                details.append(f"Person: {_md(item.person)}")
            if item.action:
                details.append(f"Action: {_md(_humanize(item.action))}")
        if item.channel:
            details.append(f"Channel: {_md(item.channel)}")
        if item.status:
            details.append(f"Status: {_md(item.status)}")
        tags = _hashtags(item)
        if tags:
            details.append(_md(" ".join(tags)))
        if details:
            lines.append("  - " + " · ".join(details))
        links = [link for link in _links(item) if _URI_RE.match(link)]
        if links:
            # A code span shows the URL literally (autolinks have their own escaping rules);
            # it cannot be broken out of unless the URL holds a backtick, which we drop.
            lines.append("  - Links: " + " ".join(f"`{link.replace('`', '')}`" for link in links))
        excerpt = _excerpt(item.body)
        if excerpt:
            lines.append(f"  > {_md(excerpt, line_start=True)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Hootsuite Bulk Composer

HOOTSUITE_MAX_ROWS = 350
HOOTSUITE_MIN_LEAD = timedelta(minutes=10)
HOOTSUITE_SLOT_MINUTES = 5
# Character limits per network for the message column; unknown channels get LinkedIn's.
NETWORK_LIMITS = {
    "linkedin": 3000,
    "twitter": 280,
    "x": 280,
    "facebook": 63206,
    "instagram": 2200,
    "threads": 500,
    "mastodon": 500,
    "bluesky": 300,
    "pinterest": 500,
    "youtube": 5000,
    "tiktok": 2200,
}
DEFAULT_LIMIT = 3000
# Networks where the link column is appended to the text and counts towards the limit.
_LINK_IN_LIMIT = {"twitter": 24, "x": 24}
_DATE_FORMATS = {"dmy": "%d/%m/%Y %H:%M", "mdy": "%m/%d/%Y %H:%M", "ymd": "%Y/%m/%d %H:%M"}


@dataclass(frozen=True)
class HootsuiteFile:
    """One upload file: `name` (e.g. "hootsuite-linkedin-01.csv") and its CSV `text`."""

    name: str
    text: str


@dataclass(frozen=True)
class DroppedRow:
    """An item that is not in any Hootsuite file (`adjusted=False`), or one that was changed on
    the way in (`adjusted=True`: time rounded, message trimmed), and why."""

    uid: str
    reason: str
    adjusted: bool = False


@dataclass(frozen=True)
class HootsuiteExport:
    """The files to upload plus what was left out or changed. Iterates/indexes like the list of
    files, so `for f in to_hootsuite(...)` works; `.dropped` and `.adjusted` are the report."""

    files: tuple[HootsuiteFile, ...]
    notes: tuple[DroppedRow, ...] = field(default=())

    @property
    def dropped(self) -> tuple[DroppedRow, ...]:
        return tuple(n for n in self.notes if not n.adjusted)

    @property
    def adjusted(self) -> tuple[DroppedRow, ...]:
        return tuple(n for n in self.notes if n.adjusted)

    def __iter__(self) -> Iterator[HootsuiteFile]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> HootsuiteFile:
        return self.files[index]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", _one_line(text).lower()).strip("-")
    return slug or "unassigned"


def _round_up_to_slot(local: datetime) -> datetime:
    local = local.replace(microsecond=0)
    extra = (-local.minute) % HOOTSUITE_SLOT_MINUTES
    if local.second:
        extra = extra or HOOTSUITE_SLOT_MINUTES
        local = local.replace(second=0)
    return local + timedelta(minutes=extra)


def _trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    head = text[: limit - 1]
    cut = head.rsplit(None, 1)[0] if len(head.split()) > 1 else head
    return cut.rstrip() + "…"


def _hootsuite_message(item: CalendarItem, limit: int) -> tuple[str, bool]:
    """Body plus any hashtags the body doesn't already contain, trimmed to `limit` characters.

    When trimming is needed the body is shortened and the hashtags kept (they are short and
    were chosen on purpose); if even they don't fit, everything is trimmed together.
    """
    body = clean_text(item.body).strip()
    present = {w.lower().rstrip(".,;:!?") for w in body.split()}
    tags = " ".join(t for t in _hashtags(item) if t.lower() not in present)
    tail = f"\n\n{tags}" if tags else ""
    message = body + tail
    if len(message) <= limit:
        return message, False
    room = limit - len(tail)
    if room >= 20:
        return _trim(body, room) + tail, True
    return _trim(message, limit), True


def to_hootsuite(
    items: Iterable[CalendarItem],
    tz: str,
    *,
    now: datetime | None = None,
    date_format: str = "dmy",
) -> HootsuiteExport:
    """Posts as Hootsuite Bulk Composer CSV files: one file per channel, at most 350 rows each.

    Verified (secondary sources found with the search tool; Hootsuite's own help page was not in
    the stored corpus): the bulk scheduler takes a CSV of up to 350 messages, each with three
    components in this order: date/time, message, link (optional); a separate file is uploaded
    per social profile; the date format is chosen in the upload dialog (day/month/year,
    month/day/year, ...), so `date_format` must match what the user picks ("dmy" default:
    "30/11/2026 09:00", 24-hour clock, user's local time).

    Assumed, from Hootsuite's published rules as commonly cited but not re-verified here: no
    header row; minutes must be a multiple of 5 (we round *up* so a post never goes out early);
    each time must be at least 10 minutes after the upload (pass `now`; rows closer than that
    are dropped; with `now=None` this check is skipped); duplicate messages are rejected (later
    duplicates within a profile are dropped); quoted multi-line messages are accepted.

    Only posts are exported. Posts with no text, already published/cancelled posts, too-soon and
    duplicate rows are reported in `.dropped`; rounded times and trimmed messages in `.adjusted`
    (messages are trimmed to the network's limit, LinkedIn 3,000 characters, see NETWORK_LIMITS).
    Files are named "hootsuite-<channel>-NN.csv" ("unassigned" for posts with no channel).
    """
    zone = _zone(tz)
    if date_format not in _DATE_FORMATS:
        raise ValueError(f"date_format must be one of {sorted(_DATE_FORMATS)}, got {date_format!r}")
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    fmt = _DATE_FORMATS[date_format]

    notes: list[DroppedRow] = []
    rows_by_channel: dict[str, list[tuple[datetime, str, list[str]]]] = {}
    seen_messages: dict[tuple[str, str], str] = {}
    for item in _sorted(items):
        if item.kind != POST:
            notes.append(DroppedRow(item.uid, "touchpoint: only posts go to Hootsuite"))
            continue
        status = item.status.strip().lower()
        if status in PUBLISHED_STATUSES or status in CANCELLED_STATUSES:
            notes.append(DroppedRow(item.uid, f"status is {status!r}: not scheduling it again"))
            continue
        channel = _slug(item.channel or "")
        limit = NETWORK_LIMITS.get(channel, DEFAULT_LIMIT)
        if not clean_text(item.body).strip():
            notes.append(DroppedRow(item.uid, "no text: the post has no draft body yet"))
            continue
        link = next((x for x in _links(item) if _URI_RE.match(x)), "")
        if link and channel in _LINK_IN_LIMIT:
            # X counts any link as 23 characters (t.co) plus the space before it.
            limit -= _LINK_IN_LIMIT[channel]
        message, trimmed = _hootsuite_message(item, limit)
        key = (channel, " ".join(message.lower().split()))
        if key in seen_messages:
            notes.append(
                DroppedRow(item.uid, f"duplicate message of {seen_messages[key]} on {channel}")
            )
            continue
        local = item.start.astimezone(zone)
        slot = _round_up_to_slot(local)
        # Round in absolute time, then show local: safe across a DST change.
        slot = (item.start.astimezone(UTC) + (slot - local)).astimezone(zone)
        if now is not None and slot - now < HOOTSUITE_MIN_LEAD:
            notes.append(
                DroppedRow(
                    item.uid,
                    f"{slot:%Y-%m-%d %H:%M} is less than 10 minutes after now "
                    f"({now.astimezone(zone):%Y-%m-%d %H:%M}): Hootsuite rejects it",
                )
            )
            continue
        seen_messages[key] = item.uid
        if slot != local.replace(microsecond=0) or local.microsecond:
            notes.append(
                DroppedRow(
                    item.uid,
                    f"time rounded up from {local:%H:%M} to {slot:%H:%M} (5-minute slots)",
                    adjusted=True,
                )
            )
        if trimmed:
            notes.append(
                DroppedRow(item.uid, f"message trimmed to {limit} characters for {channel}", True)
            )
        rows_by_channel.setdefault(channel, []).append(
            (slot, item.uid, [slot.strftime(fmt), message, link])
        )

    files: list[HootsuiteFile] = []
    for channel in sorted(rows_by_channel):
        rows = sorted(rows_by_channel[channel], key=lambda r: (r[0].astimezone(UTC), r[1]))
        for n, begin in enumerate(range(0, len(rows), HOOTSUITE_MAX_ROWS), start=1):
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            for _, _, row in rows[begin : begin + HOOTSUITE_MAX_ROWS]:
                writer.writerow(row)
            files.append(HootsuiteFile(f"hootsuite-{channel}-{n:02d}.csv", out.getvalue()))
    return HootsuiteExport(tuple(files), tuple(notes))
