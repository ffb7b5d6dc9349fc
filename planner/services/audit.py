"""The pitch audit: your own "connect and pitch" record, from LinkedIn's archive.

Who was asked or pitched before anything was given — in the invitation note, or in a message
within the pitch guard's window after connecting — how many days after connecting, and the
phrases that made it a pitch. Beside it: give:ask over the whole history, the share of first
messages that were value-first, and the reply rate of value-first versus pitch first messages
(a reply: the connection wrote back in the same thread afterwards).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from planner.models import Connection, LinkedInRecord
from planner.store.reader import utc_value

RELEVANT = ("message_sent", "message_received", "invitation_sent", "endorsement", "recommendation")


@dataclass(frozen=True)
class EarlyPitch:
    connection_id: int
    name: str
    days_after_connecting: int | None
    channel: str  # invitation | message
    reasons: list[str]
    at: datetime
    text: str

    def as_json(self) -> dict:
        return {
            "connection_id": self.connection_id,
            "name": self.name,
            "days_after_connecting": self.days_after_connecting,
            "channel": self.channel,
            "reasons": list(self.reasons),
            "at": self.at.isoformat(),
            "text": self.text,
        }


@dataclass(frozen=True)
class ReplyRate:
    sent: int
    replied: int

    @property
    def rate(self) -> float | None:
        return round(self.replied / self.sent, 3) if self.sent else None

    def as_json(self) -> dict:
        return {"sent": self.sent, "replied": self.replied, "rate": self.rate}


@dataclass
class PitchAudit:
    window_days: int
    early_pitches: list[EarlyPitch] = field(default_factory=list)
    gives: int = 0
    asks: int = 0
    first_messages: int = 0
    value_first_first: int = 0
    value_first_replies: ReplyRate = ReplyRate(0, 0)
    pitch_replies: ReplyRate = ReplyRate(0, 0)

    @property
    def value_first_share(self) -> float | None:
        return round(self.value_first_first / self.first_messages, 3) if self.first_messages else None

    @property
    def give_ask(self) -> str:
        return f"{self.gives}:{self.asks}"

    def as_json(self) -> dict:
        return {
            "window_days": self.window_days,
            "early_pitches": [p.as_json() for p in self.early_pitches],
            "give_ask": {
                "gives": self.gives,
                "asks": self.asks,
                "ratio_text": self.give_ask,
                "ratio": round(self.gives / self.asks, 2) if self.asks else None,
            },
            "first_messages": {
                "total": self.first_messages,
                "value_first": self.value_first_first,
                "value_first_share": self.value_first_share,
            },
            "reply_rates": {"value_first": self.value_first_replies.as_json(), "pitch": self.pitch_replies.as_json()},
        }


def pitch_audit(session: Session) -> PitchAudit:
    from planner.services.ledger import guard_settings, overall_ledger

    _gives, window = guard_settings(session)
    ledger = overall_ledger(session)
    audit = PitchAudit(window_days=window, gives=ledger.gives, asks=ledger.asks)
    people = {
        cid: (f"{first} {last}".strip(), connected)
        for cid, first, last, connected in session.exec(
            select(
                col(Connection.id), col(Connection.first_name), col(Connection.last_name), col(Connection.connected_on)
            )
        ).all()
    }
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(LinkedInRecord.connection_id),
            col(LinkedInRecord.kind),
            col(LinkedInRecord.at),
            col(LinkedInRecord.conversation_id),
            col(LinkedInRecord.pitch),
            col(LinkedInRecord.reasons),
            col(LinkedInRecord.text),
        )
        .where(
            col(LinkedInRecord.kind).in_(RELEVANT),
            col(LinkedInRecord.connection_id).is_not(None),
            col(LinkedInRecord.at).is_not(None),
        )
        .order_by(col(LinkedInRecord.connection_id), col(LinkedInRecord.at), col(LinkedInRecord.id))
    ).all()
    by_person: dict[int, list] = {}
    for row in rows:
        by_person.setdefault(row[0], []).append(row)
    vf, pitch = [0, 0], [0, 0]
    for cid, events in by_person.items():
        name, connected = people.get(cid, ("", None))
        early = _early_pitch(cid, name, connected, events, window)
        if early is not None:
            audit.early_pitches.append(early)
        sent = [e for e in events if e[1] == "message_sent"]
        if not sent:
            continue
        first = sent[0]
        audit.first_messages += 1
        is_pitch = bool(first[4])
        audit.value_first_first += not is_pitch
        at = utc_value(first[2])
        replied = any(e[1] == "message_received" and e[3] == first[3] and utc_value(e[2]) > at for e in events)
        tally = pitch if is_pitch else vf
        tally[0] += 1
        tally[1] += replied
    audit.value_first_replies, audit.pitch_replies = ReplyRate(*vf), ReplyRate(*pitch)
    audit.early_pitches.sort(key=lambda p: (p.at, p.name, p.connection_id))
    return audit


def _early_pitch(cid: int, name: str, connected, events: list, window: int) -> EarlyPitch | None:
    """The first ask before any give: a pitching invitation note, or a pitching message within
    ``window`` days of connecting."""
    for _cid, kind, at, _conv, pitched, reasons, text in events:
        at = utc_value(at)
        days = (at.date() - connected).days if connected else None
        if kind == "invitation_sent":
            if pitched:
                return EarlyPitch(cid, name, 0 if connected else None, "invitation", _reasons(reasons), at, text)
            continue
        if kind in ("endorsement", "recommendation") or (kind == "message_sent" and not pitched):
            return None  # gave first
        if kind == "message_sent" and pitched:
            if days is None or days <= window:
                return EarlyPitch(cid, name, days, "message", _reasons(reasons), at, text)
            return None
    return None


def _reasons(raw: str) -> list[str]:
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [str(r) for r in value] if isinstance(value, list) else []
