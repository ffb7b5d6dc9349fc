"""The key footer, rebuilt once per refresh instead of once per binding change.

Textual's Footer recomposes all its keys every time the screen's bindings change: a screen switch
and each focus move on the way (the table taking focus, a pane mounting) are five rebuilds while a
section opens, each re-mounting and re-styling a dozen keys — about 0.1 s of every screen open on
the scale world. This one schedules one rebuild for the next refresh, folds later changes into it,
and skips it when the keys to show are the ones on display (most focus moves change nothing
there); it reads the bindings when it runs, so it shows the same keys.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class PlannerFooter(Footer):
    _rebuild_pending = False
    _shown: tuple | None = None  # the keys on display

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        shown = tuple((binding.key, binding.action, binding.description, enabled, tooltip)
                      for _, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)
        if shown == self._shown:  # focus moved between widgets that add no keys of their own
            return
        self._shown = shown
        await self.recompose()
