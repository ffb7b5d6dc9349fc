"""Pilot tests for the Plan screen on the demo database (fixed now: Wed 25 Nov 2026 09:30 UTC)."""

from __future__ import annotations

from datetime import timedelta

from helpers import FIXED_NOW, settle
from ical.calendar_stream import IcsCalendarStream
from sqlmodel import select

from planner.models import Post, Touchpoint
from planner.tui.app import make_app
from planner.tui.screens.plan import PlanScreen, export_folder
from planner.tui.widgets.week_grid import WeekGrid


async def open_plan(app, pilot) -> PlanScreen:
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    assert isinstance(app.screen, PlanScreen)
    return app.screen


async def test_week_grid_shows_this_week_and_navigates(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(app, pilot)
        assert screen.view.week == "2026-W48"
        grid = screen.query_one(WeekGrid)
        assert grid.cells, "the demo week has posts and touchpoints"
        kinds = {item.kind for item in grid.cells.values()}
        assert kinds == {"post", "touchpoint"}
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.view.week == "2026-W49"
        await pilot.press("p", "p")
        await settle(app, pilot)
        assert screen.view.week == "2026-W47"
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.view.week == "2026-W48"


async def test_auto_plan_fills_next_week_and_rerun_adds_nothing(demo_settings):
    messages = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        before = len(screen.view.items)
        original = app.notify

        def spy(message, *a, **kw):
            messages.append(str(message))
            return original(message, *a, **kw)

        app.notify = spy
        await pilot.press("a")
        await settle(app, pilot)
        assert len(screen.view.items) > before
        assert messages[-1].startswith("2026-W49: added") and "added 0 posts and 0 touchpoints" not in messages[-1]
        await pilot.press("a")
        await settle(app, pilot)
        assert "added 0 posts and 0 touchpoints" in messages[-1]


async def test_move_a_post_a_day_later_makes_it_manual(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(app, pilot)
        grid = screen.query_one(WeekGrid)
        post = next(i for i in grid.cells.values() if i.kind == "post" and i.status == "scheduled" and i.at > FIXED_NOW)
        grid.select_item("post", post.id)
        await pilot.pause()
        assert screen.selected().id == post.id
        await pilot.press("shift+right")
        await settle(app, pilot)
        with app.store.transaction() as s:
            row = s.get(Post, post.id)
            assert row.scheduled_at == post.at + timedelta(days=1) and row.manual and row.version == post.version + 1
        assert screen.selected().id == post.id  # the cursor followed the item
        await pilot.press("shift+down")
        await settle(app, pilot)
        with app.store.transaction() as s:
            assert s.get(Post, post.id).scheduled_at == post.at + timedelta(days=1, minutes=30)


async def test_agenda_view_and_mark_done_and_skip(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(app, pilot)
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#plan-views").current == "plan-agenda"
        agenda = screen.query_one("#plan-agenda")
        assert agenda.row_count == len(screen.view.items)
        planned = [i for i in screen.view.items if i.kind == "touchpoint" and i.status == "planned"]
        agenda.move_cursor(row=screen.view.items.index(planned[0]))
        await pilot.pause()
        await pilot.press("d")
        await settle(app, pilot)
        target = planned[1]
        agenda.move_cursor(row=[i.id for i in screen.view.items].index(target.id))
        await pilot.pause()
        await pilot.press("s")
        await settle(app, pilot)
        with app.store.transaction() as s:
            assert s.get(Touchpoint, planned[0].id).status == "done"
            assert s.get(Touchpoint, target.id).status == "skipped"
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#plan-views").current == "plan-grid"


async def test_export_from_the_tui_writes_ics_that_parses(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plan(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        folder = export_folder(app)  # beside a SQLite file; on PostgreSQL in the (test's) data folder
        ics = folder / "planner-2026-11-25.ics"
        assert ics.exists() and (folder / "planner-2026-11-25.md").exists()
        cal = IcsCalendarStream.calendar_from_ics(ics.read_text(encoding="utf-8"))
        with app.store.transaction() as s:
            horizon = FIXED_NOW + timedelta(days=27)
            posts = s.exec(select(Post).where(Post.scheduled_at >= FIXED_NOW - timedelta(hours=10))).all()
            assert len(
                [p for p in posts if p.scheduled_at < horizon and p.status in ("scheduled", "published", "skipped")]
            ) == len([e for e in cal.events if e.uid.startswith("post-")])


async def test_open_a_post_from_the_grid_opens_the_editor(demo_settings):
    from planner.tui.screens.post_editor import PostEditorScreen

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(app, pilot)
        grid = screen.query_one(WeekGrid)
        post = next(i for i in grid.cells.values() if i.kind == "post")
        grid.select_item("post", post.id)
        grid.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PostEditorScreen) and app.screen.post_id == post.id


async def test_a_crowded_day_shows_the_most_overdue_touchpoints_then_more_and_the_agenda_pages(demo_settings):
    """A week with hundreds of touchpoints: the grid shows TOUCH_PER_DAY a day (planned, earliest
    first) and a '+N more' cell that opens the day in the agenda, which adds rows as it scrolls."""
    from planner.models import Connection
    from planner.tui.screens.plan import AGENDA_PAGE
    from planner.tui.widgets.week_grid import TOUCH_PER_DAY

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        extra = AGENDA_PAGE + 50
        with app.store.transaction() as s:
            people = s.exec(select(Connection.id)).all()
            for n in range(extra):  # Thursday, from 10:00 UTC a minute apart; every third one done
                s.add(
                    Touchpoint(
                        connection_id=people[n % len(people)],
                        kind="check_in",
                        status="done" if n % 3 == 0 else "planned",
                        due_at=FIXED_NOW.replace(hour=10, minute=0) + timedelta(days=1, minutes=n),
                        created_at=FIXED_NOW,
                        updated_at=FIXED_NOW,
                    )
                )
        screen = await open_plan(app, pilot)
        grid = screen.query_one(WeekGrid)
        zone = screen.zone()
        day = (FIXED_NOW.replace(hour=10) + timedelta(days=1)).astimezone(zone).date()
        col = (day - screen.view.monday).days
        on_day = [i for i in screen.view.items if i.kind == "touchpoint" and i.at.astimezone(zone).date() == day]
        shown = [i for (_row, d), i in grid.cells.items() if d == col and i.kind == "touchpoint"]
        assert len(shown) == TOUCH_PER_DAY and len(on_day) > extra - 1
        planned = [i for i in on_day if i.status == "planned"]
        assert sorted(i.id for i in shown) == sorted(i.id for i in planned[:TOUCH_PER_DAY])
        (row, more_day), hidden = next(iter(grid.more.items()))
        assert more_day == col and hidden == len(on_day) - TOUCH_PER_DAY
        assert f"+{hidden:,} more" in str(grid.get_cell_at((row, col + 1)))
        agenda = screen.query_one("#plan-agenda")
        assert agenda.row_count == AGENDA_PAGE < len(screen.view.items)
        grid.focus()
        grid.move_cursor(row=row, column=col + 1)
        await pilot.pause()
        assert screen.selected() is None and "enter lists the day" in str(screen.query_one("#plan-detail").render())
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#plan-views").current == "plan-agenda"
        first = next(n for n, i in enumerate(screen.view.items) if i.at.astimezone(zone).date() >= day)
        assert agenda.cursor_row == first and screen.selected() is screen.view.items[first]
        agenda.move_cursor(row=agenda.row_count - 1)
        await pilot.pause()
        assert agenda.row_count == len(screen.view.items)  # the rest arrived as the cursor neared the end
        assert screen.selected() is screen.view.items[agenda.cursor_row]


async def test_strategy_is_editable_from_the_plan_screen(demo_settings):
    from planner.models import Slot, Strategy
    from planner.store import open_store
    from planner.tui.modals.strategy_form import StrategyForm

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await open_plan(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert isinstance(app.screen, StrategyForm)
        app.screen.query_one("#strategy-daily_touch_capacity").value = "5"
        app.screen.query_one("#strategy-slots-add").value = "sat 10:00 virtual_event"
        app.screen.query_one("#strategy-save").press()
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        store = open_store(demo_settings.db_url)
        with store.session() as session:
            strategy = session.exec(select(Strategy)).one()
            assert strategy.daily_touch_capacity == 5
            assert session.exec(select(Slot).where(Slot.weekday == 5, Slot.local_time == "10:00")).first() is not None
            version = strategy.version

        # an invalid value saves nothing, keeps the form open and says why beside the field
        await pilot.press("S")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#strategy-daily_touch_capacity").value = "4"
        form.query_one("#strategy-pillar_mix").value = "thought_leadership=0.9"
        form.query_one("#strategy-save").press()
        await settle(app, pilot)
        with store.session() as session:
            strategy = session.exec(select(Strategy)).one()
            assert strategy.daily_touch_capacity == 5 and strategy.version == version
        assert app.screen is form and form.query_one("#strategy-daily_touch_capacity").value == "4"
        assert "must sum to 1" in str(form.query_one("#strategy-pillar_mix-error").render())
        store.dispose()
