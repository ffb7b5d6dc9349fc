"""The key footer, rebuilt once per refresh instead of once per binding change, and fitted to the
width: the way out (a screen's escape key), the app's own keys (`? Help`, `q Quit`) and the
palette always show, at the right; the
screen's keys fill the room left, in their order, and a key that would not fit whole is left out
(help and the palette list them all) rather than cut.

Textual's Footer recomposes all its keys every time the screen's bindings change: a screen switch
and each focus move on the way (the table taking focus, a pane mounting) are five rebuilds while a
section opens, each re-mounting and re-styling a dozen keys — about 0.1 s of every screen open on
the scale world. This one schedules one rebuild for the next refresh, folds later changes into it,
and skips it when the keys to show are the ones on display (most focus moves change nothing
there); it reads the bindings when it runs, so it shows the same keys.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KEY_GAP = 3  # a FooterKey draws " key description ": its text plus three spaces


class PlannerFooter(Footer):
    DEFAULT_CSS = """
    PlannerFooter HorizontalGroup.-always {
        dock: right;
        width: auto;
        height: 1;
    }
    PlannerFooter HorizontalGroup.-always FooterKey.-command-palette {
        dock: none;
    }
    """

    _rebuild_pending = False
    _shown: tuple | None = None  # the keys on display and the width they were fitted to

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def on_resize(self) -> None:
        if self._bindings_ready and self.is_attached and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _keys(self) -> tuple[list, list, tuple | None]:
        """(the screen's keys, the keys always shown, the palette key), each (binding, enabled,
        tooltip), one per action in binding order."""
        active = self.screen.active_bindings
        screen_keys, app_keys, seen = [], [], set()
        for node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            always = node is self.app or binding.key == "escape"
            (app_keys if always else screen_keys).append((binding, enabled, tooltip))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = found[1:]
        return screen_keys, app_keys, palette

    def _key_width(self, binding) -> int:
        return cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + KEY_GAP

    def _fitted(self) -> tuple[list, list, tuple | None]:
        screen_keys, app_keys, palette = self._keys()
        room = self._width() - 1 - sum(self._key_width(b) for b, _, _ in app_keys)
        if palette is not None:
            room -= self._key_width(palette[0]) + 1  # and its border
        shown = []
        for key in screen_keys:
            room -= self._key_width(key[0])
            if room < 0:
                break
            shown.append(key)
        return shown, app_keys, palette

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        screen_keys, app_keys, palette = self._fitted()
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for binding, enabled, tooltip in [*screen_keys, *app_keys, *([palette] if palette else [])]
        )
        if shown == self._shown:  # focus moved between widgets that add no keys of their own
            return
        self._shown = shown
        await self.recompose()

    def _footer_key(self, binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
            classes=classes,
        ).data_bind(compact=Footer.compact)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen_keys, app_keys, palette = self._fitted()
        for binding, enabled, tooltip in screen_keys:
            yield self._footer_key(binding, enabled, tooltip)
        with HorizontalGroup(classes="-always"):
            for binding, enabled, tooltip in app_keys:
                yield self._footer_key(binding, enabled, tooltip)
            if palette is not None:
                binding, enabled, tooltip = palette
                yield self._footer_key(binding, enabled, binding.tooltip or binding.description, "-command-palette")
