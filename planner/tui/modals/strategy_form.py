"""Edit the strategy: every setting as `planner strategy set` takes it, plus adding/removing a slot."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from planner.text import heading
from planner.tui.modals.unsaved import EditForm


class StrategyForm(EditForm):
    """Saves the changed settings as {key: value} (``slots.add``/``slots.remove`` when filled)
    through ``save(changes, form)``, which answers with ``saved()`` (the form closes) or
    ``refused(field, reason)`` (it stays open, every value kept, the field marked)."""

    DEFAULT_CSS = """
    StrategyForm { align: center middle; }
    StrategyForm > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $panel; padding: 1 2; }
    StrategyForm .form-title { text-style: bold; }
    StrategyForm Label { margin-top: 1; }
    StrategyForm Horizontal { height: auto; margin-top: 1; }
    StrategyForm Button { margin-right: 2; }
    StrategyForm Input.invalid { border: tall $error; }
    StrategyForm .field-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    what = "the strategy"

    def __init__(self, settings: list[tuple[str, str]], slots: list[str], save) -> None:
        super().__init__()
        self.settings = settings
        self.slots = slots
        self.save = save
        self._after_save = None

    def initial_values(self) -> tuple:
        return tuple(value for _, value in self.settings) + ("", "")

    def values(self) -> tuple:
        return tuple(box.value for box in self.query(Input))

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Strategy", classes="form-title")
            for key, value in self.settings:
                yield Label(heading(key))
                yield Input(value=value, id=f"strategy-{key.replace('.', '-')}", name=key)
                yield Static("", classes="field-error", id=f"strategy-{key.replace('.', '-')}-error")
            yield Label("Slots: " + ("; ".join(self.slots) if self.slots else "none"))
            yield Label('Add a slot (e.g. "tue 09:00 thought_leadership")')
            yield Input(id="strategy-slots-add", name="slots.add")
            yield Static("", classes="field-error", id="strategy-slots-add-error")
            yield Label('Remove a slot (its id, or "tue 09:00")')
            yield Input(id="strategy-slots-remove", name="slots.remove")
            yield Static("", classes="field-error", id="strategy-slots-remove-error")
            yield Static(Text("Nothing is saved if any value is invalid.", style="dim"))
            with Horizontal():
                yield Button("Save (enter)", variant="primary", id="strategy-save")
                yield Button("Cancel (esc)", id="strategy-cancel")

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False

    @on(Input.Submitted)
    @on(Button.Pressed, "#strategy-save")
    def _save(self) -> None:
        self.submit()

    def submit(self) -> bool:
        """Hands the changes to ``save``; the form stays open until it answers (False here)."""
        before = dict(self.settings)
        changes = {}
        for box in self.query(Input):
            value = box.value.strip()
            if box.name in ("slots.add", "slots.remove"):
                if value:
                    changes[box.name] = value
            elif value != before.get(box.name):
                changes[box.name] = value
        if not changes:
            self.dismiss(None)
            return True
        self.save(changes, self)
        return False

    def save_then(self, then) -> None:
        self._after_save = then
        self.submit()

    def saved(self, changes: dict[str, str]) -> None:
        self.dismiss(changes)
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def refused(self, field: str | None, reason: str) -> None:
        """Mark the field (or, for a reason of no one field, the first) and keep the form open."""
        self._after_save = None
        for box in self.query(Input):
            box.remove_class("invalid")
        for error in self.query(".field-error"):
            error.display = False
        target = next((box for box in self.query(Input) if box.name == field), None)
        if target is None:
            return  # no one field: the worker's error is reported as a notification
        target.add_class("invalid")
        error = self.query_one(f"#{target.id}-error", Static)
        error.update(Text(reason))
        error.display = True
        target.focus()

    @on(Button.Pressed, "#strategy-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
