"""Suggestions: one concrete value-first next action per person, and why.

Rules in priority order, each a function that proposes or passes: congratulate a recent job
change, share a recent entry that matches their interests, invite to an upcoming event, else a
check-in. The facts the rules read are loaded once for any number of people (a handful of
batched queries), so a page of 200 or a review of 10,000 costs the same few reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from planner.models import (
    Connection,
    ConnectionTag,
    Entry,
    EntryKeyword,
    Event,
    EventRole,
    Keyword,
    Tag,
    Tier,
    TouchKind,
    Touchpoint,
    TouchStatus,
    pk_col,
)
from planner.services.cadence import chunks, rows_for_people
from planner.services.ledger import DEFAULT_PITCH_MIN_DAYS
from planner.services.matching import tag_term
from planner.store.reader import utc_value
from planner.words import STOP_WORDS, words

JOB_CHANGE_WINDOW_DAYS = 90  # a job change older than this is no longer news
ENTRY_WINDOW_DAYS = 30  # entries worth sharing are recent
EVENT_WINDOW_DAYS = 30  # events worth inviting to are soon
ENTRY_CANDIDATES = 400


@dataclass
class Suggestion:
    connection_id: int
    kind: str  # a TouchKind value
    reason: str
    message: str
    entry_id: int | None = None
    event_id: int | None = None


# Besides the shared stop words: the words of job titles and company names, which say nothing of
# what a person cares about ("senior", "engineering", "inc").
_NOT_INTERESTS = STOP_WORDS | frozenset(
    [
        "chief",
        "co",
        "company",
        "director",
        "engineer",
        "engineering",
        "head",
        "how's",
        "inc",
        "it's",
        "lead",
        "ltd",
        "manager",
        "principal",
        "senior",
        "staff",
        "team",
        "teams",
        "vp",
        "vs",
        "work",
        "works",
        "working",
    ]
)


def _interests(text: str) -> set[str]:
    """The words of a title, a note or a tag that may say what a person cares about."""
    return words(text, ignore=_NOT_INTERESTS)


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


def tags_by_person(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    wanted = set(ids)
    q = (
        select(col(ConnectionTag.connection_id), col(Tag.name))
        .join(Tag, col(Tag.id) == col(ConnectionTag.tag_id))
        .order_by(col(ConnectionTag.connection_id), col(Tag.name))
    )
    for cid, name in rows_for_people(session, q, col(ConnectionTag.connection_id), sorted(wanted)):
        out.setdefault(cid, []).append(name)
    return out


@dataclass(frozen=True)
class _RecentEntry:
    id: int
    title: str
    link: str | None
    words: set[str]  # of the title and the keywords
    embedding: bytes | None
    keywords: list[str]


@dataclass(frozen=True)
class _UpcomingEvent:
    id: int
    title: str
    starts_at: datetime
    role: str
    words: set[str]


@dataclass(frozen=True)
class _Person:
    id: int
    first_name: str
    company: str | None
    position: str | None
    headline: str | None
    notes: str | None
    tier: str
    job_changed_at: datetime | None
    connected_on: date | None
    interest_embedding: bytes | None


def _recent_entries(session: Session, now: datetime) -> list[_RecentEntry]:
    """Recent entries worth sharing, newest first."""
    since = now - timedelta(days=ENTRY_WINDOW_DAYS)
    rows = session.exec(
        select(pk_col(Entry.id), col(Entry.title), col(Entry.link), col(Entry.embedding))
        .where(
            col(Entry.is_dismissed) == False, or_(col(Entry.published_at) >= since, col(Entry.published_at).is_(None))
        )
        .where(or_(col(Entry.published_at).is_(None), col(Entry.published_at) <= now))
        .order_by(col(Entry.published_at).desc(), col(Entry.id).desc())
        .limit(ENTRY_CANDIDATES)
    ).all()
    kws: dict[int, list[str]] = {}
    ids = [r[0] for r in rows]
    for chunk in chunks(ids):
        for eid, phrase in session.exec(
            select(col(EntryKeyword.entry_id), col(Keyword.phrase))
            .join(Keyword, col(Keyword.id) == col(EntryKeyword.keyword_id))
            .where(col(EntryKeyword.entry_id).in_(chunk))
            .order_by(col(EntryKeyword.entry_id), col(EntryKeyword.rank))
        ):
            kws.setdefault(eid, []).append(phrase)
    return [
        _RecentEntry(
            eid,
            title or "",
            link,
            _interests(title) | _interests(" ".join(kws.get(eid, []))),
            embedding,
            kws.get(eid, []),
        )
        for eid, title, link, embedding in rows
    ]


def _embedding_matches(
    people: dict[int, _Person],
    tags: dict[int, list[str]],
    entries: list[_RecentEntry],
    shared: set[tuple[int, int]],
) -> dict[int, tuple[float, int, list[str]]]:
    """Through the keyword matching service: for each person whose interests are embedded, the
    best recent entry not yet shared with them, as (score, entry index, shared tag terms)."""
    from planner.services.matching import MIN_SCORE, EntryVector, score_entries

    usable = [i for i, e in enumerate(entries) if e.embedding]
    persons = [cid for cid, person in people.items() if person.interest_embedding]
    if not usable or not persons:
        return {}
    vectors = [EntryVector(entries[i].id, entries[i].embedding, entries[i].keywords) for i in usable]
    column = {entries[i].id: j for j, i in enumerate(usable)}
    given: dict[int, list[int]] = {}  # person -> columns of entries already shared with them
    for cid, eid in shared:
        if eid in column:
            given.setdefault(cid, []).append(column[eid])
    out: dict[int, tuple[float, int, list[str]]] = {}
    for start in range(0, len(persons), 1000):  # bounds the people x entries array
        part = persons[start : start + 1000]
        terms = [[tag_term(t) for t in tags.get(cid, [])] for cid in part]
        scores, shared_terms = score_entries(
            [(people[cid].interest_embedding, terms[k]) for k, cid in enumerate(part)], vectors
        )
        for k, cid in enumerate(part):
            row = scores[k]
            if cid in given:
                row = row.copy()
                row[given[cid]] = -1.0
            j = int(row.argmax())  # the first maximum: newest entry wins a tie
            if row[j] >= MIN_SCORE:
                out[cid] = (float(row[j]), usable[j], shared_terms(k, j))
    return out


@dataclass
class _Facts:
    """What the rules read, for every person asked about at once."""

    now: datetime
    people: dict[int, _Person]
    tags: dict[int, list[str]]
    entries: list[_RecentEntry]
    events: list[_UpcomingEvent]
    embedded: dict[int, tuple[float, int, list[str]]]  # person -> (score, entry index, shared terms)
    shared: set[tuple[int, int]] = field(default_factory=set)  # (person, entry) already shared
    invited: set[tuple[int, int]] = field(default_factory=set)  # (person, event) already invited to
    congratulated_at: dict[int, datetime] = field(default_factory=dict)
    contacted: set[int] = field(default_factory=set)  # people with any touch done


def _load_facts(session: Session, ids: list[int], now: datetime) -> _Facts:
    people: dict[int, _Person] = {}
    for chunk in chunks(ids):
        for (
            cid,
            first,
            last,
            company,
            position,
            headline,
            notes,
            tier,
            job_changed_at,
            connected_on,
            embedding,
        ) in session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
                col(Connection.id),
                col(Connection.first_name),
                col(Connection.last_name),
                col(Connection.company),
                col(Connection.position),
                col(Connection.headline),
                col(Connection.notes),
                col(Connection.tier),
                col(Connection.job_changed_at),
                col(Connection.connected_on),
                col(Connection.interest_embedding),
            ).where(col(Connection.id).in_(chunk))
        ):
            people[cid] = _Person(
                cid,
                first or last or "there",
                company,
                position,
                headline,
                notes,
                tier,
                utc_value(job_changed_at),
                connected_on,
                embedding,
            )
    tags = tags_by_person(session, ids)
    entries = _recent_entries(session, now)
    events = [
        _UpcomingEvent(eid, title, utc_value(starts), role, _interests(title))
        for eid, title, starts, role in session.exec(
            select(pk_col(Event.id), col(Event.title), col(Event.starts_at), col(Event.role))
            .where(col(Event.starts_at) > now, col(Event.starts_at) <= now + timedelta(days=EVENT_WINDOW_DAYS))
            .order_by(col(Event.starts_at), col(Event.id))
        )
    ]
    facts = _Facts(now, people, tags, entries, events, embedded={})
    for chunk in chunks(ids):
        q = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Touchpoint.connection_id),
            col(Touchpoint.kind),
            col(Touchpoint.status),
            col(Touchpoint.entry_id),
            col(Touchpoint.event_id),
            col(Touchpoint.created_at),
            col(Touchpoint.done_at),
        ).where(col(Touchpoint.connection_id).in_(chunk), col(Touchpoint.status) != TouchStatus.SKIPPED.value)
        for cid, kind, status, entry_id, event_id, created_at, done_at in session.exec(q):
            if status == TouchStatus.DONE.value:
                facts.contacted.add(cid)
            if entry_id:
                facts.shared.add((cid, entry_id))
            if event_id:
                facts.invited.add((cid, event_id))
            if kind == TouchKind.CONGRATULATE.value:
                at = utc_value(done_at or created_at)
                if at and (cid not in facts.congratulated_at or at > facts.congratulated_at[cid]):
                    facts.congratulated_at[cid] = at
    facts.embedded = _embedding_matches(people, tags, entries, facts.shared)
    return facts


def _interest(person: _Person, facts: _Facts) -> _Interest:
    return _Interest(
        tags={w for t in facts.tags.get(person.id, []) for w in _interests(tag_term(t))},
        notes=_interests(person.notes or ""),
        role=_interests(f"{person.position} {person.headline}"),
    )


def _congratulate(person: _Person, facts: _Facts) -> Suggestion | None:
    """A recent job change not yet congratulated."""
    changed = person.job_changed_at
    # a change dated after now (year 9999, stored raw past the validators) tells nothing
    if not changed or changed > facts.now or facts.now - changed > timedelta(days=JOB_CHANGE_WINDOW_DAYS):
        return None
    last = facts.congratulated_at.get(person.id)
    if last is not None and last >= changed:
        return None
    role = " at ".join(p for p in (person.position, person.company) if p)
    return Suggestion(
        person.id,
        TouchKind.CONGRATULATE.value,
        f"changed jobs {(facts.now - changed).days} days ago" + (f" (now {role})" if role else ""),
        f"Congratulations on the new role{' as ' + role if role else ''}, {person.first_name}! "
        "Hope the first weeks are going well.",
    )


def _share_entry(person: _Person, facts: _Facts) -> Suggestion | None:
    """A recent entry that matches their interests, not shared with them before: by the matching
    service (embedding similarity + their tags among the entry's keywords) when keyword
    extraction has embedded their interests, else their words in the entry."""
    interest = _interest(person, facts)
    best: tuple[float, _RecentEntry, list[str]] | None = None
    if person.id in facts.embedded:
        score, index, terms = facts.embedded[person.id]
        entry = facts.entries[index]
        best = (score, entry, terms or interest.overlap(entry.words)[1])
    else:
        for entry in facts.entries:
            if (person.id, entry.id) in facts.shared:
                continue
            score, hits = interest.overlap(entry.words)
            if score >= 2.0 and (best is None or score > best[0]):
                best = (score, entry, hits)
    if best is None:
        return None
    _, entry, hits = best
    about = ", ".join(hits[:3])
    reason = f"matches their interests: {about}" if about else "close to their interests (similar topic)"
    return Suggestion(
        person.id,
        TouchKind.SHARE_CONTENT.value,
        reason,
        f"Hi {person.first_name}, saw this and thought of you"
        + (f" ({about})" if about else "")
        + f": \u201c{entry.title}\u201d"
        + (f" {entry.link}" if entry.link else ""),
        entry_id=entry.id,
    )


def _invite(person: _Person, facts: _Facts) -> Suggestion | None:
    """An upcoming event: one on their interests, or one we host for close people."""
    interest = _interest(person, facts)
    close = person.tier in (Tier.INNER.value, Tier.ACTIVE.value)
    for event in facts.events:
        if (person.id, event.id) in facts.invited:
            continue
        hosting = event.role == EventRole.HOSTING.value
        if interest.overlap(event.words)[0] >= 1.0 or (hosting and close):
            verb = "hosting" if hosting else "going to"
            return Suggestion(
                person.id,
                TouchKind.INVITE_TO_EVENT.value,
                f"upcoming event on {event.starts_at:%a %d %b}: {event.title}",
                f"Hi {person.first_name}, I'm {verb} \u201c{event.title}\u201d on {event.starts_at:%a %d %b} and "
                "thought of you. Would be great to see you there.",
                event_id=event.id,
            )
    return None


def _check_in(person: _Person, facts: _Facts) -> Suggestion:
    """A plain check-in: interest in them for someone new, a warm word for everyone else."""
    at = f" at {person.company}" if person.company else ""
    new = person.connected_on and (facts.now.date() - person.connected_on).days <= DEFAULT_PITCH_MIN_DAYS
    if person.id not in facts.contacted and new:
        return Suggestion(
            person.id,
            TouchKind.CHECK_IN.value,
            "connected recently: start with interest in them, not an ask",
            f"Hi {person.first_name}, glad we connected. What are you focused on{at} these days?",
        )
    return Suggestion(
        person.id,
        TouchKind.CHECK_IN.value,
        "nothing specific to share yet: a short check-in keeps the relationship warm",
        f"Hi {person.first_name}, it's been a while. How are things{at}? Anything you're working on that I could help with?",
    )


RULES: tuple[Callable[[_Person, _Facts], Suggestion | None], ...] = (_congratulate, _share_entry, _invite, _check_in)


def suggest_actions(session: Session, connection_ids: list[int], now: datetime) -> dict[int, Suggestion]:
    """One concrete value-first next action per person: the first rule of RULES that proposes one."""
    ids = sorted(set(connection_ids))
    if not ids:
        return {}
    facts = _load_facts(session, ids, now)
    out: dict[int, Suggestion] = {}
    for cid in ids:
        person = facts.people.get(cid)
        if person is None:
            continue
        out[cid] = next(s for s in (rule(person, facts) for rule in RULES) if s is not None)
    return out
