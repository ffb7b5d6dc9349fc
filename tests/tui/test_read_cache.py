"""tui.cache.ReadCache: a result is served again only while the data it read has not changed."""

from __future__ import annotations

import pytest
from helpers import FIXED_NOW, settle
from sqlmodel import select

from planner.models import Topic
from planner.tui import app as app_module
from planner.tui import cache as cache_module
from planner.tui.app import make_app
from planner.tui.cache import NOW, ReadCache


def _double(session, x: int) -> int:
    _double.calls.append(x)
    return 2 * x


_double.calls = []


@pytest.fixture
def cache(settings):
    from planner.store import open_store

    store = open_store(settings.db_url)
    _double.calls = []
    yield ReadCache(lambda: store, lambda: FIXED_NOW)
    store.dispose()


def _change(cache) -> None:
    with cache._store().transaction() as session:
        session.add(Topic(name=f"a change {len(_double.calls)}"))


@pytest.mark.sqlite_only  # PostgreSQL's token may also move with the server's own work (test_store covers it)
def test_cached_reads_are_served_until_a_change_and_stay_bounded(cache, monkeypatch):
    calls = _double.calls
    assert cache.read(["people"], _double, 1) == 2
    assert cache.read(["people"], _double, 1) == 2 and calls == [1], "served from the cache"
    _change(cache)  # a change nobody announced: every domain
    assert cache.read(["feeds"], _double, 2) == 4
    assert cache.entry(_double, 1) is None, "a change drops what was read before it"
    assert cache.read(["people"], _double, 1) == 2 and calls == [1, 2, 1], "read again after the change"
    cache.size = 3
    for x in range(10, 15):
        cache.read(["people"], _double, x)
    assert [e.value for e in cache._entries.values()] == [24, 26, 28], "bounded, the oldest go first"
    assert cache.entry(_double, 14).domains == ("people",)
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: 10**9)  # much later: too old to serve
    cache.read(["people"], _double, 14)
    assert calls[-1] == 14 and calls.count(14) == 2


@pytest.mark.sqlite_only
def test_now_is_the_clock_s_and_no_part_of_the_key(cache):
    seen = []

    def at(session, now, x):
        seen.append(now)
        return x

    assert cache.read(["posts"], at, NOW, 1) == 1 and cache.read(["posts"], at, NOW, 1) == 1
    assert seen == [FIXED_NOW], "one read, with the clock's time"


@pytest.mark.sqlite_only
def test_an_announced_write_drops_only_its_domains(cache):
    """Keyword extraction commits batch after batch while someone browses Network: its writes are
    announced as "keywords" and Network's pages ("people") stay; a person's detail, whose
    suggestion draws on keywords, is read again."""
    calls = _double.calls
    cache.read(["people"], _double, 1)
    cache.read(["people", "keywords"], _double, 2)
    cache.read(["feeds"], _double, 3)
    store = cache.announcing(cache._store(), ["keywords"])
    with store.transaction() as session:
        session.add(Topic(name="written by the extraction"))
    for x in (1, 2, 3):
        cache.read(["people"] if x == 1 else ["people", "keywords"] if x == 2 else ["feeds"], _double, x)
    assert calls == [1, 2, 3, 2], "only the entry that depends on keywords was read again"
    _change(cache)  # not announced: nothing read before can serve
    cache.read(["people"], _double, 1)
    cache.read(["feeds"], _double, 3)
    assert calls[-2:] == [1, 3]


@pytest.mark.sqlite_only  # on PostgreSQL the change token is the server's WAL position, which any
# other database's writes on a shared server move (the other test worker's): the waiting reader
# then rightly reads again, so "one query" holds only where the token is this database's own
def test_the_same_read_in_two_threads_runs_once(cache, monkeypatch):
    """Single flight: the prefetch and a screen's load asking for the same page at once share
    one query (on the real store); the second waits for the first's result."""
    import threading
    import types

    started, release, waiting = threading.Event(), threading.Event(), threading.Event()

    class Flight(threading.Event):
        def wait(self, timeout=None):
            waiting.set()  # the second reader is waiting on the first one's read
            return super().wait(timeout)

    monkeypatch.setattr(cache_module, "threading", types.SimpleNamespace(Event=Flight, Lock=threading.Lock))
    runs: list[str] = []

    def page(session, n: int) -> list[int]:
        runs.append(threading.current_thread().name)
        started.set()
        assert release.wait(10)
        return list(session.exec(select(Topic.id)).all()) + [n]

    results: dict[str, list[int]] = {}

    def read(name: str) -> None:
        results[name] = cache.read(["feeds"], page, 7)

    prefetch = threading.Thread(target=read, args=("prefetch",), name="prefetch")
    prefetch.start()
    assert started.wait(10)
    load = threading.Thread(target=read, args=("load",), name="load")
    load.start()
    assert waiting.wait(10), "the load waits for the prefetch's read"
    release.set()
    prefetch.join(10)
    load.join(10)
    assert runs == ["prefetch"], "one query for both"
    assert results["load"] == results["prefetch"] == [7]
    cache.read(["feeds"], page, 8)  # another key: a read of its own
    assert runs == ["prefetch", "MainThread"]


async def test_a_store_query_on_the_ui_thread_warns(demo_settings):
    """Reads belong in workers: a query run by a handler on the UI thread raises UIThreadQuery
    (an error in the tests, pyproject's filterwarnings), unless allowed with a reason."""
    from textual.screen import Screen

    from planner.services.people import valid_tiers
    from planner.tui.app import UIThreadQuery

    class Reading(Screen):
        def on_mount(self) -> None:
            with pytest.warns(UIThreadQuery, match="on the UI thread"):
                self.app.store.call(valid_tiers)
            with self.app.reading_on_ui_thread("a test of the allowance"):
                self.tiers = self.app.store.call(valid_tiers)

    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)  # the store is open: what warns is the query, not the opening
        screen = Reading()
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.tiers


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
