"""Today: what is due today and overdue (posts and touchpoints), with counts per section."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from planner.errors import PlannerError
from planner.models import (
    Connection,
    Entry,
    Feed,
    Post,
    PostStatus,
    Touchpoint,
    TouchStatus,
)
from planner.services.timeutil import local_day_bounds
from planner.store.versioning import bump, load_for_edit


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # "post" | "touchpoint"
    id: int
    due_at: datetime
    title: str
    detail: str
    overdue: bool
    version: int


@dataclass
class TodayAgenda:
    items: list[AgendaItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    review_due: str | None = None  # "Weekly review for 2026-W47 is due" (services.review)
    more: int = 0  # due items beyond the limit (the most overdue come first)
    overdue: int = 0  # overdue items in all, shown or not


def agenda(session: Session, now: datetime, tz: ZoneInfo, limit: int | None = 200) -> TodayAgenda:
    """Due today and overdue, most overdue first; at most ``limit`` items (``more`` counts the rest).

    Today is a daily to-do list, not an archive: thousands of overdue rows would bury today's
    few, so the list is capped and the count of the rest is shown instead."""
    start, end = local_day_bounds(now, tz)
    items: list[AgendaItem] = []
    # plain column selects: Today must be ready in a blink even with thousands of rows due
    posts = session.exec(
        select(Post.id, Post.scheduled_at, Post.title, Post.pillar, Post.version)
        .where(Post.status == PostStatus.SCHEDULED.value, Post.scheduled_at < end)
    )
    for pid, when, title, pillar, version in posts:
        items.append(AgendaItem("post", pid, when, title or "(untitled post)", pillar.replace("_", " "), when < start, version))
    touches = session.exec(
        select(Touchpoint.id, Touchpoint.due_at, Touchpoint.kind, Touchpoint.note, Touchpoint.message,
               Touchpoint.version, Connection.first_name, Connection.last_name)
        .join(Connection, Connection.id == Touchpoint.connection_id)
        .where(Touchpoint.status == TouchStatus.PLANNED.value, Touchpoint.due_at < end)
    )
    for tid, due, kind, note, message, version, first, last in touches:
        label = kind.replace("_", " ").capitalize()
        name = f"{first} {last}".strip()
        items.append(AgendaItem("touchpoint", tid, due, f"{label} · {name}", note or message or "", due < start, version))
    items.sort(key=lambda i: (not i.overdue, i.due_at, i.kind, i.id))
    from planner.services.review import review_due

    overdue = sum(1 for i in items if i.overdue)
    more = max(0, len(items) - limit) if limit is not None else 0
    if more:
        # keep everything due today, then the most overdue of the rest
        today_items = [i for i in items if not i.overdue]
        room = max(0, limit - len(today_items))
        items = [i for i in items if i.overdue][:room] + today_items
        more = overdue - room
    return TodayAgenda(items=items, counts=section_counts(session), review_due=review_due(session, now, tz),
                       more=more, overdue=overdue)


def section_counts(session: Session) -> dict[str, int]:
    def count(model, *where) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return {
        "ideas": count(Post, Post.status == PostStatus.IDEA.value),
        "drafts": count(Post, Post.status == PostStatus.DRAFT.value),
        "scheduled": count(Post, Post.status == PostStatus.SCHEDULED.value),
        "planned touchpoints": count(Touchpoint, Touchpoint.status == TouchStatus.PLANNED.value),
        "people": count(Connection, Connection.archived == False),  # noqa: E712
        "feeds": count(Feed, Feed.enabled == True),  # noqa: E712
        "unread entries": count(Entry, Entry.is_read == False, Entry.is_dismissed == False),  # noqa: E712
    }


def mark_item(session: Session, kind: str, item_id: int, done: bool, now: datetime, expected_version: int | None = None) -> str:
    """Mark a post published / a touchpoint done (or either skipped). Returns a short summary."""
    model = {"post": Post, "touchpoint": Touchpoint}.get(kind)
    if model is None:
        raise PlannerError(f"unknown item kind {kind!r}")
    # locked and version-checked: a teammate's change since Today loaded is never overwritten
    row = load_for_edit(session, model, item_id, expected_version)
    if kind == "post":
        row.status = PostStatus.PUBLISHED.value if done else PostStatus.SKIPPED.value
        if done:
            row.published_at = now
        label = row.title or f"post {item_id}"
    else:
        row.status = TouchStatus.DONE.value if done else TouchStatus.SKIPPED.value
        if done:
            row.done_at = now
        label = f"{row.kind.replace('_', ' ')} touchpoint"
    bump(row, now)
    session.add(row)
    session.flush()
    return f"{label}: {'done' if done else 'skipped'}"
