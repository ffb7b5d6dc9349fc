"""Charts for the weekly review, drawn with plotext (textual-plotext works with Textual 8.2.8).

Each chart keeps the series it shows in ``series`` so tests can check what is drawn without
reading pixels. Labels are our own (pillar names, ISO weeks): no untrusted text is plotted.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

from planner.services.review.model import MixPoint, WeekPoint


def _short(week: str) -> str:
    return week.split("-")[-1]  # "2026-W47" → "W47"


class _ReviewChart(PlotextPlot):
    """A chart that stays hidden until it has data: drawing an empty plot cost a plotext render in
    every first frame of the Review screen, before the data it waits for arrived."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list] = {}
        self.display = False

    def _draw(self, title: str, labels: list[str], bars: list[list], names: list[str], stacked: bool = False) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        if labels:
            (plt.stacked_bar if stacked else plt.multiple_bar)(labels, bars, labels=names)
        self.display = True
        self.refresh()


class PillarMixChart(_ReviewChart):
    """Published share per pillar over the last 4 weeks next to the target share (in %)."""

    def show(self, points: list[MixPoint]) -> None:
        labels = [p.pillar.replace("_", " ") for p in points]
        target = [round(p.target * 100) for p in points]
        actual = [round(p.recent * 100) for p in points]
        self.series = {"labels": labels, "target": target, "actual": actual}
        self._draw("Pillar mix, last 4 weeks vs target (%)", labels, [target, actual], ["target", "published"])


class TouchesChart(_ReviewChart):
    """Touchpoints done per week (the last 12 weeks) against those planned."""

    def show(self, weeks: list[WeekPoint]) -> None:
        labels = [_short(w.week) for w in weeks]
        done = [w.touches_done for w in weeks]
        planned = [w.touches_planned for w in weeks]
        self.series = {"labels": labels, "done": done, "planned": planned}
        self._draw("Touchpoints per week", labels, [planned, done], ["planned", "done"])


class GiveAskChart(_ReviewChart):
    """Value-first touches (gives) and asks per week, the last 12 weeks."""

    def show(self, weeks: list[WeekPoint]) -> None:
        labels = [_short(w.week) for w in weeks]
        gives = [w.gives for w in weeks]
        asks = [w.asks for w in weeks]
        self.series = {"labels": labels, "gives": gives, "asks": asks}
        self._draw("Give : ask per week", labels, [gives, asks], ["gives", "asks"], stacked=True)


__all__ = ["GiveAskChart", "PillarMixChart", "TouchesChart"]
