"""The network: the give:ask ledger, the pitch guard, suggestions, touch logging and planning.

A connection is a relationship to invest in, not a lead: the ledger counts what was given
(value-first touches) before what was asked, ``check_ask`` says when an ask comes too early and
why, and ``suggest_actions`` proposes one concrete value-first act per person.

All reads are batched (one grouped query per fact for any number of people).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from planner.errors import ConflictError, PlannerError
from planner.models import (
    ASK_KINDS,
    VALUE_FIRST_KINDS,
    Connection,
    ConnectionTag,
    Entry,
    EntryKeyword,
    Event,
    EventRole,
    Keyword,
    Strategy,
    Tag,
    Tier,
    TouchKind,
    Touchpoint,
    TouchStatus,
)
from planner.services import cadence as cadence_service
from planner.services.cadence import _CHUNK, DueInfo, _as_date, _chunks, _raw
from planner.services.matching import tag_term
from planner.store.reader import utc_value
from planner.text import count, label

DEFAULT_PITCH_MIN_GIVES = 3
DEFAULT_PITCH_MIN_DAYS = 30
JOB_CHANGE_WINDOW_DAYS = 90  # a job change older than this is no longer news
ENTRY_WINDOW_DAYS = 30  # entries worth sharing are recent
EVENT_WINDOW_DAYS = 30  # events worth inviting to are soon
ENTRY_CANDIDATES = 400


# --- kinds ---------------------------------------------------------------------------------------


def parse_kind(value: str) -> TouchKind:
    """'check-in', 'Check in', 'check_in' → TouchKind.CHECK_IN; anything else names the choices."""
    key = re.sub(r"[\s-]+", "_", (value or "").strip().lower())
    try:
        return TouchKind(key)
    except ValueError:
        give = ", ".join(sorted(k.value for k in VALUE_FIRST_KINDS))
        ask = ", ".join(sorted(k.value for k in ASK_KINDS))
        raise PlannerError(f"unknown touch kind {value!r}: value-first kinds are {give}; asks are {ask}") from None


# --- ledger --------------------------------------------------------------------------------------


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
        return {"gives": self.gives, "asks": self.asks, "planned": self.planned,
                "last_give_at": self.last_give_at.isoformat() if self.last_give_at else None,
                "last_ask_at": self.last_ask_at.isoformat() if self.last_ask_at else None,
                "days_connected": self.days_connected, "ratio": self.ratio, "ratio_text": self.ratio_text}


def _days_connected(connected_on: date | None, now: datetime) -> int | None:
    return (now.date() - connected_on).days if connected_on else None


def ledgers(session: Session, connection_ids: list[int], now: datetime) -> dict[int, Ledger]:
    """connection id → its ledger, for many people in a few queries: one row per person with
    gives, asks and planned counted in SQL (a CASE per fact, grouped by person only), so 10,000
    people cost one pass over the touchpoints instead of one group per person, kind and status."""
    ids = sorted(set(connection_ids))
    out: dict[int, Ledger] = {}
    wanted = set(ids)
    people = select(Connection.id, _raw(Connection.connected_on))
    for cid, connected_on in _rows_for(session, people, Connection.id, ids, wanted):
        out[cid] = Ledger(days_connected=_days_connected(_as_date(connected_on), now))
    done = Touchpoint.status == TouchStatus.DONE.value
    ask = Touchpoint.kind.in_(sorted(k.value for k in ASK_KINDS))
    give, asked = and_(done, ~ask), and_(done, ask)
    q = (
        select(Touchpoint.connection_id,
               func.sum(case((give, 1), else_=0)), func.sum(case((asked, 1), else_=0)),
               func.sum(case((Touchpoint.status == TouchStatus.PLANNED.value, 1), else_=0)),
               _raw(func.max(case((give, Touchpoint.done_at)))), _raw(func.max(case((asked, Touchpoint.done_at)))))
        .where(Touchpoint.status.in_((TouchStatus.DONE.value, TouchStatus.PLANNED.value)))
        .group_by(Touchpoint.connection_id)
    )
    for cid, gives, asks, planned, last_give, last_ask in _rows_for(session, q, Touchpoint.connection_id, ids, wanted):
        ledger = out.setdefault(cid, Ledger())
        ledger.gives, ledger.asks, ledger.planned = int(gives or 0), int(asks or 0), int(planned or 0)
        ledger.last_give_at, ledger.last_ask_at = utc_value(last_give), utc_value(last_ask)
    return out


def _rows_for(session: Session, q, column, ids: list[int], wanted: set[int]):
    """Rows of `q` for the people in `ids`: IN lists of _CHUNK ids for a page, one unfiltered pass
    (rows of other people skipped here) when the ids are more than a chunk — 12 IN queries over
    10,000 people cost more than one pass over the table."""
    run = session.connection().execute  # Core rows: these are plain columns, no ORM entities to build
    if len(ids) > _CHUNK:
        yield from (row for row in run(q).all() if row[0] in wanted)
        return
    if ids:
        yield from run(q.where(column.in_(ids))).all()


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
    rows = session.exec(select(Touchpoint.kind, Touchpoint.status, func.count()).group_by(Touchpoint.kind, Touchpoint.status)).all()
    gives = sum(n for k, s, n in rows if s == TouchStatus.DONE.value and k not in ASK_KINDS)
    asks = sum(n for k, s, n in rows if s == TouchStatus.DONE.value and k in ASK_KINDS)
    planned = sum(n for _k, s, n in rows if s == TouchStatus.PLANNED.value)
    touched = session.exec(
        select(func.count(func.distinct(Touchpoint.connection_id))).where(Touchpoint.status == TouchStatus.DONE.value)
    ).one()
    # asks done while fewer than the required value-first touches had been done before them
    min_gives, _ = guard_settings(session)
    done = session.exec(
        select(Touchpoint.connection_id, Touchpoint.kind, Touchpoint.done_at)
        .where(Touchpoint.status == TouchStatus.DONE.value, Touchpoint.done_at.is_not(None))
        .order_by(Touchpoint.connection_id, Touchpoint.done_at, Touchpoint.id)
    ).all()
    early = 0
    given: dict[int, int] = {}
    for cid, kind, _at in done:
        if kind in ASK_KINDS:
            early += given.get(cid, 0) < min_gives
        else:
            given[cid] = given.get(cid, 0) + 1
    return OverallLedger(gives=gives, asks=asks, planned=planned, people_touched=touched, asks_too_early=early)


# --- the pitch guard -------------------------------------------------------------------------------


@dataclass
class GuardResult:
    allowed: bool
    reasons: list[str]
    value_first_given: int
    days_connected: int | None

    def as_json(self) -> dict:
        return asdict(self)


def guard_settings(session: Session) -> tuple[int, int]:
    """(minimum value-first touches, minimum days connected) before an ask: Strategy or defaults."""
    row = session.exec(select(Strategy.pitch_min_gives, Strategy.pitch_min_days).order_by(Strategy.id).limit(1)).first()
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
            f"a {label(kind)} to {person} looks too early: " + "; ".join(guard.reasons)
            + " — give first, or use --force to record it anyway"
        )


# --- suggestions ------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    connection_id: int
    kind: str  # a TouchKind value
    reason: str
    message: str
    entry_id: int | None = None
    event_id: int | None = None

    def as_json(self) -> dict:
        return asdict(self)


_STOP = frozenset(
    ["a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "do", "for", "from", "get", "has", "have", "how", "i", "in", "into", "is", "it", "its", "just", "more", "my", "new", "not", "of", "on", "or", "our", "out", "so", "than", "that", "the", "their", "them", "they", "this", "to", "up", "us", "was", "we", "what", "when", "which", "who", "why", "will", "with", "you", "your", "yours", "how's", "it's", "via", "vs", "using", "use", "one", "two", "three", "lead", "senior", "head", "manager", "director", "engineer", "engineering", "principal", "staff", "chief", "vp", "team", "teams", "work", "works", "working", "inc", "ltd", "co", "company"]
)
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def words(text: str) -> set[str]:
    """Lower-case content words (stop words and 1-letter words dropped), light plural folding."""
    out = set()
    for w in _WORD.findall((text or "").lower()):
        if len(w) < 2 or w in _STOP:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return out


@dataclass
class _Interest:
    tags: set[str]
    notes: set[str]
    role: set[str]

    def overlap(self, entry_words: set[str]) -> tuple[float, list[str]]:
        hits: dict[str, float] = {}
        for group, weight in ((self.tags, 2.0), (self.notes, 1.5), (self.role, 1.0)):
            for w in group & entry_words:
                hits[w] = max(hits.get(w, 0.0), weight)
        ranked = sorted(hits, key=lambda w: (-hits[w], w))
        return sum(hits.values()), ranked


def _tags_by_person(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    wanted = set(ids)
    q = (
        select(ConnectionTag.connection_id, Tag.name)
        .join(Tag, Tag.id == ConnectionTag.tag_id)
        .order_by(ConnectionTag.connection_id, Tag.name)
    )
    for chunk in ([sorted(wanted)] if len(wanted) > _CHUNK else _chunks(sorted(wanted))):
        for cid, name in _rows_for(session, q, ConnectionTag.connection_id, chunk, wanted):
            out.setdefault(cid, []).append(name)
    return out


def _recent_entries(session: Session, now: datetime) -> list[tuple[int, str, str | None, set[str], bytes | None, list[str]]]:
    """(id, title, link, title+keyword words, embedding, keywords) of recent entries, newest first."""
    since = now - timedelta(days=ENTRY_WINDOW_DAYS)
    rows = session.exec(
        select(Entry.id, Entry.title, Entry.link, Entry.embedding)
        .where(Entry.is_dismissed == False, or_(Entry.published_at >= since, Entry.published_at.is_(None)))
        .where(or_(Entry.published_at.is_(None), Entry.published_at <= now))
        .order_by(Entry.published_at.desc(), Entry.id.desc())
        .limit(ENTRY_CANDIDATES)
    ).all()
    kws: dict[int, list[str]] = {}
    ids = [r[0] for r in rows]
    for chunk in _chunks(ids):
        for eid, phrase in session.exec(
            select(EntryKeyword.entry_id, Keyword.phrase).join(Keyword, Keyword.id == EntryKeyword.keyword_id)
            .where(EntryKeyword.entry_id.in_(chunk)).order_by(EntryKeyword.entry_id, EntryKeyword.rank)
        ):
            kws.setdefault(eid, []).append(phrase)
    return [
        (eid, title or "", link, words(title) | words(" ".join(kws.get(eid, []))), embedding, kws.get(eid, []))
        for eid, title, link, embedding in rows
    ]


def _embedding_matches(
    people: dict[int, tuple], tags: dict[int, list[str]], entries: list, shared: set[tuple[int, int]],
) -> dict[int, tuple[float, int, list[str]]]:
    """Through the keyword matching service: for each person whose interests are embedded, the
    best recent entry not yet shared with them, as (score, entry index, shared tag terms)."""
    from planner.services.matching import MIN_SCORE, EntryVector, score_entries

    usable = [i for i, e in enumerate(entries) if e[4]]
    persons = [cid for cid, row in people.items() if row[-1]]
    if not usable or not persons:
        return {}
    vectors = [EntryVector(entries[i][0], entries[i][4], entries[i][5]) for i in usable]
    column = {entries[i][0]: j for j, i in enumerate(usable)}
    given: dict[int, list[int]] = {}  # person -> columns of entries already shared with them
    for cid, eid in shared:
        if eid in column:
            given.setdefault(cid, []).append(column[eid])
    out: dict[int, tuple[float, int, list[str]]] = {}
    for start in range(0, len(persons), 1000):  # bounds the people x entries array
        part = persons[start:start + 1000]
        terms = [[tag_term(t) for t in tags.get(cid, [])] for cid in part]
        scores, shared_terms = score_entries([(people[cid][-1], terms[k]) for k, cid in enumerate(part)], vectors)
        for k, cid in enumerate(part):
            row = scores[k]
            if cid in given:
                row = row.copy()
                row[given[cid]] = -1.0
            j = int(row.argmax())  # the first maximum: newest entry wins a tie
            if row[j] >= MIN_SCORE:
                out[cid] = (float(row[j]), usable[j], shared_terms(k, j))
    return out


def suggest_actions(session: Session, connection_ids: list[int], now: datetime) -> dict[int, Suggestion]:
    """One concrete value-first next action per person, in priority order: congratulate a recent
    job change, share a recent entry that matches their interests, invite to an upcoming event,
    else a check-in. Batched: a handful of queries for any number of people."""
    ids = sorted(set(connection_ids))
    if not ids:
        return {}
    people = {}
    for chunk in _chunks(ids):
        for row in session.exec(
            select(Connection.id, Connection.first_name, Connection.last_name, Connection.company, Connection.position,
                   Connection.headline, Connection.notes, Connection.tier, Connection.job_changed_at,
                   Connection.connected_on, Connection.interest_embedding).where(Connection.id.in_(chunk))
        ):
            people[row[0]] = row
    tags = _tags_by_person(session, ids)
    shared: set[tuple[int, int]] = set()
    invited: set[tuple[int, int]] = set()
    congratulated_at: dict[int, datetime] = {}
    contacted: set[int] = set()
    for chunk in _chunks(ids):
        q = select(Touchpoint.connection_id, Touchpoint.kind, Touchpoint.status, Touchpoint.entry_id, Touchpoint.event_id,
                   Touchpoint.created_at, Touchpoint.done_at).where(
            Touchpoint.connection_id.in_(chunk), Touchpoint.status != TouchStatus.SKIPPED.value)
        for cid, kind, status, entry_id, event_id, created_at, done_at in session.exec(q):
            if status == TouchStatus.DONE.value:
                contacted.add(cid)
            if entry_id:
                shared.add((cid, entry_id))
            if event_id:
                invited.add((cid, event_id))
            if kind == TouchKind.CONGRATULATE.value:
                at = utc_value(done_at or created_at)
                if at and (cid not in congratulated_at or at > congratulated_at[cid]):
                    congratulated_at[cid] = at
    entries = _recent_entries(session, now)
    events = session.exec(
        select(Event.id, Event.title, Event.starts_at, Event.role)
        .where(Event.starts_at > now, Event.starts_at <= now + timedelta(days=EVENT_WINDOW_DAYS))
        .order_by(Event.starts_at, Event.id)
    ).all()
    events = [(eid, title, utc_value(starts), role, words(title)) for eid, title, starts, role in events]
    embedded = _embedding_matches(people, tags, entries, shared)

    out: dict[int, Suggestion] = {}
    for cid in ids:
        if cid not in people:
            continue
        _, first, last, company, position, headline, notes, tier, job_changed_at, connected_on, _ = people[cid]
        first = first or last or "there"
        job_changed_at = utc_value(job_changed_at)
        # 1. a recent job change not yet congratulated
        if job_changed_at and now - job_changed_at <= timedelta(days=JOB_CHANGE_WINDOW_DAYS):
            if congratulated_at.get(cid) is None or congratulated_at[cid] < job_changed_at:
                role = " at ".join(p for p in (position, company) if p)
                out[cid] = Suggestion(
                    cid, TouchKind.CONGRATULATE.value,
                    f"changed jobs {(now - job_changed_at).days} days ago" + (f" (now {role})" if role else ""),
                    f"Congratulations on the new role{' as ' + role if role else ''}, {first}! Hope the first weeks are going well.",
                )
                continue
        interest = _Interest(
            tags={w for t in tags.get(cid, []) for w in words(tag_term(t))},
            notes=words(notes), role=words(f"{position} {headline}"),
        )
        # 2. a recent entry that matches their interests, not shared with them before: by the
        # matching service (embedding similarity + their tags among the entry's keywords) when
        # keyword extraction has embedded their interests, else their words in the entry
        best = None
        if cid in embedded:
            score, index, terms = embedded[cid]
            eid, title, link, ewords = entries[index][:4]
            hits = terms or interest.overlap(ewords)[1]
            best = (score, eid, title, link, hits)
        else:
            for eid, title, link, ewords, *_ in entries:
                if (cid, eid) in shared:
                    continue
                score, hits = interest.overlap(ewords)
                if score >= 2.0 and (best is None or score > best[0]):
                    best = (score, eid, title, link, hits)
        if best:
            _, eid, title, link, hits = best
            about = ", ".join(hits[:3])
            reason = f"matches their interests: {about}" if about else "close to their interests (similar topic)"
            out[cid] = Suggestion(
                cid, TouchKind.SHARE_CONTENT.value, reason,
                f"Hi {first}, saw this and thought of you" + (f" ({about})" if about else "")
                + f": \u201c{title}\u201d" + (f" {link}" if link else ""),
                entry_id=eid,
            )
            continue
        # 3. an upcoming event: one we host for close people, or one on their interests
        chosen = None
        for eid, title, starts, role, ewords in events:
            if (cid, eid) in invited:
                continue
            topical = interest.overlap(ewords)[0] >= 1.0
            if topical or (role == EventRole.HOSTING.value and tier in (Tier.INNER.value, Tier.ACTIVE.value)):
                chosen = (eid, title, starts, role)
                break
        if chosen:
            eid, title, starts, role = chosen
            verb = "hosting" if role == EventRole.HOSTING.value else "going to"
            out[cid] = Suggestion(
                cid, TouchKind.INVITE_TO_EVENT.value, f"upcoming event on {starts:%a %d %b}: {title}",
                f"Hi {first}, I'm {verb} \u201c{title}\u201d on {starts:%a %d %b} and thought of you. Would be great to see you there.",
                event_id=eid,
            )
            continue
        # 4. a plain check-in
        at = f" at {company}" if company else ""
        if cid not in contacted and connected_on and (now.date() - connected_on).days <= DEFAULT_PITCH_MIN_DAYS:
            out[cid] = Suggestion(
                cid, TouchKind.CHECK_IN.value, "connected recently: start with interest in them, not an ask",
                f"Hi {first}, glad we connected. What are you focused on{at} these days?",
            )
            continue
        out[cid] = Suggestion(
            cid, TouchKind.CHECK_IN.value, "nothing specific to share yet: a short check-in keeps the relationship warm",
            f"Hi {first}, it's been a while. How are things{at}? Anything you're working on that I could help with?",
        )
    return out


# --- logging and planning touches ----------------------------------------------------------------


@dataclass
class TouchResult:
    touchpoint_id: int
    kind: str
    status: str
    person: str
    connection_id: int
    guard: GuardResult
    completed_planned: bool = False  # a log that completed an existing planned touch of that kind
    created: bool = True
    next_due_at: datetime | None = None
    lint: dict | None = None  # pitch_score of the message, when one was given

    def as_json(self) -> dict:
        d = asdict(self)
        d["next_due_at"] = self.next_due_at.isoformat() if self.next_due_at else None
        return d


def _person(session: Session, connection_id: int) -> Connection:
    person = session.get(Connection, connection_id)
    if person is None:
        raise PlannerError(f"no person with id {connection_id}")
    return person


def _check_links(session: Session, entry_id: int | None, event_id: int | None) -> None:
    if entry_id is not None and session.get(Entry, entry_id) is None:
        raise PlannerError(f"no entry with id {entry_id}")
    if event_id is not None and session.get(Event, event_id) is None:
        raise PlannerError(f"no event with id {event_id}")


def _lint(message: str) -> dict | None:
    if not message.strip():
        return None
    from planner.services.pitch import pitch_score

    return pitch_score(message).as_json()


def _guard(session: Session, person: Connection, kind: TouchKind, now: datetime, force: bool) -> GuardResult:
    guard = check_ask(session, person.id, kind.value, now)
    if not guard.allowed and not force:
        raise AskTooEarly(person.full_name, kind.value, guard)
    return guard


def log_touch(
    session: Session, connection_id: int, kind: str, now: datetime, *, when: datetime | None = None, note: str = "",
    message: str = "", entry_id: int | None = None, event_id: int | None = None, force: bool = False,
) -> TouchResult:
    """Record a contact that happened (``when`` may be in the past: the cadence restarts from it).

    A planned touch of the same kind for this person is completed rather than duplicated. An ask
    that comes too early raises :class:`AskTooEarly` unless ``force``.
    """
    touch_kind = parse_kind(kind)
    person = _person(session, connection_id)
    when = when or now
    if when.tzinfo is None:
        raise PlannerError("the touch date needs a time zone")
    if when > now + timedelta(minutes=5):
        raise PlannerError(f"{when:%Y-%m-%d} is in the future: plan the touch instead of logging it")
    _check_links(session, entry_id, event_id)
    guard = _guard(session, person, touch_kind, min(now, when), force)
    planned = session.exec(
        select(Touchpoint).where(
            Touchpoint.connection_id == person.id, Touchpoint.kind == touch_kind.value,
            Touchpoint.status == TouchStatus.PLANNED.value,
        ).order_by(Touchpoint.due_at, Touchpoint.id)
    ).first()
    if planned is not None:
        from planner.store.versioning import bump, load_for_edit

        # locked like every edit (FOR UPDATE on PostgreSQL): a teammate completing or skipping
        # the same planned touch at the same moment waits, then sees it is no longer planned
        touch = load_for_edit(session, Touchpoint, planned.id)
        if touch.status != TouchStatus.PLANNED.value:
            raise ConflictError(
                f"touchpoint {touch.id} was marked {touch.status} by someone else just now; run the command again"
            )
        touch.status, touch.done_at = TouchStatus.DONE.value, when
        touch.note = note or touch.note
        touch.message = message or touch.message
        touch.entry_id = entry_id or touch.entry_id
        touch.event_id = event_id or touch.event_id
        bump(touch, now)
    else:
        touch = Touchpoint(
            connection_id=person.id, kind=touch_kind.value, status=TouchStatus.DONE.value, due_at=when, done_at=when,
            note=note, message=message, entry_id=entry_id, event_id=event_id, source="manual", manual=True,
            created_at=now, updated_at=now,
        )
    session.add(touch)
    session.flush()
    due = cadence_service.due_infos(session, now, [person.id], include_archived=True)
    return TouchResult(
        touch.id, touch.kind, touch.status, person.full_name, person.id, guard, completed_planned=planned is not None,
        next_due_at=due[0].next_due_at if due else None, lint=_lint(touch.message),
    )


def plan_touch(
    session: Session, connection_id: int, kind: str, due_at: datetime, now: datetime, *, message: str = "",
    note: str = "", entry_id: int | None = None, event_id: int | None = None, force: bool = False,
    source: str = "manual",
) -> TouchResult:
    """Plan a touch for later. An ask that would come too early raises :class:`AskTooEarly`
    unless ``force`` (the guard is judged as of the planned date)."""
    touch_kind = parse_kind(kind)
    person = _person(session, connection_id)
    if due_at.tzinfo is None:
        raise PlannerError("the due date needs a time zone")
    _check_links(session, entry_id, event_id)
    guard = _guard(session, person, touch_kind, max(due_at, now), force)
    touch = Touchpoint(
        connection_id=person.id, kind=touch_kind.value, status=TouchStatus.PLANNED.value, due_at=due_at,
        note=note, message=message, entry_id=entry_id, event_id=event_id, source=source, manual=True,
        created_at=now, updated_at=now,
    )
    session.add(touch)
    session.flush()
    return TouchResult(touch.id, touch.kind, touch.status, person.full_name, person.id, guard, lint=_lint(message))


def accept_suggestion(session: Session, connection_id: int, now: datetime, due_at: datetime | None = None) -> TouchResult:
    """Turn the current suggestion for a person into a planned touchpoint (once: accepting the
    same suggestion again returns the touchpoint already planned)."""
    person = _person(session, connection_id)
    guard = GuardResult(True, [], 0, None)
    pending = session.exec(
        select(Touchpoint).where(Touchpoint.connection_id == person.id, Touchpoint.source == "suggestion",
                                 Touchpoint.status == TouchStatus.PLANNED.value).order_by(Touchpoint.id)
    ).first()
    if pending is not None:  # one accepted suggestion at a time: pressing the key twice plans nothing twice
        return TouchResult(pending.id, pending.kind, pending.status, person.full_name, person.id, guard, created=False)
    suggestion = suggest_actions(session, [person.id], now).get(person.id)
    if suggestion is None:
        raise PlannerError(f"no suggestion for {person.full_name}")
    existing = session.exec(
        select(Touchpoint).where(
            Touchpoint.connection_id == person.id, Touchpoint.kind == suggestion.kind,
            Touchpoint.status == TouchStatus.PLANNED.value,
            Touchpoint.entry_id == suggestion.entry_id if suggestion.entry_id else Touchpoint.entry_id.is_(None),
            Touchpoint.event_id == suggestion.event_id if suggestion.event_id else Touchpoint.event_id.is_(None),
        ).order_by(Touchpoint.id)
    ).first()
    if existing is not None:
        return TouchResult(existing.id, existing.kind, existing.status, person.full_name, person.id, guard, created=False)
    if due_at is None:  # the next free working-hours time within the daily capacity, not this minute
        from planner.services.planning import next_touch_slot

        due_at = next_touch_slot(session, now)
    result = plan_touch(
        session, person.id, suggestion.kind, due_at, now, message=suggestion.message, note=suggestion.reason,
        entry_id=suggestion.entry_id, event_id=suggestion.event_id, source="suggestion",
    )
    return result


# --- editing people --------------------------------------------------------------------------------


def valid_tiers(session: Session) -> list[str]:
    return list(cadence_service.tier_cadences(session))


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


# --- one person in full --------------------------------------------------------------------------------


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
            "id": self.id, "name": self.name, "headline": self.headline, "position": self.position,
            "company": self.company, "previous_position": self.previous_position,
            "previous_company": self.previous_company,
            "job_changed_at": self.job_changed_at.isoformat() if self.job_changed_at else None,
            "profile_url": self.profile_url, "email": self.email,
            "connected_on": self.connected_on.isoformat() if self.connected_on else None,
            "tier": self.tier, "tags": self.tags, "notes": self.notes, "version": self.version,
            "cadence_days": self.due.cadence_days, "cadence_source": self.due.cadence_source,
            "last_contact_at": self.due.last_contact_at.isoformat() if self.due.last_contact_at else None,
            "next_due_at": self.due.next_due_at.isoformat(), "status": self.due.marker or "ok",
            "overdue_days": round(self.due.overdue_days, 2),
            "ledger": self.ledger.as_json(),
            "touchpoints": [t.as_json() for t in self.touchpoints],
            "suggestion": self.suggestion.as_json() if self.suggestion else None,
            "pitch_guard": {"min_gives": self.guard_min_gives, "min_days": self.guard_min_days},
        }


def person_detail(session: Session, connection_id: int, now: datetime) -> PersonDetail:
    person = _person(session, connection_id)
    due = cadence_service.due_infos(session, now, [person.id], include_archived=True)[0]
    ledger = ledgers(session, [person.id], now)[person.id]
    rows = session.exec(
        select(Touchpoint, Entry.title, Event.title)
        .outerjoin(Entry, Entry.id == Touchpoint.entry_id)
        .outerjoin(Event, Event.id == Touchpoint.event_id)
        .where(Touchpoint.connection_id == person.id)
    ).all()
    touches = [
        TouchView(t.id, t.kind, t.status, t.due_at, t.done_at, t.note, t.message, t.entry_id, t.event_id, etitle, evtitle,
                  t.source, t.version)
        for t, etitle, evtitle in rows
    ]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    touches.sort(key=lambda t: (t.when or epoch, t.id), reverse=True)
    min_gives, min_days = guard_settings(session)
    return PersonDetail(
        id=person.id, name=person.full_name, first_name=person.first_name, last_name=person.last_name,
        headline=person.headline, position=person.position, company=person.company,
        previous_position=person.previous_position, previous_company=person.previous_company,
        job_changed_at=person.job_changed_at, profile_url=person.profile_url, email=person.email,
        connected_on=person.connected_on, tier=person.tier, tags=_tags_by_person(session, [person.id]).get(person.id, []),
        notes=person.notes, version=person.version, due=due, ledger=ledger, touchpoints=touches,
        suggestion=suggest_actions(session, [person.id], now).get(person.id),
        guard_min_gives=min_gives, guard_min_days=min_days,
    )


# --- the people table ------------------------------------------------------------------------------------


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
        return {"id": self.id, "name": self.name, "first_name": self.first_name, "last_name": self.last_name,
                "company": self.company, "position": self.position, "profile_url": self.profile_url,
                "connected_on": self.connected_on.isoformat() if self.connected_on else None,
                "tier": self.tier, "tags": self.tags, **{k: v for k, v in self.due.as_json().items()
                                                          if k not in ("connection_id", "name", "tier")},
                "ledger": self.ledger.as_json()}


@dataclass
class NetworkPage:
    rows: list[NetworkRow] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int | None = None


def _filtered_ids(session: Session, search: str | None, tag: str | None, order_by_name: bool):
    q = select(Connection.id).where(Connection.archived == False)
    if tag:
        q = q.join(ConnectionTag, ConnectionTag.connection_id == Connection.id).join(Tag, Tag.id == ConnectionTag.tag_id)
        q = q.where(func.lower(Tag.name) == tag.strip().lower())
    if search:
        like = f"%{search.strip().lower()}%"
        q = q.where(or_(
            func.lower(Connection.first_name + " " + Connection.last_name).like(like),
            func.lower(Connection.company).like(like),
            func.lower(Connection.position).like(like),
            func.lower(Connection.headline).like(like),
        ))
    if order_by_name:
        q = q.order_by(func.lower(Connection.last_name), func.lower(Connection.first_name), Connection.id)
    return q


def network_page(
    session: Session, now: datetime, *, search: str | None = None, tag: str | None = None, only: str | None = None,
    limit: int | None = 100, offset: int = 0,
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
        contacts = {cid: max(t for t in (b.last_give_at, b.last_ask_at) if t)
                    for cid, b in books.items() if b.last_give_at or b.last_ask_at}
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
        keep = keep[offset: offset + limit] if limit else keep[offset:]
        ids = [d.connection_id for d in keep]
        dues = {d.connection_id: d for d in keep}
        books = ledgers(session, ids, now)
    wanted = set(ids)
    q = select(Connection.id, Connection.company, Connection.position, Connection.first_name, Connection.last_name,
               Connection.profile_url, Connection.connected_on)
    people = {row[0]: row for row in _rows_for(session, q, Connection.id, sorted(wanted), wanted)}
    tags = _tags_by_person(session, ids)
    rows = [
        NetworkRow(cid, dues[cid].name, people[cid][1], people[cid][2], dues[cid].tier, tags.get(cid, []), dues[cid],
                   books.get(cid, Ledger()), *people[cid][3:])
        for cid in ids if cid in dues and cid in people
    ]
    return NetworkPage(rows=rows, total=total, offset=offset, limit=limit)


def tag_names(session: Session) -> list[str]:
    return list(session.exec(select(Tag.name).order_by(func.lower(Tag.name))))


__all__ = [
    "AskTooEarly", "GuardResult", "Ledger", "NetworkPage", "NetworkRow", "OverallLedger", "PersonDetail",
    "Suggestion", "TouchResult", "TouchView", "accept_suggestion", "check_ask", "edit_person", "guard_settings",
    "ledgers", "log_touch", "network_page", "overall_ledger", "parse_kind", "person_detail", "plan_touch",
    "suggest_actions", "tag_names", "valid_tiers", "words",
]
