"""The footer rebuilds only when the keys to show change, and always shows the current ones."""

from __future__ import annotations

from helpers import FIXED_NOW, settle
from textual.widgets._footer import FooterKey

from planner.tui.app import make_app
from planner.tui.widgets.footer import PlannerFooter


def _keys(screen) -> set[str]:
    keys = screen.query_one(PlannerFooter).query(FooterKey)
    return {key.description for key in keys if not key.has_class("-command-palette")}


def _expected(screen) -> set[str]:
    return {b.description for _, b, _, _ in screen.active_bindings.values() if b.show}


async def test_footer_follows_the_screen_and_skips_rebuilds_that_change_nothing(demo_settings, monkeypatch):
    rebuilds: list[str] = []
    original = PlannerFooter.recompose

    async def counting(self):
        rebuilds.append(type(self.screen).__name__)
        return await original(self)

    monkeypatch.setattr(PlannerFooter, "recompose", counting)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    # wide enough for every key of these screens: what a narrower footer leaves out is test_sizes'
    async with app.run_test(size=(240, 40)) as pilot:
        await settle(app, pilot)
        assert {"Done", "Skip"} <= _keys(app.screen) == _expected(app.screen)
        await pilot.press("4")
        await settle(app, pilot)
        assert "Search" in _keys(app.screen) and _keys(app.screen) == _expected(app.screen)
        before = len(rebuilds)
        app.screen.set_focus(None)  # focus moves, the screen's keys stay the same
        await settle(app, pilot)
        app.screen.focus_next()
        await settle(app, pilot)
        assert len(rebuilds) == before, "no rebuild when the keys to show did not change"
        await pilot.press("1")
        await settle(app, pilot)
        assert _keys(app.screen) == _expected(app.screen) and "Search" not in _keys(app.screen)
