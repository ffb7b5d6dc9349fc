"""Rising keywords: this window against the four before it (plain data in, plain data out)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from planner.words import keyword_key

PREVIOUS_WINDOWS = 4
SMOOTHING = 1.0  # add-one on both sides: 3 mentions out of nowhere is a lift of 4, not infinity


@dataclass(frozen=True)
class Trend:
    keyword: str
    count: int  # mentions in the current window
    baseline: float  # average mentions per previous window
    lift: float  # (count + 1) / (baseline + 1)
    series: tuple[int, ...]  # counts per window, oldest first; the last one is the current window


def rising_keywords(
    occurrences: Iterable[tuple[str, datetime]],
    now: datetime,
    days: int = 7,
    min_support: int = 3,
) -> list[Trend]:
    """Keywords mentioned at least ``min_support`` times in the last ``days`` days whose count
    beats their average over the previous four windows of the same length; highest lift first.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    span = timedelta(days=days)
    windows = PREVIOUS_WINDOWS + 1
    oldest = now - windows * span
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * windows)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for keyword, when in occurrences:
        if when.tzinfo is None and now.tzinfo is not None:
            when = when.replace(tzinfo=UTC)
        if not (oldest < when <= now):
            continue
        surface = " ".join(keyword.lower().split())
        key = keyword_key(surface)
        if not key:
            continue
        age = int((now - when) / span)  # 0 = current window
        age = min(age, windows - 1)
        counts[key][windows - 1 - age] += 1
        surfaces[key][surface] += 1

    return trends_from(counts, surfaces, min_support)


def window_bounds(now: datetime, days: int) -> list[datetime]:
    """Upper bounds of the windows, oldest first; window i holds (bounds[i] - span, bounds[i]]."""
    span = timedelta(days=days)
    return [now - (PREVIOUS_WINDOWS - i) * span for i in range(PREVIOUS_WINDOWS + 1)]


def trends_from(counts: dict[str, list[int]], surfaces: dict[str, Counter[str]], min_support: int = 3) -> list[Trend]:
    """Trends from counts per window (oldest first) per merge key, and the spellings seen per key."""
    trends = []
    for key, series in counts.items():
        current = series[-1]
        if current < min_support:
            continue
        baseline = sum(series[:-1]) / PREVIOUS_WINDOWS
        lift = (current + SMOOTHING) / (baseline + SMOOTHING)
        if lift <= 1.0:
            continue
        # the most used spelling names the group; ties go to the shorter, then alphabetical
        name = min(surfaces[key].items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
        trends.append(Trend(name, current, round(baseline, 4), round(lift, 4), tuple(series)))
    trends.sort(key=lambda t: (-t.lift, -t.count, t.keyword))
    return trends
