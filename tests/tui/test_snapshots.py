"""Snapshots (pytest-textual-snapshot) of every section, the post editor, help and the palette at
80x24 and 160x45: the fixed demo world, fixed now, cursors that do not blink, every worker done
before the picture is taken. Behaviour is tested with Pilot elsewhere; these catch layout
regressions a person would see.

After a deliberate change of layout or wording, regenerate them and look at the report:
    pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from helpers import FIXED_NOW, settle

from planner.tui.app import make_app

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}
# what to press after Today is drawn; each value is a view a person would stop at
VIEWS = {
    "today": (),
    "plan": ("2",),
    "posts": ("3",),
    "network": ("4",),
    "discover": ("5",),
    "review": ("6",),
    "editor": ("3", "enter"),
    "help": ("question_mark",),
    "palette": ("ctrl+p",),
}


async def _settled(pilot) -> None:
    app = pilot.app
    await settle(app, pilot)
    await pilot.wait_for_scheduled_animations()
    for widget in app.screen.query("Input, TextArea"):  # a blinking cursor is drawn or not by the clock
        widget.cursor_blink = False
        # TextArea keys its line cache on the cursor only while blinking: a line drawn in the off
        # phase would be served again without the cursor
        getattr(widget, "_line_cache", {}).clear()
        widget.refresh()
    await pilot.pause()


# the 80x24 pictures are layout only on PostgreSQL: the 160x45 ones read the same screens (and more rows)
@pytest.mark.parametrize("size", [pytest.param("80x24", marks=pytest.mark.layout), "160x45"])
@pytest.mark.parametrize("view", VIEWS)
def test_snapshot(view, size, demo_settings, snap_compare):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)

    async def drive(pilot) -> None:
        await _settled(pilot)
        for key in VIEWS[view]:
            await pilot.press(key)
            await _settled(pilot)
        await pilot.pause(0.3)  # the palette lists its commands a moment after it opens
        await _settled(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=drive)
