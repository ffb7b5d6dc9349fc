"""Touches: log one that happened, plan one for later, accept a suggestion as a planned touch.

Every ask passes the pitch guard (services.ledger) first; a log completes a matching planned touch
instead of duplicating it, and restarts the person's cadence from when it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from planner.errors import ConflictError, PlannerError
from planner.models import Connection, Entry, Event, TouchKind, Touchpoint, TouchStatus, pk
from planner.services import cadence as cadence_service
from planner.services.ledger import AskTooEarly, GuardResult, check_ask, parse_kind
from planner.services.people import get_person
from planner.services.suggestions import suggest_actions


@dataclass
class TouchResult:
    touchpoint_id: int
    kind: str
    status: str
    person: str
    connection_id: int
    guard: GuardResult
    completed_planned: bool = False  # a log that completed an existing planned touch of that kind
    created: bool = True
    next_due_at: datetime | None = None
    lint: dict | None = None  # pitch_score of the message, when one was given


def _check_links(session: Session, entry_id: int | None, event_id: int | None) -> None:
    if entry_id is not None and session.get(Entry, entry_id) is None:
        raise PlannerError(f"no entry with id {entry_id}")
    if event_id is not None and session.get(Event, event_id) is None:
        raise PlannerError(f"no event with id {event_id}")


def _lint(message: str) -> dict | None:
    if not message.strip():
        return None
    from planner.services.pitch import pitch_score

    return pitch_score(message).as_json()


def _guard(session: Session, person: Connection, kind: TouchKind, now: datetime, force: bool) -> GuardResult:
    guard = check_ask(session, pk(person), kind.value, now)
    if not guard.allowed and not force:
        raise AskTooEarly(person.full_name, kind.value, guard)
    return guard


def log_touch(
    session: Session,
    connection_id: int,
    kind: str,
    now: datetime,
    *,
    when: datetime | None = None,
    note: str = "",
    message: str = "",
    entry_id: int | None = None,
    event_id: int | None = None,
    force: bool = False,
) -> TouchResult:
    """Record a contact that happened (``when`` may be in the past: the cadence restarts from it).

    A planned touch of the same kind for this person is completed rather than duplicated. An ask
    that comes too early raises :class:`AskTooEarly` unless ``force``.
    """
    touch_kind = parse_kind(kind)
    person = get_person(session, connection_id)
    when = when or now
    if when.tzinfo is None:
        raise PlannerError("the touch date needs a time zone")
    if when > now + timedelta(minutes=5):
        raise PlannerError(f"{when:%Y-%m-%d} is in the future: plan the touch instead of logging it")
    _check_links(session, entry_id, event_id)
    guard = _guard(session, person, touch_kind, min(now, when), force)
    planned = session.exec(
        select(Touchpoint)
        .where(
            col(Touchpoint.connection_id) == person.id,
            col(Touchpoint.kind) == touch_kind.value,
            col(Touchpoint.status) == TouchStatus.PLANNED.value,
        )
        .order_by(col(Touchpoint.due_at), col(Touchpoint.id))
    ).first()
    if planned is not None:
        from planner.store.versioning import bump, load_for_edit

        # locked like every edit (FOR UPDATE on PostgreSQL): a teammate completing or skipping
        # the same planned touch at the same moment waits, then sees it is no longer planned
        touch = load_for_edit(session, Touchpoint, pk(planned))
        if touch.status != TouchStatus.PLANNED.value:
            raise ConflictError(
                f"touchpoint {touch.id} was marked {touch.status} by someone else just now; run the command again"
            )
        touch.status, touch.done_at = TouchStatus.DONE.value, when
        touch.note = note or touch.note
        touch.message = message or touch.message
        touch.entry_id = entry_id or touch.entry_id
        touch.event_id = event_id or touch.event_id
        bump(touch, now)
    else:
        touch = Touchpoint(
            connection_id=pk(person),
            kind=touch_kind.value,
            status=TouchStatus.DONE.value,
            due_at=when,
            done_at=when,
            note=note,
            message=message,
            entry_id=entry_id,
            event_id=event_id,
            source="manual",
            manual=True,
            created_at=now,
            updated_at=now,
        )
    session.add(touch)
    session.flush()
    due = cadence_service.due_infos(session, now, [pk(person)], include_archived=True)
    return TouchResult(
        pk(touch),
        touch.kind,
        touch.status,
        person.full_name,
        pk(person),
        guard,
        completed_planned=planned is not None,
        next_due_at=due[0].next_due_at if due else None,
        lint=_lint(touch.message),
    )


def plan_touch(
    session: Session,
    connection_id: int,
    kind: str,
    due_at: datetime,
    now: datetime,
    *,
    message: str = "",
    note: str = "",
    entry_id: int | None = None,
    event_id: int | None = None,
    force: bool = False,
    source: str = "manual",
) -> TouchResult:
    """Plan a touch for later. An ask that would come too early raises :class:`AskTooEarly`
    unless ``force`` (the guard is judged as of the planned date)."""
    touch_kind = parse_kind(kind)
    person = get_person(session, connection_id)
    if due_at.tzinfo is None:
        raise PlannerError("the due date needs a time zone")
    _check_links(session, entry_id, event_id)
    guard = _guard(session, person, touch_kind, max(due_at, now), force)
    touch = Touchpoint(
        connection_id=pk(person),
        kind=touch_kind.value,
        status=TouchStatus.PLANNED.value,
        due_at=due_at,
        note=note,
        message=message,
        entry_id=entry_id,
        event_id=event_id,
        source=source,
        manual=True,
        created_at=now,
        updated_at=now,
    )
    session.add(touch)
    session.flush()
    return TouchResult(pk(touch), touch.kind, touch.status, person.full_name, pk(person), guard, lint=_lint(message))


def accept_suggestion(
    session: Session, connection_id: int, now: datetime, due_at: datetime | None = None
) -> TouchResult:
    """Turn the current suggestion for a person into a planned touchpoint (once: accepting the
    same suggestion again returns the touchpoint already planned)."""
    person = get_person(session, connection_id)
    guard = GuardResult(True, [], 0, None)
    pending = session.exec(
        select(Touchpoint)
        .where(
            col(Touchpoint.connection_id) == person.id,
            col(Touchpoint.source) == "suggestion",
            col(Touchpoint.status) == TouchStatus.PLANNED.value,
        )
        .order_by(col(Touchpoint.id))
    ).first()
    if pending is not None:  # one accepted suggestion at a time: pressing the key twice plans nothing twice
        return TouchResult(
            pk(pending), pending.kind, pending.status, person.full_name, pk(person), guard, created=False
        )
    suggestion = suggest_actions(session, [pk(person)], now).get(pk(person))
    if suggestion is None:
        raise PlannerError(f"no suggestion for {person.full_name}")
    existing = session.exec(
        select(Touchpoint)
        .where(
            col(Touchpoint.connection_id) == person.id,
            col(Touchpoint.kind) == suggestion.kind,
            col(Touchpoint.status) == TouchStatus.PLANNED.value,
            col(Touchpoint.entry_id) == suggestion.entry_id
            if suggestion.entry_id
            else col(Touchpoint.entry_id).is_(None),
            col(Touchpoint.event_id) == suggestion.event_id
            if suggestion.event_id
            else col(Touchpoint.event_id).is_(None),
        )
        .order_by(col(Touchpoint.id))
    ).first()
    if existing is not None:
        return TouchResult(
            pk(existing), existing.kind, existing.status, person.full_name, pk(person), guard, created=False
        )
    if due_at is None:  # the next free working-hours time within the daily capacity, not this minute
        from planner.services.slots import next_touch_slot

        due_at = next_touch_slot(session, now)
    result = plan_touch(
        session,
        pk(person),
        suggestion.kind,
        due_at,
        now,
        message=suggestion.message,
        note=suggestion.reason,
        entry_id=suggestion.entry_id,
        event_id=suggestion.event_id,
        source="suggestion",
    )
    return result
