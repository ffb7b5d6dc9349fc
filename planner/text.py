"""Words for people: the one home of small text rules that screens, the CLI and reports share.

A leaf module (stdlib only, imports nothing of planner's), so any layer may use it. Rules added
here replace the copies that drifted elsewhere (issue #18): one label for an enum value, one plural.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["label", "heading", "plural", "count"]

# Words whose plural is not the word plus "s".
_IRREGULAR = {"person": "people", "entry": "entries", "reply": "replies", "company": "companies",
              "activity": "activities", "strategy": "strategies", "is": "are", "was": "were"}


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
