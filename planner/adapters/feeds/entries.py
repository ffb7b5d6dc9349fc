"""What both parse paths produce: the entry types, and the clean-up they share.

`parse` (feedparser) and `fastparse` (ElementTree) each extract `_RawEntry` rows; `_build_entries`
turns them into sanitized `ParsedEntry` rows (plain text, capped lengths, canonical links, a
stable guid, a sane UTC date) so both paths give the same results.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from planner.adapters.feeds.urls import _join, canonical_link
from planner.adapters.sanitize import clean_text

SUMMARY_MAX = 4000
TITLE_MAX = 500
AUTHOR_MAX = 200


@dataclass
class ParsedEntry:
    guid: str  # "id:<feed guid>", "link:<canonical link>" or "hash:<sha256 of title+date>"
    link: str | None
    title: str
    summary: str
    author: str | None
    published_at: datetime | None  # aware UTC
    content_hash: str  # sha256 of title+summary+link: changes when the entry is edited


class ParsedFeed(NamedTuple):
    feed_title: str | None
    entries: list[ParsedEntry]
    warning: str | None


class NotAFeedError(ValueError):
    """The document parsed to nothing feed-like (an HTML page, an error page, ...)."""


def _utc_from_struct(t: time.struct_time | None, now: datetime) -> datetime | None:
    if not t:
        return None
    try:
        dt = datetime.fromtimestamp(calendar.timegm(t), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    if dt.year < 1990 or dt > now + timedelta(days=2):
        return None  # absurd: epoch-zero defaults, typos, far-future "sticky" posts
    return dt


def _sha256(*parts: str | None) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update((p or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


class _RawEntry(NamedTuple):
    """What both parse paths extract, before the shared clean-up."""

    title: str  # plain text
    summary: str  # plain text
    link: str | None  # as found (maybe relative)
    raw_id: str | None
    date: time.struct_time | None  # in UTC
    date_raw: str
    author: str | None


# C1 code points in feed text are almost always windows-1252 punctuation behind a character
# reference (&#146; for a curly apostrophe); feedparser repairs them the same way.
_C1_AS_CP1252 = {c: bytes([c]).decode("cp1252", "ignore") or None for c in range(0x80, 0xA0)}
_C1_AS_CP1252[0x9B] = None  # the 8-bit CSI stays a control (stripped by clean_text)


def _demoronize(s: str) -> str:
    return s.translate(_C1_AS_CP1252) if s and any("\x80" <= c <= "\x9f" for c in s) else s


def _build_entries(raw: list[_RawEntry], base: str, now: datetime) -> list[ParsedEntry]:
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    for r in raw:
        title = clean_text(_demoronize(r.title), TITLE_MAX, single_line=True)
        summary = clean_text(_demoronize(r.summary), SUMMARY_MAX)
        link = canonical_link(_join(base, r.link.strip()) if r.link else None)
        raw_id = clean_text(r.raw_id, 1000, single_line=True)
        if raw_id:
            guid = "id:" + raw_id
        elif link:
            guid = "link:" + link
        else:
            guid = "hash:" + _sha256(title, r.date_raw.strip())
        if guid in seen:  # duplicate guids in one document: keep the first (newest) copy
            continue
        seen.add(guid)
        entries.append(
            ParsedEntry(
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                author=clean_text(r.author, AUTHOR_MAX, single_line=True) or None,
                published_at=_utc_from_struct(r.date, now),
                content_hash=_sha256(title, summary, link),
            )
        )
    return entries
