"""Edit the strategy: every setting as `planner strategy set` takes it, plus adding/removing a slot."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from planner.text import heading


class StrategyForm(ModalScreen[dict[str, str] | None]):
    """Returns the changed settings as {key: value} (``slots.add``/``slots.remove`` when filled)."""

    DEFAULT_CSS = """
    StrategyForm { align: center middle; }
    StrategyForm > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $panel; padding: 1 2; }
    StrategyForm .form-title { text-style: bold; }
    StrategyForm Label { margin-top: 1; }
    StrategyForm Horizontal { height: auto; margin-top: 1; }
    StrategyForm Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, settings: list[tuple[str, str]], slots: list[str]) -> None:
        super().__init__()
        self.settings = settings
        self.slots = slots

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Strategy", classes="form-title")
            for key, value in self.settings:
                yield Label(heading(key))
                yield Input(value=value, id=f"strategy-{key.replace('.', '-')}", name=key)
            yield Label("Slots: " + ("; ".join(self.slots) if self.slots else "none"))
            yield Label('Add a slot (e.g. "tue 09:00 thought_leadership")')
            yield Input(id="strategy-slots-add", name="slots.add")
            yield Label('Remove a slot (its id, or "tue 09:00")')
            yield Input(id="strategy-slots-remove", name="slots.remove")
            yield Static(Text("Nothing is saved if any value is invalid.", style="dim"))
            with Horizontal():
                yield Button("Save (enter)", variant="primary", id="strategy-save")
                yield Button("Cancel (esc)", id="strategy-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#strategy-save")
    def save(self) -> None:
        before = dict(self.settings)
        changes = {}
        for box in self.query(Input):
            value = box.value.strip()
            if box.name in ("slots.add", "slots.remove"):
                if value:
                    changes[box.name] = value
            elif value != before.get(box.name):
                changes[box.name] = value
        self.dismiss(changes)

    @on(Button.Pressed, "#strategy-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
