"""People: importing connections, listing them, and finding one by id, URL or name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from planner.adapters.linkedin import ConnectionRecord, normalize_profile_url
from planner.errors import PlannerError
from planner.models import (
    Connection,
    ConnectionTag,
    Tag,
    TouchKind,
    Touchpoint,
    TouchStatus,
    pk,
    utcnow,
)
from planner.services.cadence import tier_cadences
from planner.store.journal import BatchUndo, run_journaled
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
        return (
            f"matched {m[MATCH_URL]} by profile URL, {m[MATCH_NAME]} by name + company"
            + (f" ({count(filled, 'profile URL')} filled in)" if filled else "")
            + f", {m[MATCH_NEW]} new"
        )

    def as_json(self) -> dict:
        return {**asdict(self), "matched": self.matched()}


def _name_key(first: str, last: str, company: str) -> tuple[str, str, str]:
    return (first.casefold().strip(), last.casefold().strip(), company.casefold().strip())


@dataclass
class _Known:
    """What an import knows of a stored person, kept across its batches (sessions)."""

    id: int
    url: str | None
    connected_on: date | None


@dataclass
class PeopleIndex:
    """Stored people by profile URL and by name + company: loaded once per import, kept current
    by it, so that a batched import does not read every person again for each batch."""

    by_url: dict[str, _Known] = field(default_factory=dict)
    by_name: dict[tuple[str, str, str], list[_Known]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> PeopleIndex:
        index = cls()
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
                col(Connection.id),
                col(Connection.profile_url),
                col(Connection.connected_on),
                col(Connection.first_name),
                col(Connection.last_name),
                col(Connection.company),
            ).order_by(col(Connection.id))
        )
        for pid, url, connected_on, first, last, company in rows:
            index.add(_Known(pid, url, connected_on), _name_key(first, last, company))
        return index

    def add(self, known: _Known, key: tuple[str, str, str]) -> None:
        if known.url:
            self.by_url[known.url] = known
        self.by_name.setdefault(key, []).append(known)

    def find(self, rec: ConnectionRecord, url: str | None) -> tuple[_Known | None, str]:
        known = self.by_url.get(url) if url else None
        if known is not None:
            return known, MATCH_URL
        return _same_person_by_name(
            rec, url, self.by_name.get(_name_key(rec.first_name, rec.last_name, rec.company), [])
        ), MATCH_NAME


_UNDO_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "connected_on",
    "profile_url",
    "company",
    "position",
    "previous_company",
    "previous_position",
    "job_changed_at",
    "version",
    "updated_at",
)


def _same_person_by_name(rec: ConnectionRecord, url: str | None, candidates: list[_Known]) -> _Known | None:
    """The stored person a row without a URL match is, by name + company (+ connected-on): one whose
    URL is unknown or is the row's own, and whose connected-on date, when both are known, agrees."""
    fits = [
        c
        for c in candidates
        if (not url or not c.url or c.url == url)
        and (rec.connected_on is None or c.connected_on is None or c.connected_on == rec.connected_on)
    ]
    exact = [c for c in fits if rec.connected_on is not None and c.connected_on == rec.connected_on]
    best = exact or fits
    return best[0] if best else None


def import_connections(
    session: Session,
    records: list[ConnectionRecord],
    now: datetime | None = None,
    source: str = "linkedin",
    *,
    index: PeopleIndex | None = None,
    seen: set[int] | None = None,
    undo: BatchUndo | None = None,
) -> ImportReport:
    """Add new people, update changed ones; nobody is added twice.

    A row is matched by its profile URL, else by name + company (+ connected-on when both dates are
    known) to a person without a URL, whose URL is then filled in: an older export lacked the URL
    column, a newer one has it. The report says how each row matched. A changed company or
    position is kept as the previous one, and a planned "congratulate" touchpoint is suggested for
    the job change. ``index``, ``seen`` and ``undo`` carry an import across batches (import_people).
    """
    now = now or utcnow()
    report = ImportReport()
    index = index if index is not None else PeopleIndex.load(session)
    seen = seen if seen is not None else set()
    # which stored person each row is, then those people in one query instead of one per row
    found = [(rec, normalize_profile_url(rec.url)) for rec in records]
    matches = [index.find(rec, url) for rec, url in found]
    wanted = sorted({k.id for k, _ in matches if k is not None})
    people: dict[int, Connection] = {}
    for chunk in range(0, len(wanted), 500):
        for c in session.exec(select(Connection).where(col(Connection.id).in_(wanted[chunk : chunk + 500]))):
            people[pk(c)] = c
    pending: dict[object, tuple[ConnectionRecord, Connection]] = {}  # new people of this batch, by key
    new_rows: list[tuple[ConnectionRecord, Connection]] = []
    touchpoints: list[Touchpoint] = []
    for (rec, url), (known, matched_by) in zip(found, matches, strict=True):
        key = _name_key(rec.first_name, rec.last_name, rec.company)
        person = people.get(known.id) if known is not None else None
        twice = (person is not None and person.id in seen) or (
            person is None and ((url and ("url", url) in pending) or (not url and ("name", key) in pending))
        )
        if twice:
            report.skipped.append(
                f"line {rec.line}: {rec.first_name} {rec.last_name} appears twice in the file; kept the first"
            )
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
            pending[("url", url) if url else ("name", key)] = (rec, person)
            new_rows.append((rec, person))
            report.added += 1
            continue
        assert known is not None  # the stored person was found through it
        seen.add(pk(person))
        match = RowMatch(rec.line, person.full_name, matched_by, pk(person))
        report.rows.append(match)
        before = {attr: getattr(person, attr) for attr in _UNDO_FIELDS}
        changed = False
        if url and not person.profile_url:
            person.profile_url = url
            known.url = url
            index.by_url[url] = known
            match.url_filled = changed = True
        if (rec.company, rec.position) != (person.company, person.position) and (rec.company or rec.position):
            old = f"{person.position} at {person.company}".strip()
            new = f"{rec.position} at {rec.company}".strip()
            person.previous_company, person.previous_position = person.company, person.position
            person.company, person.position = rec.company, rec.position
            person.job_changed_at = now
            report.job_changes.append(f"{person.full_name}: {old} → {new}")
            touchpoints.append(
                Touchpoint(
                    connection_id=pk(person),
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
            if undo is not None:
                undo.update("connection", pk(person), before, person.version)
        else:
            report.unchanged += 1
    session.add_all(touchpoints)
    session.flush()  # one flush for the batch: ids for the new people and touchpoints
    for rec, person in new_rows:
        seen.add(pk(person))
        index.add(
            _Known(pk(person), person.profile_url, person.connected_on),
            _name_key(person.first_name, person.last_name, person.company),
        )
        report.rows.append(RowMatch(rec.line, person.full_name, MATCH_NEW, pk(person)))
    report.rows.sort(key=lambda r: r.line)
    if undo is not None:  # touchpoints first: an undo deletes in this order
        undo.insert("touchpoint", (pk(t) for t in touchpoints))
        undo.insert("connection", (pk(p) for _, p in new_rows))
    return report


# Rows per transaction of a batched import: each holds the write lock for well under a second,
# so a refresh or a touch logged meanwhile waits that long, not for the whole file
IMPORT_BATCH = 500


def import_people(
    store,
    records: list[ConnectionRecord],
    now: datetime | None = None,
    source: str = "linkedin",
    batch: int = IMPORT_BATCH,
    what: str | None = None,
) -> ImportReport:
    """``import_connections`` over a store, ``batch`` rows per transaction, all or nothing. Each
    batch's transaction journals what it did (store.journal) and the last one deletes that journal:
    an error or interrupt part-way undoes the earlier batches at once, and a process killed
    outright is undone from its journal at the next open of the store. ``what`` (the file's name)
    names the import in the line that says so."""
    now = now or utcnow()
    index = store.read(PeopleIndex.load)
    seen: set[int] = set()

    def step(session: Session, chunk: list[ConnectionRecord], undo: BatchUndo) -> ImportReport:
        return import_connections(session, chunk, now=now, source=source, index=index, seen=seen, undo=undo)

    chunks = [records[start : start + batch] for start in range(0, max(len(records), 1), batch)]
    report = ImportReport()
    for part in run_journaled(store, what or source, chunks, step, now):
        report.added += part.added
        report.updated += part.updated
        report.unchanged += part.unchanged
        report.skipped += part.skipped
        report.job_changes += part.job_changes
        report.rows += part.rows
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


def list_people(
    session: Session,
    tag: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    include_archived: bool = False,
) -> list[PersonRow]:
    q = select(Connection)
    if not include_archived:
        q = q.where(col(Connection.archived) == False)  # noqa: E712
    if tag:
        q = q.join(ConnectionTag, col(ConnectionTag.connection_id) == col(Connection.id)).join(
            Tag, col(Tag.id) == col(ConnectionTag.tag_id)
        )
        q = q.where(func.lower(col(Tag.name)) == tag.lower())
    if search:
        like = f"%{search.lower()}%"
        q = q.where(
            or_(
                func.lower(col(Connection.first_name) + " " + col(Connection.last_name)).like(like),
                func.lower(col(Connection.company)).like(like),
                func.lower(col(Connection.position)).like(like),
            )
        )
    q = q.order_by(
        func.lower(col(Connection.last_name)), func.lower(col(Connection.first_name)), col(Connection.id)
    ).offset(offset)
    if limit:
        q = q.limit(limit)
    return [
        PersonRow(pk(c), c.first_name, c.last_name, c.company, c.position, c.profile_url, c.connected_on, c.tier)
        for c in session.exec(q)
    ]


def resolve_person(session: Session, ref: str) -> Connection:
    """Find one person by id, profile URL or an unambiguous name; ambiguity lists candidates."""
    ref = ref.strip()
    if not ref:
        raise PlannerError("no person given")
    if ref.isdigit():
        person = session.get(Connection, int(ref)) if int(ref) < 2**63 else None
        if person is None:
            raise PlannerError(f"no person with id {ref}")
        return person
    if "linkedin.com" in ref or ref.startswith("http"):
        url = normalize_profile_url(ref)
        person = session.exec(select(Connection).where(col(Connection.profile_url) == url)).first()
        if person is None:
            raise PlannerError(f"no person with profile URL {url}")
        return person
    needle = " ".join(ref.lower().split())
    full = func.lower(col(Connection.first_name) + " " + col(Connection.last_name))
    exact = session.exec(select(Connection).where(full == needle)).all()
    matches = (
        exact or session.exec(select(Connection).where(full.like(f"%{needle}%")).order_by(col(Connection.id))).all()
    )
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
    "RowMatch",
    "import_connections",
    "import_people",
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
    session: Session,
    connection_id: int,
    now: datetime,
    *,
    tier: str | None = None,
    cadence_days: int | None = None,
    clear_cadence: bool = False,
    add_tags: list[str] | tuple = (),
    remove_tags: list[str] | tuple = (),
    notes: str | None = None,
    expected_version: int | None = None,
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
    current = {
        name.lower(): tid
        for tid, name in session.exec(
            select(col(Tag.id), col(Tag.name))
            .join(ConnectionTag, col(ConnectionTag.tag_id) == col(Tag.id))
            .where(col(ConnectionTag.connection_id) == person.id)
        )
    }
    for raw in add_tags:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > 100:
            raise PlannerError(f"tag {name[:20]!r}… is longer than 100 characters")
        if name.lower() in current:
            continue
        tag = session.exec(select(Tag).where(func.lower(col(Tag.name)) == name.lower())).first()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        session.add(ConnectionTag(connection_id=pk(person), tag_id=pk(tag)))
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
