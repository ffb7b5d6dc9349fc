"""`?`: every key of the screen below, and how to reach the sections."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen):
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self._keys_table(), id="help-keys")

    def _keys_table(self) -> Table:
        table = Table(title="Keys", show_edge=False, expand=True, title_style="bold")
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        rows: dict[str, str] = {}
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            label = binding.description or binding.action
            display = binding.key_display or self.app.get_key_display(binding)
            rows.setdefault(display, label)
        for section in self.app.sections:
            rows[section.key] = f"Go to {section.title} — {section.description}"
        rows.setdefault("ctrl+p", "Command palette: every action by name")
        for key in sorted(rows, key=lambda k: (len(k) > 1, k)):
            table.add_row(Text(key), Text(rows[key]))
        return table
