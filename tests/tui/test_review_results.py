"""Review step 1 shows what the week's posts did, from the analytics workbook the demo builds and
imports through the real reader (demo world, reviewing 2026-W47)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

from helpers import FIXED_NOW
from sqlmodel import select

from planner.demo import EXAMPLES_DIR
from planner.models import Post, PostResult
from planner.store import open_store
from planner.tui.app import make_app


async def test_review_step_1_shows_results(demo_settings):
    world = tomllib.loads((EXAMPLES_DIR / "demo.toml").read_text(encoding="utf-8"))
    results = {p["title"]: p["results"] for p in world["posts"] if "results" in p}
    store = open_store(demo_settings.db_url)
    with store.session() as session:
        week = session.exec(
            select(Post).where(
                Post.status == "published",
                Post.published_at >= datetime(2026, 11, 16, tzinfo=UTC),
                Post.published_at < datetime(2026, 11, 23, tzinfo=UTC),
            )
        ).all()
        matched = {r.post_id for r in session.exec(select(PostResult))}
    store.dispose()
    assert week, "the demo published posts in 2026-W47"
    assert {p.id for p in week} <= matched  # the demo's workbook matched them by publish date
    impressions = sum(results[p.title]["impressions"] for p in week)
    engagements = sum(results[p.title]["engagements"] for p in week)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("6")
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        panel = " ".join(str(app.screen.query_one("#last-results").render()).split())
    posts = f"{len(week)} post{'s' if len(week) > 1 else ''} measured"
    assert f"{posts} · {impressions:,} impressions · {engagements} engagements" in panel
    assert "(total 1,184)" in panel and "per slot:" in panel
