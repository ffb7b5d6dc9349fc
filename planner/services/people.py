"""People: importing connections, listing them, and finding one by id, URL or name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from planner.adapters.linkedin import ConnectionRecord, normalize_profile_url
from planner.errors import PlannerError
from planner.models import (
    Connection,
    ConnectionTag,
    Tag,
    TouchKind,
    Touchpoint,
    TouchStatus,
    utcnow,
)
from planner.services.cadence import tier_cadences
from planner.store.versioning import bump


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    job_changes: list[str] = field(default_factory=list)  # "Priya Shah: SRE Lead at A → Head of SRE at B"

    def as_dict(self) -> dict:
        return asdict(self)


def _name_key(first: str, last: str, company: str) -> tuple[str, str, str]:
    return (first.casefold().strip(), last.casefold().strip(), company.casefold().strip())


def import_connections(
    session: Session, records: list[ConnectionRecord], now: datetime | None = None, source: str = "linkedin"
) -> ImportReport:
    """Add new people, update changed ones; nobody is added twice.

    The key is the profile URL, else name + company. A changed company or position is kept as the
    previous one, and a planned "congratulate" touchpoint is suggested for the job change.
    """
    now = now or utcnow()
    report = ImportReport()
    people = session.exec(select(Connection)).all()
    by_url = {c.profile_url: c for c in people if c.profile_url}
    by_name = {_name_key(c.first_name, c.last_name, c.company): c for c in people}
    seen: set[int] = set()
    for rec in records:
        url = normalize_profile_url(rec.url)
        person = by_url.get(url) if url else None
        if person is None and not url:
            person = by_name.get(_name_key(rec.first_name, rec.last_name, rec.company))
        if person is not None and person.id in seen:
            report.skipped.append(f"line {rec.line}: {rec.first_name} {rec.last_name} appears twice in the file; kept the first")
            continue
        if person is None:
            person = Connection(
                first_name=rec.first_name,
                last_name=rec.last_name,
                profile_url=url,
                email=rec.email,
                company=rec.company,
                position=rec.position,
                connected_on=rec.connected_on,
                source=source,
                created_at=now,
                updated_at=now,
            )
            session.add(person)
            session.flush()
            if url:
                by_url[url] = person
            by_name[_name_key(person.first_name, person.last_name, person.company)] = person
            report.added += 1
            seen.add(person.id)
            continue
        seen.add(person.id)
        changed = False
        if (rec.company, rec.position) != (person.company, person.position) and (rec.company or rec.position):
            old = f"{person.position} at {person.company}".strip()
            new = f"{rec.position} at {rec.company}".strip()
            person.previous_company, person.previous_position = person.company, person.position
            person.company, person.position = rec.company, rec.position
            person.job_changed_at = now
            report.job_changes.append(f"{person.full_name}: {old} → {new}")
            session.add(
                Touchpoint(
                    connection_id=person.id,
                    kind=TouchKind.CONGRATULATE.value,
                    status=TouchStatus.PLANNED.value,
                    due_at=now,
                    note=f"New role: {new} (was {old})",
                    source="import",
                    manual=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            changed = True
        for attr in ("first_name", "last_name", "email", "connected_on"):
            value = getattr(rec, attr)
            if value and value != getattr(person, attr):
                setattr(person, attr, value)
                changed = True
        if changed:
            bump(person, now)
            session.add(person)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report


@dataclass
class PersonRow:
    id: int
    first_name: str
    last_name: str
    company: str
    position: str
    profile_url: str | None
    connected_on: date | None
    tier: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def as_json(self) -> dict:
        d = asdict(self)
        d["connected_on"] = self.connected_on.isoformat() if self.connected_on else None
        return d


def list_people(
    session: Session, tag: str | None = None, search: str | None = None, limit: int | None = None, offset: int = 0,
    include_archived: bool = False,
) -> list[PersonRow]:
    q = select(Connection)
    if not include_archived:
        q = q.where(Connection.archived == False)  # noqa: E712
    if tag:
        q = q.join(ConnectionTag, ConnectionTag.connection_id == Connection.id).join(Tag, Tag.id == ConnectionTag.tag_id)
        q = q.where(func.lower(Tag.name) == tag.lower())
    if search:
        like = f"%{search.lower()}%"
        q = q.where(
            or_(
                func.lower(Connection.first_name + " " + Connection.last_name).like(like),
                func.lower(Connection.company).like(like),
                func.lower(Connection.position).like(like),
            )
        )
    q = q.order_by(func.lower(Connection.last_name), func.lower(Connection.first_name), Connection.id).offset(offset)
    if limit:
        q = q.limit(limit)
    return [
        PersonRow(c.id, c.first_name, c.last_name, c.company, c.position, c.profile_url, c.connected_on, c.tier)
        for c in session.exec(q)
    ]


def resolve_person(session: Session, ref: str) -> Connection:
    """Find one person by id, profile URL or an unambiguous name; ambiguity lists candidates."""
    ref = ref.strip()
    if not ref:
        raise PlannerError("no person given")
    if ref.isdigit():
        person = session.get(Connection, int(ref))
        if person is None:
            raise PlannerError(f"no person with id {ref}")
        return person
    if "linkedin.com" in ref or ref.startswith("http"):
        url = normalize_profile_url(ref)
        person = session.exec(select(Connection).where(Connection.profile_url == url)).first()
        if person is None:
            raise PlannerError(f"no person with profile URL {url}")
        return person
    needle = " ".join(ref.lower().split())
    full = func.lower(Connection.first_name + " " + Connection.last_name)
    exact = session.exec(select(Connection).where(full == needle)).all()
    matches = exact or session.exec(select(Connection).where(full.like(f"%{needle}%")).order_by(Connection.id)).all()
    if not matches:
        raise PlannerError(f"no person matches {ref!r}")
    if len(matches) > 1:
        shown = "; ".join(f"{c.id}: {c.full_name} ({c.company or 'no company'})" for c in matches[:10])
        more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        raise PlannerError(f"{ref!r} matches {len(matches)} people — use an id: {shown}{more}")
    return matches[0]


__all__ = [
    "ImportReport",
    "PersonRow",
    "import_connections",
    "list_people",
    "resolve_person",
]


def get_person(session: Session, connection_id: int) -> Connection:
    """The person with that id, or an error that names the id."""
    person = session.get(Connection, connection_id)
    if person is None:
        raise PlannerError(f"no person with id {connection_id}")
    return person


def valid_tiers(session: Session) -> list[str]:
    return list(tier_cadences(session))


def edit_person(
    session: Session, connection_id: int, now: datetime, *, tier: str | None = None, cadence_days: int | None = None,
    clear_cadence: bool = False, add_tags: list[str] | tuple = (), remove_tags: list[str] | tuple = (),
    notes: str | None = None, expected_version: int | None = None,
) -> Connection:
    """Change a person's tier, cadence override, tags or notes (bumps ``version``)."""
    from planner.store.versioning import bump, load_for_edit

    person = load_for_edit(session, Connection, connection_id, expected_version)
    if tier is not None:
        tier = tier.strip().lower()
        tiers = valid_tiers(session)
        if tier not in tiers:
            raise PlannerError(f"unknown tier {tier!r}: choose one of {', '.join(tiers)}")
        person.tier = tier
    if clear_cadence:
        person.cadence_days = None
    elif cadence_days is not None:
        if cadence_days < 1 or cadence_days > 3650:
            raise PlannerError(f"cadence must be between 1 and 3650 days, got {cadence_days}")
        person.cadence_days = cadence_days
    if notes is not None:
        person.notes = notes
    current = {name.lower(): tid for tid, name in session.exec(
        select(Tag.id, Tag.name).join(ConnectionTag, ConnectionTag.tag_id == Tag.id).where(ConnectionTag.connection_id == person.id)
    )}
    for raw in add_tags:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > 100:
            raise PlannerError(f"tag {name[:20]!r}… is longer than 100 characters")
        if name.lower() in current:
            continue
        tag = session.exec(select(Tag).where(func.lower(Tag.name) == name.lower())).first()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        session.add(ConnectionTag(connection_id=person.id, tag_id=tag.id))
        current[name.lower()] = tag.id
    for raw in remove_tags:
        name = " ".join(raw.split()).lower()
        if name not in current:
            raise PlannerError(f"{person.full_name} has no tag {raw!r}")
        link = session.get(ConnectionTag, (person.id, current.pop(name)))
        if link is not None:
            session.delete(link)
    bump(person, now)
    session.add(person)
    session.flush()
    return person
