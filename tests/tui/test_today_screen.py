from __future__ import annotations

from sqlmodel import select

from helpers import FIXED_NOW
from planner.models import Post, Touchpoint
from planner.store import open_store
from planner.tui.app import make_app


async def _ready(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_today_lists_due_items_and_marks_one_done(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        screen = app.screen
        assert app.current_mode == "today"
        assert screen.agenda is not None and screen.agenda.items, "the demo has items due today"
        item = screen.selected()
        assert item is not None
        await pilot.press("d")
        await _ready(app, pilot)
        store = open_store(demo_settings.db_url)
        with store.session() as session:
            row = session.get(Post if item.kind == "post" else Touchpoint, item.id)
        assert row.status in ("published", "done")
        assert all(not (i.kind == item.kind and i.id == item.id) for i in screen.agenda.items)
        store.dispose()


async def test_skip_and_help_screen(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        item = app.screen.selected()
        await pilot.press("s")
        await _ready(app, pilot)
        store = open_store(demo_settings.db_url)
        with store.session() as session:
            row = session.get(Post if item.kind == "post" else Touchpoint, item.id)
        assert row.status == "skipped"
        store.dispose()
        await pilot.press("question_mark")
        await pilot.pause()
        from planner.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys").render()
        assert keys is not None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_untrusted_names_render_literally(settings, tmp_path):
    from helpers import populate_world
    from planner.models import Connection

    store = open_store(settings.db_url)
    with store.transaction() as session:
        populate_world(session)
        person = session.exec(select(Connection)).one()
        person.first_name = "[bold]Evil[/]"
        person.last_name = "\x1b[31mRed"  # would be stripped at ingest; stored raw here on purpose
        session.add(Touchpoint(connection_id=person.id, kind="check_in", status="planned", due_at=FIXED_NOW))
    store.dispose()
    app = make_app(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#today-table")
        cells = [str(table.get_row_at(r)[2]) for r in range(table.row_count)]
        assert any("[bold]Evil[/]" in c for c in cells)


async def test_a_failing_screen_worker_is_reported_not_silent(demo_settings):
    """Worker.StateChanged does not bubble; every screen forwards failures to the app's handler."""
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        from planner.errors import PlannerError

        def fail():
            raise PlannerError("the store said no")

        app.screen.run_worker(fail, thread=True, exit_on_error=False)
        await _ready(app, pilot)
        assert any(n.message == "the store said no" for n in app._notifications)
