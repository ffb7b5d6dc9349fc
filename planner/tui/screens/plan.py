"""Plan: the week as a grid (days × times) or an agenda; move, open, mark done, skip, auto-plan,
export the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static

from planner.services import planning, timeutil, week
from planner.services import today as today_service
from planner.text import label
from planner.tui.cache import NOW
from planner.tui.screens.base import ItemActions, PlannerScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar
from planner.tui.widgets.week_grid import DAY_NAMES, TOUCH_PER_DAY, WeekGrid, item_text

if TYPE_CHECKING:
    from planner.tui.app import PlannerApp

MOVE_STEP = timedelta(minutes=30)
AGENDA_PAGE = 200  # agenda rows added at a time: the next ones as the cursor nears the end


def export_folder(app) -> Path:
    """Beside a SQLite database (so a demo or test never writes into the user's home), else the
    data folder."""
    path = app.store.sqlite_path
    return (path.parent if path else app.settings.data_dir) / "exports"


def write_calendar_files(store, now: datetime, folder: Path) -> list[Path]:
    """The next 4 weeks as ICS and Markdown (the CLI's defaults)."""
    from planner.adapters.export import write_exports
    from planner.services.calendar import calendar

    rng, items = store.call(calendar, now)
    return write_exports(folder, ("ics", "md"), items, rng.timezone, stem=f"planner-{rng.first_day:%Y-%m-%d}")


def _week(app: PlannerApp, monday: date) -> week.WeekView:
    return app.cache.read(("posts", "people"), week.week_view, monday, NOW)


class PlanScreen(ItemActions, PlannerScreen):
    class WeekLoaded(Message, bubble=False):
        """A week's view, read by the load worker."""

        def __init__(self, view: week.WeekView) -> None:
            super().__init__()
            self.view = view

    BINDINGS = [
        Binding("n", "week(1)", "Next week"),
        Binding("p", "week(-1)", "Prev week"),
        Binding("t", "this_week", "This week"),
        Binding("a", "auto_plan", "Auto-plan"),
        Binding("v", "toggle_view", "Grid/agenda"),
        Binding("enter", "open", "Open", key_display="⏎"),
        Binding("c", "send('copy')", "Copy text"),
        Binding("o", "send('open')", "Open on LinkedIn"),
        Binding("d", "mark(True)", "Done"),
        Binding("s", "mark(False)", "Skip"),
        Binding("shift+left", "move(-1, 0)", "Day earlier", key_display="⇧←"),
        Binding("shift+right", "move(1, 0)", "Day later", key_display="⇧→"),
        Binding("shift+up", "move(0, -1)", "30 min earlier", key_display="⇧↑", show=False),
        Binding("shift+down", "move(0, 1)", "30 min later", key_display="⇧↓", show=False),
        Binding("delete", "delete", "Delete", key_display="del"),
        Binding("x", "export", "Export"),
        Binding("S", "edit_strategy", "Strategy", key_display="S"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.monday: date | None = None
        self.view: week.WeekView | None = None
        self.drawn_day: date | None = None  # the day grid and agenda marked as today
        self.select_after: tuple[str, int] | None = None
        self.agenda_shown = 0  # view.items[:agenda_shown] are the agenda's rows, in order

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Plan", classes="section-title", id="plan-title")
        yield Static("Loading…", classes="counts", id="plan-counts")
        with ContentSwitcher(initial="plan-grid", id="plan-views"):
            yield WeekGrid(id="plan-grid")
            agenda = FitTable(id="plan-agenda", cursor_type="row", zebra_stripes=True, shrink=(("item", 16),))
            agenda.add_columns("day", "time", "what", "item", "status")
            yield agenda
        yield Static("", classes="detail", id="plan-detail")
        yield PlannerFooter()

    @staticmethod
    def prefetch(app) -> None:
        """This week, read in the background after start-up (tui.app), so the first open draws it at once."""
        _week(app, timeutil.week_monday(app.now().astimezone(app.tz).date()))

    def on_mount(self) -> None:
        self.sub_title = "Plan"
        self.monday = timeutil.week_monday(self.app.now().astimezone(self.zone()).date())
        self.load()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.load()

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.view.timezone) if self.view else self.app.tz

    # --- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-load")
    def load(self) -> week.WeekView:
        view = _week(self.app, self.monday)
        self.post_message(self.WeekLoaded(view))
        return view

    @on(WeekLoaded)
    def _loaded(self, message: WeekLoaded) -> None:
        if message.view.monday == self.monday:  # else a week left with n/p meanwhile
            self.show(message.view)

    def show(self, view: week.WeekView) -> None:
        zone = ZoneInfo(view.timezone)
        today = self.app.now().astimezone(zone).date()
        if (view, today) == (self.view, self.drawn_day) and self.select_after is None:
            return  # back from another section and nothing changed: keep grid and agenda as drawn
        self.view, self.drawn_day = view, today
        sunday = view.monday + timedelta(days=6)
        self.query_one("#plan-title", Static).update(
            Text(f"Plan · {view.week} · {view.monday:%d %b} – {sunday:%d %b %Y} · {view.timezone}")
        )
        figures = week.week_figures(view)
        grid = self.query_one(WeekGrid)
        grid.show_week(view, today, figures.open_slots)
        capped = f" · grid: {TOUCH_PER_DAY} a day, most overdue first" if grid.more else ""
        self.query_one("#plan-counts", Static).update(
            Text(f"{figures.summary()}{capped} · a: auto-plan · v: agenda · ⇧←/→ move a day · x: export")
        )
        agenda = self.query_one("#plan-agenda", DataTable)
        agenda.clear()
        self.agenda_shown = 0
        self.fill_agenda(AGENDA_PAGE)
        if self.select_after:
            kind, item_id = self.select_after
            grid.select_item(kind, item_id)
            index = next((n for n, i in enumerate(view.items) if i.kind == kind and i.id == item_id), None)
            if index is not None:
                self.fill_agenda(index + 1)
                agenda.move_cursor(row=index)
            self.select_after = None
        self.show_detail()
        switcher = self.query_one(ContentSwitcher)
        self.query_one(f"#{switcher.current}").focus()

    def fill_agenda(self, upto: int) -> None:
        """Add agenda rows until `upto` items are shown (a week may hold thousands)."""
        zone = ZoneInfo(self.view.timezone)
        agenda = self.query_one("#plan-agenda", DataTable)
        for item in self.view.items[self.agenda_shown : upto]:
            local = item.at.astimezone(zone)
            agenda.add_row(
                Text(f"{DAY_NAMES[local.weekday()]} {local:%d %b}"),
                Text(f"{local:%H:%M}"),
                Text("post" if item.kind == "post" else label(item.action or "touch")),
                item_text(item, width=60),
                Text(item.status),
                key=f"{item.kind}:{item.id}",
            )
        self.agenda_shown = agenda.row_count

    # --- selection -----------------------------------------------------------------------------

    def selected(self) -> week.WeekItem | None:
        if self.view is None:
            return None
        if self.query_one(ContentSwitcher).current == "plan-grid":
            return self.query_one(WeekGrid).selected_item()
        agenda = self.query_one("#plan-agenda", DataTable)
        if (
            not self.view.items
            or agenda.cursor_row < 0
            or agenda.cursor_row >= min(agenda.row_count, len(self.view.items))
        ):
            return None
        return self.view.items[agenda.cursor_row]  # the agenda's rows are view.items in order

    @on(DataTable.RowHighlighted, "#plan-agenda")
    def agenda_next_page(self, event: DataTable.RowHighlighted) -> None:
        if (
            self.view is not None
            and self.agenda_shown < len(self.view.items)
            and event.cursor_row >= self.agenda_shown - 20
        ):
            self.fill_agenda(self.agenda_shown + AGENDA_PAGE)

    def more_selected(self) -> tuple[int, int] | None:
        """(day, hidden touchpoints) when the grid's cursor is on a "+N more" cell."""
        if self.view is None or self.query_one(ContentSwitcher).current != "plan-grid":
            return None
        return self.query_one(WeekGrid).selected_more()

    @on(DataTable.CellHighlighted, "#plan-grid")
    @on(DataTable.RowHighlighted, "#plan-agenda")
    def show_detail(self, _event=None) -> None:
        item = self.selected()
        detail = self.query_one("#plan-detail", Static)
        more = self.more_selected()
        if more is not None:
            day, n = more
            detail.update(
                Text(
                    f"{n:,} more touchpoints on {DAY_NAMES[day]} {self.view.monday + timedelta(days=day):%d %b}: "
                    "enter lists the day in the agenda",
                    style="dim",
                )
            )
            return
        if item is None:
            detail.update(Text("Empty: move an item here with ⇧←/⇧→ or ⇧↑/⇧↓, or press a to auto-plan.", style="dim"))
            return
        local = item.at.astimezone(self.zone())
        head = Text()
        head.append(f"{local:%a %d %b %H:%M} · ", style="bold")
        head.append(item.title)
        head.append(f" · {item.status}" + (" · placed by hand" if item.manual else " · planned"), style="dim")
        body = item.detail.strip()
        if body:
            head.append("\n" + (body if len(body) < 400 else body[:399] + "…"))
        detail.update(head)

    # --- actions -------------------------------------------------------------------------------

    def action_week(self, step: int) -> None:
        self.monday += timedelta(weeks=step)
        self.load()

    def action_this_week(self) -> None:
        self.monday = timeutil.week_monday(self.app.now().astimezone(self.zone()).date())
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "plan-agenda" if switcher.current == "plan-grid" else "plan-grid"
        self.query_one(f"#{switcher.current}").focus()
        self.show_detail()

    def agenda_at_day(self, day: int) -> None:
        """Switch to the agenda with the cursor on the day's first item (rows added up to it)."""
        zone = self.zone()
        index = next(
            (n for n, i in enumerate(self.view.items) if (i.at.astimezone(zone).date() - self.view.monday).days >= day),
            None,
        )
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "plan-agenda"
        agenda = self.query_one("#plan-agenda", DataTable)
        if index is not None:
            self.fill_agenda(index + AGENDA_PAGE)
            agenda.move_cursor(row=index)
            # the day's first item at the top once the new rows are laid out
            self.call_after_refresh(agenda.scroll_to, y=index, animate=False)
        agenda.focus()
        self.show_detail()

    def action_edit_strategy(self) -> None:
        self.open_strategy()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-strategy")
    def open_strategy(self) -> None:
        from planner.services.strategy import show_strategy

        view = self.app.store.call(show_strategy, self.app.now())
        self.app.call_from_thread(self._show_strategy_form, view)

    def _show_strategy_form(self, view) -> None:
        from planner.tui.modals.strategy_form import StrategyForm

        settable = [(k, v) for k, v in view.settings() if not k.startswith("slot ")]
        slots = [f"{s.id}: {s.label()}" for s in view.slots]
        self.app.push_screen(
            StrategyForm(settable, slots, lambda changes, form: self.save_strategy(changes, view.version, form))
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="strategy-save")
    def save_strategy(self, changes: dict[str, str], version: int, form) -> None:
        """All the form's changes or none; a bad value keeps the form open with that field marked."""
        from planner.errors import FieldError
        from planner.services.strategy import apply_strategy_changes

        try:
            self.app.store.call(apply_strategy_changes, changes, self.app.now(), expected_version=version)
        except FieldError as exc:
            self.app.call_from_thread(form.refused, exc.field, exc.reason)
            return
        except Exception:
            self.app.call_from_thread(form.refused, None, "")
            raise  # reported by the app's worker-error handler; the form stays open
        self.app.refresh_timezone()
        self.app.call_from_thread(form.saved, changes)
        self.app.call_from_thread(self.app.notify, "Strategy saved: " + ", ".join(changes), markup=False)
        self.app.call_from_thread(self.load)

    def action_auto_plan(self) -> None:
        self.auto_plan(self.monday)

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-auto")
    def auto_plan(self, monday: date) -> planning.WeekPlan:
        plan = self.app.store.call(planning.plan_week, monday, self.app.now())
        self.app.call_from_thread(self.app.notify, plan.summary(), title="Auto-plan", markup=False)
        self.app.call_from_thread(self.load)
        return plan

    @on(DataTable.CellSelected, "#plan-grid")
    @on(DataTable.RowSelected, "#plan-agenda")
    def selected_with_enter(self, _event) -> None:
        self.action_open()

    def action_open(self) -> None:
        more = self.more_selected()
        if more is not None:
            self.agenda_at_day(more[0])
            return
        item = self.selected()
        if item is None:
            self.notify("Nothing here", severity="warning")
            return
        if item.kind == "post":
            from planner.tui.screens.post_editor import PostEditorScreen

            self.app.push_screen(PostEditorScreen(item.id))
        else:
            self.open_touch(item.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-detail")
    def open_touch(self, touch_id: int) -> None:
        from planner.services.network import touch_detail
        from planner.tui.modals.detail import DetailModal, touch_text

        d = self.app.store.call(touch_detail, touch_id)
        self.app.call_from_thread(self.app.push_screen, DetailModal("Touchpoint", touch_text(d, self.zone())))

    @work(thread=True, exclusive=False, exit_on_error=False, group="plan-mark")
    def mark(self, item: week.WeekItem, done: bool) -> str:
        now = self.app.now()
        message = self.app.undoable(
            item.kind,
            item.id,
            lambda s: today_service.mark_item(s, item.kind, item.id, done, now, expected_version=item.version),
        )
        self.select_after = (item.kind, item.id)
        self.app.call_from_thread(self.app.notify, message, markup=False)
        self.app.call_from_thread(self.load)
        return message

    def action_move(self, days: int, steps: int) -> None:
        item = self.selected()
        if item is None:
            self.notify("Select an item to move", severity="warning")
            return
        zone = self.zone()
        local = item.at.astimezone(zone)
        # move in wall-clock time, so 09:00 stays 09:00 when the day crosses a DST change
        wall = local.replace(tzinfo=None) + timedelta(days=days) + steps * MOVE_STEP
        when = wall.replace(tzinfo=zone).astimezone(UTC)
        self.move(item, when)

    @work(thread=True, exclusive=False, exit_on_error=False, group="plan-move")
    def move(self, item: week.WeekItem, when: datetime) -> str:
        now = self.app.now()
        message = self.app.undoable(
            item.kind,
            item.id,
            lambda s: week.move_item(s, item.kind, item.id, when, now, expected_version=item.version),
        )
        new_monday = timeutil.week_monday(when.astimezone(self.zone()).date())

        def after() -> None:
            self.select_after = (item.kind, item.id)
            self.monday = new_monday
            self.load()

        self.app.call_from_thread(after)
        return message

    def action_export(self) -> None:
        self.export()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-export")
    def export(self) -> list[Path]:
        paths = write_calendar_files(self.app.store, self.app.now(), export_folder(self.app))
        self.app.call_from_thread(
            self.app.notify,
            "\n".join(str(p) for p in paths),
            title="Calendar exported (next 4 weeks)",
            markup=False,
            timeout=8,
        )
        return paths
