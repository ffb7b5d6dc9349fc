"""Turn untrusted text (feed titles, summaries, CSV cells) into safe plain text.

Pure stdlib, no heavy imports: the feed-parsing worker processes import this module, and so
will the LinkedIn CSV importer. Output is plain text, never markup: callers still hand it to
widgets as `Text`/`Content`, this module only makes sure no terminal escape survives ingest.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

__all__ = ["clean_text", "html_to_text", "terminal_safe"]

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# strings (ESC P/X/^/_ ... ST), then any other two-byte ESC sequence. The 8-bit C1 forms
# (\x9b CSI, \x9d OSC, ...) are matched too, so their parameters go with them.
_ESCAPES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]                     # CSI
    | (?:\x1b\]|\x9d) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?    # OSC, terminated or not
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) [^\x1b\x9c]* (?:\x1b\\|\x9c)?  # DCS, SOS, PM, APC
    | \x1b [ -/]* [0-~]?                                       # other ESC sequences
    """,
    re.VERBOSE,
)
# C0 controls except \t and \n, DEL, C1 controls, and the invisible characters that can
# reorder or hide text in a terminal (bidi overrides/isolates, zero-width, BOM).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline (tabs, NBSP, em space ...)
_BLANK_LINES = re.compile(r"\n{3,}")
_ELLIPSIS = "…"
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def terminal_safe(s: str) -> str:
    """``s`` without terminal escapes and control characters (tabs and newlines kept), nothing
    else changed: for text at the output edge, which may never have passed through ingest (a CLI
    argument, a restored backup, a row another client wrote to a shared database)."""
    if not s or s.isprintable():
        return s
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", s))


def clean_text(s: str | None, max_len: int = 4000, *, single_line: bool = False) -> str:
    """Strip terminal escapes and control characters, normalize whitespace, cap the length.

    Paragraph breaks survive (at most one blank line in a row) unless `single_line`, which
    folds everything onto one line (titles, names). Text longer than `max_len` is cut at a
    word boundary when one is near and ends with "…".
    """
    if not s:
        return ""
    s = terminal_safe(s)
    if single_line:
        s = " ".join(s.split())
    else:
        s = _SPACES.sub(" ", s)
        s = "\n".join(line.strip() for line in s.split("\n"))
        s = _BLANK_LINES.sub("\n\n", s).strip()
    if max_len and len(s) > max_len:
        cut = s[: max_len - 1]
        space = cut.rfind(" ", max(0, max_len - 40))
        if space > 0:
            cut = cut[:space]
        s = cut.rstrip() + _ELLIPSIS
    return s


# Elements whose content is never text a reader should see.
_DROP = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe",
                   "object", "svg", "math", "select", "button"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "thead", "tfoot", "tr", "ul",
})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._drop_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _DROP:
            if tag not in _VOID:
                self._drop_depth += 1
            return
        if self._drop_depth:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag in ("p", "blockquote", "pre") else "\n")
        if tag == "pre":
            self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        # <br/>, <hr/>, and a self-closed <script/> that must not open a dropped region
        if tag in _DROP:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            if self._drop_depth:
                self._drop_depth -= 1
            return
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if not self._drop_depth and tag in _BLOCK:
            self.parts.append("\n\n" if tag in ("p", "blockquote", "pre") else "\n")

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            # source line breaks are just spaces in HTML, except inside <pre>
            self.parts.append(data if self._pre_depth else _HTML_SPACE.sub(" ", data))


def html_to_text(html: str | None) -> str:
    """Render an HTML fragment as plain text: tags removed, script/style dropped, entities
    decoded, block elements on their own lines. Whitespace is not normalized here: pass the
    result through `clean_text`."""
    if not html:
        return ""
    if "<" not in html:
        return unescape(html) if "&" in html else html
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient, but never let a fragment break ingest
        pass
    return "".join(parser.parts)
