"""The base of every screen that runs workers.

``Worker.StateChanged`` does not bubble: a failed worker started by a screen reports to that
screen only. This base hands every such event to the app's one error handler, so no failure is
silent, whichever screen started the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker

if TYPE_CHECKING:
    from planner.tui.app import PlannerApp


class PlannerScreen(Screen):
    """A section's screen: ``self.app`` is the PlannerApp (typed, so ``self.app.store`` checks)."""

    # widgets whose keys are the screen's too (Review's steps): each holds its own keys, live while
    # it is on the focus path; Help and the palette list them with the screen's
    KEY_PARTS: ClassVar[tuple[type[Widget], ...]] = ()

    if TYPE_CHECKING:

        @property
        def app(self) -> PlannerApp: ...

    @on(Worker.StateChanged)
    def _forward_worker_state(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_error(event)

    @classmethod
    def declared_bindings(cls) -> list[Binding]:
        """Every key the screen declares: its parts', in order, then its own (what Help lists)."""
        return [*(b for part in cls.KEY_PARTS for b in part.BINDINGS), *cls.BINDINGS]

    def key_parts_in_focus(self) -> list[Widget]:
        """The parts whose keys work now: those on the way up from the focused widget."""
        if not self.KEY_PARTS or self.focused is None:
            return []
        return [node for node in self.focused.ancestors_with_self if isinstance(node, self.KEY_PARTS)]

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """A part's action runs on the part, live while the part is on the focus path; asked of
        the screen, the answer is the same (Textual asks it only of the screen's own keys)."""
        owners = tuple(cls for cls in self.KEY_PARTS if f"action_{action}" in vars(cls))
        return not owners or any(isinstance(part, owners) for part in self.key_parts_in_focus())


class ItemActions:
    """The keys Today and Plan share on their selected post or touchpoint: send it (copy/open,
    then "Posted?"), mark it done or skipped, delete it. The screen provides ``selected()``,
    ``mark(item, done)`` and ``load()``."""

    def _selected_or_warn(self, what: str = "Nothing selected"):
        item = self.selected()
        if item is None:
            self.notify(what, severity="warning")
        return item

    def action_send(self, how: str) -> None:
        item = self._selected_or_warn()
        if item is not None:
            from planner.tui import send

            send.start(self, how, item.kind, item.id, then=self.load)

    def action_mark(self, done: bool) -> None:
        item = self._selected_or_warn()
        if item is not None:
            self.mark(item, done)

    def action_delete(self) -> None:
        item = self._selected_or_warn("Select an item to delete")
        if item is not None:
            self.app.confirm_delete(item.kind, item.id, item.title, item.version, self.load)
