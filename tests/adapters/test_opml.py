"""OPML import/export: real-world lists (many malformed), edge cases, round trip, fuzzing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.adapters.opml import OpmlResult, parse_opml, write_opml
from planner.adapters.sanitize import clean_text

OPML_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "opml"
needs_corpus = pytest.mark.skipif(not OPML_DIR.is_dir(), reason=f"shared OPML corpus not found: {OPML_DIR}")


def read(rel: str) -> OpmlResult:
    return parse_opml((OPML_DIR / rel).read_bytes(), rel)


def index_counts() -> dict[str, int]:
    rows = (OPML_DIR / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cols[0]: int(cols[6]) for cols in (r.split("\t") for r in rows)}


@needs_corpus
def test_every_shared_opml_file_parses_or_reports():
    paths = sorted(OPML_DIR.rglob("*.opml")) + sorted((OPML_DIR / "listparser-tests").rglob("*.xml"))
    assert len(paths) == 170
    total = 0
    methods: dict[str, int] = {}
    for path in paths:
        rel = str(path.relative_to(OPML_DIR))
        result = parse_opml(path.read_bytes(), rel)
        total += len(result.feeds)
        methods[result.method] = methods.get(result.method, 0) + 1
        assert result.feeds or result.problems, rel
        for problem in result.problems:
            assert problem.startswith(rel), problem
        for feed in result.feeds:
            assert feed.url.startswith(("http://", "https://"))
    assert total == 1247
    assert methods == {"xml": 120, "repaired": 34, "salvaged": 16}


@needs_corpus
def test_plenaryapp_lists_match_the_index_even_when_malformed():
    counts = index_counts()
    plenary = {k: v for k, v in counts.items() if k.startswith("plenaryapp")}
    assert len(plenary) == 59
    malformed = 0
    for rel, expected in plenary.items():
        result = read(rel)
        assert len(result.feeds) == expected, (rel, result.problems)
        malformed += result.method != "xml"
        assert len({f.topic for f in result.feeds}) == 1  # the one category folder
    assert malformed == 40
    assert sum(plenary.values()) == 786


@needs_corpus
def test_kilimchoi_engineering_blogs_duplicates_reported_once():
    result = read("kilimchoi-engineering-blogs/engineering_blogs.opml")
    assert result.method == "xml"
    assert len(result.feeds) == 420  # 422 outlines, 2 URLs listed twice
    assert result.problems == [
        "kilimchoi-engineering-blogs/engineering_blogs.opml line 66: duplicate feed "
        "'https://engineering.fb.com/feed/' (first at line 65; again at line 66) kept once",
        "kilimchoi-engineering-blogs/engineering_blogs.opml line 92: duplicate feed "
        "'https://medium.com/feed/expedia-group-tech' (first at line 64; again at line 92) "
        "kept once",
    ]
    assert {f.topic for f in result.feeds} == {"Engineering Blogs"}
    first = result.feeds[0]
    assert (first.title, first.url, first.html_url) == (
        "8th Light",
        "https://8thlight.com/insights/feed/rss.xml",
        "https://8thlight.com/blog/",
    )


@needs_corpus
def test_raw_ampersand_salvage_keeps_feeds_with_line_numbers():
    rel = "plenaryapp-awesome-rss-feeds/countries/with_category/Australia.opml"
    result = read(rel)
    assert result.method == "repaired"
    assert len(result.feeds) == 16
    assert result.problems == [f"{rel} line 23: raw '&' read as '&amp;' (not well-formed XML)"]
    assert "http://rssfeeds.9news.com/kusa/home&x=1" in {f.url for f in result.feeds}


@needs_corpus
def test_unescaped_quotes_in_attributes_are_salvaged():
    rel = "plenaryapp-awesome-rss-feeds/countries/with_category/Russia.opml"
    result = read(rel)
    assert result.method == "salvaged"
    assert result.problems[0].startswith(f"{rel} line 20: not well-formed XML")
    titles = {f.url: f.title for f in result.feeds}
    assert titles["https://www.kommersant.ru/RSS/main.xml"] == 'Газета "Коммерсантъ". Главное'


@needs_corpus
@pytest.mark.parametrize(
    "rel,urls",
    [
        ("listparser-tests/tests/files/opml/outline_xmlUrl-miscapitalized.xml", ["http://domain/feed"]),
        (
            "listparser-tests/tests/files/malformed/html-entity-attribute.xml",
            ["http://domain1/feed", "http://domain2/feed"],
        ),
        ("listparser-tests/tests/files/opml/link/outline_type-link.xml", []),
        ("listparser-tests/tests/files/opml/opml_version-2.xml", []),
    ],
)
def test_listparser_cases(rel, urls):
    result = read(rel)
    assert [f.url for f in result.feeds] == urls
    if not urls:
        assert result.problems


@needs_corpus
def test_html_entities_and_nested_categories():
    result = read("listparser-tests/tests/files/malformed/html-entity-attribute.xml")
    assert [f.title for f in result.feeds] == ["archæology", "archæology"]
    nested = read("listparser-tests/tests/files/opml/categories/hier-2-nested.xml")
    assert nested.feeds and all(f.topic for f in nested.feeds)


def test_nested_folders_give_the_innermost_topic_and_variants_are_read():
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="Tech">
    <outline text="Python">
      <outline type="rss" text="Py blog" xmlurl="https://py.example/feed" htmlUrl="https://py.example/"/>
    </outline>
    <outline type="rss" title="Only title" url="https://tech.example/rss"/>
  </outline>
  <outline type="rss" text="Loose" xmlURL=" http://loose.example/atom "/>
</body></opml>"""
    result = parse_opml(data, "mine.opml")
    assert result.title == "Mine"
    assert result.problems == []
    assert [(f.url, f.title, f.topic) for f in result.feeds] == [
        ("https://py.example/feed", "Py blog", "Python"),
        ("https://tech.example/rss", "Only title", "Tech"),
        ("http://loose.example/atom", "Loose", None),
    ]
    assert result.feeds[0].html_url == "https://py.example/"


def test_non_http_urls_and_links_are_reported_with_line_numbers():
    data = """<opml version="1.0"><body>
<outline type="rss" text="ok" xmlUrl="https://ok.example/feed"/>
<outline type="rss" text="ftp" xmlUrl="ftp://files.example/feed.xml"/>
<outline type="rss" text="js" xmlUrl="javascript:alert(1)"/>
<outline type="link" text="another list" url="http://lists.example/more.opml"/>
<outline type="rss" text="empty" xmlUrl=""/>
<outline type="rss" text="again" xmlUrl="https://ok.example/feed"/>
<outline type="rss" text="and again" xmlUrl="https://ok.example/feed"/>
</body></opml>"""
    result = parse_opml(data, "list.opml")
    assert [f.url for f in result.feeds] == ["https://ok.example/feed"]
    assert result.problems == [
        "list.opml line 3: not an http(s) feed URL: 'ftp://files.example/feed.xml' (skipped)",
        "list.opml line 4: not an http(s) feed URL: 'javascript:alert(1)' (skipped)",
        'list.opml line 5: outline of type "link" points to another list or page, not a feed: '
        "'http://lists.example/more.opml' (skipped)",
        "list.opml line 6: outline 'empty' has an empty xmlUrl (skipped)",
        "list.opml line 7: duplicate feed 'https://ok.example/feed' (first at line 2; again at lines 7, 8) kept once",
    ]


def test_bad_encoding_is_read_and_reported():
    data = (
        '<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><body>'
        '<outline type="rss" text="Café" xmlUrl="http://cafe.example/rss"/>'
        "</body></opml>"
    ).encode("cp1252")
    result = parse_opml(data, "cafe.opml")
    assert [f.title for f in result.feeds] == ["Café"]
    assert result.problems[0] == ("cafe.opml line 1: declared as utf-8, but not valid UTF-8; read as windows-1252")


def test_entity_declarations_are_never_expanded():
    lol = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    data = (
        f'<?xml version="1.0"?><!DOCTYPE opml [{lol}]><opml version="2.0"><body>'
        '<outline type="rss" text="&i;" xmlUrl="http://x.example/rss"/></body></opml>'
    )
    result = parse_opml(data, "lol.opml")
    assert [f.url for f in result.feeds] == ["http://x.example/rss"]
    assert all(len(f.title) < 100 for f in result.feeds)
    assert any("DOCTYPE ignored" in p for p in result.problems)


def test_not_opml_at_all_is_reported():
    result = parse_opml(b"<html><body>hello</body></html>", "page.html")
    assert result.feeds == []
    assert result.problems == ["page.html: no feeds found (no <outline> with an xmlUrl)"]


def test_write_then_parse_round_trip():
    feeds = [
        ("https://a.example/feed?x=1&y=2", "Quotes \" & <angle> 'apos'", "Tech & Science"),
        ("https://b.example/rss", "[bold]Rich[/] stays text", "Tech & Science"),
        ("http://c.example/atom", "No topic", None),
        ("https://d.example/f", "Ünïcödé ☃", "Ärt"),
    ]
    text = write_opml(feeds, "My <list>")
    again = parse_opml(text, "export.opml")
    assert again.problems == []
    assert again.method == "xml"
    assert again.title == "My <list>"
    assert sorted((f.url, f.title, f.topic) for f in again.feeds) == sorted((u, t, c) for u, t, c in feeds)
    assert write_opml(feeds, "My <list>") == text  # deterministic


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["https://a.example/f", "http://b.example/x?q=1&r=2", "https://c.ex/é"]),
            st.text(min_size=1, max_size=40),
            st.one_of(st.none(), st.text(max_size=20)),
        ),
        max_size=8,
        unique_by=lambda feed: feed[0],
    )
)
def test_round_trip_property(feeds):
    text = write_opml(feeds, "t")
    result = parse_opml(text, "rt.opml")
    assert result.method == "xml"
    expected = {}
    for url, title, topic in feeds:
        expected.setdefault(
            url,
            (
                clean_text(title, 300, single_line=True) or ("a.example" if "a.ex" in url else None),
                clean_text(topic or "", 300, single_line=True) or None,
            ),
        )
    got = {f.url: (f.title, f.topic) for f in result.feeds}
    assert set(got) == set(expected)
    for url, (title, topic) in expected.items():
        assert got[url][1] == topic
        if title and clean_text(title, single_line=True):
            assert got[url][0] == title or got[url][0] == url


FRAGMENTS = st.sampled_from(
    [
        "<opml>",
        "</opml>",
        "<body>",
        "</body>",
        "<outline ",
        "<outline>",
        "</outline>",
        "/>",
        ">",
        "<",
        "&",
        "&amp;",
        "&bogus;",
        "&#0;",
        "&#x110000;",
        '"',
        "'",
        "=",
        " ",
        'xmlUrl="http://x.example/f"',
        "xmlurl='https://y.example/'",
        'text="a"',
        'type="rss"',
        'url="ftp://z"',
        "<!DOCTYPE x [<!ENTITY e 'ee'>]>",
        "&e;",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "\n",
        "\x00",
        "\ufeff",
        "<?xml version='1.0' encoding='latin-1'?>",
        "é",
        "\x1b[31m",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.lists(FRAGMENTS, max_size=60).map("".join),
        st.binary(max_size=400),
        st.text(max_size=400),
    )
)
def test_hostile_input_never_raises(data):
    result = parse_opml(data, "fuzz.opml")
    assert isinstance(result, OpmlResult)
    for problem in result.problems:
        assert problem.startswith("fuzz.opml")
    for feed in result.feeds:
        assert feed.url.startswith(("http://", "https://"))
        assert "\x1b" not in feed.title and "\x00" not in feed.title


@pytest.mark.parametrize(
    "head", ["<opml>", '<opml version="1.0">', '<opml version="2.0">', '<opml version="1.1" xmlns:x="urn:x">']
)
def test_opml_versions_and_missing_version(head):
    data = f'{head}<body><outline type="rss" text="F" xmlUrl="http://f.example/"/></body></opml>'
    result = parse_opml(data, "v.opml")
    assert [f.url for f in result.feeds] == ["http://f.example/"]
    assert result.problems == []


def test_import_puts_feeds_in_existing_topics_whatever_the_case_and_spacing_and_adds_nothing_twice(store):
    from sqlmodel import select

    from planner.adapters.opml import parse_opml
    from planner.models import Feed, Topic
    from planner.services.feeds import ensure_topic
    from planner.services.opml import import_opml

    store.call(ensure_topic, "Platform Engineering")
    doc = (
        b'<opml version="2.0"><body><outline text="platform  engineering">'
        b'<outline type="rss" text="a" xmlUrl="https://a.example/rss"/>'
        b'<outline type="rss" text="a again" xmlUrl="https://a.example/rss"/></outline>'
        b'<outline text="SRE"><outline type="rss" text="b" xmlUrl="https://b.example/rss"/>'
        b'<outline type="rss" text="bad" xmlUrl="ftp://c.example/rss"/></outline></body></opml>'
    )
    report = store.call(import_opml, parse_opml(doc, "subs.opml"))
    assert (report.added, report.existing, report.topics_added) == (2, 0, 1)
    assert len(report.problems) == 2  # the parser's: the ftp URL, the duplicate
    with store.session() as s:
        topics = {t.id: t.name for t in s.exec(select(Topic))}
        assert sorted((f.url, topics[f.topic_id]) for f in s.exec(select(Feed))) == [
            ("https://a.example/rss", "Platform Engineering"),
            ("https://b.example/rss", "SRE"),
        ]
    again = store.call(import_opml, parse_opml(doc, "subs.opml"))
    assert (again.added, again.existing, again.topics_added) == (0, 2, 0)
