"""Today: what is due today and overdue (posts and touchpoints), with counts per section."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from planner.enums import PostStatus, TouchStatus
from planner.errors import PlannerError
from planner.services.timeutil import iso_week, last_full_week, local_day_bounds, user_timezone
from planner.store.reader import as_reader, utc_value
from planner.text import label

if TYPE_CHECKING:
    from sqlmodel import Session

# Plain SQL, not ORM queries: Today's first frame runs these through the stdlib sqlite3 reader
# before SQLAlchemy is even imported (store.reader); the store runs the same text afterwards.
# Today's rows in full, and the oldest ``room`` of the overdue ones: however many thousands are
# overdue, a read stays O(limit) (Today's first frame is read on the UI thread; see tui.app).
_POSTS = """
SELECT id, scheduled_at, title, pillar, version FROM post
WHERE status = :scheduled AND {window}
ORDER BY scheduled_at, id"""
_TOUCHES = """
SELECT t.id, t.due_at, t.kind, t.note, t.message, t.version, c.first_name, c.last_name
FROM touchpoint t JOIN connection c ON c.id = t.connection_id
WHERE t.status = :planned AND {window}
ORDER BY t.due_at, t.id"""
POSTS_TODAY = _POSTS.format(window="scheduled_at >= :start AND scheduled_at < :end")
POSTS_OVERDUE = _POSTS.format(window="scheduled_at < :start") + " LIMIT :room"
TOUCHES_TODAY = _TOUCHES.format(window="t.due_at >= :start AND t.due_at < :end")
TOUCHES_OVERDUE = _TOUCHES.format(window="t.due_at < :start") + " LIMIT :room"
OVERDUE_COUNT = """
SELECT (SELECT count(*) FROM post WHERE status = :scheduled AND scheduled_at < :start)
     + (SELECT count(*) FROM touchpoint WHERE status = :planned AND due_at < :start)"""
SECTION_COUNTS = """
SELECT
  (SELECT count(*) FROM post WHERE status = :idea),
  (SELECT count(*) FROM post WHERE status = :draft),
  (SELECT count(*) FROM post WHERE status = :scheduled),
  (SELECT count(*) FROM touchpoint WHERE status = :planned),
  (SELECT count(*) FROM connection WHERE NOT archived),
  (SELECT count(*) FROM feed WHERE enabled),
  (SELECT count(*) FROM entry WHERE NOT is_read AND NOT is_dismissed)"""
STATUSES = {
    "idea": PostStatus.IDEA.value,
    "draft": PostStatus.DRAFT.value,
    "scheduled": PostStatus.SCHEDULED.value,
    "planned": TouchStatus.PLANNED.value,
}
SECTION_NAMES = ("ideas", "drafts", "scheduled", "planned touchpoints", "people", "feeds", "unread entries")
REVIEW_DONE = "SELECT id FROM review WHERE week = :week AND completed_at IS NOT NULL LIMIT 1"


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # "post" | "touchpoint"
    id: int
    due_at: datetime
    title: str
    detail: str
    overdue: bool  # due before today
    version: int
    send: str = ""  # a touchpoint's drafted message: what to send (detail shows the note first)
    late: bool = False  # its time has passed: every overdue item, and today's earlier ones ("this morning's")


@dataclass
class TodayAgenda:
    items: list[AgendaItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    review_due: str | None = None  # "Weekly review for 2026-W47 is due"
    more: int = 0  # due items beyond the limit (the most overdue come first)
    overdue: int = 0  # overdue items in all, shown or not


def agenda(source, now: datetime, tz: ZoneInfo, limit: int | None = 200) -> TodayAgenda:
    """Due today and overdue, most overdue first; at most ``limit`` items (``more`` counts the rest).

    Today is a daily to-do list, not an archive: thousands of overdue rows would bury today's
    few, so the list is capped and the count of the rest is shown instead. ``source`` is a
    session or a store.reader Reader."""
    reader = as_reader(source)
    start, end = local_day_bounds(now, tz)
    bound = {"start": reader.bind_time(start), "end": reader.bind_time(end), **STATUSES}
    today = [replace(i, late=i.due_at < now) for i in _items(reader, POSTS_TODAY, TOUCHES_TODAY, bound, overdue=False)]
    ((overdue,),) = reader.rows(OVERDUE_COUNT, bound)
    # keep everything due today, then the most overdue of the rest
    room = overdue if limit is None or len(today) + overdue <= limit else max(0, limit - len(today))
    late = _items(reader, POSTS_OVERDUE, TOUCHES_OVERDUE, {**bound, "room": room}, overdue=True)[:room] if room else []
    items = late + today
    more = overdue - room
    return TodayAgenda(
        items=items, counts=section_counts(reader), review_due=review_due(reader, now, tz), more=more, overdue=overdue
    )


def _items(reader, posts_sql: str, touches_sql: str, params: dict, overdue: bool) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    for pid, when, title, pillar, version in reader.rows(posts_sql, params):
        items.append(
            AgendaItem(
                "post", pid, utc_value(when), title or "(untitled post)", label(pillar), overdue, version, late=overdue
            )
        )
    for tid, due, kind, note, message, version, first, last in reader.rows(touches_sql, params):
        action = label(kind).capitalize()
        name = f"{first} {last}".strip()
        items.append(
            AgendaItem(
                "touchpoint",
                tid,
                utc_value(due),
                f"{action} · {name}",
                note or message or "",
                overdue,
                version,
                message or "",
                late=overdue,
            )
        )
    items.sort(key=lambda i: (i.due_at, i.kind, i.id))
    return items


def section_counts(source) -> dict[str, int]:
    (counts,) = as_reader(source).rows(SECTION_COUNTS, STATUSES)
    return dict(zip(SECTION_NAMES, counts, strict=True))


def review_due(source, now: datetime, tz: ZoneInfo | None = None) -> str | None:
    """ "Weekly review for 2026-W47 is due" when the last full week (in `tz`, default the
    strategy's zone) has no completed review."""
    reader = as_reader(source)
    week = iso_week(last_full_week(now, tz or user_timezone(reader)))
    done = reader.rows(REVIEW_DONE, {"week": week})
    return None if done else f"Weekly review for {week} is due"


def mark_item(
    session: Session, kind: str, item_id: int, done: bool, now: datetime, expected_version: int | None = None
) -> str:
    """Mark a post published / a touchpoint done (or either skipped). Returns a short summary."""
    from planner.models import Post, Touchpoint
    from planner.store.versioning import bump, load_for_edit

    models: dict[str, type[Post | Touchpoint]] = {"post": Post, "touchpoint": Touchpoint}
    model = models.get(kind)
    if model is None:
        raise PlannerError(f"unknown item kind {kind!r}")
    # locked and version-checked: a teammate's change since Today loaded is never overwritten
    row = load_for_edit(session, model, item_id, expected_version)
    if isinstance(row, Post):
        row.status = PostStatus.PUBLISHED.value if done else PostStatus.SKIPPED.value
        if done:
            row.published_at = now
        what = row.title or f"post {item_id}"
    else:
        row.status = TouchStatus.DONE.value if done else TouchStatus.SKIPPED.value
        if done:
            row.done_at = now
        what = f"{label(row.kind)} touchpoint"
    bump(row, now)
    session.add(row)
    session.flush()
    return f"{what}: {'done' if done else 'skipped'}"
