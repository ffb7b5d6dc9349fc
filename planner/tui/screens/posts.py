"""Posts: the pipeline list, paged, filtered by status; enter opens the post editor."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from planner.services import posts as post_service
from planner.text import label, plural
from planner.tui.screens.base import PlannerScreen
from planner.tui.screens.post_editor import PostEditorScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar
from planner.tui.widgets.week_grid import PILLAR_STYLES

STATUS_FILTERS = [None, "idea", "draft", "scheduled", "published", "skipped"]
PAGE = 200  # posts per page: the list loads the next page as the cursor nears the end


class PostsScreen(PlannerScreen):
    class RowsLoaded(Message, bubble=False):
        """A page of posts read for reload ``generation`` (a page from an older one is dropped)."""

        def __init__(self, generation: int, offset: int, limit: int, rows: list[post_service.PostView]) -> None:
            super().__init__()
            self.generation, self.offset, self.limit, self.rows = generation, offset, limit, rows
            self.counts: dict[str, int] | None = None  # with the first page: the counts and the zone
            self.zone = None

    BINDINGS = [
        Binding("enter", "open", "Edit", show=False),
        Binding("e", "open", "Edit"),
        Binding("n", "new", "New idea"),
        Binding("f", "cycle_filter", "Filter status"),
        Binding("d", "status('draft')", "Draft"),
        Binding("s", "status('skipped')", "Skip"),
        Binding("c", "send('copy')", "Copy text"),
        Binding("o", "send('open')", "Open on LinkedIn"),
        Binding("delete", "delete", "Delete", key_display="del"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[post_service.PostView] = []
        self.filter: str | None = None
        self.zone = None
        self.counts: dict[str, int] = {}
        self.exhausted = False
        self.loading_page = False
        self.generation = 0  # bumped by every reload: a page from before it is dropped

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Posts", classes="section-title", id="posts-title")
        yield Static("Loading…", classes="counts", id="posts-counts")
        table = FitTable(
            id="posts-table",
            cursor_type="row",
            zebra_stripes=True,
            shrink=(("title", 24), ("pillar", 8), ("flags", 2), ("title", 12)),
        )
        table.add_columns("status", "when", "pillar", "title", "flags")
        yield table
        yield Static("", classes="detail", id="posts-detail")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Posts"
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        """Reload from the top: enough pages to hold the cursor's row (so it stays put after an
        edit), the next page arriving as the cursor nears the end (like Discover)."""
        self.generation += 1
        self.loading_page = True
        keep = max(self.query_one("#posts-table", DataTable).cursor_row, 0) if self.rows else 0
        self.load_rows(self.generation, 0, (keep // PAGE + 1) * PAGE, self.filter)

    @work(thread=True, exclusive=True, exit_on_error=False, group="posts-load")
    def load_rows(self, generation: int, offset: int, limit: int, status: str | None) -> list[post_service.PostView]:
        from planner.services.strategy import show_strategy

        loaded = self.RowsLoaded(
            generation,
            offset,
            limit,
            self.app.store.call(post_service.list_posts, status=status, limit=limit, offset=offset),
        )
        if offset == 0:
            loaded.counts = self.app.store.call(post_service.count_posts)
            loaded.zone = self.app.store.call(show_strategy, self.app.now()).zone
        self.post_message(loaded)
        return loaded.rows

    @on(RowsLoaded)
    def show(self, message: RowsLoaded) -> None:
        generation, offset, rows = message.generation, message.offset, message.rows
        if generation != self.generation or offset != (0 if offset == 0 else len(self.rows)):
            return  # a page from before a reload or a filter change
        table = self.query_one("#posts-table", DataTable)
        keep = table.cursor_row
        if offset == 0:
            self.rows = []
            table.clear()
            self.counts = message.counts or {}
            self.zone = message.zone
        zone = self.zone
        for p in rows:
            when = p.scheduled_at.astimezone(zone).strftime("%a %d %b %H:%M") if p.scheduled_at else ""
            flags = " ".join(
                f
                for f in (
                    "✎" if p.manual else "",
                    "evergreen" if p.evergreen else "",
                    f"p{p.priority}" if p.priority else "",
                )
                if f
            )
            table.add_row(
                Text(p.status),
                Text(when),
                Text(label(p.pillar), style=PILLAR_STYLES.get(p.pillar, "")),
                Text(p.display_title),
                Text(flags, style="dim"),
                key=str(p.id),
            )
        self.rows.extend(rows)
        self.exhausted = len(rows) < message.limit
        self.loading_page = False
        self.show_counts()
        if offset == 0:
            if self.rows:
                table.move_cursor(row=min(max(keep, 0), len(self.rows) - 1))
            table.focus()
            self.show_detail()

    def show_counts(self) -> None:
        shown = f"{len(self.rows):,}{'' if self.exhausted else '+'} {plural(len(self.rows), 'post')}"
        summary = " · ".join(f"{n:,} {label(s)}" for s, n in self.counts.items()) or "no posts"
        self.query_one("#posts-counts", Static).update(
            Text(f"{shown} · {summary} · filter: {self.filter or 'all'} (f) · enter: edit · n: new idea")
        )

    def current(self) -> post_service.PostView | None:
        table = self.query_one("#posts-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]  # rows and table rows are appended together, in order

    @on(DataTable.RowHighlighted, "#posts-table")
    def next_page(self, event: DataTable.RowHighlighted) -> None:
        if not self.exhausted and not self.loading_page and event.cursor_row >= len(self.rows) - 20:
            self.loading_page = True
            self.load_rows(self.generation, len(self.rows), PAGE, self.filter)

    @on(DataTable.RowHighlighted, "#posts-table")
    def show_detail(self, _event=None) -> None:
        p = self.current()
        detail = self.query_one("#posts-detail", Static)
        if p is None:
            detail.update(Text("No posts here. n adds an idea; Discover turns entries into ideas.", style="dim"))
            return
        text = Text(p.display_title + "\n", style="bold")
        body = p.body.strip()
        text.append(body[:400] + ("…" if len(body) > 400 else "") if body else "(no text yet)")
        if p.hashtags:
            text.append("\n" + " ".join("#" + h for h in p.hashtags), style="dim")
        detail.update(text)

    @on(DataTable.RowSelected, "#posts-table")
    def selected_with_enter(self, _event) -> None:
        self.action_open()

    def action_open(self) -> None:
        p = self.current()
        if p is not None:
            self.app.push_screen(PostEditorScreen(p.id))

    def action_send(self, how: str) -> None:
        p = self.current()
        if p is None:
            self.notify("No post selected", severity="warning")
            return
        from planner.tui import send

        send.start(self, how, "post", p.id, then=self.load)

    def action_cycle_filter(self) -> None:
        self.filter = STATUS_FILTERS[(STATUS_FILTERS.index(self.filter) + 1) % len(STATUS_FILTERS)]
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_new(self) -> None:
        self.app.push_screen(PostEditorScreen(None))  # stored only once saved

    def action_status(self, status: str) -> None:
        p = self.current()
        if p is None:
            return
        self.change_status(p, status)

    @work(thread=True, exclusive=False, exit_on_error=False, group="posts-status")
    def change_status(self, p: post_service.PostView, status: str) -> str:
        now = self.app.now()

        def change(session) -> str:
            view = post_service.set_status(session, p.id, status, now, expected_version=p.version)
            return f"{view.display_title}: {view.status}"

        message = self.app.undoable("post", p.id, change)
        self.app.call_from_thread(self.app.notify, message, markup=False)
        self.app.call_from_thread(self.load)
        return message

    def action_delete(self) -> None:
        p = self.current()
        if p is None:
            self.notify("Nothing selected", severity="warning")
            return
        self.app.confirm_delete("post", p.id, p.display_title, p.version, self.load)
