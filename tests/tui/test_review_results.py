"""Review step 1 shows results from imported analytics (demo world, reviewing 2026-W47)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from helpers import FIXED_NOW
from openpyxl import Workbook
from sqlmodel import select

from planner.adapters.linkedin_analytics import read_analytics
from planner.models import Post
from planner.services.analytics import import_analytics
from planner.store import open_store
from planner.tui.app import make_app


async def test_review_step_1_shows_results(demo_settings, tmp_path):
    store = open_store(demo_settings.db_url)
    with store.session() as session:
        week = session.exec(
            select(Post).where(
                Post.status == "published",
                Post.published_at >= datetime(2026, 11, 16, tzinfo=UTC),
                Post.published_at < datetime(2026, 11, 23, tzinfo=UTC),
            )
        ).all()
    assert week, "the demo published posts in 2026-W47"
    post = week[0]
    with store.transaction() as session:
        session.get(Post, post.id).url = "https://www.linkedin.com/feed/update/urn:li:activity:7123456/"
    wb = Workbook()
    ws = wb.active
    ws.title = "TOP POSTS"
    ws.append(["Maximum of 50 posts can be displayed"])
    ws.append(["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"])
    day = post.published_at.date()
    url = "https://www.linkedin.com/feed/update/urn:li:activity:7123456"
    ws.append([url, f"{day.month}/{day.day}/{day.year}", 42, None, url, f"{day.month}/{day.day}/{day.year}", 4321])
    ws = wb.create_sheet("FOLLOWERS")
    ws.append(["Total followers on 11/22/2026:", 980])
    ws.append(["Date", "New followers"])
    for d, n in ((16, 1), (17, 4), (18, 0), (19, 9)):
        ws.append([date(2026, 11, d), n])
    wb.save(tmp_path / "analytics.xlsx")
    report = store.call(import_analytics, read_analytics(tmp_path / "analytics.xlsx"))
    assert report.matched, report.unmatched
    store.dispose()
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("6")
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        panel = str(app.screen.query_one("#last-results").render())
        assert "1 post measured · 4,321 impressions · 42 engagements" in panel
        assert "followers +14 (total 980)" in panel and "per slot:" in panel
