"""Other address books (any CSV) → people, through the same importer as LinkedIn's file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from planner.adapters.csv_import import AddressBookResult
from planner.adapters.linkedin import normalize_profile_url
from planner.models import Connection, utcnow
from planner.services.cadence import tier_cadences
from planner.services.people import edit_person
from planner.services.people import import_connections


@dataclass
class AddressBookReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    tagged: int = 0
    skipped: list[str] = field(default_factory=list)
    job_changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def import_address_book(session: Session, parsed: AddressBookResult, now: datetime | None = None,
                        source: str = "csv") -> AddressBookReport:
    now = now or utcnow()
    base = import_connections(session, parsed.records, now=now, source=source)
    report = AddressBookReport(base.added, base.updated, base.unchanged, 0, list(parsed.problems) + base.skipped,
                               base.job_changes)
    tiers = tier_cadences(session)
    for rec in parsed.records:
        extra = parsed.extras.get(rec.line)
        if extra is None or not (extra.tags or extra.tier or extra.notes):
            continue
        url = normalize_profile_url(rec.url)
        q = select(Connection).where(Connection.profile_url == url) if url else select(Connection).where(
            Connection.first_name == rec.first_name, Connection.last_name == rec.last_name,
            Connection.company == rec.company)
        person = session.exec(q.order_by(Connection.id)).first()
        if person is None:
            continue
        tier = extra.tier if extra.tier in tiers else None
        if extra.tier and tier is None:
            report.skipped.append(f"line {rec.line}: unknown tier {extra.tier!r} ignored (tiers: {', '.join(tiers)})")
        edit_person(session, person.id, now, tier=tier, add_tags=extra.tags,
                    notes=extra.notes if extra.notes and not person.notes else None)
        report.tagged += bool(extra.tags)
    return report
