"""Pilot tests walking the weekly review on the demo world (fixed now: Wed 25 Nov 2026 09:30 UTC,
reviewing 2026-W47), checking in the database what each step changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from helpers import FIXED_NOW, settle
from sqlmodel import select

from planner.models import Post, Review, Touchpoint
from planner.store import open_store
from planner.tui.app import make_app
from planner.tui.screens.review import ReviewScreen
from planner.tui.widgets.review_charts import GiveAskChart, PillarMixChart, TouchesChart


async def open_review(app, pilot) -> ReviewScreen:
    await settle(app, pilot)
    await pilot.press("6")
    await settle(app, pilot)
    assert isinstance(app.screen, ReviewScreen)
    assert app.screen.review is not None
    return app.screen


def select_row(screen, table_id: str, key: str) -> None:
    table = screen.query_one(table_id)
    table.move_cursor(row=table.get_row_index(key))


def query(settings, fn):
    store = open_store(settings.db_url)
    try:
        return store.call(fn)
    finally:
        store.dispose()


async def test_walking_the_five_steps_changes_the_world_and_saves_the_review(demo_settings, tmp_path):
    notes = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.notify
        app.notify = lambda message, *a, **kw: (notes.append(str(message)), original(message, *a, **kw))
        screen = await open_review(app, pilot)
        review = screen.review
        assert review.week == "2026-W47"
        assert screen.query_one(PillarMixChart).series["labels"] == [
            "thought leadership",
            "content share",
            "group engagement",
            "virtual event",
        ]
        assert len(screen.query_one(TouchesChart).series["done"]) == 12
        assert screen.query_one(GiveAskChart).series["gives"][-1] == review.give_ask_week.gives
        for chart in (screen.query_one(TouchesChart), screen.query_one(GiveAskChart)):  # counts: whole-number ticks
            assert chart.yticks and all(isinstance(t, int) for t in chart.yticks)
            assert chart.yticks[-1] >= max(max(v) for k, v in chart.series.items() if k != "labels")

        # 1 last week: Chris Morgan's share was missed → carry it forward a week
        missed = [i for i in review.missed_items if i.kind == "touchpoint"]
        assert [i.person for i in missed] == ["Chris Morgan"]
        select_row(screen, "#last-items", f"touchpoint:{missed[0].id}")
        await pilot.press("c")
        await settle(app, pilot)
        assert screen.review.missed_items == []

        # 2 network: accept the suggestion for the most overdue person
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.step == 1 and screen.query_one("#network-people").has_focus
        first = screen.people[0]
        await pilot.press("a")
        await settle(app, pilot)

        # 3 discover: share one rising entry, write about another
        await pilot.press("n")
        await settle(app, pilot)
        assert len(screen.entries) >= 2, "the demo has rising keywords in W47 once keywords are extracted"
        shared, written = screen.entries[0][1], screen.entries[1][1]
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("down", "w")
        await settle(app, pilot)

        # 4 next week: run the auto-plan, then move the first item a day later
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.plan_monday.isoformat() == "2026-11-23"  # W48 is under way: plan the rest of it
        await pilot.press("p")
        await settle(app, pilot)

        # 5 export to a folder typed by the user
        await pilot.press("n")
        await settle(app, pilot)
        folder = tmp_path / "exports"
        screen.query_one("#export-folder").value = str(folder)
        await pilot.press("o")
        await settle(app, pilot)

        # n on the last step finishes the review
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.review.saved is not None and screen.review.saved.completed_at == FIXED_NOW

    assert "Review of 2026-W47 saved" in notes

    def check(session):
        carried = session.get(Touchpoint, missed[0].id)
        accepted = session.exec(
            select(Touchpoint).where(Touchpoint.connection_id == first.connection_id, Touchpoint.source == "suggestion")
        ).all()
        ideas = session.exec(select(Post).where(Post.source_entry_id.in_([shared.entry_id, written.entry_id]))).all()
        planned = session.exec(select(Touchpoint).where(Touchpoint.source == "plan")).all()
        row = session.exec(select(Review).where(Review.week == "2026-W47")).one()
        return carried, accepted, ideas, planned, row

    carried, accepted, ideas, planned, row = query(demo_settings, check)
    # London is on UTC in November: Fri 20 Nov 10:00 → Fri 27 Nov 10:00, placed by hand
    assert (carried.status, carried.due_at, carried.manual) == ("planned", datetime(2026, 11, 27, 10, tzinfo=UTC), True)
    assert [(t.status, t.kind) for t in accepted] == [("planned", first.suggestion.kind)]
    assert sorted((p.pillar, p.status, p.source_entry_id) for p in ideas) == sorted(
        [("content_share", "idea", shared.entry_id), ("thought_leadership", "idea", written.entry_id)]
    )
    assert planned, "plan_week scheduled the people due in the free places of the week"
    assert all(t.due_at >= FIXED_NOW for t in planned)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["planner-2026-11-23.csv", "planner-2026-11-23.ics", "planner-2026-11-23.md", "review-2026-W47.md"]
    assert (folder / "planner-2026-11-23.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert (folder / "review-2026-W47.md").read_text(encoding="utf-8").startswith("# Weekly review 2026-W47")

    assert row.completed_at == FIXED_NOW
    decisions = json.loads(row.decisions)
    assert decisions["carried"] == [["touchpoint", missed[0].id, "2026-11-27T10:00:00+00:00"]]
    assert decisions["accepted"][0][0] == first.connection_id
    assert [d[0] for d in decisions["ideas"]] == ["share", "write"]
    assert decisions["planned"][0][0] == "2026-W48" and decisions["planned"][0][2] == len(planned)
    assert len(decisions["exported"]) == 4
    # the carried touch left W47 but was planned there and not done: the saved counts keep it
    assert decisions["kept"] == {"posts_planned": 1, "posts_published": 1, "touches_planned": 6, "touches_done": 4}


async def test_only_missed_items_change_and_keys_follow_the_step(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        done = next(i for i in screen.review.touchpoints.items if i.outcome == "done")
        select_row(screen, "#last-items", f"touchpoint:{done.id}")
        await pilot.press("x")
        await settle(app, pilot)
        assert screen.decisions["dropped"] == []
        assert screen.check_action("drop", ()) and not screen.check_action("auto_plan", ())
        await pilot.press("p")  # auto-plan belongs to step 4: nothing happens on step 1
        await settle(app, pilot)
        assert screen.decisions["planned"] == []
        missed = screen.review.missed_items[0]
        select_row(screen, "#last-items", f"{missed.kind}:{missed.id}")
        await pilot.press("d")
        await settle(app, pilot)
        assert screen.decisions["marked"] == [[missed.kind, missed.id]]
        await pilot.press("b")  # back from the first step stays there
        assert screen.step == 0

    status = query(demo_settings, lambda s: (s.get(Touchpoint, done.id).status, s.get(Touchpoint, missed.id).done_at))
    assert status == ("done", missed.at)


async def test_today_reminds_until_the_review_is_saved(demo_settings):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        counts = str(app.screen.query_one("#today-counts").render())
        assert "Weekly review for 2026-W47 is due (key 6)" in counts
        screen = await open_review(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert "Weekly review" not in str(app.screen.query_one("#today-counts").render())
        assert screen.review.saved.completed_at == FIXED_NOW


async def test_a_stale_item_is_refused_with_a_readable_message(demo_settings):
    errors = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.notify
        app.notify = lambda message, *a, **kw: (
            errors.append(str(message)) if kw.get("severity") == "error" else None,
            original(message, *a, **kw),
        )
        screen = await open_review(app, pilot)
        missed = screen.review.missed_items[0]

        def teammate_edits(session):  # someone else changes the item after the review loaded
            row = session.get(Touchpoint, missed.id)
            row.note, row.version = "moved by a teammate", row.version + 1
            session.add(row)

        query(demo_settings, teammate_edits)
        select_row(screen, "#last-items", f"{missed.kind}:{missed.id}")
        await pilot.press("c")
        await settle(app, pilot)
    assert errors and "changed by someone else" in errors[0]
    due = query(demo_settings, lambda s: s.get(Touchpoint, missed.id).due_at)
    assert due == missed.at


async def test_a_busy_week_adds_rows_as_the_cursor_nears_the_end_and_step_4_loads_on_entry(demo_settings):
    from datetime import timedelta

    from planner.models import Connection
    from planner.tui.screens.review import PAGE

    def busy_week(session):  # 300 more touchpoints in W47 (Mon 16 Nov, UTC in London)
        who = session.exec(select(Connection.id)).first()
        start = datetime(2026, 11, 16, 8, tzinfo=UTC)
        session.add_all(
            [
                Touchpoint(
                    connection_id=who,
                    kind="check_in",
                    status="done",
                    due_at=start + timedelta(minutes=i),
                    done_at=start + timedelta(minutes=i),
                )
                for i in range(300)
            ]
        )

    query(demo_settings, busy_week)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        table = screen.query_one("#last-items")
        total = len(screen.review.posts.items) + len(screen.review.touchpoints.items)
        assert total > PAGE and table.row_count == PAGE and len(screen.last_items) == total
        assert "more rows load as you scroll" in str(screen.query_one("#last-summary").render())
        assert screen.week_view is None  # step 4's week is not read until the step is shown
        table.move_cursor(row=PAGE - 1)
        await pilot.pause()
        assert table.row_count == min(total, 2 * PAGE)
        await pilot.press("n", "n", "n")
        await settle(app, pilot)
        assert screen.step == 3 and screen.week_view is not None
        assert screen.query_one("#next-items").row_count == min(len(screen.week_view.items), PAGE)


@pytest.mark.sqlite_only  # PostgreSQL's data token also moves with the server's own work: a miss there is allowed
async def test_review_is_prefetched_after_start_up_and_recomputed_after_a_change(demo_settings, monkeypatch):
    """Last week's review is computed in the background once Today is drawn; the first open shows
    that result, and any change to the data makes the next read compute it again."""
    from planner.services import review as review_service
    from planner.services.today import mark_item

    calls: list = []
    for name in ("last_week", "complete_review"):
        original = getattr(review_service, name)
        monkeypatch.setattr(
            review_service, name, lambda session, *a, _o=original, _n=name: (calls.append(_n), _o(session, *a))[1]
        )
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert calls == ["last_week", "complete_review"], "prefetched while Today was on screen"
        screen = await open_review(app, pilot)
        assert len(calls) == 2, "the first open used the prefetched review"
        before = screen.review
        item = before.missed_items[0]
        app.store.call(mark_item, item.kind, item.id, True, FIXED_NOW)
        screen.load()
        await settle(app, pilot)
        assert calls[2:] == ["last_week", "complete_review"] and screen.review != before, (
            "a change in between is never served stale"
        )


async def test_step_1_is_drawn_before_the_rest_of_the_review_is_read(demo_settings, monkeypatch):
    """Going cold and rising keywords cost most of a review on a big network: the first step does
    not wait for them, and the later steps say they are loading until they arrive."""
    import threading

    from planner.services import review as review_service

    release = threading.Event()
    original = review_service.complete_review

    def held(session, last):
        assert release.wait(10), "the test never released the rest of the review"
        return original(session, last)

    monkeypatch.setattr(review_service, "complete_review", held)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):  # Today's background prefetch is held too: leave it waiting
            await pilot.pause()
        await pilot.press("6")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for _ in range(1000):
            await pilot.pause(0.01)
            if screen.last is not None:
                break
        assert screen.last is not None and screen.review is None
        assert screen.query_one("#last-items").row_count == len(screen.last.posts.items) + len(
            screen.last.touchpoints.items
        )
        assert "Loading" in str(screen.query_one("#network-summary").render())
        missed = screen.last.missed_items[0]
        select_row(screen, "#last-items", f"{missed.kind}:{missed.id}")
        await pilot.press("d")  # step 1 acts already: a missed item marked as happened
        release.set()
        await settle(app, pilot)
        assert screen.review is not None and screen.review.week == screen.last.week
        assert "going cold" in str(screen.query_one("#network-summary").render())
        assert screen.decisions["marked"] == [[missed.kind, missed.id]]
        assert missed.id not in {i.id for i in screen.last.missed_items if i.kind == missed.kind}
        # steps 2-4 are those of the review after the change, not of the load it replaced
        assert missed.id not in {i.id for i in screen.review.missed_items if i.kind == missed.kind}
        assert review_service.built_from(screen.review, screen.last)


async def test_each_step_holds_its_keys_and_its_decisions_go_up_as_messages(demo_settings):
    """The step shown has the focus, so only its keys work (c carries forward in step 1, copies in
    step 2); the review is read and decided through messages, step 1 before the rest."""
    from planner.tui.screens.help import screen_groups
    from planner.tui.screens.review.last_week import LastWeekStep
    from planner.tui.screens.review.network import NetworkStep
    from planner.tui.screens.review.step import Step

    def once(messages) -> list:  # the hook sees a message at each node it bubbles through
        return list({id(m): m for m in messages}.values())

    seen = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        screen = await open_review(app, pilot)
        read = once(m for m in seen if isinstance(m, (ReviewScreen.FirstStepRead, ReviewScreen.ReviewRead)))
        assert [type(m) for m in read[-2:]] == [ReviewScreen.FirstStepRead, ReviewScreen.ReviewRead]
        assert read[-1].last is read[-2].last is screen.last
        assert screen.key_parts_in_focus() == [screen.query_one(LastWeekStep)]
        await pilot.press("p")  # step 4's key: step 1 does not have it
        await settle(app, pilot)
        missed = screen.review.missed_items[0]
        select_row(screen, "#last-items", f"{missed.kind}:{missed.id}")
        await pilot.press("d")
        await settle(app, pilot)
        decided = [(m.what, m.entry) for m in once(m for m in seen if isinstance(m, Step.Decided))]
        assert decided == [("marked", [missed.kind, missed.id])]
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.key_parts_in_focus() == [screen.query_one(NetworkStep)]
        rows = dict(next(g.rows for g in screen_groups(app, screen) if g.title == "Review (this screen)"))
    assert rows == {
        "n": "Next step",
        "b": "Back",
        "d": "Happened",
        "c": "Carry forward · Copy message",
        "x": "Drop",
        "f": "Finish",
        "a": "Accept",
        "e": "Adjust",
        "o": "Open profile · Write files",
        "s": "Share it",
        "w": "Write about it",
        "p": "Auto-plan",
        "⇧←": "Day earlier",
        "⇧→": "Day later",
        "r": "Reload",
    }


async def test_the_review_reads_again_when_background_keywords_are_ready(demo_settings):
    """Opened before the keywords are extracted, step 3 says they are being extracted, not that
    nothing is rising; once the background run finishes the review is read again and shows them."""
    import sqlalchemy as sa

    from planner.models import Entry, EntryKeyword, Keyword

    store = open_store(demo_settings.db_url)
    with store.transaction() as session:  # the demo's entries as a refresh leaves them: not extracted yet
        session.execute(sa.delete(EntryKeyword))
        session.execute(sa.delete(Keyword))
        session.execute(sa.update(Entry).values(keywords_hash=None, keywords_model=None))
    store.dispose()
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_review(app, pilot)
        assert not screen.review.rising
        app.keyword_progress = (0, 79)  # as the app holds it while a run is under way
        screen.query_one("#step-discover").show(screen.review)
        summary = screen.query_one("#discover-summary")
        assert "Keywords are being extracted (0 of 79)" in str(summary.render())
        app.keyword_progress = None
        app.start_extraction()
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert screen.review.rising  # read again once the run was over
        assert screen.review.rising[0].topic in str(summary.render())
