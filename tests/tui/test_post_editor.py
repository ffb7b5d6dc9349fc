"""Pilot tests for the Posts screen and the post editor on the demo database."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import FIXED_NOW, settle
from sqlmodel import select

from planner.models import Post
from planner.tui.app import make_app
from planner.tui.modals.schedule import ScheduleDialog
from planner.tui.screens.post_editor import PostEditorScreen, length_report
from planner.tui.screens.posts import PostsScreen


async def open_editor(app, pilot, status: str = "idea") -> PostEditorScreen:
    await settle(app, pilot)
    await pilot.press("3")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, PostsScreen)
    row = next(n for n, p in enumerate(screen.rows) if p.status == status)
    screen.query_one("#posts-table").move_cursor(row=row)
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, PostEditorScreen)
    for _ in range(100):  # the editor loads its post in a worker once mounted
        if app.screen.context is not None:
            break
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    assert app.screen.context is not None
    return app.screen


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def test_length_report_marks_limits():
    assert "post ✓ 3,000" in length_report("x" * 3000).plain
    over = length_report("x" * 3001).plain
    assert "post ✗ 3,000 (1 over)" in over and "comment ✗ 1,250" in over
    assert "connection note ✓ 300" in length_report("x" * 300).plain


async def test_editor_counts_scores_and_saves(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot)
        post_id, version = editor.context.post.id, editor.context.post.version
        body = editor.query_one("#editor-body")
        body.load_text("")
        await pilot.pause()
        await pilot.press(*"Hi [bold]team")
        await pilot.pause()
        assert static_text(editor, "#editor-count").startswith("13 characters")
        body.load_text("I'd love to hop on a quick call to show you our platform. Are you the decision-maker? " * 40)
        await pilot.pause()
        count = static_text(editor, "#editor-count")
        assert "over)" in count and "post ✗ 3,000" in count
        pitch = static_text(editor, "#editor-pitch")
        assert "reads like a pitch" in pitch and "·" in pitch  # with its reasons
        body.load_text("Notes from on-call: SLO burn alerts beat threshold alerts for incident response.")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with app.store.transaction() as s:
            row = s.get(Post, post_id)
            assert row.body.startswith("Notes from on-call") and row.manual and row.version == version + 1
        assert editor.context.post.version == version + 1


async def test_editor_hashtags_pillar_status_and_schedule(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot)
        post_id = editor.context.post.id
        editor.query_one("#editor-body").load_text("Incident response and SLO reviews on platform engineering teams")
        await pilot.pause()
        if editor.suggested:  # the demo topics seed these keywords
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert all(t.lstrip("#") in editor.hashtags.split() for t in editor.suggested)
        before = editor.pillar
        await pilot.press("ctrl+n")
        assert editor.pillar != before
        await pilot.press("f2")  # save and make it a draft
        await settle(app, pilot)
        with app.store.transaction() as s:
            row = s.get(Post, post_id)
            assert row.status == "draft" and row.pillar == editor.pillar
        await pilot.press("ctrl+t")
        await settle(app, pilot)  # the dialog opens with the next free slot, read in a worker
        assert isinstance(app.screen, ScheduleDialog)
        await pilot.press(*"2026-12-02 14:15", "enter")
        await settle(app, pilot)
        with app.store.transaction() as s:
            row = s.get(Post, post_id)
            # the demo strategy is Europe/London: 14:15 local is 14:15 UTC in December
            assert row.status == "scheduled" and row.scheduled_at == datetime(2026, 12, 2, 14, 15, tzinfo=UTC)
        await pilot.press("ctrl+t")
        await settle(app, pilot)  # the dialog opens with the next free slot, read in a worker
        dialog = app.screen
        dialog.query_one("#schedule-input").value = "someday"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog  # a bad time keeps the dialog open with the reason and an example
        assert "'someday' is not a time I can read; try e.g. 2026-12-01 09:00, tomorrow 9am" in static_text(
            dialog, "#schedule-error"
        )
        dialog.query_one("#schedule-input").value = "tomorrow 9am"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PostEditorScreen)
        with app.store.transaction() as s:
            assert s.get(Post, post_id).scheduled_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # London = UTC in Nov


async def test_schedule_dialog_shows_a_whole_example_and_proposes_the_next_free_slot(demo_settings):
    from planner.services.slots import next_post_slot

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        pillar = editor.pillar
        await pilot.press("ctrl+t")
        await settle(app, pilot)  # the dialog opens with the next free slot, read in a worker
        dialog = app.screen
        assert isinstance(dialog, ScheduleDialog)
        screen_text = " ".join(str(w.render()) for w in dialog.query("Static"))
        assert "e.g. 2026-12-01 09:00 · tomorrow 9am · fri 10:00 · next monday · +2d" in screen_text
        expected = app.store.call(next_post_slot, pillar, FIXED_NOW, ignore_post=editor.context.post.id)
        assert expected is not None and expected > FIXED_NOW
        local = expected.astimezone(editor.zone())
        assert dialog.query_one("#schedule-input").value == f"{local:%Y-%m-%d %H:%M}"
        assert f"next free {pillar.replace('_', ' ')} slot: {local:%a %d %b %H:%M}" in static_text(
            dialog, "#schedule-proposal"
        )
        await pilot.press("enter")
        await settle(app, pilot)
        with app.store.transaction() as s:
            assert s.get(Post, editor.context.post.id).scheduled_at.replace(tzinfo=UTC) == expected


async def test_escape_asks_about_unsaved_text_then_discards(demo_settings):
    from planner.tui.modals.unsaved import UnsavedModal

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot, status="draft")
        post_id, body = editor.context.post.id, editor.context.post.body
        await pilot.press("end", *" more")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedModal)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, PostsScreen)
        with app.store.transaction() as s:
            assert s.get(Post, post_id).body == body


async def test_posts_list_filter_new_and_hostile_titles(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    with app.store.transaction() as s:
        s.add(Post(title="[/] [bold]x \x1b[31m", body="b", status="idea", created_at=FIXED_NOW, updated_at=FIXED_NOW))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        titles = [p.display_title for p in screen.rows]
        assert "[/] [bold]x \x1b[31m" in titles  # shown literally, no markup error
        await pilot.press("f")  # ideas only
        await settle(app, pilot)
        assert screen.filter == "idea" and {p.status for p in screen.rows} == {"idea"}
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, PostEditorScreen) and app.screen.context.post.id is None
        with app.store.transaction() as s:  # a new idea is stored only when saved
            assert s.exec(select(Post).where(Post.title.like("New idea%"))).first() is None


async def test_posts_list_loads_a_page_then_the_next_near_the_end_and_keeps_the_cursor(demo_settings):
    from planner.services import posts as post_service
    from planner.tui.screens.posts import PAGE

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for n in range(PAGE + 30):
            app.store.call(post_service.add_post, f"bulk idea {n:03}", now=FIXED_NOW)
        total = len(app.store.call(post_service.list_posts))
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#posts-table")
        assert len(screen.rows) == table.row_count == PAGE
        assert static_text(screen, "#posts-counts").startswith(f"{PAGE}+ posts")
        table.move_cursor(row=PAGE - 1)
        await settle(app, pilot)
        assert len(screen.rows) == table.row_count == total
        assert static_text(screen, "#posts-counts").startswith(f"{total} posts ·")
        assert [p.id for p in screen.rows] == [p.id for p in app.store.call(post_service.list_posts)]
        target = screen.rows[PAGE + 5]
        table.move_cursor(row=PAGE + 5)
        await pilot.pause()
        assert screen.current() is target
        await pilot.press("d")  # an idea becomes a draft: the list reloads, the cursor stays on its row
        await settle(app, pilot)
        assert table.cursor_row == PAGE + 5 and len(screen.rows) >= PAGE + 6
        with app.store.transaction() as s:
            assert s.get(Post, target.id).status == "draft"


async def test_editor_semantic_check_flags_a_pitch_no_rule_names(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot)
        text = "Greetings! I'd like to offer you a no-obligation review of your Kubernetes clusters by our certified engineers."
        editor.query_one("#editor-body").load_text(text)
        await pilot.pause()
        assert "semantic check running" in static_text(editor, "#editor-pitch")
        for _ in range(200):  # the model loads in a worker: the editor stays usable meanwhile
            await pilot.pause(0.05)
            if editor.semantic is not None and editor.semantic[0] == text:
                break
        await pilot.pause()
        pitch = static_text(editor, "#editor-pitch")
        assert "reads like a pitch" in pitch and "reads like a sales message: the semantic check is" in pitch
        assert "semantic check running" not in pitch
