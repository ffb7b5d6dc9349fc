"""Today: the post due, the people to touch, what is overdue — mark each done or skipped."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from planner.services import today as today_service
from planner.tui.screens.base import ItemActions, PlannerScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar


class TodayScreen(ItemActions, PlannerScreen):
    class AgendaLoaded(Message, bubble=False):
        """Today's agenda, read by the load worker."""

        def __init__(self, agenda: today_service.TodayAgenda) -> None:
            super().__init__()
            self.agenda = agenda

    BINDINGS = [
        Binding("d", "mark(True)", "Done"),
        Binding("s", "mark(False)", "Skip"),
        Binding("c", "send('copy')", "Copy text"),
        Binding("o", "send('open')", "Open on LinkedIn"),
        Binding("delete", "delete", "Delete", key_display="del"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.agenda: today_service.TodayAgenda | None = None
        self._left = False

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Today", classes="section-title", id="today-title")
        yield Static("Loading…", classes="counts", id="today-counts")
        table = FitTable(
            id="today-table",
            cursor_type="row",
            zebra_stripes=True,
            shrink=(("detail", 16), ("item", 20), ("detail", 0)),
        )
        table.add_columns("when", "what", "item", "detail")
        yield table
        yield Static("", classes="empty", id="today-empty")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Today"
        now = self.app.now()
        first = self.app.read_first_frame(lambda reader, tz: today_service.agenda(reader, now, tz))
        if first is None:
            self.load()
        else:
            self.show(first)

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        if self._left:  # back from another section: what is due may have changed there
            self._left = False
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="today-load")
    def load(self) -> today_service.TodayAgenda:
        agenda = self.app.store.call(today_service.agenda, self.app.now(), self.app.tz)
        self.post_message(self.AgendaLoaded(agenda))
        return agenda

    @on(AgendaLoaded)
    def _loaded(self, message: AgendaLoaded) -> None:
        self.show(message.agenda)

    def show(self, agenda: today_service.TodayAgenda) -> None:
        if agenda == self.agenda:
            return  # back from another section and nothing changed: keep the table as drawn
        self.agenda = agenda
        table = self.query_one("#today-table", DataTable)
        keep = table.cursor_row
        table.clear()
        tz = self.app.tz
        today = self.app.now().astimezone(tz).date()
        for item in agenda.items:
            local = item.due_at.astimezone(tz)
            when = local.strftime("%H:%M") if local.date() == today else local.strftime("%a %d %b")
            style = "bold red" if item.overdue else ("bold yellow" if item.late else "")
            mark = "overdue · " if item.overdue else ("late · " if item.late else "")
            table.add_row(
                Text(mark + when, style=style),
                Text("post" if item.kind == "post" else "touch"),
                Text(item.title),
                Text(" ".join(item.detail.split())[:200], style="dim"),
                key=f"{item.kind}:{item.id}",
            )
        if agenda.items:
            table.move_cursor(row=min(keep, len(agenda.items) - 1))
        c = agenda.counts
        due = len(agenda.items) + agenda.more
        hidden = f", the {agenda.more} oldest not listed: plan or skip them in Plan/Network" if agenda.more else ""
        self.query_one("#today-counts", Static).update(
            Text(
                f"{due} due ({agenda.overdue} overdue{hidden}) · {c['scheduled']} scheduled posts · {c['drafts']} drafts · "
                f"{c['ideas']} ideas · {c['planned touchpoints']} planned touchpoints · {c['people']} people · "
                f"{c['unread entries']} unread entries in {c['feeds']} feeds"
                + (f" · {agenda.review_due} (key 6)" if agenda.review_due else "")
            )
        )
        empty = self.query_one("#today-empty", Static)
        empty.update("Nothing due today. Press ? for keys, ctrl+p for every action." if not agenda.items else "")
        empty.display = not agenda.items
        table.display = bool(agenda.items)
        if agenda.items:
            table.focus()
        self.app.call_after_refresh(self.app.warm_up)  # Today is drawn: the rest may load now

    def selected(self) -> today_service.AgendaItem | None:
        if not self.agenda or not self.agenda.items:
            return None
        table = self.query_one("#today-table", DataTable)
        if table.cursor_row < 0 or table.cursor_row >= len(self.agenda.items):
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((i for i in self.agenda.items if f"{i.kind}:{i.id}" == key), None)

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=False, exit_on_error=False, group="today-mark")
    def mark(self, item: today_service.AgendaItem, done: bool) -> str:
        now = self.app.now()
        message = self.app.undoable(
            item.kind,
            item.id,
            lambda s: today_service.mark_item(s, item.kind, item.id, done, now, expected_version=item.version),
        )
        self.app.call_from_thread(self.app.notify, message, markup=False)
        self.app.call_from_thread(self.load)
        return message

    @on(DataTable.RowSelected, "#today-table")
    def open_item(self, _event: DataTable.RowSelected) -> None:
        """Enter: the post editor for a post, the detail view for a touchpoint."""
        item = self.selected()
        if item is None:
            return
        if item.kind == "post":
            from planner.tui.screens.post_editor import PostEditorScreen

            self.app.push_screen(PostEditorScreen(item.id))
        else:
            self.open_touch(item.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="today-detail")
    def open_touch(self, touch_id: int) -> None:
        from planner.services.network import touch_detail
        from planner.tui.modals.detail import DetailModal, touch_text

        d = self.app.store.call(touch_detail, touch_id)
        self.app.call_from_thread(self.app.push_screen, DetailModal("Touchpoint", touch_text(d, self.app.tz)))
