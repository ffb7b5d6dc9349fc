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
from planner.store.versioning import bump
from planner.text import count


# how a row of an import found its person, in report order
MATCH_URL, MATCH_NAME, MATCH_NEW = "url", "name + company", "new"


@dataclass
class RowMatch:
    line: int
    name: str
    matched_by: str  # MATCH_URL, MATCH_NAME or MATCH_NEW
    person_id: int
    url_filled: bool = False  # matched by name: the row's profile URL was stored on the person


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    job_changes: list[str] = field(default_factory=list)  # "Priya Shah: SRE Lead at A → Head of SRE at B"
    rows: list[RowMatch] = field(default_factory=list)

    def matched(self) -> dict[str, int]:
        """{"url": n, "name + company": m, "new": k}: how the imported rows found their people."""
        counts = {MATCH_URL: 0, MATCH_NAME: 0, MATCH_NEW: 0}
        for row in self.rows:
            counts[row.matched_by] += 1
        return counts

    def urls_filled(self) -> int:
        return sum(row.url_filled for row in self.rows)

    def match_line(self) -> str:
        """One line for people: "matched 990 by profile URL, 10 by name + company (URL filled in), 3 new"."""
        m = self.matched()
        filled = self.urls_filled()
        return (f"matched {m[MATCH_URL]} by profile URL, {m[MATCH_NAME]} by name + company"
                + (f" ({count(filled, 'profile URL')} filled in)" if filled else "") + f", {m[MATCH_NEW]} new")

    def as_dict(self) -> dict:
        return {**asdict(self), "matched": self.matched()}


def _name_key(first: str, last: str, company: str) -> tuple[str, str, str]:
    return (first.casefold().strip(), last.casefold().strip(), company.casefold().strip())


def _same_person_by_name(rec: ConnectionRecord, url: str | None, candidates: list[Connection]) -> Connection | None:
    """The stored person a row without a URL match is, by name + company (+ connected-on): one whose
    URL is unknown or is the row's own, and whose connected-on date, when both are known, agrees."""
    fits = [c for c in candidates
            if (not url or not c.profile_url or c.profile_url == url)
            and (rec.connected_on is None or c.connected_on is None or c.connected_on == rec.connected_on)]
    exact = [c for c in fits if rec.connected_on is not None and c.connected_on == rec.connected_on]
    return (exact or fits or [None])[0]


def import_connections(
    session: Session, records: list[ConnectionRecord], now: datetime | None = None, source: str = "linkedin"
) -> ImportReport:
    """Add new people, update changed ones; nobody is added twice.

    A row is matched by its profile URL, else by name + company (+ connected-on when both dates are
    known) to a person without a URL, whose URL is then filled in: an older export lacked the URL
    column, a newer one has it. The report says how each row matched. A changed company or
    position is kept as the previous one, and a planned "congratulate" touchpoint is suggested for
    the job change.
    """
    now = now or utcnow()
    report = ImportReport()
    people = session.exec(select(Connection).order_by(Connection.id)).all()
    by_url = {c.profile_url: c for c in people if c.profile_url}
    by_name: dict[tuple[str, str, str], list[Connection]] = {}
    for c in people:
        by_name.setdefault(_name_key(c.first_name, c.last_name, c.company), []).append(c)
    seen: set[int] = set()
    for rec in records:
        url = normalize_profile_url(rec.url)
        person = by_url.get(url) if url else None
        matched_by = MATCH_URL
        if person is None:
            person = _same_person_by_name(rec, url, by_name.get(_name_key(rec.first_name, rec.last_name, rec.company), []))
            matched_by = MATCH_NAME
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
            by_name.setdefault(_name_key(person.first_name, person.last_name, person.company), []).append(person)
            report.added += 1
            seen.add(person.id)
            report.rows.append(RowMatch(rec.line, person.full_name, MATCH_NEW, person.id))
            continue
        match = RowMatch(rec.line, person.full_name, matched_by, person.id)
        report.rows.append(match)
        seen.add(person.id)
        changed = False
        if url and not person.profile_url:
            person.profile_url = url
            by_url[url] = person
            match.url_filled = changed = True
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
    "RowMatch",
    "PersonRow",
    "import_connections",
    "list_people",
    "resolve_person",
]
