"""The keys people already know, in every list: j/k, g/G, ctrl+d/ctrl+u (issue 14).

Every table and tree of the app is one of these (the week grid adds h/l); the arrows, Home/End
and PgUp/PgDn keep working as Textual binds them.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable, Tree

LIST_KEYS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "First", show=False),
    Binding("G", "last", "Last", show=False, key_display="G"),
    Binding("ctrl+d", "page_down", "Page down", show=False),
    Binding("ctrl+u", "page_up", "Page up", show=False),
]


class PlannerTable(DataTable):
    BINDINGS = LIST_KEYS

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()


class PlannerTree(Tree):
    BINDINGS = LIST_KEYS

    def action_first(self) -> None:
        self.action_scroll_home()

    def action_last(self) -> None:
        self.action_scroll_end()
