"""Hostile input, end to end: served over loopback HTTP, refreshed, imported, stored, rendered.

Feeds (pytest-httpserver) carry Rich markup, ANSI/OSC escapes, control characters, bidi
overrides, a 10 MB body, a 1.5 MB entry, invalid UTF-8, absurd or missing dates, "billion laughs"
entity expansion and deep nesting; a LinkedIn Connections.csv carries the same in names. They go
through the real refresh and import services into the store, which must hold them sanitized and
capped; then every TUI section that exists opens on that store and must show the markup
literally (never interpreted, never a MarkupError). The OPML and CSV importers are fuzzed with
hypothesis: a clear problem/PlannerError or a correct import, never another exception.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import timedelta

import pytest
from helpers import FIXED_NOW, settle
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rich.text import Text
from sqlmodel import select

from planner.adapters.linkedin import parse_connections, read_connections
from planner.adapters.opml import parse_opml
from planner.adapters.sanitize import clean_text
from planner.errors import PlannerError
from planner.models import ALL_TABLES, Connection, Entry, Feed, Post, Touchpoint
from planner.services.feeds import add_feed, refresh
from planner.services.opml import import_opml
from planner.services.people import import_connections

# What must never survive ingest: C0/C1 controls (except tab/newline), DEL, ESC, bidi overrides.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# token → the literal text it was sent with: wherever the token is shown, the markup must be too
LITERALS = {
    "TOKA": "[bold]TOKA[/]",
    "TOKB": "[link=https://x]TOKB[/link]",
    "TOKC": "[/]TOKC",
    "FEEDTOK": "[bold]FEEDTOK[/]",
    "CSVTOK1": "[bold]CSVTOK1[/]",
    "CSVTOK3": "[link=https://x]CSVTOK3[/link]",
    "CSVTOK4": "[/]CSVTOK4",
    "POSTTOK": "[b]POSTTOK[/b]",
}

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 2 else "") + ";") * 10}">'.encode() for i in range(2, 10)
    )
    + b']><rss version="2.0"><channel><title>L</title><item><title>TOKLOL &lol9;</title>'
    b"<description>&lol9;</description><guid>lol</guid></item></channel></rss>"
)


def _rss(items: list[str], title: str = "plain") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://x.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


def _item(title: str, description: str = "", date: str | None = None, guid: str | None = None) -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    return (
        f"<item><title>{title}</title><description>{description}</description>{pub}<guid>{guid or title}</guid></item>"
    )


HOSTILE_FEEDS = {
    "/markup.xml": _rss(
        [
            _item(
                "[bold]TOKA[/] first",
                "[link=https://x]TOKB[/link] and \x1b]8;;https://evil\x07osc\x1b]8;;\x07 then"
                " \x1b[2J clear, bell\x07, bidi \u202egnp.exe",
                date="Tue, 24 Nov 2026 10:00:00 GMT",
                guid="a",
            ),
            _item("[/]TOKC", date="Mon, 23 Nov 2026 10:00:00 GMT", guid="c"),
            _item("\x1b[31mTOKD\x07\x08 red", guid="d"),
            _item("&#27;[31mTOKH &#x1b;]8;;https://evil&#7;", guid="h"),
            _item("TOKFUTURE", date="Fri, 31 Dec 9999 23:59:59 GMT", guid="f1"),
            _item("TOKZERO", date="Mon, 01 Jan 0001 00:00:00 GMT", guid="f2"),
            _item("TOKEPOCH", date="Thu, 01 Jan 1970 00:00:00 GMT", guid="f3"),
            _item("TOKGARBAGE", date="the 32nd of Smarch", guid="f4"),
            _item("TOKNODATE", guid="f5"),
        ],
        title="[bold]FEEDTOK[/] \x1b[31mchannel",
    ),
    "/huge.xml": _rss([_item("TOKHUGE", "z" * 10_500_000)]),  # over the 5 MB fetch cap
    "/big-entry.xml": _rss([_item("TOKBIG " + "t" * 5000, "word " * 300_000, guid="big")]),  # a 1.5 MB entry
    "/bad-utf8.xml": _rss([_item("TOKUTF", guid="u")]).replace(b"TOKUTF", b"TOKUTF \xff\xfe\xc3\x28 z"),
    "/laughs.xml": LAUGHS,
    "/deep-html.xml": _rss([_item("TOKDEEP", "&lt;div&gt;" * 30_000 + "inner" + "&lt;/div&gt;" * 30_000, guid="dh")]),
    "/deep-xml.xml": _rss([_item("TOKXML", "<a>" * 20_000 + "x" + "</a>" * 20_000, guid="dx")]),
    "/not-xml.xml": b"\x00\x01\x02 binary garbage \xff" * 1000,
}

HOSTILE_CSV = (
    'Notes:\n"When exporting your connection data, you may notice ..."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "[bold]CSVTOK1[/],Evil,https://www.linkedin.com/in/csv1,,[/]Corp,[bold]CTO,09 Oct 2024\n"
    "\x1b[31mCSVTOK2,\x07Bell\x08,https://www.linkedin.com/in/csv2,,Acme,Lead,10 Oct 2024\n"
    "[link=https://x]CSVTOK3[/link],\u202eRTL,https://www.linkedin.com/in/csv3,,Acme,Lead,11 Oct 2024\n"
    f"[/]CSVTOK4,{'L' * 10_000},https://www.linkedin.com/in/csv4,,{'C' * 5000},Lead,12 Oct 2024\n"
    "Absurd,Date,https://www.linkedin.com/in/csv5,,Acme,Lead,31 Feb 2024\n"
    "Far,Future,https://www.linkedin.com/in/csv6,,Acme,Lead,99999-01-01\n"
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, make_httpserver):
    """A database holding the result of a real refresh of the hostile feeds and a real import of
    the hostile CSV; built once for the module (the tests only read it)."""
    from planner.store import open_store

    folder = tmp_path_factory.mktemp("hostile")
    pg = os.environ.get("PLANNER_TEST_PG")
    if pg:
        import uuid

        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        name = "planner_hostile_" + uuid.uuid4().hex[:12]
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'hostile.db'}"
    server = make_httpserver
    server.clear()
    for path, body in HOSTILE_FEEDS.items():
        server.expect_request(path).respond_with_data(body, content_type="application/rss+xml; charset=utf-8")
    store = open_store(url)
    for path in HOSTILE_FEEDS:
        store.call(add_feed, server.url_for(path), topic="[bold]Hostile[/] topic")
    summary = refresh(store, now=FIXED_NOW)
    server.clear()
    csv_file = folder / "Connections.csv"
    csv_file.write_bytes(HOSTILE_CSV.encode("utf-8"))
    parsed = read_connections(csv_file)
    report = store.call(import_connections, parsed.records, now=FIXED_NOW)
    # an export saved by a Windows tool: not UTF-8, read as Windows-1252 rather than refused
    legacy = folder / "legacy.csv"
    legacy.write_bytes(
        b"First Name,Last Name,URL,Company,Position,Connected On\r\n"
        b"Zo\xeb,Bytes\x93q\x94,https://www.linkedin.com/in/csv7,Acme,Lead,13 Oct 2024\r\n"
    )
    store.call(import_connections, read_connections(legacy).records, now=FIXED_NOW)
    with store.transaction() as session:
        people = session.exec(select(Connection).order_by(Connection.id)).all()
        for i, person in enumerate(people):
            session.add(
                Touchpoint(
                    connection_id=person.id,
                    kind="share_content",
                    status="planned",
                    due_at=FIXED_NOW - timedelta(hours=i),
                    note=f"[bold]note {i}[/] [/]",
                )
            )
        session.add(
            Post(
                title="[b]POSTTOK[/b] [/]",
                body="[link=https://x]body[/link]",
                status="scheduled",
                scheduled_at=FIXED_NOW - timedelta(hours=1),
            )
        )
        session.add(Post(title="[b]POSTTOK[/b] idea", status="idea"))
    store.dispose()
    yield url, summary, parsed, report, folder
    if pg:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def hostile_world(hostile_db):
    from planner.store import open_store

    url, summary, parsed, report, _ = hostile_db
    store = open_store(url)
    yield store, summary, parsed, report
    store.dispose()


def test_hostile_feeds_are_stored_sanitized_capped_and_literal(hostile_world):
    store, summary, _, _ = hostile_world
    assert summary.feeds == len(HOSTILE_FEEDS)
    with store.session() as session:
        entries = {e.guid: e for e in session.exec(select(Entry))}
        feeds = {f.url.rsplit("/", 1)[-1]: f for f in session.exec(select(Feed))}
    for e in entries.values():
        for value in (e.title, e.summary, e.author or "", e.link or ""):
            assert not FORBIDDEN.search(value), (e.guid, value[:80])
        assert len(e.title) <= 500 and len(e.summary) <= 4000
        e.title.encode("utf-8")  # valid text: no lone surrogates from broken bytes
        # absurd dates are dropped, never stored as year 1 / 9999 / 1970
        assert e.published_at is None or (
            e.published_at.year >= 1990 and e.published_at <= FIXED_NOW + timedelta(days=2)
        )
    # markup is kept as the literal characters the feed sent
    assert entries["id:a"].title == "[bold]TOKA[/] first"
    assert entries["id:a"].summary.startswith("[link=https://x]TOKB[/link] and ")
    assert "evil" not in entries["id:a"].summary  # the OSC hyperlink went with its escape
    assert entries["id:c"].title == "[/]TOKC"
    assert entries["id:d"].title == "TOKD red"
    assert "TOKH" in entries["id:h"].title
    for guid in ("id:f1", "id:f2", "id:f3", "id:f4", "id:f5"):
        assert entries[guid].published_at is None
    assert feeds["markup.xml"].title == "[bold]FEEDTOK[/] channel"
    # the 10 MB body is refused at fetch; the feed records why and holds nothing
    huge = feeds["huge.xml"]
    assert huge.last_status == "error" and "larger than" in huge.last_error
    assert not any(e.feed_id == huge.id for e in entries.values())
    # the 1.5 MB entry is capped
    big = entries["id:big"]
    assert len(big.title) <= 500 and big.title.endswith("…")
    assert 3000 < len(big.summary) <= 4000 and big.summary.endswith("…")
    # invalid UTF-8 became text; entity expansion did not happen; deep nesting flattened
    assert "TOKUTF" in entries["id:u"].title
    assert all(len(e.summary) < 100 for e in entries.values() if e.guid.startswith("id:lol"))
    assert not any("lollollol" in e.title + e.summary for e in entries.values())
    assert entries["id:dh"].summary == "inner"
    assert entries["id:dx"].title == "TOKXML"
    assert feeds["not-xml.xml"].last_status == "error" and feeds["not-xml.xml"].last_error
    for f in feeds.values():
        assert not FORBIDDEN.search((f.title or "") + (f.last_error or "") + (f.last_warning or ""))


def test_hostile_csv_names_are_stored_sanitized_and_capped(hostile_world):
    store, _, parsed, report = hostile_world
    assert any("31 Feb 2024" in p for p in parsed.problems)
    assert any("99999-01-01" in p for p in parsed.problems)
    with store.session() as session:
        people = {p.profile_url.rsplit("/", 1)[-1]: p for p in session.exec(select(Connection))}
    assert report.added == 4 and len(people) == 5
    assert people["csv1"].first_name == "[bold]CSVTOK1[/]" and people["csv1"].company == "[/]Corp"
    assert people["csv2"].first_name == "CSVTOK2" and people["csv2"].last_name == "Bell"
    assert people["csv3"].first_name == "[link=https://x]CSVTOK3[/link]" and people["csv3"].last_name == "RTL"
    assert len(people["csv4"].last_name) <= 200 and len(people["csv4"].company) <= 300
    assert (people["csv7"].first_name, people["csv7"].last_name) == ("Zoë", "Bytes“q”")
    for p in people.values():
        for value in (p.first_name, p.last_name, p.company, p.position, p.email or ""):
            assert not FORBIDDEN.search(value)


def test_undecodable_csv_is_a_clear_error(tmp_path):
    bad = tmp_path / "Connections.csv"
    bad.write_bytes(b"First Name,Last Name\n\x81\x8d\x8f\x90\x9d,\xff\n")  # neither UTF-8 nor Windows-1252
    with pytest.raises(PlannerError, match=r"Connections.csv: cannot decode"):
        read_connections(bad)


# --- rendering: every section that exists ------------------------------------------------------


def _rendered_text(screen) -> str:
    """What the widgets of a screen display, as plain text (markup already applied, as drawn)."""
    from textual.widgets import DataTable, Input, Static, TextArea, Tree
    from textual.widgets._data_table import default_cell_formatter

    parts: list[str] = [field.value for field in screen.query(Input)] + [area.text for area in screen.query(TextArea)]
    for table in screen.query(DataTable):
        for r in range(table.row_count):
            for cell in table.get_row_at(r):
                shown = default_cell_formatter(cell)  # what DataTable draws: a str cell is parsed as markup
                parts.append(shown.plain if isinstance(shown, Text) else str(shown))
    for tree in screen.query(Tree):
        stack = [tree.root]
        while stack:
            node = stack.pop()
            parts.append(node.label.plain)
            stack.extend(node.children)
    for static in screen.query(Static):
        visual = static.visual  # raises MarkupError if a str with broken markup was given
        parts.append(getattr(visual, "plain", str(visual)))
    try:
        from textual.widgets import OptionList

        for options in screen.query(OptionList):
            for i in range(options.option_count):
                prompt = options.get_option_at_index(i).prompt
                parts.append(prompt.plain if hasattr(prompt, "plain") else str(Text.from_markup(prompt)))
    except ImportError:  # pragma: no cover
        pass
    return "\n".join(parts)


async def test_every_screen_renders_hostile_text_literally(hostile_world, hostile_db):
    from planner.config import load_settings
    from planner.tui.app import make_app

    store = hostile_world[0]
    config = hostile_db[4] / "config.toml"
    config.write_text("[keywords]\nauto_extract = false\n", encoding="utf-8")  # no model load: this is about rendering
    settings = load_settings(db=store.url, config=config)
    app = make_app(settings, store=store, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.sections, "no sections registered"
        for section in app.sections:
            app.action_switch_section(section.mode)
            await settle(app, pilot)
            assert app.current_mode == section.mode
            await _assert_literal(app, pilot, section.title, SHOWN_BY_SECTION.get(section.mode, set()))
        # the forms and the editor put the same names in titles and labels
        app.action_switch_section("posts")
        await settle(app, pilot)
        _select_row_showing(app.screen, "POSTTOK")
        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PostEditorScreen"
        await _assert_literal(app, pilot, "post editor", {"POSTTOK"})
        await pilot.press("escape")
        await settle(app, pilot)
        app.action_switch_section("network")
        await settle(app, pilot)
        _select_row_showing(app.screen, "CSVTOK1")
        await settle(app, pilot)
        for key, form in (("l", "TouchForm"), ("e", "PersonForm")):
            await pilot.press(key)
            await settle(app, pilot)
            assert type(app.screen).__name__ == form
            await _assert_literal(app, pilot, form, {"CSVTOK1"})
            await pilot.press("escape")
            await settle(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert not errors, errors


# what each section shows of the hostile world at its first view (each must show it literally)
SHOWN_BY_SECTION = {
    "today": {"CSVTOK1", "CSVTOK3", "POSTTOK"},  # touchpoints due for the hostile people, the scheduled post
    "plan": {"CSVTOK1", "POSTTOK"},
    "posts": {"POSTTOK"},
    "network": {"CSVTOK1", "CSVTOK3", "CSVTOK4"},
    "discover": {"FEEDTOK", "TOKA", "TOKB", "TOKC"},  # the feed, its entries, the first entry's summary
    "review": {"CSVTOK1"},
}


async def _assert_literal(app, pilot, where: str, expected: set[str]) -> None:
    """The screen on top shows every token in `expected`, and every token it shows, literally; no
    escape sequence reaches it; and a real draw of it (the compositor) does not fail."""
    text = _rendered_text(app.screen)
    assert "\x1b" not in text, f"{where}: an escape sequence reached the screen"
    missing = {t for t in expected if t not in text}
    assert not missing, f"{where} does not show {sorted(missing)}"
    for token, literal in LITERALS.items():
        if token in text:
            assert literal in text, f"{where}: {literal!r} was shown as {_around(text, token)!r}"
    app.screen.refresh()
    await pilot.pause()


def _select_row_showing(screen, token: str) -> None:
    from textual.widgets import DataTable

    for table in screen.query(DataTable):
        for r in range(table.row_count):
            if any(token in (cell.plain if isinstance(cell, Text) else str(cell)) for cell in table.get_row_at(r)):
                table.focus()
                table.move_cursor(row=r)
                return
    raise AssertionError(f"no row shows {token}")


def _around(text: str, token: str) -> str:
    i = text.index(token)
    return text[max(0, i - 25) : i + len(token) + 10]


# --- fuzzing the importers ---------------------------------------------------------------------

_chars = st.characters(blacklist_categories=("Cs",))
fragments = st.sampled_from(
    [
        "[/]",
        "[bold]",
        "[link=https://x]",
        "\x1b[31m",
        "\x00",
        "\x07",
        "&",
        "<",
        ">",
        '"',
        "'",
        ",",
        "\n",
        "\r\n",
        "&amp;",
        "&lol;",
        "]]>",
        "<!--",
        "\ufeff",
        "\u202e",
        "🚀",
        "é",
    ]
)
hostile_text = st.lists(st.one_of(fragments, st.text(_chars, max_size=8)), max_size=8).map("".join)
FUZZ = hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _clear(store) -> None:
    with store.engine.begin() as conn:
        for model in reversed(ALL_TABLES):
            conn.execute(model.__table__.delete())


def _xml_attr(s: str) -> str:
    # what a correct OPML writer does: escape, and drop what XML 1.0 cannot carry at all
    s = "".join(c for c in s if c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff"))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace("\n", "&#10;")


@st.composite
def opml_documents(draw):
    folders = draw(st.lists(hostile_text, max_size=3))
    feeds = []
    for i in range(draw(st.integers(0, 6))):
        feeds.append(
            (
                f"https://feeds{i}.example/{draw(st.sampled_from(['rss', 'atom.xml', 'feed?a=1&b=2']))}",
                draw(hostile_text),
                draw(st.none() | st.sampled_from(range(len(folders))) if folders else st.none()),
            )
        )
    body = []
    in_order = []  # document order: top-level feeds, then each folder's
    for url, title, folder in feeds:
        if folder is None:
            body.append(f'<outline type="rss" text="{_xml_attr(title)}" xmlUrl="{_xml_attr(url)}"/>')
            in_order.append((url, title, folder))
    for f, name in enumerate(folders):
        inner = [(u, t, folder) for u, t, folder in feeds if folder == f]
        in_order.extend(inner)
        body.append(
            f'<outline text="{_xml_attr(name)}">'
            + "".join(f'<outline type="rss" text="{_xml_attr(t)}" xmlUrl="{_xml_attr(u)}"/>' for u, t, _ in inner)
            + "</outline>"
        )
    doc = f'<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>x</title></head><body>{"".join(body)}</body></opml>'
    return doc, in_order


@FUZZ
@given(doc=opml_documents())
def test_opml_fuzz_well_formed_lists_import_correctly(store, doc):
    text, feeds = doc
    result = parse_opml(text.encode("utf-8"), "subs.opml")
    assert [f.url for f in result.feeds] == [u for u, _, _ in feeds]
    for parsed_feed, (_, title, _) in zip(result.feeds, feeds, strict=True):
        cleaned = clean_text(
            _xml_attr(title).replace("&#10;", "\n").replace("&quot;", '"').replace("&lt;", "<").replace("&amp;", "&"),
            300,
            single_line=True,
        )
        assert parsed_feed.title == (cleaned or parsed_feed.url.split("/")[2])
        assert not FORBIDDEN.search(parsed_feed.title + (parsed_feed.topic or ""))
    _clear(store)
    report = store.call(import_opml, result)
    with store.session() as session:
        stored = session.exec(select(Feed.url)).all()
    assert sorted(stored) == sorted({u for u, _, _ in feeds})
    assert report.added == len(stored)


def test_opml_folder_with_non_ascii_capitals_imports(store):
    # found by the OPML fuzzer: SQLite's lower() folds ASCII only (fixed in services.feeds)
    doc = (
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Économie">'
        '<outline type="rss" text="a" xmlUrl="https://a.example/rss"/></outline></body></opml>'
    )
    report = store.call(import_opml, parse_opml(doc.encode(), "subs.opml"))
    assert report.added == 1 and report.topics_added == 1


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=400),
        hostile_text.map(str.encode),
        opml_documents().flatmap(
            lambda d: st.integers(0, max(len(d[0]) - 1, 0)).map(
                lambda cut: (d[0][:cut] + d[0][cut + 7 :]).encode("utf-8", "surrogatepass")
            )
        ),  # a well-formed list, damaged
    )
)
def test_opml_fuzz_garbage_gives_problems_never_exceptions(store, data):
    result = parse_opml(data, "subs.opml")  # documented: never raises for bad content
    assert result.feeds or result.problems
    for problem in result.problems:
        assert problem.startswith("subs.opml"), problem
    _clear(store)
    try:
        store.call(import_opml, result)
    except PlannerError:
        pass


@st.composite
def connection_csvs(draw):
    # LinkedIn's profile fields are one-line: a quoted line break is refused with its line (test_linkedin)
    one_line = hostile_text.map(lambda s: s.replace("\r", " ").replace("\n", " "))
    rows = draw(
        st.lists(
            st.tuples(
                one_line,
                one_line,
                one_line,
                one_line,
                st.sampled_from(["09 Oct 2024", "", "2024-10-09", "31 Feb 2024", "soon"]),
            ),
            max_size=6,
        )
    )
    out = io.StringIO()
    out.write('Notes:\n"export note"\n\n')
    writer = csv.writer(out, lineterminator="\r\n")  # as LinkedIn writes it
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    for i, (first, last, company, position, connected) in enumerate(rows):
        writer.writerow([first, last, f"https://www.linkedin.com/in/fuzz-{i}", "", company, position, connected])
    return out.getvalue(), rows


@FUZZ
@given(doc=connection_csvs())
def test_linkedin_csv_fuzz_imports_every_valid_row(store, doc):
    text, rows = doc
    result = parse_connections(text, "Connections.csv")
    expected = []
    for i, (first, last, company, _position, connected) in enumerate(rows):
        fn, ln = clean_text(first, 200, single_line=True), clean_text(last, 200, single_line=True)
        if (fn or ln) and connected not in ("31 Feb 2024", "soon"):
            expected.append(
                (fn, ln, clean_text(company, 300, single_line=True), f"https://www.linkedin.com/in/fuzz-{i}")
            )
    assert [(r.first_name, r.last_name, r.company, r.url) for r in result.records] == expected
    assert len(result.problems) == len(rows) - len(expected)
    _clear(store)
    report = store.call(import_connections, result.records, now=FIXED_NOW)
    assert report.added == len(expected)
    with store.session() as session:
        stored = session.exec(select(Connection.first_name, Connection.last_name).order_by(Connection.id)).all()
    assert [tuple(s) for s in stored] == [(fn, ln) for fn, ln, _, _ in expected]


@FUZZ
@given(
    text=st.one_of(
        hostile_text,
        st.text(_chars, max_size=300),
        connection_csvs().flatmap(
            lambda d: st.integers(0, max(len(d[0]) - 1, 0)).map(lambda cut: d[0][:cut] + '"' + d[0][cut:])
        ),
    )
)  # an unbalanced quote anywhere
def test_linkedin_csv_fuzz_garbage_is_a_clear_error_or_an_import(store, text):
    _clear_error_or_import(
        store,
        lambda: parse_connections(text, "Connections.csv"),
        ("Connections.csv",),
        lambda session, parsed: import_connections(session, parsed.records, now=FIXED_NOW),
    )


def _clear_error_or_import(store, parse, names: tuple[str, ...], load):
    """``parse()`` raises a PlannerError that starts with one of ``names`` (the file, or --map),
    or returns a result whose problems name the file and line and which ``load(session, result)``
    stores in an emptied store. What ``load`` returned, or None after an error."""
    try:
        parsed = parse()
    except PlannerError as exc:
        assert str(exc).startswith(names), exc
        return None
    for problem in parsed.problems:
        assert problem.startswith(f"{names[0]} line "), problem
    _clear(store)
    return store.call(load, parsed)


@st.composite
def address_book_csvs(draw):
    """Any address-book CSV: headers drawn from the known names and from hostile text, rows of
    hostile cells, a delimiter, and sometimes an unbalanced quote."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(
        st.lists(
            st.one_of(
                st.sampled_from(
                    ["Name", "First Name", "Last Name", "E-mail", "Org", "Tags", "Tier", "Notes", "Connected On", "URL"]
                ),
                hostile_text,
            ),
            min_size=1,
            max_size=6,
        )
    )
    rows = draw(st.lists(st.lists(hostile_text, max_size=7), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if text and draw(st.booleans()):
        cut = draw(st.integers(0, len(text) - 1))
        text = text[:cut] + '"' + text[cut:]
    return text, header


@FUZZ
@given(
    doc=address_book_csvs(),
    spec=st.one_of(st.none(), hostile_text, st.sampled_from(["Name=name", "Org=company,Tags=tags", "x=nope", "=name"])),
)
def test_address_book_csv_fuzz_is_a_clear_error_or_an_import(store, doc, spec):
    """`planner import csv FILE [--map SPEC]`: whatever the file and the map, a PlannerError that
    names the file or --map, or an import of the rows it accepted."""
    from planner.adapters.csv_import import parse_address_book, parse_mapping
    from planner.services.address_book import import_address_book

    text, _header = doc
    parsed: list = []
    report = _clear_error_or_import(
        store,
        lambda: parse_address_book(text, parse_mapping(spec), "contacts.csv"),
        ("contacts.csv", "--map"),
        lambda session, p: (parsed.append(p), import_address_book(session, p, FIXED_NOW))[1],
    )
    if report is not None:
        assert report.added + report.updated + report.unchanged <= len(parsed[0].records)


@FUZZ
@given(
    text=st.one_of(
        hostile_text,
        st.text(_chars, max_size=300),
        st.lists(hostile_text, max_size=5).map(
            lambda cells: "Date,ShareLink,ShareCommentary,SharedUrl\r\n2025-03-14 09:12:45," + ",".join(cells) + "\r\n"
        ),
    )
)
def test_shares_csv_fuzz_is_a_clear_error_or_an_import(store, text):
    from planner.adapters.shares import parse_shares
    from planner.services.shares import import_shares

    _clear_error_or_import(
        store,
        lambda: parse_shares(text, "Shares.csv"),
        ("Shares.csv",),
        lambda session, parsed: import_shares(session, parsed.records, now=FIXED_NOW),
    )


def test_csv_url_cell_with_a_bracket_does_not_break_the_import():
    # found by the garbage fuzzer: urlsplit calls "https://[" an invalid IPv6 URL
    result = parse_connections("FIRST NAME,LAST NAME,URL\r0,,[\r\nAlan,Turing,\r\n", "Connections.csv")
    assert [(r.first_name, r.url) for r in result.records] == [("0", None), ("Alan", None)]


def test_opml_nested_50000_folders_deep_imports_its_feed_without_recursion():
    depth = 50_000
    doc = (
        '<opml version="2.0"><body>'
        + '<outline text="f">' * depth
        + '<outline type="rss" text="a" xmlUrl="https://a.example/rss"/>'
        + "</outline>" * depth
        + "</body></opml>"
    )
    result = parse_opml(doc.encode(), "deep.opml")
    assert [(f.url, f.topic) for f in result.feeds] == [("https://a.example/rss", "f")]


def test_opml_with_a_broken_html_url_still_imports_the_feed():
    doc = b'<opml version="2.0"><body><outline type="rss" text="a" xmlUrl="https://a.example/rss" htmlUrl="http://[x"/></body></opml>'
    result = parse_opml(doc, "subs.opml")
    assert [f.url for f in result.feeds] == ["https://a.example/rss"]


# --- issue 15: whatever a file holds, the rows already in the store stay as they were -------------


def _pre_existing_rows(store) -> dict[str, dict]:
    from planner.store.backup import dump

    keys = {m.__table__.name: [c.name for c in m.__table__.primary_key.columns] for m in ALL_TABLES}
    return {
        name: {tuple(row[k] for k in keys[name]): row for row in rows} for name, rows in dump(store)["tables"].items()
    }


def _keeps_other_rows(store, parse, names: tuple[str, ...], load) -> None:
    """Into a store holding a small world: ``parse()`` is a clear error, or ``load`` imports it;
    either way every row that was there before is there after, unchanged."""
    from helpers import populate_world

    _clear(store)
    with store.transaction() as session:
        populate_world(session)
    before = _pre_existing_rows(store)
    try:
        parsed = parse()
    except PlannerError as exc:
        assert str(exc).startswith(names), exc
        parsed = None
    if parsed is not None:
        for problem in parsed.problems:
            assert problem.startswith(f"{names[0]} line "), problem
        try:
            load(parsed)
        except PlannerError as exc:
            assert "Traceback" not in str(exc)
    after = _pre_existing_rows(store)
    for table, rows in before.items():
        for key, row in rows.items():
            assert after[table].get(key) == row, (table, key)


@FUZZ
@given(
    text=st.one_of(
        connection_csvs().map(lambda d: d[0]),
        connection_csvs().flatmap(
            lambda d: st.integers(0, max(len(d[0]) - 1, 0)).map(lambda cut: d[0][:cut] + '"' + d[0][cut:])
        ),
    )
)
def test_linkedin_fuzz_keeps_the_stores_other_rows(store, text):
    from planner.services.people import import_people

    _keeps_other_rows(
        store,
        lambda: parse_connections(text, "Connections.csv"),
        ("Connections.csv",),
        lambda parsed: import_people(store, parsed.records, now=FIXED_NOW, batch=2),
    )


@FUZZ
@given(doc=address_book_csvs())
def test_address_book_fuzz_keeps_the_stores_other_rows(store, doc):
    from planner.adapters.csv_import import parse_address_book
    from planner.services.address_book import import_address_book_batched

    _keeps_other_rows(
        store,
        lambda: parse_address_book(doc[0], {}, "contacts.csv"),
        ("contacts.csv",),
        lambda parsed: import_address_book_batched(store, parsed, FIXED_NOW),
    )


@FUZZ
@given(
    text=st.one_of(
        hostile_text,
        st.lists(hostile_text, max_size=5).map(
            lambda cells: "Date,ShareLink,ShareCommentary,SharedUrl\r\n2025-03-14 09:12:45," + ",".join(cells) + "\r\n"
        ),
    )
)
def test_shares_fuzz_keeps_the_stores_other_rows(store, text):
    from planner.adapters.shares import parse_shares
    from planner.services.shares import import_shares

    _keeps_other_rows(
        store,
        lambda: parse_shares(text, "Shares.csv"),
        ("Shares.csv",),
        lambda parsed: store.call(import_shares, parsed.records, now=FIXED_NOW),
    )


@FUZZ
@given(
    damage=st.lists(
        st.tuples(
            st.sampled_from(["connection", "touchpoint", "post", "strategy", "topic", "feed"]),
            st.sampled_from(
                ["id", "first_name", "connected_on", "connection_id", "title", "timezone", "topic_id", "url", "due_at"]
            ),
            st.one_of(
                st.none(),
                st.integers(min_value=-(2**70), max_value=2**70),
                hostile_text,
                st.sampled_from(["9999-12-31", "0001-01-01T00:00:00+00:00", "Mars/X"]),
                st.lists(st.integers(), max_size=2),
            ),
        ),
        min_size=1,
        max_size=3,
    ),
    drop=st.lists(st.sampled_from(["post", "tag", "entry"]), max_size=2, unique=True),
)
def test_restore_fuzz_of_hand_edited_backups_is_clear_and_all_or_nothing(store, damage, drop):
    from helpers import populate_world

    from planner.store.backup import dump, load

    _clear(store)
    with store.transaction() as session:
        populate_world(session)
    data = dump(store)
    before = data["tables"]
    import copy

    edited = copy.deepcopy(data)
    for table, column, value in damage:
        for row in edited["tables"][table][:1]:
            if column in row:
                row[column] = value
    for table in drop:
        del edited["tables"][table]
    try:
        load(store, edited, replace=True, source="b.json")
    except PlannerError as exc:
        assert str(exc).startswith("b.json: "), exc
        assert dump(store)["tables"] == before  # refused: nothing changed
