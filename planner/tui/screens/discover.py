"""Discover: topics → feeds → entries, an entry detail pane, refresh with progress.

Entries load a page at a time (newest first) and the next page arrives as the cursor nears the
end, so a store with 50,000 entries scrolls without loading them all. Feed text is untrusted: it
reaches widgets as ``Text``, never as markup.
"""

from __future__ import annotations

import webbrowser
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Input, ProgressBar, Static, Tree

from planner.services import entries as entries_service
from planner.services import feeds as feed_service
from planner.text import plural
from planner.tui.cache import NOW
from planner.tui.screens.base import PlannerScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.fit_tree import FitTree
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from planner.tui.app import PlannerApp

PAGE = 200


@dataclass(frozen=True)
class Filter:
    topic: str | None = None
    feed_id: int | None = None
    feed_name: str | None = None  # what the status line calls it (the tree's label, not the id)
    search: str | None = None
    unread: bool = False
    starred: bool = False


def _tree(app: PlannerApp) -> tuple[list, list]:
    return app.cache.read(("feeds",), feed_service.list_topics), app.cache.read(("feeds",), feed_service.list_feeds)


def _entries(app: PlannerApp, f: Filter, after) -> list[entries_service.EntryRow]:
    return app.cache.read(
        ("feeds",),
        entries_service.list_entries,
        topic=f.topic,
        feed_id=f.feed_id,
        unread=f.unread,
        starred=f.starred,
        search=f.search,
        limit=PAGE,
        with_summary=True,
        after=after,
    )


def _trends(app: PlannerApp, topic: str | None):
    from planner.services.keywords import rising_now

    return app.cache.read(("feeds", "keywords"), rising_now, NOW, topic)


def entry_text(row: entries_service.EntryRow, tz) -> Text:
    text = Text()
    text.append(row.title or "(untitled)", style="bold")
    text.append("\n")
    when = row.published_at.astimezone(tz).strftime("%a %d %b %Y %H:%M") if row.published_at else "undated"
    text.append(f"{row.feed_title} · {row.topic or 'no topic'} · {when}", style="dim")
    if row.author:
        text.append(f" · {row.author}", style="dim")
    text.append("\n")
    if row.link:
        text.append(row.link, style="underline")
        text.append("\n")
    text.append("\n")
    text.append(row.summary or "(no summary)")
    return text


class EntryPane(Static):
    """The selected entry: the screen sets ``detail`` (None: there are no entries here)."""

    detail: reactive[entries_service.EntryRow | None] = reactive(None, init=False, always_update=True)
    EMPTY = Text("No entries here yet. Press R to refresh your feeds.", style="dim")

    def watch_detail(self, row: entries_service.EntryRow | None) -> None:
        self.update(self.EMPTY if row is None else entry_text(row, self.app.tz))


class DiscoverScreen(PlannerScreen):
    class TreeLoaded(Message, bubble=False):
        def __init__(self, topics: list, feeds: list) -> None:
            super().__init__()
            self.topics, self.feeds = topics, feeds

    class PageLoaded(Message, bubble=False):
        """A page of entries, read for the rows shown before it (``offset``) under ``filter``."""

        def __init__(self, filter: Filter, offset: int, rows: list[entries_service.EntryRow]) -> None:
            super().__init__()
            self.filter, self.offset, self.rows = filter, offset, rows

    class KeywordsLoaded(Message, bubble=False):
        def __init__(self, entry_id: int, words: list[tuple[str, float]]) -> None:
            super().__init__()
            self.entry_id, self.words = entry_id, words

    class RefreshProgress(Message, bubble=False):
        """Feeds refreshed so far (``total`` None: the refresh is over, or failed)."""

        def __init__(self, done: int, total: int | None) -> None:
            super().__init__()
            self.done, self.total = done, total

    class TrendsLoaded(Message, bubble=False):
        def __init__(self, topic: str | None, trends: list) -> None:
            super().__init__()
            self.topic, self.trends = topic, trends

    BINDINGS = [
        Binding("R", "refresh_feeds", "Refresh feeds", key_display="R"),
        Binding("m", "toggle_read", "Read/unread"),
        Binding("s", "toggle_star", "Star"),
        Binding("x", "dismiss_entry", "Dismiss"),
        Binding("o", "open_link", "Open link"),
        Binding("i", "make_idea", "Post idea"),
        Binding("U", "toggle_unread", "Unread only", key_display="U"),  # u is undo, everywhere
        Binding("slash", "search", "Filter", key_display="/"),
        Binding("escape", "clear_search", "Clear filter", show=False),
        Binding("tab", "focus_next", "Next pane", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = Filter()
        self.rows: list[entries_service.EntryRow] = []
        self.exhausted = False
        self.loading_page = False
        self.keep: tuple[int, int] | None = None  # (entry id, row) the cursor returns to after a reload

    def compose(self) -> ComposeResult:
        yield SectionBar()
        with Horizontal():
            with Vertical(id="discover-left"):
                yield Static("Topics & feeds", classes="section-title")
                yield FitTree("All entries", id="discover-tree")
                yield Static("Rising this week", classes="section-title")
                yield Static("", id="discover-trends")
            with Vertical(id="discover-right"):
                yield Input(
                    placeholder="filter titles and summaries… (enter to apply, esc to clear)", id="discover-search"
                )
                yield ProgressBar(id="discover-progress", show_eta=False)
                yield Static("", classes="counts", id="discover-keyword-status")
                yield Static("", classes="counts", id="discover-status")
                table = FitTable(
                    id="discover-entries",
                    cursor_type="row",
                    zebra_stripes=True,
                    shrink=(("feed", 8), ("title", 16), ("feed", 5), ("title", 10)),
                )
                table.add_columns("date", "feed", "title")
                yield table
                with VerticalScroll(classes="detail", id="discover-detail-box"):
                    yield Static("", id="discover-keywords")
                    yield EntryPane("", id="discover-detail")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Discover"
        self.query_one("#discover-search", Input).display = False
        self.query_one("#discover-progress", ProgressBar).display = False
        self.load_tree()
        self.reload_entries()  # the trends panel loads once the first page is on screen
        self.show_keyword_progress(self.app.keyword_progress)

    def palette_commands(self):
        """Actions without a key (the keyed ones are listed from the bindings)."""
        from textual.app import SystemCommand

        yield SystemCommand("Extract keywords now", "Run keyword extraction for new entries", self.app.start_extraction)

    # --- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover-tree")
    def load_tree(self) -> None:
        self.post_message(self.TreeLoaded(*_tree(self.app)))

    @on(TreeLoaded)
    def show_tree(self, message: TreeLoaded) -> None:
        topics, feeds = message.topics, message.feeds
        tree = self.query_one("#discover-tree", Tree)
        tree.clear()
        tree.root.data = Filter()
        tree.root.expand()
        by_topic: dict[str | None, list] = {}
        for f in feeds:
            by_topic.setdefault(f.topic, []).append(f)
        for t in topics:
            node = tree.root.add(Text(f"{t.name} ({t.unread})"), data=Filter(topic=t.name), expand=True)
            for f in by_topic.get(t.name, []):
                node.add_leaf(self._feed_label(f), data=Filter(feed_id=f.id, feed_name=f.title or f.url))
        for f in by_topic.get(None, []):
            tree.root.add_leaf(self._feed_label(f), data=Filter(feed_id=f.id, feed_name=f.title or f.url))

    @staticmethod
    def _feed_label(f) -> Text:
        label = Text(f"{f.title or f.url} ({f.unread})")
        if not f.enabled:
            label.stylize("strike dim")
        elif f.last_status == "error":
            label.append(" ⚠", style="bold red")
        return label

    def reload_entries(self, keep_cursor: bool = False) -> None:
        """Entries from the top; ``keep_cursor``: the cursor stays on the entry it was on (pages
        are loaded until it is found, up to a page past where it was), else on the same row."""
        current = self.current() if keep_cursor else None
        table = self.query_one("#discover-entries", DataTable)
        self.keep = (current.id, table.cursor_row) if current is not None else None
        self.rows = []
        self.exhausted = False
        table.clear()
        self.load_page(0)

    def _restore_cursor(self) -> None:
        if self.keep is None:
            return
        entry_id, row = self.keep
        index = next((n for n, r in enumerate(self.rows) if r.id == entry_id), None)
        if index is None and not self.exhausted and len(self.rows) <= row + PAGE:
            self.loading_page = True
            self.load_page(len(self.rows))  # not in these pages yet: the next one
            return
        self.keep = None
        if self.rows:
            self.query_one("#discover-entries", DataTable).move_cursor(
                row=index if index is not None else min(row, len(self.rows) - 1)
            )
            self.show_detail()

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover-page")
    def load_page(self, offset: int) -> None:
        f = self.filter
        last = self.rows[offset - 1] if 0 < offset <= len(self.rows) else None
        rows = _entries(self.app, f, (last.published_at, last.id) if last is not None else None)
        self.post_message(self.PageLoaded(f, offset, rows))

    @on(PageLoaded)
    def append_rows(self, message: PageLoaded) -> None:
        offset, rows = message.offset, message.rows
        if message.filter != self.filter or offset != len(self.rows):  # from before a filter change
            return
        table = self.query_one("#discover-entries", DataTable)
        tz = self.app.tz
        for row in rows:
            date = row.published_at.astimezone(tz).strftime("%d %b %H:%M") if row.published_at else ""
            table.add_row(Text(date), Text(row.feed_title), self._title(row), key=str(row.id))
        self.rows.extend(rows)
        self.exhausted = len(rows) < PAGE
        self.loading_page = False
        described = []
        if self.filter.topic:
            described.append(f"topic {self.filter.topic}")
        if self.filter.feed_id:
            described.append(f"feed {self.filter.feed_name or self.filter.feed_id}")
        if self.filter.search:
            described.append(f"matching {self.filter.search!r}")
        if self.filter.unread:
            described.append("unread")
        more = "" if self.exhausted else "+"
        self.query_one("#discover-status", Static).update(
            Text(
                f"{len(self.rows)}{more} {plural(len(self.rows), 'entry')}"
                + (f" · {', '.join(described)}" if described else "")
            )
        )
        if offset == 0:
            self.show_detail()
            # after the entries, not beside them: both threads would share one interpreter
            self.load_trends()
        self._restore_cursor()

    @staticmethod
    def _title(row: entries_service.EntryRow) -> Text:
        text = Text(("★ " if row.is_starred else "") + (row.title or "(untitled)"))
        if not row.is_read:
            text.stylize("bold")
        return text

    # --- selection and detail ----------------------------------------------------------------

    def current(self) -> entries_service.EntryRow | None:
        table = self.query_one("#discover-entries", DataTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#discover-entries")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
        if not self.exhausted and not self.loading_page and event.cursor_row >= len(self.rows) - 20:
            self.loading_page = True
            self.load_page(len(self.rows))

    def show_detail(self) -> None:
        row = self.current()
        self.query_one("#discover-keywords", Static).update("")
        if row is not None:
            self.load_keywords(row.id)
        self.query_one("#discover-detail", EntryPane).detail = row

    @on(DataTable.RowSelected, "#discover-entries")
    def open_entry(self, _event: DataTable.RowSelected) -> None:
        """Enter: the entry in a view of its own (the whole summary)."""
        from planner.tui.modals.detail import DetailModal

        row = self.current()
        if row is not None:
            body = self.entry_text(row)
            body.append("\n\no: open the link · i: make it a post idea (on the list)", style="dim")
            self.app.push_screen(DetailModal("Entry", body))

    def entry_text(self, row: entries_service.EntryRow) -> Text:
        return entry_text(row, self.app.tz)

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover-keywords")
    def load_keywords(self, entry_id: int) -> None:
        from planner.services.keywords import entry_keywords

        self.post_message(self.KeywordsLoaded(entry_id, self.app.store.call(entry_keywords, entry_id, 8)))

    @on(KeywordsLoaded)
    def show_keywords(self, message: KeywordsLoaded) -> None:
        row = self.current()
        if row is None or row.id != message.entry_id:
            return  # the cursor moved on
        chips = Text()
        for phrase, _score in message.words:
            chips.append(f" {phrase} ", style="reverse")
            chips.append(" ")
        self.query_one("#discover-keywords", Static).update(chips)

    @staticmethod
    def prefetch(app) -> None:
        """What the first open shows, read in the background after start-up (tui.app): the tree,
        the first page and the trends of every topic (0.1–0.3 s on a big store)."""
        _tree(app)
        _entries(app, Filter(), None)
        _trends(app, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover-trends")
    def load_trends(self) -> None:
        topic = self.filter.topic
        self.post_message(self.TrendsLoaded(topic, _trends(self.app, topic)))

    @on(TrendsLoaded)
    def show_trends(self, message: TrendsLoaded) -> None:
        if message.topic != self.filter.topic:
            return
        trends = message.trends
        text = Text()
        if not trends:
            text.append("nothing rising yet", style="dim")
        for t in trends:
            text.append(sparkline(t.series), style="green")
            text.append(f" {t.keyword}")
            text.append(f" ×{t.count}\n", style="dim")
        self.query_one("#discover-trends", Static).update(text)

    def on_planner_app_keywords_progress(self, message) -> None:
        self.show_keyword_progress(None if message.finished else (message.done, message.total))
        if message.finished:
            self.load_trends()
            self.show_detail()

    def show_keyword_progress(self, progress: tuple[int, int] | None) -> None:
        status = self.query_one("#discover-keyword-status", Static)
        status.display = progress is not None
        if progress is not None:
            done, total = progress
            status.update(Text(f"extracting keywords and interests {done}/{total}…"))

    @on(Tree.NodeSelected, "#discover-tree")
    def pick_node(self, event: Tree.NodeSelected) -> None:
        data = event.node.data or Filter()
        self.filter = Filter(
            topic=data.topic,
            feed_id=data.feed_id,
            feed_name=data.feed_name,
            search=self.filter.search,
            unread=self.filter.unread,
        )
        self.reload_entries()  # and then the trends of the new selection
        self.query_one("#discover-entries", DataTable).focus()

    # --- actions -------------------------------------------------------------------------------

    def _update_row(self, index: int, row: entries_service.EntryRow) -> None:
        self.rows[index] = row
        table = self.query_one("#discover-entries", DataTable)
        table.update_cell_at((index, 2), self._title(row))

    @work(thread=True, exit_on_error=False, group="discover-flags")
    def set_flags(self, index: int, row: entries_service.EntryRow, **flags) -> None:
        self.app.store.call(entries_service.set_entry_flags, row.id, **flags)
        from dataclasses import replace

        changed = replace(row, is_read=flags.get("read", row.is_read), is_starred=flags.get("starred", row.is_starred))
        self.app.call_from_thread(self._update_row, index, changed)

    def action_toggle_read(self) -> None:
        row = self.current()
        if row:
            self.set_flags(self.query_one("#discover-entries", DataTable).cursor_row, row, read=not row.is_read)

    def action_toggle_star(self) -> None:
        row = self.current()
        if row:
            self.set_flags(self.query_one("#discover-entries", DataTable).cursor_row, row, starred=not row.is_starred)

    def action_dismiss_entry(self) -> None:
        row = self.current()
        if row is None:
            return
        self.dismiss_row(row)

    @work(thread=True, exit_on_error=False, group="discover-flags")
    def dismiss_row(self, row: entries_service.EntryRow) -> None:
        self.app.store.call(entries_service.set_entry_flags, row.id, dismissed=True)
        self.app.call_from_thread(self._remove_row, row.id)

    def _remove_row(self, entry_id: int) -> None:
        index = next((i for i, r in enumerate(self.rows) if r.id == entry_id), None)
        if index is None:
            return
        del self.rows[index]
        self.query_one("#discover-entries", DataTable).remove_row(str(entry_id))
        self.notify("Dismissed", timeout=2)
        self.show_detail()

    def action_open_link(self) -> None:
        row = self.current()
        if row and row.link:
            webbrowser.open(row.link)
            self.notify(f"Opening {row.link}", markup=False, timeout=3)
        else:
            self.notify("This entry has no link", severity="warning")

    def action_make_idea(self) -> None:
        row = self.current()
        if row:
            self.make_idea(row)

    @work(thread=True, exit_on_error=False, group="discover-idea")
    def make_idea(self, row: entries_service.EntryRow) -> None:
        post = self.app.store.call(entries_service.idea_from_entry, row.id, self.app.now())
        self.app.call_from_thread(
            self.app.notify, f"Post idea #{post.id}: {post.title}", title="Content share idea", markup=False
        )

    def action_toggle_unread(self) -> None:
        from dataclasses import replace

        self.filter = replace(self.filter, unread=not self.filter.unread)
        self.reload_entries()

    def action_search(self) -> None:
        box = self.query_one("#discover-search", Input)
        box.display = True
        box.focus()

    def action_clear_search(self) -> None:
        from dataclasses import replace

        box = self.query_one("#discover-search", Input)
        box.value = ""
        box.display = False
        if self.filter.search:
            self.filter = replace(self.filter, search=None)
            self.reload_entries()
        self.query_one("#discover-entries", DataTable).focus()

    @on(Input.Submitted, "#discover-search")
    def apply_search(self, event: Input.Submitted) -> None:
        from dataclasses import replace

        self.filter = replace(self.filter, search=event.value.strip() or None)
        self.reload_entries()
        self.query_one("#discover-entries", DataTable).focus()

    # --- refresh -------------------------------------------------------------------------------

    def action_refresh_feeds(self) -> None:
        bar = self.query_one("#discover-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.refresh_feeds()

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover-refresh")
    def refresh_feeds(self) -> None:
        def progress(done: int, total: int, _result) -> None:
            self.post_message(self.RefreshProgress(done, total))

        from planner.tui.detached import Abandoned, run_detached

        try:  # detached: quitting mid-refresh does not wait for the slowest feed (each is stored alone)
            summary = run_detached(feed_service.refresh, self.app.store, progress=progress, now=self.app.now())
        except Abandoned:
            return  # quitting: no more calls into the app
        finally:
            self.post_message(self.RefreshProgress(0, None))
        message = (
            f"{summary.feeds} feeds: {summary.new_entries} new entries, {summary.not_modified + summary.unchanged} unchanged, "
            f"{summary.errors} errors"
        ) + "".join(f"\n{note}" for note in summary.notes)
        self.app.call_from_thread(
            self.app.notify,
            message,
            title="Refresh done",
            markup=False,
            severity="warning" if summary.errors else "information",
        )
        self.app.call_from_thread(self.after_refresh, summary)

    @on(RefreshProgress)
    def show_refresh_progress(self, message: RefreshProgress) -> None:
        bar = self.query_one("#discover-progress", ProgressBar)
        if message.total is None:
            bar.display = False
        else:
            bar.update(total=message.total, progress=message.done)

    def after_refresh(self, summary) -> None:
        self.load_tree()
        self.reload_entries(keep_cursor=True)  # R: the cursor stays on the entry it was on
        if summary.new_entries or summary.updated_entries:
            self.app.start_extraction()


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(series) -> str:
    top = max(series) if series else 0
    if not top:
        return SPARKS[0] * len(series)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1)))] for v in series)
