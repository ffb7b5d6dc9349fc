"""No lost work (issue 14): a stray key never drops an edit; leaving one by any route asks first.

Every path here lost typed text (or created something unasked) before the fix.
"""

from __future__ import annotations

from helpers import FIXED_NOW, settle
from sqlmodel import func, select

from planner.models import Post, Strategy
from planner.tui.app import make_app
from planner.tui.modals.unsaved import UnsavedModal
from planner.tui.screens.post_editor import PostEditorScreen
from planner.tui.screens.posts import PostsScreen


async def open_draft(app, pilot) -> PostEditorScreen:
    await settle(app, pilot)
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, PostsScreen)
    screen.query_one("#posts-table").move_cursor(row=next(n for n, p in enumerate(screen.rows) if p.status == "draft"))
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
    editor = app.screen
    assert isinstance(editor, PostEditorScreen)
    for _ in range(100):
        if editor.context is not None:
            break
        await pilot.pause(0.05)
    assert editor.context is not None
    return editor


async def type_at_end(editor, pilot, text: str) -> None:
    body = editor.query_one("#editor-body")
    body.focus()
    body.move_cursor(body.document.end)
    await pilot.press(*text)


def body_of(editor) -> str:
    return editor.query_one("#editor-body").text


def stored_body(app, post_id: int) -> str:
    with app.store.session() as s:
        return s.get(Post, post_id).body


def post_count(app) -> int:
    with app.store.session() as s:
        return s.exec(select(func.count()).select_from(Post)).one()


async def test_tab_then_letters_type_text_instead_of_running_keys(demo_settings):
    """The reported loss: type, Tab, then d, s, q ran as hotkeys and q quit."""
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_draft(app, pilot)
        title = editor.query_one("#editor-title-input").value
        await type_at_end(editor, pilot, " more")
        await pilot.press("tab")
        await pilot.press(*"dsq?1u")
        await settle(app, pilot)
        assert app.return_code is None and app.screen is editor  # still open, nothing ran
        assert body_of(editor).endswith(" more")
        focused = app.focused
        assert focused is not None and focused.id in ("editor-title-input", "editor-body")
        typed = editor.query_one("#editor-title-input").value + body_of(editor)
        assert "dsq?1u" in typed  # the letters went into the text, where the person was typing
        assert title and title in editor.query_one("#editor-title-input").value  # beside the title, not over it
        await pilot.press("tab")
        assert app.focused.id in ("editor-title-input", "editor-body")  # Tab cycles the text entries only


async def test_quit_with_unsaved_text_asks_and_keep_editing_keeps_it(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_draft(app, pilot)
        await type_at_end(editor, pilot, " more")
        app.action_quit()  # q, ctrl+q and the palette's Quit all run this
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal) and app.return_code is None
        await pilot.press("escape")  # keep editing
        await settle(app, pilot)
        assert app.screen is editor and body_of(editor).endswith(" more") and app.return_code is None
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("s")  # save, then quit
        await settle(app, pilot)
        post_id = editor.context.post.id
    assert app.return_code == 0
    assert stored_body(app, post_id).endswith(" more")


async def test_quit_and_discard_drops_only_on_request(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_draft(app, pilot)
        post_id, saved = editor.context.post.id, editor.context.post.body
        await type_at_end(editor, pilot, " more")
        await pilot.press("ctrl+c")  # Textual's copy / "how to quit" hint: never a quit
        await settle(app, pilot)
        assert app.screen is editor and app.return_code is None
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
    assert app.return_code == 0
    assert stored_body(app, post_id) == saved


async def test_escape_asks_then_saves_or_discards(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_draft(app, pilot)
        post_id, saved = editor.context.post.id, editor.context.post.body
        await type_at_end(editor, pilot, " one")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is editor and body_of(editor).endswith(" one")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, PostsScreen)
        assert stored_body(app, post_id) == saved + " one"
        await pilot.press("enter")
        await settle(app, pilot)
        editor = app.screen
        for _ in range(100):
            if editor.context is not None:
                break
            await pilot.pause(0.05)
        await type_at_end(editor, pilot, " two")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, PostsScreen)
        assert stored_body(app, post_id) == saved + " one"


async def test_section_key_and_palette_ask_before_leaving_an_edit(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_draft(app, pilot)
        await type_at_end(editor, pilot, " more")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Go to Today", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal) and app.current_mode == "posts"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is editor and body_of(editor).endswith(" more")
        app.action_switch_section("today")  # what 1 runs, wherever the focus is
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal) and app.current_mode == "posts"
        await pilot.press("s")
        await settle(app, pilot)
        assert app.current_mode == "today"
        assert stored_body(app, editor.context.post.id).endswith(" more")


async def test_touch_form_keeps_its_text_against_section_keys_and_escape(demo_settings):
    from planner.tui.modals.touch_form import TouchForm
    from planner.tui.screens.network import NetworkScreen

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        assert isinstance(app.screen, NetworkScreen)
        await pilot.press("l")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, TouchForm)
        form.query_one("#touch-note").focus()
        await pilot.press(*"met at the meetup 1 q")
        assert form.query_one("#touch-note").value == "met at the meetup 1 q"
        form.query_one("#touch-cancel").focus()  # off the text: a modal keeps the app's letter keys away
        await pilot.press("1", "q")
        await settle(app, pilot)
        assert app.screen is form and app.current_mode == "network"
        await pilot.press("ctrl+q")  # but quit is a priority key
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal) and app.return_code is None
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is form
        await pilot.press("enter")  # the Cancel button
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is form and form.query_one("#touch-note").value == "met at the meetup 1 q"
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("d")  # discard: the form closes, nothing recorded
        await settle(app, pilot)
        assert isinstance(app.screen, NetworkScreen)


async def test_invalid_strategy_value_keeps_the_form_and_marks_the_field(demo_settings):
    from planner.tui.modals.strategy_form import StrategyForm

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, StrategyForm)
        capacity = form.query_one("#strategy-daily_touch_capacity")
        zone = form.query_one("#strategy-timezone")
        capacity.value = "lots"
        zone.value = "Europe/Paris"
        form.query_one("#strategy-save").press()
        await settle(app, pilot)
        assert app.screen is form  # still open
        assert capacity.value == "lots" and zone.value == "Europe/Paris"  # every value kept
        assert capacity.has_class("invalid")
        reason = str(form.query_one("#strategy-daily_touch_capacity-error").render())
        assert reason.strip()
        with app.store.session() as s:
            assert s.exec(select(Strategy)).first().timezone != "Europe/Paris"  # all or nothing
        capacity.value = "4"
        form.query_one("#strategy-save").press()
        await settle(app, pilot)
        assert not isinstance(app.screen, StrategyForm)
        with app.store.session() as s:
            row = s.exec(select(Strategy)).first()
            assert (row.timezone, row.daily_touch_capacity) == ("Europe/Paris", 4)


async def test_new_idea_then_escape_creates_nothing_and_save_creates_one(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        before = post_count(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, PostEditorScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PostsScreen) and post_count(app) == before
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(*"A fresh idea")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert post_count(app) == before + 1
        editor = app.screen
        assert isinstance(editor, PostEditorScreen) and editor.context.post.id is not None
        await type_at_end(editor, pilot, " grows")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert post_count(app) == before + 1  # saved again into the same post
        assert stored_body(app, editor.context.post.id) == "A fresh idea grows"
