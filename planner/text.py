"""Words for people: the one home of small text rules that screens, the CLI and reports share.

A leaf module (stdlib only, imports nothing of planner's), so any layer may use it, the feed-parsing
worker processes included. Each rule here replaces copies that had drifted: the cleaning of untrusted
text, one label for an enum value, one plural.
"""

from __future__ import annotations

import re
from enum import Enum

__all__ = ["clean_text", "count", "heading", "label", "plural", "strip_controls"]

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
# reorder or hide text in a terminal (bidi overrides/isolates, zero-width space, BOM). The zero-width
# (non-)joiners U+200C/U+200D stay: emoji sequences (👩‍💻) and several scripts need them.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline (tabs, NBSP, em space ...)
_BLANK_LINES = re.compile(r"\n{3,}")
_ELLIPSIS = "…"

# Words whose plural is not the word plus "s".
_IRREGULAR = {
    "person": "people",
    "entry": "entries",
    "reply": "replies",
    "company": "companies",
    "activity": "activities",
    "strategy": "strategies",
    "is": "are",
    "was": "were",
}


def label(value: Enum | str | None) -> str:
    """An enum value or snake_case key as a person reads it: ``thought_leadership`` -> ``thought leadership``."""
    if value is None:
        return ""
    raw = value.value if isinstance(value, Enum) else value
    return str(raw).replace("_", " ")


def heading(value: Enum | str | None) -> str:
    """A setting or field name as a form label: ``daily_touch_capacity`` -> ``Daily touch capacity``,
    ``cadence.inner`` -> ``Cadence · inner``."""
    text = " · ".join(label(part) for part in label(value).split("."))
    return text[:1].upper() + text[1:]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` for 1 (and -1), its plural otherwise: ``plural(3, "idea")`` -> ``ideas``."""
    if abs(n) == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def count(n: int, word: str, many: str | None = None) -> str:
    """A number with its noun: ``count(1, "person")`` -> ``1 person``, ``count(3, "person")`` -> ``3 people``."""
    return f"{n} {plural(n, word, many)}"


def strip_controls(s: str | None) -> str:
    """Only what is dangerous in a terminal or a file goes: escape sequences (7- and 8-bit),
    control characters but tab and newline, invisible reordering characters; CRLF/CR become LF.
    Everything else stays verbatim (exports keep a draft exactly as written)."""
    if not s:
        return ""
    if s.isprintable():  # the usual case at the output edge: nothing to strip
        return s
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", s))


def clean_text(s: str | None, max_len: int = 4000, *, single_line: bool = False) -> str:
    """Untrusted text (feed titles, CSV cells, messages) made safe and tidy: `strip_controls`,
    whitespace normalized, the length capped.

    Paragraph breaks survive (at most one blank line in a row) unless `single_line`, which
    folds everything onto one line (titles, names). Text longer than `max_len` is cut at a
    word boundary when one is near and ends with "…".
    """
    s = strip_controls(s)
    if not s:
        return ""
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
