"""What every exporter shares: item kinds and statuses, the user's zone, stable order, and the
one-line, hashtag and link forms of untrusted text (cleaned by planner.text's one rule)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner.text import strip_controls

if TYPE_CHECKING:  # the domain type is built by services.calendar; exporters only read it
    from planner.services.calendar import CalendarItem

POST = "post"
TOUCHPOINT = "touchpoint"
KINDS = (POST, TOUCHPOINT)
DEFAULT_DURATION = {POST: timedelta(minutes=30), TOUCHPOINT: timedelta(minutes=15)}

# Statuses that mean "this is settled" (ICS CONFIRMED) or "this will not happen" (ICS CANCELLED,
# and never sent to Hootsuite). Anything else (draft, planned, idea, ...) is TENTATIVE.
CONFIRMED_STATUSES = frozenset({"scheduled", "ready", "approved", "confirmed", "published", "posted", "done", "sent"})
CANCELLED_STATUSES = frozenset({"cancelled", "canceled", "skipped", "dropped"})
# Already out in the world: scheduling them again in Hootsuite would post twice.
PUBLISHED_STATUSES = frozenset({"published", "posted", "done", "sent"})


def one_line(text: str | None) -> str:
    return " ".join(strip_controls(text).split())


def user_zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}: expected an IANA name like 'Europe/Berlin'") from exc


def in_order(items: Iterable[CalendarItem]) -> list[CalendarItem]:
    items = list(items)
    seen: set[str] = set()
    for item in items:
        if item.uid in seen:
            raise ValueError(f"duplicate UID {item.uid!r}: each item needs its own stable UID")
        seen.add(item.uid)
    return sorted(items, key=lambda i: (i.start.astimezone(UTC), i.uid))


def hashtag(tag: str) -> str:
    tag = one_line(tag).replace(" ", "")
    return tag if tag.startswith("#") or not tag else f"#{tag}"


def item_hashtags(item: CalendarItem) -> list[str]:
    return [t for t in (hashtag(t) for t in item.hashtags) if t]


def item_links(item: CalendarItem) -> list[str]:
    return [link for link in (one_line(x) for x in item.links) if link]


URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def humanize(value: str | None) -> str:
    """'thought_leadership' -> 'Thought leadership' (for labels only, not for data columns)."""
    if not value:
        return ""
    text = one_line(value).replace("_", " ")
    return text[:1].upper() + text[1:]
