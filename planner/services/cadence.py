"""Cadence: when each person is next due for a touch, and who is going cold.

Rules (issue 5):

* A tier gives the default "stay in touch every N days": the Strategy's ``tier_cadences`` JSON
  when a Strategy exists, else :data:`DEFAULT_TIER_CADENCE_DAYS`.
* A tag with ``cadence_days`` overrides the tier (the shortest of the person's tag cadences);
  the person's own ``cadence_days`` overrides both.
* Next due = last *actual* contact + cadence. The last contact is the latest ``done_at`` of a
  DONE touchpoint of any kind — so a back-dated log resets the timer from that date — else the
  day they connected, else the day they were added.
* Going cold = overdue, ranked by how overdue relative to the cadence.

Everything here is set-based: three grouped queries for any number of people, never one query
per person. Timestamps and dates come back as the database's raw values (ISO text on SQLite) and
are parsed with ``fromisoformat`` only where a rule uses them: the driver's per-row converters
cost more than the rules themselves on 10,000 people.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, func, type_coerce
from sqlmodel import Session, col, select

from planner.dates import in_range
from planner.models import (
    DEFAULT_TIER_CADENCE_DAYS,
    Connection,
    ConnectionTag,
    Strategy,
    Tag,
    Touchpoint,
    TouchStatus,
)
from planner.store.reader import utc_value
from planner.text import count

# overdue by at least this share of the cadence: shown as "cold" rather than just "due"
COLD_RATIO = 0.5
# SQLite allows 32766 bound parameters; stay far below for IN (...) lists
CHUNK = 900


@dataclass
class DueInfo:
    connection_id: int
    name: str
    tier: str
    cadence_days: int
    last_contact_at: datetime | None
    next_due_at: datetime
    overdue_days: float  # (now - next_due_at) in days; negative when not yet due
    overdue_ratio: float  # overdue_days / cadence_days
    cadence_source: str = "tier"  # tier / tag:<name> / person

    @property
    def is_due(self) -> bool:
        return self.overdue_days >= 0

    @property
    def is_cold(self) -> bool:
        return self.overdue_ratio >= COLD_RATIO

    @property
    def marker(self) -> str:
        """ "cold", "due" or "" — what the people table shows."""
        if self.is_cold:
            return "cold"
        return "due" if self.is_due else ""

    @property
    def standing(self) -> str:
        """Where the person stands, in words: "never contacted" (no day count from the date the
        cadence starts at), "going cold (41 days overdue)", "due today", "not due (in 3 days)"."""
        if self.last_contact_at is None:
            return "never contacted"
        days = int(abs(self.overdue_days))
        if self.is_cold:
            return f"going cold ({count(days, 'day')} overdue)"
        if self.is_due:
            return "due today" if days == 0 else f"due ({count(days, 'day')} overdue)"
        return "not due (tomorrow)" if days == 0 else f"not due (in {count(days, 'day')})"

    def as_json(self) -> dict:
        return {
            "connection_id": self.connection_id,
            "name": self.name,
            "tier": self.tier,
            "cadence_days": self.cadence_days,
            "cadence_source": self.cadence_source,
            "last_contact_at": self.last_contact_at.isoformat() if self.last_contact_at else None,
            "next_due_at": self.next_due_at.isoformat(),
            "overdue_days": round(self.overdue_days, 2),
            "overdue_ratio": round(self.overdue_ratio, 3),
            "status": self.marker or "ok",
        }


def tier_cadences(session: Session) -> dict[str, int]:
    """Days per tier: the Strategy's tier_cadences over the built-in defaults."""
    cadences = {str(k): int(v) for k, v in DEFAULT_TIER_CADENCE_DAYS.items()}
    raw = session.exec(select(col(Strategy.tier_cadences)).order_by(col(Strategy.id)).limit(1)).first()
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = {}  # a hand-edited strategy with broken JSON must not break every screen
        if isinstance(parsed, dict):
            for tier, days in parsed.items():
                try:
                    if int(days) > 0:
                        cadences[str(tier)] = int(days)
                except (TypeError, ValueError):
                    continue
    return cadences


def chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def last_contacts(session: Session, connection_ids: list[int] | None = None) -> dict[int, datetime]:
    """connection id → the latest contact: a DONE touchpoint of any kind, or a message they sent
    (imported from LinkedIn's archive: an interaction restarts the cadence too)."""
    from planner.models import LinkedInRecord

    q = (
        select(col(Touchpoint.connection_id), raw(func.max(col(Touchpoint.done_at))))
        .where(col(Touchpoint.status) == TouchStatus.DONE.value, col(Touchpoint.done_at).is_not(None))
        .group_by(col(Touchpoint.connection_id))
    )
    out = _grouped(session, q, col(Touchpoint.connection_id), connection_ids, utc_value)
    received = (
        select(col(LinkedInRecord.connection_id), raw(func.max(col(LinkedInRecord.at))))
        .where(col(LinkedInRecord.kind) == "message_received", col(LinkedInRecord.connection_id).is_not(None))
        .group_by(col(LinkedInRecord.connection_id))
    )
    for cid, at in _grouped(session, received, col(LinkedInRecord.connection_id), connection_ids, utc_value).items():
        if at is not None and (out.get(cid) is None or at > out[cid]):
            out[cid] = at
    return out


def tag_cadences(session: Session, connection_ids: list[int] | None = None) -> dict[int, tuple[int, str]]:
    """connection id → (shortest tag cadence, that tag's name) for people with such a tag."""
    q = (
        select(col(ConnectionTag.connection_id), col(Tag.cadence_days), col(Tag.name))
        .join(Tag, col(Tag.id) == col(ConnectionTag.tag_id))
        .where(col(Tag.cadence_days).is_not(None), col(Tag.cadence_days) > 0)
    )
    out: dict[int, tuple[int, str]] = {}
    for cid, days, name in rows_for_people(session, q, col(ConnectionTag.connection_id), connection_ids):
        if cid not in out or (days, name) < out[cid]:
            out[cid] = (int(days), name)
    return out


def raw(column):
    """The column as the driver returns it, without SQLAlchemy's per-row result conversion (on
    SQLite a regex parse per value): ISO text on SQLite, datetime/date objects on PostgreSQL."""
    return type_coerce(column, String)


def as_date(value):
    """A stored date (text on SQLite); None for one outside the accepted years (planner.dates),
    which an older planner or a hand edit may have stored: readers treat it as unknown rather
    than overflow on it."""
    try:
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    except ValueError:
        return None
    return day if day is None or in_range(day) else None


def rows_for_people(session: Session, q, column, ids: list[int] | None):
    """Rows of `q` (first column: a connection id) for `ids`, all people when None. More ids than
    one IN list holds take one unfiltered pass, skipping other people here: a dozen IN queries
    over 10,000 people cost more than reading the table once."""
    run = session.connection().execute  # Core rows: plain columns, no ORM entities to build
    if ids is None:
        yield from run(q).all()
        return
    wanted = set(ids)
    if len(wanted) > CHUNK:
        yield from (row for row in run(q).all() if row[0] in wanted)
        return
    for chunk in chunks(sorted(wanted)):
        yield from run(q.where(column.in_(chunk))).all()


def _grouped(session: Session, q, column, ids, convert) -> dict:
    return {cid: convert(value) for cid, value in rows_for_people(session, q, column, ids)}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def due_infos(
    session: Session,
    now: datetime,
    connection_ids: list[int] | None = None,
    include_archived: bool = False,
    contacts: dict[int, datetime] | None = None,
) -> list[DueInfo]:
    """Cadence facts for the given people (all people when ``connection_ids`` is None), by id.
    ``contacts`` is ``last_contacts`` for them, when the caller has read it already."""
    tiers = tier_cadences(session)
    q = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
        col(Connection.id),
        col(Connection.first_name),
        col(Connection.last_name),
        col(Connection.tier),
        col(Connection.cadence_days),
        raw(col(Connection.connected_on)),
        raw(col(Connection.created_at)),
    )
    if not include_archived:
        q = q.where(col(Connection.archived) == False)
    people = list(rows_for_people(session, q, col(Connection.id), connection_ids))
    ids = None if connection_ids is None else [p[0] for p in people]
    if contacts is None:
        contacts = last_contacts(session, ids)
    tag_days = tag_cadences(session, ids)
    out = []
    for cid, first, last, tier, own_days, connected_on, created_at in people:
        if own_days and own_days > 0:
            cadence, source = int(own_days), "person"
        elif cid in tag_days:
            cadence, source = tag_days[cid][0], f"tag:{tag_days[cid][1]}"
        else:
            cadence, source = tiers.get(tier, tiers.get("warm", 60)), "tier"
        last_contact = contacts.get(cid)
        if last_contact is not None and not in_range(last_contact):
            last_contact = None  # stored out of range: unknown, as as_date does
        connected_on = as_date(connected_on)
        if last_contact is not None:
            anchor = last_contact
        elif connected_on is not None:
            anchor = _start_of(connected_on)
        else:
            anchor = utc_value(created_at) or now
        next_due = anchor + timedelta(days=cadence)
        overdue = (now - next_due).total_seconds() / 86400
        out.append(
            DueInfo(
                connection_id=cid,
                name=f"{first} {last}".strip(),
                tier=tier,
                cadence_days=cadence,
                last_contact_at=last_contact,
                next_due_at=next_due,
                overdue_days=overdue,
                overdue_ratio=overdue / cadence,
                cadence_source=source,
            )
        )
    out.sort(key=lambda d: d.connection_id)
    return out


def _ranked(infos: list[DueInfo]) -> list[DueInfo]:
    return sorted(infos, key=lambda d: (-d.overdue_ratio, d.connection_id))


def people_due(
    session: Session, now: datetime, *, include_not_due: bool = False, limit: int | None = None
) -> list[DueInfo]:
    """People due now or overdue (everyone with ``include_not_due``), most overdue relative to
    their cadence first, then by id."""
    infos = due_infos(session, now)
    if not include_not_due:
        infos = [d for d in infos if d.overdue_days >= 0]
    ranked = _ranked(infos)
    return ranked[:limit] if limit else ranked


def going_cold(session: Session, now: datetime, limit: int | None = None) -> list[DueInfo]:
    """People going cold (``DueInfo.is_cold``: overdue by COLD_RATIO of their cadence or more), the
    most overdue relative to their cadence first. The one definition Network's "cold" marker and
    filter, `people list --cold` and the weekly review share."""
    ranked = _ranked([d for d in due_infos(session, now) if d.is_cold])
    return ranked[:limit] if limit else ranked


__all__ = [
    "COLD_RATIO",
    "DueInfo",
    "due_infos",
    "going_cold",
    "last_contacts",
    "people_due",
    "tag_cadences",
    "tier_cadences",
]
