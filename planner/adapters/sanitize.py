"""Turn untrusted text (feed titles, summaries, CSV cells) into safe plain text.

Pure stdlib, no heavy imports: the feed-parsing worker processes import this module, and so
will the LinkedIn CSV importer. Output is plain text, never markup: callers still hand it to
widgets as `Text`/`Content`, this module only makes sure no terminal escape survives ingest.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from planner.text import clean_text

__all__ = ["clean_text", "html_to_text"]  # clean_text lives in planner.text, the one copy

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")

# Elements whose content is never text a reader should see.
_DROP = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math", "select", "button"}
)
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._drop_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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
