"""Every shared feed corpus goes through parse_feed_bytes (in the process pool) without an
exception. Counts were measured with feedparser 6.0.14 and no chardet installed; a feedparser
upgrade may move them, which is worth a look, not a blind update.
"""

from __future__ import annotations

import collections
from datetime import UTC, datetime
from pathlib import Path

import pytest

from planner.adapters.feeds import (
    NotAFeedError,
    parse_feed_bytes,
    parse_many,
    shutdown_parse_pool,
)
from planner.adapters.feeds.fastparse import _fast_parse

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FEEDPARSER_TESTS = DATA / "feedparser-tests" / "tests"
REAL_FEEDS = DATA / "feeds"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def feeds_stop_pool():
    yield
    shutdown_parse_pool()


def outcome_counts(paths: list[Path], base_url: str) -> tuple[collections.Counter, list]:
    docs = [(p.read_bytes(), {}, base_url + p.name) for p in paths]
    results = parse_many(docs, now=NOW)
    counts: collections.Counter = collections.Counter()
    for kind, value in results:
        if kind == "error":
            assert value.startswith("not a feed: "), value  # never a crash message
            counts["error"] += 1
        else:
            counts["with_entries" if value.entries else "empty"] += 1
            counts["warning"] += bool(value.warning)
            for entry in value.entries:
                assert entry.guid and entry.content_hash
                for text in (entry.title, entry.summary, entry.author or ""):
                    assert "\x1b" not in text and "\x00" not in text
    return counts, results


@pytest.mark.slow
@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason=f"shared corpus not found: {FEEDPARSER_TESTS}")
def test_feedparser_corpus_parses_without_exception():
    paths = sorted(FEEDPARSER_TESTS.rglob("*.xml"))
    assert len(paths) == 2106
    counts, _ = outcome_counts(paths, "http://127.0.0.1:8097/")
    # "empty" are recognised feeds without entries (most cases test feed-level elements);
    # "error" are documents with no feed at all (parse_feed_bytes' "not a feed: ...").
    assert counts["with_entries"] == 1194
    assert counts["empty"] == 904
    assert counts["error"] == 8
    assert counts["warning"] == 275


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason=f"shared feeds not found: {REAL_FEEDS}")
def test_real_feeds_parse_with_entries():
    paths = sorted(p for p in REAL_FEEDS.iterdir() if p.suffix in (".xml", ".rss", ".atom"))
    assert len(paths) == 26
    counts, results = outcome_counts(paths, "http://example.com/")
    assert counts == {"with_entries": 26, "warning": 3}
    by_name = {p.name: parsed for p, (_, parsed) in zip(paths, results, strict=True)}
    assert sum(len(p.entries) for p in by_name.values()) == 1339
    assert len(by_name["rss-parser__giantbomb-podcast.rss"].entries) == 730
    assert by_name["node-feedparser__iconv.xml"].feed_title.startswith("Новости Оренбурга")
    assert by_name["rss-parser__uolNoticias.rss"].warning == (
        "encoding: document declared as utf-8, but parsed as windows-1252"
    )
    # a blank line before the XML declaration: feedparser (this one: a misspelt iTunes
    # namespace sends it there) counts one line more than the fast path (the other)
    assert by_name["rss-parser__itunes-missing-image.rss"].warning == (
        "malformed XML at line 3: XML or text declaration not at start of entity"
    )
    assert by_name["rss-parser__itunes-keywords-astext.rss"].warning == (
        "malformed XML at line 2: XML or text declaration not at start of entity"
    )


FIELDS = ("guid", "link", "title", "summary", "author", "published_at")


def _outcome(data: bytes, fast: bool):
    try:
        parsed = parse_feed_bytes(data, {}, "http://127.0.0.1:8097/feed", now=NOW, fast=fast)
    except NotAFeedError as exc:
        return ("not a feed", str(exc))
    return (parsed.feed_title, parsed.warning, [tuple(getattr(e, f) for f in FIELDS) for e in parsed.entries])


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason=f"shared feeds not found: {REAL_FEEDS}")
def test_fast_path_agrees_with_feedparser_on_real_feeds():
    fast_used = 0
    for path in sorted(p for p in REAL_FEEDS.iterdir() if p.suffix in (".xml", ".rss", ".atom")):
        data = path.read_bytes()
        fast_used += _fast_parse(data, "application/xml", "http://x/") is not None
        fast, slow = _outcome(data, True), _outcome(data, False)
        if path.name == "rss-parser__reddit-home.rss":
            # feedparser resolves the relative Atom id "t3_42tizy" against an xml:base that
            # leaked from a sibling element ("/t3_42tizy"); the fast path keeps the id as written
            fast_ids = [e[0] for e in fast[2]]
            assert fast_ids == [e[0].replace("id:/", "id:") for e in slow[2]]
            assert [e[1:] for e in fast[2]] == [e[1:] for e in slow[2]]
            continue
        if fast[1] and slow[1]:
            # a blank line before the XML declaration: the fast path names its real line,
            # feedparser one line further down; same finding
            assert fast[1].split(":", 1)[1] == slow[1].split(":", 1)[1]
            fast, slow = fast[::2], slow[::2]
        assert fast == slow, path.name
    assert fast_used == 18  # of 26: the rest are non-UTF-8, use dc:title, or are broken


@pytest.mark.slow
@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason=f"shared corpus not found: {FEEDPARSER_TESTS}")
def test_fast_path_agrees_with_feedparser_on_its_own_corpus():
    differ = []
    for path in sorted(FEEDPARSER_TESTS.rglob("*.xml")):
        data = path.read_bytes()
        if _outcome(data, True) != _outcome(data, False):
            differ.append(str(path.relative_to(FEEDPARSER_TESTS)))
    # Edge cases only (feedparser's own quirks: <link> without href as a link, the first of
    # two <updated>, tags stripped from type="text" content, double-decoded mojibake ...).
    assert sorted(differ) == [
        "encoding/double-encoded-html.xml",
        "wellformed/atom/entry_updated_multiple_values.xml",
        "wellformed/atom10/entry_content_text_plain_brackets.xml",
        "wellformed/atom10/entry_link_no_href.xml",
        "wellformed/atom10/entry_link_no_href_link_priority.xml",
        "wellformed/atom10/entry_link_rel_enclosure_no_href.xml",
        "wellformed/node_precedence/atom10_id.xml",
        "wellformed/rss/item_category_image.xml",
        "wellformed/rss/item_guid_isPermaLink_ValueError.xml",
    ]
