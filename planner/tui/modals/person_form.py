"""Edit a person's tier, cadence override and tags."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from planner.tui.modals.unsaved import EditForm


@dataclass
class PersonFormResult:
    tier: str
    cadence_days: int | None  # None: follow the tier/tags
    add_tags: list[str]
    remove_tags: list[str]


class PersonForm(EditForm):
    DEFAULT_CSS = """
    PersonForm { align: center middle; }
    PersonForm > Vertical { width: 70; max-width: 95%; height: auto; border: thick $primary; background: $panel; padding: 1 2; }
    PersonForm .form-title { text-style: bold; }
    PersonForm Label { margin-top: 1; }
    PersonForm Horizontal { height: auto; margin-top: 1; }
    PersonForm Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, person: str, tier: str, tiers: list[str], cadence_days: int | None, tags: list[str]) -> None:
        super().__init__()
        self.person = person
        self.tier = tier
        self.tiers = tiers if tier in tiers else [*tiers, tier]
        self.cadence_days = cadence_days
        self.tags = tags
        self.what = f"the changes to {person}"

    def initial_values(self) -> tuple:
        return (self.tier, str(self.cadence_days or ""), ", ".join(self.tags))

    def values(self) -> tuple:
        return (
            str(self.query_one("#person-tier", Select).value),
            self.query_one("#person-cadence", Input).value,
            self.query_one("#person-tags", Input).value,
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Edit {self.person}"), classes="form-title")
            yield Label("Tier")
            yield Select([(t, t) for t in self.tiers], allow_blank=False, value=self.tier, id="person-tier")
            yield Label("Cadence override in days (empty: follow tier and tags)")
            yield Input(value=str(self.cadence_days or ""), id="person-cadence")
            yield Label("Tags (comma-separated)")
            yield Input(value=", ".join(self.tags), id="person-tags")
            with Horizontal():
                yield Button("Save (enter)", variant="primary", id="person-save")
                yield Button("Cancel (esc)", id="person-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#person-save")
    def _save(self) -> None:
        self.submit()

    def submit(self) -> bool:
        raw = self.query_one("#person-cadence", Input).value.strip()
        days = None
        if raw:
            try:
                days = int(raw)
            except ValueError:
                self.notify(f"Cadence must be a number of days, not {raw!r}", severity="error", markup=False)
                return False
        wanted = [t.strip() for t in self.query_one("#person-tags", Input).value.split(",") if t.strip()]
        have = {t.lower() for t in self.tags}
        want = {t.lower() for t in wanted}
        self.dismiss(
            PersonFormResult(
                tier=str(self.query_one("#person-tier", Select).value),
                cadence_days=days,
                add_tags=[t for t in wanted if t.lower() not in have],
                remove_tags=[t for t in self.tags if t.lower() not in want],
            )
        )
        return True

    @on(Button.Pressed, "#person-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
