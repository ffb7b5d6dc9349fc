"""Charts for the weekly review, drawn with plotext (textual-plotext works with Textual 8.2.8).

Each chart keeps the series it shows in ``series`` so tests can check what is drawn without
reading pixels. Labels are our own (pillar names, ISO weeks): no untrusted text is plotted.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

from planner.services.review import MixPoint, WeekPoint


def _short(week: str) -> str:
    return week.split("-")[-1]  # "2026-W47" → "W47"


class PillarMixChart(PlotextPlot):
    """Published share per pillar over the last 4 weeks next to the target share (in %)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list] = {}

    def show(self, points: list[MixPoint]) -> None:
        labels = [p.pillar.replace("_", " ") for p in points]
        target = [round(p.target * 100) for p in points]
        actual = [round(p.recent * 100) for p in points]
        self.series = {"labels": labels, "target": target, "actual": actual}
        plt = self.plt
        plt.clear_figure()
        plt.title("Pillar mix, last 4 weeks vs target (%)")
        if labels:
            plt.multiple_bar(labels, [target, actual], labels=["target", "published"])
        self.refresh()


class TouchesChart(PlotextPlot):
    """Touchpoints done per week (the last 12 weeks) against those planned."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list] = {}

    def show(self, weeks: list[WeekPoint]) -> None:
        labels = [_short(w.week) for w in weeks]
        done = [w.touches_done for w in weeks]
        planned = [w.touches_planned for w in weeks]
        self.series = {"labels": labels, "done": done, "planned": planned}
        plt = self.plt
        plt.clear_figure()
        plt.title("Touchpoints per week")
        if labels:
            plt.multiple_bar(labels, [planned, done], labels=["planned", "done"])
        self.refresh()


class GiveAskChart(PlotextPlot):
    """Value-first touches (gives) and asks per week, the last 12 weeks."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list] = {}

    def show(self, weeks: list[WeekPoint]) -> None:
        labels = [_short(w.week) for w in weeks]
        gives = [w.gives for w in weeks]
        asks = [w.asks for w in weeks]
        self.series = {"labels": labels, "gives": gives, "asks": asks}
        plt = self.plt
        plt.clear_figure()
        plt.title("Give : ask per week")
        if labels:
            plt.stacked_bar(labels, [gives, asks], labels=["gives", "asks"])
        self.refresh()


__all__ = ["GiveAskChart", "PillarMixChart", "TouchesChart"]
