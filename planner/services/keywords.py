"""Keyword intelligence over the store: incremental extraction, trends, and matching people to entries.

The extractor (``planner.adapters.keywords``) is the only thing that touches the model; it is
passed in, or built lazily by :func:`make_extractor` (services.engines), so importing this
module stays cheap.
Extraction runs batch by batch, each batch its own transaction: a run killed half-way keeps what
it finished, and the next run picks up exactly the entries still pending (new, edited, or
extracted with another model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Connection, ConnectionTag, Entry, EntryKeyword, Feed, Keyword, Tag, pk_col

# the extractor's factories live in services.engines (no ORM there: `lint` and `keywords for`
# start without SQLAlchemy); re-exported for the callers that have a store anyway
from planner.services.engines import BULK_BACKEND, engine_model_name, engine_name, make_embedder, make_extractor  # noqa: E402,F401

BATCH = 64
PEOPLE_BATCH = 256
TOP_N = 10


def entry_text(title: str, summary: str) -> str:
    title = (title or "").strip()
    summary = (summary or "").strip()
    if title and summary:
        return f"{title}. {summary}"
    return title or summary


def _pending_query(model_name: str, everything: bool):
    q = select(col(Entry.id), col(Entry.title), col(Entry.summary), col(Entry.content_hash)).order_by(
        col(Entry.published_at).desc().nulls_last(), col(Entry.id).desc()
    )
    if not everything:
        q = q.where(
            sa.or_(
                col(Entry.keywords_hash).is_(None),
                col(Entry.keywords_hash) != col(Entry.content_hash),
                col(Entry.keywords_model).is_(None),
                col(Entry.keywords_model) != model_name,
            )
        )
    return q


def count_pending(session: Session, model_name: str) -> int:
    return session.exec(select(func.count()).select_from(_pending_query(model_name, False).subquery())).one()


@dataclass
class ExtractionSummary:
    extracted: int = 0
    pending_before: int = 0
    keywords: int = 0
    model: str = ""
    people: int = 0  # people whose interests were (re-)embedded for matching

    def as_json(self) -> dict:
        return {
            "extracted": self.extracted,
            "pending_before": self.pending_before,
            "keywords": self.keywords,
            "model": self.model,
            "people": self.people,
        }


def extract_pending(
    store,
    extractor,
    *,
    everything: bool = False,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    top_n: int = TOP_N,
) -> ExtractionSummary:
    """Extract keywords for new or changed entries (all with ``everything``), newest first."""
    model = extractor.model_name
    with store.session() as session:
        rows = session.exec(_pending_query(model, everything)).all()
    if limit is not None:
        rows = rows[:limit]
    summary = ExtractionSummary(pending_before=len(rows), model=model)
    total = len(rows)
    if progress:
        progress(0, total)
    for start in range(0, total, BATCH):
        batch = rows[start : start + BATCH]
        results = extractor.extract([entry_text(title, summ) for _, title, summ, _ in batch], top_n=top_n)
        with store.transaction() as session:
            summary.keywords += _store_batch(session, batch, results, model)
        summary.extracted += len(batch)
        if progress:
            progress(summary.extracted, total)
    # then the people whose interests changed, counted on after the entries in the same progress
    summary.people = refresh_person_vectors(
        store, extractor, progress=(lambda done, people: progress(total + done, total + people)) if progress else None
    )
    return summary


def _store_batch(session: Session, batch, results, model: str) -> int:
    phrases = sorted({p for r in results for p, _ in r.keywords})
    ids = _keyword_ids(session, phrases)
    entry_ids = [row[0] for row in batch]
    session.execute(sa.delete(EntryKeyword).where(col(EntryKeyword.entry_id).in_(entry_ids)))
    links = []
    for (entry_id, _, _, content_hash), result in zip(batch, results, strict=True):
        for rank, (phrase, score) in enumerate(result.keywords, start=1):
            links.append({"entry_id": entry_id, "keyword_id": ids[phrase], "score": float(score), "rank": rank})
        session.execute(
            sa.update(Entry)
            .where(col(Entry.id) == entry_id)
            .values(keywords_hash=content_hash, keywords_model=model, embedding=result.embedding)
        )
    if links:
        session.execute(sa.insert(EntryKeyword), links)
    return len(links)


def _keyword_ids(session: Session, phrases: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i in range(0, len(phrases), 500):
        chunk = phrases[i : i + 500]
        ids.update(
            {
                p: kid
                for kid, p in session.exec(
                    select(pk_col(Keyword.id), col(Keyword.phrase)).where(col(Keyword.phrase).in_(chunk))
                )
            }
        )
    missing = [p for p in phrases if p not in ids]
    if missing:
        from planner.words import keyword_key

        session.execute(sa.insert(Keyword), [{"phrase": p, "merge_key": keyword_key(p)} for p in missing])
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            ids.update(
                {
                    p: kid
                    for kid, p in session.exec(
                        select(pk_col(Keyword.id), col(Keyword.phrase)).where(col(Keyword.phrase).in_(chunk))
                    )
                }
            )
    return ids


def entry_keywords(session: Session, entry_id: int, limit: int = TOP_N) -> list[tuple[str, float]]:
    rows = session.exec(
        select(col(Keyword.phrase), col(EntryKeyword.score))
        .join(EntryKeyword, col(EntryKeyword.keyword_id) == col(Keyword.id))
        .where(col(EntryKeyword.entry_id) == entry_id)
        .order_by(col(EntryKeyword.rank))
        .limit(limit)
    )
    return [(p, round(s, 4)) for p, s in rows]


# --- trends ---------------------------------------------------------------------------------------


TREND_DAYS = 7  # the window "rising" compares with the four before it
TREND_PER_ENTRY = 5  # an entry's top keywords that count
RISING_LIMIT = 12  # keywords a "what is rising" list shows


def rising_now(
    session: Session,
    now: datetime,
    topic: str | None = None,
    limit: int = RISING_LIMIT,
    days: int = TREND_DAYS,
    min_support: int = 3,
):
    """What is rising now: the one list Discover's panel, `planner keywords trends` and the weekly
    review's step 3 show (the last TREND_DAYS days against the four windows before)."""
    return topic_trends(session, now, topic, days=days, min_support=min_support, per_entry=TREND_PER_ENTRY, limit=limit)


def topic_trends(
    session: Session,
    now: datetime,
    topic: str | None = None,
    days: int = 7,
    min_support: int = 3,
    per_entry: int = 5,
    limit: int = 20,
):
    """Keywords rising in a topic (all topics together when None): this window vs the previous
    four (see services.trends)."""
    topic_id = None
    if topic:
        from planner.services.feeds import get_topic

        topic_id = get_topic(session, topic).id
    found = _trends(session, now, days, min_support, per_entry, topic_id=topic_id)
    return found.get(None, [])[:limit]


def _trends(
    session: Session, now: datetime, days: int, min_support: int, per_entry: int, *, topic_id: int | None
) -> dict:
    """Counted in SQL, per window, grouped by the keywords' stored merge key: only the
    groups with enough support this window come back to Python (100,000 entries: 2.6 s in Python
    before, see docs/BENCHMARKS.md). Keywords without a stored key (restored from an old backup)
    are keyed here."""
    from collections import Counter, defaultdict

    from planner.services.trends import trends_from, window_bounds
    from planner.words import keyword_key

    bounds = window_bounds(now, days)
    oldest = bounds[0] - timedelta(days=days)
    unkeyed = "="  # prefix of the rows whose key is computed here (a key is only [a-z0-9+#])
    key = func.coalesce(col(Keyword.merge_key), unkeyed + col(Keyword.phrase))
    group_topic = sa.null()  # one group of all topics (or the one asked for): the rows keep their shape
    windows = [
        func.sum(
            case(
                (and_(col(Entry.published_at) > (bounds[i - 1] if i else oldest), col(Entry.published_at) <= bound), 1),
                else_=0,
            )
        )
        for i, bound in enumerate(bounds)
    ]

    def scoped(q):
        q = (
            q.join(EntryKeyword, col(EntryKeyword.keyword_id) == col(Keyword.id))
            .join(Entry, col(Entry.id) == col(EntryKeyword.entry_id))
            .where(
                col(Entry.published_at) > oldest, col(Entry.published_at) <= now, col(EntryKeyword.rank) <= per_entry
            )
        )
        if topic_id is not None:
            q = q.join(Feed, col(Feed.id) == col(Entry.feed_id)).where(col(Feed.topic_id) == topic_id)
        return q

    def merged(raw: str) -> str:
        return keyword_key(raw[1:]) if raw.startswith(unkeyed) else raw

    groups = [key]
    # 1. the groups with enough support this window (a fifth of the rows, grouped by the key)
    current = (
        scoped(select(group_topic, key, func.count()))
        .where(col(Entry.published_at) > bounds[-2])
        .group_by(*groups)
        .having(sa.or_(func.count() >= min_support, func.min(key).like(unkeyed + "%")))
    )
    support: dict[tuple, int] = defaultdict(int)
    for tid, raw, n in session.connection().execute(current):
        support[(tid, merged(raw))] += int(n)
    kept = {g for g, n in support.items() if g[1] and n >= min_support}
    wanted = sorted({k for _, k in kept})
    # 2. their counts per window and their spellings, through the merge_key index
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(bounds))
    surfaces: dict[tuple, Counter] = defaultdict(Counter)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        spelled = (
            scoped(select(group_topic, key, col(Keyword.phrase), *windows))
            .where(
                sa.or_(
                    col(Keyword.merge_key).in_(chunk), col(Keyword.merge_key).is_(None) if start == 0 else sa.false()
                )
            )
            .group_by(*groups, col(Keyword.phrase))
        )
        for tid, raw, phrase, *series in session.connection().execute(spelled):
            group = (tid, merged(raw))
            if group in kept:
                counts[group] = [a + int(b or 0) for a, b in zip(counts[group], series, strict=True)]
                surfaces[group][" ".join(phrase.lower().split())] += sum(int(b or 0) for b in series)
    out: dict = {}
    for tid in {g[0] for g in counts}:
        mine = {g[1]: v for g, v in counts.items() if g[0] == tid}
        out[tid] = trends_from(mine, {g[1]: c for g, c in surfaces.items() if g[0] == tid}, min_support)
    return out


# --- matching -------------------------------------------------------------------------------------


def interests(session: Session, person_ids: list[int] | None = None) -> dict[int, tuple[str, list[str]]]:
    """What each person cares about, as text to embed and as terms (their tags) to overlap with
    keywords; all people not archived when ``person_ids`` is None. Batched: two queries."""
    from planner.services.matching import tag_term

    q = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
        col(Connection.id),
        col(Connection.position),
        col(Connection.headline),
        col(Connection.company),
        col(Connection.notes),
    )
    tq = select(col(ConnectionTag.connection_id), col(Tag.name)).join(Tag, col(Tag.id) == col(ConnectionTag.tag_id))
    if person_ids is None:
        q = q.where(col(Connection.archived) == False)  # noqa: E712
    else:  # a few people (a match, a detail): read their rows only
        q = q.where(col(Connection.id).in_(sorted(set(person_ids))))
        tq = tq.where(col(ConnectionTag.connection_id).in_(sorted(set(person_ids))))
    tags: dict[int, list[str]] = {}
    for pid, name in session.exec(tq.order_by(col(ConnectionTag.connection_id), col(Tag.name))):
        tags.setdefault(pid, []).append(tag_term(name))
    out: dict[int, tuple[str, list[str]]] = {}
    for pid, position, headline, company, notes in session.exec(q.order_by(col(Connection.id))):
        terms = tags.get(pid, [])
        parts = (position, headline if headline != position else "", company, ", ".join(terms), notes)
        out[pid] = (". ".join(x.strip() for x in parts if x and x.strip()), terms)
    return out


def person_interests(session: Session, person_id: int) -> tuple[str, list[str]]:
    found = interests(session, [person_id])
    if person_id not in found:
        raise PlannerError(f"no person with id {person_id}")
    return found[person_id]


def _interest_hash(model: str, text: str) -> str:
    import hashlib

    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()


def count_people_pending(session: Session) -> int:
    """People whose interests were never embedded (edits are caught by the next refresh)."""
    return session.exec(
        select(func.count())
        .select_from(Connection)
        .where(col(Connection.archived) == False, col(Connection.interest_hash).is_(None))  # noqa: E712
    ).one()


def refresh_person_vectors(store, extractor, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed the interests of people whose text (or the model) changed since the last run; each
    batch its own transaction. Returns how many people were embedded."""
    model = extractor.model_name
    with store.session() as session:
        wanted = interests(session)
        stored = dict(
            session.exec(
                select(col(Connection.id), col(Connection.interest_hash)).where(col(Connection.archived) == False)
            ).all()
        )  # noqa: E712
    pending = []
    for pid, (text, _) in wanted.items():
        digest = _interest_hash(model, text)
        if stored.get(pid) != digest:
            pending.append((pid, text, digest))
    done = 0
    for start in range(0, len(pending), PEOPLE_BATCH):
        batch = pending[start : start + PEOPLE_BATCH]
        live = [row for row in batch if row[1]]
        vectors = extractor.embed([text for _, text, _ in live]) if live else []
        by_id = {pid: vectors[i].tobytes() for i, (pid, _, _) in enumerate(live)}
        with store.transaction() as session:
            for pid, _, digest in batch:
                session.execute(
                    sa.update(Connection)
                    .where(col(Connection.id) == pid)
                    .values(interest_embedding=by_id.get(pid), interest_hash=digest)
                )
        done += len(batch)
        if progress:
            progress(done, len(pending))
    return done


def fresh_entry_vectors(session: Session, now: datetime, days: int = 21, limit: int = 2000):
    """Recent, not dismissed entries that have an embedding, with their keywords."""
    from planner.services.matching import EntryVector

    rows = session.exec(
        select(pk_col(Entry.id), col(Entry.embedding))
        .where(
            col(Entry.embedding).is_not(None),
            col(Entry.is_dismissed) == False,
            col(Entry.published_at) >= now - timedelta(days=days),  # noqa: E712
        )
        .order_by(col(Entry.published_at).desc())
        .limit(limit)
    ).all()
    ids = [r[0] for r in rows]
    words: dict[int, list[str]] = {i: [] for i in ids}
    for i in range(0, len(ids), 500):
        for eid, phrase in session.exec(
            select(col(EntryKeyword.entry_id), col(Keyword.phrase))
            .join(Keyword, col(Keyword.id) == col(EntryKeyword.keyword_id))
            .where(col(EntryKeyword.entry_id).in_(ids[i : i + 500]))
            .order_by(col(EntryKeyword.entry_id), col(EntryKeyword.rank))
        ):
            words[eid].append(phrase)
    return [EntryVector(entry_id=eid, embedding=emb, keywords=words[eid]) for eid, emb in rows]


def matches_for_people(
    session: Session, person_ids: list[int], now: datetime, extractor=None, top_k: int = 3, days: int = 21
) -> dict[int, list]:
    """For each person, the fresh entries that fit their interests, each with its reason.

    Uses the interest vectors keyword extraction stored; ``extractor`` (optional) embeds the
    interests of people who have none yet, without storing them."""
    import numpy as np

    from planner.services.matching import match_entries

    entries = fresh_entry_vectors(session, now, days=days)
    if not entries or not person_ids:
        return {pid: [] for pid in person_ids}
    wanted = interests(session, person_ids)
    missing = [pid for pid in person_ids if pid not in wanted]
    if missing:
        raise PlannerError(f"no person with id {missing[0]}")
    stored = dict(
        session.exec(
            select(col(Connection.id), col(Connection.interest_embedding)).where(col(Connection.id).in_(person_ids))
        ).all()
    )
    unembedded = [pid for pid in person_ids if not stored.get(pid)]
    if unembedded and extractor is not None:
        fresh = extractor.embed([wanted[pid][0] or "professional networking" for pid in unembedded])
        stored.update({pid: fresh[i] for i, pid in enumerate(unembedded)})
    zero = np.zeros(len(np.frombuffer(entries[0].embedding, dtype=np.float32)), dtype=np.float32)
    return {
        pid: match_entries(zero if stored.get(pid) is None else stored[pid], wanted[pid][1], entries, top_k=top_k)
        for pid in person_ids
    }
