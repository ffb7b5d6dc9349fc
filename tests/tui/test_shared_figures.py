"""One figure, one definition: each count shown both in the TUI and by the CLI is the same on the demo
world (fixed now: Wed 25 Nov 2026 09:30 UTC, the CLI's clock pinned to it too)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from helpers import FIXED_NOW, settle
from typer.testing import CliRunner

from planner.cli import app as cli_app
from planner.tui.app import make_app
from planner.tui.widgets.week_grid import WeekGrid


@pytest.fixture
def cli(demo_settings, monkeypatch):
    import planner.cli.keywords
    import planner.cli.people
    import planner.cli.plan
    import planner.cli.review

    for module in (planner.cli.plan, planner.cli.review, planner.cli.keywords):
        monkeypatch.setattr(module, "_now", lambda: FIXED_NOW)
    monkeypatch.setattr(planner.cli.people, "_now", lambda ctx: FIXED_NOW)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli_app, ["--db", demo_settings.db_url, *args])
        assert result.exit_code == 0, result.stderr + result.stdout
        return result.stdout

    return run


def grid_slot_cells(grid: WeekGrid) -> int:
    return sum(
        1
        for row in grid.rows
        for cell in grid.get_row(row)
        if str(cell).startswith("· ") and str(cell).endswith(" slot")
    )


async def test_open_slots_and_touchpoints_after_moving_a_post_off_its_slot(demo_settings, cli):
    from planner.services import posts as post_service
    from planner.services.week import week_figures, week_view

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    view = app.store.call(week_view, datetime(2026, 11, 23).date(), FIXED_NOW)
    zone = app.tz
    # put a post on the week's first future open slot, then move it a day later in the Plan grid
    weekday, hhmm, pillar = next(
        s
        for s in week_figures(view).open_slots
        if datetime.combine(view.monday + timedelta(days=s[0]), datetime.strptime(s[1], "%H:%M").time(), zone)
        > FIXED_NOW
    )
    h, m = map(int, hhmm.split(":"))
    at = datetime.combine(view.monday + timedelta(days=weekday), datetime.min.time().replace(hour=h, minute=m), zone)
    post = app.store.call(post_service.add_post, "On the slot", pillar=pillar, status="draft", now=FIXED_NOW)
    app.store.call(post_service.schedule_post, post.id, at, now=FIXED_NOW)
    from planner.services.today import mark_item

    planned = next(i for i in view.items if i.kind == "touchpoint" and i.status == "planned")
    app.store.call(mark_item, "touchpoint", planned.id, False, FIXED_NOW)  # skipped: struck through, not counted
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        screen = app.screen
        grid = screen.query_one(WeekGrid)
        before = str(screen.query_one("#plan-counts").render())
        grid.select_item("post", post.id)
        await pilot.pause()
        await pilot.press("shift+right")
        await settle(app, pilot)
        header = str(screen.query_one("#plan-counts").render())
        figures = week_figures(screen.view)
        assert header != before
        assert f"{len(figures.open_slots)} slot" in header and len(figures.open_slots) == grid_slot_cells(grid) >= 1
        # skipped touchpoints are shown struck through, not counted
        skipped = sum(1 for i in screen.view.items if i.kind == "touchpoint" and i.status == "skipped")
        shown = sum(1 for i in screen.view.items if i.kind == "touchpoint")
        assert skipped and figures.touchpoints == shown - skipped
    out = cli("plan", "show", "--week", "2026-W48")
    assert out.splitlines()[0] == f"2026-W48: {figures.summary()}"
    assert header.startswith(figures.summary())
    data = json.loads(cli("plan", "show", "--week", "2026-W48", "--json"))
    assert (data["posts"], len(data["open_slots"]), data["touchpoints"]) == (
        figures.posts,
        len(figures.open_slots),
        figures.touchpoints,
    )


async def test_rising_keywords_are_the_same_in_discover_review_and_the_cli(demo_settings, cli):
    """Review's step 3 is what is rising now (for planning next week), as Discover and the CLI say."""
    cli_rising = [t["keyword"] for t in json.loads(cli("keywords", "trends", "--json"))]
    assert cli_rising, "the demo has rising keywords once its entries are extracted"
    review = json.loads(cli("review", "--format", "json"))
    in_review = {k["keyword"] for topic in review["rising"] for k in topic["keywords"]}
    assert in_review == set(cli_rising)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        panel = str(app.screen.query_one("#discover-trends").render())
        assert [line.split(" ", 1)[1].rsplit(" ×", 1)[0] for line in panel.strip().splitlines()] == cli_rising
        await pilot.press("6")
        await settle(app, pilot)
        screen = app.screen
        for _ in range(50):
            if screen.review is not None and hasattr(screen.review, "rising"):
                break
            await pilot.pause(0.1)
            await settle(app, pilot)
        shown = {k.keyword for topic in screen.review.rising for k in topic.keywords}
        assert shown == set(cli_rising)


async def test_due_and_cold_people_and_give_ask_are_the_same_in_network_review_and_the_cli(demo_settings, cli):
    from planner.tui.screens.network import NetworkScreen

    by_cli = {only: json.loads(cli("people", "list", f"--{only}", "--json")) for only in ("due", "cold")}
    everyone = {r["id"]: r for r in json.loads(cli("people", "list", "--json"))}
    assert by_cli["cold"] and len(by_cli["due"]) > len(by_cli["cold"]), "the demo has people due and going cold"
    assert all(r["status"] == "cold" for r in by_cli["cold"])
    review = json.loads(cli("review", "--format", "json"))
    assert review["going_cold_total"] == len(by_cli["cold"])
    assert [p["connection_id"] for p in review["going_cold"]] == [r["id"] for r in by_cli["cold"]][
        : len(review["going_cold"])
    ]
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, NetworkScreen)
        table = screen.query_one("#network-table")
        for only in ("due", "cold"):
            screen.set_filter(only)
            await settle(app, pilot)
            assert screen.total == len(by_cli[only])
            assert [r.id for r in screen.rows] == [r["id"] for r in by_cli[only]]
            markers = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
            assert markers == [r["status"] for r in by_cli[only]]
        screen.set_filter(None)
        await settle(app, pilot)
        give_ask = {r.id: str(table.get_row_at(n)[-1]) for n, r in enumerate(screen.rows)}
        assert give_ask == {pid: everyone[pid]["ledger"]["ratio_text"] for pid in give_ask}
        assert any(text != "0:0" for text in give_ask.values())
