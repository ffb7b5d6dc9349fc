"""The base of every screen that runs workers.

``Worker.StateChanged`` does not bubble: a failed worker started by a screen reports to that
screen only. This base hands every such event to the app's one error handler, so no failure is
silent, whichever screen started the work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from planner.tui.app import PlannerApp


class PlannerScreen(Screen):
    """A section's screen: ``self.app`` is the PlannerApp (typed, so ``self.app.store`` checks)."""

    if TYPE_CHECKING:

        @property
        def app(self) -> PlannerApp: ...

    @on(Worker.StateChanged)
    def _forward_worker_state(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_error(event)


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
