"""The keys people know (issue 14): list keys, Enter opens, the palette lists every action with its
key, Help shows only this app's keys with a legend, u undoes, delete asks, R keeps the cursor."""

from __future__ import annotations

from helpers import FIXED_NOW, settle
from sqlmodel import select

from planner.models import Post, Touchpoint
from planner.tui.app import make_app
from planner.tui.modals.detail import DetailModal
from planner.tui.widgets.week_grid import WeekGrid


async def go(app, pilot, key: str):
    await settle(app, pilot)
    await pilot.press(key)
    await settle(app, pilot)
    return app.screen


async def test_j_k_g_G_ctrl_d_ctrl_u_move_in_every_list(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        for key, selector in (
            ("1", "#today-table"),
            ("3", "#posts-table"),
            ("4", "#network-table"),
            ("5", "#discover-entries"),
        ):
            screen = await go(app, pilot, key)
            table = screen.query_one(selector)
            table.focus()
            assert table.row_count > 3, selector
            await pilot.press("g")
            assert table.cursor_row == 0
            await pilot.press("j", "j")
            assert table.cursor_row == 2, selector
            await pilot.press("k")
            assert table.cursor_row == 1
            await pilot.press("G")
            await settle(app, pilot)
            assert table.cursor_row == table.row_count - 1, selector
            await pilot.press("g", "ctrl+d")
            assert table.cursor_row > 1, selector
            await pilot.press("ctrl+u")
            assert table.cursor_row == 0, selector
        tree = screen.query_one("#discover-tree")
        tree.focus()
        await pilot.press("g", "j", "j")
        assert tree.cursor_line == 2
        await pilot.press("k", "G")
        assert tree.cursor_line == tree.last_line
        screen = await go(app, pilot, "2")
        grid = screen.query_one(WeekGrid)
        grid.focus()
        grid.move_cursor(row=0, column=3)
        await pilot.press("l")
        assert grid.cursor_coordinate.column == 4
        await pilot.press("h", "h")
        assert grid.cursor_coordinate.column == 2
        await pilot.press("j")
        assert grid.cursor_coordinate.row == 1


async def test_enter_opens_the_editor_or_a_detail_view_and_esc_goes_back(demo_settings):
    from planner.tui.screens.post_editor import PostEditorScreen

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        today = await go(app, pilot, "1")
        table = today.query_one("#today-table")
        kinds = [i.kind for i in today.agenda.items]
        for kind in ("touchpoint", "post"):
            if kind not in kinds:
                continue
            table.move_cursor(row=kinds.index(kind))
            await pilot.press("enter")
            await settle(app, pilot)
            if kind == "post":
                assert isinstance(app.screen, PostEditorScreen)
            else:
                assert isinstance(app.screen, DetailModal)
                body = str(app.screen.query_one("#detail-body").render())
                item = today.agenda.items[kinds.index(kind)]
                assert item.title.split(" · ")[-1] in body  # the person
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen is today
        plan = await go(app, pilot, "2")
        grid = plan.query_one(WeekGrid)
        (row, day), _ = next((pos, i) for pos, i in grid.cells.items() if i.kind == "touchpoint")
        grid.move_cursor(row=row, column=day + 1)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailModal)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is plan
        network = await go(app, pilot, "4")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailModal) and "Timeline" in str(app.screen.query_one("#detail-body").render())
        await pilot.press("escape")
        discover = await go(app, pilot, "5")
        discover.query_one("#discover-entries").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailModal)
        assert discover.current().title in str(app.screen.query_one("#detail-body").render())
        await pilot.press("escape")
        assert network is not None


async def test_palette_lists_every_action_of_the_screen_and_the_app_with_its_key(demo_settings):
    from planner.tui.screens.plan import PlanScreen

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        plan = await go(app, pilot, "2")
        commands = {c.title: c.help for c in app.get_system_commands(plan)}
        for binding in PlanScreen.BINDINGS:  # every one, hidden ones too
            assert f"Plan: {binding.description}" in commands, binding.description
        assert commands["Plan: Done"] == "key d" and commands["Plan: Skip"] == "key s"
        assert commands["Plan: Strategy"] == "key S" and commands["Plan: Reload"] == "key r"
        assert commands["Undo"] == "key u" and commands["Quit"] == "key q" and commands["Help"] == "key ?"
        assert commands["Go to Discover"].startswith("key 5")
        assert "Keys" not in commands  # Textual's own key panel: Help shows this app's keys instead
        # and the palette itself finds them by name and runs them
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Plan: Next week", "enter")
        await settle(app, pilot)
        assert plan.view.week == "2026-W49"


async def test_review_palette_lists_only_the_actions_of_the_step_shown(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        review = await go(app, pilot, "6")
        titles = {c.title for c in app.get_system_commands(review)}
        assert "Review: Drop" in titles and "Review: Auto-plan" not in titles and "Review: Next step" in titles


async def test_help_shows_this_apps_keys_by_screen_a_legend_and_how_to_close(demo_settings):
    from planner.tui.screens.help import HelpScreen, screen_groups

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        plan = await go(app, pilot, "2")
        groups = screen_groups(app, plan)
        titles = [g.title for g in groups]
        assert titles[:2] == ["Everywhere", "Plan (this screen)"]
        assert {
            "Today",
            "Posts",
            "Network",
            "Discover",
            "Review",
            "Post editor",
            "In every list, table and tree",
        } <= set(titles)
        for group in groups:
            keys = [k for k, _ in group.rows]
            assert len(keys) == len(set(keys)), (group.title, keys)  # no key twice in a group
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.as_text()
        for textual_key in ("pgdn", "Page Right", "super+c", "Maximize", "Screenshot"):
            assert textual_key not in shown
        assert shown.count("Command palette") == 1
        for symbol in ("✎", "☺", "· … slot", "TL CS GE VE", "★", "⚠", "✓"):
            assert symbol in shown, symbol
        assert "esc, ? or q closes this" in shown
        assert "Auto-plan" in shown and "Refresh feeds" in shown and "Accept suggestion" in shown
        await pilot.press("escape")
        assert app.screen is plan


async def test_u_undoes_done_skip_move_and_delete_and_says_what(demo_settings):
    told: list[str] = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.notify
        app.notify = lambda message, *a, **kw: (told.append(str(message)), original(message, *a, **kw))[1]
        today = await go(app, pilot, "1")
        item = today.agenda.items[0]
        await pilot.press("d")
        await settle(app, pilot)
        with app.store.session() as s:
            model = Post if item.kind == "post" else Touchpoint
            assert s.get(model, item.id).status in ("done", "published")
        await pilot.press("u")
        await settle(app, pilot)
        assert told[-1].startswith("Undone: ")
        with app.store.session() as s:
            assert s.get(model, item.id).status in ("planned", "scheduled")
        assert any(i.id == item.id for i in today.agenda.items)  # back on Today
        posts = await go(app, pilot, "3")
        p = posts.current()
        await pilot.press("delete")
        await settle(app, pilot)
        await pilot.press("n")  # the question first: n keeps it
        await settle(app, pilot)
        with app.store.session() as s:
            assert s.get(Post, p.id) is not None
        await pilot.press("delete")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        with app.store.session() as s:
            assert s.get(Post, p.id) is None
        assert p.id not in [r.id for r in posts.rows]
        await pilot.press("u")
        await settle(app, pilot)
        assert told[-1] == f"Undone: deleted {p.title or 'post ' + str(p.id)}"
        with app.store.session() as s:
            assert s.get(Post, p.id).body == p.body
        await pilot.press("u")
        await settle(app, pilot)
        assert told[-1] == "Nothing to undo in this session"


async def test_refresh_keeps_the_cursor_on_the_entry(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        discover = await go(app, pilot, "5")
        table = discover.query_one("#discover-entries")
        table.focus()
        table.move_cursor(row=7)
        await settle(app, pilot)
        before = discover.current().id
        await pilot.press("R")
        await settle(app, pilot)
        await settle(app, pilot)
        assert discover.current().id == before and table.cursor_row == 7
        with app.store.session() as s:
            assert s.exec(select(Post)).first() is not None


async def test_u_in_review_undoes_a_drop_and_forgets_the_decision(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        review = await go(app, pilot, "6")
        for _ in range(100):
            if review.review is not None:
                break
            await pilot.pause(0.05)
        missed = review.review.missed_items[0]
        table = review.query_one("#last-items")
        table.move_cursor(
            row=next(
                n
                for n in range(table.row_count)
                if table.coordinate_to_cell_key((n, 0)).row_key.value == f"{missed.kind}:{missed.id}"
            )
        )
        await pilot.press("x")
        await settle(app, pilot)
        assert review.decisions["dropped"] == [[missed.kind, missed.id]]
        await pilot.press("u")
        await settle(app, pilot)
        assert review.decisions["dropped"] == []
        model = Post if missed.kind == "post" else Touchpoint
        with app.store.session() as s:
            assert s.get(model, missed.id).status in ("planned", "scheduled")
        assert any(i.id == missed.id for i in review.last.missed_items)
