"""The give:ask ledger and the pitch guard: what was given before what was asked.

A connection is a relationship to invest in, not a lead. ``ledgers`` counts value-first touches
against asks per person (batched: one grouped query for any number of people), ``overall_ledger``
the whole history, and ``check_ask`` says when an ask comes too early and why.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import (
    ASK_KINDS,
    VALUE_FIRST_KINDS,
    Connection,
    Strategy,
    TouchKind,
    Touchpoint,
    TouchStatus,
)
from planner.services.cadence import as_date, raw, rows_for_people
from planner.store.reader import utc_value
from planner.text import count, label

DEFAULT_PITCH_MIN_GIVES = 3
DEFAULT_PITCH_MIN_DAYS = 30


def parse_kind(value: str) -> TouchKind:
    """'check-in', 'Check in', 'check_in' → TouchKind.CHECK_IN; anything else names the choices."""
    key = re.sub(r"[\s-]+", "_", (value or "").strip().lower())
    try:
        return TouchKind(key)
    except ValueError:
        give = ", ".join(sorted(k.value for k in VALUE_FIRST_KINDS))
        ask = ", ".join(sorted(k.value for k in ASK_KINDS))
        raise PlannerError(f"unknown touch kind {value!r}: value-first kinds are {give}; asks are {ask}") from None


class GiveAskRatio:
    """``gives``/``asks`` read as a ratio: the one definition every ledger shares."""

    gives: int
    asks: int

    @property
    def ratio(self) -> float | None:
        """gives per ask; None when nothing was asked yet."""
        return round(self.gives / self.asks, 2) if self.asks else None

    @property
    def ratio_text(self) -> str:
        return f"{self.gives}:{self.asks}"


@dataclass
class Ledger(GiveAskRatio):
    gives: int = 0  # value-first touches done
    asks: int = 0  # asks done
    planned: int = 0  # touches planned, any kind
    last_give_at: datetime | None = None
    last_ask_at: datetime | None = None
    days_connected: int | None = None

    def as_json(self) -> dict:
        # explicit, not dataclasses.asdict: asdict deep-copies every value (2.7 s for 10,000 people)
        return {
            "gives": self.gives,
            "asks": self.asks,
            "planned": self.planned,
            "last_give_at": self.last_give_at.isoformat() if self.last_give_at else None,
            "last_ask_at": self.last_ask_at.isoformat() if self.last_ask_at else None,
            "days_connected": self.days_connected,
            "ratio": self.ratio,
            "ratio_text": self.ratio_text,
        }


def _days_connected(connected_on: date | None, now: datetime) -> int | None:
    return (now.date() - connected_on).days if connected_on else None


def ledgers(session: Session, connection_ids: list[int], now: datetime) -> dict[int, Ledger]:
    """connection id → its ledger, for many people in a few queries: one row per person with
    gives, asks and planned counted in SQL (a CASE per fact, grouped by person only), so 10,000
    people cost one pass over the touchpoints instead of one group per person, kind and status."""
    ids = sorted(set(connection_ids))
    out: dict[int, Ledger] = {}
    people = select(col(Connection.id), raw(col(Connection.connected_on)))
    for cid, connected_on in rows_for_people(session, people, col(Connection.id), ids):
        out[cid] = Ledger(days_connected=_days_connected(as_date(connected_on), now))
    done = col(Touchpoint.status) == TouchStatus.DONE.value
    ask = col(Touchpoint.kind).in_(sorted(k.value for k in ASK_KINDS))
    give, asked = and_(done, ~ask), and_(done, ask)
    q = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Touchpoint.connection_id),
            func.sum(case((give, 1), else_=0)),
            func.sum(case((asked, 1), else_=0)),
            func.sum(case((col(Touchpoint.status) == TouchStatus.PLANNED.value, 1), else_=0)),
            raw(func.max(case((give, col(Touchpoint.done_at))))),
            raw(func.max(case((asked, col(Touchpoint.done_at))))),
        )
        .where(col(Touchpoint.status).in_((TouchStatus.DONE.value, TouchStatus.PLANNED.value)))
        .group_by(col(Touchpoint.connection_id))
    )
    for cid, gives, asks, planned, last_give, last_ask in rows_for_people(
        session, q, col(Touchpoint.connection_id), ids
    ):
        ledger = out.setdefault(cid, Ledger())
        ledger.gives, ledger.asks, ledger.planned = int(gives or 0), int(asks or 0), int(planned or 0)
        ledger.last_give_at, ledger.last_ask_at = utc_value(last_give), utc_value(last_ask)
    return out


@dataclass
class OverallLedger(GiveAskRatio):
    gives: int
    asks: int
    planned: int
    people_touched: int
    asks_too_early: int  # asks made before the giver had given enough (by current rules, counted at ask time)

    def as_json(self) -> dict:
        return {**asdict(self), "ratio_text": self.ratio_text, "ratio": self.ratio}


def overall_ledger(session: Session) -> OverallLedger:
    rows = session.exec(
        select(col(Touchpoint.kind), col(Touchpoint.status), func.count()).group_by(
            col(Touchpoint.kind), col(Touchpoint.status)
        )
    ).all()
    gives = sum(n for k, s, n in rows if s == TouchStatus.DONE.value and k not in ASK_KINDS)
    asks = sum(n for k, s, n in rows if s == TouchStatus.DONE.value and k in ASK_KINDS)
    planned = sum(n for _k, s, n in rows if s == TouchStatus.PLANNED.value)
    touched = session.exec(
        select(func.count(func.distinct(col(Touchpoint.connection_id)))).where(
            col(Touchpoint.status) == TouchStatus.DONE.value
        )
    ).one()
    # asks done while fewer than the required value-first touches had been done before them
    min_gives, _ = guard_settings(session)
    done = session.exec(
        select(col(Touchpoint.connection_id), col(Touchpoint.kind), col(Touchpoint.done_at))
        .where(col(Touchpoint.status) == TouchStatus.DONE.value, col(Touchpoint.done_at).is_not(None))
        .order_by(col(Touchpoint.connection_id), col(Touchpoint.done_at), col(Touchpoint.id))
    ).all()
    early = 0
    given: dict[int, int] = {}
    for cid, kind, _at in done:
        if kind in ASK_KINDS:
            early += given.get(cid, 0) < min_gives
        else:
            given[cid] = given.get(cid, 0) + 1
    return OverallLedger(gives=gives, asks=asks, planned=planned, people_touched=touched, asks_too_early=early)


@dataclass
class GuardResult:
    allowed: bool
    reasons: list[str]
    value_first_given: int
    days_connected: int | None


def guard_settings(session: Session) -> tuple[int, int]:
    """(minimum value-first touches, minimum days connected) before an ask: Strategy or defaults."""
    row = session.exec(
        select(col(Strategy.pitch_min_gives), col(Strategy.pitch_min_days)).order_by(col(Strategy.id)).limit(1)
    ).first()
    if row is None:
        return DEFAULT_PITCH_MIN_GIVES, DEFAULT_PITCH_MIN_DAYS
    return int(row[0]), int(row[1])


def check_ask(session: Session, connection_id: int, kind: str, now: datetime) -> GuardResult:
    """Is it too early to ask this person? Value-first kinds are always allowed."""
    touch_kind = parse_kind(kind)
    person = session.get(Connection, connection_id)
    if person is None:
        raise PlannerError(f"no person with id {connection_id}")
    ledger = ledgers(session, [connection_id], now)[connection_id]
    days = ledger.days_connected
    if touch_kind not in ASK_KINDS:
        return GuardResult(True, [], ledger.gives, days)
    min_gives, min_days = guard_settings(session)
    reasons = []
    if ledger.gives < min_gives:
        given = f"only {count(ledger.gives, 'value-first touch')}" if ledger.gives else "no value-first touch yet"
        reasons.append(f"{given} given to {person.full_name} (give at least {min_gives} before asking)")
    if days is not None and days < min_days:
        reasons.append(f"connected {count(days, 'day')} ago (wait at least {min_days} days before asking)")
    return GuardResult(not reasons, reasons, ledger.gives, days)


class AskTooEarly(PlannerError):
    """An ask refused by the pitch guard; ``guard`` holds the reasons."""

    def __init__(self, person: str, kind: str, guard: GuardResult):
        self.guard = guard
        super().__init__(
            f"a {label(kind)} to {person} looks too early: "
            + "; ".join(guard.reasons)
            + " — give first, or use --force to record it anyway"
        )
