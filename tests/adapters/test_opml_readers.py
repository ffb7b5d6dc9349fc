"""OPML as real exporters write it: feed URLs without a scheme, the URL attribute spelt another way."""

from __future__ import annotations

import pytest

from planner.adapters.opml import parse_opml


def outlines(*attrs: str) -> bytes:
    body = "\n".join(f"<outline {a}/>" for a in attrs)
    return f'<?xml version="1.0"?><opml version="2.0"><body>\n{body}\n</body></opml>'.encode()


@pytest.mark.parametrize("attr", ["xmlUrl", "xmlurl", "XMLURL", "XmlUrl", "feedUrl", "feedurl", "FEEDURL"])
def test_the_feed_url_attribute_in_any_case_and_as_feedurl(attr):
    result = parse_opml(outlines(f'text="A" {attr}="https://a.example/rss"'), "subs.opml")
    assert [f.url for f in result.feeds] == ["https://a.example/rss"], result.problems
    assert result.problems == []


def test_an_empty_feedurl_is_reported():
    result = parse_opml(outlines('text="A" feedUrl=""'), "subs.opml")
    assert result.feeds == [] and result.problems[0] == "subs.opml line 2: outline 'A' has an empty xmlUrl (skipped)"


@pytest.mark.parametrize(
    "given, taken",
    [
        ("www.example.com/feed", "https://www.example.com/feed"),
        ("example.com", "https://example.com"),
        ("blog.example.co.uk:8080/rss?x=1", "https://blog.example.co.uk:8080/rss?x=1"),
        ("//cdn.example.com/atom.xml", "https://cdn.example.com/atom.xml"),
        ("feed://example.com/rss", "https://example.com/rss"),
        ("127.0.0.1:8000/feed", "https://127.0.0.1:8000/feed"),
        ("localhost:8000/feed", "https://localhost:8000/feed"),
    ],
)
def test_a_feed_url_without_a_scheme_is_taken_as_https_and_said_so(given, taken):
    result = parse_opml(outlines(f'text="A" xmlUrl="{given}"'), "subs.opml")
    assert [(f.url, f.scheme_guessed) for f in result.feeds] == [(taken, True)]
    assert result.problems == [
        f"subs.opml line 2: feed URL {given!r} has no http(s) scheme: taken as {taken!r} "
        "(http is tried if https fails on the first refresh)"
    ]


def test_feed_colon_with_a_scheme_keeps_it():
    result = parse_opml(outlines('text="A" xmlUrl="feed:https://example.com/rss"'), "subs.opml")
    assert [(f.url, f.scheme_guessed) for f in result.feeds] == [("https://example.com/rss", False)]


@pytest.mark.parametrize(
    "given",
    [
        "notes",
        "C:/Users/me/feed.xml",
        "/home/me/feed.xml",
        "mailto:me@example.com",
        "www.example .com/feed",
        "javascript:alert(1)",
        "ftp://example.com/x",
    ],
)
def test_what_is_not_a_web_address_is_still_skipped(given):
    result = parse_opml(outlines(f'text="A" xmlUrl="{given}"'), "subs.opml")
    assert result.feeds == []
    assert result.problems == [f"subs.opml line 2: not an http(s) feed URL: {given!r} (skipped)"]


def test_a_guessed_url_and_the_same_feed_with_its_scheme_are_one_feed():
    result = parse_opml(
        outlines('text="A" xmlUrl="https://www.example.com/feed"', 'text="B" xmlUrl="www.example.com/feed"'),
        "subs.opml",
    )
    assert [f.url for f in result.feeds] == ["https://www.example.com/feed"]


def test_salvage_of_a_long_one_line_file_reads_every_tag():
    # the shape of the report's 900 KB file: one line, a stray quote, raw '&', </opml> missing
    tags, expected = [], []
    for i in range(12_000):
        if i % 3 == 0:
            tags.append(f'<outline text="It"s feed {i}" type="rss" xmlUrl="https://f{i}.example/rss"/>')
            expected.append((f"https://f{i}.example/rss", f'It"s feed {i}', None))
        elif i % 3 == 1:
            tags.append(f'<outline text="News & views {i}" xmlUrl="https://f{i}.example/rss?a=1&b=2"/>')
            expected.append((f"https://f{i}.example/rss?a=1&b=2", f"News & views {i}", None))
        else:
            tags.append(
                f'<outline text="Folder {i}"><outline text="t{i}" xmlUrl="https://g{i}.example/atom"/></outline>'
            )
            expected.append((f"https://g{i}.example/atom", f"t{i}", f"Folder {i}"))
    data = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Big &amp; broken</title></head><body>'
        + "".join(tags)
        + "</body>"
    ).encode()
    assert len(data) > 900_000 and data.count(b"\n") == 0
    result = parse_opml(data, "big.opml")
    assert result.method == "salvaged"
    assert [(f.url, f.title, f.topic) for f in result.feeds] == expected
    assert result.title == "Big & broken"
    assert result.problems[0].startswith("big.opml line 1: ")


def test_salvage_keeps_values_with_angle_brackets_and_line_numbers():
    data = (
        b'<opml version="2.0"><body>\n'
        b'<outline text="a > b < c" xmlUrl="https://a.example/rss"/>\n'
        b'<outline text="It"s" xmlUrl="https://b.example/rss"/> <outline text="ok" xmlUrl="https://c.example/rss"/>\n'
        b'<outline text="multi"\n   xmlUrl="https://d.example/rss?x=1&y=2"/>\n'
        b'<outline text="ftp" xmlUrl="ftp://e.example/rss"/>\n'
        b"</body>"
    )
    result = parse_opml(data, "s.opml")
    assert result.method == "salvaged"
    assert [(f.url, f.title) for f in result.feeds] == [
        ("https://a.example/rss", "a > b < c"),
        ("https://b.example/rss", 'It"s'),
        ("https://c.example/rss", "ok"),
        ("https://d.example/rss?x=1&y=2", "multi"),
    ]
    assert "s.opml line 6: not an http(s) feed URL: 'ftp://e.example/rss' (skipped)" in result.problems


@pytest.mark.parametrize(
    "junk",
    [
        '<outline text="' * 20_000,  # quotes never closed
        "<outline " + "a" * 200_000,  # no end at all
        "<outline " + 'x="1" ' * 30_000 + ">",  # one huge tag
        '<outline a="' + '" b="' * 30_000,
        "<title>" * 30_000,
    ],
    ids=["open-quotes", "no-end", "huge-tag", "quote-chain", "titles"],
)
def test_salvage_of_pathological_tags_finishes_and_reports(junk):
    result = parse_opml(("<opml><body>" + junk).encode(), "junk.opml")  # (time: bench/opml_salvage.py)
    assert result.method == "salvaged" and result.problems
