from __future__ import annotations

import pytest
from helpers import FIXED_NOW
from sqlmodel import select

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


def _record_store_open_at_show(monkeypatch) -> list[bool]:
    """For each time Today shows an agenda: was the ORM store open by then?"""
    from planner.tui.screens.today import TodayScreen

    seen: list[bool] = []
    original = TodayScreen.show

    def show(self, result):
        seen.append(self.app._store is not None)
        original(self, result)

    monkeypatch.setattr(TodayScreen, "show", show)
    return seen


@pytest.mark.sqlite_only  # the stdlib reader is SQLite's; on PostgreSQL the first frame is the worker's read
async def test_first_frame_is_read_before_the_orm_store_opens_and_equals_the_store_read(demo_settings, monkeypatch):
    """Start-up: Today's first frame comes from the stdlib SQLite reader (store.reader) on the UI
    thread, so it is drawn with its data before SQLAlchemy is needed; the store opens in a worker
    right after, and what it computes is the same agenda."""
    from planner.services.today import agenda

    store_open_at_show = _record_store_open_at_show(monkeypatch)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.screen.agenda  # set in on_mount: no worker has run yet
        assert first is not None and first.items
        await _ready(app, pilot)
        assert store_open_at_show == [False], "one read, before the store was open"
        assert app._store is not None, "the store opens in the background after the first frame"
        assert app.store.call(agenda, FIXED_NOW, app.tz) == first
        await pilot.press("r")  # later reads go through the store
        await _ready(app, pilot)
        assert store_open_at_show == [False, True] and app.screen.agenda == first


async def test_a_schema_not_at_head_skips_the_first_frame_reader_and_still_loads(demo_settings, monkeypatch):
    """A database the reader does not know to be at the head revision (one the store must migrate
    first, say) is never read by it: Today loads through the store in a worker instead."""
    from planner.store import reader

    monkeypatch.setattr(reader, "HEAD_REVISION", "9999")  # as if the file were one migration behind
    store_open_at_show = _record_store_open_at_show(monkeypatch)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        assert store_open_at_show == [True], "read once, by the worker, through the store"
        assert app.screen.agenda is not None and app.screen.agenda.items


async def test_this_mornings_missed_items_are_marked_late(demo_settings):
    from datetime import timedelta

    from planner.models import Connection

    store = open_store(demo_settings.db_url)
    with store.transaction() as session:
        person = session.exec(select(Connection).order_by(Connection.id)).first()
        missed = Touchpoint(
            connection_id=person.id, kind="thank", status="planned", due_at=FIXED_NOW - timedelta(minutes=20)
        )
        session.add(missed)
        session.flush()
        missed_id = missed.id
    store.dispose()
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        table = app.screen.query_one("#today-table")
        when = {key.value: str(table.get_row(key)[0]) for key in table.rows}
        local = (FIXED_NOW - timedelta(minutes=20)).astimezone(app.tz)
        assert when[f"touchpoint:{missed_id}"] == f"late · {local:%H:%M}"
        later = [i for i in app.screen.agenda.items if i.due_at > FIXED_NOW]
        assert later and all(not when[f"{i.kind}:{i.id}"].startswith(("late", "overdue")) for i in later)


async def test_an_interrupted_import_undone_at_open_is_said_in_the_app(demo_settings, monkeypatch):
    """What the CLI prints on stderr when opening the store undid an interrupted import, the app
    shows as a toast (its store opens in a worker, after the first frame)."""
    import os

    from planner.models import Connection
    from planner.store.journal import BatchUndo, ImportJournal, importing

    store = open_store(demo_settings.db_url)
    journal = ImportJournal("Connections.csv")
    with importing(store, journal):

        def batch(session):
            person = Connection(first_name="Half", last_name="Imported")
            session.add(person)
            session.flush()
            undo = BatchUndo()
            undo.insert("connection", [person.id])
            journal.record(session, undo, FIXED_NOW)

        store.call(batch)
    store.dispose()  # the writer is gone, its journal stays
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await app.workers.wait_for_complete()
    assert said.count(f"an interrupted import of Connections.csv (pid {os.getpid()}) was undone: 1 person") == 1
    after = open_store(demo_settings.db_url)
    with after.session() as session:
        assert not session.exec(select(Connection).where(Connection.first_name == "Half")).all()
    after.dispose()
