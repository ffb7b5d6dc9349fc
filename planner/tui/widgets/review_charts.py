"""Charts for the weekly review, drawn with plotext (textual-plotext works with Textual 8.2.8).

Each chart keeps the series it shows in ``series`` so tests can check what is drawn without
reading pixels. Labels are our own (pillar names, ISO weeks): no untrusted text is plotted.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

from planner.services.review.model import MixPoint, WeekPoint
from planner.text import label


def count_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number y ticks from 0 past ``top`` (counts have no 0.67 or 1.33), at most ``most`` of them."""
    step = max(1, -(-max(top, 1) // (most - 1)))
    return list(range(0, max(top, 1) + step, step))


def _short(week: str) -> str:
    return week.split("-")[-1]  # "2026-W47" → "W47"


class _ReviewChart(PlotextPlot):
    """A chart that stays hidden until it has data: drawing an empty plot cost a plotext render in
    every first frame of the Review screen, before the data it waits for arrived."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list] = {}
        self.yticks: list[int] = []
        self.display = False

    def _draw(
        self,
        title: str,
        labels: list[str],
        bars: list[list],
        names: list[str],
        stacked: bool = False,
        counts: bool = True,
    ) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        if labels:
            (plt.stacked_bar if stacked else plt.multiple_bar)(labels, bars, labels=names)
            if counts:
                top = max(
                    (sum(col) for col in zip(*bars, strict=True)) if stacked else (max(b, default=0) for b in bars),
                    default=0,
                )
                self.yticks = count_ticks(int(top))
                plt.yticks(self.yticks)
        self.display = True
        self.refresh()


class PillarMixChart(_ReviewChart):
    """Published share per pillar over the last 4 weeks next to the target share (in %)."""

    def show(self, points: list[MixPoint]) -> None:
        labels = [label(p.pillar) for p in points]
        target = [round(p.target * 100) for p in points]
        actual = [round(p.recent * 100) for p in points]
        self.series = {"labels": labels, "target": target, "actual": actual}
        self._draw(
            "Pillar mix, last 4 weeks vs target (%)", labels, [target, actual], ["target", "published"], counts=False
        )


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
