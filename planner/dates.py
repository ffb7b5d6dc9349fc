"""The range of dates planner accepts from outside: one rule for every door (imports, restore, CLI).

A date in year 9999 was accepted once, and then every reader that adds a cadence to it
(``people list``, ``plan week``, ``review``) died with OverflowError. Dates from files and
arguments must fall in [MIN_DATE, MAX_DATE]; the readers also survive a bad row already stored.
Standard library only: the CSV adapters import this.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)

__all__ = ["MAX_DATE", "MIN_DATE", "check_date_range", "in_range"]

D = TypeVar("D", date, datetime)


def in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def check_date_range(value: D, what: str = "date") -> D:
    """``value`` itself, or ValueError naming ``what`` when it lies outside the accepted years."""
    if not in_range(value):
        raise ValueError(f"{what} {value.isoformat()} is outside {MIN_DATE.year}–{MAX_DATE.year}")
    return value
