"""Reminders for cron (`planner notify`): the items whose time came since the last run, each once.

An item is new when it is still to do (a scheduled post, a planned touchpoint), its time has come
(``due <= now``) and it was not notified at that time before; of those, only the ones that became
due since the last run, or were changed since (created or moved into the past), count. The first
run looks back to the start of the local day, so installing the cron job does not replay weeks of
overdue items. An item moved to a new time is notified again at that time.

A run claims its items (one ``Notification`` row each) before the notify command runs, so two runs
at once do not both hand out the same item; an item whose command failed is released again and
the cursor stays where it was, so the next run retries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from planner.enums import PostStatus, TouchStatus
from planner.models import Connection, Notification, NotifyRun, Post, Touchpoint, pk
from planner.services.timeutil import local_day_bounds
from planner.text import label

TODAY_SECTION = ("today", "1")  # where a due item is marked done: the TUI's Today, key 1


@dataclass(frozen=True)
class Notice:
    """One item to remind of, as plain data (what the notify command receives)."""

    kind: str  # "post" | "touchpoint"
    id: int
    due_at: datetime  # UTC
    title: str
    person: str  # "" for a post
    action: str  # "share content", "post"
    send: str  # what to send: the touchpoint's message (else its note), the post's body
    note: str

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.id}@planner"  # the calendar exports' UID (adapters.export)

    def message(self, tz: ZoneInfo) -> str:
        """One line naming the person and the action: "Priya Shah: share content (due 10:00) — …"."""
        when = _when(self.due_at, tz)
        gist = " ".join(self.send.split())
        if len(gist) > 100:
            gist = gist[:99].rstrip() + "…"
        if self.kind == "touchpoint":
            head = f"{self.person or 'someone'}: {self.action} (due {when})"
        else:
            head = f"Post due {when}: {self.title}"
        return f"{head} — {gist}" if gist else head

    def as_json(self, tz: ZoneInfo) -> dict:
        section, key = TODAY_SECTION
        return {
            "kind": self.kind,
            "id": self.id,
            "uid": self.uid,
            "title": self.title,
            "person": self.person,
            "action": self.action,
            "send": self.send,
            "note": self.note,
            "when": self.due_at.astimezone(tz).isoformat(),
            "when_utc": self.due_at.isoformat(),
            "section": section,
            "section_key": key,
            "message": self.message(tz),
        }

    def environment(self, tz: ZoneInfo) -> dict[str, str]:
        """``PLANNER_TITLE``, ``PLANNER_PERSON``, ``PLANNER_SEND``, ``PLANNER_WHEN``, ``PLANNER_SECTION_KEY``, …"""
        data = self.as_json(tz)
        return {f"PLANNER_{key.upper()}": str(value) for key, value in data.items()}


def _when(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %H:%M")


def new_notices(session: Session, now: datetime, tz: ZoneInfo) -> list[Notice]:
    """The items that became due (or changed) since the last run and were not notified at their time."""
    run = session.exec(select(NotifyRun).order_by(col(NotifyRun.id))).first()
    if run is None:  # the first run: what became due today (local), not weeks of overdue items
        since = local_day_bounds(now, tz)[0]
        post_new, touch_new = col(Post.scheduled_at) >= since, col(Touchpoint.due_at) >= since
    else:
        since = run.last_run_at
        post_new = or_(col(Post.scheduled_at) > since, col(Post.updated_at) > since)
        touch_new = or_(col(Touchpoint.due_at) > since, col(Touchpoint.updated_at) > since)
    notices: list[Notice] = []
    posts = session.exec(
        select(Post).where(col(Post.status) == PostStatus.SCHEDULED.value, col(Post.scheduled_at) <= now, post_new)
    )
    for p in posts:
        assert p.scheduled_at is not None  # the query compared it with now
        notices.append(
            Notice("post", pk(p), p.scheduled_at, p.title or f"{label(p.pillar)} post", "", "post", p.body, "")
        )
    touches = session.exec(
        select(Touchpoint, Connection)
        .join(Connection, col(Connection.id) == col(Touchpoint.connection_id))
        .where(col(Touchpoint.status) == TouchStatus.PLANNED.value, col(Touchpoint.due_at) <= now, touch_new)
    )
    for t, c in touches:
        assert t.due_at is not None  # the query compared it with now
        action = label(t.kind)
        person = c.full_name
        notices.append(
            Notice(
                "touchpoint",
                pk(t),
                t.due_at,
                f"{action.capitalize()} · {person}",
                person,
                action,
                t.message.strip() or t.note.strip(),
                t.note.strip(),
            )
        )
    notified = _notified(session, notices)
    fresh = [n for n in notices if (n.kind, n.id, n.due_at) not in notified]
    fresh.sort(key=lambda n: (n.due_at, n.kind, n.id))
    return fresh


def _notified(session: Session, notices: list[Notice]) -> set[tuple[str, int, datetime]]:
    """Which of these (kind, id, due time) were handed out before."""
    seen: set[tuple[str, int, datetime]] = set()
    for kind in ("post", "touchpoint"):
        ids = sorted({n.id for n in notices if n.kind == kind})
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            rows = session.exec(
                select(Notification).where(col(Notification.kind) == kind, col(Notification.item_id).in_(chunk))
            )
            seen.update((r.kind, r.item_id, r.due_at) for r in rows)
    return seen


def claim(session: Session, now: datetime, tz: ZoneInfo) -> list[Notice]:
    """The new notices, each recorded as notified (claimed) in the same transaction."""
    notices = new_notices(session, now, tz)
    for n in notices:
        session.add(Notification(kind=n.kind, item_id=n.id, due_at=n.due_at, notified_at=now))
    session.flush()
    return notices


CLAIM_ATTEMPTS = 3


def claim_new(store, now: datetime, tz: ZoneInfo) -> list[Notice]:
    """``claim`` in its own transaction, tried again when another run claimed some of the same
    items at the same instant: on PostgreSQL both read before either commits, and the second's
    claims then meet the first's in the unique index (on SQLite the second waits for the write
    lock and reads the first's claims). The retry reads them, so each item is handed out once."""
    from sqlalchemy.exc import IntegrityError

    for attempt in range(CLAIM_ATTEMPTS):
        try:
            with store.transaction() as session:
                return claim(session, now, tz)
        except IntegrityError:
            if attempt == CLAIM_ATTEMPTS - 1:
                raise
    return []


def release(session: Session, failed: list[Notice]) -> None:
    """Forget the claims of notices whose command failed, so the next run hands them out again."""
    for n in failed:
        session.exec(
            delete(Notification).where(
                col(Notification.kind) == n.kind,
                col(Notification.item_id) == n.id,
                col(Notification.due_at) == n.due_at,
            )
        )


def finish_run(session: Session, now: datetime) -> None:
    """Move the cursor: the next run counts what becomes due (or changes) after ``now``."""
    run = session.exec(select(NotifyRun).order_by(col(NotifyRun.id))).first()
    if run is None:
        session.add(NotifyRun(last_run_at=now))
    elif run.last_run_at < now:
        run.last_run_at = now
        session.add(run)
    session.flush()
