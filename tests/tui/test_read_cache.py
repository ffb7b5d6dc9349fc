"""tui.app's read cache: a result is served again only while the database has not changed."""

from __future__ import annotations

import pytest

from planner.models import Topic
from planner.tui import app as app_module
from planner.tui.app import make_app


@pytest.mark.sqlite_only  # PostgreSQL's token may also move with the server's own work (test_store covers it)
def test_cached_reads_are_served_until_a_change_and_stay_bounded(settings, monkeypatch):
    app = make_app(settings)
    calls: list[int] = []

    def double(session, x: int) -> int:
        calls.append(x)
        return 2 * x

    assert app.cached(("double", 1), double, 1) == 2
    assert app.cached(("double", 1), double, 1) == 2 and calls == [1], "served from the cache"
    with app.store.transaction() as session:
        session.add(Topic(name="a change"))
    assert app.cached(("double", 2), double, 2) == 4
    assert ("double", 1) not in app._cache, "a change drops what was read before it"
    assert app.cached(("double", 1), double, 1) == 2 and calls == [1, 2, 1], "read again after the change"
    monkeypatch.setattr(app_module, "CACHE_ENTRIES", 3)
    for x in range(10, 15):
        app.cached(("double", x), double, x)
    assert list(app._cache) == [("double", 12), ("double", 13), ("double", 14)], "bounded, the oldest go first"
    monkeypatch.setattr(app_module.time, "monotonic", lambda: 10**9)  # much later: too old to serve
    app.cached(("double", 14), double, 14)
    assert calls[-1] == 14 and calls.count(14) == 2
    app.store.dispose()


async def test_the_background_prefetch_stops_once_a_section_is_asked_for(demo_settings, monkeypatch):
    """After start-up a worker reads each section's first view ahead of time; a key that asks for a
    section stops it there, so it never competes with what the person opened."""
    import threading
    import time

    from planner.tui.screens.network import NetworkScreen

    prefetched: list[str] = []
    release = threading.Event()
    built = NetworkScreen.__init__

    def building(self, *args, **kwargs):  # while the switch builds the section the key asked for
        release.set()
        time.sleep(0.5)  # the UI thread is busy here (as when it imports a section): the prefetch goes on
        built(self, *args, **kwargs)

    monkeypatch.setattr(NetworkScreen, "__init__", building)
    for section in app_module._sections()[1:]:
        screen = section.factory.preload()
        original = getattr(screen, "prefetch", None)
        if original is None:
            continue

        def recording(app, _name=screen.__name__, _original=original):
            prefetched.append(_name)
            if _name == "PlanScreen":  # the first one: hold it until the key below is pressed
                assert release.wait(10), "never released"
            _original(app)

        monkeypatch.setattr(screen, "prefetch", staticmethod(recording))
    app = make_app(demo_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            await pilot.pause(0.01)
            if prefetched:
                break
        assert prefetched == ["PlanScreen"], "started once Today was drawn"
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, NetworkScreen) and prefetched == ["PlanScreen"], "stopped at the key"
