"""Step 4, Next week: the review's suggestions and the week being planned; run the auto-plan (p),
move the selected item a day earlier or later (⇧← / ⇧→)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from planner.services import review as review_service
from planner.text import count, label
from planner.tui.screens.review.step import PAGE, Step, grow_near_end, redraw, short, step_keys
from planner.tui.widgets.fit_table import FitTable

if TYPE_CHECKING:
    from planner.services.week import WeekView


class NextWeekStep(Step):
    BINDINGS = step_keys(
        Binding("p", "auto_plan", "Auto-plan"),
        Binding("shift+left", "move(-1)", "Day earlier", key_display="⇧←"),
        Binding("shift+right", "move(1)", "Day later", key_display="⇧→"),
    )

    @dataclass
    class WeekRead(Message):
        view: WeekView

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.monday: date | None = None  # set by the screen: the week being planned
        self.zone: ZoneInfo | None = None  # set by the screen: the review's zone
        self.week_view = None  # read when the step is shown
        self.items: list = []  # the week's rows in table order

    def compose(self) -> ComposeResult:
        yield Static("", classes="counts", id="next-suggestions")
        yield Static("", classes="counts", id="next-summary")
        table = FitTable(id="next-items", cursor_type="row", zebra_stripes=True, shrink=(("item", 16),))
        table.add_columns("day", "time", "what", "item", "status")
        yield table

    def show_suggestions(self, r: review_service.WeekReview) -> None:
        text = Text("Suggestions for next week\n", style="bold")
        for s in r.suggestions:
            text.append(f"• {s}\n")
        self.query_one("#next-suggestions", Static).update(text)
        if self.week_view is None:
            self.query_one("#next-summary", Static).update(Text("Loading the week…", style="dim"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-next")
    def load_week(self, monday: date):
        """Read when the step is shown (and after each change made there), so the review opens
        without waiting for a week of plan it may never reach."""
        from planner.services.week import week_view

        view = self.app.store.call(week_view, monday, self.app.now())
        self.post_message(self.WeekRead(view))
        return view

    @on(WeekRead)
    def _show_week(self, event: WeekRead) -> None:
        view = self.week_view = event.view
        posts = [i for i in view.items if i.kind == "post"]
        touches = [i for i in view.items if i.kind == "touchpoint"]
        self.query_one("#next-summary", Static).update(
            Text(
                f"{view.week} · {count(len(posts), 'post')} for {count(len(view.slots), 'slot')} · {count(len(touches), 'touchpoint')} · "
                "p: auto-plan · ⇧←/⇧→ move the selected item a day"
            )
        )
        self.items = list(view.items)
        redraw(self.query_one("#next-items", DataTable), self._more)

    def _more(self, count: int = PAGE) -> None:
        table = self.query_one("#next-items", DataTable)
        zone = ZoneInfo(self.week_view.timezone)
        for item in self.items[table.row_count : table.row_count + count]:
            local = item.at.astimezone(zone)
            table.add_row(
                Text(f"{local:%a %d %b}"),
                Text(f"{local:%H:%M}"),
                Text("post" if item.kind == "post" else label(item.action or "touch")),
                Text(short(item.title, 60)),
                Text(item.status),
                key=f"{item.kind}:{item.id}",
            )

    @on(DataTable.RowHighlighted, "#next-items")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        grow_near_end(event.data_table, self.items, self._more)

    def action_auto_plan(self) -> None:
        if self.monday is not None:
            self.auto_plan(self.monday)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-plan")
    def auto_plan(self, monday: date):
        from planner.services.planning import plan_week

        plan = self.app.store.call(plan_week, monday, self.app.now())
        self.post_message(self.Decided("planned", [plan.week, len(plan.posts), len(plan.touchpoints)], plan.summary()))
        return plan

    def action_move(self, days: int) -> None:
        if self.week_view is None:
            return
        table = self.query_one("#next-items", DataTable)
        if not table.row_count or table.cursor_row < 0:
            self.notify("Select an item to move", severity="warning")
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        item = next((i for i in self.week_view.items if f"{i.kind}:{i.id}" == key), None)
        if item is None:
            return
        zone = self.zone or self.app.tz
        wall = item.at.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
        self.move(item, wall.replace(tzinfo=zone).astimezone(UTC))

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-move")
    def move(self, item, when: datetime) -> str:
        from planner.services.week import move_item

        now = self.app.now()
        message = self.app.undoable(
            item.kind, item.id, lambda s: move_item(s, item.kind, item.id, when, now, expected_version=item.version)
        )
        self.post_message(self.Decided("moved", [item.kind, item.id, when.isoformat()], message))
        return message
