"""Other address books (any CSV) → people, through the same importer as LinkedIn's file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlmodel import Session

from planner.adapters.csv_import import AddressBookResult
from planner.models import Connection, utcnow
from planner.services.cadence import tier_cadences
from planner.services.people import ImportReport, RowMatch, edit_person, import_connections, import_people


@dataclass
class AddressBookReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    tagged: int = 0
    skipped: list[str] = field(default_factory=list)
    job_changes: list[str] = field(default_factory=list)
    rows: list[RowMatch] = field(default_factory=list)

    def matched(self) -> dict[str, int]:
        return ImportReport(rows=self.rows).matched()

    def match_line(self) -> str:
        return ImportReport(rows=self.rows).match_line()

    def as_json(self) -> dict:
        return {**asdict(self), "matched": self.matched()}


def import_address_book(
    session: Session, parsed: AddressBookResult, now: datetime | None = None, source: str = "csv"
) -> AddressBookReport:
    now = now or utcnow()
    return _apply_extras(session, parsed, import_connections(session, parsed.records, now=now, source=source), now)


def import_address_book_batched(
    store, parsed: AddressBookResult, now: datetime | None = None, source: str = "csv", what: str | None = None
) -> AddressBookReport:
    """The same through a store: people in bounded batches (services.people.import_people), then
    tags, tiers and notes in one more transaction."""
    now = now or utcnow()
    return store.call(
        _apply_extras, parsed, import_people(store, parsed.records, now=now, source=source, what=what), now
    )


def _apply_extras(session: Session, parsed: AddressBookResult, base: ImportReport, now: datetime) -> AddressBookReport:
    report = AddressBookReport(
        base.added, base.updated, base.unchanged, 0, list(parsed.problems) + base.skipped, base.job_changes, base.rows
    )
    tiers = tier_cadences(session)
    person_by_line = {row.line: row.person_id for row in base.rows}
    for rec in parsed.records:
        extra = parsed.extras.get(rec.line)
        if extra is None or not (extra.tags or extra.tier or extra.notes):
            continue
        person_id = person_by_line.get(rec.line)
        if person_id is None:  # skipped by the import (a duplicate row)
            continue
        person = session.get(Connection, person_id)
        if person is None:  # the import has just added it
            continue
        tier = extra.tier if extra.tier in tiers else None
        if extra.tier and tier is None:
            report.skipped.append(f"line {rec.line}: unknown tier {extra.tier!r} ignored (tiers: {', '.join(tiers)})")
        edit_person(
            session,
            person_id,
            now,
            tier=tier,
            add_tags=extra.tags,
            notes=extra.notes if extra.notes and not person.notes else None,
        )
        report.tagged += bool(extra.tags)
    return report
