"""The Textual application: sections as modes, one worker-error handler, the command palette.

``make_app(settings)`` is the one factory; the CLI and the tests both call it. Screens ask
services for data through ``app.store.call`` in thread workers (Today's first frame excepted:
``app.read_first_frame``); they never build queries.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from planner.config import Settings
from planner.errors import PlannerError
from planner.tui.cache import ReadCache

T = TypeVar("T")
# workers quit cancels without waiting: reads, and long detached work (see tui.detached); any
# other worker is a save, which quitting lets finish
NOT_WAITED_FOR = {
    "keywords",
    "warm-up",
    "pitch-semantic",
    "discover-refresh",
    "today-load",
    "plan-load",
    "posts-load",
    "editor-load",
    "editor-slot",
    "network-page",
    "network-detail",
    "discover-tree",
    "discover-page",
    "discover-keywords",
    "discover-trends",
    "review-load",
    "review-next",
}
FIRST_FRAME_WAIT_S = 0.1  # a locked file is read by a worker instead of stalling the first frame


class UIThreadQuery(UserWarning):
    """A store query (or the store's opening) ran on the UI thread, where it stalls every key and
    frame: reads belong in workers. Silent for a person; the tests turn it into an error
    (pyproject's filterwarnings). ``PlannerApp.reading_on_ui_thread`` allows the few tiny ones."""


warnings.filterwarnings("ignore", category=UIThreadQuery)


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
        Section(
            "2",
            "plan",
            "Plan",
            _Lazy("planner.tui.screens.plan:PlanScreen"),
            "The week: posts by pillar and touchpoints; auto-plan, move, export",
        ),
        Section(
            "3",
            "posts",
            "Posts",
            _Lazy("planner.tui.screens.posts:PostsScreen"),
            "Ideas, drafts, scheduled and published posts; the editor",
        ),
        Section(
            "4",
            "network",
            "Network",
            _Lazy("planner.tui.screens.network:NetworkScreen"),
            "People due, going cold, and what to send them",
        ),
        Section(
            "5",
            "discover",
            "Discover",
            _Lazy("planner.tui.screens.discover:DiscoverScreen"),
            "Topics, feeds and fresh entries",
        ),
        Section(
            "6",
            "review",
            "Review",
            _Lazy("planner.tui.screens.review:ReviewScreen"),
            "The weekly review: last week, network, rising, next week, export",
        ),
    ]


class PlannerApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "planner"
    ENABLE_COMMAND_PALETTE = True
    # media-like classes on every screen (app.tcss): below 100 columns layouts narrow (the Discover
    # tree, the week grid's labels); below 30 rows the Review charts give way to the items
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("u", "undo", "Undo", show=False),
    ]

    def __init__(self, settings: Settings, store=None, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self._store = None
        self._given_store = store
        self._store_lock = threading.Lock()
        self._tz = None
        self._ui_reads_allowed: list[str] = []  # reasons, innermost last (see reading_on_ui_thread)
        self.cache = ReadCache(lambda: self.store, self.now)
        self._warming = False
        self._asked_mode: str | None = None
        self.keyword_progress: tuple[int, int] | None = None
        self.clock = clock or (lambda: datetime.now(UTC))
        self._undo_stack = None  # this session's done / skip / move / drop / delete, for `u`
        self.sections = _sections()
        self.MODES = {s.mode: s.factory for s in self.sections}  # instance-level: sections can vary
        super().__init__()
        for s in self.sections:
            self._bindings.bind(s.key, f"switch_section('{s.mode}')", s.title, show=False)

    # --- data access -------------------------------------------------------------------------

    @property
    def store(self):
        """The opened store. Opened (and migrated) with the planning zone by ``open_store``: the
        warm-up worker once Today is drawn, or the first worker that needs it before then."""
        if self._store is None:
            self.open_store()
        return self._store

    def open_store(self) -> None:
        """Open the store, migrate it and read the planning zone, once: in a worker (workers may
        ask at once; one opens, the others wait). On the UI thread this warns (UIThreadQuery)."""
        if self._store is not None:
            return
        with self._store_lock:
            if self._store is not None:
                return
            self._warn_if_ui_thread("opening the store")
            store = self._given_store
            if store is None:
                from planner.store import open_store

                store = open_store(self.settings.db_url)
            store.watch_queries(self._query_on_thread)
            if self._tz is None:
                from planner.services.timeutil import user_timezone

                self._tz = store.call(user_timezone, self.settings.timezone)
            self._store = store
        for line in self._store.notices:  # what opening did (an interrupted import undone): said once
            self.notify(line, title="Opened the database", severity="warning", timeout=15, markup=False)

    def _on_ui_thread(self) -> bool:
        """On the app's thread while it runs, in the app's own tasks (a test's checks run in the
        test's task)."""
        if not self.is_running or getattr(self, "_thread_id", None) != threading.get_ident():
            return False
        import asyncio

        try:
            task = asyncio.current_task()
        except RuntimeError:  # no running loop: not the UI
            return False
        return task is None or task is not self._test_task

    _test_task = None

    @asynccontextmanager
    async def run_test(self, *args, **kwargs):
        """Textual's, noting the test's own task: its store checks are not the UI's queries."""
        import asyncio

        self._test_task = asyncio.current_task()
        async with super().run_test(*args, **kwargs) as pilot:
            yield pilot

    def _warn_if_ui_thread(self, what: str) -> None:
        if self._on_ui_thread() and not self._ui_reads_allowed:
            warnings.warn(f"{what} on the UI thread (screen {self.screen_stack[-1:]!r})", UIThreadQuery, stacklevel=3)

    def _query_on_thread(self, statement: str) -> None:
        self._warn_if_ui_thread(f"the query {' '.join(statement.split())[:120]!r}")

    @contextmanager
    def reading_on_ui_thread(self, reason: str) -> Iterator[None]:
        """Allow a tiny read on the UI thread (say why); every other query there warns."""
        self._ui_reads_allowed.append(reason)
        try:
            yield
        finally:
            self._ui_reads_allowed.pop()

    def read_first_frame(self, fn: Callable[..., T], *args) -> T | None:
        """Start-up only: ``fn(reader, tz, *args)``, a bounded read-only service written against
        store.reader, run on the UI thread so the first screen is drawn with its data.

        Importing SQLAlchemy, SQLModel and the tables takes 0.3 s; a SQLite file already at the
        head revision is read through the stdlib driver instead (about 10 ms on the scale world),
        and the store opens in a worker once that frame is drawn. None when that is not possible
        (the store is open already, PostgreSQL, a schema to migrate, a file locked beyond a short
        wait, a bad timezone): the caller loads in a worker through the store as usual. Either
        way the screen calls ``warm_up`` once its data is drawn."""
        if self._store is not None or self._given_store is not None:
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
        self.open_store()
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
        """The planning zone (the strategy's, else the settings'): read when the store opens (or
        by Today's first frame), again by ``refresh_timezone`` after the strategy changes."""
        if self._tz is None:
            self.open_store()
            if self._tz is None:  # forgotten meanwhile
                self.refresh_timezone()
        return self._tz

    def refresh_timezone(self) -> None:
        """The strategy changed: read its zone again (in the worker that saved it)."""
        from planner.services.timeutil import user_timezone

        self._tz = self.store.call(user_timezone, self.settings.timezone)

    # --- lifecycle -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._use_saved_theme()
        self.switch_mode(self.sections[0].mode)
        if self.settings.auto_extract:
            self.set_timer(0.5, self.start_extraction)  # after the first screen has its data

    # --- the theme, remembered in config.toml ---------------------------------------------------

    def _use_saved_theme(self) -> None:
        """The theme last chosen in the palette (config.toml's ``theme``); a choice is saved there."""
        name = self.settings.theme
        if name and name != self.theme:
            if name in self.available_themes:
                self.theme = name
            else:
                self.notify(
                    f"Theme {name!r} of {self.settings.config_path} is not known here; using {self.theme}",
                    severity="warning",
                    markup=False,
                )
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self.save_theme(theme.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save-theme")
    def save_theme(self, name: str) -> None:
        from planner.config import save_setting

        save_setting(self.settings.config_path, "theme", name)  # a PlannerError is notified as usual
        self.settings.theme = name

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
        from planner.tui.detached import Abandoned, run_detached

        try:
            run_detached(self._extract_keywords)
        except Abandoned:
            pass  # quitting: what was stored stays, the rest is still pending next time

    def _extract_keywords(self) -> None:
        from planner.services import keywords as keyword_service

        model_name = keyword_service.engine_model_name(self.settings)
        pending = self.store.call(keyword_service.count_pending, model_name)
        people = self.store.call(keyword_service.count_people_pending)
        if not pending and not people:
            return
        self.call_from_thread(self._keyword_progress, 0, pending + people)
        try:
            extractor = keyword_service.make_extractor(self.settings, self.store)
            summary = keyword_service.extract_pending(
                self.cache.announcing(self.store, ("keywords",)),  # Network and Discover keep their pages
                extractor,
                progress=lambda done, total: self.call_from_thread(self._keyword_progress, done, total),
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
            self.leave_safely(lambda: self.switch_mode(mode))

    # --- never lose an edit -------------------------------------------------------------------

    def unsaved_screens(self, every_section: bool = False) -> list[Screen]:
        """Screens holding an unsaved edit: in the current section, or in every section's stack."""
        from planner.tui.modals.unsaved import HoldsEdits

        stacks = self._screen_stacks.values() if every_section else [self.screen_stack]
        return [s for stack in stacks for s in stack if isinstance(s, HoldsEdits) and s.unsaved_changes()]

    def leave_safely(self, then: Callable[[], None], every_section: bool = False, screens: list | None = None) -> None:
        """Run ``then`` (quit, switch section, close) once no edit would be lost by it: for each
        screen with unsaved changes (the current section's, every section's, or ``screens``), ask
        save / discard / keep editing. Keep editing cancels."""
        from planner.tui.modals.unsaved import DISCARD, KEEP, SAVE, UnsavedModal

        if isinstance(self.screen, UnsavedModal):
            return  # asking already: one question at a time
        if screens is None:
            dirty = self.unsaved_screens(every_section)
        else:
            dirty = [s for s in screens if s.unsaved_changes()]
        if not dirty:
            then()
            return
        screen = dirty[-1]
        if screen not in self.screen_stack:  # an edit left open in another section: show it first
            mode = next(m for m, stack in self._screen_stacks.items() if screen in stack)
            super().switch_mode(mode)

        def answered(choice: str | None) -> None:
            if choice == SAVE:
                screen.save_then(lambda: self.leave_safely(then, every_section, screens))
            elif choice == DISCARD:
                screen.discard_edits()
                self.leave_safely(then, every_section, screens)
            elif choice != KEEP:
                return

        self.push_screen(UnsavedModal(screen.unsaved_changes()), answered)

    def action_quit(self) -> None:  # type: ignore[override]
        """q, ctrl+q and the palette's Quit: ask about unsaved edits, then quit at once."""
        self.leave_safely(self._quit_now, every_section=True)

    def _quit_now(self) -> None:
        """Reads, keyword extraction and model loads are cancelled (tui.detached: their threads
        do not hold the exit); a save still running finishes first."""
        busy = [w for w in self.workers if w.is_running and w.group not in NOT_WAITED_FOR]
        for worker in self.workers:
            if worker not in busy:
                worker.cancel()
        if not busy:
            self.exit()
            return

        async def after_saves() -> None:
            await self.workers.wait_for_complete(busy)
            self.exit()

        self.run_worker(after_saves(), group="quit", exit_on_error=False)

    # --- undo ----------------------------------------------------------------------------------

    @property
    def undo_stack(self):
        """services.undo.UndoStack, made on first use (its module imports SQLAlchemy: not at start-up)."""
        if self._undo_stack is None:
            from planner.services.undo import UndoStack

            self._undo_stack = UndoStack()
        return self._undo_stack

    def undoable(self, kind: str, item_id: int, change: Callable) -> str:
        """From a worker: ``change(session)`` (a service call on one post or touchpoint: mark,
        move, drop, delete), remembered so that `u` undoes it. Returns the change's message."""
        from planner.services.undo import run_undoable

        message, undo = self.store.call(run_undoable, kind, item_id, change)
        self.undo_stack.push(undo)
        return message

    def confirm_delete(
        self, kind: str, item_id: int, title: str, version: int | None, after: Callable[[], None]
    ) -> None:
        """Ask, then delete the post or touchpoint (undo brings it back); ``after`` reloads."""
        from planner.tui.modals.confirm import ConfirmModal

        what = "post" if kind == "post" else "touchpoint"

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(kind, item_id, version, after)

        self.push_screen(
            ConfirmModal(
                f"Delete this {what}?",
                f"{title}\n\nu undoes it afterwards.",
                confirm_label="Delete",
                cancel_label="Keep it",
            ),
            answered,
        )

    @work(thread=True, exclusive=False, exit_on_error=False, group="delete")
    def _delete(self, kind: str, item_id: int, version: int | None, after: Callable[[], None]) -> str:
        from planner.services.undo import delete_item

        message = self.undoable(kind, item_id, lambda s: delete_item(s, kind, item_id, expected_version=version))
        self.call_from_thread(self.notify, f"{message[:1].upper()}{message[1:]} · u undoes it", markup=False)
        self.call_from_thread(after)
        return message

    def action_undo(self) -> None:
        change = self.undo_stack.pop()
        if change is None:
            self.notify("Nothing to undo in this session", severity="warning")
            return
        self._undo(change)

    @work(thread=True, exclusive=True, exit_on_error=False, group="undo")
    def _undo(self, change) -> str:
        from planner.services.undo import undo_change

        message = self.store.call(undo_change, change, self.now())
        self.call_from_thread(self.notify, message, title="Undo", markup=False)
        self.call_from_thread(self._reload_screen, change)
        return message

    def _reload_screen(self, change) -> None:
        for screen in reversed(self.screen_stack):
            if hasattr(screen, "undone"):
                screen.undone(change)  # e.g. Review forgets the decision it had recorded
            if hasattr(screen, "action_reload"):
                screen.action_reload()
                return

    def action_help(self) -> None:
        from planner.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the screen below and of the app, each with its key (issue 14); then
        the screen's actions that have no key (``palette_commands``) and Textual's own, less its
        key panel (Help shows this app's keys)."""
        for s in self.sections:
            yield SystemCommand(
                f"Go to {s.title}", f"key {s.key} · {s.description}", lambda m=s.mode: self.action_switch_section(m)
            )
        yield from self.binding_commands(screen)
        extra = getattr(screen, "palette_commands", None)
        if extra:
            yield from extra()
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Quit"):  # ours: Help, and the Quit that asks first
                yield command

    def binding_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """A command per action bound on ``screen`` and its parts in focus (those its current state
        allows), and on the app."""
        from functools import partial

        from planner.tui.screens.help import keys_of

        title = screen.sub_title or type(screen).__name__.removesuffix("Screen")
        parts = getattr(screen, "key_parts_in_focus", list)()  # the Review step shown holds its own keys
        seen: set[str] = set()
        for node, bindings, prefix in (
            *((node, type(node).BINDINGS, f"{title}: ") for node in (*parts, screen)),
            (self, type(self).BINDINGS, ""),
        ):
            for action, keys, description in keys_of(bindings, self):
                if action in seen or node.check_action(action.partition("(")[0], ()) is False:
                    continue
                seen.add(action)
                yield SystemCommand(f"{prefix}{description}", f"key {keys}", partial(self.run_action, action, node))

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
