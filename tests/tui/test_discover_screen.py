from __future__ import annotations

from helpers import FIXED_NOW, settle
from sqlmodel import select

from planner.models import Entry, Post
from planner.store import open_store
from planner.tui.app import make_app


async def test_discover_browse_star_idea_filter_and_refresh(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        assert app.current_mode == "discover"
        assert len(screen.rows) == 79
        dates = [r.published_at for r in screen.rows if r.published_at]
        assert dates == sorted(dates, reverse=True)  # newest first
        first = screen.current()
        screen.query_one("#discover-entries").focus()
        await pilot.press("s", "i")
        await settle(app, pilot)
        store = open_store(demo_settings.db_url)
        with store.session() as session:
            entry = session.get(Entry, first.id)
            assert entry.is_starred
            idea = session.exec(select(Post).where(Post.source_entry_id == first.id)).one()
            assert idea.status == "idea" and idea.pillar == "content_share"
        await pilot.press("slash")
        await pilot.press(*"error budget", "enter")
        await settle(app, pilot)
        assert 0 < len(screen.rows) < 79
        assert all("error budget" in (r.title + r.summary).lower() for r in screen.rows)
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(screen.rows) == 79
        await pilot.press("R")
        await settle(app, pilot)
        with store.session() as session:
            assert session.exec(select(Entry).where(Entry.feed_id == 1)).first() is not None
        assert any("Refresh done" in (n.title or "") for n in app._notifications), [
            n.message for n in app._notifications
        ]
        store.dispose()


async def test_dismissed_entries_leave_the_list(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        target = screen.current()
        screen.query_one("#discover-entries").focus()
        await pilot.press("x")
        await settle(app, pilot)
        assert target.id not in [r.id for r in screen.rows]
        assert len(screen.rows) == 78


async def test_keyword_chips_and_rising_trends_show(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        chips = str(screen.query_one("#discover-keywords").render())
        assert chips.strip(), "the highlighted entry shows its keywords"
        trends = str(screen.query_one("#discover-trends").render())
        # the demo feeds talk about AI incident triage and LLM observability all of the last week
        assert "incident triage" in trends or "llm observability" in trends, trends


async def test_background_extraction_after_opening(settings, extractor):
    """Entries without keywords get them in a worker while the app stays usable."""
    from helpers import EXAMPLES

    from planner.services import feeds as feed_service
    from planner.services.keywords import count_pending

    store = open_store(settings.db_url)
    with store.transaction() as session:
        feed_service.add_feed(session, str(EXAMPLES / "feeds" / "platform-weekly.xml"), topic="Platform")
    import asyncio

    await asyncio.to_thread(feed_service.refresh, store, now=FIXED_NOW)  # it runs its own event loop
    assert store.call(count_pending, extractor.model_name) == 15
    settings.auto_extract = True
    app = make_app(settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("5")
        await pilot.pause(1.0)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.call(count_pending, extractor.model_name) == 0
        assert any("Keywords ready" in n.message for n in app._notifications)
    store.dispose()
