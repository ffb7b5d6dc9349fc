"""Step 1, Last week: what was planned and what happened, the results LinkedIn measured, the pillar
mix; a missed item is marked as happened (d), carried forward (c) or dropped (x)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Static

from planner.services import review as review_service
from planner.text import label
from planner.tui.screens.review.step import PAGE, Step, grow_near_end, redraw, short, step_keys
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.review_charts import PillarMixChart

if TYPE_CHECKING:
    from planner.services.analytics import Results


class LastWeekStep(Step):
    BINDINGS = step_keys(
        Binding("d", "happened", "Happened"),
        Binding("c", "carry", "Carry forward"),
        Binding("x", "drop", "Drop"),
    )

    @dataclass
    class ResultsRead(Message):
        results: Results

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.last: review_service.LastWeek | None = None
        self.items: list = []  # the week's rows in table order (the first `row_count` are in the table)

    def compose(self) -> ComposeResult:
        yield Static("Loading…", classes="counts", id="last-summary")
        table = FitTable(id="last-items", cursor_type="row", zebra_stripes=True, shrink=(("item", 16),))
        table.add_columns("when", "what", "item", "outcome")
        yield table
        yield Static("", classes="detail", id="last-results")
        with Horizontal(classes="review-charts"):
            yield PillarMixChart(id="chart-mix")

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.last.timezone) if self.last else self.app.tz

    def show(self, r: review_service.LastWeek) -> None:
        self.last = r
        p, t, kept = r.posts, r.touchpoints, r.streak.this_week
        text = Text()
        text.append(f"Posts {p.published}/{p.planned} published", style="bold")
        text.append(f" · {p.skipped} skipped · {p.missed} missed   ")
        text.append(f"Touchpoints {t.done}/{t.planned} done", style="bold")
        text.append(f" · {t.skipped} skipped · {t.overdue} overdue   ")
        text.append(f"Give:ask {r.give_ask_week.ratio_text} (90 days {r.give_ask_90_days.ratio_text})\n", style="bold")
        text.append("Plan kept " if kept.kept else "Plan not kept ", style="green" if kept.kept else "yellow")
        text.append(f"· streak {r.streak.weeks} week{'s' if r.streak.weeks != 1 else ''} · ")
        text.append(
            "per pillar: "
            + ", ".join(
                f"{label(row.pillar)} {row.published}/{row.planned} ({row.share:.0%} vs {row.target:.0%})"
                for row in p.pillars
            )
        )
        missed = len(r.missed_items)
        text.append(
            f"\n{missed} missed: d happened · c carry forward · x drop" if missed else "\nNothing missed.", style="dim"
        )
        if len(p.items) + len(t.items) > PAGE:
            text.append(f" · {len(p.items) + len(t.items):,} items: more rows load as you scroll", style="dim")
        self.query_one("#last-summary", Static).update(text)
        # the missed items first: what this step asks you to act on stays at the top, in view at
        # any size and in a week of thousands (rows load a page at a time); then the rest by time
        self.items = sorted(p.items + t.items, key=lambda i: (not i.missed, i.at, i.kind, i.id))
        redraw(self.query_one("#last-items", DataTable), self._more)
        self.query_one(PillarMixChart).show(r.charts.pillar_mix)

    def _more(self, count: int = PAGE) -> None:
        table = self.query_one("#last-items", DataTable)
        zone = self.zone()
        for item in self.items[table.row_count : table.row_count + count]:
            style = {"missed": "bold red", "published": "green", "done": "green", "skipped": "dim"}.get(
                item.outcome, ""
            )
            table.add_row(
                Text(f"{item.at.astimezone(zone):%a %d %b %H:%M}"),
                Text("post" if item.kind == "post" else label(item.action or "touch")),
                Text(short(item.title, 70)),
                Text(item.outcome, style=style),
                key=f"{item.kind}:{item.id}",
            )

    @on(DataTable.RowHighlighted, "#last-items")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        grow_near_end(event.data_table, self.items, self._more)

    # --- results (LinkedIn analytics) --------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-results")
    def load_results(self, monday: date, sunday: date):
        from planner.services.analytics import results

        measured = self.app.store.call(results, monday, sunday + timedelta(days=1))
        self.post_message(self.ResultsRead(measured))
        return measured

    @on(ResultsRead)
    def _show_results(self, event: ResultsRead) -> None:
        """Impressions and engagement per pillar and per slot, the week's best post, follower
        growth as a one-line chart."""
        from planner.services.analytics import has_results, sparkline
        from planner.text import count

        r = event.results
        panel = self.query_one("#last-results", Static)
        if not has_results(r):
            panel.update(
                Text(
                    "Results: import LinkedIn's analytics export (planner import linkedin-analytics FILE.xlsx) "
                    "to see impressions and engagement here.",
                    style="dim",
                )
            )
            return
        text = Text()
        text.append("Results ", style="bold")
        text.append(
            f"{count(r.posts_measured, 'post')} measured · {r.impressions:,} impressions · {r.engagements:,} engagements"
        )
        if r.best_post:
            text.append(" · best: ")
            text.append(f"{r.best_post['title']} ({r.best_post['impressions']:,})", style="bold")
        if r.pillars:
            text.append(
                "\nper pillar: "
                + ", ".join(f"{b.label.replace('_', ' ')} {b.impressions:,}/{b.engagements:,}" for b in r.pillars)
            )
        if r.slots:
            text.append("\nper slot: " + ", ".join(f"{b.label} {b.impressions:,}/{b.engagements:,}" for b in r.slots))
        if r.followers:
            total = f" (total {r.total_followers:,})" if r.total_followers is not None else ""
            text.append(f"\nfollowers +{r.follower_growth:,}{total} ")
            text.append(sparkline([n for _d, n in r.followers]), style="green")
        panel.update(text)

    # --- the missed items ----------------------------------------------------------------------------

    def _missed_selected(self) -> review_service.ReviewItem | None:
        table = self.query_one("#last-items", DataTable)
        item = None
        if self.last is not None and table.row_count and table.cursor_row >= 0:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            item = next(
                (i for i in self.last.posts.items + self.last.touchpoints.items if f"{i.kind}:{i.id}" == key), None
            )
        if item is None or not item.missed:
            self.notify("Select a missed item (red) first", severity="warning")
            return None
        return item

    def action_happened(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("marked", item, None)

    def action_carry(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("carried", item, review_service.carry_target(item.at, self.app.now(), self.zone()))

    def action_drop(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("dropped", item, None)

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-item")
    def change_item(self, what: str, item: review_service.ReviewItem, to: datetime | None) -> str:
        now, v = self.app.now(), item.version
        change = {
            "marked": lambda s: review_service.mark_happened(s, item.kind, item.id, now, expected_version=v),
            "carried": lambda s: review_service.carry_forward(s, item.kind, item.id, to, now, expected_version=v),
            "dropped": lambda s: review_service.drop_item(s, item.kind, item.id, now, expected_version=v),
        }[what]
        message = self.app.undoable(item.kind, item.id, change)  # u undoes it
        if what == "carried":
            message = f"{message.split(' to ')[0]} to {to.astimezone(self.zone()):%a %d %b %H:%M}"
        self.post_message(self.Decided(what, [item.kind, item.id] + ([to.isoformat()] if to else []), message))
        return message
