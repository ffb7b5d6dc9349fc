"""parse_feed_bytes and the sanitizer: untrusted feed text becomes safe plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from planner.adapters.feeds import NotAFeedError, canonical_link, parse_feed_bytes
from planner.adapters.sanitize import clean_text, html_to_text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rss(items: str, channel_extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed</title>{channel_extra}{items}</channel></rss>"
    ).encode()


def parse(data: bytes, url: str = "http://example.com/feed"):
    return parse_feed_bytes(data, {"content-type": "application/rss+xml"}, url, now=NOW)


# --- sanitizer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("\x1b[31mRed\x1b[0m text", "Red text"),
        ("\x1b]0;pwned title\x07after", "after"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("a\x9b2Jb", "ab"),  # 8-bit CSI
        ("bell\x07 null\x00 del\x7f c1\x85", "bell null del c1"),
        ("right\u202eto left", "rightto left"),
        ("[bold]x[/] [/] [red]", "[bold]x[/] [/] [red]"),  # Rich markup stays literal text
        ("  many \t  spaces\u00a0here ", "many spaces here"),
    ],
)
def test_clean_text_single_line(raw, expected):
    assert clean_text(raw, single_line=True) == expected


def test_clean_text_keeps_paragraphs_and_caps():
    assert clean_text("a\r\n\r\n\r\n\r\nb\n c\t") == "a\n\nb\nc"
    capped = clean_text("word " * 1000, 100)
    assert len(capped) <= 100 and capped.endswith("…")
    assert clean_text(None) == "" and clean_text("") == ""


def test_html_to_text_drops_script_and_style_and_decodes_entities():
    html = (
        "<style>p{color:red}</style><p>Caf&eacute; &amp; <b>bar</b></p>"
        "<script>alert('x')</script><ul><li>one<li>two</ul>end<br>line"
    )
    text = clean_text(html_to_text(html))
    assert text == "Café & bar\n\n• one\n• two\nend\nline"
    assert "alert" not in text and "color" not in text
    assert html_to_text("plain &lt;tag&gt;") == "plain <tag>"


def test_feed_text_is_sanitized():
    data = rss(
        "<item><title>\x1b[31mRed\x1b[0m [bold]x[/]</title><guid>1</guid>"
        "<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Hi &amp;amp; bye [/]"
        "&lt;/p&gt;&lt;style&gt;body{}&lt;/style&gt;</description>"
        "<author>\x07Ann [i]</author></item>"
    )
    title, [entry], warning = parse(data)
    assert entry.title == "Red [bold]x[/]"
    assert entry.summary == "Hi & bye [/]"
    assert entry.author == "Ann [i]"
    assert warning and warning.startswith("malformed XML at line")  # raw ESC isn't XML
    for text in (entry.title, entry.summary, entry.author):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)


def test_summary_falls_back_to_content_and_is_capped():
    long_html = "<p>" + "lorem ipsum " * 1000 + "</p>"
    data = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:f</id>'
        f'<entry><id>urn:1</id><title>T</title><content type="html"><![CDATA[{long_html}]]>'
        "</content></entry></feed>"
    ).encode()
    _, [entry], _ = parse(data)
    assert entry.summary.startswith("lorem ipsum lorem")
    assert len(entry.summary) <= 4000 and entry.summary.endswith("…")


# --- identity and links ----------------------------------------------------------------------


def test_guid_fallback_chain():
    data = rss(
        "<item><title>A</title><guid>tag:x,2026:1</guid><link>http://ex.com/a</link></item>"
        "<item><title>B</title><link>http://ex.com/b?utm_source=rss#top</link></item>"
        "<item><title>C</title><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        "<item><title>D</title><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
    )
    _, entries, _ = parse(data)
    a, b, c, d = entries
    assert a.guid == "id:tag:x,2026:1"
    assert b.guid == "link:http://ex.com/b"
    assert c.guid.startswith("hash:") and d.guid.startswith("hash:") and c.guid != d.guid
    # stable: the same entry parsed again (even from another URL) has the same identity
    _, again, _ = parse(data, url="http://mirror.example.org/feed")
    assert [e.guid for e in again] == [e.guid for e in entries]


def test_guid_kinds_cannot_collide():
    data = rss(
        "<item><title>x</title><guid>http://ex.com/a</guid></item>"
        "<item><title>y</title><link>http://ex.com/a</link></item>"
    )
    _, entries, _ = parse(data)
    assert {e.guid for e in entries} == {"id:http://ex.com/a", "link:http://ex.com/a"}


def test_content_hash_changes_when_entry_is_edited():
    before = parse(rss("<item><title>T</title><guid>1</guid><description>v1</description></item>"))[1][0]
    after = parse(rss("<item><title>T</title><guid>1</guid><description>v2</description></item>"))[1][0]
    assert before.guid == after.guid
    assert before.content_hash != after.content_hash


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("http://Example.COM/a?utm_source=x&utm_medium=rss&id=7#comments", "http://example.com/a?id=7"),
        ("https://ex.com/p?UTM_Campaign=z", "https://ex.com/p"),
        ("https://ex.com", "https://ex.com/"),
        ("https://ex.com/a%20b?q=a+b", "https://ex.com/a%20b?q=a+b"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("", None),
    ],
)
def test_canonical_link(raw, expected):
    assert canonical_link(raw) == expected


def test_relative_links_resolve_against_content_location_or_url():
    data = rss("<item><title>r</title><link>/posts/1</link></item>")
    _, [entry], _ = parse_feed_bytes(data, {"Content-Location": "http://cdn.ex.com/x/"}, "http://ex.com/feed", now=NOW)
    assert entry.link == "http://cdn.ex.com/posts/1"
    _, [entry], _ = parse(data, url="http://ex.com/feed")
    assert entry.link == "http://ex.com/posts/1"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date,expected",
    [
        ("Mon, 23 Nov 2026 10:00:00 +0200", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("Thu, 26 Nov 2026 11:00:00 GMT", datetime(2026, 11, 26, 11, 0, tzinfo=UTC)),  # +1 day
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # epoch default
        ("Sat, 31 Dec 1989 23:59:59 GMT", None),
        ("Fri, 01 Jan 2100 00:00:00 GMT", None),  # far future
        ("Sat, 28 Nov 2026 12:00:01 GMT", None),  # more than 2 days ahead
        ("not a date", None),
    ],
)
def test_published_dates_are_utc_and_absurd_ones_dropped(date, expected):
    _, [entry], _ = parse(rss(f"<item><title>t</title><pubDate>{date}</pubDate></item>"))
    assert entry.published_at == expected
    if expected:
        assert entry.published_at.tzinfo is not None


# --- hostile and broken input ----------------------------------------------------------------


def test_billion_laughs_does_not_expand():
    lol = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{lol}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>x &lol9;</title><description>&lol9;&lol9;"
        "</description></item></channel></rss>"
    ).encode()
    title, entries, _ = parse(data)
    sizes = [len(title or "")] + [len(e.title) + len(e.summary) for e in entries]
    assert max(sizes) < 1000  # 10**9 "lol"s would be 3 GB


def test_quadratic_entity_blowup_is_refused():
    big, refs = "x" * 100_000, "&a;" * 10_000
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]><rss version="2.0">'
        f"<channel><title>t</title><item><title>{refs}</title></item></channel></rss>"
    ).encode()
    _, entries, _ = parse(data)
    assert all(len(e.title) <= 500 for e in entries)


def test_external_entities_are_not_read():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>a &x; b</title>'
        b"</item></channel></rss>"
    )
    _, [entry], _ = parse(data)
    assert "root:" not in entry.title


def test_deep_nesting_does_not_crash():
    data = rss("<item><title>x</title>" + "<a>" * 20_000 + "</a>" * 20_000 + "</item>")
    _, entries, _ = parse(data)
    assert [e.title for e in entries] == ["x"]


def test_invalid_utf8_still_parses_with_a_warning():
    data = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<title>caf\xe9</title><item><title>ol\xe9 \xff</title></item></channel></rss>"
    )
    title, [entry], warning = parse(data)
    assert title == "café"
    assert entry.title.startswith("olé")
    assert warning and "encoding" in warning


def test_html_page_is_not_a_feed():
    with pytest.raises(NotAFeedError, match="^not a feed: got text/html with no entries"):
        parse_feed_bytes(
            b"<html><body><p>hi</p></body></html>", {"content-type": "text/html"}, "http://ex.com/", now=NOW
        )


def test_empty_but_valid_feed_is_not_an_error():
    title, entries, warning = parse(rss(""))
    assert title == "Feed" and entries == [] and warning is None
