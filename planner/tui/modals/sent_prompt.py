""" "Posted?" / "Sent?": the one question after a copy or an open; only its yes marks anything done."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class SentPrompt(ModalScreen[tuple[bool, str | None]]):
    """Dismisses with (True, pasted URL or None) on y / Enter, (False, None) on n / escape."""

    DEFAULT_CSS = """
    SentPrompt { align: center middle; }
    SentPrompt > Vertical {
        width: 76; max-width: 95%; height: auto; border: thick $accent; background: $panel; padding: 1 2;
    }
    SentPrompt .sent-title { text-style: bold; }
    SentPrompt .sent-url { color: $text-muted; margin-top: 1; }
    SentPrompt Input { margin-top: 1; }
    SentPrompt Horizontal { height: auto; margin-top: 1; }
    SentPrompt Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Not yet"),
    ]

    def __init__(self, question: str, what: str, shown_url: str | None = None, ask_url: bool = False) -> None:
        super().__init__()
        self.question = question
        self.what = what
        self.shown_url = shown_url
        self.ask_url = ask_url

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.question} {self.what}"), classes="sent-title")
            if self.shown_url:
                yield Static(
                    Text(f"No browser could open here; the link is copied:\n{self.shown_url}"), classes="sent-url"
                )
            if self.ask_url:
                yield Input(placeholder="its URL (optional: paste it, Enter)", id="sent-url-input")
            with Horizontal():
                yield Button("Yes, mark it done (y)", variant="success", id="sent-yes")
                yield Button("Not yet (n)", variant="primary", id="sent-no")

    def on_mount(self) -> None:
        self.query_one("#sent-no", Button).focus()

    def _url(self) -> str | None:
        if not self.ask_url:
            return None
        return self.query_one("#sent-url-input", Input).value.strip() or None

    @on(Input.Submitted, "#sent-url-input")
    def _submitted(self, _event: Input.Submitted) -> None:
        self.dismiss((True, self._url()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "sent-yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss((True, self._url()) if value else (False, None))
