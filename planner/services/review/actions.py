"""What the review does: mark a missed item as happened, carry it forward, drop it, save the review
(and finish it: save it with the counts the week is judged on)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.jsonout import plain
from planner.models import (
    Post,
    PostStatus,
    Review,
    Touchpoint,
    TouchStatus,
)
from planner.services.review.facts import _check_monday, _strategy
from planner.services.review.history import _week_counts
from planner.services.review.model import (
    SavedReview,
)
from planner.services.timeutil import (
    iso_week,
    parse_iso_week,
)
from planner.store.reader import utc_value
from planner.text import label


def _missed_row(session: Session, kind: str, item_id: int, now: datetime, expected_version: int | None):
    from planner.store.versioning import load_for_edit

    models: dict[str, type[Post | Touchpoint]] = {"post": Post, "touchpoint": Touchpoint}
    model = models.get(kind)
    if model is None:
        raise PlannerError(f"unknown item kind {kind!r} (expected post or touchpoint)")
    row = load_for_edit(session, model, item_id, expected_version)
    open_status = PostStatus.SCHEDULED.value if kind == "post" else TouchStatus.PLANNED.value
    if row.status != open_status:
        raise PlannerError(
            f"{kind} {item_id} is {row.status}: only a missed (still {open_status}) item can be changed here"
        )
    return row


def mark_happened(session: Session, kind: str, item_id: int, now: datetime, expected_version: int | None = None) -> str:
    """A missed item did happen, at its planned time: the post becomes published, the touchpoint
    done (dated when it was due, so the week and the cadence see it where it happened)."""
    from planner.store.versioning import bump

    row = _missed_row(session, kind, item_id, now, expected_version)
    if kind == "post":
        row.status = PostStatus.PUBLISHED.value
        row.published_at = min(utc_value(row.scheduled_at) or now, now)
        what = row.title or f"post {item_id}"
        verdict = "published"
    else:
        row.status = TouchStatus.DONE.value
        row.done_at = min(utc_value(row.due_at) or now, now)
        what = f"{label(row.kind)} touchpoint"
        verdict = "done"
    bump(row, now)
    session.add(row)
    session.flush()
    return f"{what}: {verdict}"


def carry_forward(
    session: Session,
    kind: str,
    item_id: int,
    to: datetime,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> str:
    """Move a missed post or touchpoint to `to` (placed by hand: planning leaves it there)."""
    from planner.models import utcnow
    from planner.services.week import move_item

    now = now or utcnow()
    if to.tzinfo is None:
        raise PlannerError("the new time needs a time zone")
    row = _missed_row(session, kind, item_id, now, expected_version)
    message = move_item(session, kind, item_id, to, now, expected_version=row.version)
    return f"{message} to {to:%Y-%m-%d %H:%M} UTC"


def drop_item(
    session: Session, kind: str, item_id: int, now: datetime | None = None, expected_version: int | None = None
) -> str:
    """A missed item will not happen: mark it skipped (kept in the history, off the plan)."""
    from planner.models import utcnow
    from planner.store.versioning import bump

    now = now or utcnow()
    row = _missed_row(session, kind, item_id, now, expected_version)
    row.status = PostStatus.SKIPPED.value if kind == "post" else TouchStatus.SKIPPED.value
    bump(row, now)
    session.add(row)
    session.flush()
    what = (row.title or f"post {item_id}") if kind == "post" else f"{label(row.kind)} touchpoint"
    return f"{what}: dropped"


def carry_target(item_at: datetime, now: datetime, zone: ZoneInfo) -> datetime:
    """Where a missed item goes by default: the same weekday and local time a week later; when
    that has passed already, the next weekday (Mon–Fri) at that time that is still ahead of `now`."""
    # wall-clock arithmetic: 09:00 stays 09:00 across a DST change
    wall = item_at.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=1)
    while wall.replace(tzinfo=zone) <= now or (
        wall.date() > item_at.astimezone(zone).date() + timedelta(weeks=1) and wall.weekday() >= 5
    ):
        wall += timedelta(days=1)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def save_review(session: Session, week: str, decisions: dict, now: datetime) -> SavedReview:
    """Record the review of `week` as done, with the decisions made (JSON, sorted keys). Saving
    again replaces the decisions and the completion time."""
    parse_iso_week(week)  # names the bad value
    week = week.upper()
    if not isinstance(decisions, dict):
        raise PlannerError(f"review decisions must be a mapping, got {type(decisions).__name__}")
    try:
        text = json.dumps(plain(decisions, utc=True), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise PlannerError(f"review decisions for {week} cannot be saved as JSON: {exc}") from None
    row = session.exec(select(Review).where(col(Review.week) == week)).first()
    if row is None:
        row = Review(week=week, created_at=now)
    row.completed_at = now
    row.decisions = text
    session.add(row)
    session.flush()
    return SavedReview(utc_value(row.completed_at), json.loads(text))


def finish_review(session: Session, week_monday: date, decisions: dict, now: datetime) -> SavedReview:
    """Save the review of the week starting on `week_monday` with the decisions made (a kind with
    none is left out) and the counts the week is judged on from now on (``decisions["kept"]``, see
    the package docstring): the week as it stands, where an item carried out of it still counts as
    planned there and not done, which it was."""
    _check_monday(week_monday)
    zone, _mix = _strategy(session)
    kept = _week_counts(session, week_monday, 1, zone)[0].counts()
    for kind, *_ in decisions.get("carried", ()):
        kept["posts_planned" if kind == "post" else "touches_planned"] += 1
    made = {what: entries for what, entries in decisions.items() if entries}
    return save_review(session, iso_week(week_monday), {**made, "kept": kept}, now)
