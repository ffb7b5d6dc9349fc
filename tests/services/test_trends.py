from __future__ import annotations

from datetime import UTC, datetime, timedelta

from planner.services.trends import Trend, rising_keywords

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def test_rising_keyword_with_series_baseline_and_lift():
    occurrences = [("observability", at(1))] * 6 + [("observability", at(10))] * 2
    steady = (1, 2, 3, 8, 9, 10, 15, 16, 17, 22, 23, 24, 29, 30, 31)  # 3 per window: not rising
    occurrences += [("kubernetes", at(d)) for d in steady]
    trends = rising_keywords(occurrences, NOW)
    assert trends == [Trend("observability", 6, 0.5, round(7 / 1.5, 4), (0, 0, 0, 2, 6))]


def test_min_support_and_window_edges():
    occurrences = [("edge ai", at(0.5))] * 2 + [("edge ai", at(40))] * 9 + [("later", at(-1))] * 5
    assert rising_keywords(occurrences, NOW) == []
    assert [t.keyword for t in rising_keywords(occurrences, NOW, min_support=2)] == ["edge ai"]


def test_near_duplicates_merge_plural_and_spacing():
    occurrences = [
        ("AI ops", at(1)),
        ("aiops", at(2)),
        ("AIOps", at(2)),
        ("ai-ops", at(3)),
        ("incident responses", at(1)),
        ("incident response", at(2)),
        ("Incident Response", at(3)),
    ]
    trends = rising_keywords(occurrences, NOW)
    assert {(t.keyword, t.count) for t in trends} == {("aiops", 4), ("incident response", 3)}


def test_order_is_deterministic_and_days_configurable():
    occurrences = [(k, at(0.5)) for k in ("beta", "alpha", "gamma") for _ in range(3)]
    occurrences += [("gamma", at(1.5))] * 3  # falls in the previous 1-day window
    trends = rising_keywords(reversed(occurrences), NOW, days=1)
    assert [t.keyword for t in trends] == ["alpha", "beta", "gamma"]
    assert trends[-1].series == (0, 0, 0, 3, 3)


def test_sql_trends_equal_the_python_definition(store):
    """topic_trends counts in SQL by the stored merge key; it must agree with rising_keywords on
    the same occurrences, including keywords with no stored key (restored from an old backup)."""
    import random

    from helpers import add_feed
    from sqlmodel import select

    from planner.models import Entry, EntryKeyword, Keyword, Topic
    from planner.services.keywords import _keyword_ids, topic_trends

    rng = random.Random(7)
    words = [
        "AI ops",
        "aiops",
        "ai-ops",
        "incident response",
        "incident responses",
        "kubernetes",
        "slo",
        "slos",
        "error budget",
        "platform team",
        "platform teams",
        "tracing",
    ]
    with store.transaction() as session:
        feed = add_feed(session, "T")
        session.add(Topic(name="Quiet"))  # a topic with nothing rising
        session.flush()
        ids = _keyword_ids(session, [w.lower() for w in words])
        session.get(Keyword, ids["slos"]).merge_key = None  # as if restored from an old backup
        session.get(Keyword, ids["aiops"]).merge_key = None
        for i in range(300):
            entry = Entry(
                feed_id=feed.id,
                guid=f"g{i}",
                title=str(i),
                content_hash=str(i),
                published_at=NOW - timedelta(days=rng.uniform(-2, 40)),
            )
            session.add(entry)
            session.flush()
            for rank, w in enumerate(rng.sample(words, 4), start=1):
                session.add(EntryKeyword(entry_id=entry.id, keyword_id=ids[w.lower()], score=0.5, rank=rank))
    with store.session() as session:
        occurrences = list(
            session.exec(
                select(Keyword.phrase, Entry.published_at)
                .join(EntryKeyword, EntryKeyword.keyword_id == Keyword.id)
                .join(Entry, Entry.id == EntryKeyword.entry_id)
            )
        )
    for days, support in ((7, 3), (3, 2), (10, 5)):
        expected = rising_keywords(occurrences, NOW, days=days, min_support=support)
        assert expected, "the synthetic history must have rising keywords"
        got = store.call(topic_trends, NOW, "T", days=days, min_support=support, per_entry=5, limit=100)
        assert got == expected
        assert store.call(topic_trends, NOW, None, days=days, min_support=support, limit=100) == expected
