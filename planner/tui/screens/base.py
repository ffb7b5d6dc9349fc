"""The base of every screen that runs workers.

``Worker.StateChanged`` does not bubble: a failed worker started by a screen reports to that
screen only. This base hands every such event to the app's one error handler, so no failure is
silent, whichever screen started the work.
"""

from __future__ import annotations

from textual import on
from textual.screen import Screen
from textual.worker import Worker


class PlannerScreen(Screen):
    @on(Worker.StateChanged)
    def _forward_worker_state(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_error(event)
