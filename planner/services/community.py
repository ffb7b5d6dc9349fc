"""Groups the user engages in (with a cadence) and virtual events (hosting or attending).

They feed the group_engagement and virtual_event pillars (plan_week proposes posts for a group
that is due and for an upcoming event) and invite_to_event touchpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import CommunityGroup, Event, EventRole, pk, utcnow


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    url: str | None
    platform: str
    cadence_days: int
    notes: str
    last_engaged_at: datetime | None
    next_due_at: datetime | None  # None: never engaged, due now


@dataclass(frozen=True)
class EventView:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    url: str | None
    role: str
    notes: str


def _group_view(g: CommunityGroup) -> GroupView:
    due = g.last_engaged_at + timedelta(days=g.cadence_days) if g.last_engaged_at else None
    return GroupView(pk(g), g.name, g.url, g.platform, g.cadence_days, g.notes, g.last_engaged_at, due)


def _event_view(e: Event) -> EventView:
    return EventView(pk(e), e.title, e.starts_at, e.ends_at, e.url, e.role, e.notes)


def _check_url(url: str | None, where: str) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise PlannerError(f"{where}: {url!r} is not an http(s) link")
    return url


def _check_cadence(days: int) -> int:
    if not 1 <= days <= 3650:
        raise PlannerError(f"group cadence must be 1–3650 days, got {days}")
    return days


# --- groups -------------------------------------------------------------------------------------


def list_groups(session: Session) -> list[GroupView]:
    return [
        _group_view(g)
        for g in session.exec(select(CommunityGroup).order_by(col(CommunityGroup.name), col(CommunityGroup.id)))
    ]


def resolve_group(session: Session, ref: str | int) -> CommunityGroup:
    ref = str(ref).strip()
    group = session.get(CommunityGroup, int(ref)) if ref.isdigit() else None
    if group is None:
        group = session.exec(select(CommunityGroup).where(col(CommunityGroup.name) == ref)).first()
    if group is None:
        raise PlannerError(f"no group {ref!r} (give its id or exact name)")
    return group


def add_group(
    session: Session,
    name: str,
    url: str | None = None,
    platform: str = "",
    cadence_days: int = 7,
    notes: str = "",
    now: datetime | None = None,
) -> GroupView:
    name = name.strip()
    if not name:
        raise PlannerError("a group needs a name")
    if session.exec(select(CommunityGroup).where(col(CommunityGroup.name) == name)).first():
        raise PlannerError(f"there is already a group named {name!r}")
    group = CommunityGroup(
        name=name,
        url=_check_url(url, "group url"),
        platform=platform,
        cadence_days=_check_cadence(cadence_days),
        notes=notes,
        created_at=now or utcnow(),
    )
    session.add(group)
    session.flush()
    return _group_view(group)


def edit_group(session: Session, ref: str | int, **changes) -> GroupView:
    group = resolve_group(session, ref)
    for name, value in changes.items():
        if value is None:
            continue
        if name == "url":
            value = _check_url(value, "group url")
        elif name == "cadence_days":
            value = _check_cadence(value)
        elif name == "name":
            value = value.strip()
            other = session.exec(select(CommunityGroup).where(col(CommunityGroup.name) == value)).first()
            if not value or (other and other.id != group.id):
                raise PlannerError(f"group name {value!r} is empty or taken")
        elif name not in ("platform", "notes"):
            raise PlannerError(f"cannot edit {name} of a group")
        setattr(group, name, value)
    session.add(group)
    session.flush()
    return _group_view(group)


def engaged(session: Session, ref: str | int, now: datetime) -> GroupView:
    """Record that the user took part in the group now (resets its cadence)."""
    group = resolve_group(session, ref)
    group.last_engaged_at = now
    session.add(group)
    session.flush()
    return _group_view(group)


def remove_group(session: Session, ref: str | int) -> str:
    group = resolve_group(session, ref)
    session.delete(group)
    session.flush()
    return group.name


def groups_due(session: Session, when: datetime) -> list[GroupView]:
    """Groups whose cadence has run out by `when` (never engaged first), then by name."""
    due = [g for g in list_groups(session) if g.next_due_at is None or g.next_due_at <= when]
    return sorted(due, key=lambda g: (g.next_due_at is not None, g.next_due_at or when, g.name, g.id))


# --- events -------------------------------------------------------------------------------------


def parse_role(value: str) -> str:
    key = value.strip().lower()
    if key not in EventRole._value2member_map_:
        raise PlannerError(f"unknown event role {value!r} (expected hosting or attending)")
    return key


def list_events(session: Session, since: datetime | None = None, until: datetime | None = None) -> list[EventView]:
    q = select(Event)
    if since is not None:
        q = q.where(col(Event.starts_at) >= since)
    if until is not None:
        q = q.where(col(Event.starts_at) < until)
    return [_event_view(e) for e in session.exec(q.order_by(col(Event.starts_at), col(Event.id)))]


def resolve_event(session: Session, ref: str | int) -> Event:
    ref = str(ref).strip()
    event = session.get(Event, int(ref)) if ref.isdigit() else None
    if event is None:
        event = session.exec(select(Event).where(col(Event.title) == ref).order_by(col(Event.starts_at).desc())).first()
    if event is None:
        raise PlannerError(f"no event {ref!r} (give its id or exact title)")
    return event


def add_event(
    session: Session,
    title: str,
    starts_at: datetime,
    *,
    ends_at: datetime | None = None,
    duration_minutes: int | None = 60,
    url: str | None = None,
    role: str = EventRole.ATTENDING.value,
    notes: str = "",
    now: datetime | None = None,
) -> EventView:
    title = title.strip()
    if not title:
        raise PlannerError("an event needs a title")
    if starts_at.tzinfo is None:
        raise PlannerError("the event start needs a time zone")
    if ends_at is None and duration_minutes:
        if duration_minutes <= 0:
            raise PlannerError(f"event duration must be positive, got {duration_minutes} minutes")
        ends_at = starts_at + timedelta(minutes=duration_minutes)
    if ends_at is not None and ends_at <= starts_at:
        raise PlannerError("an event must end after it starts")
    event = Event(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        url=_check_url(url, "event url"),
        role=parse_role(role),
        notes=notes,
        created_at=now or utcnow(),
    )
    session.add(event)
    session.flush()
    return _event_view(event)


def edit_event(session: Session, ref: str | int, **changes) -> EventView:
    event = resolve_event(session, ref)
    if changes.get("starts_at") is not None and changes.get("ends_at") is None and event.ends_at is not None:
        changes["ends_at"] = changes["starts_at"] + (event.ends_at - event.starts_at)  # keep the duration
    for name, value in changes.items():
        if value is None:
            continue
        if name == "url":
            value = _check_url(value, "event url")
        elif name == "role":
            value = parse_role(value)
        elif name == "title":
            value = value.strip()
            if not value:
                raise PlannerError("an event needs a title")
        elif name not in ("starts_at", "ends_at", "notes"):
            raise PlannerError(f"cannot edit {name} of an event")
        setattr(event, name, value)
    if event.ends_at is not None and event.ends_at <= event.starts_at:
        raise PlannerError("an event must end after it starts")
    session.add(event)
    session.flush()
    return _event_view(event)


def remove_event(session: Session, ref: str | int) -> str:
    event = resolve_event(session, ref)
    session.delete(event)
    session.flush()
    return event.title
