"""A small form to log or plan a touchpoint: kind, date, note/message, with a live pitch lint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from planner.models import ASK_KINDS, TouchKind
from planner.tui.modals.unsaved import EditForm


@dataclass
class TouchFormResult:
    kind: str
    when: datetime
    note: str
    message: str


def kind_options() -> list[tuple[str, str]]:
    give = [(k.label, k.value) for k in TouchKind if k not in ASK_KINDS]
    ask = [(f"{k.label} (ask)", k.value) for k in TouchKind if k in ASK_KINDS]
    return give + ask


class TouchForm(EditForm):
    """``mode`` is "log" (a date in the past or today) or "plan" (a due date)."""

    DEFAULT_CSS = """
    TouchForm { align: center middle; }
    TouchForm > Vertical { width: 76; max-width: 95%; height: auto; border: thick $primary; background: $panel; padding: 1 2; }
    TouchForm .form-title { text-style: bold; }
    TouchForm Label { margin-top: 1; }
    TouchForm #touch-lint { color: $text-muted; height: auto; }
    TouchForm Horizontal { height: auto; margin-top: 1; }
    TouchForm Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, mode: str, person: str, today: date, tz, kind: str = TouchKind.CHECK_IN.value, message: str = ""
    ) -> None:
        super().__init__()
        self.mode = mode
        self.person = person
        self.today = today
        self.tz = tz
        self.initial_kind = kind
        self.initial_message = message
        self.what = f"this touch with {person}"

    def initial_values(self) -> tuple:
        return (self.initial_kind, self.today.isoformat(), "", self.initial_message)

    def values(self) -> tuple:
        return (
            str(self.query_one("#touch-kind", Select).value),
            self.query_one("#touch-date", Input).value,
            self.query_one("#touch-note", Input).value,
            self.query_one("#touch-message", Input).value,
        )

    def compose(self) -> ComposeResult:
        verb = "Log a touch with" if self.mode == "log" else "Plan a touch with"
        with Vertical():
            yield Static(Text(f"{verb} {self.person}"), classes="form-title")
            yield Label("Kind")
            yield Select(kind_options(), allow_blank=False, value=self.initial_kind, id="touch-kind")
            yield Label(
                "When it happened (e.g. today, yesterday 17:00, 2026-11-20)"
                if self.mode == "log"
                else "Due (e.g. 2026-12-01, tomorrow 9am, fri 10:00, next monday, +2d)"
            )
            yield Input(value=self.today.isoformat(), id="touch-date")
            yield Label("Note")
            yield Input(placeholder="what happened / why", id="touch-note")
            yield Label("Message")
            yield Input(value=self.initial_message, placeholder="what you sent or will send", id="touch-message")
            yield Static("", id="touch-lint")
            with Horizontal():
                yield Button("Save (enter)", variant="primary", id="touch-save")
                yield Button("Cancel (esc)", id="touch-cancel")

    def on_mount(self) -> None:
        self.query_one("#touch-kind", Select).focus()
        self._lint(self.initial_message)

    @on(Input.Changed, "#touch-message")
    def _message_changed(self, event: Input.Changed) -> None:
        self._lint(event.value)

    def _lint(self, message: str) -> None:
        from planner.services.pitch import pitch_score

        lint = self.query_one("#touch-lint", Static)
        if not message.strip():
            lint.update("")
            return
        score = pitch_score(message)
        if score.pitch:
            lint.update(Text(f"Reads as a pitch ({score.score:.2f}): " + "; ".join(score.reasons), style="bold yellow"))
        else:
            lint.update(Text(f"Reads as value-first ({score.score:.2f})", style="green"))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.submit()

    @on(Button.Pressed, "#touch-save")
    def _save_pressed(self) -> None:
        self.submit()

    @on(Button.Pressed, "#touch-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def submit(self) -> bool:
        from planner.errors import PlannerError
        from planner.services.when import parse_when

        raw = self.query_one("#touch-date", Input).value
        try:
            when = parse_when(
                raw,
                self.app.now(),
                self.tz,
                what="when" if self.mode == "log" else "due",
                default_time=time(12, 0) if self.mode == "log" else time(9, 0),
            )
        except PlannerError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.dismiss(
            TouchFormResult(
                kind=str(self.query_one("#touch-kind", Select).value),
                when=when,
                note=self.query_one("#touch-note", Input).value.strip(),
                message=self.query_one("#touch-message", Input).value.strip(),
            )
        )
        return True
