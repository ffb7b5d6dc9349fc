"""The week as the Plan screen shows it: its posts and touchpoints in time order, the figures its
header shares with `planner plan show`, and moving an item by hand."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Connection, Post, PostStatus, TouchKind, Touchpoint, TouchStatus, pk_col, utcnow
from planner.services.slots import PLACED
from planner.services.strategy import show_strategy
from planner.services.timeutil import iso_week, week_bounds
from planner.text import count, label


@dataclass(frozen=True)
class WeekItem:
    kind: str  # post / touchpoint
    id: int
    at: datetime
    title: str
    pillar: str | None
    status: str
    manual: bool
    version: int
    person: str | None = None
    action: str | None = None
    detail: str = ""


@dataclass
class WeekView:
    monday: date
    week: str
    timezone: str
    slots: list[tuple[int, str, str]]  # (weekday, HH:MM, pillar)
    working_days: list[int]
    capacity: int
    items: list[WeekItem]


def week_view(session: Session, monday: date, now: datetime) -> WeekView:
    """Everything with a time in the week (posts and touchpoints, any status), in time order.

    One query per kind, columns only, ordered in SQL (a busy week holds ~2,900 touchpoints: as ORM
    objects sorted in Python that was 0.4-1.0 s)."""
    strategy = show_strategy(session, now)
    start, end = week_bounds(monday, strategy.zone)
    post_rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            pk_col(Post.id),
            col(Post.scheduled_at),
            col(Post.title),
            col(Post.pillar),
            col(Post.status),
            col(Post.manual),
            col(Post.version),
            col(Post.body),
        )
        .where(
            col(Post.scheduled_at) >= start,
            col(Post.scheduled_at) < end,
            col(Post.status).in_((*PLACED, PostStatus.SKIPPED.value)),
        )
        .order_by(col(Post.scheduled_at), col(Post.id))
    ).all()
    posts = [
        WeekItem("post", pid, at, title or f"({label(pillar)} post)", pillar, status, manual, version, detail=body)
        for pid, at, title, pillar, status, manual, version, body in post_rows
    ]
    touch_rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            pk_col(Touchpoint.id),
            col(Touchpoint.due_at),
            col(Touchpoint.kind),
            col(Touchpoint.status),
            col(Touchpoint.manual),
            col(Touchpoint.version),
            col(Touchpoint.message),
            col(Touchpoint.note),
            col(Connection.first_name),
            col(Connection.last_name),
        )
        .join(Connection, col(Connection.id) == col(Touchpoint.connection_id))
        .where(col(Touchpoint.due_at) >= start, col(Touchpoint.due_at) < end)
        .order_by(col(Touchpoint.due_at), col(Touchpoint.id))
    ).all()
    labels = {k.value: label(k.value).capitalize() for k in TouchKind}
    touches: list[WeekItem] = []
    for tid, at, kind, status, manual, version, message, note, first, last in touch_rows:
        name = f"{first} {last}".strip() if first and last else (first or last or "").strip()  # Connection.full_name
        touches.append(
            WeekItem(
                "touchpoint",
                tid,
                at,
                f"{labels.get(kind) or label(kind).capitalize()} · {name}",
                None,
                status,
                manual,
                version,
                person=name,
                action=kind,
                detail=f"{message}\n\n{note}" if message and note else (message or note or ""),
            )
        )
    # both lists are in (at, id) order: merge them, a post before a touchpoint at the same time
    items = list(heapq.merge(posts, touches, key=lambda i: (i.at, i.kind, i.id)))
    return WeekView(
        monday,
        iso_week(monday),
        strategy.timezone,
        [(s.weekday, s.local_time, s.pillar) for s in strategy.slots],
        strategy.working_days,
        strategy.daily_touch_capacity,
        items,
    )


@dataclass(frozen=True)
class WeekFigures:
    """The counts the Plan header, the grid and `planner plan show` share (one definition each)."""

    posts: int  # scheduled or published in the week; skipped ones are shown struck through, not counted
    open_slots: tuple[tuple[int, str, str], ...]  # (weekday, HH:MM, pillar): no scheduled/published post at that time
    touchpoints: int  # planned or done in the week; skipped ones are shown struck through, not counted
    capacity: int  # touchpoints a working day

    def summary(self) -> str:
        """'3 posts (1 slot open) · 12 touchpoints (capacity 3 a working day)'."""
        return (
            f"{count(self.posts, 'post')} ({count(len(self.open_slots), 'slot')} open) · "
            f"{count(self.touchpoints, 'touchpoint')} (capacity {self.capacity} a working day)"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "open_slots": [list(s) for s in self.open_slots],
            "touchpoints": self.touchpoints,
            "capacity": self.capacity,
        }


def week_figures(view: WeekView) -> WeekFigures:
    """A slot is open when no scheduled or published post sits at its local day and time: a post
    moved off its slot leaves it open, one moved onto another slot fills that one."""
    zone = ZoneInfo(view.timezone)
    held: set[tuple[int, str]] = set()
    posts = touches = 0
    for item in view.items:
        if item.status == PostStatus.SKIPPED.value or item.status == TouchStatus.SKIPPED.value:
            continue
        if item.kind == "post":
            posts += 1
            local = item.at.astimezone(zone)
            held.add((local.weekday(), f"{local:%H:%M}"))
        else:
            touches += 1
    open_slots = tuple(sorted(s for s in view.slots if (s[0], s[1]) not in held))
    return WeekFigures(posts, open_slots, touches, view.capacity)


def move_item(
    session: Session,
    kind: str,
    item_id: int,
    when: datetime,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> str:
    """Move a post or a touchpoint to `when` by hand (it becomes manual: plan_week leaves it there)."""
    now = now or utcnow()
    if kind == "post":
        from planner.services.posts import schedule_post

        view = schedule_post(session, item_id, when, now=now, expected_version=expected_version)
        return f"moved {view.display_title}"
    if kind != "touchpoint":
        raise PlannerError(f"unknown item kind {kind!r}")
    from planner.store.versioning import bump, load_for_edit

    touch = load_for_edit(session, Touchpoint, item_id, expected_version)
    touch.due_at = when.astimezone(UTC)
    touch.manual = True
    bump(touch, now)
    session.add(touch)
    session.flush()
    return f"moved {label(touch.kind)} touchpoint"
