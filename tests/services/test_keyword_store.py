"""Keyword extraction over the store, with the real packaged model."""

from __future__ import annotations

import json

import sqlalchemy as sa
from helpers import EXAMPLES, FIXED_NOW
from sqlmodel import select
from typer.testing import CliRunner

from planner.cli import app
from planner.models import Entry, EntryKeyword
from planner.services import feeds as feed_service
from planner.services import keywords as kw


def _load_feed(store, name="platform-weekly.xml"):
    with store.transaction() as session:
        feed_service.add_feed(session, str(EXAMPLES / "feeds" / name), topic="Platform Engineering")
    return feed_service.refresh(store, now=FIXED_NOW)


def test_extraction_is_incremental_and_idempotent(store, extractor):
    _load_feed(store)
    assert store.call(kw.count_pending, extractor.model_name) == 15
    first = kw.extract_pending(store, extractor, limit=5)
    assert first.extracted == 5 and store.call(kw.count_pending, extractor.model_name) == 10
    rest = kw.extract_pending(store, extractor)
    assert rest.extracted == 10
    again = kw.extract_pending(store, extractor)
    assert again.extracted == 0  # a rerun does nothing
    with store.session() as session:
        entries = session.exec(select(Entry)).all()
        assert all(e.embedding and len(e.embedding) == 384 * 4 for e in entries)
        assert all(e.keywords_model == extractor.model_name for e in entries)
        per_entry = session.exec(select(EntryKeyword.entry_id, sa.func.count()).group_by(EntryKeyword.entry_id)).all()
        assert len(per_entry) == 15 and all(n >= 5 for _, n in per_entry)


def test_an_edited_entry_is_extracted_again_and_only_it(store, extractor):
    _load_feed(store)
    kw.extract_pending(store, extractor)
    with store.transaction() as session:
        entry = session.exec(select(Entry).order_by(Entry.id)).first()
        entry.summary = "Kubernetes cost allocation with FinOps showback for platform teams."
        entry.content_hash = "edited"
        session.add(entry)
        edited_id = entry.id
    assert store.call(kw.count_pending, extractor.model_name) == 1
    kw.extract_pending(store, extractor)
    phrases = [p for p, _ in store.call(kw.entry_keywords, edited_id)]
    assert any("cost" in p or "finops" in p or "kubernetes" in p for p in phrases), phrases


def test_trends_find_what_the_demo_feeds_push_this_week(demo_settings):
    from planner.store import open_store

    store = open_store(demo_settings.db_url)
    trends = store.call(kw.topic_trends, FIXED_NOW, "Site Reliability")
    names = [t.keyword for t in trends]
    assert any("incident triage" in n or "llm observability" in n for n in names[:5]), names
    top = trends[0]
    assert top.series[-1] == top.count and top.lift > 1
    store.dispose()


def test_matching_ranks_the_obviously_relevant_entry_first(demo_settings, extractor):
    from planner.models import Connection, ConnectionTag, Tag
    from planner.store import open_store

    store = open_store(demo_settings.db_url)
    with store.transaction() as session:
        person = Connection(
            first_name="Test",
            last_name="Person",
            position="Community manager",
            notes="Runs developer meetups and cares about community health metrics",
        )
        session.add(person)
        session.flush()
        tag = session.exec(select(Tag).where(Tag.name == "community")).first() or Tag(name="community")
        session.add(tag)
        session.flush()
        session.add(ConnectionTag(connection_id=person.id, tag_id=tag.id))
        pid = person.id
    matches = store.call(kw.matches_for_people, [pid], FIXED_NOW, extractor, top_k=3)[pid]
    assert matches, "someone with clear interests gets matches"
    with store.session() as session:
        best = session.get(Entry, matches[0].entry_id)
    assert "community" in (best.title + best.summary).lower() or "meetup" in (best.title + best.summary).lower()
    assert matches[0].reason
    store.dispose()


def test_cli_keywords_for_files_and_trends_json(tmp_path, demo_settings):
    runner = CliRunner()
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Error budgets and SLOs tell a platform team when to slow down releases.")
    b.write_text("Our meetup grew by inviting first-time speakers and pairing them with mentors.")
    result = runner.invoke(
        app,
        ["--db", demo_settings.db_url, "keywords", "for", "--file", str(a), "--file", str(b), "--top", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["source"] for d in data] == [str(a), str(b)]
    assert all(len(d["keywords"]) == 3 for d in data)
    trends = runner.invoke(app, ["--db", demo_settings.db_url, "keywords", "trends", "--json"])
    assert trends.exit_code == 0
    assert isinstance(json.loads(trends.output), list)
    missing = runner.invoke(app, ["--db", demo_settings.db_url, "keywords", "for"])
    assert missing.exit_code == 1 and "give TEXT or --file" in missing.output


def _add_person(store, **fields):
    from planner.models import Connection

    with store.transaction() as session:
        person = Connection(**fields)
        session.add(person)
        session.flush()
        return person.id


def test_person_interests_are_embedded_incrementally(store, extractor):
    from planner.models import Connection
    from planner.services import people

    pid = _add_person(store, first_name="Ada", position="Site Reliability Engineer", notes="on-call health")
    blank = _add_person(store, first_name="Bo")
    assert store.call(kw.count_people_pending) == 2
    assert kw.refresh_person_vectors(store, extractor) == 2
    assert store.call(kw.count_people_pending) == 0
    assert kw.refresh_person_vectors(store, extractor) == 0  # a rerun does nothing
    with store.session() as session:
        ada, bo = session.get(Connection, pid), session.get(Connection, blank)
        assert len(ada.interest_embedding) == 384 * 4 and ada.interest_hash
        assert bo.interest_embedding is None and bo.interest_hash  # nothing to embed, but looked at
    with store.transaction() as session:
        people.edit_person(session, pid, FIXED_NOW, notes="now runs the developer community")
    assert kw.refresh_person_vectors(store, extractor) == 1  # an edit is picked up by the next run


def test_suggestions_share_what_the_embedding_matches(store, extractor):
    """No word of the person's interests occurs in the entry: only the embedding can match them."""
    from helpers import add_feed

    from planner.services import suggestions, touches

    with store.transaction() as session:
        feed = add_feed(session, "Ops")
        for i, (title, summary) in enumerate(
            [
                ("Sourdough starters for beginners", "Feeding schedules, flour and hydration for a lively starter."),
                (
                    "Blameless postmortems after an outage",
                    "Writing up what went wrong when production broke at 3am, "
                    "pager fatigue, and how to learn from failure without blaming engineers.",
                ),
                ("Quarterly tax filing tips for freelancers", "Receipts, deductions and deadlines."),
            ]
        ):
            session.add(
                Entry(
                    feed_id=feed.id,
                    guid=f"g{i}",
                    title=title,
                    summary=summary,
                    content_hash=f"h{i}",
                    published_at=FIXED_NOW - __import__("datetime").timedelta(days=2 + i),
                )
            )
    pid = _add_person(
        store,
        first_name="Ada",
        position="Site Reliability Engineer",
        notes="cares about incident response and healthy on-call rotations",
    )
    kw.extract_pending(store, extractor)
    with store.session() as session:
        got = suggestions.suggest_actions(session, [pid], FIXED_NOW)[pid]
        entry = session.get(Entry, got.entry_id) if got.entry_id else None
    assert got.kind == "share_content", got
    assert entry is not None and entry.title.startswith("Blameless postmortems")
    assert got.reason == "close to their interests (similar topic)"
    assert "Blameless postmortems" in got.message
    with store.transaction() as session:  # once shared, it is not suggested again
        touches.log_touch(session, pid, "share_content", FIXED_NOW, entry_id=got.entry_id)
    with store.session() as session:
        assert suggestions.suggest_actions(session, [pid], FIXED_NOW)[pid].entry_id != got.entry_id


def test_progress_counts_entries_then_people(store, extractor):
    _load_feed(store)
    _add_person(store, first_name="Ada", position="SRE")
    _add_person(store, first_name="Bo", notes="community meetups")
    seen: list[tuple[int, int]] = []
    summary = kw.extract_pending(store, extractor, progress=lambda done, total: seen.append((done, total)))
    assert (summary.extracted, summary.people) == (15, 2)
    assert seen[0] == (0, 15) and seen[-1] == (17, 17)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # never goes backwards
