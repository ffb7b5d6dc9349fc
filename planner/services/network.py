"""The network read model: one person in full, and the paged, filtered list of everyone.

What a person is owed and what to send them are elsewhere (services.ledger for give:ask and the
pitch guard, services.suggestions for the next value-first act, services.touches for logging and
planning); this module puts them together for the Network screen and `planner people`.
All reads are batched (one grouped query per fact for any number of people).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.jsonout import plain
from planner.models import ASK_KINDS, Connection, ConnectionTag, Entry, Event, Tag, Touchpoint, pk
from planner.services import cadence as cadence_service
from planner.services.cadence import DueInfo, rows_for_people
from planner.services.ledger import Ledger, guard_settings, ledgers
from planner.services.people import get_person
from planner.services.suggestions import Suggestion, suggest_actions, tags_by_person


@dataclass
class TouchView:
    id: int
    kind: str
    status: str
    due_at: datetime | None
    done_at: datetime | None
    note: str
    message: str
    entry_id: int | None
    event_id: int | None
    entry_title: str | None
    event_title: str | None
    source: str
    version: int

    @classmethod
    def of(cls, t: Touchpoint, entry_title: str | None, event_title: str | None) -> TouchView:
        """A stored touchpoint with the titles of what it links to."""
        return cls(
            pk(t),
            t.kind,
            t.status,
            t.due_at,
            t.done_at,
            t.note,
            t.message,
            t.entry_id,
            t.event_id,
            entry_title,
            event_title,
            t.source,
            t.version,
        )

    @property
    def is_ask(self) -> bool:
        return self.kind in ASK_KINDS

    @property
    def when(self) -> datetime | None:
        return self.done_at or self.due_at

    def as_json(self) -> dict:
        d = asdict(self)
        for k in ("due_at", "done_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


@dataclass
class PersonDetail:
    id: int
    name: str
    first_name: str
    last_name: str
    headline: str
    position: str
    company: str
    previous_position: str | None
    previous_company: str | None
    job_changed_at: datetime | None
    profile_url: str | None
    email: str | None
    connected_on: date | None
    tier: str
    tags: list[str]
    notes: str
    version: int
    due: DueInfo
    ledger: Ledger
    touchpoints: list[TouchView]
    suggestion: Suggestion | None
    guard_min_gives: int
    guard_min_days: int

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "headline": self.headline,
            "position": self.position,
            "company": self.company,
            "previous_position": self.previous_position,
            "previous_company": self.previous_company,
            "job_changed_at": self.job_changed_at.isoformat() if self.job_changed_at else None,
            "profile_url": self.profile_url,
            "email": self.email,
            "connected_on": self.connected_on.isoformat() if self.connected_on else None,
            "tier": self.tier,
            "tags": self.tags,
            "notes": self.notes,
            "version": self.version,
            "cadence_days": self.due.cadence_days,
            "cadence_source": self.due.cadence_source,
            "last_contact_at": self.due.last_contact_at.isoformat() if self.due.last_contact_at else None,
            "next_due_at": self.due.next_due_at.isoformat(),
            "status": self.due.marker or "ok",
            "overdue_days": round(self.due.overdue_days, 2),
            "ledger": self.ledger.as_json(),
            "touchpoints": [t.as_json() for t in self.touchpoints],
            "suggestion": plain(self.suggestion),
            "pitch_guard": {"min_gives": self.guard_min_gives, "min_days": self.guard_min_days},
        }


@dataclass(frozen=True)
class TouchDetail:
    """One touchpoint with who it is for: what Enter opens on Today and Plan."""

    touch: TouchView
    person_id: int
    person: str
    role: str  # "position at company"
    entry_link: str | None


def touch_detail(session: Session, touch_id: int) -> TouchDetail:
    row = session.exec(
        select(Touchpoint, col(Entry.title), col(Entry.link), col(Event.title))
        .outerjoin(Entry, col(Entry.id) == col(Touchpoint.entry_id))
        .outerjoin(Event, col(Event.id) == col(Touchpoint.event_id))
        .where(col(Touchpoint.id) == touch_id)
    ).first()
    if row is None:
        raise PlannerError(f"no touchpoint with id {touch_id}")
    t, etitle, elink, evtitle = row
    person = get_person(session, t.connection_id)
    view = TouchView.of(t, etitle, evtitle)
    role = " at ".join(p for p in (person.position, person.company) if p)
    return TouchDetail(view, pk(person), person.full_name, role, elink)


def person_detail(session: Session, connection_id: int, now: datetime) -> PersonDetail:
    person = get_person(session, connection_id)
    due = cadence_service.due_infos(session, now, [pk(person)], include_archived=True)[0]
    ledger = ledgers(session, [pk(person)], now)[pk(person)]
    rows = session.exec(
        select(Touchpoint, col(Entry.title), col(Event.title))
        .outerjoin(Entry, col(Entry.id) == col(Touchpoint.entry_id))
        .outerjoin(Event, col(Event.id) == col(Touchpoint.event_id))
        .where(col(Touchpoint.connection_id) == person.id)
    ).all()
    touches = [TouchView.of(t, etitle, evtitle) for t, etitle, evtitle in rows]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    touches.sort(key=lambda t: (t.when or epoch, t.id), reverse=True)
    min_gives, min_days = guard_settings(session)
    return PersonDetail(
        id=pk(person),
        name=person.full_name,
        first_name=person.first_name,
        last_name=person.last_name,
        headline=person.headline,
        position=person.position,
        company=person.company,
        previous_position=person.previous_position,
        previous_company=person.previous_company,
        job_changed_at=person.job_changed_at,
        profile_url=person.profile_url,
        email=person.email,
        connected_on=person.connected_on,
        tier=person.tier,
        tags=tags_by_person(session, [pk(person)]).get(pk(person), []),
        notes=person.notes,
        version=person.version,
        due=due,
        ledger=ledger,
        touchpoints=touches,
        suggestion=suggest_actions(session, [pk(person)], now).get(pk(person)),
        guard_min_gives=min_gives,
        guard_min_days=min_days,
    )


@dataclass
class NetworkRow:
    id: int
    name: str
    company: str
    position: str
    tier: str
    tags: list[str]
    due: DueInfo
    ledger: Ledger
    first_name: str = ""
    last_name: str = ""
    profile_url: str | None = None
    connected_on: date | None = None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "position": self.position,
            "profile_url": self.profile_url,
            "connected_on": self.connected_on.isoformat() if self.connected_on else None,
            "tier": self.tier,
            "tags": self.tags,
            **{k: v for k, v in self.due.as_json().items() if k not in ("connection_id", "name", "tier")},
            "ledger": self.ledger.as_json(),
        }


@dataclass
class NetworkPage:
    rows: list[NetworkRow] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int | None = None


def _filtered_ids(session: Session, search: str | None, tag: str | None, order_by_name: bool):
    q = select(col(Connection.id)).where(col(Connection.archived) == False)
    if tag:
        q = q.join(ConnectionTag, col(ConnectionTag.connection_id) == col(Connection.id)).join(
            Tag, col(Tag.id) == col(ConnectionTag.tag_id)
        )
        q = q.where(func.lower(col(Tag.name)) == tag.strip().lower())
    if search:
        like = f"%{search.strip().lower()}%"
        q = q.where(
            or_(
                func.lower(col(Connection.first_name) + " " + col(Connection.last_name)).like(like),
                func.lower(col(Connection.company)).like(like),
                func.lower(col(Connection.position)).like(like),
                func.lower(col(Connection.headline)).like(like),
            )
        )
    if order_by_name:
        q = q.order_by(
            func.lower(col(Connection.last_name)), func.lower(col(Connection.first_name)), col(Connection.id)
        )
    return q


def network_page(
    session: Session,
    now: datetime,
    *,
    search: str | None = None,
    tag: str | None = None,
    only: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> NetworkPage:
    """A page of people with cadence and ledger. ``only`` = "due" (due or overdue) or "cold"
    (``DueInfo.is_cold``, as cadence.going_cold), both ranked most overdue first; otherwise by name. Queries are per page, not
    per person; the due/cold filters compute cadence for the matching people set-wise."""
    if only not in (None, "due", "cold"):
        raise PlannerError(f"unknown filter {only!r}: use due or cold")
    if only is None:
        q = _filtered_ids(session, search, tag, order_by_name=True)
        total = session.exec(select(func.count()).select_from(q.order_by(None).subquery())).one()
        if limit:
            q = q.limit(limit)
        ids = list(session.exec(q.offset(offset)))
        books = ledgers(session, ids, now)
        # a ledger's last give or ask is the last contact: one pass over the touchpoints, not two
        contacts = {
            cid: max(t for t in (b.last_give_at, b.last_ask_at) if t)
            for cid, b in books.items()
            if b.last_give_at or b.last_ask_at
        }
        dues = {d.connection_id: d for d in cadence_service.due_infos(session, now, ids, contacts=contacts)}
    else:
        if search or tag:
            ids_all = list(session.exec(_filtered_ids(session, search, tag, order_by_name=False)))
            infos = cadence_service.due_infos(session, now, ids_all)
        else:
            infos = cadence_service.due_infos(session, now)
        keep = [d for d in infos if (d.is_due if only == "due" else d.is_cold)]
        keep.sort(key=lambda d: (-d.overdue_ratio, d.connection_id))
        total = len(keep)
        keep = keep[offset : offset + limit] if limit else keep[offset:]
        ids = [d.connection_id for d in keep]
        dues = {d.connection_id: d for d in keep}
        books = ledgers(session, ids, now)
    wanted = set(ids)
    q = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
        col(Connection.id),
        col(Connection.company),
        col(Connection.position),
        col(Connection.first_name),
        col(Connection.last_name),
        col(Connection.profile_url),
        col(Connection.connected_on),
    )
    people = {row[0]: row for row in rows_for_people(session, q, col(Connection.id), sorted(wanted))}
    tags = tags_by_person(session, ids)
    rows = [
        NetworkRow(
            cid,
            dues[cid].name,
            people[cid][1],
            people[cid][2],
            dues[cid].tier,
            tags.get(cid, []),
            dues[cid],
            books.get(cid, Ledger()),
            *people[cid][3:],
        )
        for cid in ids
        if cid in dues and cid in people
    ]
    return NetworkPage(rows=rows, total=total, offset=offset, limit=limit)


def tag_names(session: Session) -> list[str]:
    return list(session.exec(select(col(Tag.name)).order_by(func.lower(col(Tag.name)))))
