"""The theme chosen in the palette is saved to config.toml and used at the next start."""

from __future__ import annotations

from helpers import FIXED_NOW, settle

from planner.config import load_settings
from planner.tui.app import make_app


async def test_the_palette_choice_is_saved_and_used_next_time(settings):
    config = settings.config_path
    config.write_text('# mine\ntimezone = "Europe/London"\n\n[keywords]\nauto_extract = false\n', encoding="utf-8")
    settings = load_settings(settings.db_url, config)
    app = make_app(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        default = app.theme
        assert default != "nord"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # "Theme: Change the current theme"
        await pilot.pause(0.3)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.theme == "nord"
    text = config.read_text(encoding="utf-8")
    assert text == '# mine\ntimezone = "Europe/London"\n\ntheme = "nord"\n\n[keywords]\nauto_extract = false\n'

    again = make_app(load_settings(settings.db_url, config), clock=lambda: FIXED_NOW)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert again.theme == "nord"
    assert config.read_text(encoding="utf-8") == text  # starting with it does not rewrite the file


async def test_an_unknown_saved_theme_is_named_and_the_default_used(settings):
    settings.config_path.write_text('theme = "no-such-theme"\n', encoding="utf-8")
    app = make_app(load_settings(settings.db_url, settings.config_path), clock=lambda: FIXED_NOW)
    notes = []
    app.notify = lambda message, **kw: notes.append(message)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.theme == "textual-dark"
    assert notes and "'no-such-theme'" in notes[0] and "not known" in notes[0]
