"""Step 3, Discover: what is rising in your topics now, and the entries behind it; share one (s: a
content-share idea) or write about it (w: a thought-leadership idea)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from planner.services import review as review_service
from planner.tui.screens.review.step import Step, redraw, short, step_keys
from planner.tui.widgets.fit_table import FitTable


class DiscoverStep(Step):
    BINDINGS = step_keys(
        Binding("s", "share", "Share it"),
        Binding("w", "write_about", "Write about it"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list = []  # the rows: (topic, EntryPick)

    def compose(self) -> ComposeResult:
        yield Static("Loading…", classes="counts", id="discover-summary")
        table = FitTable(
            id="discover-entries",
            cursor_type="row",
            zebra_stripes=True,
            shrink=(("rising", 12), ("entry", 20), ("topic", 10)),
        )
        table.add_columns("topic", "entry", "rising", "idea")
        yield table

    def show(self, r: review_service.WeekReview) -> None:
        text = Text()
        if not r.rising:
            busy = self.app.keyword_progress
            text.append(
                f"Keywords are being extracted ({busy[0]} of {busy[1]}): what is rising shows once they are ready.\n"
                if busy
                else "Nothing rising in your topics right now.\n",
                style="dim",
            )
        for topic in r.rising:
            text.append(f"{topic.topic}: ", style="bold")
            text.append(", ".join(f"{k.keyword} ({k.count}, ×{k.lift:g})" for k in topic.keywords) + "\n")
        if r.failing_feeds:
            text.append(
                f"{len(r.failing_feeds)} failing feed{'s' if len(r.failing_feeds) != 1 else ''}: ", style="yellow"
            )
            text.append(
                "; ".join(
                    f"{f.title} ({f.error or f.disabled_reason or f.status or 'failing'})" for f in r.failing_feeds[:4]
                )
                + "\n"
            )
        text.append(
            "s: share the entry (a content-share idea) · w: write about it (a thought-leadership idea)", style="dim"
        )
        self.query_one("#discover-summary", Static).update(text)
        self.entries = [(topic.topic, e) for topic in r.rising for e in topic.entries]
        redraw(self.query_one("#discover-entries", DataTable), self._fill)

    def _fill(self, _count: int) -> None:
        table = self.query_one("#discover-entries", DataTable)
        for topic, e in self.entries:
            table.add_row(
                Text(short(topic, 24)),
                Text(short(e.title, 60)),
                Text(", ".join(e.keywords)),
                Text("idea" if e.has_idea else "", style="green"),
                key=f"entry:{topic}:{e.entry_id}",
            )

    def _selected(self) -> review_service.EntryPick | None:
        table = self.query_one("#discover-entries", DataTable)
        if not self.entries or table.cursor_row < 0 or table.cursor_row >= len(self.entries):
            self.notify("No entry selected", severity="warning")
            return None
        return self.entries[table.cursor_row][1]

    def action_share(self) -> None:
        entry = self._selected()
        if entry:
            self.make_idea(entry, "share")

    def action_write_about(self) -> None:
        entry = self._selected()
        if entry:
            self.make_idea(entry, "write")

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-idea")
    def make_idea(self, entry: review_service.EntryPick, how: str):
        now = self.app.now()
        if how == "share":
            from planner.services.entries import idea_from_entry

            post_id = self.app.store.call(lambda s: idea_from_entry(s, entry.entry_id, now).id)
            note = f"Share idea: {entry.title}"
        else:
            from planner.services.posts import add_post

            topic = ", ".join(entry.keywords) or entry.title
            view = self.app.store.call(
                add_post,
                f"Write about {topic}"[:300],
                body=f"Prompted by: {entry.title}\n{entry.link or ''}".strip(),
                pillar="thought_leadership",
                source_entry_id=entry.entry_id,
                now=now,
            )
            post_id = view.id
            note = f"Thought-leadership idea: write about {topic}"
        self.post_message(self.Decided("ideas", [how, entry.entry_id, post_id], note))
        return post_id
