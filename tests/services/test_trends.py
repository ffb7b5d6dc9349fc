from __future__ import annotations

from datetime import UTC, datetime, timedelta

from planner.services.trends import Trend, rising_keywords

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def test_rising_keyword_with_series_baseline_and_lift():
    occurrences = [("observability", at(1))] * 6 + [("observability", at(10))] * 2
    steady = (1, 2, 3, 8, 9, 10, 15, 16, 17, 22, 23, 24, 29, 30, 31)  # 3 per window: not rising
    occurrences += [("kubernetes", at(d)) for d in steady]
    trends = rising_keywords(occurrences, NOW)
    assert trends == [Trend("observability", 6, 0.5, round(7 / 1.5, 4), (0, 0, 0, 2, 6))]


def test_min_support_and_window_edges():
    occurrences = [("edge ai", at(0.5))] * 2 + [("edge ai", at(40))] * 9 + [("later", at(-1))] * 5
    assert rising_keywords(occurrences, NOW) == []
    assert [t.keyword for t in rising_keywords(occurrences, NOW, min_support=2)] == ["edge ai"]


def test_near_duplicates_merge_plural_and_spacing():
    occurrences = [
        ("AI ops", at(1)),
        ("aiops", at(2)),
        ("AIOps", at(2)),
        ("ai-ops", at(3)),
        ("incident responses", at(1)),
        ("incident response", at(2)),
        ("Incident Response", at(3)),
    ]
    trends = rising_keywords(occurrences, NOW)
    assert {(t.keyword, t.count) for t in trends} == {("aiops", 4), ("incident response", 3)}


def test_order_is_deterministic_and_days_configurable():
    occurrences = [(k, at(0.5)) for k in ("beta", "alpha", "gamma") for _ in range(3)]
    occurrences += [("gamma", at(1.5))] * 3  # falls in the previous 1-day window
    trends = rising_keywords(reversed(occurrences), NOW, days=1)
    assert [t.keyword for t in trends] == ["alpha", "beta", "gamma"]
    assert trends[-1].series == (0, 0, 0, 3, 3)
