"""Hootsuite Bulk Composer: one CSV per profile, at most 350 rows, the upload's own rules."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from planner.adapters.export.common import (
    CANCELLED_STATUSES,
    POST,
    PUBLISHED_STATUSES,
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
    slug = re.sub(r"[^a-z0-9]+", "-", one_line(text).lower()).strip("-")
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
    body = strip_controls(item.body).strip()
    present = {w.lower().rstrip(".,;:!?") for w in body.split()}
    tags = " ".join(t for t in item_hashtags(item) if t.lower() not in present)
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
    zone = user_zone(tz)
    if date_format not in _DATE_FORMATS:
        raise ValueError(f"date_format must be one of {sorted(_DATE_FORMATS)}, got {date_format!r}")
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    fmt = _DATE_FORMATS[date_format]

    notes: list[DroppedRow] = []
    rows_by_channel: dict[str, list[tuple[datetime, str, list[str]]]] = {}
    seen_messages: dict[tuple[str, str], str] = {}
    for item in in_order(items):
        if item.kind != POST:
            notes.append(DroppedRow(item.uid, "touchpoint: only posts go to Hootsuite"))
            continue
        status = item.status.strip().lower()
        if status in PUBLISHED_STATUSES or status in CANCELLED_STATUSES:
            notes.append(DroppedRow(item.uid, f"status is {status!r}: not scheduling it again"))
            continue
        channel = _slug(item.channel or "")
        limit = NETWORK_LIMITS.get(channel, DEFAULT_LIMIT)
        if not strip_controls(item.body).strip():
            notes.append(DroppedRow(item.uid, "no text: the post has no draft body yet"))
            continue
        link = next((x for x in item_links(item) if URI_RE.match(x)), "")
        if link and channel in _LINK_IN_LIMIT:
            # X counts any link as 23 characters (t.co) plus the space before it.
            limit -= _LINK_IN_LIMIT[channel]
        message, trimmed = _hootsuite_message(item, limit)
        key = (channel, " ".join(message.lower().split()))
        if key in seen_messages:
            notes.append(DroppedRow(item.uid, f"duplicate message of {seen_messages[key]} on {channel}"))
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
            notes.append(DroppedRow(item.uid, f"message trimmed to {limit} characters for {channel}", True))
        rows_by_channel.setdefault(channel, []).append((slot, item.uid, [slot.strftime(fmt), message, link]))

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
