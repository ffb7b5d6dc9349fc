"""Pilot tests for the Network screen on the demo database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from helpers import FIXED_NOW, MessageLog
from sqlmodel import select

from planner.models import Connection, Touchpoint
from planner.tui.app import make_app
from planner.tui.modals.confirm import ConfirmModal
from planner.tui.modals.touch_form import TouchForm
from planner.tui.screens.network import NetworkScreen


def _log(app) -> MessageLog:
    app.test_messages = MessageLog()
    return app.test_messages


async def _open(pilot, app):
    """Network, once its first page and that page's first person have arrived (``app.test_messages``:
    the run's message_hook)."""
    await pilot.press("4")
    await app.test_messages.arrived(app, pilot, NetworkScreen.PageLoaded)
    await app.test_messages.arrived(app, pilot, NetworkScreen.DetailLoaded)
    screen = app.screen
    assert isinstance(screen, NetworkScreen)
    return screen


async def _search(pilot, app, screen, text):
    pages = len(app.test_messages.of(NetworkScreen.PageLoaded))
    details = len(app.test_messages.of(NetworkScreen.DetailLoaded))
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press("enter")
    await app.test_messages.arrived(app, pilot, NetworkScreen.PageLoaded, pages + 1)
    await app.test_messages.arrived(app, pilot, NetworkScreen.DetailLoaded, details + 1)


async def test_open_search_and_accept_suggestion(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), message_hook=_log(app)) as pilot:
        screen = await _open(pilot, app)
        assert len(screen.rows) == screen.total > 0
        await _search(pilot, app, screen, "rachel")
        assert [r.name for r in screen.rows] == ["Rachel Goldberg"]
        assert screen.detail is not None and screen.detail.name == "Rachel Goldberg"
        suggestion = screen.detail.suggestion
        assert suggestion is not None
        # the whole detail is on screen, not cut to its first lines (a stray CSS cap once hid it)
        shown = "\n".join(
            line.text
            for line in screen.query_one("#network-detail").render_lines(
                screen.query_one("#network-detail").region.reset_offset
            )
        )
        assert "Ledger" in shown and "Suggested (a to accept)" in shown
        pid = screen.rows[0].id
        with app.store.session() as s:
            before = len(
                s.exec(select(Touchpoint).where(Touchpoint.connection_id == pid, Touchpoint.status == "planned")).all()
            )
        from planner.services.slots import next_touch_slot

        expected_at = app.store.call(next_touch_slot, FIXED_NOW)
        await pilot.press("a")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with app.store.session() as s:
            planned = s.exec(
                select(Touchpoint).where(
                    Touchpoint.connection_id == pid, Touchpoint.status == "planned", Touchpoint.source == "suggestion"
                )
            ).all()
            total = len(
                s.exec(select(Touchpoint).where(Touchpoint.connection_id == pid, Touchpoint.status == "planned")).all()
            )
        assert total == before + 1
        assert [(t.kind, t.message) for t in planned] == [(suggestion.kind, suggestion.message)]
        # the next free working-hours slot within the daily capacity, not the minute the key was pressed
        assert planned[0].due_at.replace(tzinfo=UTC) == expected_at != FIXED_NOW


async def test_the_touch_form_reads_time_as_people_say_it(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), message_hook=_log(app)) as pilot:
        screen = await _open(pilot, app)
        await _search(pilot, app, screen, "megan")
        pid = screen.rows[0].id
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TouchForm)
        form.query_one("#touch-date").value = "whenever"
        form.submit()
        await pilot.pause()
        assert app.screen is form  # refused with the parser's example, nothing lost
        form.query_one("#touch-date").value = "tomorrow 9am"
        form.submit()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with app.store.session() as s:
            dues = [
                t.due_at.replace(tzinfo=UTC)
                for t in s.exec(
                    select(Touchpoint).where(Touchpoint.connection_id == pid, Touchpoint.status == "planned")
                )
            ]
        tomorrow = (FIXED_NOW.astimezone(app.tz) + timedelta(days=1)).date()
        assert datetime.combine(tomorrow, time(9, 0), app.tz).astimezone(UTC) in dues


async def test_early_ask_shows_the_pitch_guard_confirmation(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), message_hook=_log(app)) as pilot:
        screen = await _open(pilot, app)
        await _search(pilot, app, screen, "megan")
        row = screen.rows[0]
        assert row.name == "Megan Foster"
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TouchForm)
        from textual.widgets import Select

        form.query_one("#touch-kind", Select).value = "meeting_request"
        await pilot.pause()
        form.submit()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "connected 1 day ago" in modal.body and "value-first" in modal.body
        await pilot.press("n")  # give first: nothing is recorded
        await pilot.pause()
        await app.workers.wait_for_complete()
        with app.store.session() as s:
            asks = s.exec(
                select(Touchpoint).where(Touchpoint.connection_id == row.id, Touchpoint.kind == "meeting_request")
            ).all()
        assert asks == []
        # confirming records it
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#touch-kind", Select).value = "meeting_request"
        await pilot.pause()
        app.screen.submit()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with app.store.session() as s:
            asks = s.exec(
                select(Touchpoint).where(Touchpoint.connection_id == row.id, Touchpoint.kind == "meeting_request")
            ).all()
        assert [a.status for a in asks] == ["planned"]


async def test_filter_cycle_and_hostile_names_render_literally(demo_settings):
    from planner.store import open_store

    store = open_store(demo_settings.db_url)
    with store.transaction() as s:
        s.add(Connection(first_name="[bold]Evil[/]", last_name="\x1b[31mName", company="[/]"))
    store.dispose()
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), message_hook=_log(app)) as pilot:
        screen = await _open(pilot, app)
        everyone = screen.total
        await pilot.press("f")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_state.only == "due" and 0 < screen.total <= everyone
        assert all(r.due.overdue_days >= 0 for r in screen.rows)
        await pilot.press("f", "f")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await _search(pilot, app, screen, "evil")
        assert [r.name for r in screen.rows] == ["[bold]Evil[/] \x1b[31mName"]
