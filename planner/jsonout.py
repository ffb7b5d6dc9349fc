"""One JSON form for everything planner prints or writes as JSON (`--json`, the review's JSON).

A leaf module (stdlib only), so services give their results a JSON form through it and the CLI
prints with it. The rules, once: a dataclass is its fields by name (in their order, nested values
converted too; not ``dataclasses.asdict``, which deep-copies every value); a value with its own
``as_json()`` is what that returns (a result whose JSON adds or renames fields); dates and
datetimes in ISO 8601; an enum by its value; a path as text; a Decimal as its exact text.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

__all__ = ["dumps", "plain", "plain_fields", "write"]

_NATIVE = (str, int, bool, type(None))


def plain(value: Any, *, digits: int | None = None, utc: bool = False) -> Any:
    """``value`` as JSON's types (dict, list, str, number, bool, None).

    ``digits`` rounds floats and ``utc`` writes datetimes in UTC, for a form that must read the
    same on every machine (the review's). Neither reaches into what an ``as_json()`` returns: that
    is the value's own form, already as its author wants it."""
    if isinstance(value, _NATIVE):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        return value if digits is None else round(value, digits)
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if utc else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v, digits=digits, utc=utc) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, digits=digits, utc=utc) for v in value]
    if isinstance(value, Enum):
        return value.value
    if not isinstance(value, type):
        own = getattr(value, "as_json", None)
        if own is not None:
            return plain(own())
        if is_dataclass(value):
            return plain_fields(value, digits=digits, utc=utc)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def plain_fields(value: Any, *, digits: int | None = None, utc: bool = False) -> dict:
    """A dataclass's fields by name, in their order, each as ``plain`` writes it."""
    return {f.name: plain(getattr(value, f.name), digits=digits, utc=utc) for f in fields(value)}


def dumps(data: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text with non-ASCII kept as is; compact (no spaces after separators) without ``indent``."""
    separators = None if indent else (",", ":")
    return json.dumps(plain(data), ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)


def write(data: Any) -> None:
    """``data`` on stdout: indented for a person at a terminal, compact when piped (scripts, large listings)."""
    sys.stdout.write(dumps(data, indent=2 if sys.stdout.isatty() else None) + "\n")
