"""Keyset paging of entries (Discover's deep pages): same rows, same order as one big list."""

from __future__ import annotations

from datetime import timedelta

from helpers import FIXED_NOW, add_feed

from planner.models import Entry
from planner.services import entries as entries_service


def test_keyset_pages_equal_the_full_list_with_ties_and_undated_entries(store):
    with store.transaction() as session:
        feed = add_feed(session, "Paging")
        stamps = [FIXED_NOW - timedelta(hours=h) for h in (1, 1, 1, 2, 3, 3)] + [None, None, None]
        for i, at in enumerate(stamps * 3):  # ties on every timestamp, and undated entries
            session.add(
                Entry(
                    feed_id=feed.id,
                    guid=f"g{i}",
                    title=f"e{i}",
                    content_hash=str(i),
                    published_at=at,
                    is_dismissed=(i == 5),
                )
            )
    everything = store.call(entries_service.list_entries, limit=None)
    assert len(everything) == 26  # 27 minus the dismissed one
    for page in (1, 4, 7):
        seen, after = [], None
        while True:
            rows = store.call(entries_service.list_entries, limit=page, after=after)
            seen.extend(rows)
            if len(rows) < page:
                break
            after = (rows[-1].published_at, rows[-1].id)
        assert [r.id for r in seen] == [r.id for r in everything]
    assert everything[-1].published_at is None and everything[0].published_at == FIXED_NOW - timedelta(hours=1)
