"""The calendar: scheduled posts and planned touchpoints as `CalendarItem`s for a date range.

Default range: the user's local today through the next 4 weeks. Skipped items are included (the
ICS exporter writes them CANCELLED, so a calendar that imported them before removes them); ideas
and drafts without a time are not on the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from planner.adapters.export.common import DEFAULT_DURATION, KINDS, POST, TOUCHPOINT
from planner.errors import PlannerError
from planner.models import (
    CommunityGroup,
    Connection,
    Entry,
    Event,
    Post,
    PostStatus,
    TouchKind,
    Touchpoint,
)
from planner.services.strategy import get_strategy
from planner.text import label

DEFAULT_WEEKS = 4


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
        if self.kind not in KINDS:
            raise ValueError(f"{self.uid}: kind must be one of {KINDS}, got {self.kind!r}")
        for name in ("start", "updated_at"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{self.uid}: {name} must be timezone-aware, got {value!r}")
        if not self.uid or any(ch.isspace() for ch in self.uid):
            raise ValueError(f"UID must be non-empty without whitespace, got {self.uid!r}")
        if self.duration is None:
            object.__setattr__(self, "duration", DEFAULT_DURATION[self.kind])
        elif self.duration <= timedelta(0):
            raise ValueError(f"{self.uid}: duration must be positive, got {self.duration}")
        for name in ("links", "hashtags", "categories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def end(self) -> datetime:
        assert self.duration is not None
        return self.start + self.duration


@dataclass(frozen=True)
class CalendarRange:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    timezone: str
    first_day: date
    last_day: date  # inclusive


def calendar_range(
    session: Session, now: datetime, first: date | None = None, last: date | None = None
) -> CalendarRange:
    """Local days `first`..`last` (inclusive) in the strategy's zone; default today + 4 weeks."""
    tz_name = get_strategy(session, now).timezone
    tz = ZoneInfo(tz_name)
    first = first or now.astimezone(tz).date()
    last = last or first + timedelta(weeks=DEFAULT_WEEKS) - timedelta(days=1)
    if last < first:
        raise PlannerError(f"--to {last} is before --from {first}")
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return CalendarRange(start, end, tz_name, first, last)


def _label(value: str) -> str:
    return label(value)


def calendar_items(session: Session, start: datetime, end: datetime) -> list[CalendarItem]:
    """Posts with a time (scheduled, published, skipped) and touchpoints due in [start, end)."""
    posts = session.exec(
        select(Post).where(
            col(Post.scheduled_at) >= start,
            col(Post.scheduled_at) < end,
            col(Post.status).in_([PostStatus.SCHEDULED.value, PostStatus.PUBLISHED.value, PostStatus.SKIPPED.value]),
        )
    ).all()
    touches = session.exec(
        select(Touchpoint, Connection)
        .join(Connection, col(Connection.id) == col(Touchpoint.connection_id))
        .where(col(Touchpoint.due_at) >= start, col(Touchpoint.due_at) < end)
    ).all()
    entry_ids = {p.source_entry_id for p in posts if p.source_entry_id} | {t.entry_id for t, _ in touches if t.entry_id}
    event_ids = {p.event_id for p in posts if p.event_id} | {t.event_id for t, _ in touches if t.event_id}
    group_ids = {p.group_id for p in posts if p.group_id}
    entries = {e.id: e for e in session.exec(select(Entry).where(col(Entry.id).in_(entry_ids)))} if entry_ids else {}
    events = {e.id: e for e in session.exec(select(Event).where(col(Event.id).in_(event_ids)))} if event_ids else {}
    groups = (
        {g.id: g for g in session.exec(select(CommunityGroup).where(col(CommunityGroup.id).in_(group_ids)))}
        if group_ids
        else {}
    )

    items: list[CalendarItem] = []
    for p in posts:
        assert p.scheduled_at is not None  # the query asked for one in [start, end)
        entry, event, group = entries.get(p.source_entry_id), events.get(p.event_id), groups.get(p.group_id)
        links = [u for u in (p.url, entry and entry.link, event and event.url, group and group.url) if u]
        pillar = _label(p.pillar)
        title = p.title or f"{pillar.capitalize()} post"
        items.append(
            CalendarItem(
                uid=f"post-{p.id}@planner",
                kind=POST,
                start=p.scheduled_at,
                title=f"Post ({pillar}): {title}",
                updated_at=p.updated_at,
                pillar=p.pillar,
                body=p.body,
                links=tuple(dict.fromkeys(links)),
                hashtags=tuple(p.hashtags.split()),
                channel=p.channel,
                status=p.status,
            )
        )
    for t, c in touches:
        action = TouchKind(t.kind).label if t.kind in TouchKind._value2member_map_ else _label(t.kind)
        assert t.due_at is not None  # the query asked for one in [start, end)
        entry, event = entries.get(t.entry_id), events.get(t.event_id)
        links = [u for u in (c.profile_url, entry and entry.link, event and event.url) if u]
        body = "\n\n".join(x for x in (t.message.strip(), t.note.strip()) if x)
        items.append(
            CalendarItem(
                uid=f"touchpoint-{t.id}@planner",
                kind=TOUCHPOINT,
                start=t.due_at,
                title=f"{action.capitalize()}: {c.full_name or 'someone'}",
                updated_at=t.updated_at,
                person=c.full_name,
                action=t.kind,
                body=body,
                links=tuple(dict.fromkeys(links)),
                status=t.status,
            )
        )
    items.sort(key=lambda i: (i.start, i.uid))
    return items


def calendar(
    session: Session, now: datetime, first: date | None = None, last: date | None = None
) -> tuple[CalendarRange, list[CalendarItem]]:
    """The range (default: today + 4 weeks, local) and its items."""
    rng = calendar_range(session, now, first, last)
    return rng, calendar_items(session, rng.start, rng.end)


def whole_calendar(session: Session, now: datetime) -> tuple[str, list[CalendarItem]]:
    """The strategy's zone and every item with a time, past and future (a vdir mirrors them all)."""
    tz_name = get_strategy(session, now).timezone
    return tz_name, calendar_items(session, datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))
