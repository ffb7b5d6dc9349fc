"""Backup → restore reproduces generated worlds exactly (hypothesis), on SQLite and PostgreSQL.

Each example fills the source store with a generated world (hostile unicode, markup and emoji in
names and titles, aware datetimes in many zones with microseconds, bytes, floats, links between
tables), writes the JSON backup to a file, restores it into a second, separate database and
compares every table. It also checks the stored values against what was generated, so a lossy
store (naive times, truncated text) cannot hide behind a backup that is lossy the same way.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from planner import models as m
from planner.models import ALL_TABLES
from planner.store import open_store
from planner.store.backup import dump, restore_file, write_backup

# Text the app can hold: any unicode except NUL (PostgreSQL text refuses it; ingest strips it)
# and lone surrogates (not encodable), mixed with the fragments hostile input is made of.
HOSTILE = [
    "[/]",
    "[bold]",
    "[link=https://x]",
    "\x1b[31m",
    "🚀",
    "👩🏽‍💻",
    "Zoë",
    "O'Neill",
    "\u202e",
    "‮abc",
    "'; DROP TABLE connection; --",
    "\\",
    '"',
    "\t",
    "\n",
    "Ω≈ç√",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "%s %d {0}",
    "null",
]
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
text = st.one_of(
    st.text(_chars, max_size=40),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(_chars, max_size=5)), max_size=6).map("".join),
)
# the years planner accepts at every door (planner.dates), a day inside them so any zone stays inside too
aware = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.timezones())
maybe_aware = st.none() | aware
small_int = st.integers(min_value=-(2**31), max_value=2**31 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _unique(strategy, min_size=0, max_size=4):
    return st.lists(strategy, min_size=min_size, max_size=max_size, unique_by=lambda s: s.casefold())


@st.composite
def worlds(draw):
    w: dict = {}
    w["topics"] = draw(_unique(text.filter(bool), 1, 3))
    n_topics = len(w["topics"])
    topic_ref = st.none() | st.integers(0, n_topics - 1)
    w["feeds"] = [
        {
            "url": f"https://feeds.example/{i}?q={draw(st.text(_chars, max_size=8))}",
            "title": draw(text),
            "topic": draw(topic_ref),
            "last_fetched_at": draw(maybe_aware),
            "etag": draw(st.none() | text),
            "failure_count": draw(st.integers(0, 100)),
            "enabled": draw(st.booleans()),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    w["entries"] = [
        {
            "feed": draw(st.integers(0, len(w["feeds"]) - 1)),
            "guid": f"id:{i}:{draw(text)}",
            "title": draw(text),
            "summary": draw(text),
            "published_at": draw(maybe_aware),
            "fetched_at": draw(aware),
            "is_read": draw(st.booleans()),
            "embedding": draw(st.none() | st.binary(max_size=48)),
            "content_hash": draw(text),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    w["keywords"] = draw(_unique(text.filter(bool), 0, 3))
    w["entry_keywords"] = (
        draw(
            st.lists(
                st.tuples(
                    st.integers(0, max(len(w["entries"]) - 1, 0)),
                    st.integers(0, max(len(w["keywords"]) - 1, 0)),
                    finite,
                    small_int,
                ),
                max_size=4,
                unique_by=lambda t: t[:2],
            )
        )
        if w["entries"] and w["keywords"]
        else []
    )
    w["tags"] = draw(_unique(text.filter(bool), 0, 3))
    w["people"] = [
        {
            "first_name": draw(text),
            "last_name": draw(text),
            "company": draw(text),
            "notes": draw(text),
            "profile_url": f"https://www.linkedin.com/in/p{i}-{uuid.UUID(int=draw(st.integers(0, 2**64))).hex[:6]}"
            if draw(st.booleans())
            else None,
            "connected_on": draw(st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))),
            "job_changed_at": draw(maybe_aware),
            "updated_at": draw(aware),
            "version": draw(st.integers(1, 2**31 - 1)),
            "cadence_days": draw(st.none() | small_int),
            "archived": draw(st.booleans()),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    w["connection_tags"] = (
        draw(
            st.lists(
                st.tuples(st.integers(0, max(len(w["people"]) - 1, 0)), st.integers(0, max(len(w["tags"]) - 1, 0))),
                max_size=4,
                unique=True,
            )
        )
        if w["people"] and w["tags"]
        else []
    )
    w["groups"] = draw(_unique(text.filter(bool), 0, 2))
    w["events"] = [
        {"title": draw(text), "starts_at": draw(aware), "ends_at": draw(maybe_aware)}
        for _ in range(draw(st.integers(0, 2)))
    ]
    w["posts"] = [
        {
            "title": draw(text),
            "body": draw(text),
            "status": draw(st.sampled_from([s.value for s in m.PostStatus])),
            "scheduled_at": draw(maybe_aware),
            "hashtags": draw(text),
            "manual": draw(st.booleans()),
            "source_entry": draw(st.none() | st.integers(0, max(len(w["entries"]) - 1, 0))) if w["entries"] else None,
            "priority": draw(small_int),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    w["touchpoints"] = [
        {
            "person": draw(st.integers(0, len(w["people"]) - 1)),
            "kind": draw(st.sampled_from([k.value for k in m.TouchKind])),
            "status": draw(st.sampled_from([s.value for s in m.TouchStatus])),
            "due_at": draw(maybe_aware),
            "done_at": draw(maybe_aware),
            "note": draw(text),
            "message": draw(text),
            "post": draw(st.none() | st.integers(0, max(len(w["posts"]) - 1, 0))) if w["posts"] else None,
        }
        for _ in range(draw(st.integers(0, 4) if w["people"] else st.just(0)))
    ]
    w["strategy"] = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "name": text,
                "updated_at": aware,
                "slots": st.lists(
                    st.fixed_dictionaries(
                        {"weekday": st.integers(0, 6), "local_time": st.sampled_from(["08:30", "23:59", "00:00"])}
                    ),
                    max_size=3,
                ),
            }
        )
    )
    w["reviews"] = draw(st.lists(st.fixed_dictionaries({"completed_at": maybe_aware, "decisions": text}), max_size=2))
    return w


def _insert(session, w) -> None:
    topics = [m.Topic(name=n) for n in w["topics"]]
    session.add_all(topics)
    session.flush()
    feeds = [
        m.Feed(
            url=f["url"],
            title=f["title"],
            topic_id=topics[f["topic"]].id if f["topic"] is not None else None,
            last_fetched_at=f["last_fetched_at"],
            etag=f["etag"],
            failure_count=f["failure_count"],
            enabled=f["enabled"],
        )
        for f in w["feeds"]
    ]
    session.add_all(feeds)
    session.flush()
    entries = [
        m.Entry(
            feed_id=feeds[e["feed"]].id,
            guid=e["guid"],
            title=e["title"],
            summary=e["summary"],
            published_at=e["published_at"],
            fetched_at=e["fetched_at"],
            is_read=e["is_read"],
            embedding=e["embedding"],
            content_hash=e["content_hash"],
        )
        for e in w["entries"]
    ]
    keywords = [m.Keyword(phrase=p) for p in w["keywords"]]
    tags = [m.Tag(name=n) for n in w["tags"]]
    people = [m.Connection(**p) for p in w["people"]]
    groups = [m.CommunityGroup(name=n) for n in w["groups"]]
    events = [m.Event(**e) for e in w["events"]]
    session.add_all([*entries, *keywords, *tags, *people, *groups, *events])
    session.flush()
    session.add_all(
        [
            m.EntryKeyword(entry_id=entries[e].id, keyword_id=keywords[k].id, score=score, rank=rank)
            for e, k, score, rank in w["entry_keywords"]
        ]
    )
    session.add_all([m.ConnectionTag(connection_id=people[p].id, tag_id=tags[t].id) for p, t in w["connection_tags"]])
    posts = [
        m.Post(
            title=p["title"],
            body=p["body"],
            status=p["status"],
            scheduled_at=p["scheduled_at"],
            hashtags=p["hashtags"],
            manual=p["manual"],
            priority=p["priority"],
            source_entry_id=entries[p["source_entry"]].id if p["source_entry"] is not None else None,
        )
        for p in w["posts"]
    ]
    session.add_all(posts)
    session.flush()
    session.add_all(
        [
            m.Touchpoint(
                connection_id=people[t["person"]].id,
                kind=t["kind"],
                status=t["status"],
                due_at=t["due_at"],
                done_at=t["done_at"],
                note=t["note"],
                message=t["message"],
                post_id=posts[t["post"]].id if t["post"] is not None else None,
            )
            for t in w["touchpoints"]
        ]
    )
    if w["strategy"]:
        strategy = m.Strategy(name=w["strategy"]["name"], updated_at=w["strategy"]["updated_at"])
        session.add(strategy)
        session.flush()
        session.add_all([m.Slot(strategy_id=strategy.id, **s) for s in w["strategy"]["slots"]])
    session.add_all([m.Review(week=f"2026-W{i + 10}", **r) for i, r in enumerate(w["reviews"])])
    session.flush()


def _clear(store) -> None:
    with store.engine.begin() as conn:
        for model in reversed(ALL_TABLES):
            conn.execute(model.__table__.delete())


def _utc_iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


@pytest.fixture
def target_url(tmp_path):
    """A second, empty database of the same kind as the test store."""
    pg = os.environ.get("PLANNER_TEST_PG")
    if not pg:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    from sqlalchemy.engine import make_url

    name = "planner_restore_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_backup_restore_reproduces_generated_worlds(store, target_url, tmp_path, world):
    _clear(store)
    with store.transaction() as session:
        _insert(session, world)
    source = dump(store)["tables"]

    # the store kept exactly what was generated (text, instants to the microsecond, bytes)
    assert [(p["first_name"], p["last_name"], p["notes"]) for p in source["connection"]] == [
        (p["first_name"], p["last_name"], p["notes"]) for p in world["people"]
    ]
    assert [p["job_changed_at"] for p in source["connection"]] == [
        _utc_iso(p["job_changed_at"]) for p in world["people"]
    ]
    assert [e["published_at"] for e in source["entry"]] == [_utc_iso(e["published_at"]) for e in world["entries"]]
    assert [t["name"] for t in source["topic"]] == world["topics"]
    assert sum(len(rows) for rows in source.values()) >= len(world["topics"]) + len(world["feeds"])

    path = tmp_path / "world.json"
    write_backup(store, path)
    target = open_store(target_url)
    try:
        restore_file(target, path, replace=True)
        assert dump(target)["tables"] == source
    finally:
        target.dispose()
