"""Schedule a post: a local date and time as people say it, proposing the pillar's next free slot."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from planner.text import label
from planner.tui.modals.unsaved import EditForm


class ScheduleDialog(EditForm):
    """Ask for a local date and time as people say it (services.when), proposing the next free slot
    of the post's pillar. A time it cannot read keeps the dialog open with the reason; leaving with
    a changed time asks first (EditForm)."""

    def __init__(
        self, current: str, zone: ZoneInfo, now: datetime, proposal: datetime | None = None, pillar: str | None = None
    ) -> None:
        super().__init__()
        self.current, self.zone, self.now, self.proposal, self.pillar = current, zone, now, proposal, pillar
        self.what = "the schedule time"
        self.shown = current

    def compose(self) -> ComposeResult:
        with Vertical(id="schedule-dialog"):
            yield Static(Text(f"Schedule at (local time, {self.zone.key})", style="bold"))
            yield Static(Text("e.g. 2026-12-01 09:00 · tomorrow 9am · fri 10:00 · next monday · +2d", style="dim"))
            if self.proposal is not None:
                local = self.proposal.astimezone(self.zone)
                yield Static(
                    Text(f"next free {label(self.pillar)} slot: {local:%a %d %b %H:%M}"), id="schedule-proposal"
                )
                self.shown = self.current or f"{local:%Y-%m-%d %H:%M}"
            yield Input(value=self.shown, id="schedule-input")
            yield Static("", id="schedule-error")

    def initial_values(self) -> tuple:
        return (self.shown,)

    def values(self) -> tuple:
        return (self.query_one("#schedule-input", Input).value,)

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.submit()

    def submit(self) -> bool:
        from planner.errors import PlannerError
        from planner.services.when import parse_when

        raw = self.query_one("#schedule-input", Input).value
        if not raw.strip():
            self.dismiss(None)
            return True
        try:
            when = parse_when(raw, self.now, self.zone, what="schedule")
        except PlannerError as exc:
            self.query_one("#schedule-error", Static).update(Text(str(exc), style="bold red"))
            return False
        self.dismiss(when)
        return True
