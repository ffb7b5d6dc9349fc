"""OPML subscription lists in and out, lenient with the malformed files people really have.

`parse_opml` tries three readings, stopping at the first that works:

1. strict XML (pyexpat, with entity declarations refused: no billion laughs, no external
   entities), which also gives every outline its line number;
2. a repair pass for the common breakage: bare `&` (`?a=1&b=2`), HTML named entities XML
   doesn't know (`&aelig;`), a DOCTYPE with entity declarations; then strict again;
3. a salvage tokenizer that pulls `<outline ...>` tags out with regular expressions, tolerant
   of unescaped quotes and `<` inside attribute values and of missing or extra end tags.

Every problem names the source and a line number. Only http(s) feed URLs are accepted; one
written without its scheme (`www.example.com/feed`, `//host/feed`, `feed://host/feed`), as real
exports hold, is taken as https and reported (`OpmlFeed.scheme_guessed`: the refresh tries http
if https fails the first time).

Topics: a feed's topic is its *innermost* folder name, not the whole path. Planner topics are
flat labels the user filters and plans by; "Tech / Programming / Python" and "Python" would
be two topics for one interest, and most real lists nest one level anyway (the outer level is
often just a wrapper named after the list). `write_opml` writes one folder per topic, so the
pair round-trips.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape, unescape
from html.entities import name2codepoint
from urllib.parse import urlsplit
from xml.parsers import expat

from planner.adapters.sanitize import clean_text

__all__ = ["OpmlFeed", "OpmlResult", "parse_opml", "write_opml"]

MAX_INPUT = 20_000_000  # characters; a subscription list is a few hundred KB at most
TITLE_MAX = 300


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str
    topic: str | None
    html_url: str | None = None
    scheme_guessed: bool = False  # the list gave no scheme (www.example.com/feed): https was put in


@dataclass
class OpmlResult:
    feeds: list[OpmlFeed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    title: str | None = None
    method: str = "xml"  # "xml", "repaired" or "salvaged": how the file had to be read


class _EntityDeclared(Exception):
    pass


# ------------------------------------------------------------------------------------------
# decoding

_XML_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of the document and, when it had to be guessed, a note saying so."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), None
            except UnicodeDecodeError:
                break
    m = _XML_DECL_ENCODING.match(data.lstrip()[:300])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared:
        try:
            return data.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        what = f"declared as {declared}, but " if declared else ""
        return (data.decode("cp1252", errors="replace"), f"line {line}: {what}not valid UTF-8; read as windows-1252")


# ------------------------------------------------------------------------------------------
# reading outlines (shared by all three readings)


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:  # "http://[x" is an invalid IPv6 URL to urlsplit
        return ""


class _Collector:
    """Turns a stream of outline start/end events into feeds and problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.feeds: list[OpmlFeed] = []
        self.problems: list[str] = []
        self.folders: list[str | None] = []  # one entry per open outline (None: not a folder)
        self.first_line: dict[str, int] = {}
        self.duplicate_lines: dict[str, list[int]] = {}
        self.title: str | None = None

    def problem(self, line: int | None, message: str) -> None:
        where = f"{self.source} line {line}" if line else self.source
        self.problems.append(f"{where}: {message}")

    def start(self, attrs: dict[str, str], line: int, self_closing: bool = False) -> None:
        low = {k.lower(): v for k, v in attrs.items()}
        kind = (low.get("type") or "").strip().lower()
        # xmlUrl in any case (lowered above); some exporters write feedUrl
        url = (low.get("xmlurl") or low.get("feedurl") or "").strip()
        if not url and kind in ("rss", "atom", "feed") and low.get("url"):
            url = low["url"].strip()
        text = clean_text(low.get("text") or low.get("title") or "", TITLE_MAX, single_line=True)
        if url:
            self._feed(url, text, low, line)
            folder = None
        elif kind in ("link", "include") and low.get("url"):
            self.problem(
                line,
                f'outline of type "{kind}" points to another list or page, not a feed: {_shown(low["url"])} (skipped)',
            )
            folder = None
        elif "xmlurl" in low or "feedurl" in low:
            self.problem(
                line, f"outline {_shown(text) if text else ''} has an empty xmlUrl (skipped)".replace("  ", " ")
            )
            folder = None
        else:
            folder = text or None
        if not self_closing:
            self.folders.append(folder)

    def end(self) -> None:
        if self.folders:
            self.folders.pop()

    def _feed(self, url: str, title: str, low: dict[str, str], line: int) -> None:
        if url[:9].lower() == "feed:http":  # feed:https://... names its scheme after the old prefix
            url = url[5:]
        guessed = _with_scheme(url)
        if guessed is not None:
            self.problem(
                line,
                f"feed URL {_shown(url)} has no http(s) scheme: taken as {_shown(guessed)} "
                "(http is tried if https fails on the first refresh)",
            )
            url = guessed
        try:
            parts = urlsplit(url)
            scheme, netloc = parts.scheme.lower(), parts.netloc
        except ValueError:
            scheme, netloc = "", ""
        if scheme not in ("http", "https") or not netloc or _SPACE.search(url):
            self.problem(line, f"not an http(s) feed URL: {_shown(url)} (skipped)")
            return
        key = url
        if key in self.first_line:
            self.duplicate_lines.setdefault(key, []).append(line)
            return
        self.first_line[key] = line
        topic = next((f for f in reversed(self.folders) if f), None)
        if topic is None and low.get("category"):
            # listparser style: category="/Tech/Python,other" -> innermost of the first path
            first = low["category"].split(",")[0]
            topic = clean_text(first.strip("/ ").split("/")[-1], TITLE_MAX, single_line=True) or None
        html_url = (low.get("htmlurl") or "").strip() or None
        if html_url and _scheme(html_url) not in ("http", "https"):
            html_url = None
        self.feeds.append(
            OpmlFeed(
                url=url,
                title=title or (parts.hostname or url),
                topic=topic,
                html_url=html_url,
                scheme_guessed=guessed is not None,
            )
        )

    def finish(self) -> None:
        for url, lines in self.duplicate_lines.items():
            where = ", ".join(str(n) for n in lines)
            plural = "s" if len(lines) > 1 else ""
            self.problem(
                lines[0],
                f"duplicate feed {_shown(url)} (first at line "
                f"{self.first_line[url]}; again at line{plural} {where}) "
                "kept once",
            )


_SPACE = re.compile(r"\s")
# What a feed reader takes for a web address without its scheme: a host name with a dot (or
# localhost, or an IPv4 address), an optional port, then a path, query or nothing.
_BARE_HOST = re.compile(
    r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}|localhost"
    r"|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?:[/?#]|$)",
    re.I,
)


def _with_scheme(url: str) -> str | None:
    """``https://`` + the URL when it has no scheme but reads as a web address
    (``www.example.com/feed``, ``//example.com/feed``, the old ``feed://`` form); else None."""
    low = url[:8].lower()
    if low.startswith("feed://"):
        url = url[7:]
    elif low.startswith("feed:"):  # feed:https://... names the real scheme itself
        return None
    elif url.startswith("//"):
        url = url[2:]
    elif "://" in url[:12] or any(c.isspace() for c in url):
        return None
    if not _BARE_HOST.match(url):
        return None
    return "https://" + url


def _shown(s: str) -> str:
    return repr(clean_text(s, 120, single_line=True))


# ------------------------------------------------------------------------------------------
# 1 + 2: strict XML, before and after repair


def _parse_xml(text: str, collector: _Collector) -> None:
    """Raises expat.ExpatError / _EntityDeclared on anything not well-formed."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    in_title = [False]
    title_parts: list[str] = []
    depth = [0]

    def entity_decl(*_args: object) -> None:
        raise _EntityDeclared()

    def start(name: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        local = name.rsplit(":", 1)[-1].lower()
        if local == "outline":
            collector.start(attrs, parser.CurrentLineNumber)
        elif local == "title" and depth[0] == 3 and collector.title is None:
            in_title[0] = True

    def end(name: str) -> None:
        depth[0] -= 1
        local = name.rsplit(":", 1)[-1].lower()
        if local == "outline":
            collector.end()
        elif in_title[0]:
            in_title[0] = False
            collector.title = clean_text("".join(title_parts), TITLE_MAX, single_line=True) or None

    def chars(data: str) -> None:
        if in_title[0]:
            title_parts.append(data)

    parser.EntityDeclHandler = entity_decl
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    # the text is already decoded: drop the declaration's encoding so expat reads UTF-8
    body = _XML_DECL.sub(lambda m: "\n" * m.group(0).count("\n"), text, count=1)
    parser.Parse(body.encode("utf-8", "surrogatepass"), True)


_XML_DECL = re.compile(r"^\ufeff?\s*<\?xml[^>]{0,300}\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S | re.I)
_AMP = re.compile(r"&(?!(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});)")
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]{0,31});")
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}


def _repair(text: str, source: str) -> tuple[str, list[str]]:
    """Fix what can be fixed without changing line numbers; say what was changed."""
    notes: list[str] = []

    def lines_of(positions: Iterable[int]) -> list[int]:
        # the positions come in order: count the newlines between them, not from the start
        # each time (that was quadratic on a long one-line file)
        lines: list[int] = []
        line, at = 1, 0
        for pos in positions:
            line += text.count("\n", at, pos)
            at = pos
            if not lines or lines[-1] != line:
                lines.append(line)
        return lines

    doctype = _DOCTYPE.search(text)
    if doctype:
        notes.append(
            f"{source} line {lines_of([doctype.start()])[0]}: DOCTYPE ignored (entity declarations are not expanded)"
        )
    amp_lines = lines_of(m.start() for m in _AMP.finditer(text))
    html_lines = lines_of(m.start() for m in _NAMED.finditer(text) if m.group(1) not in _XML_NAMED)
    if doctype:
        text = text[: doctype.start()] + "\n" * doctype.group(0).count("\n") + text[doctype.end() :]
    text = _AMP.sub("&amp;", text)
    text = _NAMED.sub(
        lambda m: (
            m.group(0)
            if m.group(1) in _XML_NAMED
            else (f"&#{name2codepoint[m.group(1)]};" if m.group(1) in name2codepoint else "&amp;" + m.group(1) + ";")
        ),
        text,
    )
    if amp_lines:
        notes.append(
            f"{source} line{'s' if len(amp_lines) > 1 else ''} "
            f"{_lines(amp_lines)}: raw '&' read as '&amp;' (not well-formed XML)"
        )
    if html_lines:
        notes.append(
            f"{source} line{'s' if len(html_lines) > 1 else ''} "
            f"{_lines(html_lines)}: HTML entity names read as characters"
        )
    return text, notes


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


# ------------------------------------------------------------------------------------------
# 3: salvage


# Salvage reads in one pass, in time linear in the file: every tag start is found once, and
# each tag is looked for only between its start and the next tag's (at most TAG_MAX characters),
# so a stray quote cannot make one tag's search run over the rest of the file.
TAG_MAX = 20_000
_START = re.compile(r"<(/?)\s*(?:[\w.-]+:)?(outline|title|body)\b", re.I)
# quote-aware: a tag ends at the first '>' outside quotes (values may hold '<', '>', newlines)
_REST = re.compile(r"""(?:[^<>"']|"[^"]*"|'[^']*')*?>""")
_ATTR_NAME = re.compile(r"(?<![\w:.-])([A-Za-z_][\w:.-]*)\s*=\s*")
# An attribute value ends at the quote that is followed by the next attribute or the tag's
# end, so `text="Газета "Коммерсантъ". Главное"` keeps its inner quotes.
_VALUE_END = {q: re.compile(q + r"(?=\s+[A-Za-z_][\w:.-]*\s*=|\s*/?\s*$)") for q in "\"'"}
_BARE_VALUE = re.compile(r"""[^\s"'>]+""")


def _attributes(inner: str) -> dict[str, str]:
    """The attributes of one tag's inside, the first of each name kept; tolerant of unescaped
    quotes in values. Linear: the candidate ends of quoted values are found once, up front."""
    inner = inner.strip()
    ends = {q: [m.start() for m in pattern.finditer(inner)] if q in inner else [] for q, pattern in _VALUE_END.items()}
    attrs: dict[str, str] = {}
    pos = 0
    while (m := _ATTR_NAME.search(inner, pos)) is not None:
        at = m.end()
        quote = inner[at : at + 1]
        if quote in ('"', "'"):
            candidates = ends[quote]
            k = bisect.bisect_right(candidates, at)
            if k == len(candidates):  # never closed: look for the next attribute after it
                pos = at + 1
                continue
            value, pos = inner[at + 1 : candidates[k]], candidates[k] + 1
        else:
            bare = _BARE_VALUE.match(inner, at)
            if bare is None:
                pos = max(at, m.start() + 1)
                continue
            value, pos = bare.group(0), bare.end()
        attrs.setdefault(m.group(1), unescape(value) if "&" in value else value)
    return attrs


def _salvage(text: str, collector: _Collector) -> int:
    """Pull outline tags out of text that no XML parser accepts. Returns how many tags."""
    count = 0
    line, counted_to = 1, 0
    title_open: int | None = None
    starts = list(_START.finditer(text))
    for i, m in enumerate(starts):
        start, name, closing = m.start(), m.group(2).lower(), m.group(1) == "/"
        limit = min(starts[i + 1].start() if i + 1 < len(starts) else len(text), m.end() + TAG_MAX)
        rest = _REST.match(text, m.end(), limit)
        if rest is not None:
            end = rest.end()
        elif name == "outline" and not closing:
            # a stray quote: the tag ends at the last '>' before the next tag
            end = text.rfind(">", m.end(), limit) + 1
            if not end:
                continue
        else:
            continue
        line += text.count("\n", counted_to, start)
        counted_to = start
        if name == "title":
            if closing and title_open is not None and collector.title is None:
                collector.title = clean_text(unescape(text[title_open:start]), TITLE_MAX, single_line=True) or None
            title_open = None if closing else end
            continue
        if name == "body":
            continue
        if closing:
            collector.end()
            continue
        inner = text[m.end() : end - 1].rstrip()
        self_closing = inner.endswith("/")
        if self_closing:
            inner = inner[:-1]
        collector.start(_attributes(inner), line, self_closing)
        count += 1
    return count


# ------------------------------------------------------------------------------------------


def parse_opml(data: bytes | str, source_name: str) -> OpmlResult:
    """Read an OPML (1.0/2.0, or something like it) subscription list. Never raises for bad
    content: what could not be read is in `problems`, each naming `source_name` and a line."""
    source = clean_text(source_name, 200, single_line=True) or "OPML"
    problems: list[str] = []
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT:
            return OpmlResult(
                problems=[f"{source}: file larger than {MAX_INPUT // 1_000_000} MB; not a subscription list"],
                method="salvaged",
            )
        text, note = _decode(data)
        if note:
            problems.append(f"{source} {note}")
    else:
        text = str(data)
        if len(text) > MAX_INPUT:
            return OpmlResult(
                problems=[f"{source}: file larger than {MAX_INPUT // 1_000_000} MB; not a subscription list"],
                method="salvaged",
            )
    text = text.replace("\x00", "")

    collector = _Collector(source)
    method = "xml"
    first_error: str | None = None
    try:
        if "<!ENTITY" in text.upper():
            raise _EntityDeclared()
        _parse_xml(text, collector)
    except (expat.ExpatError, _EntityDeclared, RecursionError, ValueError) as exc:
        first_error = _expat_message(exc)
        repaired, notes = _repair(text, source)
        collector = _Collector(source)
        method = "repaired"
        try:
            _parse_xml(repaired, collector)
            problems.extend(notes)
        except (expat.ExpatError, _EntityDeclared, RecursionError, ValueError) as exc2:
            collector = _Collector(source)
            method = "salvaged"
            found = _salvage(text, collector)
            why = _expat_message(exc2) or first_error or "not well-formed XML"
            sep = " " if why.startswith("line ") else ": "
            problems.append(f"{source}{sep}{why}, even after repair; read {found} outline tags one by one")
    collector.finish()
    if not collector.feeds and not collector.problems:
        problems.append(f"{source}: no feeds found (no <outline> with an xmlUrl)")
    return OpmlResult(
        feeds=collector.feeds, problems=problems + collector.problems, title=collector.title, method=method
    )


def _expat_message(exc: BaseException) -> str | None:
    if isinstance(exc, expat.ExpatError):
        reason = expat.ErrorString(exc.code)
        if reason.startswith("not well-formed"):
            reason = reason.replace("not well-formed", "not well-formed XML", 1)
        return f"line {exc.lineno}: {reason}"
    if isinstance(exc, _EntityDeclared):
        return "entity declarations refused"
    return None


# ------------------------------------------------------------------------------------------


def write_opml(feeds: Sequence[tuple[str, str | None, str | None]], title: str) -> str:
    """OPML 2.0 text: one folder per topic (sorted), feeds in the given order within it,
    feeds without a topic at the top level. Deterministic for the same input."""

    def attr(s: str | None) -> str:
        s = clean_text(s or "", 2000, single_line=True)
        return escape(s, quote=True)

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{attr(title)}</title>",
        "  </head>",
        "  <body>",
    ]
    by_topic: dict[str, list[tuple[str, str | None]]] = {}
    loose: list[tuple[str, str | None]] = []
    for url, name, topic in feeds:
        topic = clean_text(topic or "", TITLE_MAX, single_line=True)
        (by_topic.setdefault(topic, []) if topic else loose).append((url, name))

    def outline(url: str, name: str | None, indent: str) -> str:
        label = attr(name or url)
        return f'{indent}<outline type="rss" text="{label}" title="{label}" xmlUrl="{attr(url)}"/>'

    for url, name in loose:
        lines.append(outline(url, name, "    "))
    for topic in sorted(by_topic, key=str.casefold):
        lines.append(f'    <outline text="{attr(topic)}" title="{attr(topic)}">')
        lines.extend(outline(url, name, "      ") for url, name in by_topic[topic])
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
