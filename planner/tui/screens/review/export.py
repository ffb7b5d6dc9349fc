"""Step 5, Export: write the planned week's calendar (ICS, CSV, Markdown) and the review report to a
folder (o, or ⏎ in the folder field)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Label, Static

from planner.services import review as review_service
from planner.tui.screens.review.step import Step, step_keys


class ExportStep(Step, can_focus=True):
    """Focused itself while shown, so its letters are keys; click or tab into the folder to edit it."""

    BINDINGS = step_keys(Binding("o", "export", "Write files"))

    @dataclass
    class Written(Message):
        """The files were written (the screen records them as a decision)."""

        paths: list[Path]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.monday: date | None = None  # set by the screen: the week being planned
        self.review: review_service.WeekReview | None = None  # set by the screen once read

    def compose(self) -> ComposeResult:
        yield Label("Folder for the calendar files (ICS, CSV, Markdown) and the review report:")
        yield Input(id="export-folder")
        yield Static("", classes="counts", id="export-result")

    def on_mount(self) -> None:
        from planner.tui.screens.plan import export_folder

        self.query_one("#export-folder", Input).value = str(export_folder(self.app))

    def focus_step(self) -> None:
        self.focus()

    @on(Input.Submitted, "#export-folder")
    def _folder_submitted(self, _event: Input.Submitted) -> None:
        self.action_export()

    def action_export(self) -> None:
        if self.review is None or self.monday is None:
            self.notify("The review is still being read: try again in a moment", severity="warning")
            return
        raw = self.query_one("#export-folder", Input).value.strip()
        if not raw:
            self.notify("Type a folder to write to", severity="warning")
            return
        self.focus()  # out of the field: letters are keys again
        self.export(Path(raw).expanduser(), self.monday, self.review)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-export")
    def export(self, folder: Path, monday: date, review: review_service.WeekReview) -> list[Path]:
        from planner.adapters.export import write_exports
        from planner.services.calendar import calendar
        from planner.services.review.report import to_markdown as review_markdown
        from planner.services.timeutil import iso_week

        rng, items = self.app.store.call(calendar, self.app.now(), monday, monday + timedelta(days=6))
        paths = write_exports(
            folder,
            ("ics", "csv", "md"),
            items,
            rng.timezone,
            stem=f"planner-{rng.first_day:%Y-%m-%d}",
            title=f"Plan for {iso_week(monday)}",
            also={f"review-{review.week}.md": review_markdown(review)},
        )
        self.post_message(self.Written(paths))
        return paths

    @on(Written)
    def _written(self, event: Written) -> None:
        shown = "\n".join(str(p) for p in event.paths)
        self.query_one("#export-result", Static).update(Text("Written:\n" + shown))
        self.notify(shown, title="Calendar and review written", markup=False, timeout=8)
