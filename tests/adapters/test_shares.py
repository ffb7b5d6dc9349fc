"""LinkedIn Shares.csv: the per-line doubled quotes, dates, bad rows, and dedupe on re-import."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from planner.adapters.shares import clean_commentary, parse_shares, read_shares
from planner.errors import PlannerError
from planner.models import Post
from planner.services.shares import import_shares

SHARES = (
    "\ufeffDate,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    '2025-03-14 09:12:45,https://www.linkedin.com/feed/update/urn:li:share:1,"""Error budgets are a conversation.""\n'
    '""""\n'
    '""Three things I learned:""\n'
    '""1) write the policy \u201cbefore\u201d the incident""",,,MEMBER_NETWORK\n'
    '2025-04-02 17:00:01,https://www.linkedin.com/feed/update/urn:li:activity:2,"""Great read on [bold]platform[/] teams""",'
    "https://example.com/platform,,CONNECTIONS\n"
    "not a date,https://www.linkedin.com/feed/update/urn:li:share:3,hello,,,MEMBER_NETWORK\n"
    '2025-05-01 08:00:00,,"Plain single line with ""a quote"" inside \x1b[31mred",,,MEMBER_NETWORK\n'
)


def test_multiline_commentary_is_unwrapped():
    result = parse_shares(SHARES)
    first = result.records[0]
    assert (
        first.commentary
        == "Error budgets are a conversation.\n\nThree things I learned:\n1) write the policy \u201cbefore\u201d the incident"
    )
    assert first.shared_at == datetime(2025, 3, 14, 9, 12, 45, tzinfo=UTC)
    assert result.records[1].commentary == "Great read on [bold]platform[/] teams"  # literal, not markup
    assert result.records[1].shared_url == "https://example.com/platform"


def test_bad_rows_are_named_and_others_survive():
    result = parse_shares(SHARES)
    assert len(result.records) == 3
    assert result.problems == [
        "Shares.csv line 7: unrecognised date 'not a date' (expected like '2025-03-14 09:12:45'); row skipped"
    ]
    plain = result.records[2]
    assert (
        plain.commentary == 'Plain single line with "a quote" inside red'
    )  # not wrapped: inner quotes kept, escapes gone
    assert plain.link is None


def test_clean_commentary_leaves_unwrapped_text_alone():
    assert (
        clean_commentary('"quoted" start and end "quoted"\nsecond line')
        == '"quoted" start and end "quoted"\nsecond line'
    )
    assert clean_commentary('"one"\n"two"') == "one\ntwo"
    assert clean_commentary("") == ""


def test_not_a_shares_file(tmp_path):
    with pytest.raises(PlannerError, match="is this LinkedIn's Shares.csv"):
        parse_shares("First Name,Last Name\nA,B\n")
    with pytest.raises(PlannerError, match="no such file"):
        read_shares(tmp_path / "missing.csv")


def test_import_creates_published_posts_and_dedupes(store, now):
    records = parse_shares(SHARES).records
    first = store.call(import_shares, records, now)
    again = store.call(import_shares, records, now)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with store.session() as s:
        posts = s.exec(select(Post).order_by(Post.published_at)).all()
    assert [p.status for p in posts] == ["published"] * 3
    assert [p.pillar for p in posts] == ["thought_leadership", "content_share", "thought_leadership"]
    assert posts[0].title == "Error budgets are a conversation." and posts[0].url.endswith("share:1")
    assert posts[1].body.endswith("https://example.com/platform")
    # an edited commentary on LinkedIn updates the same post
    records[0].commentary = "Edited."
    changed = store.call(import_shares, records, now)
    assert (changed.added, changed.updated) == (0, 1)


def test_a_stray_quote_costs_its_row_not_the_rest_of_the_file():
    """Issue 15: a quote opening a row's date swallowed every later share into one field."""
    rows = [
        f"2025-03-{1 + i % 28:02d} 09:00:00,https://www.linkedin.com/feed/update/urn:li:share:{i},"
        f"Post number {i},,,MEMBER_NETWORK\n"
        for i in range(300)
    ]
    rows[2] = '"' + rows[2]
    result = parse_shares("Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n" + "".join(rows))
    assert len(result.records) == 299
    assert len(result.problems) == 1 and result.problems[0].startswith("Shares.csv line 4: ")
    assert all(r.commentary.startswith("Post number") and "\n" not in r.commentary for r in result.records)


def test_a_batched_shares_import_matches_one_and_a_failure_part_way_takes_it_all_back(store, now):
    """Shares go through the journaled batches of a big import (store.journal): the same result
    as one transaction, and a batch that fails undoes the batches before it, updates included."""
    from planner.services.shares import import_shares_batched

    records = parse_shares(SHARES).records
    store.call(import_shares, records[:1], now)
    with store.session() as s:
        before = [(p.id, p.body, p.version) for p in s.exec(select(Post).order_by(Post.id))]
    records[0].commentary = "Edited."
    # the last batch fails (a record no parser makes: no link, no date), after three have committed
    broken = [*records, dataclasses.replace(records[1], line=99, link=None, shared_at=None)]
    with pytest.raises(AttributeError):
        import_shares_batched(store, broken, now, batch=1)
    with store.session() as s:
        assert [(p.id, p.body, p.version) for p in s.exec(select(Post).order_by(Post.id))] == before
    report = import_shares_batched(store, records, now, batch=1)
    assert (report.added, report.updated, report.unchanged) == (2, 1, 0)
    from planner.store.journal import journal_table

    with store.read_connection() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(journal_table)).scalar() == 0
