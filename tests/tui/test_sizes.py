"""Every size (issue 14): at 80x24 each section keeps ? and q in its footer, Review's step 1 shows the
missed items it asks you to act on, the week grid shows all seven days and Network its next-due
and give:ask columns; cut cells end with "…". On the demo world, fixed now."""

from __future__ import annotations

import pytest
from helpers import FIXED_NOW, settle
from rich.text import Text
from textual.app import App
from textual.widgets._footer import FooterKey

from planner.tui.app import make_app
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.week_grid import WeekGrid

pytestmark = pytest.mark.layout  # the snapshots at 160x45 read these screens on PostgreSQL

SECTIONS = ("1", "2", "3", "4", "5", "6")


def inside(widget, screen) -> bool:
    region = widget.region
    return region.area > 0 and screen.region.contains_region(region)


@pytest.mark.parametrize("key", SECTIONS)
async def test_at_80x24_the_footer_of_each_section_keeps_help_and_quit_whole_on_screen(demo_settings, key):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        screen = app.screen
        assert app.current_mode == app.sections[int(key) - 1].mode
        keys = {k.key: k for k in screen.query_one(PlannerFooter).query(FooterKey)}
        for wanted in ("question_mark", "q"):
            assert wanted in keys, f"{wanted} missing from the footer of {type(screen).__name__}"
            assert inside(keys[wanted], screen), f"{wanted} is cut off in {type(screen).__name__}"
        # every key shown is whole: none runs past the right edge
        assert all(k.region.right <= screen.region.right for k in keys.values() if k.display)
        bar = str(screen.query_one("SectionBar").render())
        assert all(f"{s.key} {s.title}" in bar for s in app.sections)


async def test_at_80x24_review_step_1_shows_its_missed_items_and_no_chart_over_them(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        screen = app.screen
        missed = screen.last.missed_items
        assert missed, "the demo week has a missed item to act on"
        table = screen.query_one("#last-items", FitTable)
        assert inside(table, screen)
        assert not screen.query_one(".review-charts").display, "the chart gives way below 30 rows"
        for item in missed:  # each missed row lies in the part of the table on screen
            row = table.get_row_index(f"{item.kind}:{item.id}")
            first_shown = round(table.scroll_y)
            rows_shown = table.scrollable_content_region.height - table.header_height
            assert first_shown <= row < first_shown + rows_shown, f"missed row {row} is scrolled off"
        # and the keys to act on it are in the footer
        keys = {k.key for k in screen.query_one(PlannerFooter).query(FooterKey)}
        assert {"d", "c"} <= keys


async def test_review_charts_come_back_when_there_is_room(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        assert app.screen.query_one(".review-charts").display
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert not app.screen.query_one(".review-charts").display


async def test_at_80_columns_the_week_grid_shows_all_seven_days_without_scrolling(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        grid = app.screen.query_one(WeekGrid)
        assert len(grid.columns) == 8  # time + Mon..Sun
        assert grid.virtual_size.width <= grid.scrollable_content_region.width
        assert grid.max_scroll_x == 0
        labels = [str(c.label) for c in grid.columns.values()][1:]
        assert [label.split()[0] for label in labels] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        await pilot.resize_terminal(160, 45)
        await settle(app, pilot)
        assert grid.cell_width > 12 and str(list(grid.columns.values())[1].label) == "Mon 23 Nov"


async def test_at_80_columns_network_keeps_next_due_and_give_ask_and_cuts_names_with_an_ellipsis(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        table = app.screen.query_one("#network-table", FitTable)
        assert table.max_scroll_x == 0, "every column fits: nothing to scroll sideways to"
        widths = {key.value: c.get_render_width(table) for key, c in table.columns.items()}
        for key in ("next due", "give:ask", "last contact"):
            assert table.columns[key].auto_width, f"{key} keeps its whole width"
        assert sum(widths.values()) <= table.scrollable_content_region.width
        assert not table.columns["company"].auto_width  # the column that gave way
        longest = max(app.screen.rows, key=lambda r: len(r.name))
        shown = table.columns["name"].width
        assert len(longest.name) > shown, "the demo has a name longer than the narrowed column"
        cell = table.get_cell_at((table.get_row_index(str(longest.id)), 1))
        assert isinstance(cell, Text) and cell.overflow == "ellipsis"
        rendered = app.console.render_lines(cell, app.console.options.update(width=shown, no_wrap=True))[0]
        assert "".join(s.text for s in rendered).rstrip().endswith("…")


async def test_fit_table_gives_room_up_in_its_order_and_keeps_the_other_columns_whole():
    class One(App):
        def compose(self):
            table = FitTable(shrink=(("detail", 10), ("title", 12), ("detail", 0)))
            table.add_columns("when", "title", "detail")
            table.add_row("Mon 23 Nov", "A rather long title for a narrow table", "x" * 80)
            yield table

    app = One()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(FitTable)
        when, title, detail = table.columns.values()
        assert when.auto_width and when.content_width == 10
        room = table.scrollable_content_region.width
        assert sum(c.get_render_width(table) for c in (when, title, detail)) <= room
        assert detail.width == 10 and not title.auto_width and title.width < 38
        await pilot.resize_terminal(200, 10)
        await pilot.pause()
        assert title.auto_width and detail.auto_width  # room again: whole
