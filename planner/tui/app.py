"""The Textual application: sections as modes, one worker-error handler, the command palette.

``make_app(settings)`` is the one factory; the CLI and the tests both call it. Screens ask
services for data through ``app.store.call`` in thread workers (Today's first frame excepted:
``app.read_first_frame``); they never build queries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, TypeVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from planner.config import Settings
from planner.errors import PlannerError

T = TypeVar("T")
CACHE_MAX_AGE_S = 600  # see PlannerApp.cached
CACHE_ENTRIES = 256
FIRST_FRAME_WAIT_S = 0.1  # a locked file is read by a worker instead of stalling the first frame


@dataclass(frozen=True)
class Section:
    key: str  # the digit that opens it
    mode: str
    title: str
    factory: _Lazy
    description: str


class _Lazy:
    """A screen factory that imports its module on first use: start-up pays only for Today.
    ``preload`` imports it ahead of time (in the background, once Today is drawn)."""

    def __init__(self, path: str):
        self.path = path

    def preload(self) -> type[Screen]:
        from importlib import import_module

        module, name = self.path.split(":")
        return getattr(import_module(module), name)

    def __call__(self) -> Screen:
        return self.preload()()

    def __repr__(self) -> str:
        return f"lazy({self.path})"


def _sections() -> list[Section]:
    """The sections that exist. A section whose feature has not landed is simply absent."""
    return [
        Section("1", "today", "Today", _Lazy("planner.tui.screens.today:TodayScreen"), "What is due today and overdue"),
        Section("2", "plan", "Plan", _Lazy("planner.tui.screens.plan:PlanScreen"),
                "The week: posts by pillar and touchpoints; auto-plan, move, export"),
        Section("3", "posts", "Posts", _Lazy("planner.tui.screens.posts:PostsScreen"),
                "Ideas, drafts, scheduled and published posts; the editor"),
        Section("4", "network", "Network", _Lazy("planner.tui.screens.network:NetworkScreen"),
                "People due, going cold, and what to send them"),
        Section("5", "discover", "Discover", _Lazy("planner.tui.screens.discover:DiscoverScreen"),
                "Topics, feeds and fresh entries"),
        Section("6", "review", "Review", _Lazy("planner.tui.screens.review:ReviewScreen"),
                "The weekly review: last week, network, rising, next week, export"),
    ]


class PlannerApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "planner"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, settings: Settings, store=None, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self._store = store
        self._store_lock = threading.Lock()
        self._tz = None
        self._cache: dict[tuple, tuple[object, float, object]] = {}  # key → (data token, when, result)
        self._cache_lock = threading.Lock()
        self._warming = False
        self._asked_mode: str | None = None
        self.keyword_progress: tuple[int, int] | None = None
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sections = _sections()
        self.MODES = {s.mode: s.factory for s in self.sections}  # instance-level: sections can vary
        super().__init__()
        for s in self.sections:
            self._bindings.bind(s.key, f"switch_section('{s.mode}')", s.title, show=False)

    # --- data access -------------------------------------------------------------------------

    @property
    def store(self):
        if self._store is None:
            with self._store_lock:  # workers may ask at once; open (and migrate) only once
                if self._store is None:
                    from planner.store import open_store

                    self._store = open_store(self.settings.db_url)
        return self._store

    def read_first_frame(self, fn: Callable[..., T], *args) -> T | None:
        """Start-up only: ``fn(reader, tz, *args)``, a bounded read-only service written against
        store.reader, run on the UI thread so the first screen is drawn with its data.

        Importing SQLAlchemy, SQLModel and the tables takes 0.3 s; a SQLite file already at the
        head revision is read through the stdlib driver instead (about 10 ms on the scale world),
        and the store opens in a worker once that frame is drawn. None when that is not possible
        (the store is open already, PostgreSQL, a schema to migrate, a file locked beyond a short
        wait, a bad timezone): the caller loads in a worker through the store as usual. Either
        way the screen calls ``warm_up`` once its data is drawn."""
        if self._store is not None:
            return None
        import sqlite3

        from planner.services.timeutil import user_timezone
        from planner.store.reader import open_sqlite_reader

        reader = open_sqlite_reader(self.settings.db_url, timeout=FIRST_FRAME_WAIT_S)
        if reader is None:
            return None
        try:
            with reader:
                tz = self._tz or user_timezone(reader, self.settings.timezone)
                result = fn(reader, tz, *args)
        except (sqlite3.Error, PlannerError):
            return None  # the worker's read through the store reports it properly
        self._tz = tz
        return result

    def cached(self, key: tuple, fn: Callable[..., T], *args, **kwargs) -> T:
        """``store.call(fn, *args, **kwargs)``, remembered while the database does not change
        (``Store.data_token``) and for at most ``CACHE_MAX_AGE_S``. For each section's first view
        (Review's week and Discover's trends cost 0.2–0.6 s on a big store), so that opening it
        after the background prefetch, or again, does not wait on the query. ``key`` names the
        call and every argument but ``now``, whose effect the age limit bounds."""
        store = self.store
        token = store.data_token()
        started = time.monotonic()
        with self._cache_lock:  # workers read and fill it at once (the prefetch, a screen's load)
            hit = self._cache.get(key)
        if hit is not None and token is not None and hit[0] == token and started - hit[1] < CACHE_MAX_AGE_S:
            return hit[2]
        result = store.call(fn, *args, **kwargs)
        if token is not None:  # read before the call: a change made meanwhile misses next time
            with self._cache_lock:
                cache = self._cache
                if any(entry[0] != token for entry in cache.values()):  # a change: nothing older can serve
                    cache = self._cache = {k: v for k, v in cache.items() if v[0] == token}
                cache.pop(key, None)
                cache[key] = (token, started, result)
                while len(cache) > CACHE_ENTRIES:  # the oldest first (a person's detail per cursor stop)
                    cache.pop(next(iter(cache)))
        return result

    def warm_up(self) -> None:
        """Once Today has drawn its data (the first frame, or the worker's read on PostgreSQL):
        start ``_warm_up``, once."""
        if not self._warming:
            self._warming = True
            self._warm_up()

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        """While Today is on screen: open the store, import the table classes and the other
        sections' modules (0.1–0.2 s each the first time), and let each section prefetch its first
        view into the read cache, ahead of the first action or section switch. Stops prefetching
        once the person has left Today."""
        self.store
        import planner.models  # noqa: F401

        for section in self.sections:
            if self._asked_mode != self.sections[0].mode:
                # the person asked for a section already: leave the CPU to it (measured: prefetching
                # on made a section opened in the first second take 0.9-1.5 s, not 0.3-0.5)
                break
            prefetch = getattr(section.factory.preload(), "prefetch", None)
            if prefetch is not None:
                prefetch(self)

    def now(self) -> datetime:
        return self.clock()

    def switch_mode(self, mode: str):
        # noted before the switch builds the screen, which at start-up first imports its module and
        # the tables (0.3 s): the warm-up stops when a section is asked for, not once it is shown
        self._asked_mode = mode
        return super().switch_mode(mode)

    @property
    def tz(self):
        """The planning zone (the strategy's, else the settings'); read once, then cached."""
        if self._tz is None:
            from planner.services.timeutil import user_timezone

            self._tz = self.store.call(user_timezone, self.settings.timezone)
        return self._tz

    def forget_timezone(self) -> None:
        """The strategy changed: read its zone again on next use."""
        self._tz = None

    # --- lifecycle -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.switch_mode(self.sections[0].mode)
        if self.settings.auto_extract:
            self.set_timer(0.5, self.start_extraction)  # after the first screen has its data

    # --- keyword extraction in the background ------------------------------------------------

    class KeywordsProgress(Message):
        """Extraction progress (done of total); ``finished`` when the run is over."""

        def __init__(self, done: int, total: int, finished: bool = False) -> None:
            super().__init__()
            self.done, self.total, self.finished = done, total, finished

    def start_extraction(self) -> None:
        """Extract keywords for pending entries without blocking the interface."""
        self.extract_keywords()

    @work(thread=True, exclusive=True, exit_on_error=False, group="keywords")
    def extract_keywords(self) -> None:
        from planner.adapters.keywords import DEFAULT_MODEL_NAME
        from planner.services import keywords as keyword_service

        model_name = self.settings.keyword_model or DEFAULT_MODEL_NAME
        pending = self.store.call(keyword_service.count_pending, model_name)
        people = self.store.call(keyword_service.count_people_pending)
        if not pending and not people:
            return
        self.call_from_thread(self._keyword_progress, 0, pending + people)
        try:
            extractor = keyword_service.make_extractor(self.settings, self.store)
            summary = keyword_service.extract_pending(
                self.store, extractor, progress=lambda done, total: self.call_from_thread(self._keyword_progress, done, total)
            )
        finally:
            self.call_from_thread(self._keyword_progress, pending + people, pending + people, True)
        from planner.text import count

        done = f"Keywords ready for {count(summary.extracted, 'entry')}"
        if summary.people:
            done += f"; interests of {count(summary.people, 'person')} matched to them"
        self.call_from_thread(self.notify, done, title="Keywords", timeout=4)

    def _keyword_progress(self, done: int, total: int, finished: bool = False) -> None:
        self.keyword_progress = None if finished else (done, total)
        self.screen.post_message(self.KeywordsProgress(done, total, finished))

    def action_switch_section(self, mode: str) -> None:
        if mode in self.MODES and self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from planner.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for s in self.sections:
            yield SystemCommand(f"Go to {s.title}", f"{s.description} (key {s.key})", lambda m=s.mode: self.action_switch_section(m))
        yield SystemCommand("Help: keys", "Every key binding of this screen", self.action_help)
        extra = getattr(screen, "palette_commands", None)
        if extra:
            yield from extra()

    @on(Worker.StateChanged)
    def report_worker_error(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes something a person can read."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if isinstance(error, PlannerError):
            self.notify(str(error), title="Could not do that", severity="error", markup=False)
        else:
            self.log.error(repr(error))
            detail = f"{type(error).__name__}: {error}"
            self.notify(detail, title="Something went wrong", severity="error", markup=False, timeout=10)


def make_app(settings: Settings, store=None, clock: Callable[[], datetime] | None = None) -> PlannerApp:
    return PlannerApp(settings, store=store, clock=clock)


__all__ = ["PlannerApp", "make_app"]
