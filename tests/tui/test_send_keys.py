"""c copies, o opens LinkedIn (a recording browser, never a real one), then "Posted?"/"Sent?":
only y marks anything done."""

from __future__ import annotations

import webbrowser

import pytest
from helpers import FIXED_NOW

from planner.models import Post, Touchpoint
from planner.store import open_store
from planner.tui.app import make_app
from planner.tui.modals.sent_prompt import SentPrompt


class RecordingBrowser(webbrowser.BaseBrowser):
    def __init__(self) -> None:
        super().__init__("recording")
        self.opened: list[str] = []

    def open(self, url, new=0, autoraise=True):
        self.opened.append(url)
        return True


@pytest.fixture
def recorder(monkeypatch):
    """A browser registered in-process as the preferred one; the registry is restored after."""
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.setattr(webbrowser, "_tryorder", [])
    monkeypatch.setattr(webbrowser, "_browsers", {})
    rec = RecordingBrowser()
    webbrowser.register("recording", None, rec, preferred=True)
    return rec


async def _ready(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _status(settings, kind, item_id):
    store = open_store(settings.db_url)
    try:
        with store.session() as session:
            return session.get(Post if kind == "post" else Touchpoint, item_id).status
    finally:
        store.dispose()


async def _select(app, pilot, kind):
    screen = app.screen
    for _ in range(len(screen.agenda.items)):
        item = screen.selected()
        if item.kind == kind:
            return item
        await pilot.press("down")
    raise AssertionError(f"no {kind} on Today")


async def test_today_copy_then_no_leaves_it_then_yes_marks_it(demo_settings, recorder):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        item = await _select(app, pilot, "touchpoint")
        await pilot.press("c")
        await _ready(app, pilot)
        assert isinstance(app.screen, SentPrompt) and app.screen.question == "Sent?"
        assert app.clipboard.strip(), "the message is on the clipboard"
        await pilot.press("n")
        await _ready(app, pilot)
        assert not isinstance(app.screen, SentPrompt)
        assert _status(demo_settings, "touchpoint", item.id) == "planned"
        await pilot.press("c")
        await _ready(app, pilot)
        await pilot.press("y")
        await _ready(app, pilot)
        assert _status(demo_settings, "touchpoint", item.id) == "done"
        assert recorder.opened == [], "copying opens nothing"


async def test_posts_open_uses_the_share_composer_and_yes_takes_the_url(demo_settings, recorder):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await pilot.press("3")
        await _ready(app, pilot)
        item = app.screen.current()
        assert item is not None and item.status == "scheduled"
        await pilot.press("o")
        await _ready(app, pilot)
        assert len(recorder.opened) == 1
        assert recorder.opened[0].startswith("https://www.linkedin.com/feed/?shareActive=true&text=")
        assert isinstance(app.screen, SentPrompt) and app.screen.question == "Posted?"
        assert _status(demo_settings, "post", item.id) == "scheduled"
        await pilot.click("#sent-url-input")
        await pilot.press(*"https://x.test/p/1")
        await pilot.press("enter")
        await _ready(app, pilot)
    store = open_store(demo_settings.db_url)
    with store.session() as session:
        post = session.get(Post, item.id)
        assert (post.status, post.url, post.published_at) == ("published", "https://x.test/p/1", FIXED_NOW)
    store.dispose()


async def test_no_browser_shows_and_copies_the_url(demo_settings, monkeypatch):
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        item = await _select(app, pilot, "touchpoint")
        await pilot.press("o")
        await _ready(app, pilot)
        assert isinstance(app.screen, SentPrompt)
        assert app.screen.shown_url and app.clipboard == app.screen.shown_url
        assert app.clipboard.startswith("https://www.linkedin.com/")
        await pilot.press("escape")
        await _ready(app, pilot)
        assert _status(demo_settings, "touchpoint", item.id) == "planned"


@pytest.mark.parametrize("section,key", [("posts", "3"), ("network", "4"), ("plan", "2")])
async def test_other_sections_copy_and_ask(demo_settings, recorder, section, key):
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await pilot.press(key)
        await _ready(app, pilot)
        assert app.current_mode == section
        if section == "plan":
            await pilot.press("v")  # the agenda; an item still to do (a done one is copied, not asked about)
            await _ready(app, pilot)
            while app.screen.selected().status not in ("planned", "scheduled"):
                await pilot.press("down")
        await pilot.press("c")
        await _ready(app, pilot)
        assert isinstance(app.screen, SentPrompt), f"{section}: c asks after copying"
        assert app.clipboard.strip()
        await pilot.press("n")
        await _ready(app, pilot)
        await pilot.press("o")
        await _ready(app, pilot)
        assert len(recorder.opened) == 1 and recorder.opened[0].startswith("https://www.linkedin.com/")


async def test_review_step_2_copies_a_message_and_shows_the_pitch_audit(demo_settings, recorder, tmp_path):
    import archive_fixture as fx

    from planner.services.linkedin_archive import import_archive

    store = open_store(demo_settings.db_url)
    import_archive(store, fx.write_zip(tmp_path / "archive.zip"), now=FIXED_NOW)
    store.dispose()
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(app, pilot)
        await pilot.press("6")
        await _ready(app, pilot)
        await pilot.press("n")  # step 2: network
        await _ready(app, pilot)
        panel = str(app.screen.query_one("#review-audit").render())
        assert "Pitch audit" in panel and "pitched before giving" in panel and "Sam Reed (invitation, day 0)" in panel
        await pilot.press("c")
        await _ready(app, pilot)
        assert isinstance(app.screen, SentPrompt) and app.screen.question == "Sent?"
        assert app.clipboard.strip()
        await pilot.press("n")
        await _ready(app, pilot)
        assert app.screen.step == 1, "c copied in step 2 instead of carrying forward"


async def test_the_editor_copies_the_saved_text_and_refuses_unsaved_changes(demo_settings, recorder):
    from planner.services.send import post_text

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await pilot.press("3")
        await _ready(app, pilot)
        post = app.screen.current()
        await pilot.press("enter")
        await _ready(app, pilot)
        await pilot.press("ctrl+r")
        await _ready(app, pilot)
        assert isinstance(app.screen, SentPrompt)
        assert app.clipboard == post_text(post.body, post.hashtags)
        await pilot.press("n")
        await _ready(app, pilot)
        await pilot.press("x")  # an unsaved change
        await pilot.press("ctrl+o")
        await _ready(app, pilot)
        assert not isinstance(app.screen, SentPrompt) and recorder.opened == []
        assert any("Save first" in n.message for n in app._notifications)
